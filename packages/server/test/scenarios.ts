/**
 * Scenarios run through a client library (clients.ts) against redis-server and lodis-server; a
 * test records what redis-server gave and expects the same from lodis-server (no expectation is
 * typed by hand). A scenario's result is plain data; where Redis' own answer depends on time or
 * on hash-table order, the scenario shapes it (a TTL as "in range", an unordered set sorted) and
 * says so.
 *
 * `script` scenarios are lists of commands, each on connection 0 unless it names another.
 */
import { createHash } from 'node:crypto';
import { plain, type Arg, type ClientKind, type Conn } from './clients.js';
import { sleep, until } from './servers.js';

/** Open a connection; `handshake: false` where a library's own start-up commands would fail (before AUTH). */
export type Open = (options?: { handshake?: boolean }) => Promise<Conn>;

export interface Scenario {
  readonly name: string;
  run(open: Open): Promise<unknown>;
}

/** How a step's reply is recorded. */
type Shape =
  | 'sorted' // an unordered collection (a hash table's order): sorted
  | 'buffer' // bulk strings as bytes
  | 'digest' // bytes, as their length and sha1 (big values)
  | ((r: unknown) => unknown);

export type Step = Arg[] | { cmd: Arg[]; as?: Shape; c?: number } | { sleep: number };

export function digest(x: unknown): unknown {
  if (Buffer.isBuffer(x)) return { bytes: x.length, sha1: createHash('sha1').update(x).digest('hex') };
  return x;
}

/** Sorted copy of an array (of strings or Buffers), recursively not. */
function sortedReply(r: unknown): unknown {
  if (!Array.isArray(r)) return r;
  return [...r].sort((a, b) => (String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0));
}

/** A TTL-like figure recorded as whether it lies in [lo, hi] (it depends on when it was read). */
export const within = (lo: number, hi: number) => (r: unknown) => (typeof r === 'number' && r >= lo && r <= hi ? `in [${lo}, ${hi}]` : r);

export function script(name: string, steps: Step[]): Scenario {
  return {
    name,
    async run(open) {
      const conns: Conn[] = [];
      const conn = async (i: number) => {
        while (conns.length <= i) conns.push(await open());
        return conns[i]!;
      };
      const out: unknown[] = [];
      for (const step of steps) {
        if ('sleep' in step) {
          await sleep(step.sleep);
          continue;
        }
        const { cmd, as, c } = Array.isArray(step) ? { cmd: step, as: undefined, c: 0 } : step;
        const k = await conn(c ?? 0);
        const r = as === 'buffer' || as === 'digest' ? await k.callBuffer(...cmd) : await k.call(...cmd);
        out.push(as === undefined || as === 'buffer' ? r : as === 'sorted' ? sortedReply(r) : as === 'digest' ? digest(r) : as(r));
      }
      return out;
    },
  };
}

/** Deterministic bytes (xorshift32), so both servers get the same big value. */
export function bytes(n: number, seed = 1): Buffer {
  const b = Buffer.allocUnsafe(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b[i] = x & 0xff;
  }
  return b;
}

const ALL_BYTES = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
const BIG = bytes(20 * 1024 * 1024, 7);
const MB = bytes(1024 * 1024, 9);
const BAD_UTF8_KEY = Buffer.from([0xff, 0x00, 0x80, 0x41]);

/** Fields f0…f(n-1) with values v0…, as flat HSET/MSET arguments. */
function pairs(n: number, k = 'f', v = 'v'): string[] {
  return Array.from({ length: n }, (_, i) => [`${k}${i}`, `${v}${i}`]).flat();
}

/** The parsed line(s) of CLIENT LIST / CLIENT INFO: one record of `name=value` fields per client. */
export function clientLines(text: unknown): Record<string, string>[] {
  if (typeof text !== 'string') return [];
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => Object.fromEntries(l.trim().split(' ').map((f) => [f.slice(0, f.indexOf('=')), f.slice(f.indexOf('=') + 1)])));
}

/** CLIENT LIST fields that say what a connection is (not when, where or how much memory). */
const CLIENT_FIELDS = ['name', 'db', 'sub', 'psub', 'ssub', 'multi', 'flags', 'cmd', 'user', 'redir', 'resp', 'events'];
export const clientFacts = (rec: Record<string, string> | undefined) =>
  rec === undefined ? undefined : { fields: Object.keys(rec), ...Object.fromEntries(CLIENT_FIELDS.map((f) => [f, rec[f]])) };

/** INFO's field `name` as a number. */
async function infoField(c: Conn, section: string, name: string): Promise<number> {
  const text = await c.call('INFO', section);
  const m = typeof text === 'string' ? new RegExp(`^${name}:(\\d+)`, 'm').exec(text) : null;
  return m ? Number(m[1]) : NaN;
}

/** Wait until the server has `n` blocked clients (so what comes next is served to a waiter). */
export async function blockedClients(admin: Conn, n: number): Promise<boolean> {
  return until(async () => (await infoField(admin, 'clients', 'blocked_clients')) === n, 5000);
}

/** XINFO CONSUMERS without the consumers' idle times (RESP2: a flat array per consumer; RESP3: a map). */
function withoutIdle(r: unknown): unknown {
  if (!Array.isArray(r)) return r;
  return r.map((c) => {
    if (Array.isArray(c)) return c.map((v, i) => (c[i - 1] === 'idle' ? typeof v : v));
    if (c !== null && typeof c === 'object') return { ...c, idle: typeof (c as { idle?: unknown }).idle };
    return c;
  });
}

/** Milliseconds a promise took, recorded as whether it is in [lo, hi]. */
async function timed<T>(p: Promise<T>, lo: number, hi: number): Promise<{ reply: T; waited: string }> {
  const t0 = performance.now();
  const reply = await p;
  const ms = performance.now() - t0;
  return { reply, waited: ms >= lo && ms <= hi ? `in [${lo}, ${hi}] ms` : `${ms.toFixed(0)} ms` };
}

export const dataTypeScenarios: Scenario[] = [
  script('strings', [
    ['SET', 's1', 'hello'],
    ['GET', 's1'],
    ['APPEND', 's1', ' world'],
    ['STRLEN', 's1'],
    ['GETRANGE', 's1', 0, 4],
    ['GETRANGE', 's1', -5, -1],
    ['SETRANGE', 's1', 6, 'Redis'],
    ['GET', 's1'],
    ['SET', 'n', 10],
    ['INCR', 'n'],
    ['INCRBY', 'n', 5],
    ['DECR', 'n'],
    ['DECRBY', 'n', 3],
    ['INCRBY', 'n', '9223372036854775000'],
    ['INCRBY', 'n', 1000],
    ['INCRBYFLOAT', 'f', '0.1'],
    ['INCRBYFLOAT', 'f', '0.2'],
    ['INCRBYFLOAT', 'f', '1e3'],
    ['INCRBYFLOAT', 'f', '-1000.3'],
    ['SET', 'u', 'héllo wörld ✓'],
    ['STRLEN', 'u'],
    ['GET', 'u'],
    ['GETRANGE', 'u', 0, 1],
    ['MSET', 'a', 1, 'b', 2, 'c', 3],
    ['MGET', 'a', 'b', 'c', 'nosuch'],
    ['MSETNX', 'a', 9, 'd', 4],
    ['SETNX', 'a', 'x'],
    ['SET', 'a', 'x', 'NX'],
    ['SET', 'a', 'y', 'XX', 'GET'],
    ['GETSET', 'a', 'z'],
    ['GETDEL', 'a'],
    ['GET', 'a'],
    ['SET', 'k', 'v', 'EX', 100, 'GET'],
    { cmd: ['TTL', 'k'], as: within(90, 100) },
    ['SET', 'k', 'w', 'KEEPTTL'],
    { cmd: ['TTL', 'k'], as: within(90, 100) },
    ['GETEX', 'k', 'PERSIST'],
    ['TTL', 'k'],
    ['LCS', 's1', 'u'],
    ['SET', 'lcs1', 'ohmytext'],
    ['SET', 'lcs2', 'mynewtext'],
    ['LCS', 'lcs1', 'lcs2'],
    ['LCS', 'lcs1', 'lcs2', 'IDX', 'MINMATCHLEN', 2, 'WITHMATCHLEN'],
    ['SUBSTR', 's1', 0, 2],
    ['SETEX', 'se', 50, 'x'],
    ['PSETEX', 'pse', 50000, 'x'],
    { cmd: ['PTTL', 'pse'], as: within(45_000, 50_000) },
  ]),
  script('strings: binary values and keys', [
    ['SET', 'bin', ALL_BYTES],
    { cmd: ['GET', 'bin'], as: 'buffer' },
    ['STRLEN', 'bin'],
    { cmd: ['GETRANGE', 'bin', 250, -1], as: 'buffer' },
    ['APPEND', 'bin', Buffer.from([0xff, 0x00, 0xfe])],
    { cmd: ['GETRANGE', 'bin', -4, -1], as: 'buffer' },
    ['SET', BAD_UTF8_KEY, Buffer.from([0xc3, 0x28])],
    { cmd: ['GET', BAD_UTF8_KEY], as: 'buffer' },
    { cmd: ['KEYS', '*'], as: (r) => (Array.isArray(r) ? r.map((k) => (Buffer.isBuffer(k) ? k.toString('hex') : k)).sort() : r) },
    ['SET', 'crlf', 'a\r\nb\r\n$3\r\n*1\r\n'],
    { cmd: ['GET', 'crlf'], as: 'buffer' },
    ['SET', 'empty', ''],
    { cmd: ['GET', 'empty'], as: 'buffer' },
    ['STRLEN', 'empty'],
    ['SETRANGE', 'sr', 5, Buffer.from([0xff])],
    { cmd: ['GET', 'sr'], as: 'buffer' },
  ]),
  script('strings: a 20 MB value and 1 MB appends', [
    ['SET', 'big', BIG],
    ['STRLEN', 'big'],
    { cmd: ['GET', 'big'], as: 'digest' },
    { cmd: ['GETRANGE', 'big', 10_000_000, 10_000_031], as: 'buffer' },
    ['APPEND', 'big', MB],
    ['APPEND', 'big', MB],
    { cmd: ['GET', 'big'], as: 'digest' },
    { cmd: ['GETRANGE', 'big', -5, -1], as: 'buffer' },
    ['SETRANGE', 'big', 1, 'xyz'],
    { cmd: ['GETRANGE', 'big', 0, 5], as: 'buffer' },
    ['DEL', 'big'],
  ]),
  script('lists', [
    ['RPUSH', 'l', 'a', 'b', 'c', 'd', 'e'],
    ['LPUSH', 'l', 'z'],
    ['LRANGE', 'l', 0, -1],
    ['LLEN', 'l'],
    ['LINDEX', 'l', 2],
    ['LINDEX', 'l', -1],
    ['LINDEX', 'l', 100],
    ['LINSERT', 'l', 'BEFORE', 'c', 'x'],
    ['LINSERT', 'l', 'AFTER', 'nosuch', 'x'],
    ['LSET', 'l', 0, 'Z'],
    ['LSET', 'l', 100, 'x'],
    ['LREM', 'l', 0, 'x'],
    ['RPUSH', 'l', 'c', 'c'],
    ['LPOS', 'l', 'c'],
    ['LPOS', 'l', 'nosuch'],
    ['LPOS', 'l', 'c', 'RANK', 2, 'COUNT', 0],
    ['LPOS', 'l', 'c', 'RANK', -1],
    ['LPOP', 'l', 2],
    ['RPOP', 'l'],
    ['LMOVE', 'l', 'l2', 'LEFT', 'RIGHT'],
    ['RPOPLPUSH', 'l', 'l2'],
    ['LRANGE', 'l2', 0, -1],
    ['LTRIM', 'l', 1, -2],
    ['LRANGE', 'l', 0, -1],
    ['LPUSHX', 'nol', 'x'],
    ['RPUSHX', 'l', 'y'],
    ['LMPOP', 2, 'nol', 'l', 'LEFT', 'COUNT', 2],
    ['LMPOP', 1, 'nol', 'RIGHT'],
    ['RPUSH', 'big', ...Array.from({ length: 1000 }, (_, i) => `e${i}`)],
    ['LRANGE', 'big', 100, 110],
    ['LINDEX', 'big', 500],
    ['LRANGE', 'big', -3, -1],
    ['LREM', 'big', -1, 'e999'],
    ['LLEN', 'big'],
    ['LPOP', 'nol'],
    ['LPOP', 'nol', 2],
    ['LRANGE', 'l', 5, 1],
  ]),
  script('hashes', [
    ['HSET', 'h', 'f1', 'v1', 'f2', 'v2'],
    ['HGET', 'h', 'f1'],
    ['HGETALL', 'h'],
    ['HMGET', 'h', 'f1', 'nosuch', 'f2'],
    ['HINCRBY', 'h', 'n', 5],
    ['HINCRBYFLOAT', 'h', 'x', '2.5'],
    ['HINCRBYFLOAT', 'h', 'x', '0.1'],
    ['HINCRBY', 'h', 'f2', 1],
    ['HDEL', 'h', 'f1', 'nosuch'],
    ['HLEN', 'h'],
    ['HEXISTS', 'h', 'f2'],
    ['HKEYS', 'h'],
    ['HVALS', 'h'],
    ['HSTRLEN', 'h', 'f2'],
    ['HSETNX', 'h', 'f2', 'y'],
    ['HSETNX', 'h', 'f3', 'y'],
    ['HMSET', 'h', 'a', 1, 'b', 2],
    ['HGETALL', 'h'],
    ['HSCAN', 'h', 0],
    ['HSCAN', 'h', 0, 'MATCH', 'f*'],
    ['HRANDFIELD', 'nosuch'],
    ['HGET', 'nosuch', 'f'],
    ['HSET', 'big', ...pairs(300)],
    ['HLEN', 'big'],
    ['HGET', 'big', 'f123'],
    { cmd: ['HKEYS', 'big'], as: 'sorted' },
    { cmd: ['HRANDFIELD', 'big', 400], as: 'sorted' },
    ['HSET', 'h', 'f'],
  ]),
  script('sets', [
    ['SADD', 's', 'a', 'b', 'c'],
    ['SADD', 's', 'a'],
    ['SCARD', 's'],
    { cmd: ['SMEMBERS', 's'], as: 'sorted' },
    ['SISMEMBER', 's', 'a'],
    ['SMISMEMBER', 's', 'a', 'x'],
    ['SREM', 's', 'a', 'x'],
    ['SADD', 's2', 'b', 'c', 'd'],
    { cmd: ['SINTER', 's', 's2'], as: 'sorted' },
    { cmd: ['SUNION', 's', 's2'], as: 'sorted' },
    { cmd: ['SDIFF', 's2', 's'], as: 'sorted' },
    ['SINTERCARD', 2, 's', 's2'],
    ['SINTERCARD', 2, 's', 's2', 'LIMIT', 1],
    ['SMOVE', 's', 's3', 'b'],
    { cmd: ['SMEMBERS', 's3'], as: 'sorted' },
    ['SINTERSTORE', 'dst', 's', 's2'],
    { cmd: ['SMEMBERS', 'dst'], as: 'sorted' },
    ['SUNIONSTORE', 'dst', 's', 's2', 'nosuch'],
    ['SADD', 'i', 3, 1, 2, -5, 100],
    ['SMEMBERS', 'i'],
    ['SPOP', 'nosuch'],
    ['SRANDMEMBER', 'nosuch'],
    ['SRANDMEMBER', 'nosuch', 3],
    ['SADD', 'big', ...Array.from({ length: 600 }, (_, i) => `m${i}`)],
    ['SCARD', 'big'],
    ['SISMEMBER', 'big', 'm599'],
    { cmd: ['SRANDMEMBER', 'big', 1000], as: 'sorted' },
    { cmd: ['SPOP', 's2', 10], as: 'sorted' },
    ['EXISTS', 's2'],
  ]),
  script('sorted sets', [
    ['ZADD', 'z', 1, 'a', 2, 'b', 3, 'c'],
    ['ZADD', 'z', 'NX', 10, 'a'],
    ['ZADD', 'z', 'XX', 'CH', 5, 'b'],
    ['ZADD', 'z', 'GT', 4, 'c'],
    ['ZADD', 'z', 'INCR', 1, 'a'],
    ['ZADD', 'z', 'NX', 'XX', 1, 'a'],
    ['ZADD', 'z', 'nan', 'x'],
    ['ZRANGE', 'z', 0, -1, 'WITHSCORES'],
    ['ZREVRANGE', 'z', 0, 1],
    ['ZRANGEBYSCORE', 'z', '(1', '+inf', 'WITHSCORES', 'LIMIT', 0, 2],
    ['ZRANGE', 'z', '+inf', '-inf', 'BYSCORE', 'REV'],
    ['ZRANK', 'z', 'b'],
    ['ZREVRANK', 'z', 'b'],
    ['ZRANK', 'z', 'nosuch'],
    ['ZSCORE', 'z', 'a'],
    ['ZMSCORE', 'z', 'a', 'nosuch'],
    ['ZINCRBY', 'z', '0.1', 'a'],
    ['ZINCRBY', 'z', '0.2', 'a'],
    ['ZSCORE', 'z', 'a'],
    ['ZCOUNT', 'z', '-inf', '+inf'],
    ['ZADD', 'z', 'inf', 'i', '-inf', 'j', '1e300', 'k', '-0.0', 'zero', '3.14159265358979', 'pi'],
    ['ZRANGE', 'z', 0, -1, 'WITHSCORES'],
    ['ZADD', 'lex', 0, 'a', 0, 'b', 0, 'c', 0, 'd'],
    ['ZRANGEBYLEX', 'lex', '[b', '(d'],
    ['ZRANGE', 'lex', '[d', '-', 'BYLEX', 'REV', 'LIMIT', 0, 2],
    ['ZLEXCOUNT', 'lex', '-', '+'],
    ['ZPOPMIN', 'z'],
    ['ZPOPMAX', 'z', 2],
    ['ZADD', 'z2', 1, 'x', 2, 'b'],
    ['ZUNIONSTORE', 'u', 2, 'z', 'z2', 'WEIGHTS', 2, 3],
    ['ZRANGE', 'u', 0, -1, 'WITHSCORES'],
    ['ZINTER', 2, 'z', 'z2', 'WITHSCORES'],
    ['ZDIFF', 2, 'z', 'z2'],
    ['ZRANGESTORE', 'rs', 'z', 0, 1],
    ['ZREMRANGEBYRANK', 'z', 0, 0],
    ['ZREMRANGEBYSCORE', 'z', '-inf', 1],
    ['ZMPOP', 2, 'nosuch', 'z', 'MIN', 'COUNT', 2],
    ['ZCARD', 'z'],
    ['ZADD', 'big', ...Array.from({ length: 500 }, (_, i) => [((i * 7919) % 1000) / 10, `m${i}`]).flat()],
    ['ZRANGE', 'big', 100, 105, 'WITHSCORES'],
    ['ZRANK', 'big', 'm250'],
    ['ZCOUNT', 'big', 10, 20],
    ['ZRANGEBYSCORE', 'big', 50, '(50.5'],
  ]),
  script('streams and consumer groups', [
    ['XADD', 'st', '1-1', 'f', 'v'],
    ['XADD', 'st', '1-2', 'f', 'v2', 'g', 'w'],
    ['XADD', 'st', '2-*', 'a', 'b'],
    ['XADD', 'st', '1-0', 'x', 'y'],
    ['XLEN', 'st'],
    ['XRANGE', 'st', '-', '+'],
    ['XRANGE', 'st', '-', '+', 'COUNT', 1],
    ['XREVRANGE', 'st', '+', '-'],
    ['XRANGE', 'st', '(1-1', '+'],
    ['XDEL', 'st', '1-2', '9-9'],
    ['XTRIM', 'st', 'MAXLEN', 1],
    ['XRANGE', 'st', '-', '+'],
    ['XADD', 'nosuch', 'NOMKSTREAM', '*', 'f', 'v'],
    { cmd: ['XADD', 'auto', '*', 'f', 'v'], as: (r) => (typeof r === 'string' && /^\d+-0$/.test(r) ? 'ms-0' : r) },
    ['XADD', 'g', '1-1', 'a', 1],
    ['XADD', 'g', '1-2', 'b', 2],
    ['XADD', 'g', '1-3', 'c', 3],
    ['XGROUP', 'CREATE', 'g', 'grp', 0],
    ['XGROUP', 'CREATE', 'g', 'grp', 0],
    ['XGROUP', 'CREATE', 'nosuch', 'grp', '$'],
    ['XGROUP', 'CREATE', 'nosuch', 'grp', '$', 'MKSTREAM'],
    ['XREADGROUP', 'GROUP', 'grp', 'c1', 'COUNT', 2, 'STREAMS', 'g', '>'],
    ['XREADGROUP', 'GROUP', 'grp', 'c2', 'STREAMS', 'g', '>'],
    ['XREADGROUP', 'GROUP', 'grp', 'c2', 'STREAMS', 'g', '>'],
    ['XPENDING', 'g', 'grp'],
    ['XACK', 'g', 'grp', '1-1', '5-5'],
    ['XPENDING', 'g', 'grp'],
    { cmd: ['XPENDING', 'g', 'grp', '-', '+', 10], as: (r) => (Array.isArray(r) ? r.map((e) => (Array.isArray(e) ? [e[0], e[1], typeof e[2], e[3]] : e)) : r) },
    ['XREADGROUP', 'GROUP', 'grp', 'c1', 'STREAMS', 'g', 0],
    ['XCLAIM', 'g', 'grp', 'c3', 0, '1-2', 'JUSTID'],
    ['XCLAIM', 'g', 'grp', 'c3', 0, '1-3'],
    ['XAUTOCLAIM', 'g', 'grp', 'c4', 0, '0-0', 'COUNT', 10, 'JUSTID'],
    ['XINFO', 'GROUPS', 'g'],
    { cmd: ['XINFO', 'CONSUMERS', 'g', 'grp'], as: withoutIdle },
    ['XGROUP', 'CREATECONSUMER', 'g', 'grp', 'c9'],
    ['XGROUP', 'DELCONSUMER', 'g', 'grp', 'c4'],
    ['XGROUP', 'SETID', 'g', 'grp', '1-1', 'ENTRIESREAD', 1],
    ['XINFO', 'GROUPS', 'g'],
    ['XREAD', 'COUNT', 1, 'STREAMS', 'g', 'st', '0', '0'],
    ['XREAD', 'STREAMS', 'g', '$'],
    ['XINFO', 'STREAM', 'g'],
    ['XADD', 'g', 'MAXLEN', 2, '2-0', 'd', 4],
    ['XRANGE', 'g', '-', '+'],
    ['XSETID', 'g', '5-0'],
    ['XADD', 'g', '4-0', 'x', 'y'],
    ['XGROUP', 'DESTROY', 'g', 'grp'],
    ['XINFO', 'GROUPS', 'g'],
  ]),
  script('bitmaps', [
    ['SETBIT', 'b', 7, 1],
    ['SETBIT', 'b', 100, 1],
    ['SETBIT', 'b', 7, 0],
    ['SETBIT', 'b', 6, 1],
    ['GETBIT', 'b', 6],
    ['GETBIT', 'b', 1000],
    ['BITCOUNT', 'b'],
    ['BITCOUNT', 'b', 0, 0],
    ['BITCOUNT', 'b', 0, 7, 'BIT'],
    ['BITPOS', 'b', 1],
    ['BITPOS', 'b', 0],
    ['BITPOS', 'b', 1, 2, -1, 'BYTE'],
    ['BITPOS', 'b', 1, 7, 200, 'BIT'],
    { cmd: ['GET', 'b'], as: 'buffer' },
    ['SET', 'b2', Buffer.from([0xff, 0x0f, 0xf0])],
    ['BITOP', 'AND', 'd', 'b', 'b2'],
    { cmd: ['GET', 'd'], as: 'buffer' },
    ['BITOP', 'OR', 'd', 'b', 'b2'],
    ['BITOP', 'XOR', 'd', 'b', 'b2'],
    { cmd: ['GET', 'd'], as: 'buffer' },
    ['BITOP', 'NOT', 'n', 'b2'],
    { cmd: ['GET', 'n'], as: 'buffer' },
    ['BITFIELD', 'bf', 'SET', 'u8', 0, 255, 'GET', 'u8', 0, 'INCRBY', 'i5', 100, 1, 'OVERFLOW', 'SAT', 'INCRBY', 'u2', 102, 1],
    ['BITFIELD', 'bf', 'OVERFLOW', 'FAIL', 'INCRBY', 'u8', 0, 10, 'OVERFLOW', 'WRAP', 'INCRBY', 'i8', '#1', 200],
    ['BITFIELD_RO', 'bf', 'GET', 'u16', 0, 'GET', 'i4', 4],
    { cmd: ['GET', 'bf'], as: 'buffer' },
    ['SETBIT', 'b', -1, 1],
    ['SETBIT', 'b', 0, 2],
    ['BITFIELD', 'bf', 'GET', 'u64', 0],
  ]),
  script('HyperLogLog', [
    ['PFADD', 'h1', 'a', 'b', 'c', 'd'],
    ['PFADD', 'h1', 'a'],
    ['PFCOUNT', 'h1'],
    ['PFADD', 'h2', 'c', 'd', 'e', 'f'],
    ['PFCOUNT', 'h1', 'h2'],
    ['PFMERGE', 'h3', 'h1', 'h2'],
    ['PFCOUNT', 'h3'],
    { cmd: ['GET', 'h3'], as: 'buffer' },
    ['PFADD', 'dense', ...Array.from({ length: 3000 }, (_, i) => `el-${i}`)],
    ['PFCOUNT', 'dense'],
    { cmd: ['GET', 'dense'], as: 'digest' },
    ['PFMERGE', 'h3', 'dense'],
    ['PFCOUNT', 'h3'],
    ['PFADD', 'empty'],
    { cmd: ['GET', 'empty'], as: 'buffer' },
    ['SET', 'str', 'not an hll'],
    ['PFADD', 'str', 'x'],
    ['PFCOUNT', 'str'],
  ]),
  script('expiry', [
    ['SET', 'e', 'v', 'EX', 100],
    { cmd: ['TTL', 'e'], as: within(90, 100) },
    { cmd: ['PTTL', 'e'], as: within(90_000, 100_000) },
    ['EXPIRE', 'e', 50, 'GT'],
    ['EXPIRE', 'e', 200, 'GT'],
    { cmd: ['TTL', 'e'], as: within(190, 200) },
    ['EXPIRE', 'e', 10, 'LT'],
    ['EXPIRE', 'e', 10, 'NX'],
    ['EXPIRE', 'e', 5, 'XX', 'GT'],
    ['EXPIRE', 'e', 10, 'NX', 'XX'],
    ['PERSIST', 'e'],
    ['PERSIST', 'e'],
    ['TTL', 'e'],
    ['TTL', 'nosuch'],
    ['PTTL', 'nosuch'],
    ['EXPIRE', 'nosuch', 10],
    ['PEXPIREAT', 'e', '4102444800123'],
    ['EXPIRETIME', 'e'],
    ['PEXPIRETIME', 'e'],
    ['EXPIRETIME', 'nosuch'],
    ['SET', 'e2', 'v'],
    ['EXPIREAT', 'e2', 1],
    ['GET', 'e2'],
    ['EXISTS', 'e2'],
    ['SET', 'p', 'v', 'PX', 100],
    ['HSET', 'ph', 'f', 'v'],
    ['PEXPIRE', 'ph', 100],
    ['RPUSH', 'pl', 'a'],
    ['EXPIRE', 'pl', '0'],
    ['EXISTS', 'pl'],
    { sleep: 300 },
    ['GET', 'p'],
    ['HGETALL', 'ph'],
    ['EXISTS', 'p', 'ph'],
    ['SET', 'q', 'v', 'EX', 1000],
    ['RENAME', 'q', 'q2'],
    { cmd: ['TTL', 'q2'], as: within(990, 1000) },
    ['SET', 'q2', 'w'],
    ['TTL', 'q2'],
    ['EXPIRE', 'q2', '9223372036854775807'],
    ['EXPIRE', 'q2', 'abc'],
    ['SET', 'x', 'v', 'EX', 0],
    ['SET', 'x', 'v', 'EX', 10, 'PX', 10],
    ['GETEX', 'q2', 'EX', 100],
    { cmd: ['TTL', 'q2'], as: within(90, 100) },
  ]),
  script('keyspace', [
    ['MSET', 'k1', 'a', 'k2', 'b', 'other', 'c'],
    ['RPUSH', 'list', 'x'],
    ['ZADD', 'zs', 1, 'x'],
    { cmd: ['KEYS', 'k*'], as: 'sorted' },
    { cmd: ['KEYS', '*'], as: 'sorted' },
    ['DBSIZE'],
    ['TYPE', 'k1'],
    ['TYPE', 'list'],
    ['TYPE', 'zs'],
    ['TYPE', 'nosuch'],
    ['EXISTS', 'k1', 'k1', 'nosuch'],
    ['RENAME', 'k1', 'k3'],
    ['RENAMENX', 'k2', 'k3'],
    ['RENAME', 'nosuch', 'x'],
    ['COPY', 'k3', 'k4'],
    ['COPY', 'k3', 'k4'],
    ['COPY', 'k3', 'k4', 'REPLACE'],
    ['DEL', 'k2', 'nosuch'],
    ['UNLINK', 'k4'],
    ['MOVE', 'k3', 1],
    ['SELECT', 1],
    ['GET', 'k3'],
    ['SELECT', 0],
    ['SWAPDB', 0, 1],
    { cmd: ['KEYS', '*'], as: 'sorted' },
    ['SWAPDB', 0, 1],
    ['SELECT', 16],
    ['OBJECT', 'ENCODING', 'list'],
    ['OBJECT', 'ENCODING', 'zs'],
    ['OBJECT', 'ENCODING', 'other'],
    ['SET', 'num', '12345'],
    ['OBJECT', 'ENCODING', 'num'],
    ['TOUCH', 'other', 'nosuch'],
    {
      cmd: ['SCAN', 0, 'COUNT', 1000],
      as: (r) => (Array.isArray(r) && Array.isArray(r[1]) ? [r[0], sortedReply(r[1])] : r),
    },
    ['SCAN', 0, 'TYPE', 'zset'],
    ['DEL', 'k3', 'other', 'list', 'num'],
    ['RANDOMKEY'],
    ['FLUSHDB'],
    ['RANDOMKEY'],
    ['DBSIZE'],
  ]),
];

/** Commands whose error replies must be Redis' own text (a client library shows them as they are). */
export const errorScenario = script('errors (wrong type, syntax, arity, unknown command)', [
  ['SET', 's', 'v'],
  ['LPUSH', 's', 'x'],
  ['HGET', 's', 'f'],
  ['ZADD', 's', 1, 'm'],
  ['XADD', 's', '*', 'f', 'v'],
  ['INCR', 's'],
  ['INCRBYFLOAT', 's', 1],
  ['SET', 'k', 'v', 'XX', 'NX'],
  ['SET', 'k', 'v', 'EX', 'ten'],
  ['GET'],
  ['GET', 'a', 'b'],
  ['NOSUCHCMD', 'a', 'b'],
  ['nosuchcmd'],
  ['CONFIG', 'NOSUCHSUB'],
  ['OBJECT', 'ENCODING'],
  ['ZADD', 'z', 'x', 'a'],
  ['ZRANGEBYSCORE', 'z', 'a', 'b'],
  ['LRANGE', 'l', 'a', 'b'],
  ['EXPIRE', 'k', '1.5'],
  ['HINCRBYFLOAT', 'h', 'f', 'nan'],
  ['SETBIT', 'k', 4294967296, 1],
  ['BITFIELD', 'k', 'GET', 'u64', 0],
  ['XADD', 'st', 'bad-id', 'f', 'v'],
  ['XGROUP', 'CREATE', 'nosuch', 'g', '$'],
  ['SELECT', 99],
  ['SELECT', 'x'],
  ['HELLO', 4],
  ['HELLO', 'x'],
  ['CLIENT', 'SETNAME', 'bad name'],
  ['WATCH'],
  ['EXEC'],
  ['DISCARD'],
  ['MULTI'],
  ['MULTI'],
  ['WATCH', 'x'],
  ['DISCARD'],
  ['GETRANGE', 'k'],
  ['SUBSCRIBE'],
  ['PING', 'a', 'b'],
  ['DEBUG', 'NOSUCH'],
  ['SCRIPT', 'FLUSH', 'x'],
  ['AUTH', 'x'],
  ['SET', 'k', 'v', 'GET', 'GET'],
  ['SINTERCARD', 0, 'a'],
  ['LPOS', 'l', 'x', 'RANK', 0],
  ['ZRANGESTORE', 'd', 's', 0, 1],
  ['GETRANGE', 's', 'x', 1],
]);

export const transactionScenarios: Scenario[] = [
  script('MULTI/EXEC', [
    ['MULTI'],
    ['SET', 't', 1],
    ['INCR', 't'],
    ['LPUSH', 't', 'x'],
    ['GET', 't'],
    ['EXEC'],
    ['MULTI'],
    ['SET', 't', 1],
    ['NOSUCH'],
    ['SET', 't', 2, 'XX', 'NX'],
    ['EXEC'],
    ['GET', 't'],
    ['MULTI'],
    ['INCR', 't'],
    ['DISCARD'],
    ['GET', 't'],
    ['MULTI'],
    ['EXEC'],
    ['MULTI'],
    ['BLPOP', 'nosuch', 0],
    ['PING'],
    ['EXEC'],
  ]),
  script('WATCH: a write by another connection makes EXEC return null', [
    ['SET', 'w', 'start'],
    ['WATCH', 'w'],
    { cmd: ['SET', 'w', 'other'], c: 1 },
    ['MULTI'],
    ['SET', 'w', 'mine'],
    ['EXEC'],
    ['GET', 'w'],
    ['WATCH', 'w'],
    ['MULTI'],
    ['SET', 'w', 'mine'],
    ['EXEC'],
    ['GET', 'w'],
    ['WATCH', 'w', 'nosuch'],
    { cmd: ['SET', 'nosuch', 'x'], c: 1 },
    ['UNWATCH'],
    ['MULTI'],
    ['INCR', 'cnt'],
    ['EXEC'],
    ['WATCH', 'gone'],
    { cmd: ['SET', 'gone', 'x', 'PX', 1], c: 1 },
    ['WATCH', 'w'],
    { cmd: ['DEL', 'w'], c: 1 },
    ['MULTI'],
    ['PING'],
    ['EXEC'],
    ['WATCH', 'fl'],
    { cmd: ['FLUSHALL'], c: 1 },
    ['MULTI'],
    ['PING'],
    ['EXEC'],
  ]),
];

/** Thousands of commands in flight on one connection (both libraries pipeline what is not awaited). */
export const pipelineScenario: Scenario = {
  name: 'pipeline: 10,000 commands in flight, then 2,000 1 KB SETs',
  async run(open) {
    const c = await open();
    const ps: Promise<unknown>[] = [];
    for (let i = 0; i < 2500; i++) {
      ps.push(c.call('SET', `k${i}`, `v${i}`));
      ps.push(c.call('INCR', 'counter'));
      ps.push(c.call('RPUSH', 'list', i));
      ps.push(i % 100 === 99 ? c.call('LPUSH', `k${i}`, 'x') : c.call('GET', `k${i - 1}`));
    }
    const replies = await Promise.all(ps);
    const value = bytes(1024, 3);
    const sets = await Promise.all(Array.from({ length: 2000 }, (_, i) => c.call('SET', `big${i}`, value)));
    return { replies, sets: [...new Set(sets.map(String))], counter: await c.call('GET', 'counter'), list: await c.call('LLEN', 'list'), last: digest(await c.callBuffer('GET', 'big1999')) };
  },
};

export const blockingScenarios: Scenario[] = [
  {
    name: 'blocking: BLPOP served by another connection',
    async run(open) {
      const [a, b, admin] = [await open(), await open(), await open()];
      const p = a.call('BLPOP', 'q1', 'q2', 0);
      const blocked = await blockedClients(admin, 1);
      const pushed = await b.call('RPUSH', 'q2', 'x', 'y');
      const popped = await p;
      return { blocked, pushed, popped, left: await b.call('LRANGE', 'q2', 0, -1), after: await blockedClients(admin, 0) };
    },
  },
  {
    name: 'blocking: timeouts',
    async run(open) {
      const a = await open();
      return {
        blpop: await timed(a.call('BLPOP', 'nosuch', '0.2'), 180, 1500),
        bzpopmin: await timed(a.call('BZPOPMIN', 'nosuch', '0.1'), 80, 1500),
        xread: await timed(a.call('XREAD', 'BLOCK', 150, 'STREAMS', 'nosuch', '$'), 130, 1500),
        blmove: await timed(a.call('BLMOVE', 'nosuch', 'dst', 'LEFT', 'RIGHT', '0.1'), 80, 1500),
        negative: await a.call('BLPOP', 'nosuch', -1),
        notFloat: await a.call('BLPOP', 'nosuch', 'abc'),
      };
    },
  },
  {
    name: 'blocking: several waiters are served in the order they blocked',
    async run(open) {
      const [w1, w2, w3, b, admin] = [await open(), await open(), await open(), await open(), await open()];
      const p1 = w1.call('BLPOP', 'q', 0);
      await blockedClients(admin, 1);
      const p2 = w2.call('BRPOP', 'q', 0);
      await blockedClients(admin, 2);
      const p3 = w3.call('BLPOP', 'other', 'q', 0);
      await blockedClients(admin, 3);
      const pushed = await b.call('RPUSH', 'q', 'x', 'y');
      const first = await Promise.all([p1, p2]);
      const stillBlocked = await blockedClients(admin, 1);
      const pushed2 = await b.call('LPUSH', 'q', 'z');
      return { pushed, first, stillBlocked, pushed2, third: await p3, left: await b.call('LLEN', 'q') };
    },
  },
  {
    name: 'blocking: BLMOVE, BZPOPMIN, XREAD, XREADGROUP and BLMPOP served',
    async run(open) {
      const [a, b, admin] = [await open(), await open(), await open()];
      const out: Record<string, unknown> = {};
      let p = a.call('BLMOVE', 'src', 'dst', 'RIGHT', 'LEFT', 0);
      await blockedClients(admin, 1);
      await b.call('RPUSH', 'src', 'one', 'two');
      out.blmove = [await p, await b.call('LRANGE', 'dst', 0, -1)];
      p = a.call('BZPOPMIN', 'z1', 'z2', 0);
      await blockedClients(admin, 1);
      await b.call('ZADD', 'z2', 2, 'b', 1, 'a');
      out.bzpopmin = await p;
      p = a.call('XREAD', 'BLOCK', 0, 'STREAMS', 's', '$');
      await blockedClients(admin, 1);
      await b.call('XADD', 's', '5-1', 'f', 'v');
      out.xread = await p;
      await b.call('XGROUP', 'CREATE', 's', 'g', '$');
      p = a.call('XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', 0, 'STREAMS', 's', '>');
      await blockedClients(admin, 1);
      await b.call('XADD', 's', '6-1', 'g', 'w');
      out.xreadgroup = [await p, await b.call('XPENDING', 's', 'g')];
      p = a.call('BLMPOP', 0, 2, 'm1', 'm2', 'RIGHT', 'COUNT', 5);
      await blockedClients(admin, 1);
      await b.call('RPUSH', 'm2', 1, 2, 3);
      out.blmpop = await p;
      p = a.call('BRPOPLPUSH', 'r', 'r2', 0);
      await blockedClients(admin, 1);
      await b.call('LPUSH', 'r', 'v');
      out.brpoplpush = [await p, await b.call('LRANGE', 'r2', 0, -1)];
      return out;
    },
  },
  {
    name: 'blocking: a pipelined command waits for the BLPOP before it; CLIENT UNBLOCK',
    async run(open) {
      const [a, b, admin] = [await open(), await open(), await open()];
      const order: string[] = [];
      const p1 = a.call('BLPOP', 'q', 0).then((r) => (order.push('blpop'), r));
      const p2 = a.call('PING').then((r) => (order.push('ping'), r));
      await blockedClients(admin, 1);
      await sleep(50);
      const early = [...order];
      await b.call('RPUSH', 'q', 'v');
      const replies = await Promise.all([p1, p2]);
      const id = await a.call('CLIENT', 'ID');
      const p3 = a.call('BLPOP', 'q', 0);
      await blockedClients(admin, 1);
      const unblock = await b.call('CLIENT', 'UNBLOCK', id as number);
      const unblocked = await p3;
      const p4 = a.call('BRPOP', 'q', 0);
      await blockedClients(admin, 1);
      const unblockError = await b.call('CLIENT', 'UNBLOCK', id as number, 'ERROR');
      return { early, order, replies, unblock, unblocked, unblockError, errored: await p4, notBlocked: await b.call('CLIENT', 'UNBLOCK', id as number) };
    },
  },
];

export const clientScenarios: Scenario[] = [
  {
    name: 'CLIENT SETNAME/GETNAME/LIST/INFO/KILL',
    async run(open) {
      const [a, b, c] = [await open(), await open(), await open()];
      const out: Record<string, unknown> = {};
      out.setname = await a.call('CLIENT', 'SETNAME', 'alpha');
      out.getname = await a.call('CLIENT', 'GETNAME');
      out.unnamed = await b.call('CLIENT', 'GETNAME');
      out.badName = await a.call('CLIENT', 'SETNAME', 'a b');
      await b.call('CLIENT', 'SETNAME', 'beta');
      await b.call('SELECT', 3);
      const list = clientLines(await a.call('CLIENT', 'LIST'));
      out.count = list.length;
      out.alpha = clientFacts(list.find((l) => l.name === 'alpha'));
      out.beta = clientFacts(list.find((l) => l.name === 'beta'));
      out.info = clientFacts(clientLines(await b.call('CLIENT', 'INFO'))[0]);
      const aid = await a.call('CLIENT', 'ID');
      const bid = await b.call('CLIENT', 'ID');
      out.byId = clientLines(await c.call('CLIENT', 'LIST', 'ID', aid as number, bid as number)).map((l) => l.name);
      out.typeNormal = clientLines(await c.call('CLIENT', 'LIST', 'TYPE', 'normal')).length;
      out.typePubsub = await c.call('CLIENT', 'LIST', 'TYPE', 'pubsub');
      out.idsDiffer = aid !== bid;
      out.killB = await a.call('CLIENT', 'KILL', 'ID', bid as number);
      out.bClosed = await Promise.race([b.closed.then(() => true), sleep(3000).then(() => false)]);
      out.bAfterKill = await b.call('PING');
      out.killNone = await a.call('CLIENT', 'KILL', 'ID', 987654);
      out.killBadAddr = await a.call('CLIENT', 'KILL', '1.2.3.4:5');
      const cAddr = clientLines(await c.call('CLIENT', 'INFO'))[0]?.addr;
      out.killAddr = await a.call('CLIENT', 'KILL', cAddr ?? '?');
      out.cClosed = await Promise.race([c.closed.then(() => true), sleep(3000).then(() => false)]);
      out.left = clientLines(await a.call('CLIENT', 'LIST')).length;
      out.noEvict = await a.call('CLIENT', 'NO-EVICT', 'on');
      out.setnameEmpty = await a.call('CLIENT', 'SETNAME', '');
      out.getnameEmpty = await a.call('CLIENT', 'GETNAME');
      return out;
    },
  },
  {
    name: 'QUIT replies OK and closes',
    async run(open) {
      const [a, b] = [await open(), await open()];
      await a.call('SET', 'before-quit', 1);
      const quit = await a.call('QUIT');
      const closed = await Promise.race([a.closed.then(() => true), sleep(3000).then(() => false)]);
      return { quit, closed, after: await a.call('PING'), other: await b.call('GET', 'before-quit'), clients: clientLines(await b.call('CLIENT', 'LIST')).length };
    },
  },
  {
    name: 'AUTH with requirepass: NOAUTH before, WRONGPASS, OK after',
    async run(open) {
      const admin = await open();
      const out: Record<string, unknown> = {};
      out.set = await admin.call('CONFIG', 'SET', 'requirepass', 's3cret');
      try {
        let c: Conn;
        try {
          c = await open({ handshake: false });
        } catch (e) {
          return { ...out, connect: plain(e) };
        }
        out.noauth = await c.call('GET', 'k');
        out.noauthPing = await c.call('PING');
        out.wrong = await c.call('AUTH', 'nope');
        out.wrongUser = await c.call('AUTH', 'nobody', 's3cret');
        out.tooMany = await c.call('AUTH', 'a', 'b', 'c');
        out.stillNoauth = await c.call('SET', 'k', 'v');
        out.ok = await c.call('AUTH', 's3cret');
        out.after = await c.call('SET', 'k', 'v');
        out.okUser = await c.call('AUTH', 'default', 's3cret');
        out.helloAuth = plain(await c.call('HELLO', 2, 'AUTH', 'default', 'bad'));
        out.stillAuthed = await c.call('GET', 'k');
        out.adminStillAuthed = await admin.call('GET', 'k');
        const d = await open({ handshake: false });
        out.helloBefore = await d.call('HELLO', 2);
        out.helloAuthOk = ((await d.call('HELLO', 2, 'AUTH', 'default', 's3cret')) as unknown[] | undefined)?.slice?.(4, 6);
        out.dGet = await d.call('GET', 'k');
      } finally {
        out.unset = await admin.call('CONFIG', 'SET', 'requirepass', '');
      }
      const e = await open();
      out.noPassword = await e.call('AUTH', 'x');
      return out;
    },
  },
];

/** Every scenario that works over the generic `Conn` (both libraries, any RESP version). */
export const sharedScenarios: Scenario[] = [
  ...dataTypeScenarios,
  errorScenario,
  ...transactionScenarios,
  pipelineScenario,
  ...blockingScenarios,
  ...clientScenarios,
];

/**
 * Run a scenario on one server through one library, from an empty keyspace; its connections are
 * closed afterwards, whatever happened.
 */
export async function runScenario(port: number, kind: ClientKind, scenario: Scenario): Promise<unknown> {
  // The connections of the scenario before are gone (a server notices a peer's close a moment
  // after the peer does), so a scenario that counts clients counts its own.
  const admin = await kind.open(port);
  await admin.call('FLUSHALL');
  await until(async () => clientLines(await admin.call('CLIENT', 'LIST')).filter((l) => l.addr?.startsWith('127.0.0.1:')).length === 1, 3000);
  await admin.close();
  const conns: Conn[] = [];
  const open: Open = async (options) => {
    const c = await kind.open(port, '127.0.0.1', options);
    conns.push(c);
    return c;
  };
  try {
    return plain(await scenario.run(open));
  } finally {
    await Promise.all(conns.map((c) => c.close()));
  }
}
