/**
 * One TCP connection = one engine session (networking.c's client): read requests, run them in
 * order, write the replies in order.
 *
 * Pipelining: every complete request in what one read delivered runs at once, and their replies
 * leave in one socket write at the end (Redis writes a client's output buffer once per event
 * loop iteration). A reply that is not ready when its command returns — a write waiting for the
 * command log to be durable (appendfsync always), a blocked BLPOP, SAVE — holds back the replies
 * after it, so the client reads them in request order.
 *
 * Blocking: while the session is blocked (BLPOP …), nothing more is parsed: later requests wait
 * in the query buffer, as in Redis (CLIENT_BLOCKED), and run once the blocked command replies.
 *
 * Pushes (pub/sub messages, RESP3 push replies) are written where they happen in the reply
 * stream: a message published by the session's own command (RESP3, subscribed to the channel it
 * publishes to) goes before that command's reply, as Redis puts it in the output buffer first.
 *
 * Closing: QUIT and a protocol error reply and then close (CLIENT_CLOSE_AFTER_REPLY); CLIENT KILL
 * closes at once; the peer closing frees the session (a blocked command is cancelled, MULTI
 * discarded, subscriptions dropped — engine.freeClient). Bounds, as Redis: the query buffer
 * (`client-query-buffer-limit`) — over it the connection is closed; a subscriber whose unread
 * output passes the pub/sub hard limit of `client-output-buffer-limit` is closed; other
 * connections stop being read while the peer does not read its replies (backpressure instead of
 * Redis' unlimited normal-client buffer).
 */
import type { Socket } from 'node:net';
import { BinaryReplyError, configGetValue, lookupConfig, type Client, type CommandArg, type Engine, type LocalTransport, type Reply } from '@lodis/core';
import { ProtocolError, RequestParser, type ParseLimits } from './resp-parser.js';
import { ReplyWriter } from './resp-writer.js';

/** A reply not ready yet. */
const PENDING = Symbol('pending');

/** Stop reading a connection whose unread replies pass this (its peer is not reading). */
const BACKPRESSURE_BYTES = 64 * 1024 * 1024;

interface Later {
  reply: Reply | typeof PENDING;
  resp: 2 | 3;
  /** Pushes that happened before this reply (and after the previous one). */
  pushes: { reply: Reply; resp: 2 | 3 }[] | null;
}

/** The settings a connection checks on every read, read once per event-loop turn (CONFIG SET applies at the next). */
interface Limits {
  /** client-query-buffer-limit */
  queryBuffer: number;
  /** proto-max-bulk-len */
  maxBulkLen: number;
  /** The pub/sub class's hard limit in client-output-buffer-limit (0: none). */
  pubsubOutput: number;
  fresh: boolean;
}

const limitsCache = new WeakMap<Engine, Limits>();

function limitsOf(engine: Engine): Limits {
  let l = limitsCache.get(engine);
  if (l !== undefined && l.fresh) return l;
  const setting = (name: string) => configGetValue(engine, lookupConfig(name)!);
  const obl = setting('client-output-buffer-limit').split(' ');
  const i = obl.indexOf('pubsub');
  l = {
    queryBuffer: Number(setting('client-query-buffer-limit')),
    maxBulkLen: Number(setting('proto-max-bulk-len')),
    pubsubOutput: i === -1 ? 0 : Number(obl[i + 1]),
    fresh: true,
  };
  limitsCache.set(engine, l);
  const stale = l;
  setImmediate(() => (stale.fresh = false));
  return l;
}

export interface ConnectionHooks {
  /** The connection is gone (closed by either side). */
  onClosed(conn: Connection): void;
}

export class Connection {
  readonly client: Client;
  private readonly parser = new RequestParser();
  private readonly writer = new ReplyWriter();
  private readonly limits: ParseLimits = { maxBulkLen: 0, authRequired: false };
  /** Commands dispatched, and replies written into `writer` (both count from 0). */
  private issued = 0;
  private written = 0;
  /** Replies (ready or not) of commands `written` … `issued - 1`, from `laterHead` on. */
  private later: Later[] = [];
  private laterHead = 0;
  /** Pushes waiting for the replies before them. */
  private laterPushes: { reply: Reply; resp: 2 | 3 }[] | null = null;
  /** Inside processInput (the end of which writes), so replies need no flush of their own. */
  private processing = false;
  private flushScheduled = false;
  /** Parsing stopped: the session is blocked, or the peer does not read its replies. */
  private stalled = false;
  private closing = false;
  private closed = false;

  constructor(
    private readonly transport: LocalTransport,
    private readonly socket: Socket,
    private readonly hooks: ConnectionHooks,
  ) {
    const c = (this.client = transport.session);
    c.addr = `${socket.remoteAddress}:${socket.remotePort}`;
    c.laddr = `${socket.localAddress}:${socket.localPort}`;
    // CLIENT KILL: of itself, it replies first (CLIENT_CLOSE_AFTER_REPLY); of another, at once.
    c.onClose = () => (this.processing ? void (this.closing = true) : this.destroy());
    transport.onPushReply((msg) => this.push(msg));
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('drain', () => {
      if (this.stalled && this.client.blocked === null) {
        this.stalled = false;
        this.processInput();
      }
    });
    socket.on('close', () => this.free());
    socket.on('error', () => this.free());
  }

  private onData(chunk: Buffer): void {
    if (this.closing) return;
    this.parser.feed(chunk);
    if (this.parser.pending > limitsOf(this.transport.engine).queryBuffer) {
      // "Closing client that reached max query buffer length": no reply, as Redis.
      this.destroy();
      return;
    }
    if (!this.stalled) this.processInput();
  }

  /** processInputBuffer: run every complete request, then write what is ready. */
  private processInput(): void {
    this.limits.maxBulkLen = limitsOf(this.transport.engine).maxBulkLen;
    this.processing = true;
    try {
      while (!this.closing) {
        if (this.client.blocked !== null || this.socket.writableLength > BACKPRESSURE_BYTES) {
          this.stalled = true;
          break;
        }
        this.limits.authRequired = (this.client as { authenticated?: boolean }).authenticated === false;
        const argv = this.parser.next(this.limits);
        if (argv === null) break;
        if (argv instanceof ProtocolError) {
          this.protocolError(argv);
          break;
        }
        this.run(argv);
        if ((this.client as { closeAfterReply?: boolean }).closeAfterReply) this.closing = true;
      }
    } finally {
      this.processing = false;
    }
    this.flush();
  }

  private run(argv: CommandArg[]): void {
    const seq = this.issued++;
    const engine = this.transport.engine;
    const c = this.client;
    if (engine.commandLog === null && !c.closed) {
      // In memory nothing waits for a disk: call the engine as Redis' processCommand is called,
      // with the arguments as parsed (the transport's path converts and checks them again).
      const r = engine.processCommand(c, argv as (string | Uint8Array)[]);
      const deferred = c.deferredReply;
      if (deferred === null) return this.onReply(seq, r);
      c.deferredReply = null;
      void deferred.then((d) => this.onReply(seq, d));
    } else {
      this.transport.dispatchReply(argv, this.onReply, seq);
    }
    // Not answered yet (and not stored for later by onReply): hold its place.
    if (this.written <= seq && seq - this.written === this.later.length - this.laterHead) {
      this.later.push({ reply: PENDING, resp: 2, pushes: this.takeLaterPushes() });
    }
  }

  private readonly onReply = (seq: number, reply: Reply): void => {
    if (this.closed) return;
    const resp = this.client.resp;
    const waiting = this.later.length - this.laterHead;
    if (seq === this.written && waiting === 0) {
      this.writer.reply(reply, resp);
      this.written++;
    } else {
      const i = this.laterHead + (seq - this.written);
      if (i === this.later.length) this.later.push({ reply, resp, pushes: this.takeLaterPushes() });
      else {
        this.later[i]!.reply = reply;
        this.later[i]!.resp = resp;
      }
      this.drain();
    }
    if (!this.processing) {
      if (this.stalled && this.client.blocked === null && this.socket.writableLength <= BACKPRESSURE_BYTES) {
        this.stalled = false;
        queueMicrotask(() => this.processInput());
      }
      this.scheduleFlush();
    }
  };

  private takeLaterPushes(): Later['pushes'] {
    const p = this.laterPushes;
    this.laterPushes = null;
    return p;
  }

  /** Write the replies that are ready, in order, up to the first that is not. */
  private drain(): void {
    const later = this.later;
    while (this.laterHead < later.length) {
      const e = later[this.laterHead]!;
      if (e.pushes !== null) {
        for (const p of e.pushes) this.writer.reply(p.reply, p.resp);
        e.pushes = null;
      }
      if (e.reply === PENDING) return;
      this.writer.reply(e.reply, e.resp);
      this.written++;
      this.laterHead++;
    }
    this.later = [];
    this.laterHead = 0;
    if (this.laterPushes !== null) {
      for (const p of this.takeLaterPushes()!) this.writer.reply(p.reply, p.resp);
    }
  }

  /** A pushed reply (pub/sub message): after every reply before it, before the next. */
  private push(reply: Reply): void {
    if (this.closed) return;
    const resp = this.client.resp;
    if (this.later.length === this.laterHead) this.writer.reply(reply, resp);
    else (this.laterPushes ??= []).push({ reply, resp });
    if (!this.processing) this.scheduleFlush();
  }

  private protocolError(e: ProtocolError): void {
    // The message is a byte string (`got '\xff'` carries the byte itself, as Redis sends it).
    this.onReply(this.issued++, new BinaryReplyError(`ERR ${e.message}`));
    this.closing = true;
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    queueMicrotask(() => {
      this.flushScheduled = false;
      this.flush();
    });
  }

  /** Hand what is written to the socket; close once a closing connection's replies are out. */
  private flush(): void {
    if (this.closed) return;
    if (this.writer.length !== 0) {
      this.socket.write(this.writer.take());
      if (this.client.subscriptionCount > 0) {
        const limit = limitsOf(this.transport.engine).pubsubOutput;
        if (limit > 0 && this.socket.writableLength > limit) return this.destroy();
      }
    }
    if (this.closing && this.later.length === this.laterHead) {
      // Redis closes the socket once the reply is out: the peer's later writes are refused, not
      // read into a half-closed connection.
      this.closed = true;
      this.socket.end(() => this.socket.destroy());
      this.release();
    }
  }

  /** Close now, replies not yet written dropped (CLIENT KILL, limits). */
  destroy(): void {
    if (this.closed) return;
    this.closed = this.closing = true;
    this.socket.destroy();
    this.release();
  }

  /** The peer went away. */
  private free(): void {
    this.closed = this.closing = true;
    this.release();
  }

  private released = false;
  private release(): void {
    if (this.released) return;
    this.released = true;
    this.client.onClose = null;
    if (!this.client.closed) this.transport.close();
    this.hooks.onClosed(this);
  }
}
