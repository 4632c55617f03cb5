/**
 * How well the engine's memory estimate (engine.usedMemory(), evict.ts) tracks the real heap:
 * for each kind of value, N keys are created in a fresh process and the growth of the estimate
 * is set against the growth of the heap (heapUsed + arrayBuffers, after full collections).
 *
 *   npx tsx scripts/memory-accounting.ts            # every case, as a table (each in its own process)
 *   npx tsx scripts/memory-accounting.ts --json     # the same, one JSON line per case
 *   node --expose-gc --import tsx scripts/memory-accounting.ts <case> [N]   # one case, one JSON line
 *
 * Strings are made flat (as a parser makes them) inside the measured span, so they count, as
 * Redis counts a key's name and value. evict.test.ts runs this and checks the ratio.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(import.meta.url);
const root = path.resolve(path.dirname(here), '..');

/** estimate / measured: evict.test.ts holds every case within [1/MEMORY_FACTOR, MEMORY_FACTOR]. */
export const MEMORY_FACTOR = 1.25;

export interface CaseResult {
  case: string;
  keys: number;
  /** Growth of the heap (heapUsed + arrayBuffers), bytes. */
  measured: number;
  /** Growth of engine.usedMemory(), bytes. */
  estimated: number;
  ratio: number;
}

type Exec = (...argv: (string | number | Uint8Array)[]) => unknown;

/** A flat copy of a string (a concatenation is a rope until flattened; a parser's strings are flat). */
const flat = (s: string): string => Buffer.from(s, 'utf8').toString('utf8');
const pad = (i: number) => String(i).padStart(6, '0');

/** Each case: how many keys by default, and how to make key i. */
export const CASES: Record<string, { keys: number; make: (x: Exec, i: number) => void }> = {
  'string (12 B)': { keys: 100_000, make: (x, i) => x('SET', flat(`key:${pad(i)}`), flat(`value:${pad(i)}`)) },
  'string (200 B)': { keys: 100_000, make: (x, i) => x('SET', flat(`key:${pad(i)}`), flat(`${pad(i)}`.repeat(34).slice(0, 200))) },
  'integer (INCRBY)': { keys: 100_000, make: (x, i) => x('INCRBY', flat(`key:${pad(i)}`), i * 1000) },
  'bytes (100 B)': { keys: 100_000, make: (x, i) => x('SET', flat(`key:${pad(i)}`), new Uint8Array(100).fill(i & 255)) },
  'string + TTL': { keys: 100_000, make: (x, i) => x('SET', flat(`key:${pad(i)}`), flat(`value:${pad(i)}`), 'EX', 100000) },
  'list (10 × 8 B)': {
    keys: 100_000,
    make: (x, i) => x('RPUSH', flat(`key:${pad(i)}`), ...Array.from({ length: 10 }, (_, j) => flat(`e${j}:${pad(i)}`))),
  },
  'hash (10 × 8+8 B)': {
    keys: 100_000,
    make: (x, i) =>
      x('HSET', flat(`key:${pad(i)}`), ...Array.from({ length: 10 }, (_, j) => [flat(`f${j}:${pad(i)}`), flat(`v${j}:${pad(i)}`)]).flat()),
  },
  'set (10 × 8 B)': {
    keys: 100_000,
    make: (x, i) => x('SADD', flat(`key:${pad(i)}`), ...Array.from({ length: 10 }, (_, j) => flat(`m${j}:${pad(i)}`))),
  },
  'set (10 integers)': {
    keys: 100_000,
    make: (x, i) => x('SADD', flat(`key:${pad(i)}`), ...Array.from({ length: 10 }, (_, j) => flat(String(i * 10 + j)))),
  },
  'zset (10 × 8 B)': {
    keys: 100_000,
    make: (x, i) => x('ZADD', flat(`key:${pad(i)}`), ...Array.from({ length: 10 }, (_, j) => [j + 0.5, flat(`m${j}:${pad(i)}`)]).flat()),
  },
  'stream (1 entry)': { keys: 100_000, make: (x, i) => x('XADD', flat(`key:${pad(i)}`), '*', 'field', flat(`value:${pad(i)}`)) },
  'list, one key': { keys: 100_000, make: (x, i) => x('RPUSH', 'biglist', flat(`element:${pad(i)}`)) },
  'hash, one key': { keys: 100_000, make: (x, i) => x('HSET', 'bighash', flat(`field:${pad(i)}`), flat(`value:${pad(i)}`)) },
  'set, one key': { keys: 100_000, make: (x, i) => x('SADD', 'bigset', flat(`member:${pad(i)}`)) },
  'zset, one key': { keys: 100_000, make: (x, i) => x('ZADD', 'bigzset', i * 1.5, flat(`member:${pad(i)}`)) },
  'stream, one key': { keys: 100_000, make: (x, i) => x('XADD', 'bigstream', '*', 'field', flat(`value:${pad(i)}`)) },
};

async function runCase(name: string, n: number): Promise<CaseResult> {
  const gc = globalThis.gc;
  if (typeof gc !== 'function') throw new Error('run with node --expose-gc');
  const corePath = path.resolve(process.env.LODIS_CORE ?? path.join(root, 'packages/core/src/index.ts'));
  const core = (await import(corePath)) as {
    createStore(o?: object): { execute: Exec; engine: { usedMemory(): number } };
  };
  const heap = () => {
    for (let i = 0; i < 4; i++) gc();
    const m = process.memoryUsage();
    return m.heapUsed + m.arrayBuffers;
  };
  const store = core.createStore({ activeExpire: false, timers: false });
  const exec: Exec = (...argv) => store.execute(...argv);
  const c = CASES[name];
  if (c === undefined) throw new Error(`no case ${name}`);
  // Warm up the paths (and their inline caches) on another database, then empty it.
  store.execute('SELECT', 1);
  for (let i = 0; i < 100; i++) c.make(exec, i);
  store.execute('FLUSHDB');
  store.execute('SELECT', 0);
  const usedBefore = store.engine.usedMemory();
  const before = heap();
  for (let i = 0; i < n; i++) c.make(exec, i);
  const estimated = store.engine.usedMemory() - usedBefore;
  const measured = heap() - before;
  return { case: name, keys: n, measured, estimated, ratio: estimated / measured };
}

/** Every case (or those named), each in a child process with --expose-gc, `parallel` at a time. */
export async function measureAll(names = Object.keys(CASES), parallel = 2): Promise<CaseResult[]> {
  const one = (name: string) =>
    new Promise<CaseResult>((resolve, reject) => {
      const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', here, name], { cwd: root });
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      child.on('close', (code) => {
        if (code !== 0) reject(new Error(`memory-accounting ${name} failed: ${err}`));
        else resolve(JSON.parse(out.trim().split('\n').pop()!) as CaseResult);
      });
    });
  const results: CaseResult[] = new Array(names.length);
  let next = 0;
  const worker = async () => {
    while (next < names.length) {
      const i = next++;
      results[i] = await one(names[i]!);
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  return results;
}

const isMain = process.argv[1] !== undefined && path.resolve(process.argv[1]) === here;
if (isMain) {
  const args = process.argv.slice(2);
  const name = args.find((a) => !a.startsWith('--'));
  if (name !== undefined) {
    const n = Number(args[1] ?? CASES[name]?.keys ?? 100_000);
    console.log(JSON.stringify(await runCase(name, n)));
  } else {
    const results = await measureAll();
    if (args.includes('--json')) for (const r of results) console.log(JSON.stringify(r));
    else {
      const rows = results.map((r) => [
        r.case,
        String(r.keys),
        (r.measured / r.keys).toFixed(1),
        (r.estimated / r.keys).toFixed(1),
        r.ratio.toFixed(2),
      ]);
      const header = ['case', 'keys/elements', 'heap B each', 'estimate B each', 'estimate/heap'];
      const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
      const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
      console.log(`Memory estimate (engine.usedMemory) against the heap — node ${process.version}`);
      console.log(line(header));
      console.log(line(widths.map((w) => '-'.repeat(w))));
      for (const row of rows) console.log(line(row));
      console.log(`\nheap = heapUsed + arrayBuffers after full GCs, in a fresh process per case; evict.test.ts holds estimate/heap within 1/${MEMORY_FACTOR}..${MEMORY_FACTOR}.`);
    }
  }
}
