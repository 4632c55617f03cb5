/// <reference lib="dom" />
/**
 * The Worker side: the typed API (core's RedisCommands) over a LodisObject stub. Commands issued
 * in one microtask go out as one request (auto-pipelining), so a `multi()` … `exec()` — or any
 * chain of calls made without awaiting in between — runs as one batch inside the object.
 *
 *   const redis = lodisClient(env.LODIS.getByName('rate-limits'));
 *   const [count] = await redis.multi().incr(key).expire(key, 60, 'NX').exec();
 */
import { RedisCommands, ReplyError, type CommandArg, type Decoded, type DecodedBuffer, type Transport } from '@lodis/core';
import { fromWire, SESSION_HEADER, type WireCommand, type WireReply } from './protocol.js';

/** What a Durable Object stub offers (`env.LODIS.get(id)`, `env.LODIS.getByName(name)`). */
export interface LodisStub {
  fetch(input: string, init?: RequestInit): Promise<Response>;
}

/** The typed API over a LodisObject stub. */
export function lodisClient(stub: LodisStub): LodisClient {
  return new LodisClient(new FetchTransport(stub, null));
}

export class LodisClient extends RedisCommands {
  declare protected readonly transport: FetchTransport;

  /** A session kept across requests (a connection: WATCH, SELECT …), until `close()` (QUIT). */
  connect(): LodisClient {
    return new LodisClient(this.transport.connect());
  }

  close(): Promise<void> {
    return this.transport.quit();
  }
}

export class FetchTransport implements Transport {
  private queue: { argv: WireCommand; resolve: (r: Decoded) => void; reject: (e: unknown) => void }[] = [];

  constructor(
    private readonly stub: LodisStub,
    /** The `Lodis-Session` id; null: each batch is a session of its own. */
    private readonly session: string | null,
  ) {}

  send(argv: CommandArg[]): Promise<Decoded> {
    const wire = argv.map((a) => {
      if (a instanceof Uint8Array) throw new TypeError('lodis: byte arguments do not travel as JSON; send text');
      return typeof a === 'bigint' ? String(a) : a;
    });
    return new Promise((resolve, reject) => {
      if (this.queue.push({ argv: wire, resolve, reject }) === 1) queueMicrotask(() => void this.flush());
    });
  }

  sendBuffer(): Promise<DecodedBuffer> {
    return Promise.reject(new TypeError('lodis: byte replies do not travel as JSON; use call'));
  }

  connect(): FetchTransport {
    return new FetchTransport(this.stub, crypto.randomUUID());
  }

  onPush(): void {
    throw new TypeError('lodis: pub/sub needs a connection; fetch has none');
  }

  watchKeys(): () => void {
    throw new TypeError('lodis: key watches need a connection; fetch has none');
  }

  close(): void {
    void this.quit();
  }

  /** Ends the session in the object (nothing to end without one). */
  async quit(): Promise<void> {
    if (this.session !== null) await this.send(['QUIT']);
  }

  private async flush(): Promise<void> {
    const batch = this.queue.splice(0);
    try {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (this.session !== null) headers[SESSION_HEADER] = this.session;
      const response = await this.stub.fetch('http://lodis/', {
        method: 'POST',
        headers,
        body: JSON.stringify(batch.map((c) => c.argv)),
      });
      const replies = (await response.json()) as WireReply[] | { error: string };
      if (!Array.isArray(replies)) throw new ReplyError(replies.error);
      batch.forEach((c, i) => {
        const r = replies[i]!;
        if ('error' in r) c.reject(new ReplyError(r.error));
        else c.resolve(fromWire(r.result));
      });
    } catch (e) {
      for (const c of batch) c.reject(e);
    }
  }
}
