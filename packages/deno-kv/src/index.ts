/**
 * @lodis/deno-kv: Deno KV persistence for a Lodis store, behind core's `Persistence` interface —
 * a snapshot in parts plus a log of committed write batches, fenced by a writer epoch (README.md).
 *
 *   const store = await openStore({ persistence: denoKvPersistence({ name: 'app', path: './lodis.kv' }) });
 */
export { denoKvPersistence, DenoKvPersistence, type DenoKvPersistenceOptions, type Kv } from './kv-persistence.js';
export { ClosedError, FencedError } from './errors.js';
