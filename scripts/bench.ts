/**
 * `npm run bench` — Lodis next to a raw JS Map and ioredis-mock, measured in one run on this
 * machine, printed as one table (issue 2, "Benchmark"; issue 10 for the bundle size); then the
 * Chromium table of persistence to IndexedDB (bench-idb.ts, issue 3), unless --no-idb, --only or
 * --columns is given; then the web-worker front in Chromium next to Comlink (bench-worker.ts,
 * issue 4), unless --no-worker, --only or --columns.
 *
 *   npm run bench                                  # everything, about a minute
 *   npm run bench -- --only=SET,GET,INCR           # some rows
 *   npm run bench -- --no-memory --no-size --no-redis --no-idb --no-worker
 *   npm run bench -- --columns=map,typed,execute   # some columns (map mapAwait typed pipelined call execute mock)
 *   LODIS_CORE=/tmp/patched/src/index.ts npm run bench   # measure another copy of the engine
 *
 * Method: every contender gets a fresh store per row and the same inputs: 100k fixed keys and
 * values, visited in one fixed shuffled order (an app's reads are not in insertion order; the
 * Map is ~1.5× faster in insertion order), fixed bit offsets and HLL elements. Key strings are
 * built once, so no contender pays for building or hashing them. Before a contender is timed on
 * a command, a probe checks that it gives Redis' reply; a command or typed method that has not
 * landed shows as n/a.
 *
 * Timing: calibrate the op count of a round to ~ROUND_MS, warm up for WARMUP_MS, then time
 * ROUNDS rounds with performance.now() and report the median. A round during which this process
 * ran on a CPU for less than 85% of the time (process.cpuUsage: other processes preempted it) is
 * set aside and timed again. The process re-runs itself with --expose-gc so the heap is collected
 * between cells; the memory figures come from fresh child processes (bench-memory.ts). For where
 * the time goes, see bench-profile.ts.
 */
import { spawn, spawnSync, execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { createRequire } from 'node:module';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const argv = process.argv.slice(2);
const flag = (name: string) => argv.includes(`--${name}`);

// ---- inputs (the same for every contender) ----------------------------------------------------

const K = 100_000; // keys per row
const ROUND_MS = 60;
const ROUNDS = 7;
const WARMUP_MS = 200;
/** A timed round counts only if this process ran for this share of it (else it was preempted). */
const MIN_CPU_SHARE = 0.85;
const MAX_ATTEMPTS = ROUNDS * 3;
const PIPELINE = 100; // ops issued before one Promise.all in the pipelined column
const MGET_KEYS = 10;
const BITMAP_BITS = 1 << 20; // SETBIT offsets in [0, 2^20): a 128 KB bitmap

/** A fixed LCG, so every contender and every run gets the same "random" inputs. */
function lcg(seed: number): (bound: number) => number {
  let x = seed;
  return (bound) => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return x % bound;
  };
}
const pad = (i: number) => String(i).padStart(6, '0');
/** Keys and values in insertion (preload) order. */
const KEYS_IN_ORDER = Array.from({ length: K }, (_, i) => `key:${pad(i)}`);
const VALUES_IN_ORDER = Array.from({ length: K }, (_, i) => `value:${pad(i)}`);
/** The same strings in the order every contender visits them (a fixed Fisher-Yates shuffle). */
const SHUFFLE = (() => {
  const a = Array.from({ length: K }, (_, i) => i);
  const rnd = lcg(1);
  for (let i = K - 1; i > 0; i--) {
    const j = rnd(i + 1);
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
})();
const KEYS = SHUFFLE.map((i) => KEYS_IN_ORDER[i]!);
const VALUES = SHUFFLE.map((i) => VALUES_IN_ORDER[i]!);
const ELEMENTS = Array.from({ length: K }, (_, i) => `el:${pad(i)}`);
const GROUPS = Array.from({ length: K / MGET_KEYS }, (_, g) => KEYS.slice(g * MGET_KEYS, (g + 1) * MGET_KEYS));
const OFFSETS = (() => {
  const rnd = lcg(12345);
  return Array.from({ length: K }, () => rnd(BITMAP_BITS));
})();

const COMMANDS = ['SET', 'GET', 'INCR', 'MGET', 'SETBIT', 'PFADD'] as const;
type Command = (typeof COMMANDS)[number];
const LABEL: Record<Command, string> = {
  SET: 'SET',
  GET: 'GET',
  INCR: 'INCR',
  MGET: `MGET(${MGET_KEYS})`,
  SETBIT: 'SETBIT',
  PFADD: 'PFADD',
};
const TARGET: Partial<Record<Command, number>> = { SET: 0.4, GET: 0.4, INCR: 0.4 };

// ---- the contenders' client shapes ------------------------------------------------------------

type P = Promise<unknown>;
/** The Lodis typed API as this script uses it; methods that have not landed yet are absent. */
interface LodisTyped {
  set(k: string, v: string): Promise<string | null>;
  get(k: string): Promise<string | null>;
  incr?(k: string): Promise<number>;
  mget?(...keys: string[]): Promise<(string | null)[]>;
  setbit?(k: string, offset: number, bit: 0 | 1): Promise<number>;
  pfadd?(k: string, ...elements: string[]): Promise<number>;
  call(...argv: (string | number)[]): P;
  /** Synchronous, protocol-level reply (errors as values): the engine without the promise. */
  execute(...argv: (string | number)[]): unknown;
  close(): void;
}
/** ioredis-mock's methods used here (all exist; unsupported ones reject). */
interface Mock {
  set(k: string, v: string): P;
  get(k: string): Promise<string | null>;
  incr(k: string): P;
  mget(...keys: string[]): P;
  setbit(k: string, offset: number, bit: number): P;
  pfadd(k: string, ...elements: string[]): P;
  flushall(): P;
  disconnect(): void;
}

type Loop = (n: number) => unknown; // runs n ops; may return a promise
interface Cell {
  loop: Loop;
  close(): void;
}
/** A cell that can run, or the reason it cannot ("n/a: …"). */
type CellOrReason = Cell | string;

// ---- timing ------------------------------------------------------------------------------------

interface Measured {
  opsPerSec: number;
  /** (max - min) / median over the timed rounds. */
  spread: number;
  /** Rounds kept (ran on a CPU for ≥ MIN_CPU_SHARE of their time) and rounds timed. */
  clean: number;
  timed: number;
}

const cpuMicros = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};

async function measure(loop: Loop): Promise<Measured> {
  let n = 256;
  let t = 0;
  for (;;) {
    const t0 = performance.now();
    await loop(n);
    t = performance.now() - t0;
    if (t >= 30) break;
    n *= 2;
  }
  const perRound = Math.max(PIPELINE, Math.ceil((n * ROUND_MS) / t / PIPELINE) * PIPELINE);
  const warm = performance.now();
  while (performance.now() - warm < WARMUP_MS) await loop(perRound);
  // Timed with performance.now(); a round in which the process was preempted (other processes on
  // the machine) is set aside and timed again, up to MAX_ATTEMPTS rounds in all.
  const clean: number[] = [];
  const all: number[] = [];
  while (clean.length < ROUNDS && all.length < MAX_ATTEMPTS) {
    const c0 = cpuMicros();
    const t0 = performance.now();
    await loop(perRound);
    const ms = performance.now() - t0;
    const rate = perRound / (ms / 1000);
    all.push(rate);
    if ((cpuMicros() - c0) / 1000 >= MIN_CPU_SHARE * ms) clean.push(rate);
  }
  const rates = (clean.length >= 3 ? clean : all).sort((a, b) => a - b);
  const median = rates[rates.length >> 1]!;
  return { opsPerSec: median, spread: (rates[rates.length - 1]! - rates[0]!) / median, clean: clean.length, timed: all.length };
}

// ---- the raw Map baseline: the same work, synchronous, as an app would write it ---------------

function mapCell(cmd: Command): Cell {
  let j = 0;
  let sink = 0;
  const m = new Map<string, unknown>();
  const close = () => {
    if (sink < 0) console.log(sink); // keep results observable
  };
  switch (cmd) {
    case 'SET':
      return {
        loop: (n) => {
          for (let i = 0; i < n; i++) {
            m.set(KEYS[j]!, VALUES[j]!);
            if (++j === K) j = 0;
          }
        },
        close,
      };
    case 'GET':
      for (let i = 0; i < K; i++) m.set(KEYS_IN_ORDER[i]!, VALUES_IN_ORDER[i]!);
      return {
        loop: (n) => {
          for (let i = 0; i < n; i++) {
            if (m.get(KEYS[j]!) === undefined) sink--;
            if (++j === K) j = 0;
          }
        },
        close,
      };
    case 'INCR':
      return {
        loop: (n) => {
          for (let i = 0; i < n; i++) {
            const k = KEYS[j]!;
            m.set(k, ((m.get(k) as number | undefined) ?? 0) + 1);
            if (++j === K) j = 0;
          }
        },
        close,
      };
    case 'MGET': {
      for (let i = 0; i < K; i++) m.set(KEYS_IN_ORDER[i]!, VALUES_IN_ORDER[i]!);
      const G = GROUPS.length;
      return {
        loop: (n) => {
          for (let i = 0; i < n; i++) {
            const keys = GROUPS[j]!;
            const out = new Array<unknown>(keys.length);
            for (let x = 0; x < keys.length; x++) out[x] = m.get(keys[x]!) ?? null;
            sink += out.length;
            if (++j === G) j = 0;
          }
        },
        close,
      };
    }
    case 'SETBIT': {
      const bits = new Uint8Array(BITMAP_BITS >> 3);
      return {
        loop: (n) => {
          for (let i = 0; i < n; i++) {
            const off = OFFSETS[j]!;
            const byte = off >> 3;
            const mask = 0x80 >> (off & 7); // Redis' bit order: bit 0 is the top bit of byte 0
            sink += bits[byte]! & mask ? 1 : 0;
            bits[byte]! |= mask;
            if (++j === K) j = 0;
          }
        },
        close,
      };
    }
    case 'PFADD': {
      const set = new Set<string>();
      return {
        loop: (n) => {
          for (let i = 0; i < n; i++) {
            const before = set.size;
            set.add(ELEMENTS[j]!);
            sink += set.size - before;
            if (++j === K) j = 0;
          }
        },
        close,
      };
    }
  }
}

/**
 * The same Map work with one `await` after each op: the ceiling for any API that returns a
 * promise per op, however fast its engine.
 */
function mapAwaitCell(cmd: Command): Cell {
  const cell = mapCell(cmd);
  const one = cell.loop;
  return {
    loop: async (n) => {
      for (let i = 0; i < n; i++) await one(1);
    },
    close: cell.close,
  };
}

// ---- Lodis ---------------------------------------------------------------------------------

interface Core {
  createStore(options?: object): unknown;
}

/** The typed method for a command, if it has landed. */
function typedMethod(cmd: Command): keyof LodisTyped {
  return cmd.toLowerCase() as keyof LodisTyped;
}

/**
 * Typed API, one `await` per op: the headline column, written out per command (no shared op
 * closure), as an app's loop would be.
 */
function typedAwaitCell(s: LodisTyped, cmd: Command): Loop {
  let j = 0;
  let bad = 0;
  switch (cmd) {
    case 'SET':
      return async (n) => {
        for (let i = 0; i < n; i++) {
          await s.set(KEYS[j]!, VALUES[j]!);
          if (++j === K) j = 0;
        }
      };
    case 'GET':
      return async (n) => {
        for (let i = 0; i < n; i++) {
          if ((await s.get(KEYS[j]!)) === null) bad++;
          if (++j === K) j = 0;
        }
        if (bad) throw new Error(`GET missed ${bad} preloaded keys`);
      };
    case 'INCR': {
      const incr = s.incr!.bind(s);
      return async (n) => {
        for (let i = 0; i < n; i++) {
          await incr(KEYS[j]!);
          if (++j === K) j = 0;
        }
      };
    }
    case 'MGET': {
      const G = GROUPS.length;
      return async (n) => {
        for (let i = 0; i < n; i++) {
          if ((await s.mget!(...GROUPS[j]!)).length !== MGET_KEYS) bad++;
          if (++j === G) j = 0;
        }
        if (bad) throw new Error(`MGET gave ${bad} short replies`);
      };
    }
    case 'SETBIT':
      return async (n) => {
        for (let i = 0; i < n; i++) {
          await s.setbit!('bitmap', OFFSETS[j]!, 1);
          if (++j === K) j = 0;
        }
      };
    case 'PFADD':
      return async (n) => {
        for (let i = 0; i < n; i++) {
          await s.pfadd!('hll', ELEMENTS[j]!);
          if (++j === K) j = 0;
        }
      };
  }
}

/** One op of a command as a closure with its own cursor (for the generic loops below). */
type Op = () => P;
type Via = 'typed' | 'call' | 'execute' | 'mock';

function opFor(cmd: Command, via: Via, client: LodisTyped | Mock): Op {
  let j = 0;
  const G = GROUPS.length;
  const next = () => {
    const k = j;
    if (++j === K) j = 0;
    return k;
  };
  const nextGroup = () => {
    const g = j;
    if (++j === G) j = 0;
    return GROUPS[g]!;
  };
  if (via === 'call' || via === 'execute') {
    const s = client as LodisTyped;
    const c = (via === 'call' ? s.call.bind(s) : s.execute.bind(s)) as (...argv: (string | number)[]) => P;
    switch (cmd) {
      case 'SET':
        return () => {
          const k = next();
          return c('SET', KEYS[k]!, VALUES[k]!);
        };
      case 'GET':
        return () => c('GET', KEYS[next()]!);
      case 'INCR':
        return () => c('INCR', KEYS[next()]!);
      case 'MGET':
        return () => c('MGET', ...nextGroup());
      case 'SETBIT':
        return () => c('SETBIT', 'bitmap', OFFSETS[next()]!, 1);
      case 'PFADD':
        return () => c('PFADD', 'hll', ELEMENTS[next()]!);
    }
  }
  // The typed API and ioredis-mock take the same shapes for these commands.
  const s = client as Mock;
  switch (cmd) {
    case 'SET':
      return () => {
        const k = next();
        return s.set(KEYS[k]!, VALUES[k]!);
      };
    case 'GET':
      return () => s.get(KEYS[next()]!);
    case 'INCR':
      return () => s.incr(KEYS[next()]!);
    case 'MGET':
      return () => s.mget(...nextGroup());
    case 'SETBIT':
      return () => s.setbit('bitmap', OFFSETS[next()]!, 1);
    case 'PFADD':
      return () => s.pfadd('hll', ELEMENTS[next()]!);
  }
}

function syncEach(op: Op): Loop {
  return (n) => {
    for (let i = 0; i < n; i++) op();
  };
}

function awaitEach(op: Op): Loop {
  return async (n) => {
    for (let i = 0; i < n; i++) await op();
  };
}

function pipelined(op: Op): Loop {
  const batch = new Array<P>(PIPELINE);
  return async (n) => {
    for (let i = 0; i < n; i += PIPELINE) {
      for (let b = 0; b < PIPELINE; b++) batch[b] = op();
      await Promise.all(batch);
    }
  };
}

/**
 * Check that a contender answers a command as Redis does before timing it, so that a row never
 * measures errors. Returns null when it does, else why not.
 */
async function probe(cmd: Command, via: Via, client: LodisTyped | Mock): Promise<string | null> {
  const expect: Record<Command, [Op, unknown][]> = {
    SET: [[opFor('SET', via, client), 'OK']],
    GET: [[opFor('GET', via, client), VALUES[0]]], // after the SET below
    INCR: [
      [opFor('INCR', via, client), 1],
      [() => (via === 'call' ? (client as LodisTyped).call('INCR', KEYS[0]!) : (client as Mock).incr(KEYS[0]!)), 2],
    ],
    MGET: [[opFor('MGET', via, client), VALUES.slice(0, MGET_KEYS)]],
    SETBIT: [
      [opFor('SETBIT', via, client), 0],
      [() => (via === 'call' ? (client as LodisTyped).call('SETBIT', 'bitmap', OFFSETS[0]!, 1) : (client as Mock).setbit('bitmap', OFFSETS[0]!, 1)), 1],
    ],
    PFADD: [
      [opFor('PFADD', via, client), 1],
      [() => (via === 'call' ? (client as LodisTyped).call('PFADD', 'hll', ELEMENTS[0]!) : (client as Mock).pfadd('hll', ELEMENTS[0]!)), 0],
    ],
  };
  if (cmd === 'GET' || cmd === 'MGET') await preload(client);
  try {
    for (const [op, want] of expect[cmd]) {
      const got = await op();
      if (JSON.stringify(got) !== JSON.stringify(want)) return `wrong reply ${JSON.stringify(got)}`;
    }
    return null;
  } catch (e) {
    const msg = (e as Error).message ?? String(e);
    return /unknown command|unsupported command/i.test(msg) ? 'missing' : `error: ${msg.slice(0, 60)}`;
  }
}

async function preload(client: LodisTyped | Mock): Promise<void> {
  for (let i = 0; i < K; i++) await client.set(KEYS_IN_ORDER[i]!, VALUES_IN_ORDER[i]!);
}

async function lodisCell(core: Core, cmd: Command, style: 'await' | 'pipelined' | 'call' | 'execute'): Promise<CellOrReason> {
  const fresh = () => core.createStore() as LodisTyped;
  // execute() is call() without the promise and the reply decoding: probed as call.
  const via: Via = style === 'await' || style === 'pipelined' ? 'typed' : 'call';
  const probeStore = fresh();
  if (via === 'typed' && typeof (probeStore as unknown as Record<string, unknown>)[typedMethod(cmd)] !== 'function') {
    probeStore.close();
    return 'no method';
  }
  const why = await probe(cmd, via, probeStore);
  probeStore.close();
  if (why) return why;
  const s = fresh();
  if (cmd === 'GET' || cmd === 'MGET') await preload(s);
  const loop =
    style === 'await'
      ? typedAwaitCell(s, cmd)
      : style === 'pipelined'
        ? pipelined(opFor(cmd, 'typed', s))
        : style === 'call'
          ? awaitEach(opFor(cmd, 'call', s))
          : syncEach(opFor(cmd, 'execute', s));
  return { loop, close: () => s.close() };
}

// ---- ioredis-mock ------------------------------------------------------------------------------

async function mockCell(cmd: Command): Promise<CellOrReason> {
  const RedisMock = createRequire(import.meta.url)('ioredis-mock') as new () => Mock;
  // ioredis-mock instances on the same host:port share their data: flush for a fresh store.
  const probeClient = new RedisMock();
  await probeClient.flushall();
  const why = await probe(cmd, 'mock', probeClient);
  probeClient.disconnect();
  if (why) return why;
  const r = new RedisMock();
  await r.flushall();
  if (cmd === 'GET' || cmd === 'MGET') await preload(r);
  return { loop: awaitEach(opFor(cmd, 'mock', r)), close: () => r.disconnect() };
}

// ---- memory, size, redis-server --------------------------------------------------------------

interface MemoryResult {
  contender: string;
  keys: number;
  bytesPerKey: number;
}

function memory(contender: 'map' | 'lodis', corePath: string): MemoryResult | string {
  const r = spawnSync(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', path.join(here, 'bench-memory.ts'), contender, String(1_000_000)],
    { cwd: root, encoding: 'utf8', env: { ...process.env, LODIS_CORE: corePath }, timeout: 120_000 },
  );
  if (r.status !== 0) return `failed: ${(r.stderr || r.error?.message || '').trim().split('\n').slice(-1)[0]}`;
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as MemoryResult;
}

function kb(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KB`;
}

async function bundleSize(corePath: string): Promise<string[]> {
  const lines: string[] = [];
  try {
    const esbuild = await import('esbuild');
    const out = await esbuild.build({
      entryPoints: [corePath],
      bundle: true,
      minify: true,
      format: 'esm',
      platform: 'neutral',
      target: 'es2022',
      write: false,
      logLevel: 'silent',
    });
    const js = out.outputFiles[0]!.contents;
    lines.push(
      `bundle: the whole engine (esbuild --bundle --minify of ${path.relative(root, corePath)}): ` +
        `${kb(js.length)} min, ${kb(gzipSync(js, { level: 9 }).length)} min+gzip (issue 10 target ≤ 60 KB gzip)`,
    );
  } catch (e) {
    lines.push(`bundle: not measured (${(e as Error).message.split('\n')[0]})`);
  }
  const dist = path.join(root, 'packages/core/dist');
  if (existsSync(dist)) {
    let raw = 0;
    let gz = 0;
    let files = 0;
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const p = path.join(dir, name);
        if (statSync(p).isDirectory()) walk(p);
        else if (name.endsWith('.js')) {
          const b = readFileSync(p);
          raw += b.length;
          gz += gzipSync(b, { level: 9 }).length;
          files++;
        }
      }
    };
    walk(dist);
    lines.push(`bundle: packages/core/dist as built by tsc (unminified, not a bundle): ${files} .js files, ${kb(raw)}, ${kb(gz)} gzipped file by file`);
  } else {
    lines.push('bundle: packages/core/dist not built (npm run build -w @lodis/core)');
  }
  return lines;
}

async function redisReference(): Promise<string | null> {
  try {
    execFileSync('redis-benchmark', ['--version'], { stdio: 'ignore' });
  } catch {
    return null; // not installed: no reference line
  }
  let server: { port: number; stop: () => void } | null = null;
  try {
    const { startRedis } = await import('../conformance/redis-client.js');
    server = await startRedis();
    const out = execFileSync(
      'redis-benchmark',
      ['-h', '127.0.0.1', '-p', String(server.port), '-q', '-t', 'set,get,incr', '-n', '200000', '-P', '32'],
      { encoding: 'utf8', timeout: 60_000 },
    );
    const rate = (name: string) => {
      const m = new RegExp(`^${name}: ([\\d.]+) requests per second`, 'm').exec(out.replace(/\r/g, '\n'));
      return m ? fmt(Number(m[1])) : '?';
    };
    return (
      `redis-server over loopback (redis-benchmark -q -t set,get,incr -n 200000 -P 32, 50 clients, ` +
      `same 2 cores): SET ${rate('SET')}  GET ${rate('GET')}  INCR ${rate('INCR')} ops/s`
    );
  } catch (e) {
    return `redis-server reference: failed (${(e as Error).message.split('\n')[0]})`;
  } finally {
    server?.stop();
  }
}

// ---- the table -------------------------------------------------------------------------------

function fmt(opsPerSec: number): string {
  if (opsPerSec >= 1e6) return `${(opsPerSec / 1e6).toFixed(2)}M`;
  if (opsPerSec >= 1e3) return `${(opsPerSec / 1e3).toFixed(0)}k`;
  return opsPerSec.toFixed(0);
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const line = (cells: string[]) => cells.map((x, c) => (c === 0 ? x.padEnd(widths[c]!) : x.padStart(widths[c]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

async function main(): Promise<void> {
  const started = performance.now();
  const corePath = path.resolve(process.env.LODIS_CORE ?? path.join(root, 'packages/core/src/index.ts'));
  const core = (await import(corePath)) as Core;
  const only = argv.find((a) => a.startsWith('--only='))?.slice(7).toUpperCase().split(',');
  const commands = COMMANDS.filter((c) => !only || only.includes(c));
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';

  console.log(
    `Lodis bench — node ${process.version}, ${os.cpus().length} × ${cpu.trim()}, ${os.platform()}; ` +
      `engine: ${path.relative(root, corePath)}`,
  );
  const load = os.loadavg()[0]!;
  console.log(
    `${K / 1000}k fixed keys per row, fresh store per contender and row; median of ${ROUNDS} rounds of ~${ROUND_MS} ms after ${WARMUP_MS} ms warm-up.` +
      `\nload average at start: ${load.toFixed(2)}${load > 0.5 ? ' — other processes are using the CPU: expect noisy figures' : ''}\n`,
  );

  type Col = 'map' | 'mapAwait' | 'await' | 'pipelined' | 'call' | 'execute' | 'mock';
  const allCols: Col[] = ['map', 'mapAwait', 'await', 'pipelined', 'call', 'execute', 'mock'];
  const wanted = argv
    .find((a) => a.startsWith('--columns='))
    ?.slice(10)
    .split(',')
    .map((c) => (c === 'typed' ? 'await' : c));
  const cols = allCols.filter((c) => c === 'map' || !wanted || wanted.includes(c)); // the ratio needs map
  const results = new Map<string, Measured | string>();
  let worstSpread = { spread: 0, where: '' };
  let cleanRounds = 0;
  let timedRounds = 0;

  for (const cmd of commands) {
    for (const col of cols) {
      globalThis.gc!();
      let cell: CellOrReason;
      try {
        cell =
          col === 'map'
            ? mapCell(cmd)
            : col === 'mapAwait'
              ? mapAwaitCell(cmd)
              : col === 'mock'
                ? await mockCell(cmd)
                : await lodisCell(core, cmd, col);
      } catch (e) {
        cell = `error: ${(e as Error).message.slice(0, 60)}`;
      }
      if (typeof cell === 'string') {
        results.set(`${cmd}/${col}`, cell);
        continue;
      }
      try {
        const m = await measure(cell.loop);
        results.set(`${cmd}/${col}`, m);
        cleanRounds += m.clean;
        timedRounds += m.timed;
        if (m.spread > worstSpread.spread) worstSpread = { spread: m.spread, where: `${cmd} ${col}` };
      } catch (e) {
        results.set(`${cmd}/${col}`, `error: ${(e as Error).message.slice(0, 60)}`);
      } finally {
        cell.close();
      }
    }
  }

  const notes = new Set<string>();
  const show = (cmd: Command, col: Col): string => {
    const r = results.get(`${cmd}/${col}`) ?? 'not run';
    if (typeof r !== 'string') return (r.clean < 3 ? '~' : '') + fmt(r.opsPerSec);
    if (r === 'not run') return '-';
    if (r !== 'missing' && r !== 'no method') notes.add(`${LABEL[cmd]} ${col}: ${r}`);
    return 'n/a';
  };
  const rows = commands.map((cmd) => {
    const map = results.get(`${cmd}/map`) as Measured;
    const lodis = results.get(`${cmd}/await`)!;
    const ratio = typeof lodis === 'string' ? null : lodis.opsPerSec / map.opsPerSec;
    const target = TARGET[cmd];
    return [
      LABEL[cmd],
      show(cmd, 'map'),
      show(cmd, 'mapAwait'),
      show(cmd, 'await'),
      show(cmd, 'pipelined'),
      show(cmd, 'call'),
      show(cmd, 'execute'),
      show(cmd, 'mock'),
      ratio === null ? 'n/a' : `${ratio.toFixed(2)}×`,
      target === undefined ? '—' : `≥ ${target.toFixed(2)}× ${ratio !== null && ratio >= target ? 'met' : 'MISSED'}`,
    ];
  });
  console.log('ops/s, median. Headline: "Lodis typed" = the typed API with one `await` per op; the ratio and target use it.');
  console.log(
    table(
      [
        'command',
        'raw Map',
        'Map+await',
        'Lodis typed',
        `typed ×${PIPELINE}`,
        'Lodis call',
        'execute',
        'ioredis-mock',
        'typed/Map',
        'target (issue 2)',
      ],
      rows,
    ),
  );
  console.log(
    [
      '',
      'raw Map       synchronous Map.set/get (INCR: get+set; MGET: 10 gets into a new array; SETBIT: a Uint8Array; PFADD: Set.add)',
      'Map+await     the same, with `await` after each op: the ceiling of any promise-per-op API here',
      'Lodis typed   `await store.set(k, v)`, `await store.get(k)` … one op at a time',
      `${`typed ×${PIPELINE}`.padEnd(14)}the typed API pipelined: ${PIPELINE} ops issued, then one \`await Promise.all\``,
      "Lodis call    `await store.call('SET', k, v)` … one op at a time",
      "execute       `store.execute('SET', k, v)`: the engine, synchronous, no promise, reply not decoded",
      'ioredis-mock  ioredis-mock 8.13.1, `await redis.set(k, v)` … one op at a time',
      `MGET counts commands (10 keys each). n/a: the command or typed method has not landed, or the contender lacks it.`,
      `rounds: ${cleanRounds} of ${timedRounds} timed rounds ran on a CPU ≥ ${MIN_CPU_SHARE * 100}% of their time and were kept; ` +
        `~ marks a cell with fewer than 3 such rounds (median of all its rounds, preempted ones included).`,
      `largest round-to-round spread (max−min)/median: ${(worstSpread.spread * 100).toFixed(0)}% (${worstSpread.where}).`,
    ].join('\n'),
  );
  for (const n of notes) console.log(`note: ${n}`);

  if (!flag('no-memory')) {
    const map = memory('map', corePath);
    const lodis = memory('lodis', corePath);
    const show = (r: MemoryResult | string) => (typeof r === 'string' ? r : `${r.bytesPerKey.toFixed(1)} bytes/key`);
    console.log(
      `\nmemory: 1M keys key:000000 → value:000000 (heapUsed after gc, node --expose-gc): ` +
        `Lodis ${show(lodis)}, raw Map ${show(map)} (target ≤ 120 bytes/key${typeof lodis === 'string' ? '' : lodis.bytesPerKey <= 120 ? ': met' : ': MISSED'})`,
    );
  }
  if (!flag('no-size')) for (const l of await bundleSize(corePath)) console.log(l);
  if (!flag('no-redis')) {
    const line = await redisReference();
    if (line) console.log(line);
  }
  // The second table: persistence to IndexedDB in real Chromium (bench-idb.ts, `npm run bench:idb`);
  // a run narrowed to some rows or columns is about the engine, and skips it.
  if (!flag('no-idb') && !only && !wanted) {
    const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(here, 'bench-idb.ts')], { cwd: root, stdio: 'inherit' });
    if (r.status !== 0) console.log(`Chromium part: failed (exit ${r.status ?? r.signal})`);
  }
  // The third: @lodis/web-worker's front in Chromium, next to Comlink (bench-worker.ts); --no-worker skips it.
  if (!flag('no-worker') && !only && !wanted) {
    const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(here, 'bench-worker.ts')], { cwd: root, stdio: 'inherit' });
    if (r.status !== 0) console.log(`web-worker part: failed (exit ${r.status ?? r.signal})`);
  }
  console.log(`\n(bench took ${((performance.now() - started) / 1000).toFixed(0)} s)`);
}

// Re-run under --expose-gc (npm runs plain tsx), so rows start from a collected heap.
if (typeof globalThis.gc !== 'function') {
  const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', fileURLToPath(import.meta.url), ...argv], {
    stdio: 'inherit',
    cwd: root,
  });
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
} else {
  await main();
}
