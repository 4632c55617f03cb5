import { describe, expect, it } from 'vitest';
import { stringmatchlen } from './util.js';

// [pattern, string, match, match with nocase] — byte strings. The expected values were obtained
// from Redis 7.0.15's own util.c stringmatchlen, compiled, including its quirks.
const CASES: [string, string, boolean, boolean][] = [
  ['*', '', false, false], // `*` alone never matches the empty string
  ['**', '', false, false],
  ['', '', true, true],
  ['?', '', false, false],
  ['*', 'a', true, true],
  ['a*', 'a', true, true],
  ['*a', 'a', true, true],
  ['h?llo', 'hello', true, true],
  ['h*llo', 'heeeello', true, true],
  ['h[ae]llo', 'hallo', true, true],
  ['h[^e]llo', 'hello', false, false],
  ['h[^e]llo', 'hallo', true, true],
  ['h[a-b]llo', 'hbllo', true, true],
  ['h[b-a]llo', 'hbllo', true, true], // reversed range
  ['[a-]', ']', true, true], // a range from 'a' to ']'
  ['[a-]', 'b', false, false],
  ['[a-]', '-', false, false],
  ['[', '[', false, false], // unterminated class
  ['[^', 'x', true, true],
  ['[^', '', false, false],
  ['[\\', '\\', true, true],
  ['[a\\]b]', ']', true, true],
  ['[a\\]b]', 'b', true, true],
  ['\\*', '*', true, true],
  ['\\*', 'a', false, false],
  ['\\', '\\', true, true], // a trailing backslash is literal
  ['a\\', 'a\\', true, true],
  ['*\\', 'x\\', true, true],
  ['[]]', ']', false, false], // `[]` is an empty class
  ['[]a]', 'a', false, false],
  ['[!a]', 'b', false, false], // `!` is not negation
  ['[A-Z]', 'q', false, true],
  ['[a-z]', 'Q', false, true],
  ['[Z-a]', '_', true, false], // nocase folds the range ends
  ['x[a-', 'xa', true, true],
  ['x[a-', 'x-', true, true],
  ['*[a-', 'bb', false, false],
  // Bytes >= 0x80 are signed chars in range comparisons.
  ['[a-\xff]', '\xff', true, true],
  ['[a-\xff]', 'b', false, false],
  ['[a-\xff]', '\x00', true, true],
  ['[\x80-\xff]', '\x90', true, true],
  ['[\x80-\xff]', 'a', false, false],
  ['[\x01-\x90]', '\xa0', true, true],
  ['\xc3*', '\xc3\xa9', true, true], // UTF-8 bytes
];

describe('stringmatchlen', () => {
  it('matches as Redis does, quirks included', () => {
    for (const [pattern, s, exact, nocase] of CASES) {
      expect([pattern, s, stringmatchlen(pattern, s)]).toEqual([pattern, s, exact]);
      expect([pattern, s, 'nocase', stringmatchlen(pattern, s, true)]).toEqual([pattern, s, 'nocase', nocase]);
    }
  });

  it('stays polynomial on adversarial patterns', () => {
    // Naive backtracking takes C(n, k) steps here (n = 5000, k = 30): it would never finish.
    const s = 'a'.repeat(5000);
    expect(stringmatchlen('a*'.repeat(30) + 'b', s)).toBe(false);
    expect(stringmatchlen('*a'.repeat(30) + '*', s)).toBe(true);
    expect(stringmatchlen('*?'.repeat(200) + '*b', s)).toBe(false);
    expect(stringmatchlen('[a]*'.repeat(100) + '[b]', s)).toBe(false);
  });

  it('needs no recursion depth for very long patterns', () => {
    const pattern = '*a'.repeat(100_000) + '*';
    expect(stringmatchlen(pattern, 'a'.repeat(100_000))).toBe(true);
    expect(stringmatchlen(pattern, 'a'.repeat(99_999))).toBe(false);
  });
});
