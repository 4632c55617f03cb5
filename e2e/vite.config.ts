/**
 * Builds the e2e test pages (pages/*.html) to e2e/dist, with @lodis/core and @lodis/idb-persist
 * taken from the workspace *sources* (not their dist), so the tests run the code in the tree.
 *
 *   npx vite build -c e2e/vite.config.ts      (npm run test:e2e and npm run bench:idb do this)
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
      '@lodis/core': here('../packages/core/src/index.ts'),
      '@lodis/idb-persist': here('../packages/idb-persist/src/index.ts'),
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
      },
    },
  },
});
