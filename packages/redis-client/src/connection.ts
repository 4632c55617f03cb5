/**
 * One connection to a Redis server — one session, as hiredis' async context is: commands queue in
 * order, every command issued in one microtask leaves in one socket write (auto-pipelining), and
 * replies settle them in order. A command blocked on the server (BLPOP …) holds up the later
 * commands of its connection only, as with Redis.
 *
 * When the connection drops it is opened again, with backoff. A command written and not answered
 * fails with a ConnectionError: it may have run, so it is never sent twice. Commands not written
 * yet wait and go out on the new connection, after the session is set up again as the caller
 * left it: AUTH (or HELLO), SELECT, CLIENT SETNAME, and every subscription. A transaction cannot
 * be carried over, so it is made to fail as the server fails one: a session that was inside MULTI
 * gets MULTI plus a command the server refuses, so its EXEC answers EXECABORT; a session that was
 * WATCHing has its next EXEC answered null (sent as DISCARD), as a touched WATCHed key would.
 */
import { Buffer } from 'node:buffer';
import net from 'node:net';
import tls from 'node:tls';
import { ReplyError, type CommandArg, type Decoded, type DecodedBuffer } from '@lodis/core';
import { CommandWriter, ReplyParser } from './resp.js';

/** The connection to the server failed: the command's fate is unknown (written) or it was never sent. */
export class ConnectionError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ConnectionError';
  }
}

/** As the in-process store rejects a command of a closed session. */
const closedErr = () => new ReplyError('ERR Connection is closed');

export interface ConnectionOptions {
  host: string;
  port: number;
  /** TLS (`rediss://`): true, or node:tls options. */
  tls: boolean | tls.ConnectionOptions;
  username: string | null;
  password: string | null;
  db: number;
  /** CLIENT SETNAME on connecting. */
  name: string | null;
  /** How long opening a connection may take (ms). */
  connectTimeout: number;
  /** Failed connection attempts in a row before the commands waiting for one fail. */
  maxRetries: number;
  /** The wait before reconnection attempt `attempt` (0 for the first after a drop). */
  retryDelay: (attempt: number) => number;
  /** Connection losses, failed reconnections, key watches that cannot run. */
  onError: ((error: Error) => void) | null;
  hooks: ConnectionHooks;
}

export interface ConnectionHooks {
  /** Called once per socket write with its size and the number of commands in it. */
  write?(bytes: number, commands: number): void;
}

/** Commands whose success changes the session (and so what a new connection must be told). */
const enum Kind {
  Plain,
  Select,
  Auth,
  Hello,
  ClientSetname,
  Multi,
  Exec,
  Discard,
  Watch,
  Unwatch,
  Reset,
  Quit,
  Subscribe,
  Unsubscribe,
  Psubscribe,
  Punsubscribe,
  Ssubscribe,
  Sunsubscribe,
}

const KINDS = new Map<string, Kind>([
  ['select', Kind.Select],
  ['auth', Kind.Auth],
  ['hello', Kind.Hello],
  ['client', Kind.ClientSetname],
  ['multi', Kind.Multi],
  ['exec', Kind.Exec],
  ['discard', Kind.Discard],
  ['watch', Kind.Watch],
  ['unwatch', Kind.Unwatch],
  ['reset', Kind.Reset],
  ['quit', Kind.Quit],
  ['subscribe', Kind.Subscribe],
  ['unsubscribe', Kind.Unsubscribe],
  ['psubscribe', Kind.Psubscribe],
  ['punsubscribe', Kind.Punsubscribe],
  ['ssubscribe', Kind.Ssubscribe],
  ['sunsubscribe', Kind.Sunsubscribe],
]);

/** The confirmation each (un)subscribe command gets, one per channel (RESP2 arrays, RESP3 pushes). */
const CONFIRMATION: Partial<Record<Kind, string>> = {
  [Kind.Subscribe]: 'subscribe',
  [Kind.Unsubscribe]: 'unsubscribe',
  [Kind.Psubscribe]: 'psubscribe',
  [Kind.Punsubscribe]: 'punsubscribe',
  [Kind.Ssubscribe]: 'ssubscribe',
  [Kind.Sunsubscribe]: 'sunsubscribe',
};

const utf8 = new TextDecoder();

function text(a: CommandArg | DecodedBuffer | undefined): string {
  if (a instanceof Uint8Array) return utf8.decode(a);
  return String(a);
}

function kindOf(argv: readonly CommandArg[]): Kind {
  const a = argv[0];
  if (typeof a === 'string' ? a.length > 12 : !(a instanceof Uint8Array) || a.length > 12) return Kind.Plain;
  const k = KINDS.get(text(a).toLowerCase());
  if (k === undefined) return Kind.Plain;
  if (k === Kind.ClientSetname) return argv.length === 3 && text(argv[1]).toLowerCase() === 'setname' ? k : Kind.Plain;
  return k;
}

/** A reply decoded with bulk strings as bytes, as text (what `send` gives). */
export function toText(r: DecodedBuffer): Decoded {
  if (r instanceof Uint8Array) return utf8.decode(r);
  if (Array.isArray(r)) return r.map(toText);
  return r;
}

/** A subscription's name as a key of the session's sets: its bytes, one char per byte. */
function nameKey(a: DecodedBuffer | CommandArg): string {
  return a instanceof Uint8Array ? Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('latin1') : Buffer.from(String(a), 'utf8').toString('latin1');
}

/** A command until its reply is in. */
interface Entry {
  argv: readonly CommandArg[];
  readonly kind: Kind;
  readonly buffers: boolean;
  readonly resolve: (v: DecodedBuffer) => void;
  readonly reject: (e: unknown) => void;
  /** Set up by the connection itself (handshake): not the caller's, failed silently on a drop. */
  readonly internal: boolean;
  /** (Un)subscribe: confirmations expected (-1 until the first comes: one per subscription held). */
  expect: number;
  replies: DecodedBuffer[] | null;
  /** An EXEC sent as DISCARD (its WATCH was lost with a connection): answers null. */
  execAsDiscard: boolean;
}

type State = 'idle' | 'connecting' | 'handshake' | 'ready' | 'closed';

/** What was set up on the session by the caller's commands, to set up again on a new connection. */
class SessionState {
  db: number;
  name: CommandArg | null;
  /** AUTH's arguments (after a caller's AUTH), else the options' credentials are used. */
  auth: readonly CommandArg[] | null = null;
  /** HELLO's arguments, replayed as they were. */
  hello: readonly CommandArg[] | null = null;
  inMulti = false;
  watching = false;
  /** The WATCH of the session was lost with a connection: its next EXEC answers null. */
  watchLost = false;
  /** Subscriptions, by name bytes (one char per byte). */
  readonly channels = new Set<string>();
  readonly patterns = new Set<string>();
  readonly shardChannels = new Set<string>();

  constructor(options: ConnectionOptions) {
    this.db = options.db;
    this.name = options.name;
  }

  get subscriptions(): number {
    return this.channels.size + this.patterns.size + this.shardChannels.size;
  }

  setOf(kind: Kind): Set<string> {
    return kind === Kind.Psubscribe || kind === Kind.Punsubscribe ? this.patterns : kind === Kind.Ssubscribe || kind === Kind.Sunsubscribe ? this.shardChannels : this.channels;
  }
}

export class RedisConnection {
  private state: State = 'idle';
  private socket: net.Socket | null = null;
  private readonly parser: ReplyParser;
  private readonly writer = new CommandWriter();
  /** Commands not answered, in order: [head, head + sent) are on the wire, the rest wait. */
  private pending: (Entry | undefined)[] = [];
  private head = 0;
  private sent = 0;
  private scheduled = false;
  private readonly session: SessionState;
  /** Failed connection attempts in a row. */
  private attempts = 0;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private lastError: Error | null = null;
  /** QUIT was written: the server closing the connection is the end, not a drop. */
  private quitting = false;
  private pushListener: ((msg: DecodedBuffer) => void) | null = null;
  private pushBuffers = false;
  private readonly closeListeners: (() => void)[] = [];

  constructor(private readonly options: ConnectionOptions) {
    this.session = new SessionState(options);
    this.parser = new ReplyParser((reply, push, bytes) => this.receive(reply, push, bytes));
  }

  /** `host:port`, for messages. */
  get address(): string {
    return `${this.options.host}:${this.options.port}`;
  }

  get isClosed(): boolean {
    return this.state === 'closed';
  }

  /** Queue a command; resolves with its reply (bulk strings as bytes with `buffers`), rejects with a ReplyError or ConnectionError. */
  command(argv: readonly CommandArg[], buffers: boolean): Promise<DecodedBuffer> {
    // Redis skips an empty multibulk without a reply: it would take the next command's reply.
    if (argv.length === 0) throw new TypeError('Lodis: a command needs at least its name');
    for (const a of argv) {
      const t = typeof a;
      if (t !== 'string' && t !== 'number' && t !== 'bigint' && !(a instanceof Uint8Array)) {
        throw new TypeError(`Lodis: a command argument must be a string, number, bigint or Uint8Array, got ${t}`);
      }
    }
    if (this.state === 'closed') return Promise.reject(closedErr());
    const kind = kindOf(argv);
    return new Promise<DecodedBuffer>((resolve, reject) => {
      this.pending.push({ argv, kind, buffers, resolve, reject, internal: false, expect: argv.length - 1 || -1, replies: null, execAsDiscard: false });
      if (this.state === 'ready') this.schedule();
      else if (this.state === 'idle') this.open();
    });
  }

  /** Receive pushed messages (pub/sub), bulk strings as bytes with `buffers`. */
  onPush(listener: ((msg: DecodedBuffer) => void) | null, buffers: boolean): void {
    this.pushListener = listener;
    this.pushBuffers = buffers;
  }

  /** Called once the connection is closed for good (close, quit, or a QUIT command). */
  onClosed(listener: () => void): void {
    this.closeListeners.push(listener);
  }

  /**
   * End the connection now. Commands not answered reject with `ERR Connection is closed` (those
   * written may still run on the server); use quit() to wait for them.
   */
  close(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    const sock = this.socket;
    this.socket = null;
    if (sock !== null) {
      sock.end();
      // A server that does not close its side in a second is not waited for.
      setTimeout(() => sock.destroy(), 1000).unref?.();
    }
    this.failFrom(this.head, closedErr);
    for (const l of this.closeListeners.splice(0)) l();
  }

  /**
   * QUIT after the commands already queued; resolves once the server has answered them all (a
   * command blocked on the server, BLPOP …, first waits to be served) and the connection is closed.
   */
  async quit(): Promise<void> {
    if (this.state === 'closed') return;
    if (this.state !== 'idle' || this.pending.length !== this.head) await this.command(['QUIT'], false).catch(() => {});
    this.close(); // (already, when QUIT was answered)
  }

  // ---- the socket -------------------------------------------------------------------------

  private open(): void {
    this.state = 'connecting';
    const o = this.options;
    const sock = o.tls
      ? tls.connect({ host: o.host, port: o.port, servername: net.isIP(o.host) ? undefined : o.host, ...(typeof o.tls === 'object' ? o.tls : {}) })
      : net.connect({ host: o.host, port: o.port });
    this.socket = sock;
    sock.setNoDelay(true);
    const timer = setTimeout(() => sock.destroy(new ConnectionError(`Lodis: connecting to ${this.address} timed out after ${o.connectTimeout} ms`)), o.connectTimeout);
    sock.once(o.tls ? 'secureConnect' : 'connect', () => {
      clearTimeout(timer);
      if (this.socket === sock) this.connected();
    });
    sock.on('data', (chunk: Buffer) => {
      if (this.socket !== sock) return;
      try {
        this.parser.feed(chunk);
      } catch (e) {
        sock.destroy(e as Error);
      }
    });
    sock.on('error', (e) => {
      this.lastError = e;
    });
    sock.on('close', () => {
      clearTimeout(timer);
      if (this.socket === sock) this.dropped();
    });
  }

  /** The socket is open: set the session up (handshake), then send what waits. */
  private connected(): void {
    this.socket!.setKeepAlive(true, 30_000);
    this.parser.reset();
    this.quitting = false;
    const s = this.session;
    const o = this.options;
    const setup: CommandArg[][] = [];
    const tolerated = new Set<number>();
    if (s.auth !== null) setup.push(['AUTH', ...s.auth]);
    else if (o.password !== null) setup.push(o.username !== null ? ['AUTH', o.username, o.password] : ['AUTH', o.password]);
    if (s.hello !== null) setup.push([...s.hello]);
    if (s.db !== 0) setup.push(['SELECT', s.db]);
    if (s.name !== null) setup.push(['CLIENT', 'SETNAME', s.name]);
    if (s.inMulti) {
      // The transaction's queued commands are gone: a refused command dooms it (EXEC → EXECABORT).
      setup.push(['MULTI']);
      tolerated.add(setup.length);
      setup.push(['LODIS-TRANSACTION-LOST-WITH-CONNECTION']);
    }
    if (s.watching) {
      s.watching = false;
      s.watchLost = true;
    }
    const bytes = (set: Set<string>) => [...set].map((k) => Buffer.from(k, 'latin1'));
    if (s.channels.size) setup.push(['SUBSCRIBE', ...bytes(s.channels)]);
    if (s.patterns.size) setup.push(['PSUBSCRIBE', ...bytes(s.patterns)]);
    if (s.shardChannels.size) setup.push(['SSUBSCRIBE', ...bytes(s.shardChannels)]);
    if (setup.length === 0) return this.ready();

    this.state = 'handshake';
    let left = setup.length;
    const entries: Entry[] = setup.map((argv, i) => ({
      argv,
      kind: kindOf(argv),
      buffers: false,
      internal: true,
      expect: argv.length - 1,
      replies: null,
      execAsDiscard: false,
      resolve: () => {
        if (--left === 0 && this.state === 'handshake') this.ready();
      },
      reject: (e: unknown) => {
        if (tolerated.has(i)) return void (--left === 0 && this.state === 'handshake' && this.ready());
        this.handshakeFailed(e as ReplyError);
      },
    }));
    this.pending.splice(this.head, 0, ...entries);
    this.sent = entries.length;
    for (const e of entries) this.writer.write(e.argv);
    this.write(this.writer.take(), entries.length);
    this.updateMode();
  }

  private ready(): void {
    this.state = 'ready';
    this.attempts = 0;
    this.lastError = null;
    this.flush();
  }

  /** The server refused the session's set-up (a wrong password …): what waits fails with its error. */
  private handshakeFailed(e: ReplyError): void {
    const sock = this.socket;
    this.socket = null;
    sock?.destroy();
    this.failFrom(this.head, () => e);
    this.state = 'idle';
    this.attempts = 0;
    this.options.onError?.(e);
  }

  /** The socket closed without close() or QUIT: fail what was written, reconnect for what waits. */
  private dropped(): void {
    this.socket = null;
    const wasUp = this.state === 'ready';
    const cause = this.lastError;
    // Written and not answered: it may have run, so it is not sent again.
    const lost = new ConnectionError(
      `Lodis: the connection to ${this.address} was lost before the reply came${cause ? ` (${cause.message})` : ''}; the command may have run, it was not sent again`,
      { cause },
    );
    const s = this.session;
    for (let i = this.head; i < this.head + this.sent; i++) {
      const e = this.pending[i]!;
      this.pending[i] = undefined;
      if (e.internal) continue;
      // A transaction whose EXEC or DISCARD failed this way is over as far as its caller knows.
      if (e.kind === Kind.Exec || e.kind === Kind.Discard || e.kind === Kind.Reset) s.inMulti = s.watching = false;
      e.reject(lost);
    }
    this.head += this.sent;
    this.sent = 0;
    this.compact();
    if (this.quitting) {
      this.close();
      return;
    }
    if (wasUp) {
      this.attempts = 0;
      this.options.onError?.(new ConnectionError(`Lodis: the connection to ${this.address} was lost${cause ? ` (${cause.message})` : ''}`, { cause }));
    } else this.attempts++;
    if (this.pending.length === this.head && s.subscriptions === 0) {
      this.state = 'idle'; // the next command connects
      return;
    }
    if (this.attempts > this.options.maxRetries) {
      const gaveUp = new ConnectionError(
        `Lodis: could not connect to ${this.address} (${this.attempts} attempts)${cause ? `: ${cause.message}` : ''}`,
        { cause },
      );
      this.state = 'idle';
      this.attempts = 0;
      this.failFrom(this.head, () => gaveUp);
      this.options.onError?.(gaveUp);
      return;
    }
    this.state = 'connecting';
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (this.state === 'connecting') this.open();
    }, this.options.retryDelay(this.attempts));
  }

  private write(bytes: Buffer, commands: number): void {
    this.options.hooks.write?.(bytes.length, commands);
    this.socket!.write(bytes);
  }

  // ---- sending ---------------------------------------------------------------------------

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(this.flush);
  }

  /** Write every command waiting, in one socket write. */
  private readonly flush = (): void => {
    this.scheduled = false;
    if (this.state !== 'ready') return;
    const from = this.head + this.sent;
    const to = this.pending.length;
    if (from === to) return;
    const s = this.session;
    for (let i = from; i < to; i++) {
      const e = this.pending[i]!;
      if (e.kind !== Kind.Plain) {
        if (e.kind === Kind.Exec && s.watchLost) {
          // Its WATCH was lost with a connection: the server would not run it, so it does not run.
          e.execAsDiscard = true;
          e.argv = ['DISCARD'];
        }
        if (e.kind === Kind.Exec || e.kind === Kind.Discard || e.kind === Kind.Unwatch || e.kind === Kind.Reset) s.watchLost = false;
        if (e.kind === Kind.Quit) this.quitting = true;
      }
      this.writer.write(e.argv);
    }
    this.sent += to - from;
    this.write(this.writer.take(), to - from);
    this.updateMode();
  };

  // ---- receiving -------------------------------------------------------------------------

  /** Bulk strings as bytes while subscribed (pushes, confirmations) or for a callBuffer. */
  private updateMode(): void {
    const e = this.sent !== 0 ? this.pending[this.head] : undefined;
    this.parser.buffers = this.session.subscriptions !== 0 || (e !== undefined && (e.buffers || CONFIRMATION[e.kind] !== undefined));
  }

  private receive(reply: DecodedBuffer, push: boolean, bytes: boolean): void {
    const e = this.sent !== 0 ? this.pending[this.head]! : undefined;
    const confirms = e !== undefined ? CONFIRMATION[e.kind] : undefined;
    if (confirms !== undefined && Array.isArray(reply) && reply.length === 3 && text(reply[0]) === confirms) {
      this.confirmation(e!, reply, bytes);
    } else if (push || (this.session.subscriptions !== 0 && isMessage(reply))) {
      this.pushListener?.(this.pushBuffers || !bytes ? reply : toText(reply));
    } else if (e === undefined) {
      this.socket?.destroy(new ConnectionError(`Lodis: a reply came from ${this.address} with no command waiting for it`));
      return;
    } else {
      this.shift();
      this.settle(e, reply, bytes);
    }
    this.updateMode();
  }

  /** One confirmation of an (un)subscribe command: kept until it has one per channel. */
  private confirmation(e: Entry, reply: DecodedBuffer[], bytes: boolean): void {
    const set = this.session.setOf(e.kind);
    // Without arguments: one per subscription the session holds, or a single one if none.
    if (e.expect < 0) e.expect = Math.max(1, set.size);
    if (reply[1] !== null) {
      if (e.kind === Kind.Subscribe || e.kind === Kind.Psubscribe || e.kind === Kind.Ssubscribe) set.add(nameKey(reply[1]!));
      else set.delete(nameKey(reply[1]!));
    }
    (e.replies ??= []).push(reply);
    if (e.replies.length < e.expect) return;
    this.shift();
    e.resolve(e.buffers || !bytes ? e.replies : (toText(e.replies) as DecodedBuffer));
  }

  private shift(): void {
    this.pending[this.head++] = undefined;
    this.sent--;
    this.compact();
  }

  private compact(): void {
    if (this.head === this.pending.length) {
      this.pending.length = 0;
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.pending.length) {
      this.pending.splice(0, this.head);
      this.head = 0;
    }
  }

  /** Settle a command with its reply, and follow what it did to the session. */
  private settle(e: Entry, reply: DecodedBuffer, bytes: boolean): void {
    if (reply instanceof ReplyError) {
      if (e.execAsDiscard && reply.message === 'ERR DISCARD without MULTI') reply = new ReplyError('ERR EXEC without MULTI');
      if (e.kind === Kind.Exec) this.session.inMulti = this.session.watching = false;
      e.reject(reply);
      return;
    }
    if (e.kind !== Kind.Plain) this.track(e, reply);
    if (e.execAsDiscard) e.resolve(null);
    else e.resolve(e.buffers || !bytes ? reply : (toText(reply) as DecodedBuffer));
    // QUIT answered: every reply before it is in; nothing after it would run. Not waiting for the
    // server to close its side keeps quit() prompt with any server.
    if (e.kind === Kind.Quit && reply === 'OK') this.close();
  }

  private track(e: Entry, reply: DecodedBuffer): void {
    const s = this.session;
    if (reply === 'QUEUED' && s.inMulti) return; // runs at EXEC
    switch (e.kind) {
      case Kind.Select:
        s.db = Number(text(e.argv[1]));
        break;
      case Kind.Auth:
        s.auth = e.argv.slice(1);
        break;
      case Kind.Hello:
        s.hello = e.argv;
        break;
      case Kind.ClientSetname:
        s.name = text(e.argv[2]) === '' ? null : e.argv[2]!;
        break;
      case Kind.Multi:
        s.inMulti = true;
        break;
      case Kind.Exec:
      case Kind.Discard:
        s.inMulti = s.watching = false;
        break;
      case Kind.Watch:
        s.watching = true;
        break;
      case Kind.Unwatch:
        s.watching = false;
        break;
      case Kind.Reset:
        s.db = 0;
        s.name = null;
        s.auth = s.hello = null;
        s.inMulti = s.watching = s.watchLost = false;
        s.channels.clear();
        s.patterns.clear();
        s.shardChannels.clear();
        break;
    }
  }

  /** Reject every command from index `from` on (and forget them). */
  private failFrom(from: number, error: () => unknown): void {
    const list = this.pending.splice(from);
    if (from <= this.head) {
      this.head = 0;
      this.pending.length = 0;
    }
    this.sent = 0;
    for (const e of list) if (e !== undefined && !e.internal) e.reject(error());
  }
}

/** A pushed message of a RESP2 subscribed session: message, pmessage or smessage. */
function isMessage(r: DecodedBuffer): boolean {
  if (!Array.isArray(r) || r.length < 3) return false;
  const k = text(r[0]);
  return (k === 'message' || k === 'smessage') && r.length === 3 ? true : k === 'pmessage' && r.length === 4;
}
