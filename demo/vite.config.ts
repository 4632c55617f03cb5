/**
 * The demo app, built by Vite. `@lodis/*` resolve to the workspace *sources*, so `npm start` on a
 * fresh clone needs no package build first, and the demo always runs the code in the tree.
 *
 *   npm start                      → build into demo/dist and serve it (scripts/start.mjs)
 *   npm run dev -w @lodis/demo     → Vite's dev server, with hot reload
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  root: here('.'),
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
  worker: { format: 'es' },
  build: {
    outDir: here('./dist'),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    reportCompressedSize: false,
  },
  preview: { host: '127.0.0.1' },
  server: { host: '127.0.0.1' },
});
