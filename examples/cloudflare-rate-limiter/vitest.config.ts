// The rate limiter's test inside workerd, configured from wrangler.jsonc (run by
// `npm run test:cloudflare` at the repository root). A 2-second window keeps it quick.
import { fileURLToPath } from 'node:url';
import { cloudflareTest } from '@cloudflare/vitest-pool-workers';
import { defineConfig } from 'vitest/config';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: here('./wrangler.jsonc') },
      miniflare: { bindings: { WINDOW_SECONDS: '2' } },
    }),
  ],
  resolve: {
    alias: {
      '@lodis/core': here('../../packages/core/src/index.ts'),
      '@lodis/cloudflare': here('../../packages/cloudflare/src/index.ts'),
    },
  },
  test: {
    root: here('.'),
    include: ['test/**/*.test.ts'],
  },
});
