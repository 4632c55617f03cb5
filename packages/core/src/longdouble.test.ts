import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fixtureReply, type LongDoubleFixture } from '../../../scripts/record-longdouble-fixture.js';
import { ReplyError } from './errors.js';
import { ld2stringHuman, ldAdd, ldFormatFixed17, ldFromInt, string2ld } from './longdouble.js';
import { createStore } from './store.js';

const fixture = JSON.parse(readFileSync(new URL('./longdouble.fixture.json', import.meta.url), 'utf8')) as LongDoubleFixture;

describe('long double (x87 80-bit) emulation', () => {
  it(`replays ${fixture.cases.length} INCRBYFLOAT cases recorded from redis ${fixture.redis}`, () => {
    const store = createStore({ activeExpire: false });
    const failures: string[] = [];
    for (const [value, increment, expected] of fixture.cases) {
      store.execute('DEL', 'ldfx');
      if (value !== null) store.execute('SET', 'ldfx', value);
      const r = store.execute('INCRBYFLOAT', 'ldfx', increment);
      const actual = fixtureReply(r instanceof ReplyError ? `-${r.message}` : String(r));
      if (actual !== expected) failures.push(`${JSON.stringify([value, increment])}: redis ${expected}, lodis ${actual}`);
    }
    store.close();
    expect(failures.slice(0, 20), `${failures.length} cases differ`).toEqual([]);
  });

  it('parses as strtold does, with string2ld checks', () => {
    const text = (s: string) => {
      const v = string2ld(s);
      return v === null ? null : v.kind === 0 ? ldFormatFixed17(v) : v.neg ? '-inf' : 'inf';
    };
    expect(text('0x1p-2')).toBe('0.25000000000000000');
    expect(text('-0X.8P1')).toBe('-1.00000000000000000');
    expect(text('INFINITY')).toBe('inf');
    expect(text('-inf')).toBe('-inf');
    for (const bad of ['nan', ' 1', '1 ', '', '.', '1e', '0x', '0x1p', '1e-5000', '1.2e4932', 'infinit', '1\0']) {
      expect(text(bad), bad).toBe(null);
    }
    // Subnormals are accepted; only an underflow to zero is refused.
    expect(string2ld('0x1p-16445')).not.toBe(null);
    expect(string2ld('0x1p-16446')).toBe(null);
    expect(string2ld('0e-99999')).not.toBe(null);
    expect(string2ld('0'.repeat(5119) + '1')).toBe(null); // 5120 bytes: Redis' buffer limit
  });

  it('adds with one rounding to a 64-bit significand, ties to even', () => {
    const add = (a: string, b: string) => ld2stringHuman(ldAdd(string2ld(a)!, string2ld(b)!));
    // 2^64 + 1 is a tie between 2^64 and 2^64 + 2: to even.
    expect(add('18446744073709551616', '1')).toBe('18446744073709551616');
    expect(add('18446744073709551616', '3')).toBe('18446744073709551620');
    expect(add('0.1', '-0.1')).toBe('0');
    expect(ld2stringHuman(ldFromInt(-9223372036854775808n))).toBe('-9223372036854775808');
  });
});
