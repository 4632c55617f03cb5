/**
 * lodis-server: a Lodis store behind Redis' protocol on TCP (Node's `net`, which Deno and Bun
 * provide too), so redis-cli, ioredis, node-redis and redis-benchmark talk to it.
 *
 *   const server = await startServer({ port: 6379 });   // binds 127.0.0.1
 *   // redis-cli -p 6379 SET greeting hello
 *   await server.close();
 *
 * Accepting a connection (networking.c acceptCommonHandler, clientAcceptHandler), as Redis:
 * over `maxclients` the peer gets `-ERR max number of clients reached` and is closed; in
 * protected mode (`protected-mode yes`, the default) with no `requirepass`, a peer that is not on
 * the loopback interface gets the `-DENIED …` text and is closed. Each accepted connection is an
 * engine session of its own (connection.ts).
 */
import net from 'node:net';
import { configGetValue, configSetInternal, createStore, LocalTransport, lookupConfig, openStore, type Persistence, type Store, type StoreOptions } from '@lodis/core';
import { Connection } from './connection.js';

export interface ServerOptions {
  /** TCP port; 0 picks a free one (see `server.port`). Default 6379. */
  port?: number;
  /** Addresses to listen on, space-separated as Redis' `bind`. Default `127.0.0.1`. */
  bind?: string;
  /** Require AUTH with this password (Redis' `requirepass`). */
  requirepass?: string;
  /** Any other Redis settings, applied as a config file would (`{ 'protected-mode': 'no' }`). */
  config?: Record<string, string>;
  /** Persist through this backend (a FilePersistence for `--appendonly yes`); default: memory. */
  persistence?: Persistence;
  /** Serve this store instead of creating one (it stays open after `close()`). */
  store?: Store;
  /** Options for the store the server creates. */
  storeOptions?: StoreOptions;
}

const DENIED =
  '-DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the default user. ' +
  'In this mode connections are only accepted from the loopback interface. If you want to connect from external computers to Redis you may adopt one of the following solutions: ' +
  "1) Just disable protected mode sending the command 'CONFIG SET protected-mode no' from the loopback interface by connecting to Redis from the same host the server is running, however MAKE SURE Redis is not publicly accessible from internet if you do so. Use CONFIG REWRITE to make this change permanent. " +
  "2) Alternatively you can just disable the protected mode by editing the Redis configuration file, and setting the protected mode option to 'no', and then restarting the server. " +
  "3) If you started the server manually just for testing, restart it with the '--protected-mode no' option. " +
  '4) Setup a an authentication password for the default user. NOTE: You only need to do one of the above things in order for the server to start accepting connections from the outside.\r\n';

/** islocalClient: the peer is on the loopback interface. */
function isLoopback(address: string | undefined): boolean {
  if (address === undefined) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  return v4.startsWith('127.') || address === '::1';
}

export class LodisServer {
  private readonly listeners: net.Server[] = [];
  private readonly connections = new Set<Connection>();
  private closing: Promise<void> | null = null;
  /** The port listened on (the one chosen when started with port 0). */
  port = 0;

  private constructor(
    readonly store: Store,
    private readonly ownsStore: boolean,
  ) {}

  /** Create (or take) the store, apply the settings, listen on every `bind` address. */
  static async start(options: ServerOptions = {}): Promise<LodisServer> {
    const ownsStore = options.store === undefined;
    const store =
      options.store ??
      (options.persistence
        ? await openStore({ ...options.storeOptions, persistence: options.persistence })
        : createStore(options.storeOptions));
    store.detachSession(); // the connections are the clients, not the store's own session
    const server = new LodisServer(store, ownsStore);
    const bind = options.bind ?? '127.0.0.1';
    const settings: Record<string, string> = { ...options.config, bind };
    if (options.requirepass !== undefined) settings.requirepass = options.requirepass;
    configSetInternal(store.engine, settings);
    let port = options.port ?? 6379;
    try {
      for (const host of bind.split(' ').filter((h) => h !== '')) {
        const listener = net.createServer((socket) => server.accept(socket));
        await new Promise<void>((resolve, reject) => {
          listener.once('error', reject);
          listener.listen(port, host.replace(/^-/, ''), () => {
            listener.off('error', reject);
            resolve();
          });
        });
        server.listeners.push(listener);
        port = (listener.address() as net.AddressInfo).port;
      }
    } catch (e) {
      await server.close();
      throw e;
    }
    server.port = port;
    configSetInternal(store.engine, { port: String(port) });
    return server;
  }

  private setting(name: string): string {
    return configGetValue(this.store.engine, lookupConfig(name)!);
  }

  private accept(socket: net.Socket): void {
    if (this.closing !== null) return void socket.destroy();
    if (this.connections.size >= Number(this.setting('maxclients'))) {
      this.refuse(socket, '-ERR max number of clients reached\r\n');
      return;
    }
    if (this.setting('protected-mode') === 'yes' && this.setting('requirepass') === '' && !isLoopback(socket.remoteAddress)) {
      this.refuse(socket, DENIED);
      return;
    }
    const conn = new Connection(new LocalTransport(this.store.engine), socket, { onClosed: (c) => this.connections.delete(c) });
    this.connections.add(conn);
  }

  /** Write Redis' refusal and close (freeClientAsync: not waiting for the peer to close its side). */
  private refuse(socket: net.Socket, text: string): void {
    this.store.engine.stat.rejectedConnections++;
    socket.on('error', () => {});
    socket.end(text, () => socket.destroy());
    setTimeout(() => socket.destroy(), 1000).unref();
  }

  /** How many connections are open. */
  get clientCount(): number {
    return this.connections.size;
  }

  /** Stop listening, close every connection, and close the store if the server created it. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      // A listener's close() calls back once its connections are gone: end them first.
      const stopped = Promise.all(this.listeners.map((l) => new Promise<void>((resolve) => l.close(() => resolve()))));
      for (const c of [...this.connections]) c.destroy();
      await stopped;
      if (this.ownsStore) await this.store.close();
    })();
    return this.closing;
  }
}

/** Start a server: `await startServer({ port: 0 })` listens on a free port of 127.0.0.1. */
export function startServer(options: ServerOptions = {}): Promise<LodisServer> {
  return LodisServer.start(options);
}
