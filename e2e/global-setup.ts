/**
 * Before the e2e tests: check Chromium is there, and build the pages (vite.config.ts) and the
 * demo (demo/vite.config.ts) into directories of this run's own — so two runs at once (two
 * engineers, or CI and a developer) never serve each other's half-written build. The tests get
 * them with `inject('pagesDir')` and `inject('demoDir')`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { CHROMIUM_PATH, chromiumAvailable } from './src/chromium.js';
import { buildDemo, buildPages } from './src/build.js';

declare module 'vitest' {
  export interface ProvidedContext {
    pagesDir: string;
    /** The demo app (demo/), built from the sources in the tree. */
    demoDir: string;
  }
}

export default async function setup(project: TestProject): Promise<() => void> {
  if (!chromiumAvailable()) {
    throw new Error(`Chromium not found at ${CHROMIUM_PATH}: install it (apt-get install chromium) or set CHROMIUM_PATH`);
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lodis-e2e-pages-'));
  const demoDir = mkdtempSync(path.join(os.tmpdir(), 'lodis-e2e-demo-'));
  await Promise.all([buildPages(dir), buildDemo(demoDir)]);
  project.provide('pagesDir', dir);
  project.provide('demoDir', demoDir);
  return () => {
    rmSync(dir, { recursive: true, force: true });
    rmSync(demoDir, { recursive: true, force: true });
  };
}
