import 'fake-indexeddb/auto';
import { wrap, type IDBPDatabase } from 'idb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MemoryPersistence, type LogBatch, type Persistence } from '@lodis/core';
import {
  ClosedError,
  FencedError,
  IdbPersistence,
  idbPersistence,
  requestPersistentStorage,
  type IdbPersistenceOptions,
} from './index.js';
import type { PersistenceStep } from './idb-persistence.js';
import { batch, batches, chunks, expected, loadAll } from '../../core/src/persistence-testkit.js';

const text = new TextEncoder();
const untext = new TextDecoder();

// --- fixtures ------------------------------------------------------------------------------------

/** A fresh, empty IndexedDB per test. */
let factory = new IDBFactory();
const opened: Persistence[] = [];

function open(options: Partial<IdbPersistenceOptions> = {}): IdbPersistence {
  const p = new IdbPersistence({ name: 'test', indexedDB: factory, ...options });
  opened.push(p);
  return p;
}

/** A plain connection to the store's database, to look at (or tamper with) what is stored. */
async function raw(name = 'test', version?: number): Promise<IDBPDatabase> {
  return (await wrap(factory.open(`lodis:${name}`, version))) as unknown as IDBPDatabase;
}

async function rawKeys(store: 'log' | 'snapshots' | 'meta'): Promise<IDBValidKey[]> {
  const db = await raw();
  try {
    return await db.getAllKeys(store);
  } finally {
    db.close();
  }
}

afterEach(async () => {
  for (const p of opened.splice(0)) await p.close().catch(() => {});
  factory = new IDBFactory();
  vi.unstubAllGlobals();
});

// --- durable mode --------------------------------------------------------------------------------

describe('idbPersistence, durable', () => {
  it('creates lodis:<name> at schema version 1 with meta, log and snapshots', async () => {
    await open().load();
    const db = await raw();
    expect(db.version).toBe(1);
    expect([...db.objectStoreNames].sort()).toEqual(['log', 'meta', 'snapshots']);
    expect(await db.get('meta', 'state')).toEqual({ schemaVersion: 1, epoch: 1, snapshot: null, nextSnapshotId: 1 });
    db.close();
  });

  it('starts empty', async () => {
    expect(await loadAll(open())).toEqual({ snapshot: null, log: [] });
  });

  it('loads many batches back, in order, a page at a time', async () => {
    const a = open();
    await a.load();
    const written = batches(1, 2000); // 1000 batches
    for (const b of written) await a.append(b);
    expect(a.logSize()).toBe(written.reduce((n, b) => n + b.bytes.length, 0));
    await a.close();

    const b = open({ logPageSize: 7 });
    expect(await loadAll(b)).toEqual(expected(0, [], written));
    // logSize counts the log once load() has yielded it
    expect(b.logSize()).toBe(a.logSize());
    const state = await b.load();
    const first = (await state.log[Symbol.asyncIterator]().next()).value as LogBatch;
    expect(first.bytes).toBeInstanceOf(Uint8Array);
  });

  it('stores a view into a larger buffer as its own bytes', async () => {
    const a = open();
    await a.load();
    const big = new Uint8Array(1 << 20);
    big.set(text.encode('batch'), 100);
    await a.append({ firstSeq: 1, lastSeq: 1, bytes: big.subarray(100, 105) });
    const db = await raw();
    const record = (await db.get('log', 1)) as { lastSeq: number; bytes: Uint8Array };
    expect(record.bytes.buffer.byteLength).toBe(5);
    expect(untext.decode(record.bytes)).toBe('batch');
    db.close();
  });

  it('checkpoint writes a new snapshot, trims the log and deletes the old snapshot', async () => {
    const a = open();
    await a.load();
    const written = batches(1, 40);
    for (const b of written.slice(0, 10)) await a.append(b);
    await a.checkpoint(20, chunks('A', 2));
    for (const b of written.slice(10)) await a.append(b);
    expect(a.logSize()).toBe(written.slice(10).reduce((n, b) => n + b.bytes.length, 0));
    expect(await rawKeys('snapshots')).toEqual([
      [1, 0],
      [1, 1],
    ]);

    await a.checkpoint(30, chunks('B', 3));
    expect(a.logSize()).toBe(written.slice(15).reduce((n, b) => n + b.bytes.length, 0));
    expect(await rawKeys('snapshots')).toEqual([
      [2, 0],
      [2, 1],
      [2, 2],
    ]);
    expect(await rawKeys('log')).toEqual(written.slice(15).map((b) => b.firstSeq));
    expect(await loadAll(open())).toEqual(expected(30, ['B0', 'B1', 'B2'], written));
  });

  it('checkpoint keeps a batch that reaches past its seq', async () => {
    const a = open();
    await a.load();
    for (const b of batches(1, 10)) await a.append(b); // 1-2, 3-4 … 9-10
    await a.checkpoint(5, chunks('S', 1)); // 5-6 straddles: the engine never does this, but stay safe
    expect(await rawKeys('log')).toEqual([5, 7, 9]);
  });

  it('refuses a checkpoint older than the active snapshot', async () => {
    const a = open();
    await a.load();
    await a.checkpoint(20, chunks('A', 1));
    await expect(a.checkpoint(10, chunks('B', 1))).rejects.toThrow(/older than the active snapshot/);
    expect((await loadAll(open())).snapshot).toEqual({ seq: 20, chunks: ['A0'] });
  });

  it('reads the snapshot chunk by chunk (1 MB chunks)', async () => {
    const a = open();
    await a.load();
    const mb = (fill: number) => new Uint8Array(1 << 20).fill(fill);
    async function* big() {
      for (let i = 0; i < 3; i++) yield mb(i + 1);
    }
    await a.checkpoint(1, big());
    const state = await open().load();
    const seen: number[] = [];
    for await (const c of state.snapshot!.chunks) {
      expect(c.byteLength).toBe(1 << 20);
      seen.push(c[0]!);
      if (seen.length === 2) break; // stopping early leaves nothing dangling
    }
    expect(seen).toEqual([1, 2]);
  });

  it('keeps one database per store name', async () => {
    const a = open({ name: 'one' });
    const b = open({ name: 'two' });
    await a.load();
    await b.load();
    await a.append(batch(1));
    expect((await loadAll(open({ name: 'one' }))).log).toHaveLength(1);
    expect((await loadAll(open({ name: 'two' }))).log).toHaveLength(0);
    const names = (await factory.databases()).map((d) => d.name).sort();
    expect(names).toEqual(['lodis:one', 'lodis:two']);
  });

  it('refuses writes before load and after close', async () => {
    const a = open();
    await expect(a.append(batch(1))).rejects.toBeInstanceOf(ClosedError);
    await a.load();
    await a.close();
    await expect(a.append(batch(1))).rejects.toThrow(/closed/);
    await expect(a.checkpoint(1, chunks('A', 1))).rejects.toBeInstanceOf(ClosedError);
  });

  it('uses strict durability in strict mode', async () => {
    const seen: string[] = [];
    const a = open({
      durability: 'strict',
      hooks: { step: (s) => 'tx' in s && seen.push(s.tx.durability) },
    });
    await a.load();
    await a.append(batch(1));
    await a.checkpoint(2, chunks('A', 1));
    expect(new Set(seen)).toEqual(new Set(['strict']));
  });
});

// --- fencing -------------------------------------------------------------------------------------

describe('fencing', () => {
  it('a second load bumps the epoch and the first writer can no longer write', async () => {
    const a = open();
    await a.load();
    await a.append(batch(1));
    const b = open();
    expect((await loadAll(b)).log).toHaveLength(1);

    const error = await a.append(batch(3)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FencedError);
    expect(error).toMatchObject({ name: 'FencedError', epoch: 1, currentEpoch: 2 });
    expect((error as Error).message).toMatch(/another writer took over/);
    await expect(a.checkpoint(2, chunks('A', 1))).rejects.toBeInstanceOf(FencedError);

    await b.append(batch(3));
    expect((await loadAll(open())).log.map((l) => l.split(':')[0])).toEqual(['1-2', '3-4']);
  });

  it('fenced append does not leave its record in the log', async () => {
    const a = open();
    await a.load();
    await a.append(batch(1));
    await open().load(); // takes over without writing batch 3 itself
    await expect(a.append(batch(3))).rejects.toBeInstanceOf(FencedError);
    await expect(a.append(batch(5))).rejects.toBeInstanceOf(FencedError);
    expect(await rawKeys('log')).toEqual([1]);
    expect(await loadAll(open())).toEqual(expected(0, [], [batch(1)]));
  });

  it('a fenced append reaches no step inside its transaction', async () => {
    const steps: string[] = [];
    const a = open({ hooks: { step: (s) => void steps.push(s.op) } });
    await a.load();
    await a.append(batch(1));
    await open().load();
    await expect(a.append(batch(3))).rejects.toBeInstanceOf(FencedError);
    expect(steps).toEqual(['append']);
  });

  it('a writer fenced off in the middle of a checkpoint stops writing chunks', async () => {
    const a = open();
    await a.load();
    await a.append(batch(1));
    async function* takenOverAfterOneChunk() {
      yield text.encode('A0');
      await open().load(); // another tab takes over; its load collects A0 as an orphan
      yield text.encode('A1');
      yield text.encode('A2');
    }
    await expect(a.checkpoint(2, takenOverAfterOneChunk())).rejects.toBeInstanceOf(FencedError);
    expect(await rawKeys('snapshots')).toEqual([]);
    expect(await loadAll(open())).toEqual(expected(0, [], [batch(1)]));
  });
});

// --- checkpoint crashes --------------------------------------------------------------------------

function label(step: PersistenceStep): string {
  return 'at' in step ? `${step.at}${'index' in step ? ` ${step.index}` : ''}` : step.op;
}

/** Makes the transaction itself fail, as a full disk would: its own request errors, it aborts. */
function failTransaction(tx: IDBTransaction): void {
  const name = tx.objectStoreNames[0]!;
  const key = { meta: 'fault', log: -1, snapshots: [-1, 0] }[name as 'meta' | 'log' | 'snapshots'];
  const store = tx.objectStore(name);
  store.add(new Uint8Array(1), key);
  store.add(new Uint8Array(1), key).onerror = (e) => e.stopPropagation();
}

describe('a checkpoint that fails at any step', () => {
  const before = batches(11, 30);
  const oldState = expected(10, ['A0', 'A1'], before);
  const newState = expected(20, ['B0', 'B1', 'B2'], before);

  /** Snapshot A at 10, batches 11..30; then a checkpoint to B at 20 with `fault` armed. */
  async function run(fault: (step: PersistenceStep) => void): Promise<unknown> {
    let armed = false;
    const a = open({ hooks: { step: (s) => armed && fault(s) } });
    await a.load();
    await a.checkpoint(10, chunks('A', 2));
    for (const b of before) await a.append(b);
    armed = true;
    return a.checkpoint(20, chunks('B', 3)).then(
      () => null,
      (e: unknown) => e,
    );
  }

  async function steps(): Promise<PersistenceStep[]> {
    const seen: PersistenceStep[] = [];
    expect(await run((s) => seen.push(s))).toBe(null);
    factory = new IDBFactory();
    return seen;
  }

  it('goes through these steps', async () => {
    expect((await steps()).map(label)).toEqual([
      'begin',
      'beforeChunk 0',
      'chunk 0',
      'afterChunk 0',
      'beforeChunk 1',
      'chunk 1',
      'afterChunk 1',
      'beforeChunk 2',
      'chunk 2',
      'afterChunk 2',
      'beforeSwitch',
      'switch',
      'afterSwitch',
    ]);
  });

  it('leaves the old snapshot and the full log, or the new snapshot and the trimmed log', async () => {
    const all = await steps();
    const faults = [
      ...all.map((s) => ({ at: label(s), how: 'throw' as const })),
      ...all.filter((s) => 'tx' in s).map((s) => ({ at: label(s), how: 'fail the transaction' as const })),
    ];
    for (const { at, how } of faults) {
      factory = new IDBFactory();
      const error = await run((s) => {
        if (label(s) !== at) return;
        if (how === 'throw') throw new Error(`crash at ${at}`);
        if ('tx' in s) failTransaction(s.tx);
      });
      expect({ at, how, error: (error as Error | null)?.name }).toEqual({
        at,
        how,
        error: how === 'throw' ? 'Error' : 'ConstraintError',
      });

      // Reopen, as after a crash: consistent, and no orphan chunks left.
      const b = open();
      const state = await loadAll(b);
      expect({ at, how, state }).toEqual({ at, how, state: at === 'afterSwitch' ? newState : oldState });
      const ids = new Set((await rawKeys('snapshots')).map((k) => (k as number[])[0]));
      expect({ at, how, ids: ids.size }).toEqual({ at, how, ids: 1 });

      // And it goes on: append, checkpoint again, reopen.
      await b.append(batch(31));
      await b.checkpoint(32, chunks('C', 2));
      expect(await loadAll(open())).toEqual(expected(32, ['C0', 'C1'], []));
    }
  });

  it('leaves orphan chunks that the next load collects', async () => {
    const error = await run((s) => {
      if (label(s) === 'afterChunk 1') throw new Error('crash');
    });
    expect(error).toBeInstanceOf(Error);
    // A's snapshot (id 1) and two chunks of the abandoned one (id 2)
    expect(await rawKeys('snapshots')).toEqual([
      [1, 0],
      [1, 1],
      [2, 0],
      [2, 1],
    ]);
    expect(await loadAll(open())).toEqual(oldState);
    expect(await rawKeys('snapshots')).toEqual([
      [1, 0],
      [1, 1],
    ]);
  });

  it('the same writer can checkpoint again after a failure', async () => {
    let fail = true;
    const a = open({
      hooks: {
        step: (s) => {
          if (fail && s.op === 'checkpoint' && s.at === 'chunk' && s.index === 1) {
            throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
          }
        },
      },
    });
    await a.load();
    for (const b of batches(1, 10)) await a.append(b);
    await expect(a.checkpoint(4, chunks('A', 3))).rejects.toMatchObject({ name: 'QuotaExceededError' });
    expect(a.logSize()).toBe(batches(1, 10).reduce((n, b) => n + b.bytes.length, 0));
    fail = false;
    await a.checkpoint(6, chunks('B', 3));
    expect(await loadAll(open())).toEqual(expected(6, ['B0', 'B1', 'B2'], batches(1, 10)));
    expect(await rawKeys('snapshots')).toHaveLength(3);
  });
});

// --- failed appends ------------------------------------------------------------------------------

describe('a failed append', () => {
  it('rejects with the original error and leaves the store loadable', async () => {
    let fault: ((tx: IDBTransaction) => void) | null = null;
    const a = open({ hooks: { step: (s) => s.op === 'append' && fault?.(s.tx) } });
    await a.load();
    await a.append(batch(1));

    fault = () => {
      throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    };
    const quota = await a.append(batch(3)).catch((e: unknown) => e);
    expect(quota).toMatchObject({ name: 'QuotaExceededError' });

    fault = failTransaction;
    await expect(a.append(batch(3))).rejects.toMatchObject({ name: 'ConstraintError' });

    fault = null;
    await a.append(batch(3));
    expect(await loadAll(open())).toEqual(expected(0, [], [batch(1), batch(3)]));
  });
});

// --- interval mode -------------------------------------------------------------------------------

describe('interval mode', () => {
  it('acknowledges at once and writes every intervalMs, in one transaction', async () => {
    const flushes: number[] = [];
    const a = open({
      durability: 'interval',
      intervalMs: 20,
      hooks: { step: (s) => s.op === 'flush' && flushes.push(1) },
    });
    await a.load();
    for (const b of batches(1, 20)) await a.append(b);
    expect(await rawKeys('log')).toEqual([]);
    expect(a.logSize()).toBeGreaterThan(0);
    await vi.waitFor(async () => expect(await rawKeys('log')).toHaveLength(10), { timeout: 2000, interval: 10 });
    expect(flushes).toHaveLength(1);
    expect(await loadAll(open())).toEqual(expected(0, [], batches(1, 20)));
  });

  it('reports a failed flush on the next append, retries, and never leaves a gap', async () => {
    let failing = true;
    const a = open({
      durability: 'interval',
      intervalMs: 10,
      hooks: {
        step: (s) => {
          if (failing && s.op === 'flush') throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
        },
      },
    });
    await a.load();
    await a.append(batch(1));
    await a.append(batch(3));
    await expect(a.flush()).rejects.toMatchObject({ name: 'QuotaExceededError' });
    await expect(a.append(batch(5))).rejects.toMatchObject({ name: 'QuotaExceededError' });
    failing = false;
    await a.flush();
    await a.append(batch(7));
    await a.close(); // writes what is buffered
    expect(await loadAll(open())).toEqual(expected(0, [], batches(1, 8)));
  });

  it('is fenced like the other modes', async () => {
    const a = open({ durability: 'interval', intervalMs: 10_000 });
    await a.load();
    await a.append(batch(1));
    await open().load();
    await expect(a.flush()).rejects.toBeInstanceOf(FencedError);
    await expect(a.append(batch(3))).rejects.toBeInstanceOf(FencedError);
    expect(await rawKeys('log')).toEqual([]); // the fenced flush left none of its batches
  });

  it('drops buffered batches a checkpoint covers', async () => {
    const a = open({ durability: 'interval', intervalMs: 10_000 });
    await a.load();
    for (const b of batches(1, 10)) await a.append(b);
    await a.checkpoint(6, chunks('A', 1));
    await a.flush();
    expect(await rawKeys('log')).toEqual([7, 9]);
    expect(await loadAll(open())).toEqual(expected(6, ['A0'], batches(1, 10)));
  });
});

// --- memory mode ---------------------------------------------------------------------------------

describe('memory mode', () => {
  it('is core’s MemoryPersistence and touches no IndexedDB', async () => {
    const p = idbPersistence({ name: 'mem', durability: 'memory', indexedDB: factory });
    expect(p).toBeInstanceOf(MemoryPersistence);
    await p.load();
    for (const b of batches(1, 10)) await p.append(b);
    await p.checkpoint(4, chunks('A', 2));
    await p.append(batch(11));
    expect(await loadAll(p)).toEqual(expected(4, ['A0', 'A1'], [...batches(1, 10), batch(11)]));
    expect(await factory.databases()).toEqual([]);
  });
});

// --- connection lifecycle ------------------------------------------------------------------------

describe('versionchange', () => {
  it('closes so that another tab can upgrade, and says so', async () => {
    const closed = vi.fn();
    const a = open({ closed });
    await a.load();
    await a.append(batch(1));
    const upgraded = await raw('test', 2); // would hang if `a` kept its connection open
    expect(upgraded.version).toBe(2);
    upgraded.close();
    expect(closed).toHaveBeenCalledWith('versionchange');
    await expect(a.append(batch(3))).rejects.toMatchObject({ name: 'ClosedError', reason: 'versionchange' });
  });

  it('writes what interval mode had buffered before closing', async () => {
    const a = open({ durability: 'interval', intervalMs: 10_000 });
    await a.load();
    for (const b of batches(1, 6)) await a.append(b);
    const db = await raw('test', 2);
    expect(await db.getAllKeys('log')).toEqual([1, 3, 5]);
    db.close();
  });
});

describe('requestPersistentStorage', () => {
  it('is false where navigator.storage is missing', async () => {
    vi.stubGlobal('navigator', undefined);
    expect(await requestPersistentStorage()).toBe(false);
  });

  it('asks navigator.storage.persist()', async () => {
    const persist = vi.fn(async () => true);
    vi.stubGlobal('navigator', { storage: { persisted: async () => false, persist } });
    expect(await requestPersistentStorage()).toBe(true);
    expect(persist).toHaveBeenCalledOnce();
  });
});
