/**
 * What the worker benchmark page (bench-worker.html) exposes on `window.benchWorker`, for
 * scripts/bench-worker.ts, and what the Comlink baseline worker (comlink-baseline-worker.ts)
 * exposes. Every figure is timed inside the page with performance.now(). Types only.
 */
import type { Durability } from './api.js';

/** Which front a measurement goes through. */
export type Front =
  /** @lodis/web-worker's createClient: auto-pipelined batches over a MessagePort (leader or follower tab). */
  | { kind: 'lodis'; store: string }
  /** The baseline: an in-process store in a plain worker, one Comlink call per command. */
  | { kind: 'comlink' };

/**
 * Latency samples of one awaited command, in ms. performance.now() is coarsened to 100 µs in a
 * page that is not cross-origin isolated, about one command's round trip: so commands are timed
 * in batches of `batch` sequential awaited commands, and each batch's mean is one sample.
 */
export interface LatencySamples {
  /** Commands timed (batches × batch). */
  n: number;
  /** Total time of the timed batches. */
  ms: number;
  /** Each batch's time / batch: ms per command. */
  means: number[];
  /** The same commands timed one by one: quantized to the 100 µs grain. */
  singles: number[];
}

export interface LatencyOptions {
  front: Front;
  /** 'GET' (of a key set beforehand) or 'SET'. */
  command: 'GET' | 'SET';
  batches: number;
  batch: number;
  /** Untimed batches first (JIT, caches). */
  warmup: number;
}

export interface ThroughputOptions {
  front: Front;
  /** SETs in all. */
  n: number;
  /** Issued in one synchronous loop (one microtask), then awaited together (Promise.all) before the next batch. */
  batch: number;
}

export interface Timed {
  /** Milliseconds, measured in the page. */
  ms: number;
  /** Commands the time covers. */
  n: number;
}

/** What a client's worker says about who serves the store (@lodis/web-worker's Leadership). */
export interface LeadershipInfo {
  tab: string;
  role: 'leader' | 'follower' | 'single';
  leader: string | null;
  term: number;
  changes: number;
}

export interface DeliveryResult {
  /** Messages received (of those expected). */
  received: number;
  /** Publish-to-delivery latencies in ms (receiver's timeOrigin + now() minus the sender's, carried in the message). */
  p50: number;
  p99: number;
  mean: number;
  max: number;
}

export interface ClockCheck {
  /** Round trip of a BroadcastChannel message between the two pages, the fastest of the probes, ms. */
  minRtt: number;
  /** Median round trip, ms. */
  medianRtt: number;
  /**
   * The other page's clock (timeOrigin + now()) minus this page's, estimated from the fastest
   * round trip (its midpoint), ms: the error in a cross-tab one-way latency.
   */
  offset: number;
}

export interface BenchWorkerPage {
  /** Open (createClient) store `name` in this page, wait until ready: this tab's role. */
  open(o: { name: string; durability: Durability }): Promise<LeadershipInfo>;
  leadership(store: string): Promise<LeadershipInfo>;
  /** Start the Comlink baseline worker (an in-process @lodis/core store). */
  openComlink(): Promise<void>;
  latency(o: LatencyOptions): Promise<LatencySamples>;
  /** Pipelined SETs; checks DBSIZE grew to cover the keys afterwards. */
  throughput(o: ThroughputOptions): Promise<Timed>;
  /** SUBSCRIBE `channel` on store `store` and record the delivery latency of each message as it comes. */
  subscribe(o: { store: string; channel: string }): Promise<void>;
  /** PUBLISH `n` messages on `channel`, one at a time (each awaited); each carries its send time. Returns the receivers counted by PUBLISH. */
  publishSeries(o: { store: string; channel: string; n: number }): Promise<{ ms: number; receivers: number[] }>;
  /** Wait (up to `timeoutMs`) until `n` messages have been received on `channel`, then unsubscribe: their latencies. */
  deliveries(o: { channel: string; n: number; timeoutMs: number }): Promise<DeliveryResult>;
  /** Answer clock probes on BroadcastChannel `channel` (the other page runs `clockCheck`). */
  clockEcho(channel: string): Promise<void>;
  clockCheck(o: { channel: string; probes: number }): Promise<ClockCheck>;
  /** document.visibilityState: a hidden tab's timers are throttled. */
  visibility(): Promise<string>;
  /** Close every client and the baseline worker. */
  closeAll(): Promise<void>;
}

export type BenchWorkerGlobals = { benchWorker: BenchWorkerPage };

/** The Comlink baseline worker's API: one Comlink call per command. */
export interface ComlinkBaselineApi {
  /** A command, as redis-cli would send it: the reply (an error reply rejects). */
  call(...argv: (string | number)[]): Promise<unknown>;
}
