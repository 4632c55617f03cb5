import { afterEach, describe, expect, it, vi } from 'vitest';
import { SORT_COMMANDS } from '../../../conformance/fuzz/gen-sort.js';
import { Rng } from '../../../conformance/fuzz/rng.js';
import { Gen } from '../../../conformance/fuzz/values.js';
import { MemoryPersistence, openStore } from './index.js';
import { keyspaceEventsStringToFlags } from './notify.js';
import { pqsort, strtodScore } from './sort.js';
import { dumpKeyspace, errorText, setupStore, T0 } from './test-helpers.js';
import { ListObject } from './types/list.js';
import type { SetObject } from './types/set.js';
import type { ZSetObject } from './types/zset.js';

const SCORE_ERR = "ERR One or more scores can't be converted into double";
const WRONGTYPE = 'WRONGTYPE Operation against a key holding the wrong kind of value';

/** A seeded generator of numbers in [0, 1). */
function lcg(seed: number): () => number {
  let x = seed >>> 0;
  return () => (x = (Math.imul(x, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

afterEach(() => {
  vi.restoreAllMocks();
});

// ---- strtod ----------------------------------------------------------------------------------

describe('strtodScore: a score as glibc strtod reads it for SORT', () => {
  // Each expectation was checked against glibc 2.36's strtod (value, errno == ERANGE, end).
  it('reads decimal, hexadecimal and infinite numbers, after leading whitespace', () => {
    const cases: [string, number][] = [
      ['1', 1], ['-2.25', -2.25], ['.5', 0.5], ['5.', 5], ['+1', 1], ['01', 1], ['1e0', 1], ['1E+2', 100],
      [' 1', 1], ['\t\n\x0b\x0c\r 7', 7], ['-0', -0], ['0e999999999999', 0], ['9007199254740993', 9007199254740992],
      ['1.7976931348623157e308', 1.7976931348623157e308], ['0x10', 16], ['0X1P3', 8], ['0x1.8p1', 3], ['0x.8', 0.5],
      ['inf', Infinity], ['-INFINITY', -Infinity], ['+Inf', Infinity],
      // Subnormal results that are exact, and DBL_MIN itself.
      ['0x1p-1074', 5e-324], ['0x1p-1022', 2.2250738585072014e-308], ['2.2250738585072014e-308', 2.2250738585072014e-308],
      ['0x1.fffffffffffff8p-1023', 2.2250738585072014e-308], ['0x1.fffffffffffffcp-1023', 2.2250738585072014e-308],
    ];
    for (const [s, v] of cases) expect([s, strtodScore(s)]).toEqual([s, v]);
  });

  it('the empty string and a string cut by NUL read as what precedes the NUL', () => {
    expect(strtodScore('')).toBe(0);
    expect(strtodScore('\u0000abc')).toBe(0);
    expect(strtodScore('12\u0000x')).toBe(12);
  });

  it('refuses trailing bytes, nothing read, NaN, overflow, and inexact underflow (ERANGE)', () => {
    const refused = [
      ' ', '1 ', 'abc', '1e', '0x', '0xg', '1_000', '1,5', '--1', 'nan', '-nan', 'nan(12)', 'infinit',
      '1e309', '-1e400', '1.7976931348623159e308', '0x1p1024',
      '1e-400', '1e-320', '4.9e-324', '2.5e-324', '2.2250738585072011e-308', '2.2250738585072012e-308',
      '0x1p-1075', '0x1.8p-1074', '0x1.8p-1075', '0x1.fffffffffffff7p-1023',
    ];
    for (const s of refused) expect([s, strtodScore(s)]).toEqual([s, null]);
  });

  it('decides tininess after rounding, exactly, for long decimal expansions', () => {
    const exact = (n: bigint, e: number): string => `${(n * 10n ** BigInt(e)) >> BigInt(e)}e-${e}`; // n · 2^-e
    expect(strtodScore(exact(3n, 1074))).toBe(1.5e-323); // exact subnormal: no ERANGE
    expect(strtodScore(exact((1n << 52n) - 1n, 1074))).toBe(2.225073858507201e-308);
    const limit = (1n << 54n) - 1n; // DBL_MIN - 2^-1076: below it a value is tiny once rounded to 53 bits
    expect(strtodScore(exact(limit, 1076))).toBe(2.2250738585072014e-308);
    expect(strtodScore(exact(limit * 2n - 1n, 1077))).toBeNull();
    expect(strtodScore(exact(limit * 2n + 1n, 1077))).toBe(2.2250738585072014e-308);
  });
});

// ---- pqsort ----------------------------------------------------------------------------------

describe('pqsort (pqsort.c)', () => {
  it('sorts every position of the range it is given, as a full sort would', () => {
    const rnd = lcg(7);
    for (let round = 0; round < 300; round++) {
      const n = Math.floor(rnd() * (round < 200 ? 60 : 3000));
      const a = Array.from({ length: n }, (_, i) => i).sort(() => rnd() - 0.5);
      const l = Math.floor(rnd() * (n + 1));
      const r = Math.min(n - 1, l + Math.floor(rnd() * 40) - 1);
      const b = a.slice();
      pqsort(b, n, (x, y) => x - y, l, r);
      for (let i = l; i <= r; i++) expect(b[i]).toBe(i);
      expect(b.slice().sort((x, y) => x - y)).toEqual(a.slice().sort((x, y) => x - y));
    }
  });

  it('is not stable: equal elements end where its swaps put them (as in Redis)', () => {
    const items = Array.from({ length: 12 }, (_, i) => ({ key: i % 3, id: i }));
    pqsort(items, items.length, (x, y) => x.key - y.key, 0, 11);
    expect(items.map((x) => x.key)).toEqual([0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2]);
    expect(items.map((x) => x.id)).not.toEqual([0, 3, 6, 9, 1, 4, 7, 10, 2, 5, 8, 11]);
  });
});

// ---- SORT ------------------------------------------------------------------------------------

describe('SORT', () => {
  it('sorts numerically (equal scores by bytes), ALPHA by bytes, DESC, LIMIT', () => {
    const { run } = setupStore();
    run('RPUSH', 'l', '3', '1', '10', '01', '1.0', '-1', '+1');
    expect(run('SORT', 'l')).toEqual(['-1', '+1', '01', '1', '1.0', '3', '10']);
    expect(run('SORT', 'l', 'DESC')).toEqual(['10', '3', '1.0', '1', '01', '+1', '-1']);
    expect(run('SORT', 'l', 'ALPHA')).toEqual(['+1', '-1', '01', '1', '1.0', '10', '3']);
    expect(run('SORT', 'l', 'LIMIT', '1', '2')).toEqual(['+1', '01']);
    expect(run('SORT', 'l', 'LIMIT', '5', '-1')).toEqual(['3', '10']);
    expect(run('SORT', 'l', 'LIMIT', '-3', '1')).toEqual(['-1']);
    expect(run('SORT', 'l', 'LIMIT', '7', '1')).toEqual([]);
    expect(run('SORT_RO', 'l', 'LIMIT', '0', '0')).toEqual([]);
    run('RPUSH', 'l', 'x');
    expect(errorText(run('SORT', 'l'))).toBe(SCORE_ERR);
    expect(run('SORT', 'l', 'ALPHA', 'LIMIT', '0', '1')).toEqual(['+1']);
  });

  it('parses options first, then checks the type', () => {
    const { run } = setupStore();
    run('SET', 's', 'x');
    expect(errorText(run('SORT', 's', 'FOO'))).toBe('ERR syntax error');
    expect(errorText(run('SORT', 's', 'LIMIT', 'x', '1'))).toBe('ERR value is not an integer or out of range');
    expect(errorText(run('SORT', 's', 'LIMIT', '1'))).toBe('ERR syntax error');
    expect(errorText(run('SORT_RO', 's', 'STORE', 'd'))).toBe('ERR syntax error');
    expect(errorText(run('SORT', 's'))).toBe(WRONGTYPE);
    expect(run('SORT', 'missing', 'asc\u0000ignored', 'ALPHA\u0000')).toEqual([]);
  });

  it('BY and GET: string keys, hash fields, #, missing keys as nil (BY: 0, or first with ALPHA)', () => {
    const { run } = setupStore();
    run('RPUSH', 'l', 'a', 'b', 'c', 'd');
    run('MSET', 'w_a', '3', 'w_b', '1', 'w_c', '2');
    run('HSET', 'h_a', 'f', 'z');
    run('HSET', 'h_c', 'f', 'y');
    run('HINCRBY', 'h_b', 'n', '5');
    expect(run('SORT', 'l', 'BY', 'w_*')).toEqual(['d', 'b', 'c', 'a']);
    expect(run('SORT', 'l', 'BY', 'w_*', 'GET', '#', 'GET', 'w_*', 'GET', 'h_*->f')).toEqual([
      'd', null, null, 'b', '1', null, 'c', '2', 'y', 'a', '3', 'z',
    ]);
    expect(run('SORT', 'l', 'BY', 'h_*->f', 'ALPHA', 'DESC')).toEqual(['a', 'c', 'b', 'd']);
    expect(run('SORT', 'l', 'BY', 'w_*', 'GET', 'h_*->n', 'LIMIT', '0', '2')).toEqual([null, '5']);
    expect(run('SORT', 'l', 'BY', 'nosort', 'GET', 'nostar', 'GET', 'w_*->f')).toEqual(Array(8).fill(null));
    run('INCR', 'w_d');
    expect(run('SORT', 'l', 'BY', 'w_*', 'DESC', 'GET', 'w_*')).toEqual(['3', '2', '1', '1']);
  });

  it('BY nosort keeps a list in order, walks it backwards for DESC, and reads only the LIMIT range', () => {
    const { store, run } = setupStore();
    const n = 1_000_000;
    const l = ListObject.from(Array.from({ length: n }, (_, i) => String(i)));
    store.engine.dbs[0]!.dict.set('big', l);
    const range = vi.spyOn(ListObject.prototype, 'range');
    const rangeReverse = vi.spyOn(ListObject.prototype, 'rangeReverse');
    const forEach = vi.spyOn(ListObject.prototype, 'forEach');
    expect(run('SORT', 'big', 'BY', 'nosort', 'LIMIT', '0', '3')).toEqual(['0', '1', '2']);
    expect(run('SORT', 'big', 'BY', 'nosort', 'LIMIT', String(n - 2), '10')).toEqual([String(n - 2), String(n - 1)]);
    expect(run('SORT', 'big', 'BY', 'nosort', 'DESC', 'LIMIT', '0', '3')).toEqual(['999999', '999998', '999997']);
    expect(run('SORT', 'big', 'BY', 'nosort', 'DESC', 'LIMIT', String(n - 1), '3')).toEqual(['0']);
    expect(range.mock.calls).toEqual([[0, 3], [n - 2, 2]]);
    expect(rangeReverse.mock.calls).toEqual([[n - 1, 3], [0, 1]]);
    expect(forEach).not.toHaveBeenCalled();
  });

  it('sorts a large list, and a partial sort BY a pattern serves LIMIT', () => {
    const { store, run } = setupStore();
    const n = 200_000;
    const rnd = lcg(3);
    const values = Array.from({ length: n }, () => String(Math.floor(rnd() * 1e9)));
    store.engine.dbs[0]!.dict.set('big', ListObject.from(values));
    const sorted = values.slice().sort((a, b) => Number(a) - Number(b) || (a < b ? -1 : a > b ? 1 : 0));
    const all = run('SORT', 'big') as string[];
    expect(all.length).toBe(n);
    expect(all.slice(0, 5)).toEqual(sorted.slice(0, 5));
    expect(all.slice(-5)).toEqual(sorted.slice(-5));
    // BY a pattern whose keys are all missing: every score is 0, so the elements' bytes decide.
    const byBytes = values.slice().sort();
    expect(run('SORT', 'big', 'BY', 'none_*', 'LIMIT', '1000', '5')).toEqual(byBytes.slice(1000, 1005));
  });

  it('over sets: an intset in numeric order, a hash table sorted ALPHA when stored unsorted', () => {
    const { store, run } = setupStore();
    run('SADD', 'is', '5', '-1', '10', '3');
    expect(run('SORT', 'is', 'BY', 'nosort')).toEqual(['-1', '3', '5', '10']);
    expect(run('SORT', 'is', 'BY', 'nosort', 'DESC', 'LIMIT', '1', '2')).toEqual(['3', '5']);
    expect(run('SORT', 'is', 'DESC')).toEqual(['10', '5', '3', '-1']);
    run('SADD', 'hs', 'b', 'c', 'a', '10', '9');
    expect((store.engine.dbs[0]!.dict.get('hs') as SetObject).intset).toBe(false);
    expect(run('SORT', 'hs', 'BY', 'nosort', 'DESC', 'STORE', 'd')).toBe(5);
    expect(run('LRANGE', 'd', 0, -1)).toEqual(['c', 'b', 'a', '9', '10']); // DESC still applies
    expect(run('SORT', 'hs', 'ALPHA', 'LIMIT', '0', '2')).toEqual(['10', '9']);
  });

  it('over sorted sets: BY nosort in score order (DESC from the top, LIMIT as a rank range); converts a listpack', () => {
    const { store, run, log } = setupStore();
    run('ZADD', 'z', '3', 'c', '1', 'a', '2', 'b', '2', 'bb', '-0', 'zero');
    expect((store.engine.dbs[0]!.dict.get('z') as ZSetObject).listpack).toBe(true);
    log.length = 0;
    expect(run('SORT', 'z', 'BY', 'nosort')).toEqual(['zero', 'a', 'b', 'bb', 'c']);
    expect((store.engine.dbs[0]!.dict.get('z') as ZSetObject).listpack).toBe(false);
    expect(log).toEqual([[0, 'SORT', 'z', 'BY', 'nosort', 'LIMIT', '0', '0']]); // the conversion, once
    expect(run('SORT', 'z', 'BY', 'nosort', 'DESC', 'LIMIT', '1', '2')).toEqual(['bb', 'b']);
    expect(run('SORT', 'z', 'BY', 'nosort', 'LIMIT', '3', '9', 'GET', '#')).toEqual(['bb', 'c']);
    expect(run('SORT', 'z', 'ALPHA', 'DESC')).toEqual(['zero', 'c', 'bb', 'b', 'a']);
    expect(errorText(run('SORT', 'z'))).toBe(SCORE_ERR);
    expect(log.length).toBe(1);
    // A skiplist keeps -0 (a listpack stores integral scores as integers).
    run('ZADD', 'z', '-0', 'a');
    expect(run('ZSCORE', 'z', 'a')).toBe('-0');
  });

  it('STORE: a list (TTL dropped, any type replaced), its count, events; an empty result deletes', () => {
    const { store, run, events } = setupStore((event, key) => `${event}:${key}`);
    store.engine.notifyKeyspaceEventsFlags = keyspaceEventsStringToFlags('KEAn');
    run('RPUSH', 'l', '2', '1');
    run('HSET', 'd', 'f', 'v');
    run('EXPIRE', 'd', 100);
    events.length = 0;
    expect(run('SORT', 'l', 'STORE', 'd')).toBe(2);
    expect(run('TYPE', 'd')).toBe('list');
    expect(run('TTL', 'd')).toBe(-1);
    expect(run('SORT', 'l', 'GET', '#', 'GET', 'w_*', 'STORE', 'e')).toBe(4);
    expect(run('LRANGE', 'e', 0, -1)).toEqual(['1', '', '2', '']);
    expect(events).toEqual(['sortstore:d', 'new:e', 'sortstore:e']);
    events.length = 0;
    expect(run('SORT', 'l', 'LIMIT', '0', '0', 'STORE', 'd')).toBe(0);
    expect(run('SORT', 'missing', 'STORE', 'd')).toBe(0);
    expect(run('EXISTS', 'd')).toBe(0);
    expect(events).toEqual(['del:d']);
    expect(run('SORT', 'l', 'STORE', 'l')).toBe(2);
    expect(run('LRANGE', 'l', 0, -1)).toEqual(['1', '2']);
  });

  it('STORE is logged as its effect (DEL, RPUSH); nothing else is logged', () => {
    const { run, log } = setupStore();
    run('SADD', 's', 'b', 'a', 'c');
    run('SET', 'd', 'x');
    log.length = 0;
    expect(run('SORT', 's', 'ALPHA')).toEqual(['a', 'b', 'c']);
    expect(run('SORT_RO', 's', 'ALPHA')).toEqual(['a', 'b', 'c']);
    expect(run('SORT', 's', 'ALPHA', 'STORE', 'new')).toBe(3);
    expect(run('SORT', 's', 'ALPHA', 'DESC', 'STORE', 'd')).toBe(3);
    expect(run('SORT', 's', 'ALPHA', 'LIMIT', '0', '0', 'STORE', 'd')).toBe(0);
    expect(run('SORT', 's', 'ALPHA', 'LIMIT', '0', '0', 'STORE', 'd')).toBe(0);
    expect(log).toEqual([
      [0, 'RPUSH', 'new', 'a', 'b', 'c'],
      [0, 'DEL', 'd'],
      [0, 'RPUSH', 'd', 'c', 'b', 'a'],
      [0, 'DEL', 'd'],
    ]);
  });

  it('a reopened store holds what SORT stored, ties in hash order included', async () => {
    let now = T0;
    const p = new MemoryPersistence();
    const options = { persistence: p, clock: () => now, activeExpire: false } as const;
    const store = await openStore(options);
    await store.sadd('s', 'm', ...Array.from({ length: 40 }, (_, i) => `m${i}`));
    await store.call('ZADD', 'z', 1, 'a', 1, 'b', 0, 'c');
    await store.sort('s', { by: 'missing_*', alpha: true, store: 'd1' }); // every element ties
    await store.sort('s', { by: 'missing_*', alpha: true, limit: { offset: 5, count: 10 }, get: ['#', 'x_*'], store: 'd2' });
    await store.sort('z', { by: 'nosort', order: 'desc', store: 'd3' });
    await store.call('ZADD', 'z', '-0', 'a');
    await store.flush();
    const expected = dumpKeyspace(store.engine);
    await store.close();
    now += 1000;
    const reopened = await openStore(options);
    expect(dumpKeyspace(reopened.engine)).toEqual(expected);
    expect(await reopened.call('ZSCORE', 'z', 'a')).toBe('-0');
    await reopened.close();
  });

  it("a reopened store is the one that ran the sort family's differential stream", async () => {
    let now = T0;
    const p = new MemoryPersistence();
    const options = { persistence: p, clock: () => now, activeExpire: false, compaction: { auto: false } } as const;
    const store = await openStore(options);
    const rng = new Rng(5);
    const gen = new Gen(rng, Math.floor(T0 / 1000));
    const table = SORT_COMMANDS.map((spec) => [spec.weight, spec] as const);
    let stored = 0;
    for (let i = 0; i < 4000; i++) {
      const spec = rng.weighted(table);
      const argv = [spec.name, ...spec.args!(gen)];
      const r = store.execute(...argv);
      if (/^sort$/i.test(spec.name) && typeof r === 'number' && r > 0) stored++;
      now += 1;
    }
    expect(stored).toBeGreaterThan(50);
    await store.flush();
    const expected = dumpKeyspace(store.engine);
    await store.close();
    const reopened = await openStore(options);
    expect(dumpKeyspace(reopened.engine)).toEqual(expected);
    await reopened.close();
  });

  it('reads keys as any read does: expired ones are deleted (and logged) on the way', () => {
    const { run, log, advance } = setupStore();
    run('RPUSH', 'l', '1', '2');
    run('SET', 'w_1', '5', 'PX', '10');
    run('SET', 'w_2', '3');
    advance(20);
    log.length = 0;
    expect(run('SORT', 'l', 'BY', 'w_*', 'GET', 'w_*')).toEqual([null, '3']);
    expect(log).toEqual([[0, 'DEL', 'w_1']]);
  });

  it('hands out stored bytes as shared: a later in-place write does not change a reply', () => {
    const { store } = setupStore();
    store.execute('RPUSH', 'l', 'a');
    store.execute('SETRANGE', 'v_a', '0', 'abc');
    const r = store.execute('SORT', 'l', 'ALPHA', 'GET', 'v_*') as Uint8Array[];
    store.execute('SETRANGE', 'v_a', '0', 'X');
    expect(new TextDecoder().decode(r[0])).toBe('abc');
    expect(store.execute('GET', 'v_a')).toEqual(new TextEncoder().encode('Xbc'));
  });

  it('clears the score error with each SORT (Redis keeps a stale errno: see sort.ts)', () => {
    const { run } = setupStore();
    run('RPUSH', 'bad', '1e400');
    run('SADD', 'ok', '3', '1');
    expect(errorText(run('SORT', 'bad'))).toBe(SCORE_ERR);
    expect(run('SORT', 'ok')).toEqual(['1', '3']);
  });
});
