/**
 * Before the e2e tests: check Chromium is there, and build the pages (vite.config.ts) into a
 * directory of this run's own — so two runs at once (two engineers, or CI and a developer) never
 * serve each other's half-written build. The tests get it with `inject('pagesDir')`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { CHROMIUM_PATH, chromiumAvailable } from './src/chromium.js';
import { buildPages } from './src/build.js';

declare module 'vitest' {
  export interface ProvidedContext {
    pagesDir: string;
  }
}

export default async function setup(project: TestProject): Promise<() => void> {
  if (!chromiumAvailable()) {
    throw new Error(`Chromium not found at ${CHROMIUM_PATH}: install it (apt-get install chromium) or set CHROMIUM_PATH`);
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lodis-e2e-pages-'));
  await buildPages(dir);
  project.provide('pagesDir', dir);
  return () => rmSync(dir, { recursive: true, force: true });
}
