/**
 * What the transactions page (txn.html) exposes on `window.lodisTxn`: one @lodis/web-worker client
 * per tab, with named sessions (`client.connect()`) for WATCH/MULTI/EXEC, typed `multi()` loops and
 * reactive key watches (`watchKeys`). Types only: imported by the page and the test.
 */
import type { CallResult } from './api.js';

export interface TxnOpenOptions {
  label: string;
  leaderTimeout?: number;
}

/** `client.leadership()` as plain data. */
export interface LeadershipInfo {
  tab: string;
  role: 'leader' | 'follower' | 'single';
  leader: string | null;
  term: number;
  changes: number;
}

/** A change a watch of this page received, with the page's clock when it came. */
export interface ReceivedChange {
  key: string;
  event: string;
  db: number;
  at: number;
}

export interface CounterStats {
  /** Transactions that ran (EXEC replied an array). */
  committed: number;
  /** EXECs that replied null (a WATCHed key changed), retried. */
  retries: number;
  /** Typed multi() whose two INCR results differed (another command came in between). */
  interleaved: number;
  errors: string[];
  ms: number;
}

export interface KeyWatchStatsInfo {
  page: number;
  tab: number;
  leader: { watches: number; tabs: number; observers: number } | null;
}

export interface TxnPage {
  /** createClient({ name, durability: 'durable', leaderTimeout }) and await `ready`; ms taken. */
  open(name: string, options: TxnOpenOptions): Promise<number>;
  leadership(): Promise<LeadershipInfo>;
  /** A command on session `session` ('' = the client's own; others are opened on first use). */
  call(session: string, argv: (string | number)[]): Promise<CallResult>;
  /** A typed `multi()` on `session` of the given commands (raw argv each, via `call`); EXEC's result. */
  multi(session: string, commands: (string | number)[][]): Promise<CallResult>;
  /** `n` typed `multi().incr(a).incr(b).exec()` on the client's session, one after the other. */
  multiIncrements(a: string, b: string, n: number): Promise<CounterStats>;
  /** `n` optimistic increments of `key` on a session of its own: WATCH, GET, multi().set(v + 1).exec(), retried on null. */
  casIncrements(key: string, n: number): Promise<CounterStats>;
  /** `client.watchKeys(pattern, …)`, recording the changes; returns the watch's id. */
  watchKeys(pattern: string, db?: number): number;
  /** The changes watch `id` received so far. */
  changes(id: number): ReceivedChange[];
  /** Stop watch `id` (its changes stay readable). */
  unwatchKeys(id: number): void;
  /** Start and stop `n` watches (with `keyChanges` every other time), then return the stats. */
  watchCycles(n: number): Promise<KeyWatchStatsInfo>;
  keyWatchStats(): Promise<KeyWatchStatsInfo>;
  /** The page's clock: performance.timeOrigin + performance.now() (comparable across tabs). */
  clock(): number;
  close(): Promise<void>;
}

export interface TxnPageGlobals {
  lodisTxn: TxnPage;
}
