/**
 * Server settings (config.c): CONFIG GET / SET / RESETSTAT / REWRITE / HELP and the values the
 * engine reads.
 *
 * Every setting a Redis 7.0.15 server has is here, from the table recorded out of config.c and a
 * fresh server (config-info.ts, scripts/gen-config-info.ts): its name and alias, type, bounds,
 * enum values, flags and default. CONFIG SET parses and validates each value as config.c does
 * (yes/no, enums and multi-flag enums, integers with their C type's bounds, memory units `1gb`
 * `100mb` `5k`, percentages for maxmemory-clients, save points, client output buffer limits …)
 * and sets all pairs or none, with Redis' errors in Redis' order.
 *
 * The settings the engine acts on are typed fields, read directly by the code that needs them:
 * `engine.config.maxmemory` and its policy, samples, tenacity and LFU parameters (evict.ts),
 * `hz`, and `engine.notifyKeyspaceEventsFlags` (notify-keyspace-events); `databases` is the
 * engine's. Every other setting is accepted and kept, and CONFIG GET reports it back, though
 * Lodis has nothing it changes (ports, TLS, replication, fsync policy …): a client or test suite
 * that configures a real Redis runs unchanged. The listpack limits (hash-max-listpack-entries …)
 * are kept but not read: the type modules use Redis' defaults as constants; streams read
 * stream-node-max-entries and stream-node-max-bytes.
 *
 * Divergences: CONFIG GET lists matches in config.c's table order (each alias after its name)
 * where Redis uses its dict's hash order, which changes with every server run. Settings whose
 * apply step can fail in Redis (port, bind, tls-port, maxclients, appendonly) always succeed
 * here. `dir` is empty and `port` 0 (Lodis listens on no port) unless a front sets them with
 * `configSetInternal`, which, like Redis reading its config file, may set immutable settings.
 */
import type { Client } from './client.js';
import { CONFIG_INFO, type ConfigInfoData } from './config-info.js';
import type { CommandHandlers } from './commands.js';
import { configSetFailedErr, configUnknownOptionErr, loadingErr, noConfigFileErr, syntaxErr } from './errors.js';
import { keyspaceEventsFlagsToString, keyspaceEventsStringToFlags } from './notify.js';
import { helpReply, MapReply, OK, type Reply } from './reply.js';
import { argLatin1, latin1ToBytes, type Arg } from './sds.js';
import type { Engine } from './server.js';
import { string2d } from './double.js';
import { string2ll, stringmatchlen } from './util.js';
import { startEvictionTimeProc } from './evict.js';
import { allowProtectedAction } from './acl.js';

/** maxmemory-policy values (server.h MAXMEMORY_*). */
export type MaxmemoryPolicy =
  | 'volatile-lru'
  | 'volatile-lfu'
  | 'volatile-random'
  | 'volatile-ttl'
  | 'allkeys-lru'
  | 'allkeys-lfu'
  | 'allkeys-random'
  | 'noeviction';

/** A setting's value as config.c keeps it: yes/no, a string (bytes, or null), an enum's value, a long long. */
type Stored = boolean | string | null | number | bigint;

/** The settings the engine acts on, with Redis 7.0's defaults; and every other setting's value. */
export class ServerConfig {
  /** maxmemory, bytes; 0 = no limit. */
  maxmemory = 0;
  maxmemoryPolicy: MaxmemoryPolicy = 'noeviction';
  maxmemorySamples = 5;
  maxmemoryEvictionTenacity = 10;
  lfuLogFactor = 10;
  /** Minutes. */
  lfuDecayTime = 1;
  /** server.hz (capped to 1..500 as updateHZ does). Lodis' active expire timer runs at 10 Hz whatever it says. */
  hz = 10;
  /** maxmemory exactly as set (it may pass 2^53); used while `maxmemory` still equals it. */
  maxmemoryExact = 0n;
  /** stream-node-max-entries and stream-node-max-bytes (types/stream.ts: where a stream node ends; as numbers, huge values clamped). */
  streamNodeMaxEntries = 100;
  streamNodeMaxBytes = 4096;
  /** requirepass: the default user's password, or null (nopass: every session is logged in). */
  requirepass: string | null = null;
  /** enable-debug-command: no (0), yes (1) or local (2). */
  enableDebugCommand = 0;
  /** The other settings that were set, by name (those never set have their default). */
  readonly values = new Map<string, Stored>();
}

/** A setting under one of its names: Redis registers an alias as a setting of its own. */
interface Setting {
  /** The name this entry is registered under (the alias, for an alias). */
  readonly name: string;
  readonly info: ConfigInfoData;
}

/** Settings by lower-case name and alias (Redis' `configs` dict is case-insensitive), in table order. */
const SETTINGS = new Map<string, Setting>();
for (const info of CONFIG_INFO) {
  SETTINGS.set(info.name, { name: info.name, info });
  if (info.alias !== null) SETTINGS.set(info.alias, { name: info.alias, info });
}

/** What Lodis reports where Redis describes its process: no TCP port, no save points, no files. */
const LODIS_DEFAULTS: Record<string, string> = { port: '0', save: '' };

/** A setting's default as stored. */
function defaultStored(info: ConfigInfoData): Stored {
  const text = LODIS_DEFAULTS[info.name] ?? info.default;
  switch (info.type) {
    case 'bool':
      return text === 'yes';
    case 'string':
    case 'sds':
      return info.emptyToNull && text === '' ? null : text;
    case 'enum':
      return configEnumGetValue(info, splitConfigArgs(info, text));
    case 'numeric': {
      const r = numericParseString(info, text);
      if (typeof r === 'string') throw new Error(`bad default for ${info.name}: ${r}`);
      return r;
    }
    case 'special':
      return text;
  }
}

// ---- the settings the engine reads (typed fields instead of the values map) ---------------------

interface Binding {
  get(e: Engine): Stored;
  set(e: Engine, v: Stored): void;
}

const POLICIES = CONFIG_INFO.find((i) => i.name === 'maxmemory-policy')!.values!;
const intField = (field: 'maxmemorySamples' | 'maxmemoryEvictionTenacity' | 'lfuLogFactor' | 'lfuDecayTime'): Binding => ({
  get: (e) => BigInt(e.config[field]),
  set: (e, v) => (e.config[field] = Number(v)),
});

/** A stream node limit: the exact value kept for CONFIG GET, a number for XADD's hot path. */
const streamNodeField = (name: string, field: 'streamNodeMaxEntries' | 'streamNodeMaxBytes', def: bigint): Binding => ({
  get: (e) => e.config.values.get(name) ?? def,
  set: (e, v) => {
    e.config.values.set(name, v);
    e.config[field] = Number(v);
  },
});

const BINDINGS: Record<string, Binding> = {
  maxmemory: {
    get: (e) => (Number(BigInt.asUintN(64, e.config.maxmemoryExact)) === e.config.maxmemory ? e.config.maxmemoryExact : BigInt(Math.trunc(e.config.maxmemory))),
    set: (e, v) => {
      e.config.maxmemoryExact = v as bigint;
      e.config.maxmemory = Number(BigInt.asUintN(64, v as bigint));
      startEvictionTimeProc(e); // as updateMaxmemory: evict down to the new limit in the background
    },
  },
  'maxmemory-policy': {
    get: (e) => POLICIES.find(([n]) => n === e.config.maxmemoryPolicy)![1],
    set: (e, v) => (e.config.maxmemoryPolicy = POLICIES.find(([, x]) => x === v)![0] as MaxmemoryPolicy),
  },
  'maxmemory-samples': intField('maxmemorySamples'),
  'maxmemory-eviction-tenacity': intField('maxmemoryEvictionTenacity'),
  'lfu-log-factor': intField('lfuLogFactor'),
  'lfu-decay-time': intField('lfuDecayTime'),
  hz: {
    get: (e) => BigInt(e.config.hz),
    // updateHZ: a hint, capped to CONFIG_MIN_HZ..CONFIG_MAX_HZ.
    set: (e, v) => (e.config.hz = Math.min(500, Math.max(1, Number(v)))),
  },
  databases: { get: (e) => BigInt(e.dbs.length), set: () => {} },
  'stream-node-max-entries': streamNodeField('stream-node-max-entries', 'streamNodeMaxEntries', 100n),
  'stream-node-max-bytes': streamNodeField('stream-node-max-bytes', 'streamNodeMaxBytes', 4096n),
  // updateRequirePass → ACLUpdateDefaultUserPassword: sessions logged in stay so.
  requirepass: { get: (e) => e.config.requirepass, set: (e, v) => (e.config.requirepass = v as string | null) },
  'enable-debug-command': { get: (e) => e.config.enableDebugCommand, set: (e, v) => (e.config.enableDebugCommand = v as number) },
  'notify-keyspace-events': {
    get: (e) => keyspaceEventsFlagsToString(e.notifyKeyspaceEventsFlags),
    set: (e, v) => (e.notifyKeyspaceEventsFlags = keyspaceEventsStringToFlags(v as string)),
  },
};

function readStored(e: Engine, info: ConfigInfoData): Stored {
  const b = BINDINGS[info.name];
  if (b !== undefined) return b.get(e);
  const v = e.config.values.get(info.name);
  return v !== undefined ? v : defaultStored(info);
}

function writeStored(e: Engine, info: ConfigInfoData, v: Stored): void {
  const b = BINDINGS[info.name];
  if (b !== undefined) b.set(e, v);
  else e.config.values.set(info.name, v);
}

// ---- parsing and formatting (config.c's type interfaces) ---------------------------------------

/**
 * A value as C string functions read it (strcasecmp, strtoll, zstrdup …): up to its first NUL.
 * Most of config.c reads values that way; only SDS settings and string2ll/string2d keep the bytes.
 */
const cstr = (s: string): string => {
  const nul = s.indexOf('\0');
  return nul < 0 ? s : s.slice(0, nul);
};

/** performInterfaceSet's split of a multi-argument setting: sdssplitlen on ' ' (empty tokens kept; "" is none). */
function splitConfigArgs(info: ConfigInfoData, value: string): string[] {
  if (!info.flags.includes('multi-arg')) return [value];
  return value === '' ? [] : value.split(' ');
}

/** configEnumGetValue: the OR of the named values (one name unless bit flags); null for an unknown name. */
function configEnumGetValue(info: ConfigInfoData, argv: string[]): number | null {
  const bitflags = info.flags.includes('multi-arg');
  if (argv.length === 0 || (!bitflags && argv.length !== 1)) return null;
  let values = 0;
  for (const a of argv) {
    let matched = false;
    for (const [name, v] of info.values!) {
      if (cstr(a).toLowerCase() === name) {
        values |= v;
        matched = true;
      }
    }
    if (!matched) return null;
  }
  return values;
}

/** configEnumGetName: the name of the value, or for bit flags the names of its bits (high first as listed). */
function configEnumGetName(info: ConfigInfoData, values: number): string {
  const bitflags = info.flags.includes('multi-arg');
  const names: string[] = [];
  let unmatched = values;
  for (const [name, v] of info.values!) {
    if (values === v) return name;
    if (bitflags && v !== 0 && v === (unmatched & v)) {
      names.push(name);
      unmatched &= ~v;
    }
  }
  return names.length === 0 || unmatched !== 0 ? 'unknown' : names.join(' ');
}

const MEMORY_UNITS: Record<string, bigint> = { '': 1n, b: 1n, k: 1000n, kb: 1024n, m: 1000000n, mb: 1048576n, g: 1000000000n, gb: 1073741824n };

/** util.c memtoull: digits and an optional unit (k kb m mb g gb, any case); null when it is not one. */
export function memtoull(s: string): bigint | null {
  if (s[0] === '-') return null;
  let i = 0;
  while (i < s.length && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) i++;
  const mul = MEMORY_UNITS[s.slice(i).toLowerCase()];
  if (mul === undefined || i >= 128) return null;
  // strtoull on the digits: an empty string is 0, an overflow ULLONG_MAX (errno is not looked at).
  let val = i === 0 ? 0n : BigInt(s.slice(0, i));
  if (val > 0xffffffffffffffffn) val = 0xffffffffffffffffn;
  return BigInt.asUintN(64, val * mul);
}

/**
 * C's strtoll: leading white space, a sign, digits in `base`; clamped on overflow. `end` is the
 * index after the number (0 when no digits were read), `erange` the overflow.
 */
function strtoll(s: string, base = 10): { value: bigint; end: number; erange: boolean } {
  let i = 0;
  while (i < s.length && ' \t\n\v\f\r'.includes(s[i]!)) i++;
  let neg = false;
  if (s[i] === '+' || s[i] === '-') neg = s[i++] === '-';
  const start = i;
  let v = 0n;
  for (; i < s.length; i++) {
    const d = parseInt(s[i]!, base);
    if (Number.isNaN(d)) break;
    v = v * BigInt(base) + BigInt(d);
  }
  if (i === start) return { value: 0n, end: 0, erange: false };
  if (neg) v = -v;
  const erange = v > 9223372036854775807n || v < -9223372036854775808n;
  if (erange) v = neg ? -9223372036854775808n : 9223372036854775807n;
  return { value: v, end: i, erange };
}

/** numericParseString: the value as config.c's long long, or the error text. */
function numericParseString(info: ConfigInfoData, value: string): bigint | string {
  const fmt = info.format!;
  if (fmt.includes('memory')) {
    const v = memtoull(cstr(value));
    if (v !== null) return BigInt.asIntN(64, v);
  }
  if (fmt.includes('percent') && value.length > 1 && value.endsWith('%')) {
    const v = string2ll(value.slice(0, -1));
    // Stored as a negative value.
    if (v !== null && v >= 0) return -BigInt(v);
  }
  if (fmt.includes('octal')) {
    const c = cstr(value);
    const r = strtoll(c, 8);
    if (!r.erange && (r.end === c.length || c.trim() === '')) return r.value;
  }
  if (fmt.length === 0) {
    const v = string2ll(value);
    if (v !== null) return BigInt(v);
  }
  if (fmt.includes('memory') && fmt.includes('percent')) return 'argument must be a memory or percent value';
  if (fmt.includes('memory')) return 'argument must be a memory value';
  if (fmt.includes('octal')) return "argument couldn't be parsed as an octal number";
  return "argument couldn't be parsed into an integer";
}

const UNSIGNED_TYPES = new Set(['ulong-long', 'uint', 'size_t']);

/** numericBoundaryCheck: null when in range, else the error text. */
function numericBoundaryCheck(info: ConfigInfoData, ll: bigint): string | null {
  const lower = BigInt(info.lower!);
  const upper = BigInt(info.upper!);
  if (UNSIGNED_TYPES.has(info.numericType!)) {
    const ull = BigInt.asUintN(64, ll);
    if (ull > upper || ull < lower) {
      return info.format!.includes('octal')
        ? `argument must be between ${lower.toString(8)} and ${upper.toString(8)} inclusive`
        : `argument must be between ${lower} and ${upper} inclusive`;
    }
  } else if (info.format!.includes('percent') && ll < 0n) {
    if (ll < lower) return `percentage argument must be less or equal to ${-lower}`;
  } else if (ll > upper || ll < lower) {
    return `argument must be between ${lower} and ${upper} inclusive`;
  }
  return null;
}

/** numericConfigGet */
function numericFormat(info: ConfigInfoData, v: bigint): string {
  const fmt = info.format!;
  if (fmt.includes('percent') && v < 0n) return `${-v}%`;
  if (fmt.includes('memory')) return BigInt.asUintN(64, v).toString();
  if (fmt.includes('octal')) return BigInt.asUintN(64, v).toString(8);
  return v.toString();
}

// Validation functions of config.c's table, by name.
const pathIsBaseName = (s: string) => !s.includes('/') && !s.includes('\\');
const VALIDATORS: Record<string, (v: Stored, e: Engine) => string | null> = {
  isValidActiveDefrag: () => null, // Redis built with its own jemalloc accepts it
  isValidDBfilename: (v) => (pathIsBaseName(v as string) ? null : "dbfilename can't be a path, just a filename"),
  isValidAOFfilename: (v) =>
    v === '' ? "appendfilename can't be empty" : pathIsBaseName(v as string) ? null : "appendfilename can't be a path, just a filename",
  isValidAOFdirname: (v) =>
    v === '' ? "appenddirname can't be empty" : pathIsBaseName(v as string) ? null : "appenddirname can't be a path, just a dirname",
  isValidShutdownOnSigFlags: (v) =>
    (v as number) & 1 && (v as number) & 2 ? "shutdown options SAVE and NOSAVE can't be used simultaneously" : null,
  isValidAnnouncedHostname: (v) => {
    const s = v as string;
    if (s.length >= 256) return 'Hostnames must be less than 256 characters';
    return /^[A-Za-z0-9.-]*$/.test(s) ? null : 'Hostnames may only contain alphanumeric characters, hyphens or dots';
  },
  isValidProcTitleTemplate: (v, e) => {
    const r = expandProcTitleTemplate(e, v as string);
    return r === null || r === '' ? 'template format is invalid or contains unknown variables' : null;
  },
};

/** expandProcTitleTemplate(template, ""): sdstemplate with redisProcTitleGetVariable, trimmed; null when invalid. */
function expandProcTitleTemplate(e: Engine, template: string): string | null {
  const port = Number(readStored(e, SETTINGS.get('port')!.info));
  const bind = readStored(e, SETTINGS.get('bind')!.info) as string;
  const unixsocket = (readStored(e, SETTINGS.get('unixsocket')!.info) as string | null) ?? '';
  const vars: Record<string, string> = {
    title: '',
    'listen-addr': port ? `${bind === '' ? '*' : bind.split(' ')[0]}:${port}` : `unixsocket:${unixsocket}`,
    'server-mode': '',
    'config-file': '-',
    port: String(port),
    'tls-port': String(readStored(e, SETTINGS.get('tls-port')!.info)),
    unixsocket,
  };
  let res = '';
  let p = 0;
  while (p < template.length) {
    const sv = template.indexOf('{', p);
    if (sv < 0) {
      res += template.slice(p);
      break;
    }
    res += template.slice(p, sv);
    if (sv + 1 >= template.length) return null;
    if (template[sv + 1] === '{') {
      res += '{';
      p = sv + 2;
      continue;
    }
    const ev = template.indexOf('}', sv + 1);
    if (ev < 0) return null;
    const value = vars[template.slice(sv + 1, ev)];
    if (value === undefined) return null;
    res += value;
    p = ev + 1;
  }
  return res.replace(/^ +| +$/g, '');
}

/** The special settings' setters (config.c set*Option): the value to store, or the error text. */
const SPECIAL_SET: Record<string, (argv: string[], e: Engine, info: ConfigInfoData) => { ok: string } | { err: string }> = {
  dir: (argv) => (argv.length !== 1 ? { err: 'wrong number of arguments' } : { ok: cstr(argv[0]!) }),
  save: (argv) => {
    // A single "" is no save points.
    if (argv.length === 1 && argv[0] === '') argv = [];
    if (argv.length & 1) return { err: 'Invalid save parameters' };
    const parts: string[] = [];
    for (let j = 0; j < argv.length; j++) {
      const a = cstr(argv[j]!);
      const r = strtoll(a);
      const whole = r.end === a.length || a.trim() === '';
      if (!whole || ((j & 1) === 0 && r.value < 1n) || ((j & 1) === 1 && r.value < 0n)) return { err: 'Invalid save parameters' };
      // seconds is a time_t, changes an int.
      parts.push(String(j & 1 ? BigInt.asIntN(32, r.value) : r.value));
    }
    return { ok: parts.join(' ') };
  },
  'client-output-buffer-limit': (argv, e, info) => {
    if (argv.length % 4) return { err: 'Wrong number of arguments in buffer limit configuration.' };
    const classes = new Map<string, string>();
    for (let j = 0; j < argv.length; j += 4) {
      const cls = CLIENT_CLASSES[cstr(argv[j]!).toLowerCase()];
      if (cls === undefined) return { err: 'Invalid client class specified in buffer limit configuration.' };
      const hard = memtoull(cstr(argv[j + 1]!));
      const soft = memtoull(cstr(argv[j + 2]!));
      const secsText = cstr(argv[j + 3]!);
      const secs = strtoll(secsText);
      const seconds = BigInt.asIntN(32, secs.value);
      const whole = secs.end === secsText.length || secsText.trim() === '';
      if (hard === null || soft === null || seconds < 0n || !whole) {
        return { err: 'Error in hard, soft or soft_seconds setting in buffer limit configuration.' };
      }
      classes.set(cls, `${cls} ${hard} ${soft} ${seconds}`);
    }
    const current = (readStored(e, info) as string).split(' ');
    const out: string[] = [];
    for (let j = 0; j < current.length; j += 4) out.push(classes.get(current[j]!) ?? current.slice(j, j + 4).join(' '));
    return { ok: out.join(' ') };
  },
  'oom-score-adj-values': (argv) => {
    if (argv.length !== 3) return { err: 'wrong number of arguments' };
    const vals: string[] = [];
    for (const arg of argv) {
      const a = cstr(arg);
      const r = strtoll(a);
      const whole = r.end === a.length || a.trim() === '';
      if (!whole || r.value < -2000n || r.value > 2000n) return { err: 'Invalid oom-score-adj-values, elements must be between -2000 and 2000.' };
      vals.push(String(r.value));
    }
    return { ok: vals.join(' ') };
  },
  'notify-keyspace-events': (argv) => {
    if (argv.length !== 1) return { err: 'wrong number of arguments' };
    if (keyspaceEventsStringToFlags(cstr(argv[0]!)) === -1) return { err: "Invalid event class character. Use 'Ag$lshzxeKEtmdn'." };
    return { ok: cstr(argv[0]!) };
  },
  bind: (argv) => {
    if (argv.length > 16) return { err: 'Too many bind addresses specified.' };
    return { ok: argv.length === 1 && argv[0] === '' ? '' : argv.map(cstr).join(' ') };
  },
  replicaof: (argv) => {
    if (argv.length !== 2) return { err: 'wrong number of arguments' };
    if (argv[0]!.toLowerCase() === 'no' && argv[1]!.toLowerCase() === 'one') return { ok: '' };
    const r = strtoll(argv[1]!);
    if (r.value < 0n || r.value > 65535n || (r.end !== argv[1]!.length && argv[1]!.trim() !== '')) return { err: 'Invalid master port' };
    return { ok: `${argv[0]} ${r.value}` };
  },
  'latency-tracking-info-percentiles': (argv) => {
    if (argv.length === 1 && argv[0] === '') argv = [];
    const out: string[] = [];
    for (const a of argv) {
      const p = string2d(a);
      if (p === null) return { err: 'Invalid latency-tracking-info-percentiles parameters' };
      if (p > 100 || p < 0) return { err: 'latency-tracking-info-percentiles parameters should sit between [0.0,100.0]' };
      // "%f", then trimDoubleString.
      out.push(p.toFixed(6).replace(/\.?0+$/, ''));
    }
    return { ok: out.join(' ') };
  },
};

/** getClientTypeByName, less master (which has no output buffer limit of its own). */
const CLIENT_CLASSES: Record<string, string> = { normal: 'normal', slave: 'slave', replica: 'slave', pubsub: 'pubsub' };

/** A setting's value as CONFIG GET reports it (a byte string). */
export function configGetValue(e: Engine, info: ConfigInfoData): string {
  const v = readStored(e, info);
  switch (info.type) {
    case 'bool':
      return v ? 'yes' : 'no';
    case 'string':
    case 'sds':
      return (v as string | null) ?? '';
    case 'enum':
      return configEnumGetName(info, v as number);
    case 'numeric':
      return numericFormat(info, v as bigint);
    case 'special':
      return v as string;
  }
}

/** performInterfaceSet: parse, validate and store `value` (a byte string); null, or the error text. */
function configSetValue(e: Engine, info: ConfigInfoData, value: string): string | null {
  const argv = splitConfigArgs(info, value);
  let v: Stored;
  switch (info.type) {
    case 'bool': {
      const yn = cstr(value).toLowerCase();
      if (yn !== 'yes' && yn !== 'no') return "argument must be 'yes' or 'no'";
      v = yn === 'yes';
      break;
    }
    case 'string':
    case 'sds': {
      // A string setting is a C string (zstrdup); an SDS one keeps every byte.
      const text = info.type === 'string' ? cstr(value) : value;
      v = info.emptyToNull && text === '' ? null : text;
      break;
    }
    case 'enum': {
      const n = configEnumGetValue(info, argv);
      if (n === null) return `argument(s) must be one of the following: ${info.values!.map(([name]) => name).join(', ')}`;
      v = n;
      break;
    }
    case 'numeric': {
      const r = numericParseString(info, value);
      if (typeof r === 'string') return r;
      const bad = numericBoundaryCheck(info, r);
      if (bad !== null) return bad;
      v = r;
      break;
    }
    case 'special': {
      const r = SPECIAL_SET[info.name]!(argv, e, info);
      if ('err' in r) return r.err;
      v = r.ok;
      break;
    }
  }
  const valid = info.valid ? VALIDATORS[info.valid] : undefined;
  if (valid !== undefined && v !== null) {
    const bad = valid(v, e);
    if (bad !== null) return bad;
  }
  writeStored(e, info, v);
  return null;
}

/** A setting by name or alias (case-insensitive), or undefined. */
export function lookupConfig(name: string): ConfigInfoData | undefined {
  return SETTINGS.get(name.toLowerCase())?.info;
}

/** allowProtectedAction: enable-protected-configs yes, or local and the session is local (acl.ts isLocalClient). */
function allowProtectedConfig(e: Engine, c: Client | null): boolean {
  const v = readStored(e, SETTINGS.get('enable-protected-configs')!.info) as number;
  return c === null ? v !== 0 : allowProtectedAction(v, c);
}

/**
 * CONFIG SET's core: set every pair or none. Returns null, or the error to reply. With `internal`
 * (a front configuring its engine at start, as Redis reads its config file) immutable and
 * protected settings may be set too.
 */
export function configSetPairs(
  e: Engine,
  pairs: readonly (readonly [string, string])[],
  internal = false,
  c: Client | null = null,
): ReturnType<typeof configSetFailedErr> | null {
  const settings: Setting[] = [];
  let invalidArgName: string | null = null;
  let errArgName: string | null = null;
  let errstr: string | null = null;
  let invalid = false;
  let denyLoading = false;
  for (const [name] of pairs) {
    const s = SETTINGS.get(name.toLowerCase());
    if (s === undefined) {
      if (!invalid) {
        invalidArgName = name;
        invalid = true;
      }
      continue;
    }
    settings.push(s);
    if (invalid) continue;
    const flags = s.info.flags;
    if (!internal && (flags.includes('immutable') || (flags.includes('protected') && !allowProtectedConfig(e, c)))) {
      errstr = flags.includes('immutable') ? "can't set immutable config" : "can't set protected config";
      errArgName = name;
      invalid = true;
      continue;
    }
    if (s.info.name === 'databases') {
      errstr = "the number of databases is createStore's `databases` option";
      errArgName = name;
      invalid = true;
      continue;
    }
    if (e.loading && flags.includes('deny-loading')) {
      denyLoading = true;
      invalid = true;
      continue;
    }
    // A name given twice (an alias and its name are two settings, as in Redis).
    if (settings.indexOf(s) !== settings.length - 1) {
      errstr = 'duplicate parameter';
      errArgName = name;
      invalid = true;
    }
  }
  if (!invalid) {
    const old = settings.map((s) => configGetValue(e, s.info));
    for (let i = 0; i < settings.length; i++) {
      const bad = configSetValue(e, settings[i]!.info, pairs[i]![1]);
      if (bad !== null) {
        for (let j = 0; j <= i; j++) configSetValue(e, settings[j]!.info, old[j]!); // restoreBackupConfig
        errArgName = settings[i]!.name;
        errstr = bad;
        break;
      }
    }
    if (errArgName === null) return null;
  }
  if (denyLoading) return loadingErr();
  if (invalidArgName !== null) return configUnknownOptionErr(invalidArgName);
  return configSetFailedErr(errArgName!, errstr);
}

/** configSetPairs for a front configuring its engine (lodis-server's --port, --dir …): throws on an error. */
export function configSetInternal(e: Engine, settings: Record<string, string>): void {
  const err = configSetPairs(e, Object.entries(settings), true);
  if (err !== null) throw err;
}

/** A byte string as a bulk reply: text when ASCII, else its bytes. */
function bytesReply(s: string): string | Uint8Array {
  // eslint-disable-next-line no-control-regex
  return /^[\x00-\x7f]*$/.test(s) ? s : latin1ToBytes(s);
}

// ---- CONFIG -----------------------------------------------------------------------------------

/** Table order of the settings (a name before its alias), the order CONFIG GET replies in. */
const ORDER = new Map<string, number>([...SETTINGS.keys()].map((k, i) => [k, i]));

/**
 * CONFIG GET parameter [parameter ...] — a map (pairs in RESP2) of the matching settings. An exact
 * name is reported as given; a pattern reports the names it matches (aliases too, hidden settings
 * never). Lodis lists them in config.c's table order.
 */
function configGetCommand(c: Client, argv: Arg[]): Reply {
  // Redis' `matches` dict: the reported name (case-insensitive) → the name as reported.
  const matches = new Map<string, string>();
  for (let i = 2; i < argv.length; i++) {
    const name = argLatin1(argv[i]!);
    // strpbrk and stringmatch read the pattern as a C string; the exact lookup takes every byte.
    const pattern = cstr(name);
    if (!/[[*?]/.test(pattern)) {
      const key = name.toLowerCase();
      if (!matches.has(key) && SETTINGS.has(key)) matches.set(key, name);
      continue;
    }
    for (const [key, s] of SETTINGS) {
      if (s.info.flags.includes('hidden') || matches.has(key)) continue;
      if (stringmatchlen(pattern, key, true)) matches.set(key, key);
    }
  }
  const flat: Reply[] = [];
  for (const key of [...matches.keys()].sort((a, b) => ORDER.get(a)! - ORDER.get(b)!)) {
    flat.push(bytesReply(matches.get(key)!), bytesReply(configGetValue(c.engine, SETTINGS.get(key)!.info)));
  }
  return new MapReply(flat);
}

/** CONFIG SET parameter value [parameter value ...] — all or nothing. */
function configSetCommand(c: Client, argv: Arg[]): Reply {
  if (argv.length & 1) throw syntaxErr();
  const pairs: [string, string][] = [];
  for (let i = 2; i < argv.length; i += 2) pairs.push([argLatin1(argv[i]!), argLatin1(argv[i + 1]!)]);
  const err = configSetPairs(c.engine, pairs, false, c);
  if (err !== null) throw err;
  return OK;
}

/** CONFIG RESETSTAT — INFO's stats, commandstats and errorstats start again from zero. */
function configResetStatCommand(c: Client): Reply {
  c.engine.resetStats();
  return OK;
}

/** CONFIG REWRITE — Lodis, like a Redis started without a config file, has none to rewrite. */
function configRewriteCommand(): Reply {
  throw noConfigFileErr();
}

const CONFIG_HELP = [
  'GET <pattern>',
  '    Return parameters matching the glob-like <pattern> and their values.',
  'SET <directive> <value>',
  '    Set the configuration <directive> to <value>.',
  'RESETSTAT',
  '    Reset statistics reported by the INFO command.',
  'REWRITE',
  '    Rewrite the configuration file.',
];

/** CONFIG HELP */
function configHelpCommand(): Reply {
  return helpReply('config', CONFIG_HELP);
}

export const configCommands: CommandHandlers = {
  'config|get': configGetCommand,
  'config|set': configSetCommand,
  'config|resetstat': configResetStatCommand,
  'config|rewrite': configRewriteCommand,
  'config|help': configHelpCommand,
};
