/// <reference lib="dom" />
/**
 * The page side: `createClient({ name, durability })` gives the typed API of the in-process store
 * (RedisCommands, the same methods and `call`/`callBuffer`) over a WorkerTransport, which sends
 * every command issued in one microtask to the worker in one message (auto-pipelining) and
 * settles each promise when its reply comes; error replies reject as ReplyError with Redis' text.
 * The worker is this tab's member of the store's tabs (tab.ts): it leads or forwards to the leader.
 */
import * as Comlink from 'comlink';
import {
  RedisCommands,
  ReplyError,
  type CommandArg,
  type Decoded,
  type DecodedBuffer,
  type KeyChange,
  type Transport,
  type WatchKeysOptions,
} from '@lodis/core';
import type { Durability } from '@lodis/idb-persist';
import type { KeyWatchStats, Leadership, PageBatch, PageKeyChanges, PageToWorker, WireReply, WorkerApi, WorkerToPage } from './protocol.js';
import { SessionStates } from './session-state.js';
import { fromWire, isWireError } from './wire.js';

export interface ClientOptions {
  /** The store's name: its IndexedDB database, and what tabs share (every tab opening it sees one store). */
  name: string;
  /**
   * How writes are made durable (idb-persist's modes); default `'durable'`. The leader's applies:
   * open a store with the same durability in every tab.
   */
  durability?: Durability;
  /**
   * A worker running this package's worker entry (`@lodis/web-worker/worker`), for bundlers or
   * hosts that start workers their own way. Default: one started from the package itself. A worker
   * passed in is not terminated by `close()`.
   */
  worker?: Worker;
  /**
   * A follower waiting for replies that hears nothing from the leader for this long (ms) — its tab
   * is frozen or its thread is stuck — takes the leadership over. Default 5000.
   */
  leaderTimeout?: number;
  /** Test and benchmark hooks. */
  hooks?: ClientHooks;
}

export interface ClientHooks {
  /** Called once per message sent to the worker with the number of commands it carries. */
  batch?(commands: number): void;
}

/** A key watch of the page. */
interface KeyWatch {
  readonly pattern: CommandArg;
  readonly db: number | null;
  readonly listener: (changes: KeyChange[]) => void;
}

/** A command until its reply is in (kept whole: a restarted worker is sent it again). */
interface Pending {
  resolve(v: DecodedBuffer): void;
  reject(e: unknown): void;
  readonly buffers: boolean;
  readonly session: number;
  readonly argv: CommandArg[];
}

/** The worker, its Comlink proxy and the port of one start of it. */
interface Started {
  readonly worker: Worker;
  readonly api: Comlink.Remote<WorkerApi>;
  readonly port: MessagePort;
  readonly ready: Promise<void>;
}

/** The connection to one worker, shared by every session of a client: the batching and the port. */
class WorkerLink {
  /** This client's id: the origin of its commands' operation ids, for the life of the page. */
  private readonly origin: string = crypto.randomUUID();
  private started: Started;
  /** The page is in the back/forward cache: its worker was terminated, commands wait. */
  private suspended = false;
  /** What each session set up (db, subscriptions), for a restarted worker. */
  private readonly states = new SessionStates();
  /** Id of the next command (its operation number). */
  private nextId = 1;
  private first = 1;
  private commands: CommandArg[][] = [];
  private sessions: number[] = [];
  private buffers: number[] = [];
  private closing: number[] = [];
  private scheduled = false;
  private readonly pending = new Map<number, Pending>();
  private nextSession = 1;
  private readonly pushListeners = new Map<number, (msg: WireReply) => void>();
  /** Key watches (`watchKeys`), by id: registered with the worker (again with a restarted one). */
  private readonly keyWatches = new Map<number, KeyWatch>();
  private nextWatch = 1;
  private readonly hooks: ClientHooks;
  /** Called when the last pending reply is in (close waits for it). */
  private drained: (() => void) | null = null;
  closed = false;

  constructor(
    worker: Worker,
    private readonly ownsWorker: boolean,
    private readonly options: ClientOptions,
  ) {
    this.hooks = options.hooks ?? {};
    this.started = this.start(worker);
    // A page kept in the back/forward cache is frozen, and its worker with it — holding the
    // store's lock if it led. Its worker is terminated when the page is hidden that way and
    // started again when it is shown (a worker passed in by the caller is the caller's business).
    if (ownsWorker && typeof addEventListener === 'function') {
      addEventListener('pagehide', this.onPageHide);
      addEventListener('pageshow', this.onPageShow);
    }
  }

  get worker(): Worker {
    return this.started.worker;
  }

  get api(): Comlink.Remote<WorkerApi> {
    return this.started.api;
  }

  get ready(): Promise<void> {
    return this.started.ready;
  }

  private start(worker: Worker): Started {
    const api = Comlink.wrap<WorkerApi>(worker);
    const channel = new MessageChannel();
    const port = channel.port1;
    port.onmessage = (e: MessageEvent<WorkerToPage>) => this.receive(e.data);
    const o = this.options;
    const ready = api.open(
      { kind: 'open', name: o.name, durability: o.durability ?? 'durable', leaderTimeout: o.leaderTimeout ?? 5000, origin: this.origin },
      Comlink.transfer(channel.port2, [channel.port2]),
    );
    ready.catch(() => {});
    return { worker, api, port, ready };
  }

  private readonly onPageHide = (e: PageTransitionEvent): void => {
    if (!e.persisted || this.closed || this.suspended) return;
    this.suspended = true;
    const { worker, api, port } = this.started;
    worker.terminate(); // releases its locks at once: another tab takes over
    port.close();
    api[Comlink.releaseProxy]();
  };

  private readonly onPageShow = (e: PageTransitionEvent): void => {
    if (!e.persisted || this.closed || !this.suspended) return;
    this.suspended = false;
    this.started = this.start(new Worker(new URL('./worker.js', import.meta.url), { type: 'module', name: `lodis:${this.options.name}` }));
    // The new worker knows nothing: register the key watches, set each session up again (a
    // transaction in progress doomed: session-state.ts), then send every unanswered command again
    // under its id — one the old worker had applied is answered from the log.
    for (const [id, w] of this.keyWatches) this.postWatch(id, w);
    const commands: CommandArg[][] = [];
    const sessions: number[] = [];
    const restore: number[] = [];
    for (const [session, argv, isRestore] of this.states.restoreCommands()) {
      if (isRestore) restore.push(commands.length);
      commands.push(argv);
      sessions.push(session);
    }
    const restoreIds = commands.length;
    const buffers: number[] = [];
    const ids: number[] = [];
    for (const [id, p] of this.pending) {
      if (p.buffers) buffers.push(commands.length);
      commands.push(p.argv);
      sessions.push(p.session);
      ids.push(id);
    }
    // Restore commands take ids nobody waits for; the pending keep theirs (their op numbers).
    const first = this.nextId;
    this.nextId += restoreIds;
    this.first = this.nextId;
    if (restoreIds) this.post({ kind: 'batch', first, commands: commands.slice(0, restoreIds), sessions: sessions.slice(0, restoreIds), buffers: [], close: [], restore });
    for (let i = 0; i < ids.length; i++) {
      const k = restoreIds + i;
      this.post({
        kind: 'batch',
        first: ids[i]!,
        commands: [commands[k]!],
        sessions: [sessions[k]!],
        buffers: buffers.includes(k) ? [0] : [],
        close: [],
        resent: true,
      });
    }
    if (this.commands.length) this.schedule();
  };

  newSession(): number {
    return this.nextSession++;
  }

  enqueue(session: number, argv: CommandArg[], buffers: boolean): Promise<DecodedBuffer> {
    if (this.closed) return Promise.reject(new ReplyError('ERR Connection is closed'));
    return new Promise<DecodedBuffer>((resolve, reject) => {
      if (buffers) this.buffers.push(this.commands.length);
      this.commands.push(argv);
      this.sessions.push(session);
      this.pending.set(this.nextId++, { resolve, reject, buffers, session, argv });
      this.schedule();
    });
  }

  endSession(session: number): void {
    this.pushListeners.delete(session);
    this.states.forget(session);
    if (this.closed) return;
    this.closing.push(session);
    this.schedule();
  }

  onPush(session: number, listener: ((msg: WireReply) => void) | null): void {
    if (listener) this.pushListeners.set(session, listener);
    else this.pushListeners.delete(session);
  }

  /** Deliver the changes of keys matching `pattern` (in `db`, or any) to `listener` until the returned function is called. */
  watchKeys(pattern: CommandArg, db: number | null, listener: (changes: KeyChange[]) => void): () => void {
    if (this.closed) return () => {};
    const id = this.nextWatch++;
    const w: KeyWatch = { pattern, db, listener };
    this.keyWatches.set(id, w);
    // Posted now, ahead of the commands of this microtask's batch: it sees what they change.
    if (!this.suspended) this.postWatch(id, w);
    return () => {
      if (!this.keyWatches.delete(id) || this.closed || this.suspended) return;
      this.started.port.postMessage({ kind: 'unwatch-keys', id } satisfies PageToWorker);
    };
  }

  private postWatch(id: number, w: KeyWatch): void {
    this.started.port.postMessage({ kind: 'watch-keys', id, pattern: w.pattern, db: w.db } satisfies PageToWorker);
  }

  /** Changes from the worker, to each watch's listener (a batch per watch, in order). */
  private keyChanges(m: PageKeyChanges): void {
    const byWatch = new Map<number, KeyChange[]>();
    for (let i = 0; i < m.watches.length; i++) {
      const id = m.watches[i]!;
      if (!this.keyWatches.has(id)) continue; // stopped: nothing more is delivered
      let list = byWatch.get(id);
      if (list === undefined) byWatch.set(id, (list = []));
      list.push({ key: m.keys[i]!, event: m.events[i]!, db: m.dbs[i]! });
    }
    for (const [id, changes] of byWatch) this.keyWatches.get(id)?.listener(changes);
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(this.flush);
  }

  /** Send what this microtask queued as one batch (the worker queues it until a leader serves the store). */
  private readonly flush = (): void => {
    this.scheduled = false;
    const batch: PageBatch = {
      kind: 'batch',
      first: this.first,
      commands: this.commands,
      sessions: this.sessions,
      buffers: this.buffers,
      close: this.closing,
    };
    this.first = this.nextId;
    this.commands = [];
    this.sessions = [];
    this.buffers = [];
    this.closing = [];
    // While the page is in the back/forward cache the commands wait in `pending`: resent on return.
    if (this.suspended) return;
    this.hooks.batch?.(batch.commands.length);
    this.post(batch);
  };

  private post(batch: PageBatch): void {
    this.started.port.postMessage(batch satisfies PageToWorker);
  }

  private receive(m: WorkerToPage): void {
    if (m.kind === 'replies') {
      const { ids, replies } = m;
      for (let i = 0; i < ids.length; i++) {
        const p = this.pending.get(ids[i]!);
        if (p === undefined) continue;
        this.pending.delete(ids[i]!);
        const r = replies[i]!;
        if (typeof r !== 'object' || r === null) p.resolve(r);
        else if (isWireError(r)) {
          p.reject(new ReplyError(r.err));
          this.states.track(p.session, p.argv, r.err);
          continue;
        } else p.resolve(fromWire(r, p.buffers));
        this.states.track(p.session, p.argv, null, r === null);
      }
      if (this.drained !== null && this.pending.size === 0) this.drained();
    } else if (m.kind === 'push') {
      this.pushListeners.get(m.session)?.(m.msg);
    } else if (m.kind === 'key-changes') {
      this.keyChanges(m);
    } else {
      console.warn(`Lodis: the store in the worker was closed (${m.reason})`);
      this.failAll(new ReplyError(`ERR Lodis worker: ${m.reason}`));
    }
  }

  private failAll(e: ReplyError): void {
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }

  leadership(): Promise<Leadership> {
    return this.api.leadership();
  }

  stall(ms: number): Promise<void> {
    return this.api.stall(ms);
  }

  async keyWatchStats(): Promise<{ page: number } & KeyWatchStats> {
    return { page: this.keyWatches.size, ...(await this.api.keyWatchStats()) };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    // Let what is queued go first, and wait for its replies.
    if (this.scheduled) await Promise.resolve();
    this.closed = true;
    this.keyWatches.clear();
    try {
      await this.ready;
      if (this.pending.size > 0) await new Promise<void>((r) => (this.drained = r));
      await this.api.close();
    } finally {
      this.failAll(new ReplyError('ERR Connection is closed'));
      if (this.ownsWorker && typeof removeEventListener === 'function') {
        removeEventListener('pagehide', this.onPageHide);
        removeEventListener('pageshow', this.onPageShow);
      }
      if (!this.suspended) {
        this.started.port.close();
        this.api[Comlink.releaseProxy]();
      }
      if (this.ownsWorker) this.worker.terminate();
    }
  }
}

/** A session (connection) of a worker-backed client: the Transport the typed API runs over. */
export class WorkerTransport implements Transport {
  private ended = false;

  constructor(
    private readonly link: WorkerLink,
    readonly session: number,
  ) {}

  send(argv: CommandArg[]): Promise<Decoded> {
    return this.link.enqueue(this.session, argv, false) as Promise<Decoded>;
  }

  sendBuffer(argv: CommandArg[]): Promise<DecodedBuffer> {
    return this.link.enqueue(this.session, argv, true);
  }

  connect(): WorkerTransport {
    return new WorkerTransport(this.link, this.link.newSession());
  }

  onPush(listener: ((msg: Decoded) => void) | null, buffers = false): void {
    this.link.onPush(this.session, listener ? (m) => listener(fromWire(m, buffers) as Decoded) : null);
  }

  watchKeys(pattern: CommandArg, options: WatchKeysOptions, listener: (changes: KeyChange[]) => void): () => void {
    return this.link.watchKeys(pattern, options.db ?? null, listener);
  }

  close(): void {
    if (this.ended) return;
    this.ended = true;
    this.link.endSession(this.session);
  }
}

/** A Lodis store in a worker, with the in-process store's typed API. */
export class WorkerClient extends RedisCommands {
  declare protected readonly transport: WorkerTransport;
  private readonly link: WorkerLink;
  private readonly root: boolean;

  /** @internal Use createClient. */
  constructor(link: WorkerLink, transport: WorkerTransport, root: boolean) {
    super(transport);
    this.link = link;
    this.root = root;
  }

  /** Resolves when the worker has opened the store (loaded what IndexedDB holds); rejects if it could not. */
  get ready(): Promise<void> {
    return this.link.ready;
  }

  /** The worker the store runs in. */
  get worker(): Worker {
    return this.link.worker;
  }

  /** Which tab leads the store, and this tab's role. */
  leadership(): Promise<Leadership> {
    return this.link.leadership();
  }

  /** @internal Test hook: the key watches of this page, of its worker and (if it leads) of the leader. */
  keyWatchStats(): Promise<{ page: number } & KeyWatchStats> {
    return this.link.keyWatchStats();
  }

  /** @internal Test hook: block this tab's worker thread for `ms` (a stalled leader, if it leads). */
  stallWorker(ms: number): Promise<void> {
    return this.link.stall(ms);
  }

  /** Open another session (connection) over the same store: for MULTI, SELECT, pub/sub. */
  connect(): WorkerClient {
    return new WorkerClient(this.link, this.transport.connect(), false);
  }

  /**
   * Close this session. Closing the client itself closes the store in the worker once every
   * acknowledged write is durable, and terminates the worker it started.
   */
  close(): Promise<void> {
    if (!this.root) {
      this.transport.close();
      return Promise.resolve();
    }
    return this.link.close();
  }
}

/**
 * Open a store in a Web Worker: `const redis = createClient({ name: 'app' }); await redis.set('k', 'v')`.
 * Returns at once; commands issued before the store has loaded wait (`client.ready`).
 */
export function createClient(options: ClientOptions): WorkerClient {
  const own = options.worker === undefined;
  const worker = options.worker ?? new Worker(new URL('./worker.js', import.meta.url), { type: 'module', name: `lodis:${options.name}` });
  const link = new WorkerLink(worker, own, options);
  return new WorkerClient(link, new WorkerTransport(link, 0), true);
}
