/// <reference lib="dom" />
/**
 * The IndexedDB layout of one store, `lodis:<name>`, and the upgrades that build it.
 *
 *   meta       'state' → MetaRecord             schema version, epoch, active snapshot
 *   log        firstSeq → { lastSeq, bytes }     one record per committed batch
 *   snapshots  [snapshotId, index] → bytes       the chunks of each snapshot, in order
 *
 * The bytes are core's encodings (checksummed there); nothing here looks inside them.
 */
import { wrap, type DBSchema, type IDBPDatabase, type IDBPTransaction, type StoreNames } from 'idb';

/** The version of this layout; `MIGRATIONS[v]` upgrades a database from version v to v + 1. */
export const SCHEMA_VERSION = 1;

/** The one key of the `meta` store. */
export const META_KEY = 'state';

/** The `meta` record. */
export interface MetaRecord {
  /** The layout version that last wrote this record (the database's version). */
  schemaVersion: number;
  /** Bumped by every `load()`; a writer whose epoch is no longer this one is fenced off. */
  epoch: number;
  /** The snapshot a load starts from, or null before the first checkpoint. */
  snapshot: ActiveSnapshot | null;
  /** The id the next checkpoint takes, so that no two attempts ever share chunks. */
  nextSnapshotId: number;
}

/** A completed snapshot: chunks [id, 0] … [id, chunks - 1] cover every op up to `seq`. */
export interface ActiveSnapshot {
  id: number;
  seq: number;
  chunks: number;
  bytes: number;
}

/** A `log` record; its key is the batch's firstSeq. */
export interface LogRecord {
  lastSeq: number;
  bytes: Uint8Array;
}

export interface LodisDB extends DBSchema {
  meta: { key: string; value: MetaRecord };
  log: { key: number; value: LogRecord };
  snapshots: { key: [number, number]; value: Uint8Array };
}

export type LodisDatabase = IDBPDatabase<LodisDB>;
type UpgradeTransaction = IDBPTransaction<LodisDB, StoreNames<LodisDB>[], 'versionchange'>;

/** One step per schema version; a version 2 appends its step here and bumps SCHEMA_VERSION. */
const MIGRATIONS: ReadonlyArray<(db: LodisDatabase, tx: UpgradeTransaction) => void> = [
  // 0 → 1: the three stores and an empty meta record.
  (db, tx) => {
    db.createObjectStore('meta');
    db.createObjectStore('log');
    db.createObjectStore('snapshots');
    const meta: MetaRecord = { schemaVersion: 1, epoch: 0, snapshot: null, nextSnapshotId: 1 };
    void tx.objectStore('meta').put(meta, META_KEY);
  },
];

/** Lifecycle callbacks, as idb's `openDB` takes them. */
export interface OpenCallbacks {
  /** Another connection, on an older version, has not closed yet: the open waits for it. */
  blocked?(): void;
  /** This connection blocks another one's upgrade or delete (a `versionchange` event). */
  blocking?(db: LodisDatabase): void;
  /** The browser closed this connection (not `db.close()`). */
  terminated?(db: LodisDatabase): void;
}

/**
 * idb's `openDB` on a given factory (idb's own always uses the global `indexedDB`), upgrading
 * to SCHEMA_VERSION one migration at a time.
 */
export function openLodisDB(factory: IDBFactory, name: string, callbacks: OpenCallbacks): Promise<LodisDatabase> {
  const request = factory.open(name, SCHEMA_VERSION);
  request.addEventListener('upgradeneeded', (event) => {
    const db = wrap(request.result) as unknown as LodisDatabase;
    const tx = wrap(request.transaction!) as unknown as UpgradeTransaction;
    for (let v = event.oldVersion; v < SCHEMA_VERSION; v++) MIGRATIONS[v]!(db, tx);
  });
  request.addEventListener('blocked', () => callbacks.blocked?.());
  const opened = wrap(request) as unknown as Promise<LodisDatabase>;
  return opened.then((db) => {
    db.addEventListener('versionchange', () => callbacks.blocking?.(db));
    db.addEventListener('close', () => callbacks.terminated?.(db));
    return db;
  });
}
