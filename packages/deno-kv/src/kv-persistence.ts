/**
 * `Persistence` on Deno KV (Redis' aof.c + rdb.c, seen from the storage side): a record per
 * committed log batch, a snapshot in parts, and an epoch that fences a writer off once another
 * one has loaded. Every write is an atomic operation checking the epoch key's versionstamp, so a
 * fenced writer's commit fails and nothing of it lands. The bytes are core's (checksummed).
 *
 * Keys, under `['lodis', name]`:
 *
 *   epoch                      number   bumped by load(), the only writer of it
 *   snapshot                   { id, seq, chunks }: the active snapshot, switched in one commit
 *   log, firstSeq              { lastSeq, parts }: a batch's marker, written with its last part
 *   log, firstSeq, i           Uint8Array: part i of the batch (≤ 64 KiB, KV's value limit)
 *   snap, id, chunk, i         Uint8Array: part i of a snapshot chunk
 *
 * An atomic operation takes at most 800 KiB and 1000 mutations, so a large write spans several;
 * they commit in order and a batch's marker comes after its parts: what a load sees is always a
 * prefix of the log, and a batch without its marker is ignored (and overwritten, or deleted by the
 * next checkpoint). A checkpoint writes its parts under a new id, then switches `snapshot` in one
 * commit; the log it covers and the old snapshot are deleted after that, and whatever a crash
 * leaves of them is never read (load skips batches the snapshot covers; other ids are orphans,
 * collected when the next checkpoint begins).
 */
import type { LogBatch, Persistence, StoredState } from '@lodis/core';
import { ClosedError, FencedError } from './errors.js';

/** The part of `Deno.Kv` this uses (so the adapter type-checks without Deno's globals). */
export interface Kv {
  get<T>(key: KvKey): Promise<{ value: T | null; versionstamp: string | null }>;
  list<T>(selector: { prefix: KvKey; start?: KvKey; end?: KvKey } | { start: KvKey; end: KvKey }): AsyncIterable<{ key: KvKey; value: T }>;
  atomic(): KvAtomic;
  close(): void;
}
type KvKey = readonly unknown[];
interface KvAtomic {
  check(...checks: { key: KvKey; versionstamp: string | null }[]): this;
  set(key: KvKey, value: unknown): this;
  delete(key: KvKey): this;
  commit(): Promise<{ ok: true; versionstamp: string } | { ok: false }>;
}

export interface DenoKvPersistenceOptions {
  /** The store's name: its keys are under `['lodis', name]`, so several stores share a database. */
  name: string;
  /** An open database (`await Deno.openKv(path)`); the caller closes it. */
  kv?: Kv;
  /** Or a path for `Deno.openKv` (needs `--unstable-kv`), opened at load and closed by close(). */
  path?: string;
}

interface SnapshotRecord {
  id: number;
  seq: number;
  chunks: number;
}

const PART = 64 * 1024;
const ATOMIC_BYTES = 760 * 1024;
const ATOMIC_MUTATIONS = 900;

/** `const store = await openStore({ persistence: denoKvPersistence({ name: 'app', path: './data.kv' }) })` */
export function denoKvPersistence(options: DenoKvPersistenceOptions): DenoKvPersistence {
  return new DenoKvPersistence(options);
}

export class DenoKvPersistence implements Persistence {
  private kv: Kv | null = null;
  private readonly p: KvKey;
  private epoch = 0;
  private epochStamp: string | null = null;
  private snapshotSeq = -Infinity;
  /** Size of each batch known to be in the log since the snapshot (read by load, or appended). */
  private logBatches: { lastSeq: number; size: number }[] = [];
  private logBytes = 0;
  private pending: { batch: LogBatch; resolve: () => void; reject: (e: unknown) => void }[] = [];
  private writing: Promise<void> | null = null;
  private checkpointing = false;

  constructor(private readonly options: DenoKvPersistenceOptions) {
    if (!options.name) throw new TypeError('denoKvPersistence: a store name is required');
    this.p = ['lodis', options.name];
  }

  /** The epoch this writer took at `load()`. */
  get writerEpoch(): number {
    return this.epoch;
  }

  /** Takes over as the writer (epoch + 1, compare-and-set), then reads the snapshot and log lazily. */
  async load(): Promise<StoredState> {
    const deno = (globalThis as { Deno?: { openKv?(path?: string): Promise<Kv> } }).Deno;
    if (!this.options.kv && !deno?.openKv) throw new Error('Deno.openKv is missing: run with --unstable-kv, or pass { kv }');
    this.kv ??= this.options.kv ?? (await deno!.openKv!(this.options.path));
    const kv = this.kv;
    for (;;) {
      const current = await kv.get<number>([...this.p, 'epoch']);
      const epoch = (current.value ?? 0) + 1;
      const done = await kv.atomic().check({ key: [...this.p, 'epoch'], versionstamp: current.versionstamp }).set([...this.p, 'epoch'], epoch).commit();
      if (done.ok) {
        [this.epoch, this.epochStamp] = [epoch, done.versionstamp];
        break;
      }
    }
    const snapshot = (await kv.get<SnapshotRecord>([...this.p, 'snapshot'])).value;
    this.snapshotSeq = snapshot?.seq ?? -Infinity;
    this.logBatches = [];
    this.logBytes = 0;
    return {
      snapshot: snapshot && { seq: snapshot.seq, chunks: this.readSnapshot(snapshot) },
      log: this.readLog(),
    };
  }

  /** Queues the batch; batches queued while a commit runs go together in the next one. */
  append(batch: LogBatch): Promise<void> {
    this.live();
    return new Promise((resolve, reject) => {
      this.pending.push({ batch, resolve, reject });
      this.writing ??= this.drain();
    });
  }

  async checkpoint(seq: number, chunks: AsyncIterable<Uint8Array>): Promise<void> {
    if (this.checkpointing) throw new Error(`lodis:${this.options.name}: a checkpoint is already running`);
    this.checkpointing = true;
    try {
      const kv = this.live();
      const active = (await kv.get<SnapshotRecord>([...this.p, 'snapshot'])).value;
      if (active && active.seq > seq) throw new Error(`checkpoint at ${seq} is older than the active snapshot (${active.seq})`);
      const id = (active?.id ?? 0) + 1;
      await this.deleteAll({ prefix: [...this.p, 'snap'], start: [...this.p, 'snap', id] }); // a crashed checkpoint's
      let index = 0;
      for await (const chunk of chunks) {
        await this.commit(split(chunk).map((part, i) => [[...this.p, 'snap', id, index, i], part]));
        index += 1;
      }
      await this.commit([[[...this.p, 'snapshot'], { id, seq, chunks: index } satisfies SnapshotRecord]]);
      this.snapshotSeq = seq;
      this.logBatches = this.logBatches.filter((b) => b.lastSeq > seq);
      this.logBytes = this.logBatches.reduce((n, b) => n + b.size, 0);
      // Never read again from here on; a failure only leaves garbage for the next checkpoint.
      await this.deleteAll({ prefix: [...this.p, 'snap'], end: [...this.p, 'snap', id] }).catch(noop);
      await this.trimLog(seq).catch(noop);
    } finally {
      this.checkpointing = false;
    }
  }

  logSize(): number {
    return this.logBytes;
  }

  async close(): Promise<void> {
    await this.writing;
    if (this.kv && !this.options.kv) this.kv.close();
    this.kv = null;
    this.epochStamp = null;
  }

  private async drain(): Promise<void> {
    while (this.pending.length) {
      const group = this.pending.splice(0);
      try {
        await this.commit(group.flatMap(({ batch }) => batchMutations(this.p, batch)));
        for (const { batch } of group) this.track(batch.lastSeq, batch.bytes.length);
        for (const g of group) g.resolve();
      } catch (error) {
        for (const g of group) g.reject(error);
      }
    }
    this.writing = null;
  }

  private track(lastSeq: number, size: number): void {
    this.logBatches.push({ lastSeq, size });
    this.logBytes += size;
  }

  /** Sets (or deletes, for undefined) in order, in as few atomic operations as the limits allow, each fenced. */
  private async commit(mutations: [KvKey, unknown][]): Promise<void> {
    const kv = this.live();
    for (let i = 0; i < mutations.length; ) {
      const op = kv.atomic().check({ key: [...this.p, 'epoch'], versionstamp: this.epochStamp });
      for (let bytes = 0, n = 0; i < mutations.length && n < ATOMIC_MUTATIONS; i++, n++) {
        const [key, value] = mutations[i]!;
        const size = value instanceof Uint8Array ? value.length + 64 : 256;
        if (n > 0 && bytes + size > ATOMIC_BYTES) break;
        bytes += size;
        if (value === undefined) op.delete(key);
        else op.set(key, value);
      }
      if (!(await op.commit()).ok) throw new FencedError(this.options.name, this.epoch);
    }
  }

  private async deleteAll(selector: { prefix: KvKey; start?: KvKey; end?: KvKey }): Promise<void> {
    const keys: [KvKey, undefined][] = [];
    for await (const { key } of this.live().list(selector)) keys.push([key, undefined]);
    await this.commit(keys);
  }

  /** Deletes the batches up to `seq` (markers, parts, and parts a failed write left without one). */
  private async trimLog(seq: number): Promise<void> {
    const keys: [KvKey, undefined][] = [];
    let keep: unknown = null; // the batch that starts at or before seq and reaches past it
    for await (const { key, value } of this.live().list<{ lastSeq: number }>({ prefix: [...this.p, 'log'], end: [...this.p, 'log', seq + 1] })) {
      const firstSeq = key[this.p.length + 1];
      if (key.length === this.p.length + 2 && value.lastSeq > seq) keep = firstSeq;
      if (firstSeq !== keep) keys.push([key, undefined]);
    }
    await this.commit(keys);
  }

  private async *readSnapshot(snapshot: SnapshotRecord): AsyncIterable<Uint8Array> {
    let parts: Uint8Array[] = [];
    let index = 0;
    let yielded = 0;
    for await (const { key, value } of this.live().list<Uint8Array>({ prefix: [...this.p, 'snap', snapshot.id] })) {
      if (key[this.p.length + 2] !== index && parts.length) {
        yield concat(parts);
        yielded += 1;
        parts = [];
      }
      index = key[this.p.length + 2] as number;
      parts.push(value);
    }
    if (parts.length) {
      yield concat(parts);
      yielded += 1;
    }
    if (yielded !== snapshot.chunks) throw new Error(`lodis:${this.options.name}: snapshot ${snapshot.id} has ${yielded} of ${snapshot.chunks} chunks`);
  }

  private async *readLog(): AsyncIterable<LogBatch> {
    let batch: { firstSeq: number; lastSeq: number; parts: number; bytes: Uint8Array[] } | null = null;
    for await (const { key, value } of this.live().list<{ lastSeq: number; parts: number } | Uint8Array>({ prefix: [...this.p, 'log'] })) {
      const firstSeq = key[this.p.length + 1] as number;
      if (!(value instanceof Uint8Array)) batch = { firstSeq, ...value, bytes: [] };
      else if (batch?.firstSeq === firstSeq && batch.bytes.length < batch.parts) batch.bytes.push(value);
      if (!batch || batch.bytes.length !== batch.parts || batch.firstSeq !== firstSeq) continue;
      const bytes = concat(batch.bytes);
      const lastSeq = batch.lastSeq;
      batch = null;
      if (lastSeq <= this.snapshotSeq) continue;
      this.track(lastSeq, bytes.length);
      yield { firstSeq, lastSeq, bytes };
    }
  }

  private live(): Kv {
    if (!this.kv || this.epochStamp === null) throw new ClosedError(this.options.name);
    return this.kv;
  }
}

/** A batch's parts, then its marker. */
function batchMutations(p: KvKey, batch: LogBatch): [KvKey, unknown][] {
  const parts = split(batch.bytes);
  const mutations: [KvKey, unknown][] = parts.map((part, i) => [[...p, 'log', batch.firstSeq, i], part]);
  mutations.push([[...p, 'log', batch.firstSeq], { lastSeq: batch.lastSeq, parts: parts.length }]);
  return mutations;
}

function split(bytes: Uint8Array): Uint8Array[] {
  const parts: Uint8Array[] = [];
  for (let at = 0; at < bytes.length; at += PART) parts.push(bytes.slice(at, at + PART));
  return parts;
}

function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((at, p) => (out.set(p, at), at + p.length), 0);
  return out;
}

function noop(): void {}
