/// <reference lib="dom" />
/**
 * The page side: `createClient({ name, durability })` gives the typed API of the in-process store
 * (RedisCommands, the same methods and `call`/`callBuffer`) over a WorkerTransport, which sends
 * every command issued in one microtask to the worker in one Comlink call (auto-pipelining) and
 * settles their promises in order; error replies reject as ReplyError with Redis' text.
 */
import * as Comlink from 'comlink';
import { RedisCommands, ReplyError, type CommandArg, type Decoded, type DecodedBuffer, type Transport } from '@lodis/core';
import type { Durability } from '@lodis/idb-persist';
import type { Batch, PushMessage, WireReply, WorkerApi } from './protocol.js';
import { fromWire, isWireError } from './wire.js';

export interface ClientOptions {
  /** The store's name (its IndexedDB database). */
  name: string;
  /** How writes are made durable (idb-persist's modes); default `'durable'`. */
  durability?: Durability;
  /**
   * A worker running this package's worker entry (`@lodis/web-worker/worker`), for bundlers or
   * hosts that start workers their own way. Default: one started from the package itself. A worker
   * passed in is not terminated by `close()`.
   */
  worker?: Worker;
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

/** The connection to one worker, shared by every session of a client: the batching and the push port. */
class WorkerLink {
  readonly api: Comlink.Remote<WorkerApi>;
  readonly ready: Promise<void>;
  private commands: CommandArg[][] = [];
  private sessions: number[] = [];
  private buffers: number[] = [];
  private pending: Pending[] = [];
  private closing: number[] = [];
  private scheduled = false;
  private nextSession = 1;
  private readonly pushListeners = new Map<number, (msg: WireReply) => void>();
  private readonly port: MessagePort;
  closed = false;

  constructor(
    readonly worker: Worker,
    private readonly ownsWorker: boolean,
    name: string,
    durability: Durability,
    private readonly hooks: ClientHooks,
  ) {
    this.api = Comlink.wrap<WorkerApi>(worker);
    const channel = new MessageChannel();
    this.port = channel.port1;
    this.port.onmessage = (e: MessageEvent<PushMessage>) => this.receive(e.data);
    this.ready = this.api.open({ kind: 'open', name, durability }, Comlink.transfer(channel.port2, [channel.port2]));
    // Commands queued meanwhile go once the store is open; a failed open fails them.
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
      this.pending.push({ resolve, reject, buffers });
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
    queueMicrotask(() => this.flush());
  }

  /** Send what this microtask queued as one batch. */
  private flush(): void {
    this.scheduled = false;
    const batch: Batch = { kind: 'batch', commands: this.commands, sessions: this.sessions, buffers: this.buffers, close: this.closing };
    const pending = this.pending;
    this.commands = [];
    this.sessions = [];
    this.buffers = [];
    this.pending = [];
    this.closing = [];
    this.hooks.batch?.(batch.commands.length);
    this.ready
      .then(() => this.api.exec(batch))
      .then(
        ({ replies }) => {
          for (let i = 0; i < pending.length; i++) {
            const p = pending[i]!;
            const r = replies[i]!;
            if (typeof r !== 'object' || r === null) p.resolve(r);
            else if (isWireError(r)) p.reject(new ReplyError(r.err));
            else p.resolve(fromWire(r, p.buffers));
          }
        },
        (e: unknown) => {
          const err = e instanceof ReplyError ? e : new ReplyError(`ERR Lodis worker: ${e instanceof Error ? e.message : String(e)}`);
          for (const p of pending) p.reject(err);
        },
      );
  }

  private receive(m: PushMessage): void {
    if (m.kind === 'push') this.pushListeners.get(m.session)?.(m.msg);
    else console.warn(`Lodis: the store in the worker was closed (${m.reason})`);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    // Let what is queued go first.
    if (this.scheduled) await Promise.resolve();
    this.closed = true;
    try {
      await this.ready;
      await this.api.close();
    } finally {
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
  const link = new WorkerLink(worker, own, options.name, options.durability ?? 'durable', options.hooks ?? {});
  return new WorkerClient(link, new WorkerTransport(link, 0), true);
}
