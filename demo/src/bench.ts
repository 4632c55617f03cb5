/**
 * The in-browser benchmark of the status panel: what scripts/bench-worker.ts measures in headless
 * Chromium (`npm run bench`), cut down to a few seconds in this page, on the demo's own store.
 *
 *   - one awaited command at a time: p50 and p99 round trip (page → this tab's worker → the leader's
 *     worker when this tab follows → IndexedDB for a write → back);
 *   - pipelined: 500 commands issued in one microtask (the client sends them to the worker in one
 *     message), awaited together, again and again: commands per second;
 *   - two baselines in the same run: an in-page `Map` behind one `await` per op (the floor: no
 *     worker, no durability), and a plain worker answering one `postMessage` per op from a `Map`
 *     (what a hand-written worker front, or a Comlink call, pays at least: one message each way,
 *     no batching, no IndexedDB).
 *
 * Keys: `bench:string:<0..999>`, `bench:counter`, `bench:zset`, `bench:list` — deleted before and
 * after the run (SCAN MATCH bench:* + UNLINK). The result is kept in `demo:bench:last` (JSON), so
 * a reload, or another tab, shows the last run.
 *
 * performance.now() has a 0.1 ms grain in a page that is not cross-origin isolated: an operation
 * faster than that is timed as a run of `batch` awaited operations (each awaited before the next),
 * and the sample is the run's mean. No timing here is asserted anywhere; it is a measurement.
 */
import type { WorkerClient } from '@lodis/web-worker';

export const BENCH_LAST_KEY = 'demo:bench:last';
export const BENCH_KEY_PATTERN = 'bench:*';

/** Who measured a row: the store, or a baseline. */
export type BenchFront = 'lodis' | 'map' | 'postmessage';

export interface BenchRow {
  /** `SET`, `GET` … for the store; the baseline's name otherwise. */
  readonly name: string;
  /** What one operation is, as one would type it (`SET bench:string:<n> value`). */
  readonly op: string;
  readonly front: BenchFront;
  /** One awaited operation at a time, µs. */
  readonly p50Us: number;
  readonly p99Us: number;
  /** Operations per latency sample (1 unless one is below the clock's grain). */
  readonly batch: number;
  /** Latency samples taken. */
  readonly samples: number;
  /** Pipelined: operations per second. */
  readonly opsPerSec: number;
}

export interface BenchResult {
  /** When the run ended (ms since the epoch). */
  readonly at: number;
  /** The demo tab that ran it, its role, and the leading tab's name. */
  readonly tab: string;
  readonly role: 'leader' | 'follower' | 'single';
  readonly leader: string;
  readonly durability: string;
  /** navigator.hardwareConcurrency */
  readonly cores: number;
  /** The browser, from the user agent (`Chrome 124`). */
  readonly browser: string;
  /** Wall time of the whole run, ms. */
  readonly ms: number;
  readonly rows: readonly BenchRow[];
}

export interface BenchOptions {
  readonly tab: string;
  readonly role: BenchResult['role'];
  readonly leader: string;
  readonly durability: string;
  /** Called before each step: what runs now, and how far along the run is (0..1). */
  onProgress?(step: string, fraction: number): void;
}

/** Time budgets (ms): the run takes about 5–10 s on a laptop. */
const LATENCY_MS = 450;
const PIPELINE_MS = 450;
const BASELINE_MS = 250;
/** Commands issued per microtask in the pipelined runs. */
const PIPELINE_BATCH = 500;
/** At least this many latency samples per row, even past the budget (up to 4× it). */
const MIN_SAMPLES = 30;
/** The longest run of awaited operations timed as one latency sample. */
const MAX_BATCH = 65_536;
/** Distinct keys of the string rows (so the run leaves a bounded keyspace behind even if interrupted). */
const STRING_KEYS = 1000;

type Op = (i: number) => Promise<unknown>;

interface Contender {
  readonly name: string;
  readonly op: string;
  readonly front: BenchFront;
  readonly run: Op;
  readonly budgetMs: number;
}

const now = () => performance.now();

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))]!;
}

/**
 * p50/p99 of one awaited op at a time, in µs. The run length (`batch`) is the shortest whose
 * fastest of three runs lasts 1 ms (one slow run — a GC, another tab — must not pick it), and it
 * grows again while the clock's grain still rounds the median run to zero.
 */
async function measureLatency(run: Op, budgetMs: number): Promise<Pick<BenchRow, 'p50Us' | 'p99Us' | 'batch' | 'samples'>> {
  let i = 0;
  for (let w = 0; w < 20; w++) await run(i++);
  let batch = 1;
  for (;;) {
    let fastest = Infinity;
    for (let k = 0; k < 3; k++) {
      const t0 = now();
      for (let j = 0; j < batch; j++) await run(i++);
      fastest = Math.min(fastest, now() - t0);
    }
    if (fastest >= 1 || batch >= MAX_BATCH) break;
    batch *= 4;
  }
  for (;;) {
    const samples: number[] = [];
    const start = now();
    while ((now() - start < budgetMs || samples.length < MIN_SAMPLES) && now() - start < budgetMs * 4) {
      const t0 = now();
      for (let j = 0; j < batch; j++) await run(i++);
      samples.push(((now() - t0) / batch) * 1000);
    }
    samples.sort((a, b) => a - b);
    const p50Us = quantile(samples, 0.5);
    if (p50Us > 0 || batch >= MAX_BATCH) return { p50Us, p99Us: quantile(samples, 0.99), batch, samples: samples.length };
    batch *= 4;
  }
}

/** Operations per second with PIPELINE_BATCH in flight: issued in one synchronous loop, awaited together. */
async function measurePipelined(run: Op, budgetMs: number): Promise<number> {
  const inFlight = new Array<Promise<unknown>>(PIPELINE_BATCH);
  let n = 0;
  const t0 = now();
  while (now() - t0 < budgetMs || n < PIPELINE_BATCH * 2) {
    for (let j = 0; j < PIPELINE_BATCH; j++) inFlight[j] = run(n + j);
    await Promise.all(inFlight);
    n += PIPELINE_BATCH;
  }
  return n / ((now() - t0) / 1000);
}

/**
 * The postMessage baseline: a worker from a Blob URL (no bundling, no dependency) keeping a Map,
 * answering each message with one message — one structured clone each way per operation.
 */
class PlainWorker {
  private readonly worker: Worker;
  private readonly pending = new Map<number, (v: unknown) => void>();
  private next = 0;

  constructor() {
    const source = `
      const map = new Map();
      onmessage = (e) => {
        const [id, op, key, value] = e.data;
        if (op === 'SET') { map.set(key, value); postMessage([id, 'OK']); }
        else postMessage([id, map.has(key) ? map.get(key) : null]);
      };`;
    const url = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
    this.worker = new Worker(url, { name: 'bench-baseline' });
    URL.revokeObjectURL(url);
    this.worker.onmessage = (e: MessageEvent<[number, unknown]>) => {
      const [id, reply] = e.data;
      const resolve = this.pending.get(id);
      this.pending.delete(id);
      resolve?.(reply);
    };
  }

  send(op: 'SET' | 'GET', key: string, value?: string): Promise<unknown> {
    const id = this.next++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.worker.postMessage([id, op, key, value]);
    });
  }

  terminate(): void {
    this.worker.terminate();
  }
}

/** `Chrome 124`, `Firefox 126` … from the user agent; the whole string's start when unknown. */
export function browserName(ua = navigator.userAgent): string {
  const m = /(HeadlessChrome|Chrome|Firefox|Version)\/(\d+)/.exec(ua);
  if (!m) return ua.slice(0, 40);
  if (m[1] === 'Version') return `Safari ${m[2]}`;
  return `${m[1] === 'HeadlessChrome' ? 'Chrome (headless)' : m[1]} ${m[2]}`;
}

/** Delete the benchmark's keys: SCAN MATCH bench:* COUNT 1000, UNLINK each page of keys. */
export async function deleteBenchKeys(redis: WorkerClient): Promise<number> {
  let cursor = '0';
  let deleted = 0;
  do {
    const [next, keys] = await redis.scan(cursor, { match: BENCH_KEY_PATTERN, count: 1000 });
    if (keys.length > 0) deleted += await redis.unlink(...keys);
    cursor = next;
  } while (cursor !== '0');
  return deleted;
}

/** Run the benchmark on `redis` (the demo's store) and the baselines; the result, also stored in demo:bench:last. */
export async function runBenchmark(redis: WorkerClient, options: BenchOptions): Promise<BenchResult> {
  const started = now();
  const map = new Map<string, string>();
  // `async` so each op is one awaited promise, as a store call is.
  const mapSet = async (key: string, value: string) => void map.set(key, value);
  const plain = new PlainWorker();
  const key = (i: number) => `bench:string:${i % STRING_KEYS}`;
  const contenders: Contender[] = [
    { name: 'SET', op: 'SET bench:string:<n> value', front: 'lodis', run: (i) => redis.set(key(i), 'value'), budgetMs: LATENCY_MS },
    { name: 'GET', op: 'GET bench:string:<n>', front: 'lodis', run: (i) => redis.get(key(i)), budgetMs: LATENCY_MS },
    { name: 'INCR', op: 'INCR bench:counter', front: 'lodis', run: () => redis.incr('bench:counter'), budgetMs: LATENCY_MS },
    { name: 'ZADD', op: 'ZADD bench:zset <n> m<n>', front: 'lodis', run: (i) => redis.zadd('bench:zset', { score: i, member: `m${i % STRING_KEYS}` }), budgetMs: LATENCY_MS },
    { name: 'LPUSH', op: 'LPUSH bench:list value', front: 'lodis', run: () => redis.lpush('bench:list', 'value'), budgetMs: LATENCY_MS },
    { name: 'Map in this page', op: 'await map.set(key, value)', front: 'map', run: (i) => mapSet(key(i), 'value'), budgetMs: BASELINE_MS },
    { name: 'Plain worker', op: 'postMessage each way, Map.set', front: 'postmessage', run: (i) => plain.send('SET', key(i), 'value'), budgetMs: BASELINE_MS * 2 },
  ];
  const steps = contenders.length * 2 + 2;
  let step = 0;
  const progress = (what: string) => options.onProgress?.(what, step++ / steps);
  const rows: BenchRow[] = [];
  try {
    progress('deleting old bench:* keys');
    await deleteBenchKeys(redis);
    // The GET row reads keys the SET row wrote: run in this order.
    for (const c of contenders) {
      progress(`${c.name}: one awaited at a time`);
      const latency = await measureLatency(c.run, c.budgetMs);
      progress(`${c.name}: ${PIPELINE_BATCH} in flight`);
      const opsPerSec = await measurePipelined(c.run, c.budgetMs);
      rows.push({ name: c.name, op: c.op, front: c.front, ...latency, opsPerSec });
    }
  } finally {
    plain.terminate();
    progress('deleting bench:* keys');
    await deleteBenchKeys(redis);
  }
  const result: BenchResult = {
    at: Date.now(),
    tab: options.tab,
    role: options.role,
    leader: options.leader,
    durability: options.durability,
    cores: navigator.hardwareConcurrency || 0,
    browser: browserName(),
    ms: Math.round(now() - started),
    rows,
  };
  await redis.set(BENCH_LAST_KEY, JSON.stringify(result));
  options.onProgress?.('done', 1);
  return result;
}

/** The stored result, or null when there is none (or it is not one: an older format, a hand edit). */
export function parseBenchResult(json: string | null): BenchResult | null {
  if (json === null) return null;
  try {
    const r = JSON.parse(json) as BenchResult;
    return Array.isArray(r.rows) && typeof r.at === 'number' ? r : null;
  } catch {
    return null;
  }
}
