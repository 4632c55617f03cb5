/**
 * A tiny file-backed `Persistence` (core's interface): a snapshot file and an append-only log file
 * in one directory, for one process at a time (no fencing: that is what the IndexedDB, Durable
 * Object and Deno KV backends are for). Uses only `node:fs`, which Bun implements natively.
 *
 *   log       records: u32 length | f64 firstSeq | f64 lastSeq | core's batch bytes (checksummed)
 *   snapshot  f64 seq | u32 chunk count | per chunk: u32 length | core's chunk bytes
 *
 * A checkpoint writes `snapshot.tmp`, renames it over `snapshot`, then rewrites the log without
 * the batches it covers (again through a rename): a crash in between leaves the new snapshot with
 * the old log, and load skips the batches the snapshot covers. A torn last record is cut off.
 */
import { mkdir, open, readFile, rename, truncate, writeFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { LogBatch, Persistence, StoredState } from '@lodis/core';

const HEADER = 20;

export class FilePersistence implements Persistence {
  private log: FileHandle | null = null;
  private batches: LogBatch[] = [];
  private bytes = 0;
  /** Writes run one at a time, in order: the log on disk is always a prefix of what was appended. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(readonly dir: string) {}

  async load(): Promise<StoredState> {
    await mkdir(this.dir, { recursive: true });
    let snapshot: { seq: number; chunks: Uint8Array[] } | null = null;
    const snap = await readIfExists(join(this.dir, 'snapshot'));
    if (snap) {
      const view = new DataView(snap.buffer, snap.byteOffset, snap.byteLength);
      const chunks: Uint8Array[] = [];
      for (let at = 12, n = view.getUint32(8, true); chunks.length < n; at += 4 + view.getUint32(at, true)) {
        chunks.push(snap.subarray(at + 4, at + 4 + view.getUint32(at, true)));
      }
      snapshot = { seq: view.getFloat64(0, true), chunks };
    }
    const file = (await readIfExists(join(this.dir, 'log'))) ?? new Uint8Array(0);
    const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
    let at = 0;
    this.batches = [];
    while (at + HEADER <= file.length && at + HEADER + view.getUint32(at, true) <= file.length) {
      const length = view.getUint32(at, true);
      const batch = { firstSeq: view.getFloat64(at + 4, true), lastSeq: view.getFloat64(at + 12, true), bytes: file.slice(at + HEADER, at + HEADER + length) };
      if (batch.lastSeq > (snapshot?.seq ?? -Infinity)) this.batches.push(batch);
      at += HEADER + length;
    }
    if (at < file.length) await truncate(join(this.dir, 'log'), at); // a torn last record
    this.bytes = this.batches.reduce((n, b) => n + b.bytes.length, 0);
    this.log = await open(join(this.dir, 'log'), 'a');
    return { snapshot: snapshot && { seq: snapshot.seq, chunks: iterate(snapshot.chunks) }, log: iterate(this.batches) };
  }

  append(batch: LogBatch): Promise<void> {
    return this.serially(async () => {
      await this.log!.write(encodeRecord(batch));
      await this.log!.datasync();
      this.batches.push({ firstSeq: batch.firstSeq, lastSeq: batch.lastSeq, bytes: batch.bytes.slice() });
      this.bytes += batch.bytes.length;
    });
  }

  async checkpoint(seq: number, chunks: AsyncIterable<Uint8Array>): Promise<void> {
    const parts: Uint8Array[] = [new Uint8Array(12)];
    let count = 0;
    for await (const chunk of chunks) {
      parts.push(new Uint8Array(new Uint32Array([chunk.length]).buffer), chunk.slice());
      count += 1;
    }
    new DataView(parts[0]!.buffer).setFloat64(0, seq, true);
    new DataView(parts[0]!.buffer).setUint32(8, count, true);
    await this.serially(async () => {
      await replace(join(this.dir, 'snapshot'), parts);
      this.batches = this.batches.filter((b) => b.lastSeq > seq);
      this.bytes = this.batches.reduce((n, b) => n + b.bytes.length, 0);
      await this.log!.close();
      await replace(join(this.dir, 'log'), this.batches.map(encodeRecord));
      this.log = await open(join(this.dir, 'log'), 'a');
    });
  }

  logSize(): number {
    return this.bytes;
  }

  async close(): Promise<void> {
    await this.serially(async () => {
      await this.log?.close();
      this.log = null;
    });
  }

  private serially<T>(write: () => Promise<T>): Promise<T> {
    const done = this.queue.then(write);
    this.queue = done.catch(() => {});
    return done;
  }
}

function encodeRecord(batch: LogBatch): Uint8Array {
  const record = new Uint8Array(HEADER + batch.bytes.length);
  const view = new DataView(record.buffer);
  view.setUint32(0, batch.bytes.length, true);
  view.setFloat64(4, batch.firstSeq, true);
  view.setFloat64(12, batch.lastSeq, true);
  record.set(batch.bytes, HEADER);
  return record;
}

/** Writes `parts` to `<path>.tmp`, flushes it, and renames it over `path`. */
async function replace(path: string, parts: Uint8Array[]): Promise<void> {
  const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((at, p) => (bytes.set(p, at), at + p.length), 0);
  await writeFile(`${path}.tmp`, bytes, { flush: true });
  await rename(`${path}.tmp`, path);
}

async function readIfExists(path: string): Promise<Uint8Array | null> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (e) {
    if ((e as { code?: string }).code === 'ENOENT') return null;
    throw e;
  }
}

async function* iterate<T>(items: readonly T[]): AsyncIterable<T> {
  for (const i of items) yield i;
}
