/**
 * DurableObjectPersistence in workerd, on a real SQLite-backed Durable Object's storage (driven
 * through runInDurableObject): the behaviours @lodis/idb-persist's tests check — a round trip,
 * checkpoints trimming the log, a checkpoint failing at any step (a thrown step, or a SQL
 * statement that fails inside the transaction) losing nothing, orphan chunks collected, records
 * over the 2 MB row limit split into parts — and a whole store loaded back.
 */
import { env, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { openStore, type LogBatch, type Persistence } from '@lodis/core';
import { DurableObjectPersistence, PART_BYTES, type DurableObjectSqlStorage, type PersistenceStep } from '../src/index.js';
import { batch, batches, chunks, expected, loadAll } from '../../core/src/persistence-testkit.js';

const text = new TextEncoder();

interface Env {
  STORAGE: { newUniqueId(): unknown; get(id: unknown): never };
}
const bindings = env as unknown as Env;

/** Runs `fn` inside a fresh object (its own empty storage). */
function inFreshObject<T>(fn: (storage: DurableObjectSqlStorage) => Promise<T>): Promise<T> {
  const stub = bindings.STORAGE.get(bindings.STORAGE.newUniqueId());
  return runInDurableObject(stub, (_instance: unknown, state: { storage: unknown }) => fn(state.storage as DurableObjectSqlStorage));
}

function snapshotIds(storage: DurableObjectSqlStorage): number[] {
  return storage.sql.exec<{ id: number }>('SELECT DISTINCT id FROM lodis_snapshot ORDER BY id').toArray().map((r) => r.id);
}

const label = (s: PersistenceStep): string => (s.op === 'append' ? 'append' : 'index' in s ? `${s.at} ${s.index}` : s.at);

describe('DurableObjectPersistence', () => {
  it('starts empty, and loads appended batches back in order', () =>
    inFreshObject(async (storage) => {
      const a = new DurableObjectPersistence(storage);
      expect(await loadAll(a)).toEqual({ snapshot: null, log: [] });
      for (const b of batches(1, 600)) await a.append(b);
      expect(await loadAll(new DurableObjectPersistence(storage))).toEqual(expected(0, [], batches(1, 600)));
    }));

  it('checkpoint writes a new snapshot, trims the log, deletes the old snapshot', () =>
    inFreshObject(async (storage) => {
      const a = new DurableObjectPersistence(storage);
      await a.load();
      for (const b of batches(1, 20)) await a.append(b);
      await a.checkpoint(10, chunks('A', 2));
      expect(await loadAll(new DurableObjectPersistence(storage))).toEqual(expected(10, ['A0', 'A1'], batches(1, 20)));
      const b = new DurableObjectPersistence(storage);
      await b.load();
      expect(b.logSize()).toBe(batches(11, 20).reduce((n, x) => n + x.bytes.length, 0));
      await b.checkpoint(16, chunks('B', 3));
      expect(await loadAll(new DurableObjectPersistence(storage))).toEqual(expected(16, ['B0', 'B1', 'B2'], batches(1, 20)));
      expect(snapshotIds(storage)).toEqual([2]);
      await expect(b.checkpoint(12, chunks('C', 1))).rejects.toThrow(/older than the active snapshot/);
    }));

  it('keeps a batch that reaches past the checkpoint', () =>
    inFreshObject(async (storage) => {
      const a = new DurableObjectPersistence(storage);
      await a.load();
      for (const b of batches(1, 10)) await a.append(b); // 1-2, 3-4, 5-6 …
      await a.checkpoint(4, chunks('A', 1));
      await a.append({ firstSeq: 11, lastSeq: 15, bytes: text.encode('11..15') });
      await a.checkpoint(13, chunks('B', 1));
      expect((await loadAll(new DurableObjectPersistence(storage))).log).toEqual(['11-15:11..15']);
    }));

  it('splits records over the row limit into parts and puts them back together', () =>
    inFreshObject(async (storage) => {
      const big = new Uint8Array(PART_BYTES * 2 + 123).map((_, i) => i % 251);
      // Why parts: a BLOB over about 2 MB is refused (SQLITE_TOOBIG), in workerd as on Cloudflare.
      expect(() => storage.sql.exec('CREATE TABLE t (b BLOB)') && storage.sql.exec('INSERT INTO t VALUES (?)', new ArrayBuffer(3_000_000))).toThrow(/SQLITE_TOOBIG/);
      const a = new DurableObjectPersistence(storage);
      await a.load();
      // A view into a larger buffer: only its own bytes are stored.
      const framed = new Uint8Array(big.length + 10);
      framed.set(big, 5);
      await a.append({ firstSeq: 1, lastSeq: 1, bytes: framed.subarray(5, 5 + big.length) });
      await a.append(batch(2));
      const loaded = await new DurableObjectPersistence(storage).load();
      const log: LogBatch[] = [];
      for await (const b of loaded.log) log.push(b);
      expect(log.map((b) => [b.firstSeq, b.lastSeq, b.bytes.length])).toEqual([
        [1, 1, big.length],
        [2, 3, batch(2).bytes.length],
      ]);
      expect(sameBytes(log[0]!.bytes, big)).toBe(true);
      expect(storage.sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM lodis_log').one().n).toBe(4);

      async function* bigChunks() {
        yield big;
        yield text.encode('tail');
      }
      await a.checkpoint(3, bigChunks());
      const state = await new DurableObjectPersistence(storage).load();
      const got: Uint8Array[] = [];
      for await (const c of state.snapshot!.chunks) got.push(c);
      expect(got.map((c) => c.length)).toEqual([big.length, 4]);
      expect(sameBytes(got[0]!, big)).toBe(true);
    }));

  it('refuses writes after close', () =>
    inFreshObject(async (storage) => {
      const a = new DurableObjectPersistence(storage);
      await a.load();
      await a.close();
      await expect(a.append(batch(1))).rejects.toThrow(/closed/);
    }));
});

describe('a checkpoint that fails at any step', () => {
  const before = batches(11, 30);
  const oldState = expected(10, ['A0', 'A1'], before);
  const newState = expected(20, ['B0', 'B1', 'B2'], before);

  /** Snapshot A at 10, batches 11..30; then a checkpoint to B at 20 with `fault` armed. */
  async function run(storage: DurableObjectSqlStorage, fault: (step: PersistenceStep) => void): Promise<unknown> {
    let armed = false;
    const a = new DurableObjectPersistence(storage, { hooks: { step: (s) => armed && fault(s) } });
    await a.load();
    await a.checkpoint(10, chunks('A', 2));
    for (const b of before) await a.append(b);
    armed = true;
    return a.checkpoint(20, chunks('B', 3)).then(
      () => null,
      (e: unknown) => e,
    );
  }

  const allSteps = () =>
    inFreshObject(async (storage) => {
      const seen: PersistenceStep[] = [];
      expect(await run(storage, (s) => seen.push(s))).toBe(null);
      return seen.map(label);
    });

  it('goes through these steps', async () => {
    expect(await allSteps()).toEqual(['begin', 'chunk 0', 'chunk 1', 'chunk 2', 'beforeSwitch', 'switch', 'afterSwitch']);
  });

  it('leaves the old snapshot and the full log, or the new snapshot and the trimmed log', async () => {
    const faults = (await allSteps()).flatMap((at) => [
      { at, how: 'throw' as const },
      { at, how: 'fail a SQL statement' as const },
    ]);
    for (const { at, how } of faults) {
      await inFreshObject(async (storage) => {
        const error = await run(storage, (s) => {
          if (label(s) !== at) return;
          if (how === 'throw') throw new Error(`crash at ${at}`);
          // A real storage failure: a constraint violation raised by SQLite itself.
          storage.sql.exec('INSERT INTO lodis_meta (id, schema_version, next_snapshot_id) VALUES (0, 1, 1)');
        });
        expect({ at, how, error: String(error).slice(0, 40) }).toEqual({
          at,
          how,
          error: how === 'throw' ? `Error: crash at ${at}`.slice(0, 40) : expect.stringMatching(/UNIQUE constraint failed/),
        });

        // Reopen, as after a crash: consistent, and no orphan chunks left.
        const b = new DurableObjectPersistence(storage);
        const state = await loadAll(b);
        expect({ at, how, state }).toEqual({ at, how, state: at === 'afterSwitch' ? newState : oldState });
        expect({ at, how, ids: snapshotIds(storage).length }).toEqual({ at, how, ids: 1 });

        // And it goes on: append, checkpoint again, reopen.
        await b.append(batch(31));
        await b.checkpoint(32, chunks('C', 2));
        expect(await loadAll(new DurableObjectPersistence(storage))).toEqual(expected(32, ['C0', 'C1'], []));
      });
    }
  });

  it('leaves orphan chunks that the next load collects', () =>
    inFreshObject(async (storage) => {
      const error = await run(storage, (s) => {
        if (label(s) === 'beforeSwitch') throw new Error('crash');
      });
      expect(error).toBeInstanceOf(Error);
      expect(snapshotIds(storage)).toEqual([1, 2]);
      expect(await loadAll(new DurableObjectPersistence(storage))).toEqual(oldState);
      expect(snapshotIds(storage)).toEqual([1]);
    }));
});

describe('a failed append', () => {
  it('rejects with the storage error and leaves the store loadable', () =>
    inFreshObject(async (storage) => {
      let fail = false;
      const a = new DurableObjectPersistence(storage, {
        hooks: {
          step: (s) => {
            if (fail && s.op === 'append') storage.sql.exec('INSERT INTO lodis_log (first_seq, part, last_seq, bytes) VALUES (1, 0, 2, x\'00\')');
          },
        },
      });
      await a.load();
      await a.append(batch(1));
      fail = true;
      await expect(a.append(batch(3))).rejects.toThrow(/UNIQUE constraint failed/);
      fail = false;
      await a.append(batch(3));
      expect(await loadAll(new DurableObjectPersistence(storage))).toEqual(expected(0, [], [batch(1), batch(3)]));
    }));
});

describe('a store on Durable Object storage', () => {
  it('loads its data back: log, then snapshot plus log, with big values', () =>
    inFreshObject(async (storage) => {
      const big = 'x'.repeat(3 * 1024 * 1024);
      const a = await openStore({ persistence: new DurableObjectPersistence(storage), activeExpire: false });
      await a.set('k', 'v');
      await a.set('big', big);
      await a.rpush('list', 'a', 'b', 'c');
      await a.call('EXPIRE', 'k', 1000);
      await a.close();

      const b = await openStore({ persistence: new DurableObjectPersistence(storage), activeExpire: false });
      expect(await b.get('k')).toBe('v');
      expect((await b.get('big'))!.length).toBe(big.length);
      expect(await b.lrange('list', 0, -1)).toEqual(['a', 'b', 'c']);
      expect(await b.call('TTL', 'k')).toBeGreaterThan(990);
      await b.call('BGREWRITEAOF');
      await until(async () => (await b.call('INFO', 'persistence')) as string, /aof_rewrite_in_progress:0/);
      await b.call('ZADD', 'z', 1, 'm');
      await b.close();

      expect(storage.sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM lodis_log').one().n).toBe(1);
      const c = await openStore({ persistence: new DurableObjectPersistence(storage), activeExpire: false });
      expect(await c.call('MGET', 'k', 'list')).toEqual(['v', null]);
      expect(await c.call('ZSCORE', 'z', 'm')).toBe('1');
      expect((await c.get('big'))!.length).toBe(big.length);
      await c.close();
    }));
});

/** Byte equality (vitest's deep equality takes seconds over megabytes). */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

async function until(read: () => Promise<string>, pattern: RegExp): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (pattern.test(await read())) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`timed out waiting for ${pattern}`);
}
