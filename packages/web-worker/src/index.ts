/**
 * @lodis/web-worker: Lodis in the browser — the engine in a dedicated module Web Worker behind a
 * Comlink facade, persisted with @lodis/idb-persist, with auto-pipelining (see README.md).
 *
 *   import { createClient } from '@lodis/web-worker';
 *   const redis = createClient({ name: 'app' });
 *   await redis.set('k', 'v');
 *
 * Not yet: one leader across tabs, pub/sub across tabs (README.md, "Next").
 */
export { createClient, WorkerClient, WorkerTransport, type ClientHooks, type ClientOptions } from './client.js';
export type { Batch, BatchReply, Message, OpenRequest, PushMessage, WireError, WireReply, WorkerApi } from './protocol.js';
