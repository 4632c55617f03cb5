/**
 * The typed-API suite (api-suite.ts) against a real redis-server, to check that what it expects is
 * what Redis does. Runs only when REDIS_SUITE_PORT names the port of a redis-server 7.0 it may
 * flush (every database):
 *
 *   redis-server --port 6414 --save '' --appendonly no --daemonize yes
 *   REDIS_SUITE_PORT=6414 npx vitest run packages/core/src/api/api-suite.redis.test.ts
 *
 * The typed API reaches it through the small RESP2 Transport below (a test fixture, not a client:
 * no reconnection, no RESP3): one socket per session, replies matched to commands in order,
 * pub/sub messages handed to the push listener.
 */
import { describe, it } from 'vitest';
import { ReplyError } from '../errors.js';
import type { Decoded, DecodedBuffer } from '../reply.js';
import { utf8DecodeLossy, utf8Encode } from '../sds.js';
import { toEngineArg } from '../store.js';
import { typedApiSuite } from './api-suite.js';
import { RedisCommands } from './index.js';
import type { CommandArg, Transport } from './transport.js';

/** The part of a node:net Socket the transport uses (imported at run time only: see below). */
interface Socket {
  write(b: Uint8Array): boolean;
  on(event: 'data', f: (b: Uint8Array) => void): void;
  on(event: 'close' | 'error', f: (e?: Error) => void): void;
  setNoDelay(on: boolean): void;
  destroy(): void;
}
type Connect = (port: number, host: string) => Socket;

/** A reply as read off the wire: bulk strings as bytes, status lines as Status. */
class Status {
  constructor(readonly text: string) {}
}
type Wire = Uint8Array | Status | number | bigint | null | ReplyError | Wire[];

const SUBSCRIBING = new Set(['subscribe', 'psubscribe', 'ssubscribe']);
const PUSHES = new Set(['message', 'pmessage', 'smessage']);

interface Pending {
  resolve(r: Wire): void;
  reject(e: unknown): void;
  /** How many replies the command gets (SUBSCRIBE a b: one per channel). */
  replies: number;
  got: Wire[];
}

/** One RESP2 connection as a Transport. */
class Resp2Transport implements Transport {
  private readonly socket: Socket;
  private buf: Uint8Array = new Uint8Array(0);
  private readonly pending: Pending[] = [];
  private pushListener: ((m: Wire) => void) | null = null;
  private closed = false;

  constructor(
    private readonly connectSocket: Connect,
    private readonly port: number,
  ) {
    this.socket = connectSocket(port, '127.0.0.1');
    this.socket.setNoDelay(true);
    this.socket.on('data', (b) => this.receive(b));
    const fail = (e?: Error) => {
      this.closed = true;
      for (const p of this.pending.splice(0)) p.reject(e ?? new ReplyError('ERR Connection is closed'));
    };
    this.socket.on('error', fail);
    this.socket.on('close', () => fail());
  }

  send(argv: CommandArg[]): Promise<Decoded> {
    return this.command(argv).then((r) => toDecoded(r, false) as Decoded);
  }

  sendBuffer(argv: CommandArg[]): Promise<DecodedBuffer> {
    return this.command(argv).then((r) => toDecoded(r, true));
  }

  private command(argv: CommandArg[]): Promise<Wire> {
    if (this.closed) return Promise.reject(new ReplyError('ERR Connection is closed'));
    const name = String(argv[0]).toLowerCase();
    const replies = SUBSCRIBING.has(name) ? Math.max(1, argv.length - 1) : 1;
    const parts: Uint8Array[] = [utf8Encode(`*${argv.length}\r\n`)];
    for (const a of argv) {
      const v = toEngineArg(a);
      const b = typeof v === 'string' ? utf8Encode(v) : v;
      parts.push(utf8Encode(`$${b.length}\r\n`), b, utf8Encode('\r\n'));
    }
    return new Promise<Wire>((resolve, reject) => {
      this.pending.push({ resolve, reject, replies, got: [] });
      this.socket.write(concat(parts));
    });
  }

  private receive(data: Uint8Array): void {
    // A plain Uint8Array view (Node hands out Buffers, whose slices are Buffers too).
    const chunk = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    this.buf = this.buf.length ? concat([this.buf, chunk]) : chunk;
    let pos = 0;
    for (;;) {
      const r = parse(this.buf, pos);
      if (r === undefined) break;
      pos = r.end;
      this.dispatch(r.value);
    }
    this.buf = this.buf.subarray(pos);
  }

  private dispatch(r: Wire): void {
    if (Array.isArray(r) && r[0] instanceof Uint8Array && PUSHES.has(utf8DecodeLossy(r[0]))) {
      this.pushListener?.(r);
      return;
    }
    const p = this.pending[0];
    if (p === undefined) return;
    if (r instanceof ReplyError && p.got.length === 0) {
      this.pending.shift();
      p.reject(r);
      return;
    }
    p.got.push(r);
    if (p.got.length < p.replies) return;
    this.pending.shift();
    p.resolve(p.replies === 1 ? p.got[0]! : p.got);
  }

  connect(): Transport {
    return new Resp2Transport(this.connectSocket, this.port);
  }

  onPush(listener: ((msg: Decoded) => void) | null, buffers = false): void {
    this.pushListener = listener && ((m) => listener(toDecoded(m, buffers) as Decoded));
  }

  watchKeys(): () => void {
    throw new Error('watchKeys is in-process only');
  }

  close(): void {
    this.closed = true;
    this.socket.destroy();
    for (const p of this.pending.splice(0)) p.reject(new ReplyError('ERR Connection is closed'));
  }
}

function concat(parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  n = 0;
  for (const p of parts) {
    out.set(p, n);
    n += p.length;
  }
  return out;
}

/** The reply starting at `pos`, and where it ends; undefined when it has not all arrived. */
function parse(b: Uint8Array, pos: number): { value: Wire; end: number } | undefined {
  let nl = pos;
  while (nl + 1 < b.length && !(b[nl] === 13 && b[nl + 1] === 10)) nl++;
  if (nl + 1 >= b.length) return undefined;
  const type = b[pos]!;
  const line = utf8DecodeLossy(b.subarray(pos + 1, nl));
  const next = nl + 2;
  switch (type) {
    case 0x2b: // +
      return { value: new Status(line), end: next };
    case 0x2d: // -
      return { value: new ReplyError(line), end: next };
    case 0x3a: {
      // :
      const n = BigInt(line);
      return { value: n >= -(2n ** 53n - 1n) && n <= 2n ** 53n - 1n ? Number(n) : n, end: next };
    }
    case 0x24: {
      // $
      const n = Number(line);
      if (n < 0) return { value: null, end: next };
      if (b.length < next + n + 2) return undefined;
      return { value: b.slice(next, next + n), end: next + n + 2 };
    }
    case 0x2a: {
      // *
      const n = Number(line);
      if (n < 0) return { value: null, end: next };
      const items: Wire[] = [];
      let at = next;
      for (let i = 0; i < n; i++) {
        const r = parse(b, at);
        if (r === undefined) return undefined;
        items.push(r.value);
        at = r.end;
      }
      return { value: items, end: at };
    }
  }
  throw new Error(`bad RESP2 type ${String.fromCharCode(type)}`);
}

/** As a RESP2 client decodes it: bulk strings as text (or bytes with `buffers`), errors inside arrays kept. */
function toDecoded(r: Wire, buffers: boolean): DecodedBuffer {
  if (r instanceof Uint8Array) return buffers ? r : utf8DecodeLossy(r);
  if (r instanceof Status) return r.text;
  if (Array.isArray(r)) return r.map((x) => toDecoded(x, buffers));
  return r;
}

const port = Number(globalThis.process?.env?.REDIS_SUITE_PORT ?? 0);

if (port) {
  // node:net is loaded here only, so the file imports nothing Node-only where it is skipped
  // (workerd, Deno and Bun run core's test files too).
  const net = 'node:net';
  const { connect } = (await import(/* @vite-ignore */ net)) as { connect: Connect };
  typedApiSuite(`redis-server :${port}`, async () => {
    const transport = new Resp2Transport(connect, port);
    return { client: new RedisCommands(transport), close: async () => transport.close() };
  });
} else {
  describe('typed API suite against redis-server', () => {
    it.skip('runs when REDIS_SUITE_PORT is set', () => {});
  });
}
