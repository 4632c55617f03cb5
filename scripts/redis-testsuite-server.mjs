#!/usr/bin/env node
// The `src/redis-server` that Redis' test harness starts in its own (non-external) mode, for
// scripts/redis-testsuite.ts --spawn: `redis-server <config file> [--name value …]` becomes
// lodis-server with the file's settings as `--name value` arguments. The harness finds the
// server's pid in its log (" PID: <pid>") and stops it with a signal.
import { readFileSync } from 'node:fs';

const [conf, ...rest] = process.argv.slice(2);
console.log(` PID: ${process.pid}`);
const args = [];
for (const line of readFileSync(conf, 'utf8').split('\n')) {
  const m = /^\s*([^#\s]\S*)\s*(.*?)\s*$/.exec(line);
  if (!m) continue;
  let value = m[2];
  if (/^"[^"]*"$|^'[^']*'$/.test(value)) value = value.slice(1, -1);
  // `databases` is fixed when a store is created (16, as the suite's default.conf sets it).
  if (m[1] === 'databases' && value === '16') continue;
  args.push(`--${m[1]}`, value);
}
process.argv = [process.argv[0], 'lodis-server', ...args, ...rest];
await import(new URL('../packages/server/bin/lodis-server.mjs', import.meta.url).href);
