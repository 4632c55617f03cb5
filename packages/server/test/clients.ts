/**
 * ioredis and node-redis behind one small interface (`Conn`: send a command, get what the client
 * library decoded), so the same scenario runs through both libraries, against redis-server and
 * against lodis-server, and the two servers' results can be compared (scenarios.ts).
 *
 * Neither client reconnects or retries here: a connection the server closes stays closed (QUIT,
 * CLIENT KILL), and a command on it fails with the library's own error.
 */
import { Redis, type RedisOptions } from 'ioredis';
import { createClient, RESP_TYPES, type RedisClientOptions } from 'redis';

export type Arg = string | number | Buffer;

export interface Conn {
  /** The reply as the library decodes it (strings as text); an error reply as `{ error: text }`. */
  call(...args: Arg[]): Promise<unknown>;
  /** The same, with bulk strings as Buffers (binary values). */
  callBuffer(...args: Arg[]): Promise<unknown>;
  /** Resolves when the connection has closed (the server closed it, or close()). */
  readonly closed: Promise<void>;
  close(): Promise<void>;
}

export interface ClientKind {
  readonly name: string;
  /** The RESP version the library speaks (node-redis 6 says HELLO 3 unless told RESP: 2). */
  readonly resp: 2 | 3;
  /** `handshake: false`: skip what the library sends on its own at connect (ioredis' INFO ready check). */
  open(port: number, host?: string, options?: { handshake?: boolean }): Promise<Conn>;
}

/** A reply (or the error) as comparable plain data: errors as `{ error }`, Maps as `{ map: [...] }`. */
export function plain(x: unknown): unknown {
  if (x instanceof Error) return { error: x.message };
  if (Buffer.isBuffer(x)) return x;
  if (typeof x === 'bigint') return { bigint: x.toString() };
  if (x instanceof Map) return { map: [...x].map(([k, v]) => [plain(k), plain(v)]) };
  if (x instanceof Set) return { set: [...x].map(plain) };
  if (Array.isArray(x)) return x.map(plain);
  if (x !== null && typeof x === 'object') {
    const proto = Object.getPrototypeOf(x);
    if (proto !== Object.prototype && proto !== null && typeof (x as { toString?: unknown }).toString === 'function') {
      // node-redis' VerbatimString and the like: a string with a type tag.
      const ctor = (x as object).constructor?.name ?? 'object';
      if (ctor !== 'Object') return { [ctor]: String(x) };
    }
    return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, plain(v)]));
  }
  return x;
}

async function caught(p: Promise<unknown>): Promise<unknown> {
  try {
    return plain(await p);
  } catch (e) {
    return plain(e);
  }
}

function closedPromise(emitter: { once(ev: string, f: () => void): unknown }): Promise<void> {
  return new Promise((resolve) => emitter.once('end', () => resolve()));
}

/** ioredis 5: RESP2 only (its parser has no RESP3). */
export function ioredisKind(options: RedisOptions = {}): ClientKind {
  return {
    name: 'ioredis',
    resp: 2,
    async open(port, host = '127.0.0.1', { handshake = true } = {}) {
      const r = new Redis({
        port,
        host,
        lazyConnect: true,
        retryStrategy: () => null,
        maxRetriesPerRequest: 0,
        ...options,
        ...(handshake ? {} : { enableReadyCheck: false }),
      });
      r.on('error', () => {});
      const closed = closedPromise(r);
      await r.connect();
      return {
        call: (cmd, ...args) => caught(r.call(String(cmd), ...args)),
        callBuffer: (cmd, ...args) => caught(r.callBuffer(String(cmd), ...args)),
        closed,
        close: async () => {
          r.disconnect();
          await closed;
        },
      };
    },
  };
}

/** node-redis 6 (`redis`), speaking RESP2 or RESP3 (its default). */
export function nodeRedisKind(resp: 2 | 3, options: Partial<RedisClientOptions> = {}): ClientKind {
  return {
    name: `node-redis RESP${resp}`,
    resp,
    async open(port, host = '127.0.0.1') {
      const c = createClient({
        ...options,
        RESP: resp,
        socket: { host, port, reconnectStrategy: false },
        maintNotifications: 'disabled',
      });
      // node-redis says 'end' when it closes; a close by the server is an 'error' after which it is not open.
      const closed = new Promise<void>((resolve) => {
        c.once('end', () => resolve());
        c.on('error', () => setImmediate(() => !c.isOpen && resolve()));
      });
      await c.connect();
      const str = (args: Arg[]) => args.map((a) => (Buffer.isBuffer(a) ? a : String(a)));
      const buffers = { typeMapping: { [RESP_TYPES.BLOB_STRING]: Buffer, [RESP_TYPES.SIMPLE_STRING]: Buffer } };
      return {
        call: (...args) => caught(c.sendCommand(str(args))),
        callBuffer: (...args) => caught(c.sendCommand(str(args), buffers)),
        closed,
        close: async () => {
          if (c.isOpen) c.destroy();
          await Promise.race([closed, new Promise((r) => setTimeout(r, 100))]);
        },
      };
    },
  };
}
