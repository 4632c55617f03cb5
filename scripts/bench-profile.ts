/**
 * CPU profile of the typed API's hot path (`await store.get(k)` … one op at a time), as
 * `npm run bench` runs it, summarised by function: where a GET/SET/INCR spends its time
 * (LocalTransport.send → toEngineArg → Engine.processCommand → call → handler → decodeReply).
 *
 *   npx tsx scripts/bench-profile.ts                 # GET SET INCR, 3 s each
 *   npx tsx scripts/bench-profile.ts GET --seconds=5 --top=30
 *   LODIS_CORE=/tmp/patched/src/index.ts npx tsx scripts/bench-profile.ts SET
 *
 * Runs the loop in a child under `node --cpu-prof`, then prints self time per function (and
 * total time, callees included, for the functions on the path above). The .cpuprofile file is
 * kept (its path is printed) for Chrome DevTools / speedscope.
 *
 * The engine is bundled with esbuild, unminified, and loaded as plain JS: tsx emits each module
 * on one line (minifyWhitespace), and V8's profiler maps inlined functions by line, so under tsx
 * the time of everything inlined into a function lands on one arbitrary name.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const argv = process.argv.slice(2);
const opt = (name: string, dflt: number) => Number(argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? dflt);
const commands = argv.filter((a) => !a.startsWith('--')).map((a) => a.toUpperCase());
const K = 100_000;

interface Store {
  set(k: string, v: string): Promise<unknown>;
  get(k: string): Promise<unknown>;
  incr?(k: string): Promise<unknown>;
  close(): void;
}

/** The child: run one command's loop for `seconds`, under the profiler. */
async function child(cmd: string, seconds: number): Promise<void> {
  const core = (await import(process.env.LODIS_PROFILE_BUNDLE!)) as { createStore(): Store };
  const s = core.createStore();
  const pad = (i: number) => String(i).padStart(6, '0');
  const keys = Array.from({ length: K }, (_, i) => `key:${pad(i)}`);
  const values = Array.from({ length: K }, (_, i) => `value:${pad(i)}`);
  for (let i = 0; i < K; i++) await s.set(keys[i]!, values[i]!);
  if (cmd === 'INCR' && typeof s.incr !== 'function') throw new Error('INCR: no typed incr() yet');
  const op: (k: number) => Promise<unknown> =
    cmd === 'GET' ? (j) => s.get(keys[j]!) : cmd === 'SET' ? (j) => s.set(keys[j]!, values[j]!) : (j) => s.incr!(`n:${keys[j]!}`);
  const end = performance.now() + seconds * 1000;
  let ops = 0;
  while (performance.now() < end) {
    for (let j = 0; j < K; j++) await op(j);
    ops += K;
  }
  s.close();
  console.log(`${cmd}: ${((ops / seconds) / 1e6).toFixed(2)}M ops/s under the profiler`);
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount: number;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** The functions on the hot path named in the brief (matched by name), for total (inclusive) time. */
const PATH = [
  'send',
  'execute',
  'toEngineArg',
  'processCommand',
  'lookupCommand',
  'call',
  'getCommand',
  'setCommand',
  'incrCommand',
  'decodeReply',
  'now',
];

function summarise(file: string, top: number): void {
  const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const label = (n: ProfileNode) => {
    const f = n.callFrame;
    const file = f.url.startsWith('file:') ? path.relative(root, fileURLToPath(f.url)) : f.url;
    const where = file ? `${file}:${f.lineNumber + 1}` : '';
    return `${f.functionName || '(anonymous)'} ${where}`.trim();
  };
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  let all = 0;
  for (let i = 0; i < p.samples.length; i++) {
    const dt = p.timeDeltas[i] ?? 0;
    all += dt;
    let node = byId.get(p.samples[i]!)!;
    const l = label(node);
    self.set(l, (self.get(l) ?? 0) + dt);
    const seen = new Set<string>();
    for (;;) {
      const name = node.callFrame.functionName;
      if (PATH.includes(name) && !seen.has(name)) {
        seen.add(name);
        total.set(name, (total.get(name) ?? 0) + dt);
      }
      const up = parent.get(node.id);
      if (up === undefined) break;
      node = byId.get(up)!;
    }
  }
  const pct = (t: number) => `${((t / all) * 100).toFixed(1).padStart(5)}%`;
  console.log(`  self time, top ${top}:`);
  for (const [l, t] of [...self].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`  ${pct(t)}  ${l}`);
  console.log('  total time (callees included) on the hot path:');
  for (const name of PATH) if (total.has(name)) console.log(`  ${pct(total.get(name)!)}  ${name}`);
}

if (argv[0] === '--child') {
  await child(argv[1]!, Number(argv[2]));
} else {
  const seconds = opt('seconds', 3);
  const top = opt('top', 25);
  const corePath = path.resolve(process.env.LODIS_CORE ?? path.join(root, 'packages/core/src/index.ts'));
  const bundle = path.join(mkdtempSync(path.join(os.tmpdir(), 'lodis-prof-')), 'lodis-core.mjs');
  const esbuild = await import('esbuild');
  await esbuild.build({ entryPoints: [corePath], bundle: true, format: 'esm', platform: 'neutral', target: 'es2022', outfile: bundle, logLevel: 'error' });
  console.log(`engine: ${path.relative(root, corePath)}, bundled unminified to ${bundle}`);
  for (const cmd of commands.length ? commands : ['GET', 'SET', 'INCR']) {
    const dir = mkdtempSync(path.join(os.tmpdir(), `lodis-prof-${cmd}-`));
    const r = spawnSync(
      process.execPath,
      ['--cpu-prof', `--cpu-prof-dir=${dir}`, '--cpu-prof-interval=50', '--import', 'tsx', fileURLToPath(import.meta.url), '--child', cmd, String(seconds)],
      { cwd: root, encoding: 'utf8', env: { ...process.env, LODIS_PROFILE_BUNDLE: bundle } },
    );
    if (r.status !== 0) {
      console.log(`${cmd}: failed: ${r.stderr.trim().split('\n').slice(-1)[0]}`);
      continue;
    }
    const file = path.join(dir, readdirSync(dir).find((f) => f.endsWith('.cpuprofile'))!);
    console.log(`${r.stdout.trim()}  (${file})`);
    summarise(file, top);
  }
}
