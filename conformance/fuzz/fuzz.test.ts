/**
 * The differential run's own parts, checked without a server: reply policies read from Redis'
 * tips, stream normalisation, the size guards, and that a seed always gives the same stream.
 */
import { describe, expect, it } from 'vitest';
import { splitArrayElements, splitReplies } from '../resp.js';
import { compareReplies, fullName, normalizePmessageRuns, normalizeUnsubscribeAll, policyOf } from './compare.js';
import { commandLine } from './format.js';
import { COMMANDS } from './generators.js';
import { Rng } from './rng.js';
import { Gen, type Arg } from './values.js';

const bulk = (s: string): string => `$${Buffer.byteLength(s)}\r\n${s}\r\n`;
const arr = (...items: string[]): string => `*${items.length}\r\n${items.join('')}`;
const spec = (name: string) => COMMANDS.find((c) => c.name === name && c.kind === undefined)!;

describe('reply policies come from the recorded tips', () => {
  it('reads nondeterministic_output and _order', () => {
    expect(policyOf('get').kind).toBe('exact');
    expect(policyOf('keys').kind).toBe('unordered');
    expect(policyOf('time').kind).toBe('shape');
    expect(policyOf('scan').kind).toBe('shape');
    expect(policyOf('ttl')).toMatchObject({ kind: 'tolerance', within: 1n });
    expect(policyOf('pttl')).toMatchObject({ kind: 'tolerance', within: 1000n });
    expect(policyOf(fullName(['PUBSUB', 'channels']))).toEqual({ kind: 'unordered' });
    expect(fullName(['PUBSUB', 'NumSub', 'a'])).toBe('pubsub|numsub');
  });

  it('compares under each policy', () => {
    expect(compareReplies(policyOf('ttl'), ':100\r\n', ':101\r\n')).toBeNull();
    expect(compareReplies(policyOf('ttl'), ':100\r\n', ':102\r\n')).toMatch(/differ by 2/);
    expect(compareReplies(policyOf('ttl'), ':-1\r\n', ':-2\r\n')).toBe('differ');
    expect(compareReplies(policyOf('keys'), arr(bulk('a'), bulk('b')), arr(bulk('b'), bulk('a')))).toBeNull();
    expect(compareReplies(policyOf('keys'), arr(bulk('a')), arr(bulk('b')))).not.toBeNull();
    expect(compareReplies(policyOf('time'), arr(bulk('1'), bulk('2')), arr(bulk('3'), bulk('44')))).toBeNull();
    expect(compareReplies(policyOf('time'), '-ERR x\r\n', '-ERR y\r\n')).toBe('differ');
    expect(compareReplies(policyOf('get'), bulk('a'), bulk('b'))).toBe('differ');
  });
});

describe('subscriber streams', () => {
  const pm = (pattern: string, ch: string, msg: string): string => arr(bulk('pmessage'), bulk(pattern), bulk(ch), bulk(msg));
  it('sorts the pmessages of one publish, not across publishes', () => {
    const a = [pm('b*', 'bx', '1'), pm('a*', 'bx', '1'), pm('b*', 'bx', '2')];
    const b = [pm('a*', 'bx', '1'), pm('b*', 'bx', '1'), pm('b*', 'bx', '2')];
    expect(normalizePmessageRuns(a)).toEqual(normalizePmessageRuns(b));
    expect(normalizePmessageRuns([pm('b*', 'bx', '2'), pm('b*', 'bx', '1')])).not.toEqual(
      normalizePmessageRuns([pm('b*', 'bx', '1'), pm('b*', 'bx', '2')]),
    );
  });

  it('keeps the counts of UNSUBSCRIBE-all in order while the names may come in any order', () => {
    const r = [`*3\r\n${bulk('unsubscribe')}${bulk('x')}:1\r\n`, `*3\r\n${bulk('unsubscribe')}${bulk('y')}:0\r\n`];
    const l = [`*3\r\n${bulk('unsubscribe')}${bulk('y')}:1\r\n`, `*3\r\n${bulk('unsubscribe')}${bulk('x')}:0\r\n`];
    expect(normalizeUnsubscribeAll(r)).toEqual(normalizeUnsubscribeAll(l));
  });

  it('splits replies in a row', () => {
    const s = `:1\r\n${arr(bulk('a'), '$-1\r\n')}+OK\r\n`;
    expect(splitReplies(s)).toEqual([':1\r\n', arr(bulk('a'), '$-1\r\n'), '+OK\r\n']);
    expect(splitArrayElements(arr(bulk('a'), ':2\r\n'))).toEqual([bulk('a'), ':2\r\n']);
  });
});

describe('size guards', () => {
  const check = (name: string, argv: Arg[]): number => spec(name).largeAllocation!(argv);

  it('catches offsets Redis would accept but that allocate hundreds of megabytes', () => {
    expect(check('SETBIT', ['SETBIT', 'k', '4294967295', '1'])).toBe(2);
    expect(check('SETBIT', ['SETBIT', 'k', '4294967296', '1'])).toBe(-1); // Redis refuses it
    expect(check('SETBIT', ['SETBIT', 'k', '4800', '1'])).toBe(-1);
    expect(check('SETRANGE', ['SETRANGE', 'k', '536870911', 'x'])).toBe(2);
    expect(check('SETRANGE', ['SETRANGE', 'k', '536870912', 'x'])).toBe(-1); // refused
    expect(check('SETRANGE', ['SETRANGE', 'k', '536870911', ''])).toBe(-1); // allocates nothing
    expect(check('BITFIELD', ['BITFIELD', 'k', 'INCRBY', 'u3', '#536870912', '1'])).toBe(4);
    expect(check('BITFIELD', ['BITFIELD', 'k', 'INCRBY', 'u8', '#536870912', '1'])).toBe(-1); // refused
    expect(check('BITFIELD', ['BITFIELD', 'k', 'SET', 'u8', '100', '1'])).toBe(-1);
  });
});

describe('the stream', () => {
  const stream = (seed: number): string[] => {
    const g = new Gen(new Rng(seed), 1_700_000_000);
    return Array.from({ length: 2000 }, () => {
      const s = g.pick(COMMANDS);
      return commandLine(s.argv ? s.argv(g) : [s.name, ...s.args!(g)]);
    });
  };

  it('is the same for the same seed, and differs between seeds', () => {
    expect(stream(42)).toEqual(stream(42));
    expect(stream(42)).not.toEqual(stream(43));
  });
});
