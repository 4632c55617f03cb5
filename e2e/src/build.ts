/** Build the test and bench pages (e2e/vite.config.ts), or the demo (demo/vite.config.ts), into `outDir`. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const e2eDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export async function buildPages(outDir: string): Promise<void> {
  await build({
    configFile: path.join(e2eDir, 'vite.config.ts'),
    logLevel: 'error',
    build: { outDir, emptyOutDir: true },
  });
}

export async function buildDemo(outDir: string): Promise<void> {
  await build({
    configFile: path.join(e2eDir, '../demo/vite.config.ts'),
    logLevel: 'error',
    build: { outDir, emptyOutDir: true, sourcemap: false },
  });
}
