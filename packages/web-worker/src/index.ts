/**
 * @lodis/web-worker: Lodis in the browser — the engine in a dedicated module Web Worker behind a
 * Comlink facade, persisted with @lodis/idb-persist, with auto-pipelining (see README.md).
 *
 *   import { createClient } from '@lodis/web-worker';
 *   const redis = createClient({ name: 'app' });
 *   await redis.set('k', 'v');
 *
 * Every tab that opens a store name shares one store: one tab's worker leads (runs the engine on
 * IndexedDB), the others forward to it; see README.md.
 */
export { createClient, WorkerClient, WorkerTransport, type ClientHooks, type ClientOptions } from './client.js';
export type { KeyWatchStats, Leadership, Message, OpenRequest, PageBatch, WireError, WireReply, WorkerApi } from './protocol.js';
