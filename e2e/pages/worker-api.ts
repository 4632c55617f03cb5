/** What the worker test page (worker.html) exposes on `window.lodisWorker`. Types only. */
import type { CallResult, Durability } from './api.js';

export interface PipelineResult {
  /** Commands issued in one tick. */
  commands: number;
  /** Messages the client sent to the worker for them (test hook). */
  messages: number;
  /** Whether every reply settled in issue order, with the value expected. */
  inOrder: boolean;
  ms: number;
}

export interface LatencyResult {
  /** Total time / n (performance.now() is coarsened to 100 µs without cross-origin isolation, so p50 and p99 are quantized). */
  mean: number;
  p50: number;
  p99: number;
  samples: number;
}

export interface WorkerPage {
  open(name: string, durability?: Durability): Promise<void>;
  /** A command through `call`, its reply or error as data. */
  call(argv: (string | number)[]): Promise<CallResult>;
  /** The typed API: set/get/incr, and a typed method's error reply. */
  typed(): Promise<{ set: unknown; get: unknown; incr: number[]; wrongType: string; isReplyError: boolean; bytes: number[] }>;
  /** `n` INCRs of `key` issued in one tick. */
  pipeline(key: string, n: number): Promise<PipelineResult>;
  /** One awaited GET at a time, `n` times: round-trip latency in ms. */
  latency(n: number): Promise<LatencyResult>;
  /** Pipelined throughput: `rounds` batches of `perBatch` SETs, commands per second. */
  throughput(perBatch: number, rounds: number): Promise<number>;
  /** SUBSCRIBE on a session, PUBLISH on the client: the message received through the worker's push port. */
  pubsub(): Promise<{ channel: string; message: string } | null>;
  close(): Promise<void>;
}

export interface WorkerPageGlobals {
  lodisWorker: WorkerPage;
}
