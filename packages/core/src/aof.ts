/**
 * The command log (aof.c): every write's effects as numbered ops, group-committed to a
 * `Persistence` in checksummed batches; loading (snapshot, then the batches after it, replayed
 * through processCommand); checkpoints (BGREWRITEAOF, automatic compaction, and the recovery
 * after a failed write); and the read-only state a failed write puts the engine in.
 *
 * Model: Redis 7's multi-part AOF. A checkpoint is an AOF rewrite: a base snapshot (rdb.ts) as of
 * sequence number S, after which the backend drops the batches S covers. Unlike Redis there is no
 * fork: the snapshot is written copy-on-write while commands keep running (rdb.ts SnapshotWriter).
 *
 * Batch record (all integers little-endian):
 *
 *   "LAO" | version (2) | record length u32 | firstSeq f64 | op count u32 |
 *   ops: varint db, varint argc, per argument varint(byteLength * 2 + isBytes) + bytes |
 *   acks: varint origin count, origins (tagged text), varint ack count,
 *         per ack varint origin index, varint op number, tagged bytes reply (opreplies.ts) |
 *   CRC-32 u32 of everything before it
 *
 * An argument keeps its kind (text or bytes) so a replayed SET stores the same representation the
 * original did (sds.ts: a value is text, an integer or bytes). Acks are the replies of the
 * forwarded commands whose effects the batch holds, by operation id (opreplies.ts): loading puts
 * them back in the engine's table, so a command resent after a leader change is answered, not
 * applied again. Version 1 records (no acks section) still load.
 */
import { CMD_DENY_ON_DISK_ERROR, CMD_LOADING, CMD_WRITE, type CommandHandlers, type RedisCommand } from './commands.js';
import type { Client } from './client.js';
import {
  aofRewriteInProgressErr,
  describeError,
  loadFailedErr,
  loadingErr,
  misconfErr,
  noPersistenceErr,
  otherChildActiveErr,
  rdbSaveInProgressErr,
  type ReplyError,
} from './errors.js';
import type { LogBatch, Persistence } from './persistence.js';
import { encodeStoredReply } from './opreplies.js';
import { rdbLoad, SnapshotWriter } from './rdb.js';
import { Status, type Reply } from './reply.js';
import { ByteReader, ByteWriter, crc32, ShortReadError } from './rio.js';
import type { Arg } from './sds.js';
import type { Engine } from './server.js';

// ---- the batch record ------------------------------------------------------------------------

const BATCH_MAGIC_0 = 0x4c; // 'L'
const BATCH_MAGIC_1 = 0x41; // 'A'
const BATCH_MAGIC_2 = 0x4f; // 'O'
const BATCH_VERSION = 2;
/** magic (3) + version (1) + length (4) + firstSeq (8) + count (4) */
const BATCH_HEADER = 20;
const BATCH_TRAILER = 4;

/** One logged op: the db it ran in and its argv (as call() propagated it). */
export interface LoggedOp {
  readonly db: number;
  readonly argv: Arg[];
}

/** The reply of a forwarded command whose effects are in the batch, by operation id. */
export interface LoggedAck {
  readonly origin: string;
  readonly n: number;
  /** encodeStoredReply's bytes. */
  readonly reply: Uint8Array;
}

export type LogBatchErrorReason = 'magic' | 'version' | 'truncated' | 'checksum' | 'corrupt' | 'gap';

/** A batch record that cannot be trusted: loading stops before it (like redis-check-aof). */
export class LogBatchError extends Error {
  constructor(
    readonly reason: LogBatchErrorReason,
    message: string,
  ) {
    super(message);
    this.name = 'LogBatchError';
  }
}

/** Builds one batch record op by op (the log encodes as it goes: no argv is kept). */
export class BatchWriter {
  private readonly w = new ByteWriter(256);
  count = 0;
  /** Acks, encoded apart (they follow every op), and the origins they name. */
  private acks: ByteWriter | null = null;
  private ackCount = 0;
  private origins: Map<string, number> | null = null;

  constructor(readonly firstSeq: number) {
    this.w.ensure(BATCH_HEADER);
    this.w.pos = BATCH_HEADER;
  }

  add(db: number, argv: readonly Arg[]): void {
    const w = this.w;
    w.varint(db);
    w.varint(argv.length);
    for (let i = 0; i < argv.length; i++) {
      const a = argv[i]!;
      if (typeof a === 'string') w.taggedText(a, 0);
      else w.taggedBytes(a, 1);
    }
    this.count++;
  }

  /** The reply of op `n` from `origin`, whose effects were just added. */
  ack(origin: string, n: number, reply: Uint8Array): void {
    const origins = (this.origins ??= new Map());
    let index = origins.get(origin);
    if (index === undefined) origins.set(origin, (index = origins.size));
    const a = (this.acks ??= new ByteWriter(64));
    a.varint(index);
    a.varint(n);
    a.taggedBytes(reply, 0);
    this.ackCount++;
  }

  /** Bytes so far (for INFO's aof_buffer_length). */
  get byteLength(): number {
    return this.w.pos + (this.acks?.pos ?? 0) + BATCH_TRAILER + 2;
  }

  /** The finished record, in an array of its own size (a backend may store it as is). */
  finish(): Uint8Array {
    const w = this.w;
    const origins = this.origins;
    w.varint(origins?.size ?? 0);
    if (origins !== null) for (const o of origins.keys()) w.taggedText(o, 0);
    w.varint(this.ackCount);
    if (this.acks !== null) w.bytes(this.acks.result());
    const length = w.pos + BATCH_TRAILER;
    const end = w.pos;
    w.pos = 0;
    w.u8(BATCH_MAGIC_0);
    w.u8(BATCH_MAGIC_1);
    w.u8(BATCH_MAGIC_2);
    w.u8(BATCH_VERSION);
    w.u32(length);
    w.f64(this.firstSeq);
    w.u32(this.count);
    w.pos = end;
    w.u32(crc32(w.buf, 0, end));
    return w.buf.slice(0, length);
  }
}

/** encodeBatch: ops numbered from `firstSeq` as one checksummed record. */
export function encodeBatch(firstSeq: number, ops: readonly LoggedOp[], acks: readonly LoggedAck[] = []): Uint8Array {
  const b = new BatchWriter(firstSeq);
  for (const op of ops) b.add(op.db, op.argv);
  for (const a of acks) b.ack(a.origin, a.n, a.reply);
  return b.finish();
}

/**
 * decodeBatch: a record back as its ops. Throws LogBatchError — `magic`, `version`, `truncated`
 * (shorter than its header says), `checksum`, or `corrupt` — and never returns a partial batch.
 * Text arguments come back as strings, byte arguments as Uint8Arrays.
 */
export function decodeBatch(bytes: Uint8Array): { firstSeq: number; ops: LoggedOp[]; acks: LoggedAck[] } {
  if (bytes.length < 4) throw new LogBatchError('truncated', `batch record of ${bytes.length} bytes`);
  if (bytes[0] !== BATCH_MAGIC_0 || bytes[1] !== BATCH_MAGIC_1 || bytes[2] !== BATCH_MAGIC_2) {
    throw new LogBatchError('magic', 'not a Lodis log batch (bad magic)');
  }
  const version = bytes[3]!;
  if (version !== BATCH_VERSION && version !== 1) throw new LogBatchError('version', `unsupported log batch version ${version}`);
  if (bytes.length < BATCH_HEADER + BATCH_TRAILER) throw new LogBatchError('truncated', `batch record of ${bytes.length} bytes`);
  const r = new ByteReader(bytes, 4);
  const length = r.u32();
  if (bytes.length < length) throw new LogBatchError('truncated', `batch record cut short: ${bytes.length} of ${length} bytes`);
  if (bytes.length > length || length < BATCH_HEADER + BATCH_TRAILER) {
    throw new LogBatchError('corrupt', `batch record of ${bytes.length} bytes says it has ${length}`);
  }
  const end = length - BATCH_TRAILER;
  const stored = new DataView(bytes.buffer, bytes.byteOffset + end, 4).getUint32(0, true);
  if (crc32(bytes, 0, end) !== stored) throw new LogBatchError('checksum', 'batch record fails its checksum');
  const firstSeq = r.f64();
  const count = r.u32();
  const body = new ByteReader(bytes, BATCH_HEADER, end);
  const ops: LoggedOp[] = new Array(count);
  const acks: LoggedAck[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const db = body.varint();
      const argc = body.varint();
      const argv: Arg[] = new Array(argc);
      for (let j = 0; j < argc; j++) {
        const { length: n, flag } = body.tag();
        argv[j] = flag ? body.bytes(n) : body.text(n);
      }
      ops[i] = { db, argv };
    }
    if (version >= 2) {
      const origins: string[] = new Array(body.varint());
      for (let i = 0; i < origins.length; i++) origins[i] = body.text(body.tag().length);
      const n = body.varint();
      for (let i = 0; i < n; i++) {
        const origin = origins[body.varint()];
        if (origin === undefined) throw new LogBatchError('corrupt', 'an ack names an origin the batch does not list');
        const op = body.varint();
        acks.push({ origin, n: op, reply: body.bytes(body.tag().length) });
      }
    }
  } catch (e) {
    if (e instanceof ShortReadError) throw new LogBatchError('corrupt', 'batch record ends inside an op');
    throw e;
  }
  if (body.remaining !== 0) throw new LogBatchError('corrupt', 'bytes after the last op of a batch record');
  return { firstSeq, ops, acks };
}

// ---- options ---------------------------------------------------------------------------------

export interface PersistenceTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  /** Let the event loop run (between snapshot steps). Default: setImmediate, a MessageChannel, or setTimeout 0. */
  yield?(): Promise<void>;
}

/** What a load dropped: the batches from the first one that failed its checks to the end. */
export interface LogTruncation {
  /** Stored batch records dropped. */
  readonly batches: number;
  /** The first op that was not replayed, and the last sequence number of the dropped records. */
  readonly firstSeq: number;
  readonly lastSeq: number;
  /** Why the first dropped record was rejected. */
  readonly reason: string;
}

export interface PersistenceOptions {
  /** Where the command log and snapshots go. Without it the store keeps everything in memory. */
  persistence?: Persistence;
  /** Called once when loading stopped at a record that failed its checks (it and the rest were dropped). */
  onLogTruncated?: (truncation: LogTruncation) => void;
  /**
   * Automatic compaction: a checkpoint starts when the log grows past `factor` × the larger of
   * the last snapshot's size and `minLogBytes` (Redis' auto-aof-rewrite-percentage and -min-size).
   * Defaults: on, factor 1, 4 MB. Needs `persistence.logSize`.
   */
  compaction?: { auto?: boolean; factor?: number; minLogBytes?: number };
  /**
   * After a failed write, retry with a full checkpoint after this delay, doubling up to
   * `maxRetryDelayMs`. Defaults 1 s and 30 s.
   */
  retryDelayMs?: number;
  maxRetryDelayMs?: number;
  /**
   * Snapshot pacing: serialise for `stepMs` (default 4; at most `stepKeys` keys, default no limit)
   * then yield to the event loop; chunks of about `chunkBytes` (default 1 MB).
   */
  snapshot?: { stepMs?: number; stepKeys?: number; chunkBytes?: number };
  /** Timers for retries and snapshot steps (default: the runtime's). */
  persistenceTimers?: PersistenceTimers;
}

const DEFAULT_TIMERS: PersistenceTimers = {
  setTimeout: (fn, ms) => {
    const h = globalThis.setTimeout(fn, ms);
    (h as { unref?: () => void })?.unref?.();
    return h;
  },
  clearTimeout: (h) => globalThis.clearTimeout(h as never),
};

/** The runtime's cheapest macrotask boundary: setImmediate, a MessageChannel, or setTimeout 0. */
function macrotaskYield(): () => Promise<void> {
  interface Port {
    onmessage: (() => void) | null;
    postMessage(m: unknown): void;
  }
  const g = globalThis as unknown as {
    setImmediate?: (fn: () => void) => unknown;
    MessageChannel?: new () => { port1: Port; port2: Port };
  };
  if (typeof g.setImmediate === 'function') return () => new Promise<void>((r) => g.setImmediate!(r));
  if (typeof g.MessageChannel === 'function') {
    const ch = new g.MessageChannel();
    const waiting: (() => void)[] = [];
    ch.port1.onmessage = () => waiting.shift()?.();
    return () =>
      new Promise<void>((r) => {
        waiting.push(r);
        ch.port2.postMessage(0);
      });
  }
  return () => new Promise<void>((r) => globalThis.setTimeout(r, 0));
}

let yieldImpl: (() => Promise<void>) | null = null;

/**
 * A macrotask boundary, so commands and I/O run between snapshot steps (setTimeout clamps to 4 ms
 * in browsers). Chosen on first use: importing the engine opens no MessageChannel.
 */
function yieldToEventLoop(): Promise<void> {
  return (yieldImpl ??= macrotaskYield())();
}

const noop = (): void => {};

// ---- the log ---------------------------------------------------------------------------------

/** Ops waiting to be appended, as one record in the making, and who waits for it. */
class PendingBatch {
  readonly writer: BatchWriter;
  lastSeq: number;
  private promise: Promise<void> | null = null;
  private settle: { resolve: () => void; reject: (e: unknown) => void } | null = null;

  constructor(readonly firstSeq: number) {
    this.writer = new BatchWriter(firstSeq);
    this.lastSeq = firstSeq - 1;
  }

  /** Settles when the batch is durable (or fails). Created on demand: an unobserved failure is no unhandled rejection. */
  whenDurable(): Promise<void> {
    return (this.promise ??= new Promise<void>((resolve, reject) => (this.settle = { resolve, reject })));
  }

  resolve(): void {
    this.settle?.resolve();
  }

  reject(e: unknown): void {
    this.settle?.reject(e);
  }
}

type CheckpointKind = 'rdb' | 'aof';

interface RunningCheckpoint {
  readonly kind: CheckpointKind;
  readonly seq: number;
  readonly writer: SnapshotWriter;
  /** Started while writes fail (or after a truncated load): the log resumes only when it succeeds. */
  readonly recovery: boolean;
  readonly startedAt: number;
  readonly dirtyAtStart: number;
  /** Set to stop the snapshot at its next step. */
  aborted: unknown;
  done: Promise<void>;
}

/**
 * The engine's command log: sequence numbers, group commit, durability waits, the read-only
 * state after a failed write and its recovery, checkpoints, and loading.
 */
export class CommandLog {
  /** The last sequence number given to an op. */
  seq = 0;
  /** Every op up to here is durable (in the log, or covered by the active snapshot). */
  durableSeq = 0;
  /** Commands wait (send) or get LOADING (execute) until the stored state is loaded. */
  loading = true;
  /** The error of the failed write that made the store read-only, or null. */
  failure: unknown = null;
  /** What loading dropped, or null. */
  truncation: LogTruncation | null = null;
  /** Resolves when loading is done; rejects when it failed. */
  readonly ready: Promise<void>;

  private open: PendingBatch | null = null;
  /** Batches sealed at a checkpoint's boundary, waiting their turn. */
  private readonly queue: PendingBatch[] = [];
  private inflight: PendingBatch | null = null;
  private flushScheduled = false;
  private readonly flushFn = (): void => {
    this.flushScheduled = false;
    this.pump();
  };
  /** Appends wait for a recovery checkpoint (after a failed write or a truncated load). */
  private held = false;
  private needsRepair = false;
  private checkpoint: RunningCheckpoint | null = null;
  private rewriteScheduled = false;
  private bgsaveScheduled = false;
  private retryTimer: unknown = null;
  private retryDelay: number;
  private closed = false;
  private replayClient: Client | null = null;
  private waitingForLoad: (() => void)[] = [];

  private readonly timers: PersistenceTimers;
  private readonly yieldFn: () => Promise<void>;
  private readonly compactAuto: boolean;
  private readonly compactFactor: number;
  private readonly compactMinBytes: number;
  private readonly initialRetryDelay: number;
  private readonly maxRetryDelay: number;
  private readonly stepMs: number;
  private readonly stepKeys: number;
  private readonly chunkBytes: number | undefined;
  private readonly onLogTruncated: ((t: LogTruncation) => void) | undefined;

  // What INFO persistence reports.
  /** Bytes of the active snapshot (aof_base_size). */
  baseSize = 0;
  /** engine.dirty when the last successful checkpoint started (rdb_changes_since_last_save). */
  private dirtyAtSave = 0;
  private rdbSaves = 0;
  private rdbLastStatus: 'ok' | 'err' = 'ok';
  private rdbLastTimeSec = -1;
  private aofRewrites = 0;
  private aofRewriteFailures = 0;
  private aofLastRewriteStatus: 'ok' | 'err' = 'ok';
  private aofLastRewriteTimeSec = -1;
  private loadKeysLoaded = 0;

  constructor(
    private readonly engine: Engine,
    private readonly persistence: Persistence,
    options: PersistenceOptions = {},
  ) {
    this.timers = options.persistenceTimers ?? DEFAULT_TIMERS;
    this.yieldFn = this.timers.yield?.bind(this.timers) ?? yieldToEventLoop;
    this.compactAuto = options.compaction?.auto ?? true;
    this.compactFactor = options.compaction?.factor ?? 1;
    this.compactMinBytes = options.compaction?.minLogBytes ?? 4 * 1024 * 1024;
    this.initialRetryDelay = options.retryDelayMs ?? 1000;
    this.maxRetryDelay = options.maxRetryDelayMs ?? 30_000;
    this.retryDelay = this.initialRetryDelay;
    this.stepMs = options.snapshot?.stepMs ?? 4;
    this.stepKeys = options.snapshot?.stepKeys ?? Infinity;
    this.chunkBytes = options.snapshot?.chunkBytes;
    this.onLogTruncated = options.onLogTruncated;
    this.ready = this.load();
    this.ready.catch(noop); // the caller may never look; a failed load is also every command's error
  }

  // ---- feeding and group commit ----

  /** engine.onPropagate: number the op and add it to the batch of this tick. */
  private readonly feed = (dbid: number, argv: Arg[]): void => {
    const seq = ++this.seq;
    // While writes fail, ops are covered by the next recovery checkpoint (it snapshots the memory).
    if ((this.failure !== null && !this.checkpoint?.recovery) || this.closed) return;
    let b = this.open;
    if (b === null) {
      b = this.open = new PendingBatch(seq);
      if (!this.flushScheduled && this.inflight === null && !this.held) {
        this.flushScheduled = true;
        queueMicrotask(this.flushFn);
      }
    }
    b.writer.add(dbid, argv);
    b.lastSeq = seq;
  };

  /**
   * The reply of forwarded op `n` from `origin`, whose effects were just logged: kept in the
   * engine's table and in the batch holding those effects (dropped with them while writes fail).
   */
  recordAck(origin: string, n: number, reply: Reply): void {
    const bytes = encodeStoredReply(reply);
    this.engine.opReplies.set(origin, n, bytes);
    const b = this.open;
    if (b !== null && b.lastSeq === this.seq) b.writer.ack(origin, n, bytes);
  }

  /** One append in flight; what accumulates meanwhile goes in the next one. */
  private pump(): void {
    if (this.inflight !== null || this.held || this.failure !== null) return;
    let b = this.queue.shift();
    if (b === undefined) {
      if (this.open === null) return;
      b = this.open;
      this.open = null;
    }
    const batch: PendingBatch = b;
    this.inflight = batch;
    let p: Promise<void>;
    try {
      p = this.persistence.append({ firstSeq: batch.firstSeq, lastSeq: batch.lastSeq, bytes: batch.writer.finish() });
    } catch (e) {
      p = Promise.reject(e);
    }
    p.then(
      () => this.appended(batch),
      (e) => this.appendFailed(batch, e),
    );
  }

  private appended(b: PendingBatch): void {
    this.inflight = null;
    if (b.lastSeq > this.durableSeq) this.durableSeq = b.lastSeq;
    b.resolve();
    this.maybeCompact();
    this.pump();
  }

  private appendFailed(b: PendingBatch, e: unknown): void {
    this.inflight = null;
    b.reject(e);
    this.enterFailure(e);
  }

  /**
   * A write failed: reject every op not yet durable (none is acknowledged), refuse writes from now
   * on (MISCONF), and retry with a full checkpoint after a backoff.
   */
  private enterFailure(e: unknown): void {
    this.failure = e;
    this.held = false;
    this.engine.commandGate = this.failureGate;
    const failed = this.queue.splice(0);
    if (this.open !== null) failed.push(this.open);
    this.open = null;
    for (const b of failed) b.reject(e);
    const cp = this.checkpoint;
    if (cp !== null && !cp.recovery) cp.aborted ??= e; // its snapshot would not cover what failed
    else if (cp === null) this.scheduleRecovery();
  }

  private readonly failureGate = (_c: Client, _cmd: RedisCommand, flags: number): ReplyError | null =>
    flags & (CMD_WRITE | CMD_DENY_ON_DISK_ERROR) ? misconfErr(this.failure) : null;

  private scheduleRecovery(): void {
    if (this.closed || this.retryTimer !== null) return;
    const delay = this.retryDelay;
    this.retryDelay = Math.min(this.retryDelay * 2, this.maxRetryDelay);
    this.retryTimer = this.timers.setTimeout(() => {
      this.retryTimer = null;
      if (this.checkpoint === null && this.failure !== null) this.startCheckpoint('aof');
    }, delay);
  }

  /**
   * Settles when every op up to `seq` is durable; rejects with the write's error when the batch
   * holding it failed. `seq` is at most this.seq.
   */
  whenDurable(seq: number): Promise<void> {
    if (seq <= this.durableSeq) return Promise.resolve();
    const open = this.open;
    if (open !== null && seq >= open.firstSeq) return open.whenDurable();
    for (let i = this.queue.length - 1; i >= 0; i--) {
      const b = this.queue[i]!;
      if (seq >= b.firstSeq) return b.whenDurable();
    }
    const inflight = this.inflight;
    if (inflight !== null && seq >= inflight.firstSeq) return inflight.whenDurable();
    // Not in any batch: dropped while writes failed (or after close).
    return Promise.reject(this.failure ?? new Error('the command log is closed'));
  }

  /** Every op logged so far is durable: the check a reply makes before it resolves. */
  get synced(): boolean {
    return this.seq === this.durableSeq || this.failure !== null || this.closed;
  }

  // ---- loading ----

  /** Run `run` once loading is done (in the order of the calls). */
  afterLoad<T>(run: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.waitingForLoad.push(() => {
        try {
          resolve(run());
        } catch (e) {
          reject(e);
        }
      });
    });
  }

  private readonly loadingGate = (c: Client, _cmd: RedisCommand, flags: number): ReplyError | null =>
    c === this.replayClient || flags & CMD_LOADING ? null : loadingErr();

  /**
   * loadDataFromDisk: the snapshot, then every batch after it through processCommand with the
   * engine loading (nothing expires). Stops at the first batch that fails its checks; the store
   * opens with what came before, reports the drop, and writes a checkpoint before it logs
   * anything new, so the dropped records are gone before new ones could follow them.
   */
  private async load(): Promise<void> {
    const engine = this.engine;
    engine.loading = true;
    engine.commandGate = this.loadingGate;
    let seq = 0;
    let truncated: { batches: number; firstSeq: number; lastSeq: number; reason: string } | null = null;
    try {
      const stored = await this.persistence.load();
      if (stored.snapshot !== null) {
        const r = await rdbLoad(engine, stored.snapshot.seq, stored.snapshot.chunks);
        seq = stored.snapshot.seq;
        this.baseSize = r.bytes;
        this.loadKeysLoaded = r.keys;
      }
      const c = (this.replayClient = engine.createClient());
      for await (const batch of stored.log) {
        if (truncated !== null) {
          truncated.batches++;
          if (batch.lastSeq > truncated.lastSeq) truncated.lastSeq = batch.lastSeq;
          continue;
        }
        if (batch.lastSeq <= seq) continue; // covered by the snapshot
        let ops: LoggedOp[], acks: LoggedAck[];
        try {
          ({ ops, acks } = checkedBatch(batch, seq));
        } catch (e) {
          if (!(e instanceof LogBatchError)) throw e;
          truncated = { batches: 1, firstSeq: seq + 1, lastSeq: Math.max(batch.lastSeq, seq), reason: e.message };
          continue;
        }
        for (let i = 0; i < ops.length; i++) {
          if (batch.firstSeq + i <= seq) continue; // an op the snapshot covers
          const op = ops[i]!;
          const db = engine.dbs[op.db];
          if (db === undefined) throw new Error(`the log uses db ${op.db}; this store has ${engine.dbs.length} databases`);
          c.db = db;
          engine.processCommand(c, op.argv);
        }
        for (const a of acks) engine.opReplies.set(a.origin, a.n, a.reply);
        seq = batch.lastSeq;
      }
      engine.freeClient(c);
      this.replayClient = null;
    } catch (e) {
      if (this.replayClient !== null) engine.freeClient(this.replayClient);
      this.replayClient = null;
      engine.loading = false;
      this.loading = false;
      engine.commandGate = () => loadFailedErr(e);
      this.drainLoadQueue();
      throw e;
    }
    // Numbering goes on after everything stored, dropped records included: their sequence
    // numbers stay taken until the repair checkpoint below has removed them.
    this.seq = this.durableSeq = truncated !== null ? truncated.lastSeq : seq;
    this.dirtyAtSave = engine.dirty;
    engine.loading = false;
    this.loading = false;
    engine.commandGate = null;
    engine.onPropagate = this.feed;
    if (truncated !== null) {
      this.truncation = truncated;
      this.needsRepair = true;
      this.startCheckpoint('aof');
      try {
        this.onLogTruncated?.(truncated);
      } catch {
        // a listener's error is not the store's
      }
    }
    this.drainLoadQueue();
  }

  private drainLoadQueue(): void {
    const waiting = this.waitingForLoad;
    this.waitingForLoad = [];
    for (const run of waiting) run();
  }

  // ---- checkpoints ----

  /**
   * Start a checkpoint as of the current sequence number: a snapshot written copy-on-write while
   * commands run, handed to the backend chunk by chunk; the backend then drops the batches it
   * covers. While writes fail (or after a truncated load) it is the recovery: the log resumes,
   * and writes are accepted again, only when it succeeds.
   */
  private startCheckpoint(kind: CheckpointKind): RunningCheckpoint {
    if (this.retryTimer !== null) {
      this.timers.clearTimeout(this.retryTimer);
      this.retryTimer = null;
    }
    const recovery = this.failure !== null || this.needsRepair;
    const seq = this.seq;
    if (recovery) this.held = true;
    else if (this.open !== null) {
      // No batch spans the checkpoint's sequence number: a backend drops whole batches.
      this.queue.push(this.open);
      this.open = null;
    }
    const writer = new SnapshotWriter(this.engine, seq, { chunkBytes: this.chunkBytes });
    this.engine.snapshotInProgress = writer;
    const cp: RunningCheckpoint = {
      kind,
      seq,
      writer,
      recovery,
      startedAt: this.engine.clock(),
      dirtyAtStart: this.engine.dirty,
      aborted: null,
      done: Promise.resolve(),
    };
    this.checkpoint = cp;
    if (kind === 'aof') this.aofRewrites++;
    else this.rdbSaves++; // both count started checkpoints, as stat_rdb_saves and stat_aof_rewrites do
    let p: Promise<void>;
    try {
      p = this.persistence.checkpoint(seq, this.checkpointChunks(cp));
    } catch (e) {
      p = Promise.reject(e);
    }
    cp.done = p.then(
      () => this.checkpointDone(cp),
      (e) => {
        this.checkpointFailed(cp, e);
        throw e;
      },
    );
    cp.done.catch(noop);
    return cp;
  }

  private async *checkpointChunks(cp: RunningCheckpoint): AsyncGenerator<Uint8Array> {
    const w = cp.writer;
    for (;;) {
      if (cp.aborted !== null) throw cp.aborted;
      w.step(this.stepMs, this.stepKeys);
      for (let chunk = w.takeChunk(); chunk !== null; chunk = w.takeChunk()) {
        yield chunk;
        if (cp.aborted !== null) throw cp.aborted;
      }
      if (w.finished) break;
      await this.yieldFn();
    }
    // The snapshot replaces the log up to cp.seq: those ops must be in the log first (a backend
    // may drop batches up to cp.seq before a late one lands). Recovery covers them itself.
    if (!cp.recovery && cp.seq > this.durableSeq) await this.whenDurable(cp.seq);
    if (cp.aborted !== null) throw cp.aborted;
  }

  private endCheckpoint(cp: RunningCheckpoint): number {
    if (this.engine.snapshotInProgress === cp.writer) this.engine.snapshotInProgress = null;
    if (this.checkpoint === cp) this.checkpoint = null;
    return Math.round((this.engine.clock() - cp.startedAt) / 1000);
  }

  private checkpointDone(cp: RunningCheckpoint): void {
    const secs = this.endCheckpoint(cp);
    this.baseSize = cp.writer.bytesWritten;
    this.dirtyAtSave = cp.dirtyAtStart;
    this.engine.lastSave = Math.floor(this.engine.clock() / 1000);
    if (cp.kind === 'rdb') {
      this.rdbLastStatus = 'ok';
      this.rdbLastTimeSec = secs;
    } else {
      this.aofLastRewriteStatus = 'ok';
      this.aofLastRewriteTimeSec = secs;
      this.aofRewriteFailures = 0;
    }
    if (cp.recovery) {
      // The memory as of cp.seq is durable: the log resumes after it, writes are accepted again.
      this.failure = null;
      this.needsRepair = false;
      this.held = false;
      this.retryDelay = this.initialRetryDelay;
      if (this.engine.commandGate === this.failureGate) this.engine.commandGate = null;
      if (cp.seq > this.durableSeq) this.durableSeq = cp.seq;
      if (this.open !== null && !this.flushScheduled) {
        this.flushScheduled = true;
        queueMicrotask(this.flushFn);
      }
    } else if (this.failure !== null) {
      this.scheduleRecovery();
    }
    this.runScheduled();
  }

  private checkpointFailed(cp: RunningCheckpoint, e: unknown): void {
    const secs = this.endCheckpoint(cp);
    if (cp.kind === 'rdb') {
      this.rdbLastStatus = 'err';
      this.rdbLastTimeSec = secs;
    } else {
      this.aofLastRewriteStatus = 'err';
      this.aofLastRewriteTimeSec = secs;
      this.aofRewriteFailures++;
    }
    if (cp.recovery) {
      this.held = false;
      if (this.failure === null) this.enterFailure(e); // the repair after a truncated load
      else {
        this.failure = e;
        this.open = null; // covered by the next attempt, which snapshots a later state
        this.scheduleRecovery();
      }
    } else if (this.failure !== null) {
      this.scheduleRecovery();
    }
    this.runScheduled();
  }

  private runScheduled(): void {
    if (this.checkpoint !== null || this.closed) return;
    if (this.failure !== null) return; // the recovery's timer runs the next checkpoint
    if (this.rewriteScheduled) {
      this.rewriteScheduled = false;
      this.startCheckpoint('aof');
    } else if (this.bgsaveScheduled) {
      this.bgsaveScheduled = false;
      this.startCheckpoint('rdb');
    }
  }

  /** Automatic compaction: the log has outgrown the snapshot. */
  private maybeCompact(): void {
    if (!this.compactAuto || this.checkpoint !== null || this.failure !== null || this.closed) return;
    const size = this.persistence.logSize?.();
    if (size !== undefined && size > Math.max(this.baseSize, this.compactMinBytes) * this.compactFactor) {
      this.startCheckpoint('aof');
    }
  }

  /** BGREWRITEAOF */
  bgrewriteaof(): Reply {
    const cp = this.checkpoint;
    if (cp?.kind === 'aof') throw aofRewriteInProgressErr();
    if (cp !== null) {
      this.rewriteScheduled = true;
      return new Status('Background append only file rewriting scheduled');
    }
    this.startCheckpoint('aof');
    return new Status('Background append only file rewriting started');
  }

  /** BGSAVE [SCHEDULE] */
  bgsave(schedule: boolean): Reply {
    const cp = this.checkpoint;
    if (cp?.kind === 'rdb') throw rdbSaveInProgressErr();
    if (cp !== null) {
      if (!schedule) throw otherChildActiveErr();
      this.bgsaveScheduled = true;
      return new Status('Background saving scheduled');
    }
    this.startCheckpoint('rdb');
    return new Status('Background saving started');
  }

  /**
   * SAVE: a checkpoint, resolving when it is durable. Refused while a BGSAVE runs (as in Redis);
   * after a running rewrite, as the next checkpoint.
   */
  save(): Promise<void> {
    const cp = this.checkpoint;
    if (cp?.kind === 'rdb') throw rdbSaveInProgressErr();
    if (cp !== null) return cp.done.then(() => this.saveAfter(), () => this.saveAfter());
    return this.startCheckpoint('rdb').done;
  }

  private saveAfter(): Promise<void> {
    const cp = this.checkpoint;
    if (cp !== null) return cp.done.then(() => this.saveAfter(), () => this.saveAfter());
    return this.startCheckpoint('rdb').done;
  }

  /** Resolves when everything logged so far is durable; rejects if it cannot be. */
  flush(): Promise<void> {
    if (this.loading) return this.ready.then(() => this.flush());
    if (this.failure !== null) return Promise.reject(misconfErr(this.failure));
    return this.whenDurable(this.seq).catch((e: unknown) => Promise.reject(misconfErr(e)));
  }

  /** Wait for what is logged to be durable (unless writes fail), stop, and close the backend. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.ready.catch(noop);
    if (this.failure === null) await this.whenDurable(this.seq).catch(noop);
    this.closed = true;
    if (this.retryTimer !== null) {
      this.timers.clearTimeout(this.retryTimer);
      this.retryTimer = null;
    }
    const cp = this.checkpoint;
    if (cp !== null) {
      cp.aborted ??= new Error('the store is closing');
      await cp.done.catch(noop);
    }
    if (this.engine.onPropagate === this.feed) this.engine.onPropagate = null;
    // Later writes on other sessions of this engine are refused: nothing would persist them.
    const closedError = new Error('the store is closed');
    closedError.name = 'ClosedError';
    this.failure = closedError;
    this.engine.commandGate = this.failureGate;
    await this.persistence.close();
  }

  // ---- INFO persistence ----

  /** The fields of INFO persistence, Redis' names first, then Lodis' own. */
  infoFields(): [string, string | number][] {
    const cp = this.checkpoint;
    const now = this.engine.clock();
    const running = (kind: CheckpointKind): number => (cp?.kind === kind ? Math.round((now - cp.startedAt) / 1000) : -1);
    let buffered = 0;
    for (const b of this.queue) buffered += b.writer.byteLength;
    if (this.open !== null) buffered += this.open.writer.byteLength;
    const t = this.truncation;
    const logSize = this.persistence.logSize?.() ?? 0;
    return [
      ['loading', this.loading ? 1 : 0],
      ['async_loading', 0],
      ['current_cow_peak', 0],
      ['current_cow_size', 0],
      ['current_cow_size_age', 0],
      ['current_fork_perc', '0.00'],
      ['current_save_keys_processed', cp?.writer.keysWritten ?? 0],
      ['current_save_keys_total', cp?.writer.keysTotal ?? 0],
      ['rdb_changes_since_last_save', this.engine.dirty - this.dirtyAtSave],
      ['rdb_bgsave_in_progress', cp?.kind === 'rdb' ? 1 : 0],
      ['rdb_last_save_time', this.engine.lastSave],
      ['rdb_last_bgsave_status', this.rdbLastStatus],
      ['rdb_last_bgsave_time_sec', this.rdbLastTimeSec],
      ['rdb_current_bgsave_time_sec', running('rdb')],
      ['rdb_saves', this.rdbSaves],
      ['rdb_last_cow_size', 0],
      ['rdb_last_load_keys_expired', 0],
      ['rdb_last_load_keys_loaded', this.loadKeysLoaded],
      ['aof_enabled', 1],
      ['aof_rewrite_in_progress', cp?.kind === 'aof' ? 1 : 0],
      ['aof_rewrite_scheduled', this.rewriteScheduled ? 1 : 0],
      ['aof_last_rewrite_time_sec', this.aofLastRewriteTimeSec],
      ['aof_current_rewrite_time_sec', running('aof')],
      ['aof_last_bgrewrite_status', this.aofLastRewriteStatus],
      ['aof_rewrites', this.aofRewrites],
      ['aof_rewrites_consecutive_failures', this.aofRewriteFailures],
      ['aof_last_write_status', this.failure === null ? 'ok' : 'err'],
      ['aof_last_cow_size', 0],
      ['module_fork_in_progress', 0],
      ['module_fork_last_cow_size', 0],
      ['aof_current_size', this.baseSize + logSize],
      ['aof_base_size', this.baseSize],
      ['aof_pending_rewrite', this.rewriteScheduled ? 1 : 0],
      ['aof_buffer_length', buffered],
      ['aof_pending_bio_fsync', this.inflight !== null ? 1 : 0],
      ['aof_delayed_fsync', 0],
      ['lodis_log_seq', this.seq],
      ['lodis_log_durable_seq', this.durableSeq],
      ['lodis_log_size', logSize],
      ['lodis_last_write_error', this.failure === null ? '' : describeError(this.failure)],
      ['lodis_log_dropped_batches', t?.batches ?? 0],
      ['lodis_log_dropped_first_seq', t?.firstSeq ?? 0],
      ['lodis_log_dropped_last_seq', t?.lastSeq ?? 0],
    ];
  }
}

/** A stored batch decoded and checked against where it sits: the op after `seq` comes next. */
function checkedBatch(batch: LogBatch, seq: number): { ops: LoggedOp[]; acks: LoggedAck[] } {
  if (batch.firstSeq > seq + 1) {
    throw new LogBatchError('gap', `batch ${batch.firstSeq}..${batch.lastSeq} follows op ${seq}: ops are missing`);
  }
  const { firstSeq, ops, acks } = decodeBatch(batch.bytes);
  if (firstSeq !== batch.firstSeq || firstSeq + ops.length - 1 !== batch.lastSeq) {
    const holds = `${firstSeq}..${firstSeq + ops.length - 1}`;
    throw new LogBatchError('corrupt', `batch stored as ${batch.firstSeq}..${batch.lastSeq} holds ${holds}`);
  }
  return { ops, acks };
}

// ---- commands --------------------------------------------------------------------------------

function commandLogOf(c: Client): CommandLog {
  const log = c.engine.commandLog;
  if (log === null) throw noPersistenceErr();
  return log;
}

/** BGREWRITEAOF — a checkpoint in the background (the log is compacted into a new snapshot). */
function bgrewriteaofCommand(c: Client): Reply {
  return commandLogOf(c).bgrewriteaof();
}

export const aofCommands: CommandHandlers = {
  bgrewriteaof: bgrewriteaofCommand,
};
