/**
 * The sort generators' own parts, checked without a server: which SORT replies and effects the
 * plan leaves to hash order, and how such replies are compared.
 */
import { describe, expect, it } from 'vitest';
import { createStore } from '../../packages/core/src/index.js';
import { toKey } from '../../packages/core/src/sds.js';
import { compareReplies } from './compare.js';
import { sortPlan } from './gen-sort.js';
import type { Arg } from './values.js';

const bulk = (s: string): string => `$${Buffer.byteLength(s)}\r\n${s}\r\n`;
const arr = (...items: string[]): string => `*${items.length}\r\n${items.map(bulk).join('')}`;
const RESET = ['SCAN', '0', 'COUNT', '0'];

function planner() {
  const store = createStore({ activeExpire: false });
  store.execute('RPUSH', 'l', 'b', 'a');
  store.execute('SADD', 'is', '3', '1', '2');
  store.execute('SADD', 'hs', 'b', 'a', 'c');
  store.execute('SADD', 'nul', 'a\u0000b', 'a');
  store.execute('ZADD', 'z', '1', 'a', '2', 'b');
  const plan = (...argv: Arg[]) => sortPlan(argv, (k) => store.engine.dbs[0]!.dict.get(toKey(k)));
  return { plan };
}

describe('the plan of a SORT', () => {
  it("resets Redis' errno first, and compares exactly what is determined", () => {
    const { plan } = planner();
    for (const argv of [
      ['SORT', 'l', 'BY', 'nosort'],
      ['SORT', 'l', 'BY', 'w_*', 'ALPHA'],
      ['SORT', 'is', 'BY', 'nosort', 'LIMIT', '0', '1'],
      ['SORT', 'is', 'BY', 'w_*', 'ALPHA'],
      ['SORT', 'hs', 'ALPHA'],
      ['SORT', 'hs', 'BY', 'w_*'],
      ['SORT', 'hs', 'BY', 'nosort', 'STORE', 'd'],
      ['SORT', 'z', 'BY', 'nosort', 'DESC'],
      ['SORT', 'nul', 'ALPHA', 'STORE', 'd'],
      ['SORT', 'missing', 'BY', 'nosort'],
      ['SORT', 'hs', 'LIMIT', 'x', '1'],
      ['SORT_RO', 'hs', 'BY', 'nosort', 'STORE', 'd'],
    ]) {
      expect([argv, plan(...argv)]).toEqual([argv, { before: RESET }]);
    }
  });

  it("compares a set's hash order as rows in any order, or by shape when LIMIT takes part of it", () => {
    const { plan } = planner();
    expect(plan('SORT', 'hs', 'BY', 'nosort')).toEqual({ before: RESET, policy: { kind: 'unordered', rows: 1 } });
    expect(plan('SORT_RO', 'hs', 'BY', 'nosort', 'GET', '#', 'GET', 'w_*')).toEqual({ before: RESET, policy: { kind: 'unordered', rows: 2 } });
    expect(plan('SORT', 'hs', 'BY', 'w_*', 'ALPHA', 'LIMIT', '0', '100')).toEqual({ before: RESET, policy: { kind: 'unordered', rows: 1 } });
    expect(plan('SORT', 'hs', 'BY', 'w_*', 'ALPHA', 'LIMIT', '1', '1')).toEqual({ before: RESET, policy: { kind: 'shape' } });
    expect(plan('SORT', 'z', 'BY', 'w_*', 'ALPHA')).toEqual({ before: RESET, policy: { kind: 'unordered', rows: 1 } });
    expect(plan('SORT', 'nul', 'ALPHA')).toEqual({ before: RESET, policy: { kind: 'unordered', rows: 1 } });
  });

  it('makes a stored result of undetermined order the same on both sides', () => {
    const { plan } = planner();
    expect(plan('SORT', 'hs', 'BY', 'w_*', 'ALPHA', 'STORE', 'd')).toEqual({ before: RESET, settle: ['SORT', 'd', 'ALPHA', 'STORE', 'd'] });
    expect(plan('SORT', 'z', 'BY', 'w_*', 'ALPHA', 'LIMIT', '0', '1', 'STORE', 'd')).toEqual({ before: RESET, settle: ['DEL', 'd'] });
  });
});

describe('unordered rows', () => {
  it('compare SORT … GET replies row by row', () => {
    const policy = { kind: 'unordered', rows: 2 } as const;
    expect(compareReplies(policy, arr('a', '1', 'b', '2'), arr('b', '2', 'a', '1'))).toBeNull();
    expect(compareReplies(policy, arr('a', '1', 'b', '2'), arr('a', '2', 'b', '1'))).not.toBeNull();
  });
});
