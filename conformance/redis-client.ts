/**
 * A RESP2 connection to a real redis-server for the conformance tools (recorders, differential
 * run): commands written singly or pipelined, replies matched in order and kept as their raw
 * bytes (resp.ts). Replies nobody asked for yet (pub/sub pushes) wait in the inbox until read.
 */
import net from 'node:net';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeCommand, replyEnd, type Arg, type RawReply } from './resp.js';

/** How long a reply may take before the connection gives up on the server. */
const REPLY_TIMEOUT_MS = 60_000;

export class RedisConnection {
  /** Bytes received and not yet a complete reply, one char per byte. */
  private buf = '';
  /** Complete replies received, in order; those before inboxHead are taken. */
  private readonly inbox: RawReply[] = [];
  private inboxHead = 0;
  private wake: (() => void) | null = null;
  private failure: Error | null = null;

  private constructor(private readonly sock: net.Socket) {
    sock.on('data', (d: Buffer) => {
      this.buf += d.toString('latin1');
      let off = 0;
      for (;;) {
        const end = replyEnd(this.buf, off);
        if (end < 0) break;
        this.inbox.push(this.buf.slice(off, end));
        off = end;
      }
      if (off) this.buf = this.buf.slice(off);
      this.wake?.();
    });
    const fail = (e: Error): void => {
      this.failure = e;
      this.wake?.();
    };
    sock.on('error', fail);
    sock.on('close', () => fail(new Error('redis connection closed')));
  }

  static connect(port: number, host = '127.0.0.1'): Promise<RedisConnection> {
    return new Promise((resolve, reject) => {
      const sock = net.connect(port, host, () => {
        sock.removeListener('error', reject);
        resolve(new RedisConnection(sock));
      });
      sock.setNoDelay(true);
      sock.once('error', reject);
    });
  }

  /** Replies received and not yet taken. */
  get pending(): number {
    return this.inbox.length - this.inboxHead;
  }

  private take(n: number): RawReply[] {
    const out = this.inbox.slice(this.inboxHead, this.inboxHead + n);
    this.inboxHead += n;
    if (this.inboxHead > 4096 && this.inboxHead * 2 > this.inbox.length) {
      this.inbox.splice(0, this.inboxHead);
      this.inboxHead = 0;
    }
    return out;
  }

  /** Resolve true when data arrives (or the connection fails), false after `ms` without. */
  private waitData(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.wake = null;
        resolve(false);
      }, ms);
      this.wake = () => {
        this.wake = null;
        clearTimeout(t);
        resolve(true);
      };
    });
  }

  private async waitFor(cond: () => boolean, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!cond()) {
      if (this.failure) throw this.failure;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out after ${timeoutMs} ms waiting for redis`);
      await this.waitData(left);
    }
  }

  /** Write every command in one go; resolve with their replies, in order. */
  async pipeline(cmds: readonly (readonly Arg[])[], timeoutMs = REPLY_TIMEOUT_MS): Promise<RawReply[]> {
    if (!cmds.length) return [];
    if (this.pending) throw new Error(`${this.pending} unexpected replies waiting on a pipelined connection`);
    this.sock.write(Buffer.concat(cmds.map((c) => encodeCommand(c))));
    await this.waitFor(() => this.pending >= cmds.length, timeoutMs);
    return this.take(cmds.length);
  }

  /** Send one command and resolve with its reply. */
  async send(argv: readonly Arg[]): Promise<RawReply> {
    return (await this.pipeline([argv]))[0]!;
  }

  /** Write one command without waiting (a subscriber's command: its reply count is not known). */
  write(argv: readonly Arg[]): void {
    this.sock.write(encodeCommand(argv));
  }

  /** The next reply: to a command sent with `write`, or a pushed message. */
  async next(timeoutMs = REPLY_TIMEOUT_MS): Promise<RawReply> {
    await this.waitFor(() => this.pending > 0, timeoutMs);
    return this.take(1)[0]!;
  }

  /** Read replies up to and including the first one `isLast` accepts. */
  async readUntil(isLast: (raw: RawReply) => boolean, timeoutMs = 10_000): Promise<RawReply[]> {
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

  /**
   * Send a command and take every reply that arrives until the connection has been quiet for
   * `quietMs` (a command may produce several replies; pushed messages queued before it come first).
   */
  async sendAndDrain(argv: readonly Arg[], quietMs: number): Promise<RawReply> {
    this.write(argv);
    await this.waitFor(() => this.pending > 0, REPLY_TIMEOUT_MS);
    while (await this.waitData(quietMs));
    return this.take(this.pending).join('');
  }

  /** One pushed reply (a pub/sub message), waiting up to `ms`; '' if none came. */
  async nextWithin(ms: number): Promise<RawReply> {
    if (!this.pending) await this.waitData(ms);
    return this.pending ? this.take(1)[0]! : '';
  }

  close(): void {
    this.sock.removeAllListeners('close');
    this.sock.destroy();
  }
}

/** Start a throwaway redis-server on a free loopback port; `settings` as its config file would give them. */
export async function startRedis(settings: Record<string, string> = {}): Promise<{ port: number; proc: ChildProcess; stop: () => void }> {
  const port = await freePort();
  const bin = process.env.REDIS_SERVER ?? 'redis-server';
  const extra = Object.entries(settings).flatMap(([k, v]) => [`--${k}`, v]);
  // A directory of its own: no dump.rdb left by another run is loaded, none is left behind (DEBUG RELOAD writes one).
  const cwd = mkdtempSync(join(tmpdir(), 'lodis-redis-'));
  const proc = spawn(bin, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...extra], {
    stdio: 'ignore',
    cwd,
  });
  const stop = () => {
    proc.kill('SIGKILL');
    rmSync(cwd, { recursive: true, force: true });
  };
  for (let i = 0; i < 100; i++) {
    try {
      const c = await RedisConnection.connect(port);
      c.close();
      return { port, proc, stop };
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  stop();
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
