/**
 * Keyspace notifications (notify.c). Handlers call notifyKeyspaceEvent exactly where Redis does;
 * whether anything is published depends on `notify-keyspace-events` (off by default, as in Redis).
 */
export const NOTIFY_KEYSPACE = 1 << 0; /* K */
export const NOTIFY_KEYEVENT = 1 << 1; /* E */
export const NOTIFY_GENERIC = 1 << 2; /* g */
export const NOTIFY_STRING = 1 << 3; /* $ */
export const NOTIFY_LIST = 1 << 4; /* l */
export const NOTIFY_SET = 1 << 5; /* s */
export const NOTIFY_HASH = 1 << 6; /* h */
export const NOTIFY_ZSET = 1 << 7; /* z */
export const NOTIFY_EXPIRED = 1 << 8; /* x */
export const NOTIFY_EVICTED = 1 << 9; /* e */
export const NOTIFY_STREAM = 1 << 10; /* t */
export const NOTIFY_KEY_MISS = 1 << 11; /* m (excluded from A) */
export const NOTIFY_LOADED = 1 << 12; /* module only */
export const NOTIFY_MODULE = 1 << 13; /* d */
export const NOTIFY_NEW = 1 << 14; /* n (excluded from A) */
export const NOTIFY_ALL =
  NOTIFY_GENERIC | NOTIFY_STRING | NOTIFY_LIST | NOTIFY_SET | NOTIFY_HASH | NOTIFY_ZSET | NOTIFY_EXPIRED |
  NOTIFY_EVICTED | NOTIFY_STREAM | NOTIFY_MODULE; /* A */

const FLAG_CHARS: [string, number][] = [
  ['g', NOTIFY_GENERIC],
  ['$', NOTIFY_STRING],
  ['l', NOTIFY_LIST],
  ['s', NOTIFY_SET],
  ['h', NOTIFY_HASH],
  ['z', NOTIFY_ZSET],
  ['x', NOTIFY_EXPIRED],
  ['e', NOTIFY_EVICTED],
  ['K', NOTIFY_KEYSPACE],
  ['E', NOTIFY_KEYEVENT],
  ['t', NOTIFY_STREAM],
  ['m', NOTIFY_KEY_MISS],
  ['d', NOTIFY_MODULE],
  ['n', NOTIFY_NEW],
];

/** keyspaceEventsStringToFlags: -1 when the string has an unknown flag. */
export function keyspaceEventsStringToFlags(s: string): number {
  let flags = 0;
  for (const ch of s) {
    if (ch === 'A') flags |= NOTIFY_ALL;
    else {
      const f = FLAG_CHARS.find(([c]) => c === ch);
      if (!f) return -1;
      flags |= f[1];
    }
  }
  return flags;
}

/** The classes keyspaceEventsFlagsToString spells out when not all of A is set, in its order. */
const CLASS_CHARS: [string, number][] = [
  ['g', NOTIFY_GENERIC],
  ['$', NOTIFY_STRING],
  ['l', NOTIFY_LIST],
  ['s', NOTIFY_SET],
  ['h', NOTIFY_HASH],
  ['z', NOTIFY_ZSET],
  ['x', NOTIFY_EXPIRED],
  ['e', NOTIFY_EVICTED],
  ['t', NOTIFY_STREAM],
  ['d', NOTIFY_MODULE],
  ['n', NOTIFY_NEW],
];

/**
 * keyspaceEventsFlagsToString, in Redis' order. As in Redis 7.0, `n` is printed only with the
 * classes spelled out: with all of A set it is dropped from the string (though still in effect).
 */
export function keyspaceEventsFlagsToString(flags: number): string {
  let s = '';
  if ((flags & NOTIFY_ALL) === NOTIFY_ALL) s += 'A';
  else for (const [c, f] of CLASS_CHARS) if (flags & f) s += c;
  if (flags & NOTIFY_KEYSPACE) s += 'K';
  if (flags & NOTIFY_KEYEVENT) s += 'E';
  if (flags & NOTIFY_KEY_MISS) s += 'm';
  return s;
}
