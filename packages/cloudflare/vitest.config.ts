// `npm run test:cloudflare`: @lodis/cloudflare's tests inside workerd (Miniflare), with
// SQLite-backed Durable Objects as deployed.
import { fileURLToPath } from 'node:url';
import { cloudflareTest } from '@cloudflare/vitest-pool-workers';
import { defineConfig } from 'vitest/config';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  plugins: [
    cloudflareTest({
      main: here('./test/worker.ts'),
      miniflare: {
        compatibilityDate: '2026-04-01',
        durableObjects: {
          LODIS: { className: 'LodisObject', useSQLite: true },
          STORAGE: { className: 'StorageObject', useSQLite: true },
        },
      },
    }),
  ],
  resolve: {
    alias: {
      '@lodis/core': here('../core/src/index.ts'),
      '@lodis/cloudflare': here('./src/index.ts'),
    },
  },
  test: {
    root: here('.'),
    include: ['test/**/*.test.ts'],
  },
});
