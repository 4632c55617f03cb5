/**
 * Replay equivalence, as a property: a seeded stream of every implemented command (the
 * differential run's generators) runs on a persisted store; the store is reopened from the same
 * persistence, and the whole state — every database's keys, values as bytes with their
 * representation, and expire times — must be the original's. With the log alone, with checkpoints
 * started in the middle while the stream keeps writing between the snapshot's steps, and with the
 * snapshot writer driven by hand between commands.
 */
import type { VerbatimReply } from './reply.js';
import { describe, expect, it } from 'vitest';
import {
  createStore,
  Engine,
  MemoryPersistence,
  openStore,
  rdbLoad,
  SnapshotWriter,
  type PersistenceTimers,
  type Store,
  type StoreOptions,
} from './index.js';
import { commandStream, dumpKeyspace, T0 } from './test-helpers.js';

type Stream = ReturnType<typeof commandStream>;

/** Run `n` commands in bursts, half through the synchronous path and half through call(); the clock moves. */
async function drive(store: Store, stream: Stream, n: number, clock: { now: number }): Promise<void> {
  const { rng } = stream;
  for (let i = 0; i < n; ) {
    const burst = rng.int(1, 40);
    const replies: Promise<unknown>[] = [];
    for (let j = 0; j < burst && i < n; j++, i++) {
      clock.now += rng.int(0, 40);
      const argv = stream.next();
      if (rng.chance(0.5)) store.execute(...argv);
      else replies.push(store.call(...argv).catch(() => null));
      if (rng.chance(0.01)) store.activeExpireCycle(); // expired keys reach the log as DELs
    }
    await Promise.all(replies);
    if (rng.chance(0.5)) await store.flush();
    if (rng.chance(0.3)) await new Promise((r) => setImmediate(r)); // a running snapshot takes a step
  }
  await store.flush();
}

async function reopenAndCompare(store: Store, p: MemoryPersistence, clock: { now: number }): Promise<void> {
  const expected = dumpKeyspace(store.engine);
  await store.close();
  const reopened = await openStore({ persistence: p, clock: () => clock.now, activeExpire: false });
  expect(dumpKeyspace(reopened.engine)).toEqual(expected);
  await reopened.close();
}

describe('replay equivalence', () => {
  for (const seed of [1, 2, 3, 4, 5, 6]) {
    it(`reopens identical from the log alone (seed ${seed})`, async () => {
      const clock = { now: T0 };
      const p = new MemoryPersistence();
      const store = await openStore({ persistence: p, clock: () => clock.now, activeExpire: false, compaction: { auto: false } });
      await drive(store, commandStream(seed, T0), 2500, clock);
      expect(p.storedBatches.length).toBeGreaterThan(10);
      expect((await p.load()).snapshot).toBe(null);
      await reopenAndCompare(store, p, clock);
    });
  }

  for (const seed of [11, 12, 13, 14, 15, 16]) {
    it(`reopens identical after checkpoints taken while the stream writes (seed ${seed})`, async () => {
      const clock = { now: T0 };
      const p = new MemoryPersistence();
      const stream = commandStream(seed, T0);
      let store!: Store;
      // Between two steps of a snapshot, the stream goes on writing (through the synchronous path).
      const timers: PersistenceTimers = {
        setTimeout: (fn, ms) => setTimeout(fn, ms),
        clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
        yield: async () => {
          await new Promise((r) => setImmediate(r));
          for (let k = stream.rng.int(0, 6); k > 0; k--) {
            clock.now += stream.rng.int(0, 40);
            store.execute(...stream.next());
          }
        },
      };
      const options: StoreOptions = {
        persistence: p,
        clock: () => clock.now,
        activeExpire: false,
        compaction: { minLogBytes: 3000, factor: 1 },
        snapshot: { stepKeys: 3, chunkBytes: 300 },
        persistenceTimers: timers,
      };
      store = await openStore(options);
      for (let round = 0; round < 12; round++) {
        await drive(store, stream, 200, clock);
        const pick = stream.rng.int(0, 3);
        if (pick === 0) await store.call('BGREWRITEAOF').catch(() => null);
        else if (pick === 1) await store.call('BGSAVE', 'SCHEDULE').catch(() => null);
      }
      // Let the running checkpoints finish (the stream keeps writing meanwhile).
      while (/_in_progress:1/.test((store.execute('INFO', 'persistence') as VerbatimReply).text)) await new Promise((r) => setImmediate(r));
      await store.flush();
      const info = (store.execute('INFO', 'persistence') as VerbatimReply).text;
      expect(Number(/aof_rewrites:(\d+)/.exec(info)![1]) + Number(/rdb_saves:(\d+)/.exec(info)![1])).toBeGreaterThanOrEqual(3);
      expect((await p.load()).snapshot).not.toBe(null);
      await reopenAndCompare(store, p, clock);
    });
  }
});

describe('a snapshot written while commands run (copy-on-write)', () => {
  /**
   * Snapshots one after another, each with commands between its steps of one or two keys; each
   * loaded snapshot must be the state of its start.
   */
  async function snapshotsUnderWrites(seed: number): Promise<void> {
    const clock = { now: T0 };
    const store = createStore({ clock: () => clock.now, activeExpire: false });
    const stream = commandStream(seed, T0);
    const { rng } = stream;
    const engine = store.engine;
    for (let i = 0; i < 600; i++) {
      clock.now += rng.int(0, 40);
      store.execute(...stream.next());
    }
    let mostChunks = 0;
    for (let round = 0; round < 8; round++) {
      const expected = dumpKeyspace(engine);
      const writer = new SnapshotWriter(engine, round, { chunkBytes: 200 });
      engine.snapshotInProgress = writer;
      const chunks: Uint8Array[] = [];
      while (!writer.finished) {
        for (let k = rng.int(0, 12); k > 0; k--) {
          clock.now += rng.int(0, 60);
          store.execute(...stream.next());
          if (rng.chance(0.02)) store.activeExpireCycle();
        }
        writer.step(Infinity, rng.int(1, 2));
        for (let c = writer.takeChunk(); c !== null; c = writer.takeChunk()) chunks.push(c);
      }
      engine.snapshotInProgress = null;
      mostChunks = Math.max(mostChunks, chunks.length);
      const loaded = new Engine({ clock: () => clock.now });
      await rdbLoad(loaded, round, chunks);
      expect(dumpKeyspace(loaded)).toEqual(expected);
    }
    // The rounds span several chunks (a FLUSHALL in the stream may leave one round small).
    expect(mostChunks).toBeGreaterThan(2);
  }

  for (const seed of [21, 22, 23, 24, 25, 26, 27, 28]) {
    it(`is the state of its start (seed ${seed})`, async () => {
      await snapshotsUnderWrites(seed);
    });
  }

  it('follows FLUSHALL, FLUSHDB, SWAPDB, MOVE, RENAME and in-place edits made before the walk reaches a key', async () => {
    const store = createStore({ clock: () => T0, activeExpire: false });
    const run = (...a: string[]) => store.execute(...a);
    for (let db = 0; db < 4; db++) {
      run('SELECT', String(db));
      for (let i = 0; i < 20; i++) run('SET', `k${i}`, `db${db}-${i}`);
      run('PEXPIREAT', 'k3', String(T0 + 1000 * (db + 1)));
      run('SETBIT', 'bits', '7', '1');
      run('PFADD', 'h', 'a', 'b', 'c');
    }
    run('SELECT', '0');
    const engine = store.engine;
    const expected = dumpKeyspace(engine);
    const writer = new SnapshotWriter(engine, 1);
    engine.snapshotInProgress = writer;
    writer.step(Infinity, 5);
    run('SETBIT', 'bits', '0', '1'); // in place, after lookupKeyWrite
    run('PFCOUNT', 'h'); // in place, after lookupKeyRead (the cached cardinality)
    run('APPEND', 'k10', '!');
    run('RENAME', 'k11', 'renamed');
    run('MOVE', 'k12', '1');
    run('SWAPDB', '0', '2');
    run('SET', 'k13', 'after swap'); // db 0 now holds what was db 2
    run('PERSIST', 'k3');
    run('SELECT', '1');
    run('FLUSHDB');
    run('SET', 'k0', 'new');
    run('SELECT', '3');
    run('EXPIRE', 'k3', '100');
    run('FLUSHALL');
    run('SET', 'fresh', '1');
    const chunks = writer.finish();
    engine.snapshotInProgress = null;
    const loaded = new Engine();
    await rdbLoad(loaded, 1, chunks);
    expect(dumpKeyspace(loaded)).toEqual(expected);
  });
});
