/**
 * `npm run test:e2e`: the tests in real Chromium (e2e/*.test.ts). Separate from `npm test`'s unit
 * run: each file starts browsers and writes to disk, and together they take about a minute.
 * global-setup.ts builds the pages first, so the tests always run the sources in the tree.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  root: here('..'),
  resolve: {
    alias: {
      '@lodis/core/redis-cli': here('../packages/core/src/redis-cli.ts'),
      '@lodis/core': here('../packages/core/src/index.ts'),
      '@lodis/idb-persist': here('../packages/idb-persist/src/index.ts'),
      '@lodis/web-worker': here('../packages/web-worker/src/index.ts'),
    },
  },
  test: {
    include: ['e2e/*.test.ts'],
    globalSetup: [here('./global-setup.ts')],
    pool: 'forks',
    // One Chromium at a time: the machine has 2 cores, and the crash tests time their kills.
    fileParallelism: false,
    testTimeout: 180_000,
    hookTimeout: 60_000,
  },
});
