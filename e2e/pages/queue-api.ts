/**
 * What the queue test page (queue.html) exposes on `window.lodisQueue`: one @lodis/web-worker
 * client per tab, acting as the producer or the worker of the reliable email queue
 * (LPUSH email_queue … / BLMOVE email_queue processing RIGHT LEFT 0, HINCRBY processed <job> 1,
 * LREM processing 1 <job>). Types and the queue's key names: imported by the page and the tests.
 */
import type { CallResult, Durability } from './api.js';

/** The keys of the queue. */
export const QUEUE = 'email_queue';
export const PROCESSING = 'processing';
export const PROCESSED = 'processed';
/** Elements starting with this stop one worker loop each (pushed by `stopWorker`); never processed. */
export const STOP = '__stop__:';

export interface QueueOpenOptions {
  label: string;
  durability?: Durability;
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

export interface ProduceSpec {
  /** Jobs `${prefix}${i}` for i in [from, to), LPUSHed `batch` per command, in order. */
  prefix: string;
  from: number;
  to: number;
  batch: number;
  /**
   * Every `drainEvery` batches, wait (up to `drainTimeoutMs`, default 3000) until a worker loop is
   * blocked on the empty queue (INFO clients: blocked_clients > 0) before pushing more: the worker
   * then really blocks, many times, during the production.
   */
  drainEvery?: number;
  drainTimeoutMs?: number;
}

export interface ProducerStats {
  /** Jobs in LPUSHes that resolved. */
  pushed: number;
  batches: number;
  /** Errors the caller saw (must stay empty). */
  errors: string[];
  done: boolean;
  /** Clock (performance.timeOrigin + now) when production started and ended. */
  startedAt: number;
  finishedAt: number;
  /** Drain waits that saw a worker loop blocked on the empty queue, and those that timed out. */
  sawBlocked: number;
  drainTimeouts: number;
  /** The longest queue an LPUSH reported. */
  maxLength: number;
  /** An LPUSH is awaiting its reply now; the longest any took (ms: a leader change shows as a delay). */
  inFlight: boolean;
  maxLpushMs: number;
}

export interface WorkerSpec {
  /** Loops, each on its own session (client.connect()), each blocking in BLMOVE. */
  loops: number;
}

/** What the reliable-queue recovery found in `processing` when the worker started. */
export interface RecoveryStats {
  /** Jobs left in `processing` (stop markers not counted). */
  found: number;
  /** Already processed (HEXISTS): only removed from `processing`. */
  alreadyDone: number;
  /** Not processed: processed now, then removed. */
  redone: number;
  /** Stop markers left by an earlier worker: removed. */
  stops: number;
  jobs: string[];
  ms: number;
}

export interface WorkerStats {
  label: string;
  loops: number;
  /** Loops not yet stopped. */
  running: number;
  /** Per loop: the clock when its pending BLMOVE was issued, or null when it is not in BLMOVE. */
  waitingSince: (number | null)[];
  blmoves: number;
  /** BLMOVEs that took ≥ 20 ms (the queue was empty when they came, as a rule), and the longest. */
  slowBlmoves: number;
  maxBlmoveMs: number;
  /** Jobs processed by the loops (HINCRBY then LREM), not counting recovery. */
  processed: number;
  /** Jobs a BLMOVE returned more than once to this tab. */
  receivedTwice: string[];
  /** HINCRBY replies other than 1 (`job=n`): a job processed twice. */
  hincrNotOne: string[];
  /** LREM replies other than 1 (`job=n`): the job was not where the ack expected it. */
  lremNotOne: string[];
  recovery: RecoveryStats | null;
  /** Errors the caller saw (must stay empty). */
  errors: string[];
  firstJobAt: number;
  lastJobAt: number;
}

/** Checked in the page: what the store holds after a run. */
export interface QueueCheck {
  /** HLEN processed. */
  hlen: number;
  /** Expected jobs with no count, with a count other than 1 (`job=n`), and fields not expected (the first 20 of each). */
  missing: string[];
  missingCount: number;
  notOne: string[];
  notOneCount: number;
  unexpected: string[];
  unexpectedCount: number;
  queueLength: number;
  processingLength: number;
}

export interface TimedCall {
  result: CallResult;
  ms: number;
}

export interface TimedPush {
  length: number;
  /** Clock just before the LPUSH was issued, and when its reply came. */
  sentAt: number;
  repliedAt: number;
}

export interface QueuePage {
  /** createClient({ name, durability, leaderTimeout }) and await `ready`; returns the ms it took. */
  open(name: string, options: QueueOpenOptions): Promise<number>;
  leadership(): Promise<LeadershipInfo>;
  /** A command on the client's own session (not the worker loops'). */
  call(argv: (string | number)[]): Promise<CallResult>;
  /** The same, with the ms it took (performance.now()). */
  timedCall(argv: (string | number)[]): Promise<TimedCall>;
  /** INFO clients' blocked_clients on the leader. */
  blockedClients(): Promise<number>;
  /** The page's clock: performance.timeOrigin + performance.now() (comparable across tabs). */
  clock(): number;

  /** Start producing (returns at once); `producerStats()` tells how far it got. */
  startProducing(spec: ProduceSpec): void;
  producerStats(): ProducerStats;
  /** One LPUSH of `job`, timed. */
  timedLpush(job: string): Promise<TimedPush>;

  /** Run the reliable-queue recovery, then start the loops (returns once they are started). */
  startWorker(spec: WorkerSpec): Promise<RecoveryStats>;
  workerStats(): WorkerStats;
  /** When a BLMOVE of this tab returned `job` (clock), or null. */
  receivedAt(job: string): number | null;
  /** LPUSH one stop marker per running loop, wait until every loop has stopped (or `timeoutMs`), return the stats. */
  stopWorker(timeoutMs?: number): Promise<WorkerStats>;

  /** Check the store: every job in `jobs` processed exactly once, nothing else; both lists' lengths. */
  check(jobs: string[]): Promise<QueueCheck>;
  close(): Promise<void>;
}

export interface QueuePageGlobals {
  lodisQueue: QueuePage;
}
