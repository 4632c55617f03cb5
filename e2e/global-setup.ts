/** Build the e2e pages (vite.config.ts) once before the tests, and check Chromium is there. */
import { build } from 'vite';
import { fileURLToPath } from 'node:url';
import { CHROMIUM_PATH, chromiumAvailable } from './src/chromium.js';

export default async function setup(): Promise<void> {
  if (!chromiumAvailable()) {
    throw new Error(`Chromium not found at ${CHROMIUM_PATH}: install it (apt-get install chromium) or set CHROMIUM_PATH`);
  }
  await build({ configFile: fileURLToPath(new URL('./vite.config.ts', import.meta.url)) });
}
