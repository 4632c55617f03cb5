/**
 * @lodis/idb-persist: IndexedDB persistence for a Lodis store, behind core's `Persistence`
 * interface — a snapshot in 1–4 MB chunks plus an append-only log of committed write batches,
 * fenced by a writer epoch (see README.md).
 *
 *   const store = await openStore({ persistence: idbPersistence({ name: 'app' }) });
 */
export {
  idbPersistence,
  requestPersistentStorage,
  IdbPersistence,
  type Durability,
  type IdbPersistenceOptions,
} from './idb-persistence.js';
export { ClosedError, FencedError, type CloseReason } from './errors.js';
