/**
 * What the streams test page (streams.html) exposes on `window.lodisStreams`: one
 * @lodis/web-worker client per tab, acting as the producer (XADD) or as consumers of one consumer
 * group (XREADGROUP … BLOCK 0 STREAMS jobs >, process, XACK), with a claimer that takes over what a
 * consumer gone away left pending (XAUTOCLAIM). Types and key names: imported by the page and the
 * tests.
 */
import type { CallResult, Durability } from './api.js';
import type { LeadershipInfo } from './queue-api.js';

export type { LeadershipInfo };

/** The stream, its consumer group, and the hash that counts each entry's processing (by id). */
export const STREAM = 'jobs';
export const GROUP = 'workers';
export const PROCESSED = 'processed';
/** An entry with this field stops the consumer loop that reads it (added by `stopConsumers`). */
export const STOP_FIELD = 'stop';

export interface StreamsOpenOptions {
  label: string;
  durability?: Durability;
  leaderTimeout?: number;
}

export interface ProduceSpec {
  /** Entries `n <i>` for i in [from, to), XADDed with `*` ids. */
  from: number;
  to: number;
  /** XADDs awaiting their reply at a time (default 8). */
  inFlight?: number;
  /** Pause this many ms after every `inFlight` XADDs (default 0): production spread over time. */
  pauseMs?: number;
}

export interface ProducerStats {
  /** XADDs that resolved. */
  added: number;
  errors: string[];
  done: boolean;
  startedAt: number;
  finishedAt: number;
}

export interface ConsumeSpec {
  /** Consumer loops, each on its own session, each a consumer of the group named `<label>:<k>`. */
  loops: number;
  /** XREADGROUP's COUNT. */
  count: number;
  /** ms each entry takes to "process" before its HINCRBY (0: none): a slow consumer holds pending entries. */
  processMs?: number;
  /** Run a claimer on its own session (consumer `<label>:claimer`). */
  claim?: ClaimSpec;
}

export interface ClaimSpec {
  /** XAUTOCLAIM's min-idle-time. */
  minIdleMs: number;
  /** A scan (XAUTOCLAIM from 0-0 until it returns 0-0) every this many ms. */
  everyMs: number;
  /** XAUTOCLAIM's COUNT. */
  count: number;
}

export interface ConsumerStats {
  label: string;
  loops: number;
  /** Loops not yet stopped. */
  running: number;
  /** Per loop: the clock when its pending XREADGROUP was issued, or null when it is not in one. */
  waitingSince: (number | null)[];
  /** XREADGROUPs that returned entries, and the entries they delivered (stop markers included). */
  reads: number;
  delivered: number;
  /** Entries processed by the loops (HINCRBY), not counting the claimer. */
  processed: number;
  /** XACKs that replied 1, and those that replied otherwise (`id=reply`: must stay empty). */
  acked: number;
  ackNotOne: string[];
  /** HINCRBY replies other than 1 (`id=n`): an entry processed twice. */
  hincrNotOne: string[];
  /** Entries delivered twice to this tab's loops. */
  deliveredTwice: string[];
  /** The claimer: scans run, entries claimed, of which already processed (HEXISTS: acked only), and processed now. */
  claimScans: number;
  claimed: number;
  claimedDone: number;
  claimedRedone: number;
  /** Announcing XACKs to Node (`acking`, awaited): how many times, and ms in all and at most. */
  announces: number;
  announceMs: number;
  maxAnnounceMs: number;
  /** Ids XAUTOCLAIM reported deleted from the stream (must stay empty: nothing is deleted). */
  claimedDeleted: string[];
  errors: string[];
}

/**
 * Reports to Node (`window.__lodisStreams`, exposed by the test), in order. `acking` is awaited
 * before the XACKs it announces are sent: Node knows every XACK a tab may have issued, even one
 * whose reply the tab did not live to see. `acked` gives their replies, once all have come.
 */
export type StreamsReport =
  | { kind: 'acking'; label: string; consumer: string; ids: string[] }
  | { kind: 'acked'; label: string; consumer: string; replies: [id: string, reply: number][] }
  | { kind: 'claimed'; label: string; consumer: string; ids: string[]; deleted: string[] };

/** Checked in the page: what the store holds after a run. */
export interface StreamsCheck {
  /** XLEN jobs; ids of the producer's entries (field `n`) and of stop markers, in stream order. */
  length: number;
  entryIds: string[];
  stopIds: string[];
  /** Entries with no count in `processed`, with a count other than 1 (`id=n`), fields that are no entry (the first 20 of each). */
  missing: string[];
  missingCount: number;
  notOne: string[];
  notOneCount: number;
  unexpected: string[];
  unexpectedCount: number;
  /** XPENDING jobs workers (the summary), XINFO GROUPS jobs, XINFO CONSUMERS jobs workers. */
  pending: unknown;
  groups: unknown;
  consumers: unknown;
}

export interface TimedXadd {
  id: string;
  /** Clock just before the XADD was issued, and when its reply came. */
  sentAt: number;
  repliedAt: number;
}

export interface XreadResult {
  reply: unknown;
  /** Clock when the XREAD returned. */
  at: number;
}

export interface StreamsPage {
  /** createClient({ name, durability, leaderTimeout }) and await `ready`; returns the ms it took. */
  open(name: string, options: StreamsOpenOptions): Promise<number>;
  leadership(): Promise<LeadershipInfo>;
  /** A command on the client's own session. */
  call(argv: (string | number)[]): Promise<CallResult>;
  /** INFO clients' blocked_clients on the leader. */
  blockedClients(): Promise<number>;
  /** The page's clock: performance.timeOrigin + performance.now() (comparable across tabs). */
  clock(): number;

  /** Start producing (returns at once); `producerStats()` tells how far it got. */
  startProducing(spec: ProduceSpec): void;
  producerStats(): ProducerStats;
  /** One XADD key * field value …, timed. */
  timedXadd(key: string, fields: string[]): Promise<TimedXadd>;

  /** Start the consumer loops (and the claimer); returns once they are started. */
  startConsumers(spec: ConsumeSpec): Promise<void>;
  consumerStats(): ConsumerStats;
  /** XADD one stop marker per running loop until every loop has stopped (or `timeoutMs`); stop the claimer; the stats. */
  stopConsumers(timeoutMs?: number): Promise<ConsumerStats>;

  /** Start `XREAD BLOCK 0 STREAMS key id` on a session of its own (returns at once); `xreadResult(slot)` gives its reply. */
  startXread(slot: string, key: string, id: string): void;
  xreadResult(slot: string): XreadResult | null;

  /** Check the store after a run: every entry of the producer processed exactly once, the group's state. */
  check(): Promise<StreamsCheck>;
  close(): Promise<void>;
}

export interface StreamsPageGlobals {
  lodisStreams: StreamsPage;
  __lodisStreams?: (r: StreamsReport) => Promise<void>;
}
