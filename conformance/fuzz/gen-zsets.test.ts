/**
 * The sorted set generators' own parts, checked without a server: how ZRANDMEMBER's random
 * replies are judged, when a lex command first evens out the scores, and the size guard.
 */
import { describe, expect, it } from 'vitest';
import { createStore } from '../../packages/core/src/index.js';
import { RANDOM_ZMEMBERS, ZSET_COMMANDS } from './gen-zsets.js';
import { TYPE_VALUE_READERS } from './type-values.js';

const bulk = (s: string): string => `$${Buffer.byteLength(s, 'latin1')}\r\n${s}\r\n`;
const arr = (...items: string[]): string => `*${items.length}\r\n${items.map(bulk).join('')}`;
const before = JSON.stringify([['a', '1'], ['b', '2.5'], ['\xff', 'inf']]);
const check = RANDOM_ZMEMBERS.check;
const spec = (name: string) => ZSET_COMMANDS.find((s) => s.name === name)!;

describe('ZRANDMEMBER replies are judged against the sorted set as it was', () => {
  it('one member, or null for a missing key', () => {
    expect(check(['ZRANDMEMBER', 'z'], before, bulk('a'))).toBeNull();
    expect(check(['ZRANDMEMBER', 'z'], before, bulk('\xff'))).toBeNull();
    expect(check(['ZRANDMEMBER', 'z'], before, bulk('z'))).toMatch(/not a member/);
    expect(check(['ZRANDMEMBER', 'z'], before, '$-1\r\n')).toMatch(/null reply/);
    expect(check(['ZRANDMEMBER', 'z'], null, '$-1\r\n')).toBeNull();
  });

  it('distinct members for a positive count, repeats for a negative one, scores paired right', () => {
    expect(check(['ZRANDMEMBER', 'z', '2'], before, arr('a', 'b'))).toBeNull();
    expect(check(['ZRANDMEMBER', 'z', '2'], before, arr('a', 'a'))).toMatch(/twice/);
    expect(check(['ZRANDMEMBER', 'z', '9'], before, arr('\xff', 'b', 'a'))).toBeNull();
    expect(check(['ZRANDMEMBER', 'z', '-4'], before, arr('a', 'a', 'b', 'a'))).toBeNull();
    expect(check(['ZRANDMEMBER', 'z', '-4'], before, arr('a', 'a'))).toMatch(/expected 4/);
    expect(check(['ZRANDMEMBER', 'z', '2', 'WITHSCORES'], before, arr('b', '2.5', '\xff', 'inf'))).toBeNull();
    expect(check(['ZRANDMEMBER', 'z', '2', 'WITHSCORES'], before, arr('b', '2', '\xff', 'inf'))).toMatch(/not its score/);
    expect(check(['ZRANDMEMBER', 'z', '-3'], null, '*0\r\n')).toBeNull();
  });

  it('the canonical value the check reads is ZRANGE … WITHSCORES', () => {
    const store = createStore({ activeExpire: false });
    store.execute('ZADD', 'z', '2.5', 'b', '1', 'a', 'inf', Uint8Array.of(0xff));
    expect(TYPE_VALUE_READERS.zset!.fromLodis(store.engine.dbs[0]!.dict.get('z') as never)).toBe(before);
  });

  it('guards negative counts that would build a huge reply', () => {
    const guard = spec('ZRANDMEMBER').largeAllocation!;
    expect(guard(['ZRANDMEMBER', 'z', '-1000000'])).toBe(2);
    expect(guard(['ZRANDMEMBER', 'z', '-1000'])).toBe(-1);
    expect(guard(['ZRANDMEMBER', 'z', '-4611686018427387904', 'WITHSCORES'])).toBe(-1); // Redis refuses it
    expect(guard(['ZRANDMEMBER', 'z', '-9223372036854775808'])).toBe(-1); // refused too
  });
});

describe('lex commands over a skiplist of mixed scores', () => {
  it('first give every member the score 0 on both sides; a listpack or equal scores need nothing', () => {
    const store = createStore({ activeExpire: false });
    const value = (k: string | Uint8Array) => store.engine.dbs[0]!.dict.get(String(k)) as never;
    const pairs = (score: (i: number) => number) => Array.from({ length: 200 }, (_, i) => [String(score(i)), `m${i}`]).flat();
    store.execute('ZADD', 'mixed', ...pairs((i) => i));
    store.execute('ZADD', 'equal', ...pairs(() => 7));
    store.execute('ZADD', 'small', '1', 'b', '2', 'a');
    const plan = spec('ZRANGEBYLEX').plan!;
    expect(plan(['ZRANGEBYLEX', 'mixed', '-', '+'], value)).toEqual({ before: ['ZUNIONSTORE', 'mixed', '1', 'mixed', 'WEIGHTS', '0'] });
    expect(plan(['ZRANGEBYLEX', 'equal', '-', '+'], value)).toBe(null);
    expect(plan(['ZRANGEBYLEX', 'small', '-', '+'], value)).toBe(null);
    const zrange = spec('ZRANGE').plan!;
    expect(zrange(['ZRANGE', 'mixed', '0', '1'], value)).toBe(null);
    expect(zrange(['ZRANGE', 'mixed', '[a', '+', 'bylex'], value)).not.toBe(null);
    const store2 = spec('ZRANGESTORE').plan!;
    expect(store2(['ZRANGESTORE', 'dst', 'mixed', '-', '+', 'BYLEX'], value)!.before).toEqual(['ZUNIONSTORE', 'mixed', '1', 'mixed', 'WEIGHTS', '0']);
  });
});
