/**
 * The set generators' own parts, checked without a server: how SPOP's and SRANDMEMBER's random
 * replies are judged, how SPOP's removals are made the same on both sides, and the size guard.
 */
import { describe, expect, it } from 'vitest';
import { RANDOM_MEMBERS, RANDOM_POP, SET_COMMANDS } from './gen-sets.js';
import { canonicalMembers } from './type-values.js';

const bulk = (s: string): string => `$${Buffer.byteLength(s, 'latin1')}\r\n${s}\r\n`;
const arr = (...items: string[]): string => `*${items.length}\r\n${items.map(bulk).join('')}`;
const before = canonicalMembers(['a', 'b', 'c', '\xff']);
const check = RANDOM_MEMBERS.check;

describe('random replies are judged against the set as it was', () => {
  it('one member, or null for a missing key', () => {
    expect(check(['SRANDMEMBER', 's'], before, bulk('a'))).toBeNull();
    expect(check(['SRANDMEMBER', 's'], before, bulk('\xff'))).toBeNull();
    expect(check(['SRANDMEMBER', 's'], before, bulk('z'))).toMatch(/not a member/);
    expect(check(['SRANDMEMBER', 's'], before, '$-1\r\n')).toMatch(/null reply/);
    expect(check(['SPOP', 's'], null, '$-1\r\n')).toBeNull();
  });

  it('min(count, size) distinct members for a positive count', () => {
    expect(check(['SPOP', 's', '2'], before, arr('a', 'c'))).toBeNull();
    expect(check(['SPOP', 's', '2'], before, arr('a', 'a'))).toMatch(/twice/);
    expect(check(['SPOP', 's', '2'], before, arr('a'))).toMatch(/1 members, expected 2/);
    expect(check(['SPOP', 's', '9'], before, arr('a', 'b', 'c', '\xff'))).toBeNull();
    expect(check(['SPOP', 's', '9223372036854775807'], before, arr('a', 'b', 'c'))).toMatch(/expected 4/);
    expect(check(['SPOP', 's', '3'], null, '*0\r\n')).toBeNull();
    expect(check(['SPOP', 's', '0'], before, '*0\r\n')).toBeNull();
  });

  it('exactly -count members, repeats allowed, for a negative count', () => {
    expect(check(['SRANDMEMBER', 's', '-3'], before, arr('a', 'a', 'a'))).toBeNull();
    expect(check(['SRANDMEMBER', 's', '-3'], before, arr('a', 'a'))).toMatch(/expected 3/);
    expect(check(['SRANDMEMBER', 's', '-3'], before, arr('a', 'q', 'a'))).toMatch(/not a member/);
    expect(check(['SRANDMEMBER', 's', '-3'], null, '*0\r\n')).toBeNull();
  });
});

describe("SPOP's removals are made Redis' on Lodis", () => {
  it('puts back what Lodis popped and removes what Redis popped, when they differ', () => {
    expect(RANDOM_POP.reconcile!(['SPOP', 's', '2'], arr('a', 'b'), arr('b', 'a'))).toEqual([]);
    const fix = RANDOM_POP.reconcile!(['SPOP', 's', '2'], arr('a', '\xff'), arr('b', 'c'));
    expect(fix.map((argv) => argv.map((a) => (typeof a === 'string' ? a : Buffer.from(a).toString('latin1'))))).toEqual([
      ['SADD', 's', 'b', 'c'],
      ['SREM', 's', 'a', '\xff'],
    ]);
    expect(RANDOM_POP.reconcile!(['SPOP', 's'], bulk('a'), bulk('b')).length).toBe(2);
  });
});

describe('size guard', () => {
  const guard = SET_COMMANDS.find((c) => c.name === 'SRANDMEMBER')!.largeAllocation!;
  it('defuses huge negative SRANDMEMBER counts, not the ones Redis refuses', () => {
    expect(guard(['SRANDMEMBER', 's', '-9223372036854775807'])).toBe(2);
    expect(guard(['SRANDMEMBER', 's', '-100000'])).toBe(2);
    expect(guard(['SRANDMEMBER', 's', '-40'])).toBe(-1);
    expect(guard(['SRANDMEMBER', 's', '-9223372036854775808'])).toBe(-1); // an error in Redis
    expect(guard(['SRANDMEMBER', 's', '9223372036854775807'])).toBe(-1); // capped by the set's size
  });
});
