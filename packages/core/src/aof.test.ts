import type { VerbatimReply } from './reply.js';
import { describe, expect, it } from 'vitest';
import {
  createStore,
  decodeBatch,
  encodeBatch,
  LogBatchError,
  MemoryPersistence,
  openStore,
  ReplyError,
  type LogBatch,
  type LogTruncation,
  type PersistenceTimers,
  type StoredState,
  type Store,
  type StoreOptions,
} from './index.js';
import { dumpKeyspace, T0 } from './test-helpers.js';

/** MemoryPersistence whose appends, checkpoints and load the test can hold, and which counts its appends. */
class TestPersistence extends MemoryPersistence {
  readonly appendCalls: LogBatch[] = [];
  holdAppends = false;
  holdCheckpoints = false;
  private held: (() => void)[] = [];
  private heldCheckpoints: (() => void)[] = [];
  loadGate: Promise<void> | null = null;
  checkpoints = 0;

  override async append(batch: LogBatch): Promise<void> {
    this.appendCalls.push(batch);
    if (this.holdAppends) await new Promise<void>((r) => this.held.push(r));
    return super.append(batch);
  }

  override async checkpoint(seq: number, chunks: AsyncIterable<Uint8Array>): Promise<void> {
    this.checkpoints++;
    if (this.holdCheckpoints) await new Promise<void>((r) => this.heldCheckpoints.push(r));
    return super.checkpoint(seq, chunks);
  }

  override async load(): Promise<StoredState> {
    if (this.loadGate) await this.loadGate;
    return super.load();
  }

  release(): void {
    for (const r of this.held.splice(0)) r();
  }

  releaseCheckpoints(): void {
    for (const r of this.heldCheckpoints.splice(0)) r();
  }
}

/** Timers the test fires by hand; snapshot steps yield to microtasks only. */
function manualTimers() {
  const pending = new Map<number, { fn: () => void; ms: number }>();
  let id = 0;
  const timers: PersistenceTimers = {
    setTimeout: (fn, ms) => {
      pending.set(++id, { fn, ms });
      return id;
    },
    clearTimeout: (h) => void pending.delete(h as number),
    yield: () => Promise.resolve(),
  };
  return {
    timers,
    delays: () => [...pending.values()].map((t) => t.ms),
    fire: () => {
      const all = [...pending.values()];
      pending.clear();
      for (const t of all) t.fn();
    },
  };
}

/** Let promise chains and MemoryPersistence's async steps run. */
async function settle(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((r) => setImmediate(r));
}

/** Whether a promise has settled yet. */
function track<T>(p: Promise<T>): { done: () => boolean; p: Promise<T> } {
  let done = false;
  p.then(
    () => (done = true),
    () => (done = true),
  );
  return { done: () => done, p };
}

function info(store: Store, section = 'persistence'): Record<string, string> {
  const text = (store.execute('INFO', section) as VerbatimReply).text;
  return Object.fromEntries(
    text
      .split('\r\n')
      .filter((l) => l.includes(':'))
      .map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1)]),
  );
}

function open(p: MemoryPersistence, extra: StoreOptions = {}): Promise<Store> {
  return openStore({ persistence: p, clock: () => T0, activeExpire: false, ...extra });
}

const quotaError = () => new DOMException('The quota has been exceeded.', 'QuotaExceededError');

describe('log batch records', () => {
  it('round-trip ops, keeping text as text and bytes as bytes', () => {
    const ops = [
      { db: 0, argv: ['SET', 'k', 'héllo 😀'] },
      { db: 15, argv: ['SET', Uint8Array.from([0xff, 0]), Uint8Array.from([104, 105])] },
      { db: 3, argv: ['APPEND', '', new Uint8Array(0)] },
      { db: 200, argv: ['DEL', 'x'.repeat(300)] },
    ];
    const bytes = encodeBatch(41, ops);
    expect(decodeBatch(bytes)).toEqual({ firstSeq: 41, ops, acks: [] });
  });

  it('reject bad magic, a cut-short record, a flipped bit — each with its own reason', () => {
    const bytes = encodeBatch(1, [{ db: 0, argv: ['SET', 'key', 'value'] }]);
    const reason = (b: Uint8Array): string => {
      try {
        decodeBatch(b);
        return 'decoded';
      } catch (e) {
        expect(e).toBeInstanceOf(LogBatchError);
        return (e as LogBatchError).reason;
      }
    };
    const magic = bytes.slice();
    magic[0] = 0x58;
    expect(reason(magic)).toBe('magic');
    expect(reason(bytes.slice(0, bytes.length - 1))).toBe('truncated');
    expect(reason(bytes.slice(0, 10))).toBe('truncated');
    for (let i = 8; i < bytes.length; i++) {
      for (const bit of [1, 0x80]) {
        const flipped = bytes.slice();
        flipped[i]! ^= bit;
        expect(reason(flipped)).toBe('checksum');
      }
    }
    const version = bytes.slice();
    version[3] = 9;
    expect(reason(version)).toBe('version');
  });
});

describe('group commit', () => {
  it('commits the writes of one tick in one append and resolves them only once it is durable', async () => {
    const p = new TestPersistence();
    const store = await open(p);
    p.holdAppends = true;
    const a = track(store.set('a', '1'));
    const b = track(store.incr('n'));
    const r = track(store.get('a')); // a read of a write not yet durable waits too
    await settle();
    expect(p.appendCalls.length).toBe(1);
    expect(decodeBatch(p.appendCalls[0]!.bytes).ops.map((o) => o.argv[0])).toEqual(['SET', 'INCR']);
    expect([a.done(), b.done(), r.done()]).toEqual([false, false, false]);
    // While that append is in flight, later writes gather into the next one.
    const c = track(store.set('c', '3'));
    await settle();
    const d = track(store.set('d', '4'));
    const e = track(store.del('a'));
    await settle();
    expect(p.appendCalls.length).toBe(1);
    p.release();
    await settle();
    expect([a.done(), b.done(), r.done()]).toEqual([true, true, true]);
    expect(await r.p).toBe('1');
    expect(p.appendCalls.length).toBe(2);
    expect(decodeBatch(p.appendCalls[1]!.bytes).ops.map((o) => o.argv[1])).toEqual(['c', 'd', 'a']);
    expect(c.done()).toBe(false);
    p.holdAppends = false;
    p.release();
    await settle();
    expect(await Promise.all([c.p, d.p, e.p])).toEqual(['OK', 'OK', 1]);
    expect(p.storedBatches.map((x) => [x.firstSeq, x.lastSeq])).toEqual([
      [1, 2],
      [3, 5],
    ]);
    // Reads with nothing pending do not wait; writes that change nothing log nothing.
    expect(await store.get('zz')).toBe(null);
    expect(await store.del('zz')).toBe(0);
    expect(p.appendCalls.length).toBe(2);
    await store.close();
  });

  it('logs effects: relative TTLs as absolute times, expired keys as DEL', async () => {
    let now = T0;
    const p = new MemoryPersistence();
    const store = await openStore({ persistence: p, clock: () => now, activeExpire: false });
    await store.set('k', 'v', { ex: 10 });
    await store.call('EXPIRE', 'j', '5');
    await store.call('SET', 'j', 'x');
    await store.call('EXPIRE', 'j', '5');
    now += 6000;
    expect(await store.get('j')).toBe(null);
    const ops = p.storedBatches.flatMap((b) => decodeBatch(b.bytes).ops.map((o) => o.argv));
    expect(ops).toEqual([
      ['SET', 'k', 'v', 'PXAT', String(T0 + 10000)],
      ['SET', 'j', 'x'],
      ['PEXPIREAT', 'j', String(T0 + 5000)],
      ['DEL', 'j'],
    ]);
    await store.close();
  });
});

describe('a failed write', () => {
  it('rejects with MISCONF, refuses writes and PING, serves reads, and recovers with a full checkpoint', async () => {
    const p = new TestPersistence();
    const t = manualTimers();
    const store = await open(p, { persistenceTimers: t.timers });
    await store.set('before', '1');
    p.failWith = () => {
      throw quotaError();
    };
    const misconf = 'MISCONF Errors writing to IndexedDB: QuotaExceededError: The quota has been exceeded.';
    await expect(store.set('k', 'v')).rejects.toThrow(new ReplyError(misconf));
    // Read-only from now on: writes (and PING, as in Redis) are refused at once, reads go on.
    await expect(store.set('x', '1')).rejects.toThrow(new ReplyError(misconf));
    await expect(store.call('PING')).rejects.toThrow(new ReplyError(misconf));
    expect(await store.get('k')).toBe('v'); // it ran; it was never acknowledged
    expect(await store.get('before')).toBe('1');
    expect(await store.call('ECHO', 'hi')).toBe('hi');
    expect(info(store)).toMatchObject({ aof_last_write_status: 'err', lodis_last_write_error: 'QuotaExceededError: The quota has been exceeded.' });
    // Retries back off while storage keeps failing: 1 s, 2 s, 4 s …
    expect(t.delays()).toEqual([1000]);
    t.fire();
    await settle();
    expect(t.delays()).toEqual([2000]);
    t.fire();
    await settle();
    expect(t.delays()).toEqual([4000]);
    await expect(store.set('x', '1')).rejects.toThrow(/^MISCONF/);
    // Storage works again: the next retry writes the whole memory and leaves the read-only state.
    p.failWith = null;
    t.fire();
    await settle();
    expect(t.delays()).toEqual([]);
    expect(info(store)).toMatchObject({ aof_last_write_status: 'ok', lodis_last_write_error: '' });
    expect(await store.set('after', '2')).toBe('OK');
    expect(await store.call('PING')).toBe('PONG');
    const state = dumpKeyspace(store.engine);
    await store.close();
    const reopened = await open(p);
    expect(dumpKeyspace(reopened.engine)).toEqual(state);
    expect(await reopened.get('k')).toBe('v');
    expect(await reopened.get('after')).toBe('2');
    await reopened.close();
  });

  it('rejects every write not yet durable, in flight or waiting, and none that was acknowledged', async () => {
    const p = new TestPersistence();
    const t = manualTimers();
    let now = T0;
    const store = await open(p, { persistenceTimers: t.timers, clock: () => now });
    await store.set('ok', '1');
    await store.set('e', 'x', { px: 10 });
    now += 100;
    p.holdAppends = true;
    const a = track(store.set('a', '1'));
    await settle();
    const b = track(store.set('b', '2'));
    const r = track(store.get('zz')); // a read behind a write that will fail: resolves anyway
    const expired = track(store.get('e')); // a read that logged the DEL of an expired key: too
    await settle();
    p.failWith = () => {
      throw new Error('disk on fire');
    };
    p.holdAppends = false;
    p.release();
    await settle();
    await expect(a.p).rejects.toThrow('MISCONF Errors writing to IndexedDB: Error: disk on fire');
    await expect(b.p).rejects.toThrow(/^MISCONF/);
    expect(await r.p).toBe(null);
    expect(await expired.p).toBe(null);
    expect(p.storedBatches.length).toBe(2);
    p.failWith = null;
    // BGSAVE starts the recovery at once instead of waiting for the retry.
    expect(await store.call('BGSAVE')).toBe('Background saving started');
    await settle();
    expect(t.delays()).toEqual([]);
    expect(await store.set('c', '3')).toBe('OK');
    await store.close();
    const reopened = await open(p);
    expect(await reopened.call('MGET', 'ok', 'a', 'b', 'c')).toEqual(['1', '1', '2', '3']);
    await reopened.close();
  });
});

describe('loading', () => {
  it('queues commands sent before the load finishes and runs them after it, in order', async () => {
    const p = new TestPersistence();
    const first = await open(p);
    await first.set('x', 'old');
    await first.close();
    let openGate!: () => void;
    p.loadGate = new Promise((r) => (openGate = r));
    const store = createStore({ persistence: p, clock: () => T0, activeExpire: false });
    const g1 = store.get('x');
    const s = store.set('x', 'new');
    const other = store.connect();
    const g2 = other.get('x');
    // The synchronous path cannot wait: LOADING, as Redis replies; INFO is allowed while loading.
    expect((store.execute('GET', 'x') as ReplyError).message).toBe('LOADING Redis is loading the dataset in memory');
    expect(info(store).loading).toBe('1');
    openGate();
    await store.ready;
    expect(await Promise.all([g1, s, g2])).toEqual(['old', 'OK', 'new']);
    expect(info(store).loading).toBe('0');
    await store.close();
  });

  it('makes every command fail with the reason when loading fails', async () => {
    const p = new MemoryPersistence();
    p.load = () => Promise.reject(new Error('no database'));
    const store = createStore({ persistence: p, activeExpire: false });
    // Caught at once: bun test's `.rejects` blocks until its promise settles and takes what rejects
    // meanwhile as unhandled (oven-sh/bun#39346).
    const g = store.get('x').then(String, (e: Error) => e.message);
    await expect(store.ready).rejects.toThrow('no database');
    expect(await g).toBe('ERR Error loading the dataset: Error: no database');
    await expect(store.set('a', 'b')).rejects.toThrow('ERR Error loading the dataset: Error: no database');
  });
});

describe('a corrupted log', () => {
  /** Five batches of writes; the state after each. */
  async function fiveBatches(p: MemoryPersistence): Promise<ReturnType<typeof dumpKeyspace>[]> {
    const store = await open(p);
    const states = [dumpKeyspace(store.engine)];
    for (let i = 0; i < 5; i++) {
      await Promise.all([store.set(`k${i}`, `v${i}`), store.incr('n'), store.call('APPEND', 'log', `${i},`)]);
      states.push(dumpKeyspace(store.engine));
    }
    await store.close();
    expect(p.storedBatches.length).toBe(5);
    return states;
  }

  const corruptions: [string, (b: LogBatch[]) => void][] = [
    ['cut short', (b) => (b[2] = { ...b[2]!, bytes: b[2]!.bytes.slice(0, b[2]!.bytes.length - 3) })],
    ['with a flipped bit', (b) => b[2]!.bytes[30]! ^= 4],
    ['with bad magic', (b) => (b[2]!.bytes[0] = 0)],
    ['missing a record', (b) => void b.splice(2, 1)],
    ['empty', (b) => (b[2] = { ...b[2]!, bytes: new Uint8Array(0) })],
  ];

  for (const [name, corrupt] of corruptions) {
    it(`opens with what precedes a record ${name}, reports the drop, and never loads it again`, async () => {
      const p = new MemoryPersistence();
      const states = await fiveBatches(p);
      const stored = p.storedBatches;
      const range = { firstSeq: stored[2]!.firstSeq, lastSeq: stored[4]!.lastSeq };
      const dropped = name === 'missing a record' ? 2 : 3;
      corrupt(stored);
      const reports: LogTruncation[] = [];
      const store = await open(p, { onLogTruncated: (t) => reports.push(t) });
      expect(dumpKeyspace(store.engine)).toEqual(states[2]);
      expect(reports).toEqual([{ batches: dropped, ...range, reason: expect.any(String) }]);
      expect(info(store)).toMatchObject({
        lodis_log_dropped_batches: String(dropped),
        lodis_log_dropped_first_seq: String(range.firstSeq),
        lodis_log_dropped_last_seq: String(range.lastSeq),
      });
      // New writes are logged after a checkpoint that removed the dropped records.
      expect(await store.set('after', 'x')).toBe('OK');
      expect(Number(info(store).lodis_log_seq)).toBeGreaterThan(range.lastSeq);
      const expected = dumpKeyspace(store.engine);
      await store.close();
      const again: LogTruncation[] = [];
      const reopened = await open(p, { onLogTruncated: (t) => again.push(t) });
      expect(dumpKeyspace(reopened.engine)).toEqual(expected);
      expect(again).toEqual([]);
      expect(await reopened.incr('n')).toBe(3);
      await reopened.close();
    });
  }
});

describe('expiry across a reopen', () => {
  it('keeps absolute expire times, and an expired key never comes back', async () => {
    let now = T0;
    const p = new MemoryPersistence();
    const options = { persistence: p, clock: () => now, activeExpire: false } as const;
    const store = await openStore(options);
    await store.set('a', '1', { px: 1000 });
    await store.set('b', '2', { ex: 100 });
    await store.call('SET', 'c', '3');
    await store.call('EXPIRE', 'c', '50');
    await store.call('SET', 'd', '4', 'PXAT', String(T0 + 500));
    await store.call('APPEND', 'd', '!'); // logged while d was alive
    await store.set('gone', 'x', { px: 10 });
    await store.call('SET', 'f', 'v');
    await store.call('PEXPIRE', 'f', '300'); // logged as PEXPIREAT, in the past when replayed
    await store.call('SET', 'g', 'v');
    await store.call('GETEX', 'g', 'PX', '300');
    now += 20;
    await store.call('APPEND', 'f', '!'); // f and g were alive: a replay must not recreate them
    await store.call('APPEND', 'g', '!');
    expect(await store.get('gone')).toBe(null); // deleted: logged as DEL
    await store.close();

    now = T0 + 700; // d has expired since, unread: its log has it live, then past its time
    const r1 = await openStore(options);
    expect(await r1.call('PEXPIRETIME', 'a')).toBe(T0 + 1000);
    expect(await r1.call('PTTL', 'a')).toBe(300);
    expect(await r1.call('PEXPIRETIME', 'b')).toBe(T0 + 100_000);
    expect(await r1.call('PEXPIRETIME', 'c')).toBe(T0 + 50_000);
    expect(await r1.get('d')).toBe(null);
    expect(await r1.call('MGET', 'f', 'g')).toEqual([null, null]);
    expect(await r1.exists('gone')).toBe(0);
    await r1.call('BGREWRITEAOF'); // and through a snapshot
    await r1.close();

    now = T0 + 60_000;
    const r2 = await openStore(options);
    expect(await r2.call('MGET', 'a', 'b', 'c', 'd', 'gone')).toEqual([null, '2', null, null, null]);
    expect(await r2.call('PEXPIRETIME', 'b')).toBe(T0 + 100_000);
    await r2.close();
  });
});

describe('checkpoints', () => {
  it('BGSAVE, BGREWRITEAOF, SAVE and LASTSAVE answer as Redis does', async () => {
    let now = T0;
    const p = new TestPersistence();
    const store = await openStore({ persistence: p, clock: () => now, activeExpire: false });
    expect(await store.call('LASTSAVE')).toBe(T0 / 1000);
    await store.set('k', 'v');
    p.holdCheckpoints = true;
    expect(await store.call('BGSAVE')).toBe('Background saving started');
    await expect(store.call('BGSAVE')).rejects.toThrow('ERR Background save already in progress');
    await expect(store.call('SAVE')).rejects.toThrow('ERR Background save already in progress');
    expect(await store.call('BGREWRITEAOF')).toBe('Background append only file rewriting scheduled');
    await expect(store.call('BGSAVE', 'x')).rejects.toThrow('ERR syntax error');
    expect(info(store)).toMatchObject({ rdb_bgsave_in_progress: '1', aof_rewrite_scheduled: '1' });
    now += 5000;
    p.releaseCheckpoints();
    await settle();
    // The scheduled rewrite runs next.
    expect(info(store)).toMatchObject({ rdb_bgsave_in_progress: '0', aof_rewrite_in_progress: '1', rdb_saves: '1' });
    await expect(store.call('BGREWRITEAOF')).rejects.toThrow('ERR Background append only file rewriting already in progress');
    await expect(store.call('BGSAVE')).rejects.toThrow(
      "ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible.",
    );
    expect(await store.call('BGSAVE', 'SCHEDULE')).toBe('Background saving scheduled');
    p.releaseCheckpoints();
    await settle();
    p.releaseCheckpoints();
    await settle();
    expect(await store.call('LASTSAVE')).toBe((T0 + 5000) / 1000);
    // SAVE replies once its checkpoint is durable.
    p.holdCheckpoints = false;
    await store.set('k2', 'v2');
    now += 5000;
    expect(info(store).rdb_changes_since_last_save).toBe('1');
    expect(await store.call('SAVE')).toBe('OK');
    expect(await store.call('LASTSAVE')).toBe((T0 + 10000) / 1000);
    expect(info(store)).toMatchObject({ rdb_changes_since_last_save: '0', rdb_last_bgsave_status: 'ok', aof_rewrites: '1' });
    expect(p.storedBatches.length).toBe(0); // the snapshot covers the whole log
    await store.close();
    const reopened = await open(p);
    expect(await reopened.call('MGET', 'k', 'k2')).toEqual(['v', 'v2']);
    expect(info(reopened).rdb_last_load_keys_loaded).toBe('2');
    await reopened.close();
  });

  it('a failed checkpoint leaves the log as it was and writes go on', async () => {
    const p = new MemoryPersistence();
    const store = await open(p);
    await store.set('a', '1');
    p.failWith = (op) => {
      if (op === 'checkpoint') throw new Error('no room');
    };
    await expect(store.call('SAVE')).rejects.toThrow('ERR Error saving the dataset: Error: no room');
    expect(info(store)).toMatchObject({ rdb_last_bgsave_status: 'err', aof_last_write_status: 'ok' });
    expect(await store.set('b', '2')).toBe('OK');
    await store.close();
    const reopened = await open(p);
    expect(await reopened.call('MGET', 'a', 'b')).toEqual(['1', '2']);
    await reopened.close();
  });

  it('compacts automatically when the log outgrows the snapshot', async () => {
    const p = new MemoryPersistence();
    const store = await open(p, { compaction: { minLogBytes: 1000, factor: 1 } });
    for (let i = 0; i < 200; i++) await store.set(`key:${i % 20}`, `value ${i}`);
    await store.flush();
    await settle();
    expect(Number(info(store).aof_rewrites)).toBeGreaterThan(0);
    expect(p.logSize()).toBeLessThan(1000 + 200);
    const state = dumpKeyspace(store.engine);
    await store.close();
    const reopened = await open(p);
    expect(dumpKeyspace(reopened.engine)).toEqual(state);
    await reopened.close();
  });

  it('without persistence: SAVE is an error, LASTSAVE the start, INFO says so', async () => {
    const store = createStore({ clock: () => T0, activeExpire: false });
    await expect(store.call('SAVE')).rejects.toThrow(/^ERR This store has no persistence configured/);
    await expect(store.call('BGREWRITEAOF')).rejects.toThrow(/^ERR This store has no persistence/);
    expect(await store.call('LASTSAVE')).toBe(T0 / 1000);
    expect(info(store)).toMatchObject({ aof_enabled: '0', loading: '0', rdb_bgsave_in_progress: '0' });
    expect(info(store, 'server').redis_version).toBe('7.0.15');
    await store.set('k', 'v');
    expect(info(store, 'keyspace')).toEqual({ db0: 'keys=1,expires=0,avg_ttl=0' });
    const all = (store.execute('INFO') as VerbatimReply).text;
    expect(all.match(/^# \w+/gm)).toEqual([
      '# Server', '# Clients', '# Memory', '# Persistence', '# Stats', '# Replication', '# CPU', '# Modules', '# Errorstats', '# Cluster', '# Keyspace',
    ]);
    expect(all.endsWith('\r\n')).toBe(true);
    expect((store.execute('INFO', 'nosuch') as VerbatimReply).text).toBe('');
    await store.close();
  });
});
