/**
 * A minimal RESP2 client for talking to a real redis-server in the conformance tools.
 * It keeps each reply's raw bytes (as a byte string) so replies can be compared exactly.
 */
import net from 'node:net';
import { spawn, type ChildProcess } from 'node:child_process';

export type RawReply = string; // RESP2 bytes, one char per byte
export type Parsed = string | number | bigint | null | { error: string } | { status: string } | Parsed[];

export function encodeCommand(argv: readonly (string | Uint8Array)[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${argv.length}\r\n`)];
  for (const a of argv) {
    const b = typeof a === 'string' ? Buffer.from(a, 'utf8') : Buffer.from(a);
    parts.push(Buffer.from(`$${b.length}\r\n`), b, Buffer.from('\r\n'));
  }
  return Buffer.concat(parts);
}

/** Length in bytes of the first complete reply in `buf` from `pos`, or -1 if incomplete. */
function replyEnd(buf: Buffer, pos: number): number {
  const nl = buf.indexOf('\r\n', pos);
  if (nl < 0) return -1;
  const type = String.fromCharCode(buf[pos]!);
  const line = buf.toString('latin1', pos + 1, nl);
  if (type === '+' || type === '-' || type === ':') return nl + 2;
  const n = Number(line);
  if (type === '$') {
    if (n < 0) return nl + 2;
    return buf.length >= nl + 2 + n + 2 ? nl + 2 + n + 2 : -1;
  }
  if (type === '*') {
    let p = nl + 2;
    for (let i = 0; i < n; i++) {
      p = replyEnd(buf, p);
      if (p < 0) return -1;
    }
    return p;
  }
  throw new Error(`bad RESP type ${type}`);
}

export function parseRaw(raw: string): Parsed {
  let pos = 0;
  const read = (): Parsed => {
    const nl = raw.indexOf('\r\n', pos);
    const type = raw[pos];
    const line = raw.slice(pos + 1, nl);
    pos = nl + 2;
    if (type === '+') return { status: line };
    if (type === '-') return { error: line };
    if (type === ':') {
      const n = BigInt(line);
      return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
    }
    const n = Number(line);
    if (type === '$') {
      if (n < 0) return null;
      const s = raw.slice(pos, pos + n);
      pos += n + 2;
      return Buffer.from(s, 'latin1').toString('utf8');
    }
    if (n < 0) return null;
    const arr: Parsed[] = [];
    for (let i = 0; i < n; i++) arr.push(read());
    return arr;
  };
  return read();
}

export class RedisConnection {
  private buf = Buffer.alloc(0);
  /** Complete replies received and not yet taken, in order. */
  private readonly queue: RawReply[] = [];
  private wake: (() => void) | null = null;

  private constructor(private sock: net.Socket) {
    sock.on('data', (d) => {
      this.buf = this.buf.length ? Buffer.concat([this.buf, d]) : d;
      for (;;) {
        if (!this.buf.length) break;
        const end = replyEnd(this.buf, 0);
        if (end < 0) break;
        this.queue.push(this.buf.toString('latin1', 0, end));
        this.buf = this.buf.subarray(end);
      }
      const w = this.wake;
      this.wake = null;
      w?.();
    });
  }

  static connect(port: number, host = '127.0.0.1'): Promise<RedisConnection> {
    return new Promise((resolve, reject) => {
      const sock = net.connect(port, host, () => resolve(new RedisConnection(sock)));
      sock.setNoDelay(true);
      sock.once('error', reject);
    });
  }

  /** Resolve when more data arrives, or after `ms` (false). */
  private waitData(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.wake = null;
        resolve(false);
      }, ms);
      this.wake = () => {
        clearTimeout(t);
        resolve(true);
      };
    });
  }

  /** Take `n` replies, waiting as long as needed. */
  async take(n: number): Promise<RawReply[]> {
    while (this.queue.length < n) await this.waitData(60_000);
    return this.queue.splice(0, n);
  }

  /** Send a command and collect `replies` replies (SUBSCRIBE a b sends two). */
  async send(argv: readonly (string | Uint8Array)[], replies = 1): Promise<RawReply> {
    this.sock.write(encodeCommand(argv));
    return (await this.take(replies)).join('');
  }

  /** Pipeline: send many commands in one write, one reply each. */
  async pipeline(cmds: readonly (readonly (string | Uint8Array)[])[]): Promise<RawReply[]> {
    this.sock.write(Buffer.concat(cmds.map(encodeCommand)));
    return this.take(cmds.length);
  }

  /**
   * Send a command and take every reply that arrives until the connection has been quiet for
   * `quietMs` (a command may produce several replies; pushed messages queued before it come first).
   */
  async sendAndDrain(argv: readonly (string | Uint8Array)[], quietMs: number): Promise<RawReply> {
    this.sock.write(encodeCommand(argv));
    await this.take(0);
    while (this.queue.length === 0) await this.waitData(60_000);
    while (await this.waitData(quietMs));
    return this.queue.splice(0).join('');
  }

  /** One pushed reply (a pub/sub message), waiting up to `ms`; '' if none came. */
  async nextWithin(ms: number): Promise<RawReply> {
    if (this.queue.length === 0) await this.waitData(ms);
    return this.queue.shift() ?? '';
  }

  close(): void {
    this.sock.destroy();
  }
}

/** Start a throwaway redis-server on a free loopback port. */
export async function startRedis(): Promise<{ port: number; proc: ChildProcess; stop: () => void }> {
  const port = await freePort();
  const bin = process.env.REDIS_SERVER ?? 'redis-server';
  const proc = spawn(bin, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: 'ignore',
  });
  for (let i = 0; i < 100; i++) {
    try {
      const c = await RedisConnection.connect(port);
      c.close();
      return { port, proc, stop: () => proc.kill('SIGKILL') };
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  proc.kill('SIGKILL');
  throw new Error(`redis-server did not start (is it installed? set REDIS_SERVER)`);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
    srv.once('error', reject);
  });
}
