/**
 * A pipelining RESP2 connection for the differential run: many commands in one write, replies
 * matched in order, each kept as its raw bytes (a byte string, one char per byte) so it compares
 * directly with Lodis' `encodeResp2`. Replies nobody asked for yet (pub/sub pushes) wait in the
 * inbox until read.
 */
import net from 'node:net';
import { encodeCommand } from '../redis-client.js';

export type Arg = string | Uint8Array;

/** End of the reply that starts at `pos` in `buf`, or -1 when it is not complete yet. */
function replyEnd(buf: Buffer, pos: number): number {
  if (pos >= buf.length) return -1;
  const nl = buf.indexOf(13, pos);
  if (nl < 0 || nl + 1 >= buf.length) return -1;
  const type = buf[pos];
  if (type === 0x2b || type === 0x2d || type === 0x3a) return nl + 2; // + - :
  const n = Number(buf.toString('latin1', pos + 1, nl));
  if (type === 0x24) {
    if (n < 0) return nl + 2;
    const end = nl + 2 + n + 2;
    return buf.length >= end ? end : -1;
  }
  if (type === 0x2a) {
    let p = nl + 2;
    for (let i = 0; i < n; i++) {
      p = replyEnd(buf, p);
      if (p < 0) return -1;
    }
    return p;
  }
  throw new Error(`bad RESP type byte ${type} at ${pos}`);
}

export class RespConnection {
  private buf: Buffer = Buffer.alloc(0);
  private readonly inbox: string[] = [];
  private inboxHead = 0;
  private wake: (() => void) | null = null;
  private failure: Error | null = null;

  private constructor(private readonly sock: net.Socket) {
    sock.on('data', (d: Buffer) => {
      this.buf = this.buf.length ? Buffer.concat([this.buf, d]) : d;
      let off = 0;
      for (;;) {
        const end = replyEnd(this.buf, off);
        if (end < 0) break;
        this.inbox.push(this.buf.toString('latin1', off, end));
        off = end;
      }
      if (off) this.buf = this.buf.subarray(off);
      this.wake?.();
    });
    const fail = (e: Error): void => {
      this.failure = e;
      this.wake?.();
    };
    sock.on('error', fail);
    sock.on('close', () => fail(new Error('redis connection closed')));
  }

  static connect(port: number, host = '127.0.0.1'): Promise<RespConnection> {
    return new Promise((resolve, reject) => {
      const sock = net.connect(port, host, () => {
        sock.removeListener('error', reject);
        resolve(new RespConnection(sock));
      });
      sock.setNoDelay(true);
      sock.once('error', reject);
    });
  }

  get pending(): number {
    return this.inbox.length - this.inboxHead;
  }

  private take(n: number): string[] {
    const out = this.inbox.slice(this.inboxHead, this.inboxHead + n);
    this.inboxHead += n;
    if (this.inboxHead > 4096 && this.inboxHead * 2 > this.inbox.length) {
      this.inbox.splice(0, this.inboxHead);
      this.inboxHead = 0;
    }
    return out;
  }

  private async waitFor(cond: () => boolean, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!cond()) {
      if (this.failure) throw this.failure;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out after ${timeoutMs} ms waiting for redis`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
      this.wake = null;
    }
  }

  /** Write every command in one go; resolve with their replies, in order. */
  async pipeline(cmds: readonly (readonly Arg[])[], timeoutMs = 60_000): Promise<string[]> {
    if (!cmds.length) return [];
    if (this.pending) throw new Error(`${this.pending} unexpected replies waiting on a pipelined connection`);
    this.sock.write(Buffer.concat(cmds.map((c) => encodeCommand(c))));
    await this.waitFor(() => this.pending >= cmds.length, timeoutMs);
    return this.take(cmds.length);
  }

  async call(...argv: Arg[]): Promise<string> {
    return (await this.pipeline([argv]))[0]!;
  }

  /** Write one command without waiting (a subscriber's command: its reply count is not known). */
  write(argv: readonly Arg[]): void {
    this.sock.write(encodeCommand(argv));
  }

  /** Read replies up to and including the first one `isLast` accepts. */
  async readUntil(isLast: (raw: string) => boolean, timeoutMs = 10_000): Promise<string[]> {
    let found = -1;
    let scanned = this.inboxHead;
    await this.waitFor(() => {
      for (; scanned < this.inbox.length; scanned++) {
        if (isLast(this.inbox[scanned]!)) {
          found = scanned;
          return true;
        }
      }
      return false;
    }, timeoutMs);
    return this.take(found - this.inboxHead + 1);
  }

  close(): void {
    this.sock.removeAllListeners('close');
    this.sock.destroy();
  }
}

/** A parsed reply with bulk strings as byte strings (one char per byte). */
export type RawParsed = string | number | bigint | null | { error: string } | { status: string } | RawParsed[];

export function parseRawBytes(raw: string): RawParsed {
  let pos = 0;
  const read = (): RawParsed => {
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
    if (n < 0) return null;
    if (type === '$') {
      const s = raw.slice(pos, pos + n);
      pos += n + 2;
      return s;
    }
    const arr: RawParsed[] = [];
    for (let i = 0; i < n; i++) arr.push(read());
    return arr;
  };
  return read();
}

/** Split a byte string holding several replies in a row into one string per reply. */
export function splitReplies(raw: string): string[] {
  const buf = Buffer.from(raw, 'latin1');
  const out: string[] = [];
  let off = 0;
  while (off < buf.length) {
    const end = replyEnd(buf, off);
    if (end < 0) throw new Error('incomplete reply');
    out.push(raw.slice(off, end));
    off = end;
  }
  return out;
}
