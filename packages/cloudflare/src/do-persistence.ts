/**
 * `Persistence` on a SQLite-backed Durable Object's storage (Redis' aof.c + rdb.c on disk, seen
 * from the storage side): a row per committed log batch, snapshots written chunk by chunk, and a
 * one-row meta table naming the active snapshot. The bytes are core's (checksummed); this module
 * only stores them.
 *
 * Why the SQL API rather than the KV one: it is synchronous, so an append is written before it
 * returns and a checkpoint's switch is one `transactionSync` — no manifest juggling, no 128-entry
 * batches —, and a load streams the log with one cursor. Rows hold at most 2 MB (Cloudflare's
 * limit on a string or BLOB), so a record larger than PART_BYTES is split into parts, stored under
 * one key and put back together on load.
 *
 * Group commit and the output gate: the engine appends the ops of one tick as one batch (aof.ts),
 * and `append` resolves as soon as its rows are written. The runtime commits every write made
 * without an intervening I/O await as one implicit SQLite transaction, and the object's output
 * gate holds every outgoing message (the HTTP response, subrequests) until that commit is durable;
 * if it fails the object is reset and nothing it said since is delivered. So the batches a request
 * produces commit together, a reply resolved before the commit can leave only after it, and an
 * acknowledged write is never lost.
 *
 * Fencing is not needed (unlike @lodis/idb-persist's epoch): the runtime runs at most one instance
 * of an object id at a time, its storage is private to it, and an instance that has been replaced
 * can no longer commit (its output gate breaks). One writer is the platform's guarantee.
 *
 * Checkpoint:
 *
 *   begin   (meta)           take meta.next_snapshot_id, drop orphan chunks of an unfinished one
 *   chunks  (snapshot) × n   each chunk's parts under the new id — invisible to a load until …
 *   switch  transactionSync  point meta at the new snapshot, delete the log it covers and every
 *                            other snapshot's chunks
 *
 * A crash before the switch commits leaves the old snapshot and the full log (plus orphan chunks,
 * collected by the next load or checkpoint); after it, the new snapshot and the trimmed log.
 */
import type { LogBatch, Persistence, StoredState } from '@lodis/core';
import type { DurableObjectSqlStorage, SqlStorageValue } from './workers.js';

/** Bytes per stored part: half of Cloudflare's 2 MB limit on a row's string or BLOB. */
export const PART_BYTES = 1024 * 1024;

const SCHEMA_VERSION = 1;

// One statement per exec: the SQL API runs several only without bindings.
const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS lodis_meta (
     id INTEGER PRIMARY KEY CHECK (id = 0),
     schema_version INTEGER NOT NULL,
     snapshot_id INTEGER,
     snapshot_seq INTEGER,
     next_snapshot_id INTEGER NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS lodis_log (
     first_seq INTEGER NOT NULL,
     part INTEGER NOT NULL,
     last_seq INTEGER NOT NULL,
     bytes BLOB NOT NULL,
     PRIMARY KEY (first_seq, part))`,
  `CREATE TABLE IF NOT EXISTS lodis_snapshot (
     id INTEGER NOT NULL,
     chunk INTEGER NOT NULL,
     part INTEGER NOT NULL,
     bytes BLOB NOT NULL,
     PRIMARY KEY (id, chunk, part))`,
  `INSERT OR IGNORE INTO lodis_meta (id, schema_version, next_snapshot_id) VALUES (0, ${SCHEMA_VERSION}, 1)`,
];

type MetaRow = { schema_version: number; snapshot_id: number | null; snapshot_seq: number | null; next_snapshot_id: number };

/** @internal A step of a write, announced to `hooks.step`; throwing there makes the write fail at that point. */
export type PersistenceStep =
  | { readonly op: 'append'; readonly firstSeq: number }
  | { readonly op: 'checkpoint'; readonly at: 'begin' | 'beforeSwitch' | 'switch' | 'afterSwitch' }
  | { readonly op: 'checkpoint'; readonly at: 'chunk'; readonly index: number };

/** Options of {@link DurableObjectPersistence}. */
export interface DurableObjectPersistenceOptions {
  /** @internal Fault injection for tests: `switch` and `append` run inside their transaction. */
  hooks?: { step?(step: PersistenceStep): void };
}

/**
 * Persistence for one Lodis store in its Durable Object's SQLite storage:
 *
 *   const store = createStore({ persistence: new DurableObjectPersistence(ctx.storage), activeExpire: false });
 */
export class DurableObjectPersistence implements Persistence {
  private logBytes = 0;
  private checkpointing = false;
  private closed = false;

  constructor(
    private readonly storage: DurableObjectSqlStorage,
    private readonly options: DurableObjectPersistenceOptions = {},
  ) {}

  /**
   * Creates the tables if needed, drops orphan chunks, and returns the active snapshot and the log
   * after it, both read lazily through cursors (parts put back together record by record).
   */
  async load(): Promise<StoredState> {
    const sql = this.storage.sql;
    this.storage.transactionSync(() => {
      for (const statement of SCHEMA) sql.exec(statement);
    });
    const meta = this.meta();
    if (meta.schema_version !== SCHEMA_VERSION) {
      throw new Error(`lodis: Durable Object storage has schema version ${meta.schema_version}, expected ${SCHEMA_VERSION}`);
    }
    this.collectOrphans(meta.snapshot_id);
    const snapshotSeq = meta.snapshot_seq ?? -Infinity;
    this.logBytes = sql
      .exec<{ n: number }>('SELECT COALESCE(SUM(length(bytes)), 0) AS n FROM lodis_log WHERE last_seq > ?', finite(snapshotSeq))
      .one().n;
    this.closed = false;
    return {
      snapshot: meta.snapshot_id === null ? null : { seq: meta.snapshot_seq!, chunks: this.readSnapshot(meta.snapshot_id) },
      log: this.readLog(snapshotSeq),
    };
  }

  /**
   * Writes one batch (its parts in one transaction) and resolves: durable once the runtime
   * commits the request's writes, before any reply leaves the object (see the module comment).
   */
  async append(batch: LogBatch): Promise<void> {
    this.live();
    const sql = this.storage.sql;
    this.storage.transactionSync(() => {
      let part = 0;
      for (const bytes of parts(batch.bytes)) {
        sql.exec('INSERT INTO lodis_log (first_seq, part, last_seq, bytes) VALUES (?, ?, ?, ?)', batch.firstSeq, part++, batch.lastSeq, bytes);
      }
      this.step({ op: 'append', firstSeq: batch.firstSeq });
    });
    this.logBytes += batch.bytes.byteLength;
  }

  /**
   * Writes `chunks` as a new snapshot covering every op up to `seq`, then switches to it in one
   * transaction that trims the log and deletes every other snapshot. Rejects with the failing
   * step's error; nothing a load sees changes then.
   */
  async checkpoint(seq: number, chunks: AsyncIterable<Uint8Array>): Promise<void> {
    this.live();
    if (this.checkpointing) throw new Error('lodis: a checkpoint is already running');
    this.checkpointing = true;
    const sql = this.storage.sql;
    try {
      const id = this.storage.transactionSync(() => {
        const meta = this.meta();
        sql.exec('UPDATE lodis_meta SET next_snapshot_id = ? WHERE id = 0', meta.next_snapshot_id + 1);
        this.collectOrphans(meta.snapshot_id);
        this.step({ op: 'checkpoint', at: 'begin' });
        return meta.next_snapshot_id;
      });

      let index = 0;
      for await (const chunk of chunks) {
        this.live();
        this.storage.transactionSync(() => {
          let part = 0;
          for (const bytes of parts(chunk)) {
            sql.exec('INSERT INTO lodis_snapshot (id, chunk, part, bytes) VALUES (?, ?, ?, ?)', id, index, part++, bytes);
          }
          this.step({ op: 'checkpoint', at: 'chunk', index });
        });
        index += 1;
      }

      this.step({ op: 'checkpoint', at: 'beforeSwitch' });
      this.live();
      this.storage.transactionSync(() => {
        const meta = this.meta();
        if (meta.snapshot_seq !== null && meta.snapshot_seq > seq) {
          throw new Error(`lodis: checkpoint at ${seq} is older than the active snapshot (${meta.snapshot_seq})`);
        }
        sql.exec('UPDATE lodis_meta SET snapshot_id = ?, snapshot_seq = ? WHERE id = 0', id, seq);
        sql.exec('DELETE FROM lodis_log WHERE last_seq <= ?', seq);
        this.collectOrphans(id);
        this.step({ op: 'checkpoint', at: 'switch' });
      });
      this.logBytes = sql.exec<{ n: number }>('SELECT COALESCE(SUM(length(bytes)), 0) AS n FROM lodis_log').one().n;
      this.step({ op: 'checkpoint', at: 'afterSwitch' });
    } finally {
      this.checkpointing = false;
    }
  }

  /** Bytes of log since the active snapshot. */
  logSize(): number {
    return this.logBytes;
  }

  /** Nothing is buffered: every write is already in SQLite. Later writes reject. */
  async close(): Promise<void> {
    this.closed = true;
  }

  private meta(): MetaRow {
    return this.storage.sql
      .exec<MetaRow>('SELECT schema_version, snapshot_id, snapshot_seq, next_snapshot_id FROM lodis_meta WHERE id = 0')
      .one();
  }

  /** Deletes every snapshot chunk but those of snapshot `keep` (all of them when null). */
  private collectOrphans(keep: number | null): void {
    if (keep === null) this.storage.sql.exec('DELETE FROM lodis_snapshot');
    else this.storage.sql.exec('DELETE FROM lodis_snapshot WHERE id <> ?', keep);
  }

  private live(): void {
    if (this.closed) throw new Error('lodis: Durable Object persistence is closed');
  }

  private async *readSnapshot(id: number): AsyncIterable<Uint8Array> {
    const rows = this.storage.sql.exec<{ chunk: number; bytes: ArrayBuffer }>(
      'SELECT chunk, bytes FROM lodis_snapshot WHERE id = ? ORDER BY chunk, part',
      id,
    );
    for (const [, bytes] of joinParts(rows, (r) => r.chunk)) yield bytes;
  }

  private async *readLog(afterSeq: number): AsyncIterable<LogBatch> {
    const rows = this.storage.sql.exec<{ first_seq: number; last_seq: number; bytes: ArrayBuffer }>(
      'SELECT first_seq, last_seq, bytes FROM lodis_log WHERE last_seq > ? ORDER BY first_seq, part',
      finite(afterSeq),
    );
    for (const [row, bytes] of joinParts(rows, (r) => r.first_seq)) {
      yield { firstSeq: row.first_seq, lastSeq: row.last_seq, bytes };
    }
  }

  private step(step: PersistenceStep): void {
    this.options.hooks?.step?.(step);
  }
}

/** `bytes` in parts of at most PART_BYTES, each an ArrayBuffer of its own (what SQL binds as a BLOB). */
function parts(bytes: Uint8Array): ArrayBuffer[] {
  const out: ArrayBuffer[] = [];
  for (let at = 0; at < bytes.byteLength || at === 0; at += PART_BYTES) {
    const start = bytes.byteOffset + at;
    out.push(bytes.buffer.slice(start, Math.min(start + PART_BYTES, bytes.byteOffset + bytes.byteLength)) as ArrayBuffer);
  }
  return out;
}

/** Rows ordered by record then part, as whole records (consecutive rows with the same `key`), each with its first row. */
function* joinParts<R extends { bytes: ArrayBuffer }>(rows: Iterable<R>, key: (row: R) => number): Iterable<[R, Uint8Array]> {
  let first: R | null = null;
  let pending: ArrayBuffer[] = [];
  for (const row of rows) {
    if (first !== null && key(row) === key(first)) {
      pending.push(row.bytes);
      continue;
    }
    if (first !== null) yield [first, concat(pending)];
    first = row;
    pending = [row.bytes];
  }
  if (first !== null) yield [first, concat(pending)];
}

function concat(buffers: ArrayBuffer[]): Uint8Array {
  if (buffers.length === 1) return new Uint8Array(buffers[0]!);
  const out = new Uint8Array(buffers.reduce((n, b) => n + b.byteLength, 0));
  let at = 0;
  for (const b of buffers) {
    out.set(new Uint8Array(b), at);
    at += b.byteLength;
  }
  return out;
}

/** SQLite has no -Infinity; every sequence number is ≥ 1. */
function finite(seq: number): SqlStorageValue {
  return Number.isFinite(seq) ? seq : -1;
}
