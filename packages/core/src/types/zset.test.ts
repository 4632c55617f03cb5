import { describe, expect, it } from 'vitest';
import type { Client } from '../client.js';
import { doubleReplyText } from '../double.js';
import { createStore, decodeReply, DoubleReply, Engine, MemoryPersistence, NULL_ARRAY, openStore, rdbLoad, SnapshotWriter, type Store } from '../index.js';
import { ByteReader, ByteWriter } from '../rio.js';
import { Rng } from '../../../../conformance/fuzz/rng.js';
import { blockingSetup, dumpKeyspace, errorText, fakeTime, settled, setupStore, T0 } from '../test-helpers.js';
import {
  checkZIndex,
  readZSetObject,
  writeZSetObject,
  ZIndex,
  ZRANDMEMBER_MAX_REPLY,
  zsetConvertToSkiplist,
  zsetLength,
  ZSetObject,
  zsetRangeByRank,
  ZSET_MAX_LISTPACK_ENTRIES,
} from './zset.js';

const WRONGTYPE = 'WRONGTYPE Operation against a key holding the wrong kind of value';

const clientOf = (s: Store): Client => (s as unknown as { transport: { client: Client } }).transport.client;
const zsetAt = (s: Store, key: string, db = 0): ZSetObject => s.engine.dbs[db]!.dict.get(key) as ZSetObject;
const ex = (s: Store, ...argv: (string | number | Uint8Array)[]): unknown => decodeReply(s.execute(...argv));
const setup = () => setupStore((event, key) => `${event}:${key}`);

/** The pairs of an index, in order. */
function pairsOf(t: ZIndex): [number, string][] {
  const out: [number, string][] = [];
  for (let leaf = t.head as ZIndex['head'] | null; leaf !== null; leaf = leaf.next) {
    for (let i = 0; i < leaf.members.length; i++) out.push([leaf.scores[i]!, leaf.members[i]!]);
  }
  return out;
}

/** Redis' order of pairs. */
const pairCmp = (a: [number, string], b: [number, string]): number =>
  a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0;

/** A store whose random numbers come from a seeded generator (engine.random). */
function seeded(seed = 1): Store {
  let x = seed >>> 0;
  const random = () => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return x / 2 ** 32;
  };
  return createStore({ activeExpire: false, random });
}

// ---- the index -------------------------------------------------------------------------------

describe('ZIndex (the order-statistics B+tree)', () => {
  it('matches a sorted-array model under random inserts, deletes, ranks and seeks, growing and shrinking', () => {
    const rng = new Rng(7);
    const t = new ZIndex();
    const model: [number, string][] = [];
    const present = new Map<string, number>();
    const SCORES = [0, -0, 1, 1.5, -2, Infinity, -Infinity, 1e300, 5e-324];
    const score = (): number => (rng.chance(0.5) ? rng.pick(SCORES) : rng.int(-50, 50) + (rng.chance(0.3) ? 0.25 : 0));
    const find = (s: number, m: string): number => model.findIndex((p) => p[1] === m && Object.is(p[0], s));
    // Grow to a few thousand (several levels, with ties on score), then shrink to nothing.
    for (let phase = 0; phase < 2; phase++) {
      for (let step = 0; step < 12_000; step++) {
        const grow = phase === 0 ? rng.chance(0.8) : rng.chance(0.15);
        if (grow || present.size === 0) {
          const m = `m${rng.int(0, 20_000)}`;
          if (present.has(m)) continue;
          const s = score();
          t.insert(s, m);
          present.set(m, s);
          const at = model.findIndex((p) => pairCmp(p, [s, m]) > 0);
          model.splice(at < 0 ? model.length : at, 0, [s, m]);
        } else {
          const victims = [...present.keys()];
          const m = victims[rng.int(0, victims.length - 1)]!;
          const s = present.get(m)!;
          const k = find(s, m);
          expect(t.rank(s, m)).toBe(k);
          t.delete(s, m);
          present.delete(m);
          model.splice(k, 1);
        }
        if (step % 500 === 0) {
          checkZIndex(t);
          expect(pairsOf(t)).toEqual(model);
          for (let q = 0; q < 20 && model.length; q++) {
            const r = rng.int(0, model.length - 1);
            const p = t.seekRank(r);
            expect([p.leaf!.scores[p.i], p.leaf!.members[p.i]]).toEqual(model[r]);
            expect(t.rank(model[r]![0], model[r]![1])).toBe(r);
            const x = score();
            const first = t.seek({ before: (s) => s < x });
            const want = model.findIndex((pp) => !(pp[0] < x));
            expect(first.rank).toBe(want < 0 ? model.length : want);
            expect(first.leaf === null).toBe(want < 0);
          }
        }
      }
      checkZIndex(t);
      expect(t.length).toBe(model.length);
    }
    for (const [m, s] of present) t.delete(s, m);
    checkZIndex(t);
    expect(t.length).toBe(0);
    expect(t.height).toBe(0);
  });

  it('deletes rank ranges pair by pair (small) or by rebuilding (large), keeping every invariant', () => {
    for (const [n, start, count] of [
      [5000, 10, 20],
      [5000, 0, 1000],
      [5000, 4000, 1000],
      [5000, 1, 4998],
      [5000, 0, 5000],
      [300, 100, 100],
    ] as const) {
      const members = Array.from({ length: n }, (_, i) => `m${String(i).padStart(5, '0')}`);
      const scores = members.map((_, i) => Math.floor(i / 3));
      const t = ZIndex.fromSorted(members, scores);
      checkZIndex(t);
      t.deleteRange(start, count);
      checkZIndex(t);
      const want = members.map((m, i) => [scores[i]!, m] as [number, string]);
      want.splice(start, count);
      expect(pairsOf(t)).toEqual(want);
      // The index still takes inserts and deletes afterwards.
      t.insert(-1, 'first');
      t.insert(1e9, 'last');
      checkZIndex(t);
      expect(t.rank(1e9, 'last')).toBe(t.length - 1);
    }
  });

  it('builds from sorted pairs into full leaves of any size', () => {
    for (const n of [0, 1, 96, 97, 128, 129, 5000, 100_000]) {
      const members = Array.from({ length: n }, (_, i) => `m${String(i).padStart(6, '0')}`);
      const t = ZIndex.fromSorted(members, members.map(() => 0));
      checkZIndex(t);
      expect(t.length).toBe(n);
      if (n) expect(t.rank(0, members[n - 1]!)).toBe(n - 1);
    }
  });

  it('works at both ends of a 1M-pair index: pops, pushes, ranks and ranges never walk it', () => {
    const store = createStore({ activeExpire: false });
    const n = 1_000_000;
    const batch: string[] = [];
    for (let i = 0; i < n; i++) {
      batch.push(String(i), `m${i}`);
      if (batch.length === 20_000) store.execute('ZADD', 'big', ...batch.splice(0));
    }
    const z = zsetAt(store, 'big');
    expect(z.length).toBe(n);
    expect(z.listpack).toBe(false);
    checkZIndex(z.zsl);
    expect(z.zsl.height).toBeLessThanOrEqual(4);
    // 100k pops and adds at each end: each is O(log n) (a walk would not finish).
    for (let i = 0; i < 50_000; i++) {
      store.execute('ZPOPMIN', 'big');
      store.execute('ZPOPMAX', 'big');
    }
    for (let i = 0; i < 50_000; i++) {
      store.execute('ZADD', 'big', -1 - i, `low${i}`);
      store.execute('ZADD', 'big', 2e6 + i, `high${i}`);
    }
    expect(ex(store, 'ZCARD', 'big')).toBe(n);
    expect(ex(store, 'ZRANGE', 'big', 0, 0, 'WITHSCORES')).toEqual(['low49999', '-50000']);
    expect(ex(store, 'ZRANGE', 'big', -1, -1, 'WITHSCORES')).toEqual(['high49999', '2049999']);
    expect(ex(store, 'ZREVRANGE', 'big', 0, 1)).toEqual(['high49999', 'high49998']);
    expect(ex(store, 'ZRANK', 'big', 'm50000')).toBe(50_000);
    expect(ex(store, 'ZREVRANK', 'big', 'low0')).toBe(n - 50_000);
    expect(ex(store, 'ZRANGE', 'big', 500_000, 500_001)).toEqual(['m500000', 'm500001']);
    expect(ex(store, 'ZCOUNT', 'big', '(600000', '600100')).toBe(100);
    expect(ex(store, 'ZRANGEBYSCORE', 'big', '(949999', '+inf', 'LIMIT', 0, 2)).toEqual(['high0', 'high1']);
    expect(ex(store, 'ZREMRANGEBYRANK', 'big', 1000, -1001)).toBe(n - 2000);
    expect(ex(store, 'ZCARD', 'big')).toBe(2000);
    checkZIndex(z.zsl);
    store.close();
  });
});

// ---- the sorted set --------------------------------------------------------------------------

describe('ZSetObject', () => {
  it('is a listpack while Redis would keep one: at most 128 members of at most 64 bytes', () => {
    const store = createStore({ activeExpire: false });
    const pairs = Array.from({ length: ZSET_MAX_LISTPACK_ENTRIES }, (_, i) => [String(i), `m${i}`]).flat();
    store.execute('ZADD', 'z', ...pairs);
    expect(zsetAt(store, 'z').listpack).toBe(true);
    store.execute('ZADD', 'z', '1', 'm0'); // an update adds nothing
    expect(zsetAt(store, 'z').listpack).toBe(true);
    store.execute('ZADD', 'z', '1', 'one more');
    expect(zsetAt(store, 'z').listpack).toBe(false);
    store.execute('ZREMRANGEBYRANK', 'z', 0, -3);
    expect(zsetAt(store, 'z').listpack).toBe(false); // for good
    store.execute('ZADD', 'long', '1', 'x'.repeat(64));
    expect(zsetAt(store, 'long').listpack).toBe(true);
    store.execute('ZADD', 'long', '1', 'y'.repeat(65));
    expect(zsetAt(store, 'long').listpack).toBe(false);
    store.execute('ZADD', 'first', '1', 'é'.repeat(33)); // 66 bytes: a skiplist from the start
    expect(zsetAt(store, 'first').listpack).toBe(false);
    store.execute('ZADD', 'xx', 'XX', '1', 'y'.repeat(65));
    expect(store.execute('EXISTS', 'xx')).toBe(0);
  });

  it('stores -0 as 0 in a listpack (an integer there), as -0 in a skiplist', () => {
    const store = createStore({ activeExpire: false });
    store.execute('ZADD', 'lp', '-0', 'a');
    expect(ex(store, 'ZSCORE', 'lp', 'a')).toBe('0');
    expect(ex(store, 'ZINCRBY', 'lp', '-0', 'a')).toBe('0');
    store.execute('ZADD', 'sl', '-0', 'y'.repeat(65));
    expect(ex(store, 'ZSCORE', 'sl', 'y'.repeat(65))).toBe('-0');
    expect(ex(store, 'ZADD', 'sl', 'INCR', '-0', 'new')).toBe('-0');
    expect(ex(store, 'ZRANGE', 'sl', 0, -1, 'WITHSCORES')).toEqual(['new', '-0', 'y'.repeat(65), '-0']);
    // ZUNIONSTORE converts a small result to a listpack: the -0 become 0.
    store.execute('ZUNIONSTORE', 'u', 1, 'sl', 'WEIGHTS', 1);
    expect(zsetAt(store, 'u').listpack).toBe(false); // a 65-byte member
    // A listpack converted by a long member keeps the 0 it stored; a skiplist from the start keeps -0.
    store.execute('ZADD', 'lp2', '-0', 'b', '1', 'z'.repeat(70));
    expect(ex(store, 'ZSCORE', 'lp2', 'b')).toBe('0');
    store.execute('ZADD', 'sl2', '1', 'z'.repeat(70), '-0', 'b');
    store.execute('ZREM', 'sl2', 'z'.repeat(70));
    expect(ex(store, 'ZSCORE', 'sl2', 'b')).toBe('-0');
    store.execute('ZUNIONSTORE', 'u2', 1, 'sl2');
    expect(zsetAt(store, 'u2').listpack).toBe(true);
    expect(ex(store, 'ZSCORE', 'u2', 'b')).toBe('0');
    expect(ex(store, 'ZUNION', 1, 'sl2', 'WITHSCORES')).toEqual(['b', '-0']);
  });

  it('orders ties by member bytes (UTF-8, shorter prefix first), whatever their JS representation', () => {
    const store = createStore({ activeExpire: false });
    // UTF-16 puts U+FF61 after a surrogate pair; UTF-8 (and Redis) before it.
    store.execute('ZADD', 'z', '0', '😀', '0', '\uff61', '0', 'a', '0', 'ab', '0', '', '0', Uint8Array.of(0xff), '0', Uint8Array.of(0x61, 0x00));
    const got = store.callBuffer; // (keep the store's typed surface out of this test)
    void got;
    const members = (store.execute('ZRANGE', 'z', 0, -1) as (string | Uint8Array)[]).map((m) => Buffer.from(typeof m === 'string' ? Buffer.from(m) : m).toString('hex'));
    expect(members).toEqual(['', '61', '6100', '6162', 'efbda1', 'f09f9880', 'ff']);
    expect(ex(store, 'ZRANGEBYLEX', 'z', '(a', '[b')).toEqual(['a\u0000', 'ab']);
    expect(ex(store, 'ZSCORE', 'z', Uint8Array.of(0xff))).toBe('0');
    expect(ex(store, 'ZSCORE', 'z', Buffer.from('😀'))).toBe('0');
    expect(store.execute('ZRANK', 'z', Uint8Array.of(0xf0, 0x9f, 0x98, 0x80))).toBe(5);
  });

  it('dup shares nothing; the snapshot codec keeps pairs, bytes, -0, infinities and encoding', () => {
    const z = ZSetObject.from(
      [
        ['a', 1],
        ['\xff\x00', -0],
        ['b', Infinity],
        ['c', -Infinity],
        ['d', 0.1],
      ],
      false,
    );
    const d = z.dup();
    d.insert('new', 5);
    d.remove('a');
    expect(z.dict.has('a')).toBe(true);
    expect(z.dict.has('new')).toBe(false);
    checkZIndex(z.zsl);
    checkZIndex(d.zsl);
    const w = new ByteWriter();
    writeZSetObject(w, z);
    const back = readZSetObject(new ByteReader(w.result()));
    checkZIndex(back.zsl);
    expect(back.listpack).toBe(false);
    expect(back.ascii).toBe(false);
    const pairs = (x: ZSetObject): string[] => {
      const out: string[] = [];
      x.forEach((m, s) => out.push(`${m}=${Object.is(s, -0) ? '-0' : s}`));
      return out;
    };
    expect(pairs(back)).toEqual(pairs(z));
    expect(pairs(back)).toEqual(['c=-Infinity', '\xff\x00=-0', 'd=0.1', 'a=1', 'b=Infinity']);
    // A listpack's -0 is 0 already, and stays so.
    const lp = ZSetObject.from([['x', -0]], true);
    const w2 = new ByteWriter();
    writeZSetObject(w2, lp);
    const lp2 = readZSetObject(new ByteReader(w2.result()));
    expect(lp2.listpack).toBe(true);
    expect(Object.is(lp2.score('x'), 0)).toBe(true);
  });
});

// ---- commands --------------------------------------------------------------------------------

describe('sorted set commands', () => {
  it('fire the events Redis fires and log only what changed, rewritten where Redis rewrites', () => {
    const { run, events, log } = setup();
    run('ZADD', 'z', 1, 'a', 2, 'b', 3, 'c', 4, 'd', 5, 'e');
    run('ZADD', 'z', 1, 'a'); // no change: not logged
    run('ZADD', 'z', 'NX', 9, 'a');
    run('ZINCRBY', 'z', 10, 'a');
    run('ZADD', 'z', 'INCR', 1, 'a');
    run('ZREM', 'z', 'nope');
    run('ZREM', 'z', 'a');
    run('ZREMRANGEBYSCORE', 'z', 100, 200);
    run('ZREMRANGEBYSCORE', 'z', 2, '(3');
    run('ZREMRANGEBYLEX', 'z', '[c', '[c');
    run('ZREMRANGEBYRANK', 'z', 5, 10);
    run('ZPOPMIN', 'z');
    run('ZADD', 'z', 1, 'x', 2, 'y', 3, 'w');
    expect(run('ZMPOP', 2, 'nokey', 'z', 'MAX', 'COUNT', 10)).toEqual(['z', [['e', '5'], ['w', '3'], ['y', '2'], ['x', '1']]]);
    expect(run('ZMPOP', 1, 'z', 'MIN')).toBe(null);
    run('ZADD', 'n', 'inf', 'a');
    expect(errorText(run('ZINCRBY', 'n', '-inf', 'a'))).toBe('ERR resulting score is not a number (NaN)');
    run('ZADD', 's1', 1, 'a');
    run('ZUNIONSTORE', 'dst', 1, 's1');
    run('ZINTERSTORE', 'dst', 2, 's1', 'nokey'); // empty: deletes dst
    run('ZINTERSTORE', 'dst', 2, 's1', 'nokey'); // nothing to delete: not logged
    run('ZRANGESTORE', 'dst2', 's1', 0, -1);
    run('ZDIFFSTORE', 'dst3', 1, 's1');
    expect(events).toEqual([
      'new:z', 'zadd:z', 'zincr:z', 'zincr:z', 'zrem:z', 'zremrangebyscore:z', 'zremrangebylex:z', 'zpopmin:z',
      // (setKey reports "new" only when notify-keyspace-events asks for it: not seen here.)
      'zadd:z', 'zpopmax:z', 'del:z', 'new:n', 'zadd:n', 'new:s1', 'zadd:s1', 'zunionstore:dst', 'del:dst',
      'zrangestore:dst2', 'zdiffstore:dst3',
    ]);
    expect(log.map((e) => e.slice(1).map(String).join(' '))).toEqual([
      'ZADD z 1 a 2 b 3 c 4 d 5 e', 'ZINCRBY z 10 a', 'ZADD z INCR 1 a', 'ZREM z a', 'ZREMRANGEBYSCORE z 2 (3',
      'ZREMRANGEBYLEX z [c [c', 'ZPOPMIN z', 'ZADD z 1 x 2 y 3 w', 'ZPOPMAX z 4', 'ZADD n inf a', 'ZADD s1 1 a',
      'ZUNIONSTORE dst 1 s1', 'ZINTERSTORE dst 2 s1 nokey', 'ZRANGESTORE dst2 s1 0 -1', 'ZDIFFSTORE dst3 1 s1',
    ]);
  });

  it('parses every score before changing anything: a bad one adds nothing and creates no key', () => {
    const { run, log } = setup();
    expect(errorText(run('ZADD', 'z', 1, 'a', 'x', 'b'))).toBe('ERR value is not a valid float');
    expect(run('EXISTS', 'z')).toBe(0);
    run('SET', 's', 'v');
    expect(errorText(run('ZADD', 's', 'x', 'a'))).toBe('ERR value is not a valid float'); // before the type
    expect(errorText(run('ZADD', 's', 1, 'a'))).toBe(WRONGTYPE);
    expect(errorText(run('ZRANGEBYSCORE', 's', 'x', 1))).toBe('ERR min or max is not a float');
    expect(errorText(run('ZRANGEBYSCORE', 's', 0, 1))).toBe(WRONGTYPE);
    expect(errorText(run('ZUNION', 2, 's', 'nokey', 'AGGREGATE', 'bad'))).toBe(WRONGTYPE); // keys before options
    expect(errorText(run('ZUNION', 2, 'nokey', 'x', 'AGGREGATE', 'bad'))).toBe('ERR syntax error');
    expect(errorText(run('ZRANGE', 's', 0, 1, 'LIMIT', 'x', 1))).toBe('ERR value is not an integer or out of range');
    expect(log.map((e) => e[1])).toEqual(['SET']);
  });

  it('scores print as Redis prints them: 17 significant digits, inf, -0', () => {
    const { run } = setup();
    const scores = ['0.1', '1e300', '-0', '0.3333333333333333', '1e17', '123456789.123456789', '-inf', '2.98023223876953125e-8', '5e-324', '0x1p-3'];
    for (const s of scores) run('ZADD', 'sk', s, `m${s}`);
    expect(run('ZSCORE', 'sk', 'm0.1')).toBe('0.10000000000000001');
    expect(run('ZSCORE', 'sk', 'm1e300')).toBe('1.0000000000000001e+300');
    expect(run('ZSCORE', 'sk', 'm0.3333333333333333')).toBe('0.33333333333333331');
    expect(run('ZSCORE', 'sk', 'm1e17')).toBe('1e+17');
    expect(run('ZSCORE', 'sk', 'm123456789.123456789')).toBe('123456789.12345679');
    expect(run('ZSCORE', 'sk', 'm-inf')).toBe('-inf');
    expect(run('ZSCORE', 'sk', 'm2.98023223876953125e-8')).toBe('2.9802322387695312e-08'); // a tie, to even
    expect(run('ZSCORE', 'sk', 'm5e-324')).toBe('4.9406564584124654e-324');
    expect(run('ZSCORE', 'sk', 'm0x1p-3')).toBe('0.125');
    expect(doubleReplyText(1125899906842624.25)).toBe('1125899906842624.2');
    expect(doubleReplyText(-1e-5)).toBe('-1.0000000000000001e-05');
  });

  it('RESP3: scores are doubles, WITHSCORES and popped pairs nest', () => {
    const store = seeded();
    store.execute('ZADD', 'z', 1, 'a', 2.5, 'b');
    clientOf(store).resp = 3;
    expect(store.execute('ZSCORE', 'z', 'b')).toEqual(new DoubleReply(2.5, '2.5'));
    expect(store.execute('ZRANGE', 'z', 0, -1, 'WITHSCORES')).toEqual([
      ['a', new DoubleReply(1, '1')],
      ['b', new DoubleReply(2.5, '2.5')],
    ]);
    expect(store.execute('ZRANDMEMBER', 'z', 5, 'WITHSCORES')).toEqual([
      ['b', new DoubleReply(2.5, '2.5')],
      ['a', new DoubleReply(1, '1')],
    ]);
    expect(store.execute('ZPOPMIN', 'z')).toEqual(['a', new DoubleReply(1, '1')]);
    expect(store.execute('ZPOPMIN', 'z', 1)).toEqual([['b', new DoubleReply(2.5, '2.5')]]);
  });

  it('ZRANDMEMBER: distinct members, repeats for a negative count, the whole set from the top, the limits', () => {
    const store = seeded(3);
    store.execute('ZADD', 'z', 1, 'a', 2, 'b', 3, 'c', 4, 'd', 5, 'e');
    for (let i = 0; i < 50; i++) {
      const r = ex(store, 'ZRANDMEMBER', 'z', 3) as string[];
      expect(new Set(r).size).toBe(3);
      for (const m of r) expect('abcde').toContain(m);
      const rep = ex(store, 'ZRANDMEMBER', 'z', -8, 'WITHSCORES') as string[];
      expect(rep.length).toBe(16);
      for (let j = 0; j < rep.length; j += 2) expect(rep[j + 1]).toBe(String('abcde'.indexOf(rep[j]!) + 1));
    }
    expect(ex(store, 'ZRANDMEMBER', 'z', 5)).toEqual(['e', 'd', 'c', 'b', 'a']);
    expect(ex(store, 'ZRANDMEMBER', 'z', 0)).toEqual([]);
    expect(errorText(store.execute('ZRANDMEMBER', 'z', -(ZRANDMEMBER_MAX_REPLY + 1)))).toMatch(/more than/);
    expect(errorText(store.execute('ZRANDMEMBER', 'z', '-9223372036854775808'))).toBe(
      'ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807',
    );
    expect(errorText(store.execute('ZRANDMEMBER', 'z', '4611686018427387904', 'WITHSCORES'))).toBe('ERR value is out of range');
    expect(ex(store, 'ZRANDMEMBER', 'z', '4611686018427387904')).toEqual(['e', 'd', 'c', 'b', 'a']);
  });

  it('ZSCAN returns a listpack whole with its stored scores; walks a skiplist with live cursors', () => {
    const store = createStore({ activeExpire: false });
    store.execute('ZADD', 'lp', '1e17', 'a', '-0', 'b', '0.5', 'c');
    expect(ex(store, 'ZSCAN', 'lp', 7, 'COUNT', 1)).toEqual(['0', ['b', '0', 'c', '0.5', 'a', '100000000000000000']]);
    const n = 1000;
    store.execute('ZADD', 'big', ...Array.from({ length: n }, (_, i) => [String(i / 2), `m${i}`]).flat());
    const seen = new Map<string, string>();
    let cursor = '0';
    let calls = 0;
    do {
      const [next, page] = ex(store, 'ZSCAN', 'big', cursor, 'COUNT', 50) as [string, string[]];
      expect(page.length).toBeLessThanOrEqual(100);
      for (let i = 0; i < page.length; i += 2) seen.set(page[i]!, page[i + 1]!);
      if (calls === 3) store.execute('ZREM', 'big', 'm999', 'm998'); // removed before they were reached
      cursor = next;
      calls++;
    } while (cursor !== '0');
    expect(seen.size).toBe(n - 2);
    expect(seen.get('m3')).toBe('1.5');
    expect(ex(store, 'ZSCAN', 'big', 0, 'MATCH', 'm99?', 'COUNT', 2000)).toEqual(['0', ['m990', '495', 'm991', '495.5', 'm992', '496', 'm993', '496.5', 'm994', '497', 'm995', '497.5', 'm996', '498', 'm997', '498.5']]);
    expect(errorText(store.execute('ZSCAN', 'big', 'x'))).toBe('ERR invalid cursor');
    expect(ex(store, 'ZSCAN', 'nokey', 0, 'COUNT', 0)).toEqual(['0', []]);
    expect(errorText(store.execute('ZSCAN', 'big', 0, 'COUNT', 0))).toBe('ERR syntax error');
  });

  it('lex ranges walk a listpack from its ends, as Redis does when scores differ', () => {
    const store = createStore({ activeExpire: false });
    // In score order: b(1) a(2) c(3). From the head, the first member at or above "[b" is b; from
    // there on, every member at or below max follows, a included (as redis-server replies).
    store.execute('ZADD', 'z', 1, 'b', 2, 'a', 3, 'c');
    expect(ex(store, 'ZRANGEBYLEX', 'z', '[b', '+')).toEqual(['b', 'a', 'c']);
    expect(ex(store, 'ZRANGEBYLEX', 'z', '-', '+')).toEqual(['b', 'a', 'c']);
    expect(ex(store, 'ZLEXCOUNT', 'z', '[b', '+')).toBe(3);
    expect(ex(store, 'ZREVRANGEBYLEX', 'z', '+', '[b')).toEqual(['c']);
    expect(ex(store, 'ZREMRANGEBYLEX', 'z', '-', '[b')).toBe(2);
    expect(ex(store, 'ZRANGE', 'z', 0, -1)).toEqual(['c']);
  });

  it('store commands overwrite a destination of any type and drop its TTL; a source set scores 1', () => {
    const { run } = setup();
    run('SET', 'dst', 'v', 'EX', 100);
    run('SADD', 'set', 'a', 'b', 'c');
    run('ZADD', 'z', 2, 'b', 5, 'x');
    expect(run('ZUNIONSTORE', 'dst', 2, 'set', 'z', 'WEIGHTS', 2, 3)).toBe(4);
    expect(run('TTL', 'dst')).toBe(-1);
    expect(run('ZRANGE', 'dst', 0, -1, 'WITHSCORES')).toEqual(['a', '2', 'c', '2', 'b', '8', 'x', '15']);
    expect(run('ZINTER', 2, 'set', 'z', 'AGGREGATE', 'MAX', 'WITHSCORES')).toEqual(['b', '2']);
    expect(run('ZDIFF', 2, 'set', 'z')).toEqual(['a', 'c']);
    expect(run('ZINTERCARD', 2, 'set', 'dst', 'LIMIT', 2)).toBe(2);
    expect(run('ZUNION', 2, 'z', 'z', 'WEIGHTS', 'inf', '-inf', 'WITHSCORES')).toEqual(['b', '0', 'x', '0']);
    run('SADD', 'ints', 3, 1, 2);
    expect(run('ZUNION', 1, 'ints', 'WITHSCORES')).toEqual(['1', '1', '2', '1', '3', '1']);
  });

  it('replaying the log rebuilds the same sorted sets, encodings and -0 included', () => {
    const { store, run, log } = setup();
    run('ZADD', 'a', ...Array.from({ length: 200 }, (_, i) => [String(i % 7 === 0 ? '-0' : i), `m${i}`]).flat());
    run('ZADD', 'b', '-0', 'x', '1', 'y');
    run('ZINCRBY', 'b', '0.1', 'y');
    run('ZREMRANGEBYRANK', 'a', 10, 150);
    run('ZUNIONSTORE', 'c', 2, 'a', 'b', 'WEIGHTS', '1', '-1');
    run('ZRANGESTORE', 'd', 'a', 0, -1, 'REV');
    run('ZMPOP', 1, 'a', 'MAX', 'COUNT', 3);
    run('ZPOPMIN', 'b');
    const replay = createStore({ clock: () => T0, activeExpire: false });
    for (const [db, ...argv] of log) {
      replay.execute('SELECT', db);
      replay.execute(...argv);
    }
    expect(dumpKeyspace(replay.engine)).toEqual(dumpKeyspace(store.engine));
    expect(zsetAt(replay, 'a').listpack).toBe(false);
  });

  it('COPY duplicates a sorted set; the copy changes alone', () => {
    const { store, run } = setup();
    run('ZADD', 'z', 1, 'a', 2, 'b');
    run('COPY', 'z', 'c');
    run('ZADD', 'c', 3, 'c');
    run('ZREM', 'z', 'a');
    expect(run('ZRANGE', 'z', 0, -1)).toEqual(['b']);
    expect(run('ZRANGE', 'c', 0, -1)).toEqual(['a', 'b', 'c']);
    checkZIndex(zsetAt(store, 'c').zsl);
  });

  it('exports what SORT needs: the length and a walk by rank from either end', () => {
    const z = ZSetObject.from([
      ['a', 1],
      ['b', 2],
      ['\xc3\xa9', 3],
      ['\xff', 4],
    ]);
    expect(zsetLength(z)).toBe(4);
    const got: [string, number][] = [];
    zsetRangeByRank(z, 1, 3, false, (m, s) => got.push([m, s]));
    expect(got).toEqual([
      ['b', 2],
      ['é', 3],
      ['\udc00\xff', 4],
    ]);
    got.length = 0;
    zsetRangeByRank(z, 0, 1, true, (m, s) => got.push([m, s]));
    expect(got).toEqual([
      ['\udc00\xff', 4],
      ['é', 3],
    ]);
    got.length = 0;
    zsetRangeByRank(z, -5, 99, false, (m, s) => got.push([m, s]));
    expect(got.length).toBe(4);
    // The conversion SORT makes: Redis' strtod of a subnormal score's text leaves errno at ERANGE.
    expect(zsetConvertToSkiplist(z)).toBe(false);
    expect(z.listpack).toBe(false);
    expect(zsetConvertToSkiplist(z)).toBe(false);
    expect(zsetConvertToSkiplist(ZSetObject.from([['a', 5e-324], ['b', 1]]))).toBe(true);
    expect(zsetConvertToSkiplist(ZSetObject.from([['a', -1e-310]]))).toBe(true);
    expect(zsetConvertToSkiplist(ZSetObject.from([['a', 2.2250738585072014e-308], ['b', 0]]))).toBe(false);
  });
});

// ---- blocking --------------------------------------------------------------------------------



describe('blocking pops', () => {
  it('serve waiters first come, first served, and log ZPOPMIN/ZPOPMAX', async () => {
    const { store, log } = blockingSetup();
    const s1 = store.connect();
    const s2 = store.connect();
    const s3 = store.connect();
    const p1 = s1.bzpopmin('q', 0);
    const p2 = s2.bzpopmax('other', 'q', 0);
    const p3 = s3.bzmpop(0, 2, ['x', 'q'], 'min', 5);
    expect(store.engine.blocking.count).toBe(3);
    await store.zadd('q', { score: 1, member: 'a' }, { score: 2, member: 'b' }, { score: 3, member: 'c' }, { score: 4, member: 'd' });
    expect(await p1).toEqual(['q', 'a', 1]);
    expect(await p2).toEqual(['q', 'd', 4]);
    expect(await p3).toEqual(['q', [['b', 2], ['c', 3]]]);
    expect(store.engine.blocking.count).toBe(0);
    expect(await store.exists('q')).toBe(0);
    expect(log).toEqual(['ZADD q 1 a 2 b 3 c 4 d', 'ZPOPMIN q', 'ZPOPMAX q', 'ZPOPMIN q 2']);
  });

  it('served at once, they reply and log as their non-blocking twins', async () => {
    const { store, log } = blockingSetup();
    await store.zadd('z', { score: 1, member: 'a' }, { score: 2, member: 'b' });
    expect(ex(store, 'BZPOPMAX', 'none', 'z', 0)).toEqual(['z', 'b', '2']);
    expect(ex(store, 'BZMPOP', 0, 1, 'z', 'MAX', 'COUNT', 10)).toEqual(['z', [['a', '1']]]);
    expect(log).toEqual(['ZADD z 1 a 2 b', 'ZPOPMAX z', 'ZPOPMAX z 1']);
  });

  it('a sorted set made by ZUNIONSTORE, ZRANGESTORE or COPY serves waiters too; a list does not', async () => {
    const { store } = blockingSetup();
    await store.zadd('src', { score: 1, member: 'a' });
    const p1 = store.connect().bzpopmin('u', 0);
    const p2 = store.connect().bzpopmin('r', 0);
    const p3 = store.connect().bzpopmin('c', 0);
    await store.rpush('u', 'not a zset');
    expect(await settled(p1)).toBe(false);
    await store.del('u');
    await store.zunionstore('u', 1, 'src');
    await store.zrangestore('r', 'src', 0, -1);
    await store.copy('src', 'c');
    expect(await p1).toEqual(['u', 'a', 1]);
    expect(await p2).toEqual(['r', 'a', 1]);
    expect(await p3).toEqual(['c', 'a', 1]);
  });

  it('time out on the engine clock with a null reply; closing a blocked session pops nothing', async () => {
    const { store, advance } = blockingSetup();
    const s = store.connect();
    const p = s.bzpopmin('q', 0.5);
    advance(499);
    expect(await settled(p)).toBe(false);
    advance(1);
    expect(await p).toBe(null);
    const s2 = store.connect();
    const p2 = s2.bzmpop(0, 1, ['q'], 'max');
    await s2.close();
    await expect(p2).rejects.toThrow('ERR Connection is closed');
    await store.zadd('q', { score: 1, member: 'a' });
    expect(await store.zcard('q')).toBe(1);
    expect(store.engine.blocking.count).toBe(0);
  });

  it('parse every argument, in Redis order, before serving or blocking', () => {
    const { store } = blockingSetup();
    const err = (...argv: (string | number)[]) => errorText(store.execute(...argv));
    expect(err('BZPOPMIN', 'q', 'x')).toBe('ERR timeout is not a float or out of range');
    expect(err('BZPOPMIN', 'q', '-1')).toBe('ERR timeout is negative');
    expect(err('BZMPOP', 'x', '0', 'q', 'MIN')).toBe('ERR numkeys should be greater than 0');
    expect(err('BZMPOP', 'x', '1', 'q', 'MIN')).toBe('ERR timeout is not a float or out of range');
    expect(err('BZMPOP', '0', '1', 'q', 'MIN', 'COUNT', '0')).toBe('ERR count should be greater than 0');
    store.execute('SET', 's', 'v');
    expect(err('BZPOPMIN', 'nokey', 's', '0')).toBe(WRONGTYPE);
    expect(store.engine.blocking.count).toBe(0);
    expect(store.execute('BZPOPMIN', 'nokey', '0.01')).toBe(NULL_ARRAY);
    expect(store.engine.blocking.count).toBe(1);
  });

  it('a pop served to a waiter is logged as its effect: the reopened store is the same', async () => {
    const time = fakeTime();
    const p = new MemoryPersistence();
    const options = { persistence: p, clock: time.clock, timers: time.timers, activeExpire: false } as const;
    const store = await openStore(options);
    const w1 = store.connect().bzpopmax('q', 0);
    const w2 = store.connect().bzmpop(0, 1, ['q'], 'MIN', 2);
    await store.zadd('q', { score: 1, member: 'a' }, { score: 2, member: 'b' }, { score: 3, member: 'c' }, { score: 4, member: 'd' });
    expect(await w1).toEqual(['q', 'd', 4]);
    expect(await w2).toEqual(['q', [['a', 1], ['b', 2]]]);
    await store.flush();
    const expected = dumpKeyspace(store.engine);
    await store.close();
    const reopened = await openStore(options);
    expect(dumpKeyspace(reopened.engine)).toEqual(expected);
    expect(await reopened.zrange('q', 0, -1)).toEqual(['c']);
    await reopened.close();
  });
});

// ---- persistence -----------------------------------------------------------------------------

describe('persistence', () => {
  it('a snapshot keeps every pair, score bits and encoding', async () => {
    const p = new MemoryPersistence();
    let now = T0;
    const store = await openStore({ persistence: p, clock: () => now, activeExpire: false });
    const [first, ...rest] = Array.from({ length: 500 }, (_, i) => ({ score: i % 5 ? i / 3 : -i, member: i % 3 ? `m${i}` : `é${i}` }));
    await store.zadd('big', first!, ...rest);
    await store.call('ZADD', 'small', '-0', Uint8Array.of(0xff), 'inf', 'top', '-inf', 'bottom');
    await store.call('ZADD', 'skip', '-0', 'z'.repeat(65));
    await store.call('SAVE');
    await store.zrem('big', 'm1'); // in the log after the snapshot
    const expected = dumpKeyspace(store.engine);
    await store.close();
    now += 1000;
    const reopened = await openStore({ persistence: p, clock: () => now, activeExpire: false });
    expect(dumpKeyspace(reopened.engine)).toEqual(expected);
    expect(zsetAt(reopened, 'small').listpack).toBe(true);
    expect(zsetAt(reopened, 'big').listpack).toBe(false);
    expect(await reopened.call('ZSCORE', 'skip', 'z'.repeat(65))).toBe('-0');
    checkZIndex(zsetAt(reopened, 'big').zsl);
    await reopened.close();
  });
});

describe('snapshots while commands run', () => {
  it('a snapshot running while sorted sets change writes each as it was at its start', async () => {
    const store = createStore({ clock: () => T0, activeExpire: false });
    for (let i = 0; i < 50; i++) store.execute('ZADD', `z${i}`, 1, 'a', 2, 'b', 3, 'c');
    store.execute('ZADD', 'big', ...Array.from({ length: 300 }, (_, i) => [String(i), `m${i}`]).flat());
    const engine = store.engine;
    const expected = dumpKeyspace(engine);
    const writer = new SnapshotWriter(engine, 1);
    engine.snapshotInProgress = writer;
    writer.step(Infinity, 3);
    store.execute('ZADD', 'z40', 9, 'a', 4, 'd');
    store.execute('ZREM', 'z41', 'a', 'b');
    store.execute('ZINCRBY', 'z42', 10, 'b');
    store.execute('ZPOPMIN', 'z43', 2);
    store.execute('ZREMRANGEBYSCORE', 'z44', '-inf', '+inf');
    store.execute('ZMPOP', 1, 'z45', 'MAX');
    store.execute('ZUNIONSTORE', 'z46', 2, 'z47', 'z48');
    store.execute('ZRANGESTORE', 'z49', 'big', 0, 9);
    store.execute('ZREMRANGEBYRANK', 'big', 0, 199);
    store.execute('ZADD', 'new', 1, 'x');
    const chunks = writer.finish();
    engine.snapshotInProgress = null;
    const loaded = new Engine();
    await rdbLoad(loaded, 1, chunks);
    expect(dumpKeyspace(loaded)).toEqual(expected);
  });
});
