/**
 * Builds the e2e test pages (pages/*.html), with @lodis/core and @lodis/idb-persist taken from
 * the workspace *sources* (not their dist), so the tests run the code in the tree.
 *
 *   npm run build:pages -w @lodis/e2e      → e2e/dist, to look at or serve by hand
 *
 * `npm run test:e2e` and `npm run bench:idb` build into a temp directory of their own
 * (src/build.ts), so concurrent runs never share one.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  root: here('./pages'),
  base: './',
  logLevel: 'warn',
  resolve: {
    alias: {
      '@lodis/core/redis-cli': here('../packages/core/src/redis-cli.ts'),
      '@lodis/core': here('../packages/core/src/index.ts'),
      '@lodis/idb-persist': here('../packages/idb-persist/src/index.ts'),
      '@lodis/web-worker': here('../packages/web-worker/src/index.ts'),
    },
  },
  build: {
    outDir: here('./dist'),
    emptyOutDir: true,
    target: 'esnext',
    minify: false,
    sourcemap: true,
    reportCompressedSize: false,
    rolldownOptions: {
      input: {
        store: here('./pages/store.html'),
        bench: here('./pages/bench.html'),
        worker: here('./pages/worker.html'),
        'bench-worker': here('./pages/bench-worker.html'),
        tabs: here('./pages/tabs.html'),
        queue: here('./pages/queue.html'),
        txn: here('./pages/txn.html'),
        streams: here('./pages/streams.html'),
      },
    },
  },
});
