import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { DoubleFixture } from '../../../scripts/record-double-fixture.js';
import { decodeReply, ReplyError } from './index.js';
import { createStore } from './store.js';
import { double2ll, doubleFromReplyText, doubleReplyText, listpackScoreText, string2d, strtodRangeBound } from './double.js';

const fixture = JSON.parse(readFileSync(new URL('./double.fixture.json', import.meta.url), 'utf8')) as DoubleFixture;

describe('doubles as Redis reads and prints them', () => {
  it(`replays ${fixture.cases.length} score cases recorded from redis ${fixture.redis}`, () => {
    const store = createStore({ activeExpire: false });
    store.execute('ZADD', 'dfxr', '-inf', 'a', '0', 'b', 'inf', 'c');
    const long = 'x'.repeat(65);
    const text = (r: unknown): string => (r instanceof ReplyError ? `-${r.message}` : String(decodeReply(r as never)));
    const failures: string[] = [];
    for (const [input, zscore, zscan, zcount] of fixture.cases) {
      store.execute('DEL', 'dfxs', 'dfxl');
      const added = store.execute('ZADD', 'dfxs', input, long);
      const gotScore = added instanceof ReplyError ? text(added) : text(store.execute('ZSCORE', 'dfxs', long));
      store.execute('ZADD', 'dfxl', input, 'm');
      const page = (decodeReply(store.execute('ZSCAN', 'dfxl', 0)) as [string, string[]])[1];
      const gotScan = page.length === 2 ? page[1]! : '-';
      const gotCount = text(store.execute('ZCOUNT', 'dfxr', input, '+inf'));
      if (gotScore !== zscore || gotScan !== zscan || gotCount !== zcount) {
        failures.push(`${JSON.stringify(input)}: redis ${zscore} ${zscan} ${zcount}, lodis ${gotScore} ${gotScan} ${gotCount}`);
      }
      // The functions themselves, as the engine uses them.
      const v = string2d(input);
      const printed = v === null ? ['-ERR value is not a valid float', '-'] : [doubleReplyText(v), listpackScoreText(v)];
      const bound = strtodRangeBound(input.startsWith('(') ? input.slice(1) : input);
      // What the typed API reads back from the reply is the score itself.
      if (v !== null && !Object.is(doubleFromReplyText(zscore), v)) {
        failures.push(`${JSON.stringify(input)}: ${zscore} read back as ${doubleFromReplyText(zscore)}`);
      }
      if (printed[0] !== zscore || printed[1] !== zscan || (bound === null) !== zcount.startsWith('-')) {
        failures.push(`${JSON.stringify(input)} (double.ts): redis ${zscore} ${zscan} ${zcount}, lodis ${printed.join(' ')} ${bound}`);
      }
    }
    store.close();
    expect(failures.slice(0, 20), `${failures.length} cases differ`).toEqual([]);
  });

  it('double2ll: integral values within ±2^62 only, -0 as 0', () => {
    expect(double2ll(2 ** 62)).toBe(2 ** 62);
    expect(double2ll(-(2 ** 62))).toBe(-(2 ** 62));
    expect(double2ll(2 ** 62 + 1024)).toBe(null);
    expect(double2ll(1.5)).toBe(null);
    expect(Object.is(double2ll(-0), 0)).toBe(true);
    expect(double2ll(Infinity)).toBe(null);
    expect(double2ll(NaN)).toBe(null);
  });

  it('prints ties at 17 digits to even, as printf does (toExponential would round them up)', () => {
    expect(doubleReplyText(2 ** -25)).toBe('2.9802322387695312e-08');
    expect(doubleReplyText(1125899906842624.25)).toBe('1125899906842624.2');
    expect(doubleReplyText(1125899906842624.75)).toBe('1125899906842624.8');
    expect(doubleReplyText(-1125899906842624.25)).toBe('-1125899906842624.2');
    // Repeated formatting of the same value (a cache) gives the same text, -0 and 0 apart.
    for (let i = 0; i < 3; i++) {
      expect(doubleReplyText(0.1)).toBe('0.10000000000000001');
      expect(doubleReplyText(-0)).toBe('-0');
      expect(doubleReplyText(0)).toBe('0');
    }
  });
});
