/**
 * The differential run's stream commands (t_stream.c): XADD XRANGE XREVRANGE XLEN XDEL XTRIM
 * XSETID XREAD, and the consumer groups' XGROUP XREADGROUP XACK XPENDING XCLAIM XAUTOCLAIM XINFO.
 * XREAD and XREADGROUP with BLOCK are of kind 'blocking' (run inside MULTI on Redis, where they
 * never block: differential.ts runBlocking).
 *
 * Ids are explicit and keep growing through the run (a clock per key, moved on by every XADD to
 * it), so most XADDs succeed and reads, deletes, acks and claims name ids that exist; now and then
 * an id goes back, repeats, is 0-0, the largest there is, partial (`ms`, `ms-*`) or not an id at
 * all. Values are mostly short, sometimes hundreds of bytes, integers of every listpack width or
 * fields other than the node's master fields, so nodes close on 100 entries and on 4096 bytes
 * alike, and MAXLEN ~ / MINID ~ trim whole nodes. s0 and s1 are never deleted, replaced, trimmed
 * short or given an id no later XADD could follow: they grow to hundreds of entries and many
 * nodes; s2 and s3 take all of that.
 *
 * What the command does not determine:
 * - `XADD key *` takes the clock's ms: a stream whose last id lies a day ahead of the clock makes
 *   it that id's successor on both sides, so before such an XADD both sides move the stream's
 *   last id there (XSETID, starPlan) and delete the key after (no later id of the run's tick would
 *   fit it); on a missing key the reply is compared by shape and the new stream deleted after.
 * - Idle times and delivery times: compared within a tolerance (compare.ts). The idle thresholds
 *   (XCLAIM and XAUTOCLAIM min-idle-time, XPENDING IDLE) are 0, negative or an hour and more, and
 *   the delivery times XCLAIM sets (IDLE, TIME) are now or hours back, so which entries qualify
 *   never depends on how far apart the two servers ran.
 * - XAUTOCLAIM's COUNT decides an allocation of 16 bytes per id, which Redis refuses past its
 *   allocator's limit (machine-dependent): counts are small or past LONG_MAX/16 (refused anyway).
 */
import type { RedisObject } from '../../packages/core/src/object.js';
import type { StreamObject } from '../../packages/core/src/types/stream.js';
import type { CommandPlan, CommandSpec } from './generators.js';
import { DBS, Gen, INT64_EDGES, KEY_POOLS, type Arg } from './values.js';

const { stream } = KEY_POOLS;

const U64_MAX = '18446744073709551615';
/** A ms a day and more ahead of any clock this run meets (year 2286): `*` after it is determined. */
export const FUTURE_MS = 10_000_000_000_000;
const DAY_MS = 86_400_000;

// ---- ids -------------------------------------------------------------------------------------

/**
 * The run's id clocks, one per key (per Gen, so a seed always gives the same stream): each XADD
 * moves its key's clock on by 1 or 2 ms, so a key's entries lie densely on its clock and a recent
 * ms names an entry more often than not.
 */
const ticks = new WeakMap<Gen, Map<string, number>>();
const clockOf = (g: Gen): Map<string, number> => {
  let m = ticks.get(g);
  if (m === undefined) ticks.set(g, (m = new Map()));
  return m;
};
const keyName = (k: Arg): string => (typeof k === 'string' ? k : Buffer.from(k).toString('latin1'));
const tick = (g: Gen, k: Arg): number => clockOf(g).get(keyName(k)) ?? 1;
/** The next ms for an XADD to `k`: its clock, moved on by 1 or 2 (now and then not at all). */
const nextMs = (g: Gen, k: Arg): number => {
  const t = tick(g, k) + (g.chance(0.1) ? 0 : g.int(1, 2));
  clockOf(g).set(keyName(k), t);
  return t;
};
/** A ms one of the last XADDs to `k` may have had (mostly the last few, sometimes a hundred back). */
const recentMs = (g: Gen, k: Arg): number => Math.max(0, tick(g, k) - (g.chance(0.8) ? g.int(0, 12) : g.int(0, 200)));

const BAD_IDS: Arg[] = ['', 'x', '1-', '-1', '1-2-3', '1.5', ' 1', '1 ', '0x10', '18446744073709551616', `1-18446744073709551616`, '(', '((1', 'a-1', '1-a'];

/** An id naming an entry that may exist (seq 0 mostly, as XADD's ids have), or an edge. */
const entryId = (g: Gen, k: Arg): Arg =>
  g.rng.weighted<() => Arg>([
    [70, () => `${recentMs(g, k)}-0`],
    [10, () => `${recentMs(g, k)}-${g.int(1, 3)}`],
    [8, () => String(recentMs(g, k))],
    [4, () => g.pick(['0-0', '0', '0-1', `${U64_MAX}-${U64_MAX}`, `${tick(g, k) + 100}-0`])],
    [4, () => g.pick(['-', '+', `${recentMs(g, k)}-*`, '$', '>'])],
    [4, () => g.pick(BAD_IDS)],
  ])();

/** XADD's id: mostly new (ms-*, ms-seq, ms), sometimes one that goes back, an edge or junk. */
const xaddId = (g: Gen, k: Arg): Arg =>
  g.rng.weighted<() => Arg>([
    [40, () => `${nextMs(g, k)}-*`],
    [25, () => `${nextMs(g, k)}-${g.chance(0.8) ? g.int(0, 3) : g.pick([1000, 2 ** 32, 2 ** 40])}`],
    [12, () => String(nextMs(g, k))],
    [0.7, () => '*'],
    [6, () => `${recentMs(g, k)}-${g.int(0, 2)}`],
    [3, () => g.pick(['0-0', '0', '0-*', '0-1', `${tick(g, k)}-*`])],
    [0.4, () => g.pick([`${U64_MAX}-${U64_MAX}`, `${U64_MAX}-*`])],
    [3, () => g.pick([...BAD_IDS, '-', '+', '(1', '1-**'])],
  ])();

/** A range bound: -, +, an entry's id, ms only, exclusive, an edge. */
const bound = (g: Gen, k: Arg): Arg =>
  g.rng.weighted<() => Arg>([
    [20, () => g.pick(['-', '+'])],
    [35, () => `${recentMs(g, k)}-${g.chance(0.8) ? 0 : g.int(1, 3)}`],
    [15, () => String(recentMs(g, k))],
    [15, () => `(${g.chance(0.7) ? `${recentMs(g, k)}-0` : String(recentMs(g, k))}`],
    [10, () => g.pick(['0', '0-0', `(0-0`, `(${U64_MAX}-${U64_MAX}`, `${U64_MAX}-${U64_MAX}`, U64_MAX, '(-', '(+'])],
    [5, () => g.pick(BAD_IDS)],
  ])();

// ---- values ----------------------------------------------------------------------------------

const FIELDS: Arg[] = ['f', 'f', 'f', 'g', 'name', 'n', '', 'é', Uint8Array.of(0xff)];
/** Integers of every listpack width, and strings that only look like integers. */
const INTISH = ['0', '1', '127', '128', '-1', '4095', '-4096', '32767', '-32768', '8388607', '8388608', '2147483647', '-2147483649', '9223372036854775807', '-9223372036854775808', '9223372036854775808', '007', '-0', '+1', '1.0'];

const fieldValue = (g: Gen): Arg =>
  g.rng.weighted<() => Arg>([
    [45, () => String(g.int(-100, 1000))],
    [20, () => g.value()],
    [12, () => g.pick(INTISH)],
    [6, () => 'v'.repeat(g.int(50, 70))],
    [5, () => 'w'.repeat(g.int(150, 450))],
    [1, () => 'z'.repeat(g.int(1000, 4200))],
  ])();

/** field value pairs: mostly the same fields (the node's master fields), sometimes others. */
const fieldValues = (g: Gen): Arg[] => {
  if (g.chance(0.75)) return g.chance(0.7) ? ['f', fieldValue(g)] : ['f', fieldValue(g), 'g', fieldValue(g)];
  return Array.from({ length: g.int(1, 4) }, () => [g.pick(FIELDS), fieldValue(g)]).flat();
};

const smallCount = (g: Gen): string =>
  g.rng.weighted<() => string>([
    [70, () => String(g.int(1, 10))],
    [8, () => '0'],
    [8, () => String(g.int(11, 300))],
    [8, () => g.pick(['-1', '-5', ...INT64_EDGES.slice(0, 6)])],
    [6, () => g.pick(['x', '', '1.5', ' 1'])],
  ])();

// ---- trimming --------------------------------------------------------------------------------

/** A MAXLEN: mostly a few nodes' worth, so streams stay long enough for ~ to drop whole nodes. */
const maxlen = (g: Gen): string =>
  g.rng.weighted<() => string>([
    [50, () => String(g.int(50, 200))],
    [15, () => String(g.int(0, 50))],
    [15, () => String(g.int(200, 400))],
    [10, () => String(g.int(400, 2000))],
    [10, () => g.pick(['-1', '9223372036854775807', '9223372036854775808', '01', '+5'])],
    [5, () => g.pick(['x', '', '1.5'])],
  ])();

/** A MINID: an id some hundreds of XADDs back, now and then any id. */
const minid = (g: Gen, k: Arg): Arg => (g.chance(0.9) ? `${Math.max(0, tick(g, k) - g.int(20, 600))}-${g.chance(0.9) ? 0 : 1}` : entryId(g, k));

/** Whether trimming arguments would leave a stream short (a MAXLEN below 50, a recent MINID). */
const shortTrim = (args: readonly Arg[]): boolean => {
  for (let i = 0; i < args.length; i++) {
    const a = typeof args[i] === 'string' ? (args[i] as string).toLowerCase() : '';
    if (a !== 'maxlen' && a !== 'minid') continue;
    const v = args[i + 1] === '~' || args[i + 1] === '=' ? args[i + 2] : args[i + 1];
    const n = typeof v === 'string' ? parseInt(v, 10) : NaN;
    return Number.isNaN(n) || (a === 'maxlen' ? n < 50 : n > 0);
  }
  return false;
};

/** MAXLEN|MINID [=|~] threshold [LIMIT n]: mostly well formed, now and then not. */
const trimArgs = (g: Gen, k: Arg): Arg[] => {
  const approx = g.rng.weighted<() => Arg[]>([[40, () => []], [45, () => ['~']], [15, () => ['=']]])();
  const out: Arg[] = g.chance(0.65) ? [g.opt('MAXLEN'), ...approx, maxlen(g)] : [g.opt('MINID'), ...approx, minid(g, k)];
  if (g.chance(approx[0] === '~' ? 0.35 : 0.05)) out.push(g.opt('LIMIT'), g.chance(0.85) ? String(g.pick([0, 1, 50, 99, 100, 150, 200, 1000])) : g.pick(['-1', 'x']));
  return out;
};

// ---- XADD `*` ----------------------------------------------------------------------------------

/** The argument streamParseAddOrTrimArgsOrReply takes for XADD's id (its index), or -1. */
export function xaddIdIndex(argv: readonly Arg[]): number {
  const s = (a: Arg | undefined): string => (typeof a === 'string' ? a.toLowerCase() : '');
  for (let i = 2; i < argv.length; i++) {
    const opt = s(argv[i]);
    const moreargs = argv.length - 1 - i;
    if (argv[i] === '*') return i;
    if ((opt === 'maxlen' || opt === 'minid') && moreargs) {
      const next = argv[i + 1];
      if (moreargs >= 2 && (next === '~' || next === '=')) i++;
      i++;
    } else if (opt === 'limit' && moreargs) i++;
    else if (opt === 'nomkstream') continue;
    else return i;
  }
  return -1;
}

/**
 * XADD with `*`: determined on a stream whose last id is a day ahead of the clock; another
 * stream first gets such a last id on both sides (XSETID); a new stream gets whatever the clock
 * says, so the reply is compared by shape and the key deleted after.
 */
export function starPlan(argv: readonly Arg[], value: (key: Arg) => RedisObject | undefined): CommandPlan | null {
  const i = xaddIdIndex(argv);
  if (i < 0 || argv.length < 2) return null;
  const key = argv[1]!;
  if (argv[i] !== '*') return poisonPlan(key, argv[i]!);
  const v = value(key);
  if (v === undefined) {
    const nomkstream = argv.slice(2, i).some((a) => typeof a === 'string' && a.toLowerCase() === 'nomkstream');
    return nomkstream ? null : { policy: { kind: 'shape' }, settle: ['DEL', key] };
  }
  if ((v as { type?: string }).type !== 'stream') return null;
  const last = (v as StreamObject).lastId;
  if (Number(last.ms) >= Date.now() + DAY_MS) return null;
  // Then the key goes: its ids would be past every id the run's tick gives for the rest of it.
  return { before: ['XSETID', key, `${FUTURE_MS}-0`], settle: ['DEL', key] };
}

/** Past any ms the run's clocks reach (they move by 2 at most per command). */
const FAR_MS = 100_000_000;

/**
 * An id far past the run's clocks (a mutated argument: a long-lived key never gets one on
 * purpose) would leave no room for later XADDs on that key: a long-lived key is then deleted after
 * the command, on both sides.
 */
function poisonPlan(key: Arg, id: Arg): CommandPlan | null {
  if (!isLongLived(key) || typeof id !== 'string') return null;
  const ms = /^\s*\+?([0-9]+)/.exec(id);
  return ms !== null && Number(ms[1]) > FAR_MS ? { settle: ['DEL', key] } : null;
}

// ---- consumer groups ---------------------------------------------------------------------------

const GROUPS: Arg[] = ['g1', 'g2', '', 'G0', Uint8Array.of(0xff)];
const CONSUMERS: Arg[] = ['c0', 'c0', 'c1', 'c1', 'c2', 'c3', '', 'C0', 'é', Uint8Array.of(0xff, 0x00)];
/** A group: mostly g0 (so groups live long enough to matter), others now and then. */
const group = (g: Gen): Arg => (g.chance(0.82) ? 'g0' : g.chance(0.9) ? g.pick(GROUPS) : g.pick(['nogroup', 'g9']));
const consumer = (g: Gen): Arg => g.pick(CONSUMERS);

/** ENTRIESREAD's value: small, -1, the stream's scale, refused or huge. */
const entriesRead = (g: Gen, k: Arg): string =>
  g.rng.weighted<() => string>([
    [50, () => String(g.int(0, 20))],
    [20, () => '-1'],
    [15, () => String(g.int(20, tick(g, k) + 50))],
    [10, () => g.pick(['-2', 'x', '', '9223372036854775807', '9223372036854775808'])],
  ])();

/** A group's start id: $, 0, an entry's id, now and then an edge or junk. */
const groupId = (g: Gen, k: Arg): Arg =>
  g.rng.weighted<() => Arg>([
    [35, () => '$'],
    [30, () => '0'],
    [25, () => `${recentMs(g, k)}-0`],
    [10, () => g.pick(['-', '+', `${U64_MAX}-${U64_MAX}`, `${tick(g, k) + 50}-0`, ...BAD_IDS.slice(0, 4)])],
  ])();

/**
 * An idle threshold whose outcome does not depend on when each server ran: 0, negative, or an
 * hour and more (fresh deliveries are seconds old; XCLAIM's IDLE and TIME put others hours back).
 */
const minIdle = (g: Gen): string =>
  g.rng.weighted<() => string>([
    [55, () => '0'],
    [25, () => g.pick(['3600000', '7200000', '100000000000'])],
    [10, () => g.pick(['-1', '-1000', '9223372036854775807', '-9223372036854775808'])],
    [5, () => g.pick(['x', '', '1.5', '1e3'])],
  ])();

/** XCLAIM's IDLE: now (0), hours back, or values the server clamps to now. */
const claimIdle = (g: Gen): string =>
  g.chance(0.93)
    ? g.pick(['0', '10800000', '10800000', '1000000000', '-5', '99999999999999', '9223372036854775807', '-9223372036854775808'])
    : g.pick(['x', '1.5', '']);

/** XCLAIM's TIME: hours back, the epoch, or the future and negatives (clamped to now). */
const claimTime = (g: Gen): string =>
  g.chance(0.93)
    ? g.pick([String((g.t0 - 10_800) * 1000), String((g.t0 - 1_000_000) * 1000), '0', '1', '-1', String((g.t0 + 100_000_000) * 1000), '9223372036854775807'])
    : g.pick(['x', '1.5', '']);

const xclaimOptions = (g: Gen, k: Arg): Arg[] =>
  g.options([
    () => [g.opt('IDLE'), claimIdle(g)],
    () => [g.opt('TIME'), claimTime(g)],
    () => [g.opt('RETRYCOUNT'), g.chance(0.9) ? String(g.pick([0, 1, 2, 5, 100, -1])) : g.pick(['9223372036854775807', 'x'])],
    () => [g.opt('FORCE')],
    () => [g.opt('JUSTID')],
    () => [g.opt('JUSTID')],
    () => [g.opt('LASTID'), g.chance(0.9) ? `${recentMs(g, k) + g.int(0, 30)}-0` : entryId(g, k)],
  ], 0, 3);

const ids = (g: Gen, k: Arg, min: number, max: number): Arg[] => Array.from({ length: g.int(min, max) }, () => entryId(g, k));
/** Ids for XCLAIM: ids that fail to parse end the list (the rest are options), so mostly good ones. */
const claimIds = (g: Gen, k: Arg): Arg[] => Array.from({ length: g.int(1, 4) }, () => (g.chance(0.95) ? `${recentMs(g, k)}-0` : entryId(g, k)));
/** s2 and s3; s0 and s1 are never emptied or replaced, so they grow long (many nodes). */
const SHORT_LIVED = stream.slice(2);
const isLongLived = (k: Arg): boolean => k === stream[0] || k === stream[1];
/**
 * A key for commands that empty or replace a stream, or leave no room for the run's ids (DEL,
 * RENAME, COPY, MOVE, a small MAXLEN, a recent MINID, `*`, the largest ids): s2 or s3, sometimes
 * another family's key.
 */
const shortKey = (g: Gen): Arg => (g.chance(0.9) ? g.pick(stream.slice(2)) : g.key(SHORT_LIVED));
/** A key for the group commands: mostly a stream key (groups live there), sometimes any. */
const skey = (g: Gen): Arg => (g.chance(0.85) ? g.pick(stream) : g.key(stream));

/** XREAD / XREADGROUP's STREAMS part: keys, then as many ids (now and then one fewer). */
const streamsPart = (g: Gen, id: (g: Gen, k: Arg) => Arg, key: (g: Gen) => Arg): Arg[] => {
  const keys = Array.from({ length: g.chance(0.8) ? 1 : g.int(2, 3) }, () => key(g));
  const out: Arg[] = [g.opt('STREAMS'), ...keys, ...keys.map((k) => id(g, k))];
  if (g.chance(0.02)) out.pop();
  return out;
};
const xreadId = (g: Gen, k: Arg): Arg => (g.chance(0.3) ? '$' : g.chance(0.3) ? '0' : entryId(g, k));
const xreadgroupId = (g: Gen, k: Arg): Arg => (g.chance(0.7) ? '>' : g.chance(0.5) ? '0' : entryId(g, k));

const blockTimeout = (g: Gen): string => (g.chance(0.9) ? g.pick(['0', '0', '10', '1000']) : g.pick(['-1', 'x', '1.5']));

const xreadArgs = (g: Gen, block: boolean): Arg[] => [
  ...g.options([() => [g.opt('COUNT'), smallCount(g)]], 0, 1),
  ...(block ? [g.opt('BLOCK'), blockTimeout(g)] : []),
  ...(g.chance(0.02) ? [g.pick(['NOACK', 'GROUP'])] : []),
  ...streamsPart(g, xreadId, (x) => x.key(stream)),
];

/** XREADGROUP's options in any order (GROUP now and then missing), then STREAMS. */
const xreadgroupArgs = (g: Gen, block: boolean): Arg[] => {
  const opts: Arg[][] = [];
  if (g.chance(0.98)) opts.push([g.opt('GROUP'), group(g), consumer(g)]);
  if (g.chance(0.4)) opts.push([g.opt('COUNT'), smallCount(g)]);
  if (g.chance(0.2)) opts.push([g.opt('NOACK')]);
  if (block) opts.push([g.opt('BLOCK'), blockTimeout(g)]);
  return [...g.rng.shuffle(opts).flat(), ...streamsPart(g, xreadgroupId, skey)];
};

const xpendingArgs = (g: Gen): Arg[] => {
  const k = skey(g);
  const base: Arg[] = [k, group(g)];
  if (g.chance(0.35)) return base;
  const idle = g.chance(0.25) ? [g.opt('IDLE'), minIdle(g)] : [];
  return [...base, ...idle, bound(g, k), bound(g, k), smallCount(g), ...(g.chance(0.4) ? [consumer(g)] : [])];
};

/** XAUTOCLAIM's COUNT: small, or refused (0, negative, junk, past LONG_MAX/16). */
const autoclaimCount = (g: Gen): string =>
  g.chance(0.9) ? String(g.pick([1, 2, 3, 5, 10, 100, 1000])) : g.pick(['0', '-1', 'x', '576460752303423488', '9223372036854775807']);

const xinfoArgs = (g: Gen): Arg[] =>
  g.rng.weighted<() => Arg[]>([
    [40, () => [g.opt('STREAM'), g.key(stream)]],
    [25, () => [g.opt('STREAM'), g.key(stream), g.opt('FULL'), ...(g.chance(0.5) ? [g.opt('COUNT'), g.chance(0.9) ? String(g.int(-1, 5)) : g.pick(['x', '100'])] : [])]],
    [20, () => [g.opt('GROUPS'), g.key(stream)]],
    [20, () => [g.opt('CONSUMERS'), skey(g), group(g)]],
    [2, () => [g.opt('HELP')]],
    [3, () => [g.pick(['STREAM', 'GROUPS', 'FOO']), g.key(stream), g.pick(['FULL', 'x', 'COUNT'])]],
  ])();

export const STREAM_COMMANDS: readonly CommandSpec[] = [
  {
    name: 'XADD', family: 'streams', weight: 18, plan: starPlan,
    args: (g) => {
      const k = g.key(stream);
      for (let tries = 0; ; tries++) {
        const opts = g.chance(0.75) ? [] : g.options([() => trimArgs(g, k), () => [g.opt('NOMKSTREAM')]], 1, g.chance(0.8) ? 1 : 2);
        const id = xaddId(g, k);
        // Not on the long-lived keys: `*` (starPlan deletes the key after), the largest ids (no
        // id fits after them), short trims.
        const poisons = shortTrim(opts) || id === '*' || (typeof id === 'string' && id.startsWith(U64_MAX));
        if (!poisons || !isLongLived(k) || tries > 20) return [k, ...opts, id, ...(g.chance(0.99) ? fieldValues(g) : [g.pick(FIELDS)])];
      }
    },
  },
  { name: 'XLEN', family: 'streams', weight: 1.5, args: (g) => [g.key(stream)] },
  {
    name: 'XRANGE', family: 'streams', weight: 4,
    args: (g) => {
      const k = g.key(stream);
      return [k, bound(g, k), bound(g, k), ...(g.chance(0.4) ? [g.opt('COUNT'), smallCount(g)] : [])];
    },
  },
  {
    name: 'XREVRANGE', family: 'streams', weight: 2.5,
    args: (g) => {
      const k = g.key(stream);
      return [k, bound(g, k), bound(g, k), ...(g.chance(0.4) ? [g.opt('COUNT'), smallCount(g)] : [])];
    },
  },
  {
    name: 'XDEL', family: 'streams', weight: 2.5,
    args: (g) => {
      const k = g.key(stream);
      return [k, ...ids(g, k, 1, 4)];
    },
  },
  {
    name: 'XTRIM', family: 'streams', weight: 1.5,
    args: (g) => {
      const k = g.key(stream);
      for (let tries = 0; ; tries++) {
        const trim = trimArgs(g, k);
        if (!shortTrim(trim) || !isLongLived(k) || tries > 20) return [k, ...trim];
      }
    },
  },
  {
    name: 'XSETID', family: 'streams', weight: 1,
    plan: (argv) => (argv.length > 2 ? poisonPlan(argv[1]!, argv[2]!) : null),
    args: (g) => {
      const k = g.key(stream);
      return [
        k,
        g.chance(0.85) || isLongLived(k) ? `${tick(g, k) + g.int(-3, 2)}-${g.int(0, 2)}` : entryId(g, k),
        ...g.options([
          () => [g.opt('ENTRIESADDED'), g.chance(0.85) ? String(g.int(0, tick(g, k) + 100)) : g.pick(['-1', 'x'])],
          () => [g.opt('MAXDELETEDID'), g.chance(0.85) ? `${recentMs(g, k)}-0` : entryId(g, k)],
        ], 0, 2),
      ];
    },
  },
  { name: 'XREAD', family: 'streams', weight: 3, args: (g) => xreadArgs(g, false) },
  { name: 'XREAD', family: 'streams', weight: 1, kind: 'blocking', args: (g) => xreadArgs(g, true) },

  // ---- consumer groups ---------------------------------------------------------------------
  {
    name: 'XGROUP', family: 'streams', weight: 5,
    args: (g) => {
      const k = skey(g);
      return g.rng.weighted<() => Arg[]>([
        [60, () => [g.opt('CREATE'), k, group(g), groupId(g, k), ...g.options([() => [g.opt('MKSTREAM')], () => [g.opt('MKSTREAM')], () => [g.opt('ENTRIESREAD'), entriesRead(g, k)]], 0, 2)]],
        [20, () => [g.opt('SETID'), k, group(g), groupId(g, k), ...(g.chance(0.4) ? [g.opt('ENTRIESREAD'), entriesRead(g, k)] : [])]],
        [15, () => [g.opt('CREATECONSUMER'), k, group(g), consumer(g)]],
        [12, () => [g.opt('DELCONSUMER'), k, group(g), consumer(g)]],
        [5, () => [g.opt('DESTROY'), k, group(g)]],
        [1, () => [g.opt('HELP')]],
        [2, () => [g.pick(['FOO', 'CREATE', 'SETID']), k]],
      ])();
    },
  },
  { name: 'XREADGROUP', family: 'streams', weight: 7, args: (g) => xreadgroupArgs(g, false) },
  { name: 'XREADGROUP', family: 'streams', weight: 1.5, kind: 'blocking', args: (g) => xreadgroupArgs(g, true) },
  {
    name: 'XACK', family: 'streams', weight: 4,
    args: (g) => {
      const k = skey(g);
      return [k, group(g), ...ids(g, k, 1, 4)];
    },
  },
  { name: 'XPENDING', family: 'streams', weight: 3, args: (g) => xpendingArgs(g) },
  {
    name: 'XCLAIM', family: 'streams', weight: 3.5,
    args: (g) => {
      const k = skey(g);
      return [k, group(g), consumer(g), minIdle(g), ...claimIds(g, k), ...xclaimOptions(g, k)];
    },
  },
  {
    name: 'XAUTOCLAIM', family: 'streams', weight: 2.5,
    args: (g) => {
      const k = skey(g);
      return [
        k, group(g), consumer(g), minIdle(g), g.chance(0.8) ? g.pick(['0', '-', `${recentMs(g, k)}-0`]) : bound(g, k),
        ...g.options([() => [g.opt('COUNT'), autoclaimCount(g)], () => [g.opt('JUSTID')]], 0, 2),
      ];
    },
  },
  { name: 'XINFO', family: 'streams', weight: 3, args: (g) => xinfoArgs(g) },

  // ---- generic commands on stream keys -----------------------------------------------------
  { name: 'COPY', family: 'streams', weight: 0.4, args: (g) => [g.key(stream), shortKey(g), ...(g.chance(0.3) ? [g.opt('DB'), g.db()] : []), ...(g.chance(0.5) ? [g.opt('REPLACE')] : [])] },
  { name: 'RENAME', family: 'streams', weight: 0.3, args: (g) => [shortKey(g), shortKey(g)] },
  { name: 'MOVE', family: 'streams', weight: 0.2, args: (g) => [shortKey(g), g.pick(DBS)] },
  { name: 'DEL', family: 'streams', weight: 0.4, args: (g) => [shortKey(g), ...(g.chance(0.3) ? [shortKey(g)] : [])] },
  { name: 'TYPE', family: 'streams', weight: 0.2, args: (g) => [g.key(stream)] },
];
