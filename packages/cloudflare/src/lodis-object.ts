/// <reference lib="dom" />
/**
 * LodisObject: a Durable Object holding one Lodis store, persisted in its own SQLite storage
 * (do-persistence.ts), serving Redis commands as JSON over fetch (protocol.ts).
 *
 * Concurrency is the platform's: an object runs one event at a time, and its input gate delivers
 * no other request while it waits on storage. A request's commands are all issued in one turn
 * (each reply is a promise; none is awaited before the next command is sent), so a batch, and a
 * MULTI … EXEC in it, runs with nothing in between — as a Redis connection's pipeline does.
 *
 * No timers outside a request: the store is made with `activeExpire: false` (lazy expiry keeps
 * every read correct) and each request runs `serverCron()` first — an expiry cycle and blocked
 * commands' timeouts, at most every 100 ms, as Redis' serverCron would have in the meantime.
 */
import { createStore, type Decoded, type Store, type StoreOptions } from '@lodis/core';
import { DurableObjectPersistence } from './do-persistence.js';
import { isWireCommand, SESSION_HEADER, toWire, type WireCommand, type WireReply } from './protocol.js';
import type { DurableObjectContext } from './workers.js';

export class LodisObject {
  /** The store, for subclasses (the typed API in process: `this.store.incr('n')`). */
  readonly store: Store;
  /** Sessions kept across requests (`Lodis-Session`), until QUIT or the object is evicted. */
  private readonly sessions = new Map<string, Store>();

  constructor(ctx: DurableObjectContext, _env?: unknown, options: StoreOptions = {}) {
    this.store = createStore({ ...options, persistence: new DurableObjectPersistence(ctx.storage), activeExpire: false });
    // No request is delivered until the stored state is loaded (a failed load fails them all).
    void ctx.blockConcurrencyWhile(() => this.store.ready);
  }

  async fetch(request: Request): Promise<Response> {
    if (request.method !== 'POST') return new Response('POST a command as JSON: ["SET","k","v"]\n', { status: 405 });
    let body: unknown;
    try {
      body = await request.json();
    } catch {
      return json({ error: 'ERR the request body is not JSON' }, 400);
    }
    const batch = isWireCommand(body);
    const commands: unknown[] = batch ? [body] : Array.isArray(body) ? body : [];
    if (!commands.length || !commands.every(isWireCommand)) {
      return json({ error: 'ERR expected a command ["SET","k","v"] or an array of them' }, 400);
    }
    this.store.serverCron();
    const replies = await this.run(commands, request.headers.get(SESSION_HEADER));
    if (batch) return json(replies[0]!, 'error' in replies[0]! ? 400 : 200);
    return json(replies, 200);
  }

  /** Runs the commands on one session, all issued before any reply is awaited. */
  private async run(commands: WireCommand[], sessionId: string | null): Promise<WireReply[]> {
    let session = sessionId === null ? null : this.sessions.get(sessionId);
    if (sessionId !== null && !session) this.sessions.set(sessionId, (session = this.store.connect()));
    const client = session ?? this.store.connect();
    const pending: Promise<Decoded>[] = [];
    let quit = false;
    for (const argv of commands) {
      // QUIT ends the connection, not a command of the engine: the rest of the batch is refused.
      if (quit) pending.push(Promise.reject(new Error('ERR the session has quit')));
      else if (String(argv[0]).toUpperCase() === 'QUIT') quit = (pending.push(Promise.resolve('OK')), true);
      else pending.push(client.call(...argv));
    }
    if (quit && sessionId !== null) this.sessions.delete(sessionId);
    const settled = await Promise.allSettled(pending);
    if (!session || quit) void client.close();
    return settled.map((s) =>
      s.status === 'fulfilled' ? { result: toWire(s.value) } : { error: s.reason instanceof Error ? s.reason.message : String(s.reason) },
    );
  }
}

function json(value: unknown, status: number): Response {
  return new Response(JSON.stringify(value), { status, headers: { 'content-type': 'application/json' } });
}
