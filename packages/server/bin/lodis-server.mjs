#!/usr/bin/env node
// `npx lodis-server [--port 6379] [--bind 127.0.0.1] [--requirepass …] [--dir … --appendonly yes]`
// The published package (dist/ only) runs its build. In a workspace checkout the sources are run
// through tsx (a dev dependency there), resolving @lodis/* from the root tsconfig, so what runs is
// never a stale build.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const src = new URL('../src/cli.ts', import.meta.url);
const tsx = await import('tsx/esm/api').catch(() => null);
if (existsSync(fileURLToPath(src)) && tsx !== null) {
  process.env.TSX_TSCONFIG_PATH ??= fileURLToPath(new URL('../../../tsconfig.json', import.meta.url));
  tsx.register();
  await import(src.href);
} else {
  await import(new URL('../dist/cli.js', import.meta.url).href);
}
