#!/usr/bin/env node
// `npx lodis-server [--port 6379] [--bind 127.0.0.1] [--requirepass …] [--dir … --appendonly yes]`
// The published package runs its build; a workspace checkout with no build runs the sources
// through tsx (a dev dependency of the workspace), resolving @lodis/* from the root tsconfig.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dist = new URL('../dist/cli.js', import.meta.url);
if (existsSync(fileURLToPath(dist))) {
  await import(dist.href);
} else {
  process.env.TSX_TSCONFIG_PATH ??= fileURLToPath(new URL('../../../tsconfig.json', import.meta.url));
  const { register } = await import('tsx/esm/api');
  register();
  await import(new URL('../src/cli.ts', import.meta.url).href);
}
