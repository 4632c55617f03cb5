/**
 * What the benchmark page (bench.html) exposes on `window.bench`, for scripts/bench-idb.ts.
 * Every figure is timed inside the page with performance.now(). Types only.
 */
import type { Durability, OpenOptions } from './api.js';

export interface Timed {
  /** Milliseconds, measured in the page. */
  ms: number;
  /** Operations (or keys) the time covers. */
  n: number;
}

export interface WriteOptions {
  /** Store (Lodis) or database (peers) name: use a fresh one per measurement. */
  name: string;
  n: number;
}

export interface LodisWriteOptions extends WriteOptions {
  durability: Durability;
  /**
   * 0: all n issued in one synchronous loop, then awaited (every write in flight at once).
   * k > 0: k per task (a macrotask yield between), like an app producing writes over time.
   * -1: one at a time, each awaited before the next (latency bound: the peer of `set` per op).
   */
  perTick: number;
}

export interface FillOptions {
  name: string;
  n: number;
  /** How the store is checkpointed after filling: SAVE, or not at all (log only). */
  checkpoint: 'save' | 'none';
  /** Automatic compaction; `{ auto: false }` keeps a log-only store log-only. */
  compaction?: OpenOptions['compaction'];
}

export interface StallResult {
  /** How long the compaction (BGREWRITEAOF) took, as INFO reported it finished. */
  compactionMs: number;
  /** Commands completed while it ran. */
  commands: number;
  /** Gaps between consecutive command replies, ms. */
  maxGap: number;
  p99Gap: number;
  p50Gap: number;
  /** The same probe with no compaction running, for the noise floor. */
  idleMaxGap: number;
  idleP99Gap: number;
}

export interface BenchPage {
  lodisWrites(o: LodisWriteOptions): Promise<Timed>;
  /** idb-keyval; `relaxed`: through a custom store whose transactions ask for relaxed durability. */
  idbKeyval(o: WriteOptions & { mode: 'awaited' | 'inflight' | 'setMany'; relaxed?: boolean }): Promise<Timed & { durability: string }>;
  dexie(o: WriteOptions & { mode: 'bulkPut' | 'put' }): Promise<Timed & { durability: string }>;
  /** Fill store `name` with n small string keys (key:0000000 → value:0000000), then checkpoint. */
  fill(o: FillOptions): Promise<{ fillMs: number; checkpointMs: number; info: string }>;
  /** Open store `name` (call on a fresh page): ms until it is ready, and its DBSIZE. */
  open(o: { name: string; compaction?: OpenOptions['compaction'] }): Promise<{ ms: number; dbsize: number; info: string }>;
  /**
   * With a store open (after `open`): wait `settleMs`, probe `idleMs` with nothing running, then
   * probe every ~`intervalMs` while BGREWRITEAOF runs.
   */
  compactionStall(o: { intervalMs: number; idleMs: number; settleMs: number }): Promise<StallResult>;
  /** Bytes this origin uses (navigator.storage.estimate). */
  usage(): Promise<number>;
}

export type BenchGlobals = { bench: BenchPage };
