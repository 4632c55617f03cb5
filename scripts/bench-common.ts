/**
 * What the row modules of `npm run bench` share (bench-collections.ts, bench-zsets.ts,
 * bench-streams.ts): the cell shape bench.ts times, the fixed pseudo-random inputs, the loops a
 * contender's op is run in, and the probe's plumbing (replies decoded to `call`'s shape, a failed
 * probe turned into the reason a cell shows n/a).
 *
 * Each row module follows the same pattern: build the inputs once, give every contender the same
 * work (a raw JS baseline with and without an `await` per op, Lodis typed / call / execute,
 * ioredis-mock), probe the contender's replies against the baseline's before timing it, and
 * return a Workload (or the reason it cannot run) for bench.ts' measure() and tables.
 */

export type Argv = (string | number)[];
/** Runs n ops; may return a promise (or, selfTimed, the milliseconds its timed part took). */
export type Loop = (n: number) => unknown;
/** How a contender is driven: the typed API, `call`, `execute`, or ioredis-mock. */
export type Via = 'typed' | 'call' | 'execute' | 'mock';

/** The cell shape bench.ts times. */
export interface Workload {
  /** Runs n ops (may return a promise). */
  loop: Loop;
  /** Untimed, before each call of loop(n): restores the row's state (trim, top-up, removal). */
  between?: (n: number) => unknown;
  /** n is always a multiple of this (the pipelined column issues PIPELINE ops at a time). */
  quantum: number;
  /** loop(n) times its own ops and returns the milliseconds they took (untimed work between them). */
  selfTimed?: boolean;
  close(): void;
}

// ---- inputs ------------------------------------------------------------------------------------

/**
 * A fixed LCG, so every contender and every run gets the same "random" inputs: r(bound) is in
 * [0, bound), r() the raw 32-bit state.
 */
export function lcg(seed: number): (bound?: number) => number {
  let x = seed;
  return (bound) => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return bound === undefined ? x : x % bound;
  };
}

/** 0 … n-1 in a fixed Fisher-Yates shuffle. */
export function shuffled(n: number, seed: number): number[] {
  const a = Array.from({ length: n }, (_, i) => i);
  const rnd = lcg(seed);
  for (let i = n - 1; i > 0; i--) {
    const j = rnd(i + 1);
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

export const pad = (i: number, width = 6) => String(i).padStart(width, '0');

// ---- loops ---------------------------------------------------------------------------------------

export function syncEach(op: () => unknown): Loop {
  return (n) => {
    for (let i = 0; i < n; i++) op();
  };
}
/** syncEach for execute: a protocol-level error reply is thrown (the cell then shows the error). */
export function syncEachChecked(op: () => unknown): Loop {
  return (n) => {
    for (let i = 0; i < n; i++) {
      const r = op();
      if (r instanceof Error) throw r;
    }
  };
}
export function awaitEach(op: () => unknown): Loop {
  return async (n) => {
    for (let i = 0; i < n; i++) await op();
  };
}
export function pipelined(op: () => unknown, size: number): Loop {
  const batch = new Array<unknown>(size);
  return async (n) => {
    for (let i = 0; i < n; i += size) {
      for (let b = 0; b < size; b++) batch[b] = op();
      await Promise.all(batch);
    }
  };
}

/** A command through ioredis-mock by name: mockCall(r)('ZADD', k, …) is r.zadd(k, …). */
export function mockCall(client: unknown): (...argv: Argv) => Promise<unknown> {
  const r = client as Record<string, ((...a: Argv) => Promise<unknown>) | undefined>;
  return (...argv) => {
    const name = String(argv[0]).toLowerCase();
    const method = r[name];
    if (typeof method !== 'function') return Promise.reject(new TypeError(`ioredis-mock: ${name} is not a function`));
    return method.apply(r, argv.slice(1));
  };
}

// ---- probes --------------------------------------------------------------------------------------

/** Protocol-level replies (execute) in the shape `call` decodes them to; errors thrown. */
export function plain(r: unknown): unknown {
  if (r instanceof Error) throw r;
  if (Array.isArray(r)) return r.map(plain);
  if (r instanceof Uint8Array) return Buffer.from(r).toString();
  if (r !== null && typeof r === 'object') {
    const o = r as { flat?: unknown[]; items?: unknown[]; text?: string };
    if (Array.isArray(o.flat)) return o.flat.map(plain); // MapReply
    if (Array.isArray(o.items)) return o.items.map(plain); // SetReply
    if (typeof o.text === 'string') return o.text; // Status, DoubleReply
  }
  return r;
}

/** A probe's verdict on a reply that is not the expected one. */
export function wrongReply(got: unknown): string {
  const s = JSON.stringify(got) ?? String(got);
  return `wrong reply ${s.length > 60 ? `${s.slice(0, 60)}…` : s}`;
}

/** A probe's verdict on a thrown error: 'missing' (the contender lacks the command or method), else the error. */
export function failure(e: unknown): string {
  const msg = (e as Error).message ?? String(e);
  return /unknown command|unsupported command|is not a function/i.test(msg) ? 'missing' : `error: ${msg.slice(0, 60)}`;
}

// ---- timing a build ------------------------------------------------------------------------------

/** A build timed by the wall clock and by this process' CPU time. */
export interface BuildTiming {
  /** Wall-clock milliseconds. */
  ms: number;
  /**
   * CPU milliseconds this process used meanwhile (all its threads: V8's GC helpers included). On a
   * busy machine the wall time also counts the other processes' turns; the CPU time does not.
   */
  cpuMs: number;
}

/** Times run() by the wall clock and by process.cpuUsage(). */
export async function timeBuild(run: () => unknown): Promise<BuildTiming> {
  const cpu = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  const c0 = cpu();
  const t0 = performance.now();
  await run();
  const ms = performance.now() - t0;
  return { ms, cpuMs: cpu() - c0 };
}
