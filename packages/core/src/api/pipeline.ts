/**
 * Typed pipelines and transactions, shaped like @upstash/redis (pkg/pipeline.ts):
 *
 *   const [n, , top] = await redis.multi().incr('visits').expire('visits', 60).zrange('board', 0, 2).exec();
 *   const results = await redis.pipeline().set('a', 1).get('a').exec({ keepErrors: true });
 *
 * Every typed method of the store is there, chainable, and defined once: a pipeline runs the
 * store's own methods (api/<family>.ts) over a Transport that records each command and the promise
 * its method returns (with the method's decoding chained to it), then `exec()` sends the commands
 * and settles those promises with the replies — so each result is decoded by its own method.
 *
 * `exec()` sends every command in the same turn, on the store's session, so no other command of
 * that session comes between them. `pipeline()` is not atomic: other sessions (and tabs) may run
 * between its commands. `multi()` wraps them in MULTI … EXEC: the engine (the leader, across tabs)
 * runs them back to back, nothing in between. As in @upstash/redis, `exec()` resolves to the results
 * in order, or rejects with a PipelineError naming the first command that failed (its ReplyError is
 * the `cause`); `exec({ keepErrors: true })` resolves to a `{ result, error }` per command instead.
 * A transaction EXEC refused (EXECABORT: a command could not be queued, its error being the
 * `cause`) rejects either way; one not run because a WATCHed key changed resolves to null, as EXEC
 * replies (ioredis does the same): on a session that WATCHes, retry.
 */
import { PipelineError, pipelineExecutedErr, pipelineEmptyErr, pipelineMethodErr, notInPipelineErr } from '../errors.js';
import type { KeyChange, WatchKeysOptions } from '../keywatch.js';
import { ReplyError } from '../errors.js';
import type { Decoded, DecodedBuffer } from '../reply.js';
import { utf8DecodeLossy } from '../sds.js';
import type { RedisCommands } from './index.js';
import type { CommandArg, Transport } from './transport.js';

/** Methods that open sessions or watches of their own, not commands of this one. */
type NotBatched = 'subscribe' | 'psubscribe' | 'ssubscribe' | 'multi' | 'pipeline' | 'watchKeys' | 'keyChanges';
const NOT_BATCHED: ReadonlySet<string> = new Set<NotBatched>(['subscribe', 'psubscribe', 'ssubscribe', 'multi', 'pipeline', 'watchKeys', 'keyChanges']);

/** The store's methods a pipeline has (`call` and `callBuffer` included). */
export type BatchedCommands = Omit<RedisCommands, NotBatched>;

/** A command's outcome in `exec({ keepErrors: true })`: its result, or Redis' error text. */
export type PipelineResult<T> = { result: T; error?: undefined } | { result?: undefined; error: string };

/** What `exec()` resolves to: the chained methods' results, or `unknown[]` when none was chained. */
export type PipelineResults<R extends unknown[]> = [] extends R ? unknown[] : R;
export type PipelineResultsKeepingErrors<R extends unknown[]> = { [K in keyof R]: PipelineResult<R[K]> };

type Batch<R extends unknown[], Multi extends boolean> = Multi extends true ? Transaction<R> : Pipeline<R>;

/** A method of the store as a pipeline has it: same arguments (each overload), returns the pipeline with its result type added. */
type Chained<F, R extends unknown[], Multi extends boolean> = F extends {
  (...a: infer A1): Promise<infer T1>;
  (...a: infer A2): Promise<infer T2>;
  (...a: infer A3): Promise<infer T3>;
  (...a: infer A4): Promise<infer T4>;
}
  ? ((...a: A1) => Batch<[...R, T1], Multi>) &
      ((...a: A2) => Batch<[...R, T2], Multi>) &
      ((...a: A3) => Batch<[...R, T3], Multi>) &
      ((...a: A4) => Batch<[...R, T4], Multi>)
  : never;

export type PipelineCommands<R extends unknown[], Multi extends boolean> = {
  [K in keyof BatchedCommands]: Chained<BatchedCommands[K], R, Multi>;
};

/** `store.pipeline()`: chained typed calls sent together (not atomic). */
export interface Pipeline<R extends unknown[] = []> extends PipelineCommands<R, false> {
  /** Send the commands; the results in order. Rejects with a PipelineError if one failed. */
  exec<T extends unknown[] = PipelineResults<R>>(): Promise<T>;
  /** Send the commands; a `{ result, error }` per command. */
  exec<T extends unknown[] = PipelineResults<R>>(options: { keepErrors: true }): Promise<PipelineResultsKeepingErrors<T>>;
  /** The number of commands so far. */
  length(): number;
}

/** `store.multi()`: chained typed calls run as one MULTI … EXEC transaction. */
export interface Transaction<R extends unknown[] = []> extends PipelineCommands<R, true> {
  /**
   * Run the transaction; the results in order, or null when EXEC did not run it because a WATCHed
   * key changed. Rejects with a PipelineError if a command failed, with EXEC's ReplyError
   * (EXECABORT …) if the transaction was refused.
   */
  exec<T extends unknown[] = PipelineResults<R>>(): Promise<T | null>;
  /** As exec(), with a `{ result, error }` per command. */
  exec<T extends unknown[] = PipelineResults<R>>(options: { keepErrors: true }): Promise<PipelineResultsKeepingErrors<T> | null>;
  length(): number;
}

/** A command recorded by a pipeline, with what settles its method's promise. */
interface Recorded {
  readonly argv: CommandArg[];
  readonly buffers: boolean;
  resolve(reply: DecodedBuffer): void;
  reject(e: unknown): void;
}

/** The Transport a pipeline runs the store's methods over: it records instead of sending. */
class Recorder implements Transport {
  readonly commands: Recorded[] = [];

  send(argv: CommandArg[]): Promise<Decoded> {
    return this.record(argv, false) as Promise<Decoded>;
  }

  sendBuffer(argv: CommandArg[]): Promise<DecodedBuffer> {
    return this.record(argv, true);
  }

  private record(argv: CommandArg[], buffers: boolean): Promise<DecodedBuffer> {
    return new Promise<DecodedBuffer>((resolve, reject) => this.commands.push({ argv, buffers, resolve, reject }));
  }

  connect(): Transport {
    throw notInPipelineErr('connect');
  }

  onPush(): void {
    throw notInPipelineErr('onPush');
  }

  watchKeys(_pattern: CommandArg, _options: WatchKeysOptions, _listener: (changes: KeyChange[]) => void): () => void {
    throw notInPipelineErr('watchKeys');
  }

  close(): void {}
}

type Commands = new (transport: Transport) => RedisCommands;
type Outcome = { ok: true; value: DecodedBuffer } | { ok: false; error: unknown };
const settle = (p: Promise<DecodedBuffer>): Promise<Outcome> =>
  p.then(
    (value) => ({ ok: true, value }),
    (error: unknown) => ({ ok: false, error }),
  );

/** A pipeline or a transaction being built (its typed methods are put on the prototype once: definePipelineMethods). */
class PipelineImpl {
  private readonly recorder = new Recorder();
  /** The store's methods, over the recorder. */
  private readonly commands: RedisCommands;
  /** What each method returned: settled by exec. */
  private readonly results: Promise<unknown>[] = [];
  private executed = false;

  constructor(
    Commands: Commands,
    private readonly transport: Transport,
    private readonly multi: boolean,
  ) {
    this.commands = new Commands(this.recorder);
  }

  /** Run method `name` of the store over the recorder: it must send exactly one command. */
  add(name: string, args: unknown[]): this {
    if (this.executed) throw pipelineExecutedErr();
    const before = this.recorder.commands.length;
    const p = (this.commands as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[name]!(...args);
    if (this.recorder.commands.length !== before + 1) throw pipelineMethodErr(name);
    p.catch(() => {}); // read by exec
    this.results.push(p);
    return this;
  }

  length(): number {
    return this.results.length;
  }

  exec(options?: { keepErrors?: boolean }): Promise<unknown> {
    if (this.executed) return Promise.reject(pipelineExecutedErr());
    if (this.results.length === 0) return Promise.reject(pipelineEmptyErr());
    this.executed = true;
    const keepErrors = options?.keepErrors === true;
    return this.multi ? this.execTransaction(keepErrors) : this.execPipeline(keepErrors);
  }

  private execPipeline(keepErrors: boolean): Promise<unknown> {
    const t = this.transport;
    // All sent in this turn: no other command of the session comes between them.
    for (const r of this.recorder.commands) (r.buffers ? t.sendBuffer(r.argv) : t.send(r.argv)).then(r.resolve, r.reject);
    return this.collect(keepErrors);
  }

  private async execTransaction(keepErrors: boolean): Promise<unknown> {
    const t = this.transport;
    const recorded = this.recorder.commands;
    const buffers = recorded.some((r) => r.buffers);
    // All sent in this turn, so nothing of this session is queued into the transaction but them.
    const opened = settle(t.send(['MULTI']) as Promise<DecodedBuffer>);
    const queued = recorded.map((r) => settle(t.send(r.argv) as Promise<DecodedBuffer>));
    const ran = await settle(buffers ? t.sendBuffer(['EXEC']) : (t.send(['EXEC']) as Promise<DecodedBuffer>));
    const multi = await opened;
    if (!multi.ok) throw multi.error;
    if (!ran.ok) {
      // EXECABORT: a command was refused while queueing (its error says why).
      for (const q of await Promise.all(queued)) {
        if (!q.ok && ran.error instanceof Error && ran.error.cause === undefined) {
          ran.error.cause = q.error;
          break;
        }
      }
      throw ran.error;
    }
    if (ran.value === null) return null; // a WATCHed key changed: nothing ran
    const replies = ran.value as DecodedBuffer[];
    for (let i = 0; i < recorded.length; i++) {
      const r = recorded[i]!;
      const reply = replies[i]!;
      if (reply instanceof ReplyError) r.reject(reply);
      else r.resolve(buffers && !r.buffers ? bytesAsText(reply) : reply);
    }
    return this.collect(keepErrors);
  }

  /** The methods' results (decoded by each), in order. */
  private async collect(keepErrors: boolean): Promise<unknown> {
    const settled = await Promise.allSettled(this.results);
    if (keepErrors) {
      return settled.map((s) => (s.status === 'fulfilled' ? { result: s.value, error: undefined } : { result: undefined, error: errorText(s.reason) }));
    }
    const out = new Array<unknown>(settled.length);
    for (let i = 0; i < settled.length; i++) {
      const s = settled[i]!;
      if (s.status === 'rejected') throw new PipelineError(i, commandName(this.recorder.commands[i]!.argv), s.reason);
      out[i] = s.value;
    }
    return out;
  }
}

/** Bulk replies as text (a transaction's EXEC fetched as bytes for a command that wants bytes). */
function bytesAsText(r: DecodedBuffer): DecodedBuffer {
  if (r instanceof Uint8Array) return utf8DecodeLossy(r);
  if (Array.isArray(r)) return r.map(bytesAsText);
  return r;
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function commandName(argv: CommandArg[]): string {
  const a = argv[0];
  return a instanceof Uint8Array ? utf8DecodeLossy(a) : String(a);
}

let methodsDefined = false;

/** Give PipelineImpl every batched method of the store: each records its command and returns the pipeline. */
function definePipelineMethods(Commands: Commands): void {
  const names = new Set<string>(['call', 'callBuffer']);
  for (const name of Object.getOwnPropertyNames(Commands.prototype)) {
    if (name !== 'constructor' && !NOT_BATCHED.has(name) && typeof Object.getOwnPropertyDescriptor(Commands.prototype, name)!.value === 'function') {
      names.add(name);
    }
  }
  for (const name of names) {
    Object.defineProperty(PipelineImpl.prototype, name, {
      value: function (this: PipelineImpl, ...args: unknown[]) {
        return this.add(name, args);
      },
      writable: true,
      configurable: true,
    });
  }
  methodsDefined = true;
}

/** A pipeline (`multi`: a transaction) of the store methods of `Commands` on `transport`. */
export function createPipeline(Commands: Commands, transport: Transport, multi: true): Transaction;
export function createPipeline(Commands: Commands, transport: Transport, multi: false): Pipeline;
export function createPipeline(Commands: Commands, transport: Transport, multi: boolean): Pipeline | Transaction {
  if (!methodsDefined) definePipelineMethods(Commands);
  return new PipelineImpl(Commands, transport, multi) as unknown as Pipeline | Transaction;
}
