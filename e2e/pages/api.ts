/**
 * What the test page (store.html) exposes on `window.lodis`, for the Node side to call through
 * `page.evaluate`. Types only: imported by the page and by the tests.
 */
import type { DumpEntry } from '../src/workload.js';

export type Durability = 'durable' | 'strict' | 'interval' | 'memory';

export interface OpenOptions {
  durability?: Durability;
  /** `interval` mode: ms between flushes (idb-persist's default 1000). */
  intervalMs?: number;
  /** Automatic compaction (core's PersistenceOptions.compaction); default on. */
  compaction?: { auto?: boolean; factor?: number; minLogBytes?: number };
}

export interface IssueOptions {
  /** Ops issued per tick (then a macrotask yield): each tick is one group-commit batch. Default 100. */
  perTick?: number;
  /** Report acknowledgements to Node (through `__lodisAck`) while issuing. Default true. */
  report?: boolean;
}

export interface IssueResult {
  /** Ops whose reply resolved (acknowledged: durable per the store's durability mode). */
  acked: number;
  /** Ops whose reply rejected: op index → error message (the first 20). */
  failed: Record<number, string>;
  failures: number;
  /** Highest acknowledged op index, -1 if none. */
  maxAcked: number;
  /** Wall clock (Date.now) when the first op was issued and when the last reply settled. */
  startedAt: number;
  settledAt: number;
}

/** A command reply, or the error it raised, as plain data that crosses page.evaluate. */
export type CallResult = { ok: unknown } | { error: string };

/** Called by the page (exposed by Node with page.exposeFunction) as acknowledgements arrive. */
export type AckReporter = (acked: number, maxAcked: number, failures: number) => void;

export interface LodisPage {
  /** Open (and load) the persisted store `name`; resolves when it is ready. Returns ms taken. */
  open(name: string, options?: OpenOptions): Promise<number>;
  /** Close the open store (pending writes settle first). */
  close(): Promise<void>;
  /** Run one command in database `db` (default 0) and await its reply. */
  call(argv: (string | number)[], db?: number): Promise<CallResult>;
  /** Issue workload ops [from, to) without awaiting each, then await them all. */
  issue(from: number, to: number, options?: IssueOptions): Promise<IssueResult>;
  /** Start issuing (as `issue`) and return at once; `issued()` awaits the result. */
  startIssue(from: number, to: number, options?: IssueOptions): void;
  issued(): Promise<IssueResult>;
  /** Every key of databases `dbs` (default: all), with type, PEXPIRETIME and (strings) value. */
  dump(dbs?: number[]): Promise<DumpEntry[]>;
  /** SET `fill:<i>` for i in [from, to) in database `db`, values of `valueBytes`, 10k per batch; awaited. */
  populate(db: number, from: number, to: number, valueBytes: number): Promise<void>;
  /** `fill:<i>`'s value as populate writes it (to check a sample after a crash). */
  populateValue(i: number, valueBytes: number): string;
  /** `INFO <section>` as text. */
  info(section?: string): Promise<string>;
  /** Events the store reported (recovery drops, errors…), as `{ type, detail }`. */
  events(): { type: string; detail: unknown }[];
  /** IndexedDB databases of this origin, and the object stores and record counts of one. */
  idbDatabases(): Promise<{ name: string; version: number }[]>;
  /**
   * Damage the newest record of the `log` store of IndexedDB database `dbName` (close the store
   * first): flip one byte in the middle of its bytes, or cut it short. Returns its key.
   */
  idbDamageLastLogRecord(dbName: string, how: 'flip' | 'truncate'): Promise<number>;
  /** Per object store: record count, the first 200 keys, and (stores of ≤ 10 records) the values. */
  idbInspect(dbName: string): Promise<Record<string, { count: number; keys: unknown[]; values?: unknown[] }>>;
}

export type PageGlobals = { lodis: LodisPage; __lodisAck?: AckReporter };
