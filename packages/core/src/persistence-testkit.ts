/**
 * Fixtures for testing a `Persistence` backend (idb-persist, cloudflare, deno-kv): log batches
 * whose bytes say what they are, snapshot chunks, and a backend's whole content read back as text
 * to compare with what it should hold. Test code only: not exported from the package's entry.
 *
 *   await p.append(batch(1)); await p.checkpoint(2, chunks('snap', 3));
 *   expect(await loadAll(p)).toEqual(expected(2, ['snap0', 'snap1', 'snap2'], batches(1, 5)));
 */
import type { LogBatch, Persistence } from './persistence.js';

const text = new TextEncoder();
const untext = new TextDecoder();

/** A batch of ops `firstSeq`..`lastSeq` whose bytes name them. */
export function batch(firstSeq: number, lastSeq = firstSeq + 1): LogBatch {
  return { firstSeq, lastSeq, bytes: text.encode(`ops ${firstSeq}..${lastSeq}`) };
}

/** Batches of two ops each, from `from` up to `to`. */
export function batches(from: number, to: number): LogBatch[] {
  const out: LogBatch[] = [];
  for (let s = from; s <= to; s += 2) out.push(batch(s));
  return out;
}

/** Snapshot chunks `<label>0` … `<label><count-1>`. */
export async function* chunks(label: string, count: number): AsyncIterable<Uint8Array> {
  for (let i = 0; i < count; i++) yield text.encode(`${label}${i}`);
}

export interface Loaded {
  snapshot: { seq: number; chunks: string[] } | null;
  log: string[];
}

/** Load (taking over as the writer) and read everything, as text. */
export async function loadAll(p: Persistence): Promise<Loaded> {
  const state = await p.load();
  const snapshot = state.snapshot && { seq: state.snapshot.seq, chunks: [] as string[] };
  if (state.snapshot) for await (const c of state.snapshot.chunks) snapshot!.chunks.push(untext.decode(c));
  const log: string[] = [];
  for await (const b of state.log) log.push(`${b.firstSeq}-${b.lastSeq}:${untext.decode(b.bytes)}`);
  return { snapshot, log };
}

/** What a backend holds after a checkpoint at `seq` with `snapshot`, given every batch appended. */
export function expected(seq: number, snapshot: string[], log: LogBatch[]): Loaded {
  return {
    snapshot: seq === 0 ? null : { seq, chunks: snapshot },
    log: log.filter((b) => b.lastSeq > seq).map((b) => `${b.firstSeq}-${b.lastSeq}:${untext.decode(b.bytes)}`),
  };
}
