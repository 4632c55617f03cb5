/**
 * Heap bytes per key for N small string keys (`key:000001` → `value:000001`), in a fresh process
 * so that nothing else is on the heap. Run by bench.ts; prints one JSON line.
 *
 *   node --expose-gc --import tsx scripts/bench-memory.ts lodis|map [N]
 *
 * The figure is (heapUsed after − heapUsed before) / N, both after full collections, with the
 * key and value strings created inside the measured span: it counts what a key costs, strings
 * included, as Redis' per-key memory does.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const gc = globalThis.gc;
if (typeof gc !== 'function') throw new Error('run with node --expose-gc');

const contender = process.argv[2];
const n = Number(process.argv[3] ?? 1_000_000);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const corePath = path.resolve(process.env.LODIS_CORE ?? path.join(root, 'packages/core/src/index.ts'));

interface Store {
  set(k: string, v: string): Promise<unknown>;
  get(k: string): Promise<string | null>;
  engine: { dbs: { size: number }[] };
}
const core = (await import(corePath)) as { createStore(o?: object): Store };

const pad = (i: number) => String(i).padStart(6, '0');
function heap(): number {
  for (let i = 0; i < 4; i++) gc!();
  return process.memoryUsage().heapUsed;
}

const before = heap();
let size: number;
let keep: unknown;
if (contender === 'map') {
  const m = new Map<string, string>();
  for (let i = 0; i < n; i++) m.set(`key:${pad(i)}`, `value:${pad(i)}`);
  size = m.size;
  keep = m;
} else if (contender === 'lodis') {
  // No active-expiry timer: nothing but the keyspace changes between the two readings.
  const s = core.createStore({ activeExpire: false });
  for (let i = 0; i < n; i++) await s.set(`key:${pad(i)}`, `value:${pad(i)}`);
  if ((await s.get(`key:${pad(n - 1)}`)) !== `value:${pad(n - 1)}`) throw new Error('lost a key');
  size = s.engine.dbs[0]!.size;
  keep = s;
} else {
  throw new Error(`usage: bench-memory.ts lodis|map [N]`);
}
const after = heap();
if (size !== n) throw new Error(`expected ${n} keys, found ${size}`);
console.log(JSON.stringify({ contender, keys: n, bytesPerKey: (after - before) / n, heapAfter: after, kept: typeof keep }));
