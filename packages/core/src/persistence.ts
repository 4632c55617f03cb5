/**
 * The plug between the engine and durable storage (Redis' aof.c + rdb.c, seen from the engine).
 *
 * The engine keeps the command log as *effects* (see server.ts `onPropagate`): each write command
 * becomes one or more logged ops `(db, argv)` that replay deterministically. Ops get consecutive
 * sequence numbers; the ops of one tick are group-committed as one `LogBatch`. A snapshot holds
 * the whole keyspace as of one sequence number; loading is "snapshot, then every batch after it".
 *
 * Storage backends (IndexedDB in @lodis/idb-persist, Durable Object storage, memory …) implement
 * `Persistence`; they store the bytes core gives them and never interpret them. Core owns the
 * encodings (aof.ts for batches, rdb.ts for snapshots), including their checksums, so every
 * backend detects a torn or corrupted record the same way.
 */

/** One committed batch of the log: encoded by aof.ts (ops, sequence range, CRC32). */
export interface LogBatch {
  /** Sequence number of the first op in the batch. */
  readonly firstSeq: number;
  /** Sequence number of the last op (firstSeq + count - 1). */
  readonly lastSeq: number;
  /** The encoded record (aof.ts encodeBatch). */
  readonly bytes: Uint8Array;
}

/** What a backend has stored, as `load()` returns it. */
export interface StoredState {
  /** The active snapshot: the sequence number it covers and its chunks, in order (rdb.ts). */
  readonly snapshot: { readonly seq: number; readonly chunks: AsyncIterable<Uint8Array> } | null;
  /** The batches after the snapshot, in sequence order. */
  readonly log: AsyncIterable<LogBatch>;
}

export interface Persistence {
  /**
   * Open for writing and read what is stored. Opening takes over as the only writer (fencing:
   * a backend that supports several writers bumps its epoch here, and later appends by an older
   * writer fail).
   */
  load(): Promise<StoredState>;
  /** Make one batch durable. Resolves when it is (per the backend's durability); rejects when not. */
  append(batch: LogBatch): Promise<void>;
  /**
   * Write a snapshot covering every op up to `seq` from chunks produced incrementally, then make
   * it the active one and drop the log batches it covers — atomically: a crash at any point
   * leaves either the old snapshot with the full log or the new one with the trimmed log.
   */
  checkpoint(seq: number, chunks: AsyncIterable<Uint8Array>): Promise<void>;
  /** Bytes of log stored since the active snapshot (drives automatic compaction); optional. */
  logSize?(): number;
  close(): Promise<void>;
}

/** A backend that keeps everything in memory: for tests, and the shape of every other backend. */
export class MemoryPersistence implements Persistence {
  private snapshot: { seq: number; chunks: Uint8Array[] } | null = null;
  private batches: LogBatch[] = [];
  private bytes = 0;
  /** Inject failures: called before each operation; throw to make it fail. */
  failWith: ((op: 'append' | 'checkpoint') => void) | null = null;

  async load(): Promise<StoredState> {
    const snap = this.snapshot;
    const log = this.batches.slice();
    return {
      snapshot: snap && { seq: snap.seq, chunks: iterate(snap.chunks) },
      log: iterate(log),
    };
  }

  async append(batch: LogBatch): Promise<void> {
    this.failWith?.('append');
    this.batches.push({ firstSeq: batch.firstSeq, lastSeq: batch.lastSeq, bytes: batch.bytes.slice() });
    this.bytes += batch.bytes.length;
  }

  async checkpoint(seq: number, chunks: AsyncIterable<Uint8Array>): Promise<void> {
    const collected: Uint8Array[] = [];
    for await (const c of chunks) collected.push(c.slice());
    this.failWith?.('checkpoint');
    this.snapshot = { seq, chunks: collected };
    this.batches = this.batches.filter((b) => b.lastSeq > seq);
    this.bytes = this.batches.reduce((n, b) => n + b.bytes.length, 0);
  }

  logSize(): number {
    return this.bytes;
  }

  async close(): Promise<void> {}

  /** Test hook: the raw stored batches (to truncate or corrupt them). */
  get storedBatches(): LogBatch[] {
    return this.batches;
  }
}

async function* iterate<T>(items: readonly T[]): AsyncIterable<T> {
  for (const i of items) yield i;
}
