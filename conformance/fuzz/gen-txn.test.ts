/**
 * The transaction scripts and keyspace-event helpers of the differential run, checked without a
 * server: scripts never leave a session in MULTI or watching, queue only what may be queued, and
 * the event filters and EXEC's element-wise comparison do what the driver relies on.
 */
import { describe, expect, it } from 'vitest';
import { compareReplies } from './compare.js';
import { COMMANDS } from './generators.js';
import { isExpiredEvent, normalizeKeymissRuns } from './gen-notify.js';
import { transactionScript, txnEligible, type Picked } from './gen-txn.js';
import { Rng } from './rng.js';
import { Gen } from './values.js';

const bulk = (s: string): string => `$${Buffer.byteLength(s, 'latin1')}\r\n${s}\r\n`;
const pmessage = (channel: string, payload: string): string => `*4\r\n${bulk('pmessage')}${bulk('__key*__:*')}${bulk(channel)}${bulk(payload)}`;

describe('transaction scripts', () => {
  const rng = new Rng(7);
  const g = new Gen(rng, 1_700_000_000);
  const pick = (inMulti: boolean): Picked => {
    for (;;) {
      const spec = rng.weighted(COMMANDS.map((s) => [s.weight, s] as const));
      if (!txnEligible(spec, inMulti)) continue;
      return { spec, argv: spec.argv ? spec.argv(g) : [spec.name, ...spec.args!(g)] };
    }
  };

  it('end with UNWATCH, close every MULTI, and queue only eligible commands', () => {
    const endings = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const steps = transactionScript(g, pick, '0');
      const last = steps[steps.length - 1]!;
      expect(last.role).toBe('unwatch');
      let inMulti: 0 | 1 | null = null;
      for (const st of steps) {
        if (st.role === 'multi') inMulti = st.session;
        if (st.role === 'exec' || st.role === 'discard') {
          endings.add(`${st.role}${inMulti === null ? ' alone' : ''}`);
          if (inMulti !== null) expect(st.session).toBe(inMulti);
          inMulti = null;
        }
        if (st.role === 'queued') {
          expect(inMulti).toBe(st.session);
          expect(txnEligible(st.spec!, true)).toBe(true);
        }
        if (st.role === 'other' && st.spec) expect(txnEligible(st.spec, false)).toBe(true);
        // Only the other session runs commands while one is in MULTI (its own would be queued).
        if (st.role === 'other' && inMulti !== null && st.spec) expect(st.session).not.toBe(inMulti);
      }
      expect(inMulti).toBeNull();
    }
    expect([...endings].sort()).toEqual(['discard', 'discard alone', 'exec', 'exec alone']);
  });

  it('keep random replies, plans and blocking commands outside MULTI out', () => {
    const spop = COMMANDS.find((s) => s.name === 'SPOP')!;
    const sort = COMMANDS.find((s) => s.name === 'SORT')!;
    const blpop = COMMANDS.find((s) => s.name === 'BLPOP')!;
    expect(txnEligible(spop, true)).toBe(false);
    expect(txnEligible(sort, true)).toBe(false);
    expect(txnEligible(blpop, true)).toBe(true);
    expect(txnEligible(blpop, false)).toBe(false);
  });
});

describe("EXEC's array", () => {
  it('is compared element by element with each queued command policy', () => {
    const exec = { kind: 'exec', elements: [{ kind: 'exact' }, { kind: 'unordered' }] } as const;
    const a = `*2\r\n:1\r\n*2\r\n${bulk('a')}${bulk('b')}`;
    const b = `*2\r\n:1\r\n*2\r\n${bulk('b')}${bulk('a')}`;
    expect(compareReplies(exec, a, b)).toBeNull();
    expect(compareReplies(exec, a, `*2\r\n:2\r\n*2\r\n${bulk('b')}${bulk('a')}`)).toMatch(/element 1/);
    expect(compareReplies(exec, a, `*1\r\n:1\r\n`)).toMatch(/2 vs 1/);
    expect(compareReplies(exec, '*-1\r\n', a)).toBe('differ');
  });
});

describe('keyspace events', () => {
  it('expired events are recognised on both channel kinds', () => {
    expect(isExpiredEvent(pmessage('__keyevent@0__:expired', 'k'))).toBe(true);
    expect(isExpiredEvent(pmessage('__keyspace@3__:k', 'expired'))).toBe(true);
    expect(isExpiredEvent(pmessage('__keyspace@3__:expired', 'del'))).toBe(false);
    expect(isExpiredEvent(pmessage('__keyevent@0__:expire', 'k'))).toBe(false);
    expect(isExpiredEvent(`*3\r\n${bulk('message')}${bulk('__keyevent@0__:expired')}${bulk('k')}`)).toBe(true);
  });

  it('runs of key misses are compared as multisets, everything else in order', () => {
    const miss = (k: string): string[] => [pmessage(`__keyspace@0__:${k}`, 'keymiss'), pmessage('__keyevent@0__:keymiss', k)];
    const set = pmessage('__keyspace@0__:a', 'set');
    const one = normalizeKeymissRuns([set, ...miss('x'), ...miss('y'), set]);
    const two = normalizeKeymissRuns([set, ...miss('y'), ...miss('x'), set]);
    expect(one).toEqual(two);
    expect(normalizeKeymissRuns([set, ...miss('x')])).not.toEqual(normalizeKeymissRuns([...miss('x'), set]));
  });
});
