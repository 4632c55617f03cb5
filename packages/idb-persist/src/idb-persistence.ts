/// <reference lib="dom" />
/**
 * `Persistence` on IndexedDB (Redis' aof.c + rdb.c on disk, seen from the storage side): a log
 * record per committed batch, snapshots written chunk by chunk, and an epoch that fences off a
 * writer once another one has loaded. The layout is in schema.ts; the bytes are core's.
 *
 * Every append, flush and checkpoint step reads `meta.epoch` and stops with a FencedError if it
 * has changed: checkpoint steps before writing anything; append and flush in the same tick as
 * their log puts (one round trip), aborting the transaction on a mismatch so the puts never
 * commit. The switch to a new snapshot is the only step of a checkpoint that changes what a load
 * sees:
 *
 *   begin   (meta, snapshots)       check epoch, take meta.nextSnapshotId, drop orphan chunks
 *   chunks  (snapshots) × n         one transaction per chunk under the new id, after a
 *                                   read-only epoch check: appends never queue behind a chunk
 *   switch  (meta, log, snapshots)  check epoch, point meta at the new snapshot, delete the log
 *                                   it covers and every other snapshot's chunks
 *
 * A crash before the switch commits leaves the old snapshot and the full log (plus orphan chunks,
 * collected by the next load or checkpoint); after it, the new snapshot and the trimmed log.
 */
import { MemoryPersistence, type LogBatch, type Persistence, type StoredState } from '@lodis/core';
import { unwrap, type IDBPTransaction, type StoreNames } from 'idb';
import { ClosedError, FencedError, type CloseReason } from './errors.js';
import {
  META_KEY,
  openLodisDB,
  type ActiveSnapshot,
  type LodisDB,
  type LodisDatabase,
  type MetaRecord,
} from './schema.js';

/**
 * How long an acknowledged write takes to reach the disk, and what a crash can cost.
 *
 * - `durable` (default): `append` resolves when its transaction has committed with relaxed
 *   durability — written to the OS, survives a tab or browser crash; an OS crash or power loss
 *   may take the last moments.
 * - `strict`: committed with strict durability (flushed to the disk) — survives power loss too,
 *   at several milliseconds per commit.
 * - `interval`: `append` resolves at once; batches are buffered and written every `intervalMs`
 *   in one transaction. A crash loses up to `intervalMs` of acknowledged writes (never a write in
 *   the middle: what survives is always a prefix of the log).
 * - `memory`: no IndexedDB; everything lasts as long as the page.
 */
export type Durability = 'durable' | 'strict' | 'interval' | 'memory';

/** Options of {@link idbPersistence}. */
export interface IdbPersistenceOptions {
  /** The store's name: its database is `lodis:<name>`, one per store, several per origin. */
  name: string;
  /** Default `durable`; see {@link Durability}. */
  durability?: Durability;
  /** `interval` mode: how often buffered batches are written, in ms. Default 1000. */
  intervalMs?: number;
  /**
   * The IndexedDB factory; default `globalThis.indexedDB`. idb needs the matching classes
   * (`IDBDatabase`, `IDBKeyRange` …) as globals, so pass a factory of the same implementation
   * (in Node tests: `import 'fake-indexeddb/auto'`, then `new IDBFactory()` per test).
   */
  indexedDB?: IDBFactory;
  /**
   * Ask the browser to keep this origin's storage under pressure (`navigator.storage.persist()`)
   * when the store opens. Default true; the answer does not delay opening.
   */
  persist?: boolean;
  /** Log batches read per transaction by `load()`. Default 512. */
  logPageSize?: number;
  /** Opening waits for another tab on an older schema version to close its connection. */
  blocked?(): void;
  /**
   * The connection is gone: closed so that another tab can upgrade or delete the database
   * (`versionchange`, after writing what `interval` mode had buffered), or by the browser
   * (`terminated`: storage cleared, disk error). Later writes reject with a ClosedError.
   */
  closed?(reason: 'versionchange' | 'terminated'): void;
  /** @internal Fault injection for tests. */
  hooks?: PersistenceHooks;
}

/**
 * @internal A step of a write, announced to `hooks.step`; throwing there makes the write fail at
 * that point. Steps with a `tx` run inside that transaction (so throwing aborts it, and a test
 * can also make the transaction itself fail through `tx`).
 */
export type PersistenceStep =
  | { readonly op: 'append' | 'flush'; readonly tx: IDBTransaction }
  | { readonly op: 'checkpoint'; readonly at: 'begin' | 'switch'; readonly tx: IDBTransaction }
  | { readonly op: 'checkpoint'; readonly at: 'chunk'; readonly index: number; readonly tx: IDBTransaction }
  | { readonly op: 'checkpoint'; readonly at: 'beforeChunk' | 'afterChunk'; readonly index: number }
  | { readonly op: 'checkpoint'; readonly at: 'beforeSwitch' | 'afterSwitch' };

/** @internal */
export interface PersistenceHooks {
  step?(step: PersistenceStep): void;
}

/**
 * Persistence for one Lodis store in IndexedDB (or in memory, for `durability: 'memory'`).
 *
 *   const store = await openStore({ persistence: idbPersistence({ name: 'app' }) });
 */
export function idbPersistence(options: IdbPersistenceOptions): Persistence {
  return options.durability === 'memory' ? new MemoryPersistence() : new IdbPersistence(options);
}

/**
 * Asks the browser not to evict this origin's storage under pressure (`navigator.storage.persist()`).
 * Resolves to whether storage is persistent; false where the API is missing (workers, Node).
 */
export async function requestPersistentStorage(): Promise<boolean> {
  const storage = (globalThis as { navigator?: { storage?: Partial<StorageManager> } }).navigator?.storage;
  if (!storage?.persist) return false;
  try {
    return (await storage.persisted?.()) === true || (await storage.persist());
  } catch {
    return false;
  }
}

type Stores = StoreNames<LodisDB>[];
type WriteTransaction<S extends Stores> = IDBPTransaction<LodisDB, S, 'readwrite'>;

/** The IndexedDB backend; {@link idbPersistence} makes one for every mode but `memory`. */
export class IdbPersistence implements Persistence {
  /** The IndexedDB database name, `lodis:<name>`. */
  readonly database: string;
  private readonly options: IdbPersistenceOptions;
  private readonly durability: IDBTransactionDurability;
  private readonly interval: boolean;
  private db: LodisDatabase | null = null;
  /** Why writes are refused; null while open for writing. */
  private closedReason: CloseReason | 'not loaded' | null = 'not loaded';
  /** The epoch taken by the last `load()`. */
  private epoch = 0;

  /** The epoch this writer took at `load()` (0 before): grows with every writer that takes over. */
  get writerEpoch(): number {
    return this.epoch;
  }
  /** The sequence number the active snapshot covers. */
  private snapshotSeq = -Infinity;
  /** Size of each batch known to be in the log since the snapshot (read by load, or appended). */
  private logBatches: { lastSeq: number; size: number }[] = [];
  private logBytes = 0;
  private checkpointing = false;
  // `interval` mode: acknowledged batches not yet written, the timer and the flush under way.
  private buffer: LogBatch[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;
  private flushing: Promise<void> | null = null;
  private flushFailure: { error: unknown } | null = null;

  constructor(options: IdbPersistenceOptions) {
    if (!options.name) throw new TypeError('idbPersistence: a store name is required');
    this.options = options;
    this.database = `lodis:${options.name}`;
    this.durability = options.durability === 'strict' ? 'strict' : 'relaxed';
    this.interval = options.durability === 'interval';
  }

  /**
   * Opens the database (creating or upgrading it), takes over as the writer by bumping
   * `meta.epoch` in a strict transaction, collects orphan chunks, and returns the active snapshot
   * and the log after it, both read lazily: a chunk, or a page of batches, per transaction.
   */
  async load(): Promise<StoredState> {
    if (this.options.persist !== false) void requestPersistentStorage().catch(noop);
    if (this.buffer.length) await this.flush().catch(noop);
    const db = this.db ?? (await this.open());
    this.db = db;
    const meta = await transact(db, ['meta', 'snapshots'], 'strict', async (tx) => {
      const meta = await tx.objectStore('meta').get(META_KEY);
      if (!meta) throw new Error(`${this.database}: the meta record is missing`);
      meta.epoch += 1;
      quiet(tx.objectStore('meta').put(meta, META_KEY));
      collectOrphans(tx.objectStore('snapshots'), meta.snapshot?.id ?? null);
      return meta;
    });
    this.closedReason = null;
    this.epoch = meta.epoch;
    this.snapshotSeq = meta.snapshot?.seq ?? -Infinity;
    this.logBatches = [];
    this.logBytes = 0;
    return {
      snapshot: meta.snapshot && { seq: meta.snapshot.seq, chunks: this.readSnapshot(meta.snapshot) },
      log: this.readLog(this.snapshotSeq),
    };
  }

  /**
   * Writes one batch in one transaction, which checks the epoch alongside the put (aborting on a
   * mismatch). `durable` and `strict` resolve when it has committed; `interval` resolves at once
   * and rejects only while the last flush has failed (the batch stays buffered, after the ones
   * before it).
   */
  async append(batch: LogBatch): Promise<void> {
    const db = this.live();
    if (this.interval) return this.bufferBatch(batch);
    await transact(db, ['meta', 'log'], this.durability, async (tx) => {
      const epoch = this.checkEpochAlongside(tx.objectStore('meta'));
      quiet(tx.objectStore('log').put({ lastSeq: batch.lastSeq, bytes: own(batch.bytes) }, batch.firstSeq));
      await epoch;
      this.step({ op: 'append', tx: unwrap(tx) });
    });
    this.track(batch.lastSeq, batch.bytes.byteLength);
  }

  /**
   * Writes `chunks` as a new snapshot covering every op up to `seq` (a transaction per chunk),
   * then switches to it in one transaction that checks the epoch, trims the log and deletes the
   * old snapshot. Rejects with the failing transaction's error; nothing a load sees changes then.
   */
  async checkpoint(seq: number, chunks: AsyncIterable<Uint8Array>): Promise<void> {
    if (this.checkpointing) throw new Error(`${this.database}: a checkpoint is already running`);
    this.checkpointing = true;
    try {
      const id = await transact(this.live(), ['meta', 'snapshots'], this.durability, async (tx) => {
        const meta = await this.checkEpoch(tx.objectStore('meta'));
        quiet(tx.objectStore('meta').put({ ...meta, nextSnapshotId: meta.nextSnapshotId + 1 }, META_KEY));
        collectOrphans(tx.objectStore('snapshots'), meta.snapshot?.id ?? null);
        this.step({ op: 'checkpoint', at: 'begin', tx: unwrap(tx) });
        return meta.nextSnapshotId;
      });

      let index = 0;
      let bytes = 0;
      for await (const chunk of chunks) {
        this.step({ op: 'checkpoint', at: 'beforeChunk', index });
        const db = this.live();
        // A writer fenced off mid-snapshot stops here instead of filling the disk with orphans.
        await this.checkEpoch(db.transaction('meta').store);
        await transact(db, ['snapshots'], this.durability, async (tx) => {
          quiet(tx.objectStore('snapshots').put(own(chunk), [id, index]));
          this.step({ op: 'checkpoint', at: 'chunk', index, tx: unwrap(tx) });
        });
        this.step({ op: 'checkpoint', at: 'afterChunk', index });
        index += 1;
        bytes += chunk.byteLength;
      }

      this.step({ op: 'checkpoint', at: 'beforeSwitch' });
      await transact(this.live(), ['meta', 'log', 'snapshots'], this.durability, async (tx) => {
        const meta = await this.checkEpoch(tx.objectStore('meta'));
        if (meta.snapshot && meta.snapshot.seq > seq) {
          throw new Error(`${this.database}: checkpoint at ${seq} is older than the active snapshot (${meta.snapshot.seq})`);
        }
        // Batches cover consecutive ranges, so only the last one starting at or before seq can
        // reach past it; that one stays.
        const log = tx.objectStore('log');
        const last = await log.openCursor(IDBKeyRange.upperBound(seq), 'prev');
        if (last) quiet(log.delete(IDBKeyRange.upperBound(last.key, last.value.lastSeq > seq)));
        collectOrphans(tx.objectStore('snapshots'), id);
        const snapshot: ActiveSnapshot = { id, seq, chunks: index, bytes };
        quiet(tx.objectStore('meta').put({ ...meta, snapshot }, META_KEY));
        this.step({ op: 'checkpoint', at: 'switch', tx: unwrap(tx) });
      });

      this.snapshotSeq = seq;
      this.logBatches = this.logBatches.filter((b) => b.lastSeq > seq);
      this.logBytes = this.logBatches.reduce((n, b) => n + b.size, 0);
      this.buffer = this.buffer.filter((b) => b.lastSeq > seq);
      this.step({ op: 'checkpoint', at: 'afterSwitch' });
    } finally {
      this.checkpointing = false;
    }
  }

  /** Bytes of log since the active snapshot: the batches appended, and those `load()` has yielded. */
  logSize(): number {
    return this.logBytes;
  }

  /**
   * `interval` mode: writes the buffered batches now, in one transaction (the timer does this
   * every `intervalMs`). Other modes have nothing buffered.
   */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing.catch(noop);
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    const db = this.db;
    if (!this.buffer.length || !db) return;
    // One flush at a time, and a failed one puts its batches back in front: what reaches the
    // log is always a prefix of what was acknowledged.
    const batches = this.buffer.splice(0);
    const flushing = transact(db, ['meta', 'log'], 'relaxed', async (tx) => {
      const epoch = this.checkEpochAlongside(tx.objectStore('meta'));
      const log = tx.objectStore('log');
      for (const b of batches) quiet(log.put({ lastSeq: b.lastSeq, bytes: b.bytes }, b.firstSeq));
      await epoch;
      this.step({ op: 'flush', tx: unwrap(tx) });
    });
    this.flushing = flushing;
    try {
      await flushing;
      this.flushFailure = null;
    } catch (error) {
      this.flushFailure = { error };
      if (!(error instanceof FencedError)) {
        this.buffer.unshift(...batches.filter((b) => b.lastSeq > this.snapshotSeq));
        this.schedule();
      }
      throw error;
    } finally {
      if (this.flushing === flushing) this.flushing = null;
    }
  }

  /** Writes what `interval` mode has buffered, then closes the database. */
  async close(): Promise<void> {
    try {
      await this.flush();
    } finally {
      if (this.timer !== null) clearTimeout(this.timer);
      this.timer = null;
      this.db?.close();
      this.db = null;
      this.closedReason = 'closed';
    }
  }

  private open(): Promise<LodisDatabase> {
    const factory = this.options.indexedDB ?? (globalThis as { indexedDB?: IDBFactory }).indexedDB;
    if (!factory) {
      throw new Error(`${this.database}: IndexedDB is not available here (use durability: 'memory')`);
    }
    return openLodisDB(factory, this.database, {
      blocked: () => this.options.blocked?.(),
      blocking: (db) => this.lose(db, 'versionchange'),
      terminated: (db) => this.lose(db, 'terminated'),
    });
  }

  /** The connection is going away under us: refuse writes, flush what was acknowledged, close. */
  private lose(db: LodisDatabase, reason: 'versionchange' | 'terminated'): void {
    if (this.db !== db) return;
    this.closedReason = reason;
    const finish = () => {
      db.close();
      if (this.db === db) this.db = null;
      this.options.closed?.(reason);
    };
    if (reason === 'versionchange' && this.buffer.length) void this.flush().catch(noop).finally(finish);
    else finish();
  }

  /** The open database, or a ClosedError saying why there is none. */
  private live(): LodisDatabase {
    if (this.closedReason !== null || !this.db) throw new ClosedError(this.database, this.closedReason ?? 'closed');
    return this.db;
  }

  /** Reads `meta` and fails with a FencedError if another writer has loaded since this one. */
  private async checkEpoch(store: { get(key: string): Promise<MetaRecord | undefined> }): Promise<MetaRecord> {
    const meta = await store.get(META_KEY);
    if (meta?.epoch !== this.epoch) throw new FencedError(this.database, this.epoch, meta?.epoch ?? NaN);
    return meta;
  }

  /**
   * `checkEpoch` for a transaction that issues its writes right after this call, in the same
   * tick, without waiting for the read: one round trip instead of two. Still exactly as safe: the
   * read was requested first, so its result arrives while those writes are pending and the
   * transaction cannot have committed; a mismatch throws in the microtasks of that result's
   * success event, and `transact` aborts the transaction right there, so none of the writes ever
   * commits. The caller awaits the returned promise; it is also made quiet so that a write
   * throwing synchronously (before that await) leaves no unhandled rejection.
   */
  private checkEpochAlongside(store: { get(key: string): Promise<MetaRecord | undefined> }): Promise<MetaRecord> {
    const meta = this.checkEpoch(store);
    meta.catch(noop);
    return meta;
  }

  private async bufferBatch(batch: LogBatch): Promise<void> {
    this.buffer.push({ firstSeq: batch.firstSeq, lastSeq: batch.lastSeq, bytes: batch.bytes.slice() });
    this.track(batch.lastSeq, batch.bytes.byteLength);
    this.schedule();
    if (this.flushFailure) throw this.flushFailure.error;
  }

  private schedule(): void {
    if (this.timer !== null) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.flush().catch(noop); // kept in flushFailure: the next append reports it
    }, this.options.intervalMs ?? 1000);
  }

  private async *readSnapshot(snapshot: ActiveSnapshot): AsyncIterable<Uint8Array> {
    const read = (index: number) => {
      const chunk = this.live().get('snapshots', [snapshot.id, index]);
      chunk.catch(noop); // a read ahead that is never awaited must not be an unhandled rejection
      return chunk;
    };
    let next = snapshot.chunks > 0 ? read(0) : null;
    for (let index = 0; next; index++) {
      const chunk = await next;
      // Read the next chunk while the engine decodes this one.
      next = index + 1 < snapshot.chunks ? read(index + 1) : null;
      if (!chunk) {
        await this.checkEpoch(this.live().transaction('meta').store);
        throw new Error(`${this.database}: snapshot ${snapshot.id} is missing chunk ${index} of ${snapshot.chunks}`);
      }
      yield chunk;
    }
  }

  private async *readLog(afterSeq: number): AsyncIterable<LogBatch> {
    const pageSize = this.options.logPageSize ?? 512;
    let range: IDBKeyRange | undefined;
    for (;;) {
      const store = this.live().transaction('log').store;
      const [keys, records] = await Promise.all([store.getAllKeys(range, pageSize), store.getAll(range, pageSize)]);
      for (let i = 0; i < keys.length; i++) {
        const firstSeq = keys[i]!;
        const { lastSeq, bytes } = records[i]!;
        if (lastSeq <= afterSeq) continue;
        this.track(lastSeq, bytes.byteLength);
        yield { firstSeq, lastSeq, bytes };
      }
      if (keys.length < pageSize) return;
      range = IDBKeyRange.lowerBound(keys[keys.length - 1]!, true);
    }
  }

  private track(lastSeq: number, size: number): void {
    this.logBatches.push({ lastSeq, size });
    this.logBytes += size;
  }

  private step(step: PersistenceStep): void {
    this.options.hooks?.step?.(step);
  }
}

/**
 * Runs `body` in a readwrite transaction and resolves when that commits. Rejects with the first
 * failure — `body`'s own error (the transaction is then aborted) or the transaction's error
 * (QuotaExceededError …) as IndexedDB raised it. `body` must only await requests of `tx`.
 */
async function transact<S extends Stores, T>(
  db: LodisDatabase,
  stores: S,
  durability: IDBTransactionDurability,
  body: (tx: WriteTransaction<S>) => Promise<T>,
): Promise<T> {
  const tx = db.transaction(stores, 'readwrite', { durability });
  const done = tx.done;
  done.catch(noop);
  try {
    const result = await body(tx);
    await done;
    return result;
  } catch (error) {
    try {
      tx.abort();
    } catch {
      // already committed or aborted
    }
    throw error;
  }
}

/** Deletes every snapshot chunk except those of snapshot `keep` (all of them when null). */
function collectOrphans(
  store: { delete(range: IDBKeyRange): Promise<void>; clear(): Promise<void> },
  keep: number | null,
): void {
  if (keep === null) return quiet(store.clear());
  // Keys are [id, index]: [keep] sorts before every key of snapshot `keep`, [keep + 1] after.
  quiet(store.delete(IDBKeyRange.upperBound([keep], true)));
  quiet(store.delete(IDBKeyRange.lowerBound([keep + 1])));
}

/**
 * The bytes alone: a view into a larger buffer would be stored (structured-cloned) whole.
 * IndexedDB copies what it stores when `put` is called, so the caller may reuse its buffer.
 */
function own(bytes: Uint8Array): Uint8Array {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice();
}

/** A write request whose failure the transaction reports (its `done` rejects with the error). */
function quiet(request: Promise<unknown>): void {
  request.catch(noop);
}

function noop(): void {}
