import { fileURLToPath } from 'node:url';
import { configDefaults, defineConfig } from 'vitest/config';

// Tests run against the workspace sources, so `npm test` needs no build first.
const src = (pkg: string) => fileURLToPath(new URL(`./packages/${pkg}/src/index.ts`, import.meta.url));

export default defineConfig({
  resolve: {
    alias: {
      '@lodis/core/redis-cli': fileURLToPath(new URL('./packages/core/src/redis-cli.ts', import.meta.url)),
      '@lodis/core': src('core'),
      '@lodis/idb-persist': src('idb-persist'),
      '@lodis/web-worker': src('web-worker'),
      '@lodis/server': src('server'),
      '@lodis/redis-client': src('redis-client'),
    },
  },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'packages/server/test/**/*.test.ts', 'conformance/**/*.test.ts', 'scripts/**/*.test.ts'],
    // Deno-only tests (Deno.openKv): npm run test:deno-kv.
    exclude: [...configDefaults.exclude, 'packages/deno-kv/**'],
    pool: 'threads',
  },
});
