/**
 * Which arguments of a command are keys (db.c getKeysFromCommandWithSpecs), read from the key
 * specs recorded from Redis in the command table, with Redis' own fallbacks (the getkeys_proc of
 * SET, BITFIELD, SORT, SORT_RO) where a spec cannot say: its flags vary with the arguments, or it
 * is `unknown`. COMMAND GETKEYS and GETKEYSANDFLAGS answer from it.
 */
import type { RedisCommand } from './commands.js';
import { argIs, argLatin1, type Arg } from './sds.js';
import { string2ll } from './util.js';

/** A key argument: its index in argv and its key-spec flags (`RW`, `access` …, in Redis' order). */
export interface KeyReference {
  readonly pos: number;
  readonly flags: readonly string[];
}

/** A key spec as getKeysUsingKeySpecs reads it. */
interface KeySpec {
  readonly flags: readonly string[];
  readonly begin: { type: 'index'; pos: number } | { type: 'keyword'; keyword: string; startfrom: number } | { type: 'unknown' };
  readonly find:
    | { type: 'range'; lastkey: number; keystep: number; limit: number }
    | { type: 'keynum'; keynumidx: number; firstkey: number; keystep: number }
    | { type: 'unknown' };
}

const specCache = new WeakMap<RedisCommand, KeySpec[]>();

/** The command's key specs, decoded once from its COMMAND INFO entry. */
function keySpecsOf(cmd: RedisCommand): KeySpec[] {
  let specs = specCache.get(cmd);
  if (specs !== undefined) return specs;
  specs = (cmd.info[8] as unknown[][]).map((raw) => {
    const m = new Map<string, unknown>();
    for (let i = 0; i < raw.length; i += 2) m.set(raw[i] as string, raw[i + 1]);
    const flags = (m.get('flags') as string[]).map((f) => f.replace(/^\+/, ''));
    const [, bType, , b] = m.get('begin_search') as [string, string, string, unknown[]];
    const [, fType, , f] = m.get('find_keys') as [string, string, string, unknown[]];
    const begin: KeySpec['begin'] =
      bType === 'index'
        ? { type: 'index', pos: b[1] as number }
        : bType === 'keyword'
          ? { type: 'keyword', keyword: b[1] as string, startfrom: b[3] as number }
          : { type: 'unknown' };
    const find: KeySpec['find'] =
      fType === 'range'
        ? { type: 'range', lastkey: f[1] as number, keystep: f[3] as number, limit: f[5] as number }
        : fType === 'keynum'
          ? { type: 'keynum', keynumidx: f[1] as number, firstkey: f[3] as number, keystep: f[5] as number }
          : { type: 'unknown' };
    return { flags, begin, find };
  });
  specCache.set(cmd, specs);
  return specs;
}

/** doesCommandHaveKeys: a key spec that is not `not_key`, or a getkeys_proc. */
export function doesCommandHaveKeys(cmd: RedisCommand): boolean {
  return GETKEYS_PROCS[cmd.fullname] !== undefined || keySpecsOf(cmd).some((s) => !s.flags.includes('not_key'));
}

/** getKeysUsingKeySpecs: the keys, or null where a spec is invalid or incomplete for these arguments. */
function getKeysUsingKeySpecs(cmd: RedisCommand, argv: Arg[]): KeyReference[] | null {
  const argc = argv.length;
  const keys: KeyReference[] = [];
  for (const spec of keySpecsOf(cmd)) {
    if (spec.flags.includes('not_key')) continue;
    let first = 0;
    const b = spec.begin;
    if (b.type === 'index') first = b.pos;
    else if (b.type === 'keyword') {
      const start = b.startfrom > 0 ? b.startfrom : argc + b.startfrom;
      const end = b.startfrom > 0 ? argc - 1 : 1;
      for (let i = start; i !== end; i = start <= end ? i + 1 : i - 1) {
        if (i >= argc || i < 1) break;
        if (argIs(argv[i]!, b.keyword.toLowerCase())) {
          first = i + 1;
          break;
        }
      }
      if (!first) continue; // keyword not found
    } else return null;
    let last: number;
    let step: number;
    const f = spec.find;
    if (f.type === 'range') {
      step = f.keystep;
      if (f.lastkey >= 0) last = first + f.lastkey;
      else if (!f.limit) last = argc + f.lastkey;
      else last = first + (Math.trunc((argc - first) / f.limit) + f.lastkey);
    } else if (f.type === 'keynum') {
      step = f.keystep;
      if (f.keynumidx >= argc) return null;
      const numkeys = string2ll(argLatin1(argv[first + f.keynumidx] ?? ''));
      if (numkeys === null || numkeys < 0) return null;
      first += f.firstkey;
      last = first + Number(numkeys) - 1;
    } else return null;
    if (last >= argc || last < first || first >= argc) return null;
    for (let i = first; i <= last; i += step) {
      if (i >= argc || i < first) continue; // a variadic command with too few arguments
      keys.push({ pos: i, flags: spec.flags });
    }
    if (spec.flags.includes('incomplete')) return null;
  }
  return keys;
}

/** setGetKeys: the key, read-write with GET, else overwritten. */
function setGetKeys(argv: Arg[]): KeyReference[] {
  for (let i = 3; i < argv.length; i++) if (argIs(argv[i]!, 'get')) return [{ pos: 1, flags: ['RW', 'access', 'update'] }];
  return [{ pos: 1, flags: ['OW', 'update'] }];
}

/** bitfieldGetKeys: read-only when every operation is a GET (or OVERFLOW). */
function bitfieldGetKeys(argv: Arg[]): KeyReference[] {
  let readonly = true;
  for (let i = 2; i < argv.length; i++) {
    const rem = argv.length - i - 1;
    const a = argv[i]!;
    if (argIs(a, 'get') && rem >= 2) i += 2;
    else if ((argIs(a, 'set') || argIs(a, 'incrby')) && rem >= 3) {
      readonly = false;
      break;
    } else if (argIs(a, 'overflow') && rem >= 1) i += 1;
    else {
      readonly = false; // a syntax error: assume it writes
      break;
    }
  }
  return [{ pos: 1, flags: readonly ? ['RO', 'access'] : ['RW', 'access', 'update'] }];
}

/** sortGetKeys: the sorted key, and the last STORE's destination (LIMIT, GET and BY skip their arguments). */
function sortGetKeys(argv: Arg[]): KeyReference[] {
  const keys: KeyReference[] = [{ pos: 1, flags: ['RO', 'access'] }];
  let store: KeyReference | null = null;
  const skips: [string, number][] = [['limit', 2], ['get', 1], ['by', 1]];
  for (let i = 2; i < argv.length; i++) {
    for (const [name, skip] of skips) {
      if (argIs(argv[i]!, name)) {
        i += skip;
        break;
      } else if (argIs(argv[i]!, 'store') && i + 1 < argv.length) {
        store = { pos: i + 1, flags: ['OW', 'update'] };
        break;
      }
    }
  }
  if (store !== null) keys.push(store);
  return keys;
}

/** The getkeys_proc of the commands whose specs need one (the others' fallbacks find what the specs found, or nothing). */
const GETKEYS_PROCS: Record<string, (argv: Arg[]) => KeyReference[]> = {
  set: setGetKeys,
  bitfield: bitfieldGetKeys,
  sort: sortGetKeys,
  sort_ro: () => [{ pos: 1, flags: ['RO', 'access'] }],
};

/**
 * getKeysFromCommandWithSpecs: the key arguments of `argv` for `cmd` (argv[0] is the command
 * name); null when the arguments do not say (an invalid numkeys …).
 */
export function getKeysFromCommand(cmd: RedisCommand, argv: Arg[]): KeyReference[] | null {
  const specs = keySpecsOf(cmd);
  const hasKeyspec = specs.some((s) => !s.flags.includes('not_key'));
  const hasVarflags = specs.some((s) => s.flags.includes('variable_flags'));
  if (hasKeyspec && !hasVarflags) {
    const keys = getKeysUsingKeySpecs(cmd, argv);
    if (keys !== null) return keys;
  }
  const proc = GETKEYS_PROCS[cmd.fullname];
  if (proc !== undefined) return proc(argv);
  // The other getkeys_procs (ZUNIONSTORE's, XREAD's, LMPOP's …) find no key where the spec failed.
  return hasKeyspec ? null : [];
}
