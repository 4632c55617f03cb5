/**
 * What the tabs test page (tabs.html) exposes on `window.lodisTabs`: one @lodis/web-worker client
 * per tab, a write loop that keeps many commands in flight and reports every acknowledgement to
 * Node, pub/sub with receive times, the leadership of the tab's worker, the stall and kill hooks,
 * and a direct read of the store's IndexedDB log. Types only: imported by the page and the tests.
 */
import type { CallResult, Durability } from './api.js';

export interface TabOpenOptions {
  durability?: Durability;
  /** A follower waiting this long (ms) on a silent leader takes over (createClient's leaderTimeout). */
  leaderTimeout?: number;
  /** Names this tab's client in its reports to Node (a tab reopened later gets a new label). */
  label: string;
}

/** `client.leadership()` as the page returns it (plain data). */
export interface LeadershipInfo {
  tab: string;
  role: 'leader' | 'follower' | 'single';
  leader: string | null;
  term: number;
  changes: number;
}

/** A leadership seen by the page's watcher, when it first saw it (Date.now()). */
export interface LeadershipChange extends LeadershipInfo {
  at: number;
}

/** What the write loop issues: INCR of one counter, or SET of keys `${prefix}${i}` to `v${i}`. */
export type WriterSpec = { kind: 'incr'; key: string; inFlight?: number } | { kind: 'set'; prefix: string; inFlight?: number };

export interface WriterStats {
  /** Commands issued (sent to the client). */
  sent: number;
  acked: number;
  failed: number;
  /** Commands issued and not settled. */
  outstanding: number;
  /** The first errors (any error is a failure: callers must see a delay, never an error). */
  errors: string[];
  /** Intervals of more than 20 ms (Date.now()) in which no command was acknowledged while some were outstanding. */
  gaps: { from: number; to: number }[];
  /** Date.now() of the first and last acknowledgement. */
  firstAckAt: number;
  lastAckAt: number;
}

/** Sent by the page to Node (page.exposeFunction('__lodisTabs')), per tick of acknowledgements. */
export interface TabsReport {
  label: string;
  /** INCR replies acknowledged since the last report. */
  incr: number[];
  /** Indices i of the SETs (`${prefix}${i}`) acknowledged since the last report. */
  sets: number[];
  prefix: string;
  /** Totals so far. */
  sent: number;
  failed: number;
  /** Errors since the last report. */
  errors: string[];
}

export interface ReceivedMessage {
  channel: string;
  message: string;
  pattern?: string;
  /** performance.timeOrigin + performance.now() when the subscription delivered it (comparable across tabs). */
  at: number;
}

export interface PublishResult {
  receivers: number;
  /** performance.timeOrigin + performance.now() just before PUBLISH was issued, and when its reply came. */
  sentAt: number;
  repliedAt: number;
}

/** The store's IndexedDB database as read directly from the page, with the log's checks done. */
export interface IdbLogReport {
  /** meta.epoch: the term of the last leader that loaded the store. */
  epoch: number;
  snapshotSeq: number | null;
  records: number;
  firstSeq: number | null;
  lastSeq: number | null;
  /** Ops in all records. */
  ops: number;
  /**
   * What is wrong with the log: a gap or an overlap between records (each firstSeq must be the
   * previous lastSeq + 1), a record whose decoded firstSeq or op count disagrees with its key and
   * lastSeq, a record that does not decode. Empty: contiguous, no sequence number twice.
   */
  problems: string[];
  /** Operation replies (forwarded writes) logged, and how many (origin, n) came twice. */
  acks: number;
  duplicateAcks: number;
  duplicateAckExamples: string[];
  /** Logged ops whose first argument is `countKey`, by command name (lowercase). */
  keyOps: Record<string, number>;
}

export interface LockEntry {
  name: string;
  mode: string;
  clientId: string;
}

export interface TabsPage {
  /** createClient({ name, durability, leaderTimeout }) and await `ready`; returns the ms it took. */
  open(name: string, options: TabOpenOptions): Promise<number>;
  leadership(): Promise<LeadershipInfo>;
  call(argv: (string | number)[]): Promise<CallResult>;
  /** Date.now() in the page. */
  now(): number;

  /** Start the write loop: keep `inFlight` (default 50) commands outstanding until paused. */
  startWriter(spec: WriterSpec): void;
  /** Stop issuing (outstanding commands still settle); the totals so far — `sent` is final. */
  pauseWriter(): WriterStats;
  /** Stop issuing, wait until every outstanding command settled (or `timeoutMs`), report to Node, return the totals. */
  stopWriter(timeoutMs?: number): Promise<WriterStats>;
  writerStats(): WriterStats;

  /** Poll leadership() every `intervalMs` and remember every change, with the time it was first seen. */
  watchLeadership(intervalMs?: number): void;
  leadershipChanges(): LeadershipChange[];

  /** SUBSCRIBE or PSUBSCRIBE (its own session) under `id`; resolves once active. */
  subscribe(id: string, kind: 'subscribe' | 'psubscribe', names: string[]): Promise<void>;
  received(id: string): ReceivedMessage[];
  unsubscribe(id: string): Promise<void>;
  publish(channel: string, message: string): Promise<PublishResult>;

  /** Block this tab's worker thread for `ms` (not awaited: `stallDone()` resolves with Date.now() once it returns). */
  stallWorker(ms: number): void;
  stallDone(): Promise<number>;
  /** client.worker.terminate(). */
  terminateWorker(): void;
  /** Which of the keys `${prefix}${i}` do not hold `v${i}` (pipelined GETs): their count and the first 20. */
  checkSets(prefix: string, indices: number[]): Promise<{ missing: number; examples: string[] }>;
  close(): Promise<void>;
  /** navigator.locks.query() of the origin: who holds and who waits for which Web Lock (for diagnostics). */
  locks(): Promise<{ held: LockEntry[]; pending: LockEntry[] }>;
  /**
   * How long (ms) a read-only transaction on `meta` of `lodis:<name>` takes from this page: long
   * when another context holds a write transaction on it open (a stalled leader mid-append).
   */
  idbProbe(name: string): Promise<number>;
  /** Read IndexedDB database `lodis:<name>` directly and check its log. */
  idbLog(name: string, countKey?: string): Promise<IdbLogReport>;
}

export interface TabsPageGlobals {
  lodisTabs: TabsPage;
  __lodisTabs?: (report: TabsReport) => Promise<void>;
}
