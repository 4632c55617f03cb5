/**
 * The typed API of the in-process store over a connection to any Redis-compatible server:
 * `createClient({ url: 'redis://…' })` gives a RedisClient — RedisCommands (the same methods,
 * `call`/`callBuffer`, `multi()`/`pipeline()`, `subscribe`…) over a RedisTransport, one
 * connection per session (connection.ts), as the in-process store has one engine client per
 * session. An app moves between an in-process or browser store and a Redis deployment by
 * changing how its client is created.
 */
import type tls from 'node:tls';
import { RedisCommands, type CommandArg, type Decoded, type DecodedBuffer, type KeyChange, type Transport, type WatchKeysOptions } from '@lodis/core';
import { RedisConnection, toText, type ConnectionHooks, type ConnectionOptions } from './connection.js';
import { watchKeyspace } from './keyspace.js';

export interface RedisClientOptions {
  /**
   * `redis://[[username]:password@]host[:port][/db]`, or `rediss://…` for TLS. Options given
   * alongside override its parts. Default `redis://127.0.0.1:6379`.
   */
  url?: string;
  host?: string;
  port?: number;
  username?: string;
  password?: string;
  /** The database every connection SELECTs (default 0). */
  db?: number;
  /** The name every connection takes (CLIENT SETNAME), as CLIENT LIST shows it. */
  name?: string;
  /** TLS: true, or node:tls connect options (CA, client certificate …). `rediss://` sets it. */
  tls?: boolean | tls.ConnectionOptions;
  /** How long opening a connection may take, in ms (default 10 000). */
  connectTimeout?: number;
  /**
   * Reconnection attempts in a row before the commands waiting for a connection fail with a
   * ConnectionError (default 20; `Infinity` to retry for ever). The next command tries again.
   */
  maxRetries?: number;
  /** The wait before reconnection attempt `attempt` in ms (default: 0, then 50 ms doubling up to 2 s). */
  retryDelay?: (attempt: number) => number;
  /**
   * Connection losses, reconnections given up, key watches that cannot run (keyspace
   * notifications off). Without it those are not reported, except a key watch that cannot run,
   * which is thrown as an uncaught error.
   */
  onError?: (error: Error) => void;
  /** Test and benchmark hooks. */
  hooks?: ConnectionHooks;
}

const defaultRetryDelay = (attempt: number): number => (attempt === 0 ? 0 : Math.min(50 * 2 ** (attempt - 1), 2000));

/** The options resolved from the URL and the explicit ones. */
export function resolveOptions(options: RedisClientOptions = {}): ConnectionOptions {
  const url = new URL(options.url ?? 'redis://127.0.0.1:6379');
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw new TypeError(`Lodis: a Redis URL starts with redis:// or rediss://, got ${url.protocol}//`);
  }
  const path = url.pathname.replace(/^\//, '');
  const db = options.db ?? (path === '' ? 0 : Number(path));
  if (!Number.isInteger(db) || db < 0) throw new TypeError(`Lodis: the database must be a non-negative integer, got ${path}`);
  const hostname = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  const decode = (s: string) => (s === '' ? null : decodeURIComponent(s));
  return {
    host: options.host ?? (hostname || '127.0.0.1'),
    port: options.port ?? (url.port === '' ? 6379 : Number(url.port)),
    tls: options.tls ?? url.protocol === 'rediss:',
    username: options.username ?? decode(url.username),
    password: options.password ?? decode(url.password),
    db,
    name: options.name ?? null,
    connectTimeout: options.connectTimeout ?? 10_000,
    maxRetries: options.maxRetries ?? 20,
    retryDelay: options.retryDelay ?? defaultRetryDelay,
    onError: options.onError ?? null,
    hooks: options.hooks ?? {},
  };
}

/** What the sessions of one client share: the options, and every connection open (closed with the client). */
class ClientContext {
  readonly connections = new Set<RedisConnection>();

  constructor(readonly options: ConnectionOptions) {}

  open(): RedisConnection {
    const c = new RedisConnection(this.options);
    this.connections.add(c);
    c.onClosed(() => this.connections.delete(c));
    return c;
  }

  /** A key watch that cannot run: to onError, else thrown where nobody can miss it. */
  report(e: Error): void {
    if (this.options.onError) this.options.onError(e);
    else
      queueMicrotask(() => {
        throw e;
      });
  }
}

/** A session (connection) to a Redis server: the Transport the typed API runs over. */
export class RedisTransport implements Transport {
  constructor(
    private readonly context: ClientContext,
    readonly connection: RedisConnection,
  ) {}

  send(argv: CommandArg[]): Promise<Decoded> {
    return this.connection.command(argv, false) as Promise<Decoded>;
  }

  sendBuffer(argv: CommandArg[]): Promise<DecodedBuffer> {
    return this.connection.command(argv, true);
  }

  connect(): RedisTransport {
    return new RedisTransport(this.context, this.context.open());
  }

  onPush(listener: ((msg: Decoded) => void) | null, buffers = false): void {
    this.connection.onPush(listener as ((msg: DecodedBuffer) => void) | null, buffers);
  }

  watchKeys(pattern: CommandArg, options: WatchKeysOptions, listener: (changes: KeyChange[]) => void): () => void {
    return watchKeyspace(this.context.open(), pattern, options, listener, (e) => this.context.report(e));
  }

  close(): void {
    this.connection.close();
  }
}

/** A Redis server behind the in-process store's typed API. */
export class RedisClient extends RedisCommands {
  declare protected readonly transport: RedisTransport;
  private readonly context: ClientContext;
  private readonly root: boolean;

  /** @internal Use createClient. */
  constructor(context: ClientContext, transport: RedisTransport, root: boolean) {
    super(transport);
    this.context = context;
    this.root = root;
  }

  /** Open another session (connection) to the server: for MULTI/WATCH, SELECT, blocking commands. */
  connect(): RedisClient {
    return new RedisClient(this.context, this.transport.connect(), false);
  }

  /**
   * QUIT: the commands sent before it are answered, then the connection ends (a command blocked
   * on the server, BLPOP …, is waited for: close() does not wait). On the client from
   * createClient, every connection it opened (sessions, subscriptions, key watches) is quit.
   */
  async quit(): Promise<void> {
    if (!this.root) return this.transport.connection.quit();
    await Promise.all([...this.context.connections].map((c) => c.quit()));
  }

  /**
   * End the session now: commands not answered yet reject with `ERR Connection is closed` (those
   * already written may still run; quit() waits for them). On the client from createClient,
   * every connection it opened is closed.
   */
  close(): Promise<void> {
    if (!this.root) this.transport.close();
    else for (const c of [...this.context.connections]) c.close();
    return Promise.resolve();
  }
}

/** Bulk replies of a `callBuffer` as text (exported for tests and tools). */
export { toText };

/**
 * A client of a Redis server: `const redis = createClient({ url: 'redis://localhost:6379' });
 * await redis.set('k', 'v')`. Returns at once; it connects on its first command.
 */
export function createClient(options: RedisClientOptions | string = {}): RedisClient {
  const context = new ClientContext(resolveOptions(typeof options === 'string' ? { url: options } : options));
  return new RedisClient(context, new RedisTransport(context, context.open()), true);
}
