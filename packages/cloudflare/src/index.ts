/**
 * @lodis/cloudflare — Lodis on Cloudflare: a store per Durable Object, persisted in the object's
 * SQLite storage, served as JSON over fetch, with the typed API on the Worker side.
 *
 *   export { LodisObject } from '@lodis/cloudflare';          // the Durable Object class
 *   const redis = lodisClient(env.LODIS.getByName('app'));   // in the Worker
 *   await redis.set('k', 'v');
 */
export { DurableObjectPersistence, PART_BYTES, type DurableObjectPersistenceOptions, type PersistenceStep } from './do-persistence.js';
export { LodisObject } from './lodis-object.js';
export { FetchTransport, LodisClient, lodisClient, type LodisStub } from './client.js';
export { fromWire, SESSION_HEADER, toWire, type WireCommand, type WireReply, type WireValue } from './protocol.js';
export type { DurableObjectContext, DurableObjectSqlStorage, SqlStorage, SqlStorageCursor, SqlStorageValue } from './workers.js';
