/**
 * The in-process front: `createStore()` runs an engine in this JS context and gives it the typed
 * API. Fronts in other packages (worker, server) give the same API over their own Transport.
 *
 * With `persistence`, the store loads what is stored before it runs any command (commands sent
 * meanwhile wait, in order), logs every write (aof.ts), and a reply resolves only once every op
 * logged up to it is durable: a write that cannot be made durable rejects with MISCONF.
 */
import { CommandLog, type PersistenceOptions } from './aof.js';
import { RedisCommands } from './api/index.js';
import type { CommandArg, Transport } from './api/transport.js';
import { Client } from './client.js';
import { misconfErr, ReplyError } from './errors.js';
import { checkBlockedTimeouts } from './blocked.js';
import { activeExpireCycle } from './expire.js';
import { KeyPattern, KeyWatcher, type KeyChange, type WatchKeysOptions } from './keywatch.js';
import { discardTransaction, restoreLostTransaction } from './multi.js';
import { decodeReply, decodeReplyBuffer, OK, type Decoded, type DecodedBuffer, type Reply } from './reply.js';
import { argIs, type Arg } from './sds.js';
import { Engine, hasBackgroundTimers, type EngineOptions } from './server.js';

// The commonest replies share one settled promise (a settled promise keeps no reactions).
const OK_PROMISE: Promise<Decoded> = Promise.resolve('OK');
const NULL_PROMISE: Promise<Decoded> = Promise.resolve(null);

export interface TimerApi {
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

export interface StoreOptions extends EngineOptions, PersistenceOptions {
  /**
   * Active expiry (Redis' serverCron → activeExpireCycle, 10 times a second). `true` (default) uses
   * globalThis.setInterval where timers outlive a request — not on Cloudflare Workers, where no
   * timer is set; pass your own timer API, or `false` for none. Without a timer lazy expiry still
   * keeps every read correct, and `store.serverCron()` on each request reclaims what nobody reads.
   */
  activeExpire?: boolean | TimerApi;
}

/** A command argument as the engine takes it: text (well-formed), or a private copy of bytes. */
export function toEngineArg(a: CommandArg): Arg {
  if (typeof a === 'string') return a.isWellFormed() ? a : a.toWellFormed();
  if (typeof a === 'number') {
    if (Number.isFinite(a)) return String(a);
    if (Number.isNaN(a)) return 'nan';
    return a > 0 ? '+inf' : '-inf';
  }
  if (a instanceof Uint8Array) return a.slice();
  if (typeof a === 'bigint') return String(a);
  throw new TypeError(`Lodis: a command argument must be a string, number, bigint or Uint8Array, got ${typeof a}`);
}

/**
 * Replies of dispatch() waiting for their batch to be durable: one group per batch promise, one
 * reaction per group. Entries are flat: done, ctx, reply, wrote.
 */
class DurableWaits {
  private promise: Promise<void> | null = null;
  private items: unknown[] = [];

  add(log: CommandLog, done: (ctx: unknown, reply: unknown) => void, ctx: unknown, reply: unknown, wrote: boolean): void {
    const p = log.whenDurable(log.seq);
    if (p !== this.promise) {
      this.promise = p;
      const items = (this.items = []);
      p.then(
        () => settleWaits(items, null),
        (e: unknown) => settleWaits(items, misconfErr(e)),
      );
    }
    this.items.push(done, ctx, reply, wrote);
  }
}

function settleWaits(items: unknown[], failure: ReplyError | null): void {
  for (let i = 0; i < items.length; i += 4) {
    const done = items[i] as (ctx: unknown, reply: unknown) => void;
    done(items[i + 1], failure !== null && items[i + 3] ? failure : items[i + 2]);
  }
}

const durableWaits = new DurableWaits();
const asReply = (r: Reply): Reply => r;

/** A session of an in-process engine. */
export class LocalTransport implements Transport {
  private readonly client: Client;
  private pushListener: ((m: Reply) => void) | null = null;
  /** Commands sent while the session is blocked (BLPOP …), run in order once it is unblocked. */
  private held: (() => void)[] = [];

  constructor(readonly engine: Engine) {
    const c = (this.client = engine.createClient());
    c.onPush = (m) => this.pushListener?.(m);
    c.onUnblocked = () => {
      // Like a blocked connection's pipeline: what was held back runs now, until one blocks again.
      while (this.held.length !== 0 && c.blocked === null) this.held.shift()!();
    };
  }

  /** The engine's session behind this transport (a front with connections sets addr, reads flags). */
  get session(): Client {
    return this.client;
  }

  /** True while a command of this session waits for a key (BLPOP …): later ones wait their turn. */
  get blocked(): boolean {
    return this.client.blocked !== null;
  }

  /** Execute synchronously; errors come back as ReplyError values. */
  execute(argv: CommandArg[]): Reply {
    const args = new Array<Arg>(argv.length);
    for (let i = 0; i < argv.length; i++) args[i] = toEngineArg(argv[i]!);
    if (this.client.closed) return new ReplyError('ERR Connection is closed');
    const r = this.engine.processCommand(this.client, args);
    // QUIT: an in-process session has no connection to close after the reply; it ends now.
    if (this.client.closeAfterReply) this.engine.freeClient(this.client);
    return r;
  }

  /** Run `run` once the session is unblocked (in order with the others held back). */
  private hold<T>(run: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => this.held.push(() => run().then(resolve, reject)));
  }

  send(argv: CommandArg[]): Promise<Decoded> {
    if (this.client.blocked !== null) return this.hold(() => this.send(argv));
    if (this.engine.commandLog !== null) return this.sendLogged(argv, decodeReply);
    const r = this.execute(argv);
    if (this.client.deferredReply !== null) return this.deferred(decodeReply);
    if (typeof r === 'string' || typeof r === 'number') return Promise.resolve(r);
    if (r === OK) return OK_PROMISE;
    if (r === null) return NULL_PROMISE;
    return r instanceof ReplyError ? Promise.reject(r) : Promise.resolve(decodeReply(r));
  }

  sendBuffer(argv: CommandArg[]): Promise<DecodedBuffer> {
    if (this.client.blocked !== null) return this.hold(() => this.sendBuffer(argv));
    if (this.engine.commandLog !== null) return this.sendLogged(argv, decodeReplyBuffer);
    const r = this.execute(argv);
    if (this.client.deferredReply !== null) return this.deferred(decodeReplyBuffer);
    return r instanceof ReplyError ? Promise.reject(r) : Promise.resolve(decodeReplyBuffer(r));
  }

  /**
   * send for a command forwarded with an operation id (opreplies.ts): `n` from `origin`. If the
   * store has applied it already (before a leader change, say), the reply recorded then; else it
   * runs, and if it logs effects its reply is logged with them. Bulk replies as bytes with `buffers`.
   */
  sendOp(argv: CommandArg[], origin: string, n: number, buffers: boolean): Promise<DecodedBuffer> {
    if (this.client.blocked !== null) return this.hold(() => this.sendOp(argv, origin, n, buffers));
    const decode = buffers ? decodeReplyBuffer : decodeReply;
    const log = this.engine.commandLog;
    if (log === null) return buffers ? this.sendBuffer(argv) : this.send(argv);
    if (log.loading) return log.afterLoad(() => this.sendOp(argv, origin, n, buffers));
    const done = this.engine.opReplies.get(origin, n);
    if (done !== undefined) {
      this.answeredFromLog(argv);
      return done instanceof ReplyError ? Promise.reject(done) : Promise.resolve(decode(done));
    }
    return this.sendLogged(argv, decode, origin, n);
  }

  /**
   * send on a persisted store: wait for loading; run; then, unless every op logged so far is
   * durable, wait for the batch holding the last one. A command that changed data (server.dirty)
   * and logged it rejects with MISCONF when that batch fails: nothing it did is acknowledged. A
   * read resolves either way, even one that logged the deletion of a key it found expired.
   */
  private sendLogged<T>(argv: CommandArg[], decode: (r: Reply) => T, origin?: string, n?: number): Promise<T> {
    const engine = this.engine;
    const log = engine.commandLog!;
    if (log.loading) return log.afterLoad(() => this.sendLogged(argv, decode, origin, n));
    const seqBefore = log.seq;
    const dirtyBefore = engine.dirty;
    const r = this.executeAs(argv, origin, n);
    if (origin !== undefined && log.seq !== seqBefore && this.client.deferredReply === null) log.recordAck(origin, n!, r);
    if (this.client.deferredReply !== null) return this.deferred(decode);
    const reply = (): Promise<T> => (r instanceof ReplyError ? Promise.reject(r) : Promise.resolve(decode(r)));
    if (log.synced) return reply();
    const wrote = log.seq !== seqBefore && engine.dirty !== dirtyBefore;
    return log.whenDurable(log.seq).then(reply, (e: unknown) => (wrote ? Promise.reject(misconfErr(e)) : reply()));
  }

  /**
   * Run a command now and hand its reply to `done(ctx, reply)` — error replies as ReplyError
   * values — at once when nothing waits for the disk, else when the batch holding what was logged
   * is durable: one wait per batch, not a promise per command (the path for fronts that pipeline).
   * Same rules as send: a write whose batch fails gets MISCONF; a read gets its reply either way.
   * With `origin` and `n`, the command is op `n` of `origin`, as in sendOp.
   */
  dispatch<C>(
    argv: CommandArg[],
    buffers: boolean,
    done: (ctx: C, reply: DecodedBuffer) => void,
    ctx: C,
    origin?: string,
    n?: number,
  ): void {
    this.dispatchWith(argv, buffers ? decodeReplyBuffer : decodeReply, done, ctx, origin, n);
  }

  /**
   * dispatch for a front that encodes the protocol itself (the RESP server): the reply as the
   * handler made it (a Reply: maps, doubles, pushes kept for RESP3), errors as ReplyError values.
   */
  dispatchReply<C>(argv: CommandArg[], done: (ctx: C, reply: Reply) => void, ctx: C): void {
    this.dispatchWith(argv, asReply, done, ctx);
  }

  private dispatchWith<C, T>(
    argv: CommandArg[],
    decode: (r: Reply) => T,
    done: (ctx: C, reply: T) => void,
    ctx: C,
    origin?: string,
    n?: number,
  ): void {
    const engine = this.engine;
    const log = engine.commandLog;
    if (log !== null) {
      if (log.loading) {
        void log.afterLoad(async () => this.dispatchWith(argv, decode, done, ctx, origin, n));
        return;
      }
      if (origin !== undefined) {
        const prior = engine.opReplies.get(origin, n!);
        if (prior !== undefined) {
          this.answeredFromLog(argv);
          return done(ctx, (prior instanceof ReplyError ? prior : decode(prior)) as T);
        }
      }
    }
    if (this.client.blocked !== null) {
      this.held.push(() => this.dispatchWith(argv, decode, done, ctx, origin, n));
      return;
    }
    const seqBefore = log?.seq ?? 0;
    const dirtyBefore = engine.dirty;
    const r = this.executeAs(argv, origin, n);
    const deferred = this.takeDeferred();
    if (deferred !== null) {
      void deferred.then((d) => done(ctx, (d instanceof ReplyError ? d : decode(d)) as T));
      return;
    }
    if (origin !== undefined && log !== null && log.seq !== seqBefore) log.recordAck(origin, n!, r);
    const reply = (r instanceof ReplyError ? r : decode(r)) as T;
    if (log === null || log.synced) return done(ctx, reply);
    const wrote = log.seq !== seqBefore && engine.dirty !== dirtyBefore;
    durableWaits.add(log, done as (ctx: unknown, reply: unknown) => void, ctx, reply, wrote);
  }

  /**
   * A resent op answered from the log ran on an earlier engine: what it did to its session there
   * must happen here too. An EXEC ended its transaction (this session's doomed copy of it, set up
   * by restoreTransaction).
   */
  private answeredFromLog(argv: CommandArg[]): void {
    const name = argv[0];
    if ((typeof name === 'string' || name instanceof Uint8Array) && argIs(name, 'exec')) discardTransaction(this.client);
  }

  /**
   * Set up, on this session, the transaction state a session had on the engine it was moved from
   * (a front's leader change): it was watching keys, it was in MULTI. Both doom the transaction
   * (multi.ts restoreLostTransaction): its EXEC replies null, or fails with EXECABORT.
   */
  restoreTransaction(watching: boolean, inMulti: boolean): void {
    restoreLostTransaction(this.client, watching, inMulti);
  }

  /**
   * Deliver the changes of keys matching `pattern` (in database `options.db`, else any) to
   * `listener`, a batch per microtask, until the returned function is called (keywatch.ts).
   */
  watchKeys(pattern: CommandArg, options: WatchKeysOptions, listener: (changes: KeyChange[]) => void): () => void {
    const w = new KeyWatcher(this.engine, new KeyPattern(pattern, options.db ?? null), listener);
    return () => w.stop();
  }

  /** execute, as op `n` of `origin` when given (a blocked command keeps it for its later reply). */
  private executeAs(argv: CommandArg[], origin: string | undefined, n: number | undefined): Reply {
    if (origin === undefined) return this.execute(argv);
    this.client.op = { origin, n: n! };
    try {
      return this.execute(argv);
    } finally {
      this.client.op = null;
    }
  }

  /**
   * The reply a handler deferred (a blocked BLPOP, SAVE), settling once what the command logged
   * by then is durable: a served BLPOP's pop is logged when it is served.
   */
  private takeDeferred(): Promise<Reply> | null {
    const deferred = this.client.deferredReply;
    if (deferred === null) return null;
    this.client.deferredReply = null;
    const log = this.engine.commandLog;
    if (log === null) return deferred;
    return deferred.then((d) => (log.synced ? d : log.whenDurable(log.seq).then(() => d, (e: unknown) => misconfErr(e))));
  }

  private deferred<T>(decode: (r: Reply) => T): Promise<T> {
    return this.takeDeferred()!.then((d) => (d instanceof ReplyError ? Promise.reject(d) : decode(d)));
  }

  connect(): LocalTransport {
    return new LocalTransport(this.engine);
  }

  onPush(listener: ((msg: Decoded) => void) | null, buffers = false): void {
    const decode = buffers ? decodeReplyBuffer : decodeReply;
    this.pushListener = listener ? (m) => listener(decode(m) as Decoded) : null;
  }

  /** Receive this session's pushed replies at the protocol level (for fronts that encode RESP). */
  onPushReply(listener: ((msg: Reply) => void) | null): void {
    this.pushListener = listener;
  }

  close(): void {
    this.engine.freeClient(this.client);
  }
}

export class Store extends RedisCommands {
  declare protected readonly transport: LocalTransport;
  private readonly root: boolean;
  private timer: { api: TimerApi; handle: unknown } | null = null;
  /** When serverCron() last ran a cycle (engine clock, ms). */
  private cronAt = -Infinity;

  constructor(transport: LocalTransport, root = false, options: StoreOptions = {}) {
    super(transport);
    this.root = root;
    if (root) {
      const api = options.activeExpire ?? true;
      const timers: TimerApi | null =
        api === true
          ? hasBackgroundTimers()
            ? { setInterval: globalThis.setInterval.bind(globalThis), clearInterval: globalThis.clearInterval.bind(globalThis) }
            : null
          : api === false
            ? null
            : api;
      if (timers) {
        const handle = timers.setInterval(() => this.activeExpireCycle(), CRON_PERIOD_MS);
        (handle as { unref?: () => void })?.unref?.(); // never keep a Node process alive
        this.timer = { api: timers, handle };
      }
    }
  }

  /**
   * This store's own session is not a connection: hide it from CLIENT LIST, CLIENT KILL and INFO
   * (a server front serving connections over the store calls this).
   */
  detachSession(): void {
    this.transport.engine.detachClient(this.transport.session);
  }

  /** The engine behind this store (for fronts and tools in this process). */
  get engine(): Engine {
    return this.transport.engine;
  }

  /**
   * Resolves when the store has loaded what its persistence holds (at once without persistence);
   * rejects when loading failed. Commands sent before then wait; they are not lost.
   */
  get ready(): Promise<void> {
    return this.transport.engine.commandLog?.ready ?? READY;
  }

  /** Resolves when every write so far is durable (at once without persistence); rejects if one cannot be. */
  flush(): Promise<void> {
    return this.transport.engine.commandLog?.flush() ?? READY;
  }

  /** Open another client session over the same data (for pub/sub, MULTI, blocking commands). */
  connect(): Store {
    return new Store(this.transport.connect());
  }

  /** Run one active expiry cycle now, and time out blocked sessions (for runtimes without timers). */
  activeExpireCycle(): void {
    activeExpireCycle(this.transport.engine);
    checkBlockedTimeouts(this.transport.engine);
  }

  /**
   * What Redis' serverCron does 10 times a second — an active expiry cycle and blocked sessions'
   * timeouts — if 100 ms have passed on the engine's clock since it last ran here: cheap enough to
   * call on every request where no timer runs it (Cloudflare Workers, Durable Objects). Returns
   * whether it ran.
   */
  serverCron(): boolean {
    const now = this.transport.engine.clock();
    if (now >= this.cronAt && now < this.cronAt + CRON_PERIOD_MS) return false; // a clock set back runs it
    this.cronAt = now;
    this.activeExpireCycle();
    return true;
  }

  /** Run a command synchronously, returning the protocol-level reply (errors as values). */
  execute(...argv: CommandArg[]): Reply {
    return this.transport.execute(argv);
  }

  /** Receive this session's pushed replies (pub/sub messages) at the protocol level. */
  onPushReply(listener: ((msg: Reply) => void) | null): void {
    this.transport.onPushReply(listener);
  }

  /**
   * Close this session. Closing the store itself also stops its timers and, with persistence,
   * waits until what was logged is durable, then closes the backend (the promise says when).
   */
  close(): Promise<void> {
    this.transport.close();
    if (!this.root) return READY;
    if (this.timer) {
      this.timer.api.clearInterval(this.timer.handle);
      this.timer = null;
    }
    return this.transport.engine.commandLog?.close() ?? READY;
  }
}

const READY: Promise<void> = Promise.resolve();
/** serverCron's period at Redis' default hz 10. */
const CRON_PERIOD_MS = 100;

/**
 * Create an in-process store: `const redis = createStore(); await redis.set('k', 'v')`. With
 * `persistence` it returns at once and loads in the background (`store.ready`); commands wait.
 */
export function createStore(options: StoreOptions = {}): Store {
  const engine = new Engine(options);
  const store = new Store(new LocalTransport(engine), true, options);
  if (options.persistence) engine.commandLog = new CommandLog(engine, options.persistence, options);
  return store;
}

/** createStore, resolved once what `options.persistence` holds is loaded: `const redis = await openStore({ persistence })`. */
export async function openStore(options: StoreOptions = {}): Promise<Store> {
  const store = createStore(options);
  await store.ready;
  return store;
}
