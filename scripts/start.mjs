/**
 * `npm start`: build the demo and serve it on http://127.0.0.1:4173 (or the next free port).
 *
 *   npm start                   # install if needed, build demo/dist, serve it, print the URL
 *   npm start -- --port 8080    # another port ($PORT works too)
 *   npm start -- --dev          # Vite's dev server instead, with hot reload
 *
 * Plain JavaScript with Node built-ins only, so that it runs on a fresh clone before `npm ci`:
 * when the dependencies are missing it runs `npm ci` first.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const dev = args.includes('--dev');
const portArg = args.indexOf('--port');
const port = Number(portArg >= 0 ? args[portArg + 1] : (process.env.PORT ?? 4173));

if (!existsSync(`${root}/node_modules/vite`)) {
  console.log('Installing dependencies (npm ci)…');
  const r = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

const vite = await import('vite');
const configFile = `${root}/demo/vite.config.ts`;
let server;
if (dev) {
  server = await vite.createServer({ configFile, server: { port } });
  await server.listen();
} else {
  const started = Date.now();
  await vite.build({ configFile, logLevel: 'error' });
  console.log(`Built the demo in ${((Date.now() - started) / 1000).toFixed(1)} s (demo/dist).`);
  server = await vite.preview({ configFile, preview: { port } });
}
const url = server.resolvedUrls?.local[0] ?? `http://127.0.0.1:${port}/`;
console.log(`\n  Lodis demo: ${url}\n\n  Open it in two tabs: they share one store. The store is window.lodis in the devtools console.\n  Ctrl-C to stop.\n`);
