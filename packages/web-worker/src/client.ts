/// <reference lib="dom" />
/**
 * The page side: `createClient({ name, durability })` gives the typed API of the in-process store
 * (RedisCommands, the same methods and `call`/`callBuffer`) over a WorkerTransport, which sends
 * every command issued in one microtask to the worker in one message (auto-pipelining) and
 * settles each promise when its reply comes; error replies reject as ReplyError with Redis' text.
 * The worker is this tab's member of the store's tabs (tab.ts): it leads or forwards to the leader.
 */
import * as Comlink from 'comlink';
import { RedisCommands, ReplyError, type CommandArg, type Decoded, type DecodedBuffer, type Transport } from '@lodis/core';
import type { Durability } from '@lodis/idb-persist';
import type { Leadership, PageBatch, WireReply, WorkerApi, WorkerToPage } from './protocol.js';
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

interface Pending {
  resolve(v: DecodedBuffer): void;
  reject(e: unknown): void;
  buffers: boolean;
}

/** The connection to one worker, shared by every session of a client: the batching and the port. */
class WorkerLink {
  readonly api: Comlink.Remote<WorkerApi>;
  readonly ready: Promise<void>;
  private readonly port: MessagePort;
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
  private readonly hooks: ClientHooks;
  /** Called when the last pending reply is in (close waits for it). */
  private drained: (() => void) | null = null;
  closed = false;

  constructor(
    readonly worker: Worker,
    private readonly ownsWorker: boolean,
    options: ClientOptions,
  ) {
    this.hooks = options.hooks ?? {};
    this.api = Comlink.wrap<WorkerApi>(worker);
    const channel = new MessageChannel();
    this.port = channel.port1;
    this.port.onmessage = (e: MessageEvent<WorkerToPage>) => this.receive(e.data);
    this.ready = this.api.open(
      { kind: 'open', name: options.name, durability: options.durability ?? 'durable', leaderTimeout: options.leaderTimeout ?? 5000 },
      Comlink.transfer(channel.port2, [channel.port2]),
    );
    this.ready.catch(() => {});
  }

  newSession(): number {
    return this.nextSession++;
  }

  enqueue(session: number, argv: CommandArg[], buffers: boolean): Promise<DecodedBuffer> {
    if (this.closed) return Promise.reject(new ReplyError('ERR Connection is closed'));
    return new Promise<DecodedBuffer>((resolve, reject) => {
      if (buffers) this.buffers.push(this.commands.length);
      this.commands.push(argv);
      this.sessions.push(session);
      this.pending.set(this.nextId++, { resolve, reject, buffers });
      this.schedule();
    });
  }

  endSession(session: number): void {
    this.pushListeners.delete(session);
    if (this.closed) return;
    this.closing.push(session);
    this.schedule();
  }

  onPush(session: number, listener: ((msg: WireReply) => void) | null): void {
    if (listener) this.pushListeners.set(session, listener);
    else this.pushListeners.delete(session);
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
    this.hooks.batch?.(batch.commands.length);
    this.port.postMessage(batch);
  };

  private receive(m: WorkerToPage): void {
    if (m.kind === 'replies') {
      const { ids, replies } = m;
      for (let i = 0; i < ids.length; i++) {
        const p = this.pending.get(ids[i]!);
        if (p === undefined) continue;
        this.pending.delete(ids[i]!);
        const r = replies[i]!;
        if (typeof r !== 'object' || r === null) p.resolve(r);
        else if (isWireError(r)) p.reject(new ReplyError(r.err));
        else p.resolve(fromWire(r, p.buffers));
      }
      if (this.drained !== null && this.pending.size === 0) this.drained();
    } else if (m.kind === 'push') {
      this.pushListeners.get(m.session)?.(m.msg);
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

  async close(): Promise<void> {
    if (this.closed) return;
    // Let what is queued go first, and wait for its replies.
    if (this.scheduled) await Promise.resolve();
    this.closed = true;
    try {
      await this.ready;
      if (this.pending.size > 0) await new Promise<void>((r) => (this.drained = r));
      await this.api.close();
    } finally {
      this.failAll(new ReplyError('ERR Connection is closed'));
      this.port.close();
      this.api[Comlink.releaseProxy]();
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
