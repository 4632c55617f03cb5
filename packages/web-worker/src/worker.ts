/// <reference lib="dom" />
/**
 * The worker entry (a module worker): opens the store with IndexedDB persistence and serves the
 * page through Comlink — one `exec` per batch of commands, replies in order, errors as values —
 * and pushes pub/sub messages on a MessagePort.
 *
 * Started by client.ts as `new Worker(new URL('./worker.js', import.meta.url), { type: 'module' })`.
 */
import * as Comlink from 'comlink';
import { LocalTransport, openStore, type DecodedBuffer, type Store } from '@lodis/core';
import { idbPersistence } from '@lodis/idb-persist';
import type { Batch, BatchReply, OpenRequest, PushMessage, WireReply, WorkerApi } from './protocol.js';
import { errorToWire, toWire } from './wire.js';

let store: Store | null = null;
let pushes: MessagePort | null = null;
/** The page's sessions (connections), by id: 0 is the store's own, the others made on first use. */
const sessions = new Map<number, LocalTransport>();

function session(id: number): LocalTransport {
  let t = sessions.get(id);
  if (t === undefined) {
    if (!store) throw new Error('Lodis worker: exec before open');
    t = new LocalTransport(store.engine);
    const port = pushes!;
    t.onPush((msg) => port.postMessage({ kind: 'push', session: id, msg: toWire(msg as DecodedBuffer) } satisfies PushMessage), true);
    sessions.set(id, t);
  }
  return t;
}

const onReply = (r: DecodedBuffer): WireReply => toWire(r);

const api: WorkerApi = {
  async open(request: OpenRequest, port: MessagePort): Promise<void> {
    if (store) throw new Error('Lodis worker: the store is already open');
    pushes = port;
    store = await openStore({
      persistence: idbPersistence({
        name: request.name,
        durability: request.durability,
        closed: (reason) => port.postMessage({ kind: 'closed', reason: String(reason) } satisfies PushMessage),
      }),
    });
  },

  async exec(batch: Batch): Promise<BatchReply> {
    const { commands, sessions: ids, buffers } = batch;
    const n = commands.length;
    const pending = new Array<Promise<WireReply>>(n);
    let b = 0;
    for (let i = 0; i < n; i++) {
      const t = session(ids[i]!);
      let p: Promise<DecodedBuffer>;
      if (buffers[b] === i) {
        b++;
        p = t.sendBuffer(commands[i]!);
      } else {
        p = t.send(commands[i]!);
      }
      pending[i] = p.then(onReply, errorToWire);
    }
    for (const id of batch.close) {
      sessions.get(id)?.close();
      sessions.delete(id);
    }
    return { kind: 'replies', replies: await Promise.all(pending) };
  },

  async close(): Promise<void> {
    const s = store;
    store = null;
    for (const [id, t] of sessions) if (id !== 0) t.close();
    sessions.clear();
    await s?.close();
    pushes?.close();
    pushes = null;
  },
};

Comlink.expose(api);
