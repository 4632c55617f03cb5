/**
 * The parts of the Workers runtime this package uses, as structural types: the same shapes as
 * @cloudflare/workers-types (`SqlStorage`, `DurableObjectStorage`, `DurableObjectState`), declared
 * here so the package needs neither that package nor `cloudflare:workers` to build, and an
 * application's own `DurableObjectState` is accepted as is.
 */

/** A value SQLite stores or returns: BLOBs come back as ArrayBuffers. */
export type SqlStorageValue = ArrayBuffer | string | number | null;

export interface SqlStorageCursor<T> extends Iterable<T> {
  toArray(): T[];
  one(): T;
}

/** `ctx.storage.sql` of a SQLite-backed Durable Object: synchronous, one database per object. */
export interface SqlStorage {
  exec<T extends Record<string, SqlStorageValue>>(query: string, ...bindings: SqlStorageValue[]): SqlStorageCursor<T>;
}

/** `ctx.storage` of a SQLite-backed Durable Object (class listed in `new_sqlite_classes`). */
export interface DurableObjectSqlStorage {
  readonly sql: SqlStorage;
  /** Runs `fn` in a SQLite transaction: committed when it returns, rolled back when it throws. */
  transactionSync<T>(fn: () => T): T;
}

/** `ctx`, the first argument of a Durable Object's constructor. */
export interface DurableObjectContext {
  readonly storage: DurableObjectSqlStorage;
  /** Holds every event delivered to the object until `fn` settles (used to load the store). */
  blockConcurrencyWhile<T>(fn: () => Promise<T>): Promise<T>;
}
