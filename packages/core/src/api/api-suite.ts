/**
 * The typed API's tests, as one suite that runs against any front: the in-process store and its
 * sessions (api-suite.test.ts), a real redis-server (api-suite.redis.test.ts), and the client over
 * redis:// against redis-server and lodis-server — which must give the same results. Test code only:
 * not exported from the package's entry.
 *
 *   typedApiSuite('createStore()', async () => {
 *     const store = createStore();
 *     return { client: store, close: () => store.close(), connect: async () => session(store.connect()) };
 *   });
 *
 * Each test opens a session (`open`), flushes its database, and uses keys of its own; a test that
 * needs more sessions over the same data (blocking pops, WATCH, a publisher) opens them with the
 * session's `connect`, or `open` again. Nothing depends on a clock the test controls: TTLs are
 * checked as ranges, and where only time can do it, a real sleep of a few ms (no timing assertions).
 * What only the in-process engine can show (a moved clock, encodings, engine internals) stays in
 * the tests beside each module.
 */
import { beforeEach, afterEach, describe, expect, expectTypeOf, it } from 'vitest';
import { PipelineError, ReplyError } from '../errors.js';
import type { CommandArg } from './transport.js';
import type { Integer } from './strings.js';
import type { RedisCommands } from './index.js';

/** A session on the database under test. */
export interface SuiteSession {
  client: RedisCommands;
  close(): Promise<void>;
  /** Another session over the same data (when absent, the suite calls `open` again). */
  connect?(): Promise<SuiteSession>;
}

/** The sections of the suite, one per command family. */
export type SuiteFamily =
  | 'strings'
  | 'bitmaps'
  | 'hll'
  | 'keys'
  | 'lists'
  | 'hashes'
  | 'sets'
  | 'zsets'
  | 'streams'
  | 'pubsub'
  | 'pipelines';

export interface TypedApiSuiteOptions {
  /** Run only these sections (default: all). */
  families?: SuiteFamily[];
}

const WRONGTYPE = 'WRONGTYPE Operation against a key holding the wrong kind of value';
const text = (s: string) => new TextEncoder().encode(s);
const bytes = (...b: number[]) => new Uint8Array(b);
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Poll `read` until it gives `expected` (a reply that follows from another session's or connection's doing). */
async function eventually<T>(read: () => Promise<T> | T, expected: T, what = 'value'): Promise<void> {
  let last: T | undefined;
  for (let i = 0; i < 200; i++) {
    last = await read();
    try {
      expect(last).toEqual(expected);
      return;
    } catch {
      await sleep(10);
    }
  }
  expect(last, `${what} never became what was expected`).toEqual(expected);
}

/** Whether `p` has settled, after letting the event loop turn. */
async function settled(p: Promise<unknown>): Promise<boolean> {
  let done = false;
  p.then(
    () => (done = true),
    () => (done = true),
  );
  await sleep(20);
  return done;
}

/** `lo <= v <= hi`, with the value in the message (TTL ranges are wide: a loaded machine may stall). */
function expectBetween(v: unknown, lo: number, hi: number): void {
  expect(typeof v === 'number' && v >= lo && v <= hi, `${String(v)} in [${lo}, ${hi}]`).toBe(true);
}

/** INFO clients' blocked_clients. */
async function blockedClients(r: RedisCommands): Promise<number> {
  const info = String(await r.call('INFO', 'clients'));
  return Number(/blocked_clients:(\d+)/.exec(info)![1]);
}

/**
 * Define the typed-API suite for a front: `open` gives a session on the database under test
 * (called at the start of each test; the suite flushes its database and closes every session it
 * opened at the end).
 */
export function typedApiSuite(name: string, open: () => Promise<SuiteSession>, options: TypedApiSuiteOptions = {}): void {
  const families = new Set<SuiteFamily>(options.families ?? []);
  const section = (family: SuiteFamily, body: () => void) => {
    if (families.size === 0 || families.has(family)) describe(family, body);
  };

  let first: SuiteSession;
  let opened: SuiteSession[] = [];
  /** The client of the test's first session. */
  let r: RedisCommands;

  /** Another session over the same data. */
  const connect = async (): Promise<RedisCommands> => {
    const s = await (first.connect ? first.connect() : open());
    opened.push(s);
    return s.client;
  };

  describe(`typed API: ${name}`, () => {
    beforeEach(async () => {
      first = await open();
      opened = [first];
      r = first.client;
      await r.call('FLUSHDB');
    });

    afterEach(async () => {
      // The test's own sessions first, the one that may own the data last.
      for (const s of opened.reverse()) await s.close();
      opened = [];
    });

    // ---- strings ------------------------------------------------------------------------------

    section('strings', () => {
      it('call, callBuffer and a typed method share the data', async () => {
        expect(await r.call('SET', 'k', 'héllo')).toBe('OK');
        expect(await r.get('k')).toBe('héllo');
        expect(await r.callBuffer('GET', 'k')).toEqual(text('héllo'));
        expect(await r.call('PING')).toBe('PONG');
        await expect(r.call('NOSUCHCOMMAND')).rejects.toThrow(ReplyError);
      });

      it('set / get with every option', async () => {
        expect(await r.set('k', 'v')).toBe('OK');
        expect(await r.get('k')).toBe('v');
        expect(await r.get('missing')).toBe(null);
        expect(await r.set('k', 'w', { nx: true })).toBe(null);
        expect(await r.set('k', 'w', { xx: true, get: true })).toBe('v');
        expect(await r.set('k2', 'v', { xx: true })).toBe(null);
        expect(await r.set('k', 'x', { ex: 10 })).toBe('OK');
        expectBetween(await r.call('PTTL', 'k'), 1, 10_000);
        expect(await r.set('k', 'x', { px: 1500 })).toBe('OK');
        expectBetween(await r.call('PTTL', 'k'), 1, 1500);
        expect(await r.set('k', 'x', { exat: 1_800_000_000 })).toBe('OK');
        expect(await r.call('PEXPIRETIME', 'k')).toBe(1_800_000_000_000);
        expect(await r.set('k', 'y', { keepTtl: true })).toBe('OK');
        expect(await r.call('PEXPIRETIME', 'k')).toBe(1_800_000_000_000);
        expect(await r.set('k', 'z', { pxat: Date.now() + 60_000 })).toBe('OK');
        expectBetween(await r.call('PTTL', 'k'), 1, 60_000);
        // A time already past sets, and the key is gone at once.
        expect(await r.set('k', 'z', { pxat: 1 })).toBe('OK');
        expect(await r.get('k')).toBe(null);
        // Contradictory options reach Redis' own checks.
        await expect(r.set('k', 'v', { ex: 1, px: 1 })).rejects.toThrow('ERR syntax error');
        await expect(r.set('k', 'v', { nx: true, xx: true })).rejects.toThrow('ERR syntax error');
        await expect(r.set('k', 'v', { ex: 0 })).rejects.toThrow("ERR invalid expire time in 'set' command");
      });

      it('getex, getdel, getset, setnx, setex, psetex', async () => {
        await r.set('k', 'v');
        expect(await r.getex('k', { ex: 5 })).toBe('v');
        expectBetween(await r.call('TTL', 'k'), 1, 5);
        expect(await r.getex('k', { persist: true })).toBe('v');
        expect(await r.call('TTL', 'k')).toBe(-1);
        expect(await r.getex('k', { px: 100_000 })).toBe('v');
        expectBetween(await r.call('PTTL', 'k'), 1, 100_000);
        expect(await r.getex('k', { pxat: Date.now() + 10_000 })).toBe('v');
        expectBetween(await r.call('PTTL', 'k'), 1, 10_000);
        expect(await r.getex('k', { exat: 1 })).toBe('v'); // already past: deleted
        expect(await r.get('k')).toBe(null);
        expect(await r.getex('k')).toBe(null);
        expect(await r.getset('k', 'a')).toBe(null);
        expect(await r.getset('k', 'b')).toBe('a');
        expect(await r.getdel('k')).toBe('b');
        expect(await r.getdel('k')).toBe(null);
        expect(await r.setnx('n', '1')).toBe(1);
        expect(await r.setnx('n', '2')).toBe(0);
        expect(await r.setex('e', 7, 'v')).toBe('OK');
        expectBetween(await r.call('TTL', 'e'), 1, 7);
        expect(await r.psetex('e', 700, 'v')).toBe('OK');
        expectBetween(await r.call('PTTL', 'e'), 1, 700);
      });

      it('counters: numbers, bigint past 2^53, float text', async () => {
        expect(await r.incr('c')).toBe(1);
        expect(await r.incrby('c', 9)).toBe(10);
        expect(await r.decr('c')).toBe(9);
        expect(await r.decrby('c', 10)).toBe(-1);
        expect(await r.incrby('c', 9007199254740992)).toBe(9007199254740991);
        expect(await r.incr('c')).toBe(9007199254740992n);
        expect(await r.incrby('c', 9223372036854775807n - 9007199254740992n)).toBe(9223372036854775807n);
        await expect(r.incr('c')).rejects.toThrow('ERR increment or decrement would overflow');
        expect(await r.get('c')).toBe('9223372036854775807');
        expect(await r.decrby('c', 9223372036854775807n)).toBe(0);
        expect(await r.incrbyfloat('f', 0.1)).toBe(0.1);
        expect(await r.incrbyfloat('f', '0.2')).toBe(0.3);
        expect(await r.get('f')).toBe('0.3');
        expect(await r.incrbyfloat('f', 1e20)).toBe(1e20 + 0.3);
        await expect(r.incrbyfloat('f', Infinity)).rejects.toThrow('ERR increment would produce NaN or Infinity');
        await expect(r.incrbyfloat('f', NaN)).rejects.toThrow('ERR value is not a valid float');
      });

      it('mget / mset / msetnx in both shapes', async () => {
        expect(await r.mset({ a: '1', b: 2, __proto__x: 'p' })).toBe('OK');
        expect(await r.mget('a', 'b', 'nope')).toEqual(['1', '2', null]);
        expect(await r.mget(['a', '__proto__x'])).toEqual(['1', 'p']);
        const pairs = new Map<string, string>([
          ['__proto__', 'x'],
          ['constructor', 'y'],
        ]);
        expect(await r.msetnx(pairs)).toBe(1);
        expect(await r.mget('__proto__', 'constructor')).toEqual(['x', 'y']);
        expect(await r.msetnx({ a: 'z', fresh: 'z' })).toBe(0);
        expect(await r.get('fresh')).toBe(null);
      });

      it('ranges, lengths, append, lcs', async () => {
        expect(await r.append('s', 'héllo')).toBe(6);
        expect(await r.strlen('s')).toBe(6);
        expect(await r.getrange('s', 0, 2)).toBe('hé');
        expect(await r.getrange('s', -3, -1)).toBe('llo');
        expect(await r.setrange('s', 6, ' world')).toBe(12);
        expect(await r.get('s')).toBe('héllo world');
        expect(await r.strlen('nope')).toBe(0);
        await r.mset({ k1: 'ohmytext', k2: 'mynewtext' });
        expect(await r.lcs('k1', 'k2')).toBe('mytext');
        expect(await r.lcs('k1', 'k2', { len: true })).toBe(6);
        expect(await r.lcs('k1', 'k2', { idx: true, minMatchLen: 4, withMatchLen: true })).toEqual({
          matches: [[[4, 7], [5, 8], 4]],
          len: 6,
        });
        expect(await r.lcs('k1', 'k2', { idx: true })).toEqual({
          matches: [
            [[4, 7], [5, 8]],
            [[2, 3], [0, 1]],
          ],
          len: 6,
        });
      });

      it('keeps binary values exact through callBuffer', async () => {
        const b = bytes(0, 0xff, 0xc3, 0x28, 10);
        await r.set('b', b);
        expect(await r.callBuffer('GET', 'b')).toEqual(b);
        expect(await r.strlen('b')).toBe(5);
        expect(await r.callBuffer('GETRANGE', 'b', 1, 2)).toEqual(bytes(0xff, 0xc3));
        expect(await r.append('b', bytes(0x80))).toBe(6);
        expect(await r.callBuffer('GET', 'b')).toEqual(bytes(0, 0xff, 0xc3, 0x28, 10, 0x80));
      });
    });

    // ---- bitmaps ------------------------------------------------------------------------------

    section('bitmaps', () => {
      it('setbit / getbit: most significant bit first, the old bit returned', async () => {
        expect(await r.setbit('k', 7, 1)).toBe(0);
        expect(await r.setbit('k', 7, 1)).toBe(1);
        expect(await r.setbit('k', 0, 1)).toBe(0);
        expect(await r.callBuffer('GET', 'k')).toEqual(bytes(0x81));
        expect(await r.getbit('k', 0)).toBe(1);
        expect(await r.getbit('k', 1)).toBe(0);
        expect(await r.getbit('k', 1000)).toBe(0);
        expect(await r.getbit('missing', 5)).toBe(0);
      });

      it('bitcount: whole values, byte ranges and bit ranges', async () => {
        await r.set('k', 'foobar');
        expect(await r.bitcount('k')).toBe(26);
        expect(await r.bitcount('k', 1, 1)).toBe(6);
        expect(await r.bitcount('k', -2, -1)).toBe(7);
        expect(await r.bitcount('k', 5, 30, 'BIT')).toBe(17);
        expect(await r.bitcount('missing')).toBe(0);
      });

      it('bitpos: set and clear bits, with the end-given rule for clear bits', async () => {
        await r.callBuffer('SET', 'k', bytes(0xff, 0xf0, 0x00));
        expect(await r.bitpos('k', 0)).toBe(12);
        expect(await r.bitpos('k', 1, 2)).toBe(-1);
        await r.callBuffer('SET', 'f', bytes(0xff, 0xff));
        expect(await r.bitpos('f', 0)).toBe(16); // no end: the value is zero padded
        expect(await r.bitpos('f', 0, 0, -1)).toBe(-1); // explicit end
        expect(await r.bitpos('f', 0, 0, -1, 'BIT')).toBe(-1);
        expect(await r.bitpos('missing', 0)).toBe(0);
        expect(await r.bitpos('missing', 1)).toBe(-1);
      });

      it('bitop combines values of different lengths', async () => {
        await r.callBuffer('SET', 'a', bytes(0x0f, 0xf0, 0xaa));
        await r.callBuffer('SET', 'b', bytes(0xff, 0x0f));
        expect(await r.bitop('and', 'd', 'a', 'b')).toBe(3);
        expect(await r.callBuffer('GET', 'd')).toEqual(bytes(0x0f, 0x00, 0x00));
        expect(await r.bitop('or', 'd', 'a', 'b', 'missing')).toBe(3);
        expect(await r.callBuffer('GET', 'd')).toEqual(bytes(0xff, 0xff, 0xaa));
        expect(await r.bitop('xor', 'd', 'a', 'b')).toBe(3);
        expect(await r.callBuffer('GET', 'd')).toEqual(bytes(0xf0, 0xff, 0xaa));
        expect(await r.bitop('not', 'd', 'a')).toBe(3);
        expect(await r.callBuffer('GET', 'd')).toEqual(bytes(0xf0, 0x0f, 0x55));
      });

      it('bitfield chains GET, SET, INCRBY and OVERFLOW through the typed builder', async () => {
        expect(await r.bitfield('k').set('u8', 0, 255).get('u8', 0).incrby('u8', 0, 10).exec()).toEqual([0, 255, 9]);
        expect(await r.bitfield('k').overflow('SAT').incrby('u8', 0, 1000).overflow('FAIL').incrby('u8', 0, 1).exec()).toEqual([255, null]);
        expect(await r.bitfield('c').incrby('u32', '#0', 5).incrby('u32', '#1', 1).get('u32', '#0').exec()).toEqual([5, 1, 5]);
      });

      it('bitfield is exact over the whole int64 and uint63 ranges', async () => {
        const max = 9223372036854775807n;
        expect(await r.bitfield('k').set('i64', 3, max).get('i64', 3).incrby('i64', 3, 1).exec()).toEqual([0, max, -max - 1n]);
        expect(await r.bitfield('k').overflow('SAT').incrby('i64', 3, -1).incrby('i64', 3, -5).exec()).toEqual([-max - 1n, -max - 1n]);
        expect(await r.bitfield('u').set('u63', 1, max).incrby('u63', 1, 1).set('u63', 1, -1n).exec()).toEqual([0, 0, 0]);
        expect(await r.bitfield('u').get('u63', 1).get('u53', 1).exec()).toEqual([max, 9007199254740991]);
        expect(await r.bitfield('v').set('u53', 0, 9007199254740993n).get('u53', 0).exec()).toEqual([0, 1]);
      });
    });

    // ---- HyperLogLog --------------------------------------------------------------------------

    section('hll', () => {
      it('pfadd, pfcount, pfmerge', async () => {
        expect(await r.pfadd('v', 'alice', 'bob')).toBe(1);
        expect(await r.pfadd('v', 'alice')).toBe(0);
        expect(await r.pfadd('w', 'carol')).toBe(1);
        expect(await r.pfcount('v', 'w')).toBe(3);
        expect(await r.pfmerge('all', 'v', 'w')).toBe('OK');
        expect(await r.pfcount('all')).toBe(3);
      });
    });

    // ---- keys, expiry and the server ----------------------------------------------------------

    section('keys', () => {
      it('keys, expiry and server methods', async () => {
        await r.flushall(); // databases 1-3 are used too
        await r.set('a', '1');
        await r.set('b', '2');
        expect(await r.exists('a', 'b', 'c')).toBe(2);
        expect(await r.expire('a', 10)).toBe(1);
        expect(await r.expire('a', 5, 'GT')).toBe(0);
        expectBetween(await r.ttl('a'), 1, 10);
        expectBetween(await r.pttl('a'), 1, 10_000);
        const now = Math.floor(Date.now() / 1000);
        expectBetween(await r.expiretime('a'), now + 1, now + 11);
        expect(await r.pexpireat('a', 1_800_000_000_000)).toBe(1);
        expect(await r.pexpiretime('a')).toBe(1_800_000_000_000);
        expect(await r.persist('a')).toBe(1);
        expect(await r.ttl('a')).toBe(-1);
        expect((await r.keys('*')).sort()).toEqual(['a', 'b']);
        expect(await r.scan(0, { match: 'a*', count: 100 })).toEqual(['0', ['a']]);
        expect((await r.scan('0', { type: 'string' }))[1].sort()).toEqual(['a', 'b']);
        expect(await r.type('a')).toBe('string');
        expect(await r.copy('a', 'c')).toBe(1);
        expect(await r.copy('a', 'c', { replace: true, db: 1 })).toBe(1);
        expect(await r.rename('c', 'd')).toBe('OK');
        expect(await r.renamenx('d', 'a')).toBe(0);
        expect(await r.move('d', 2)).toBe(1);
        expect(await r.touch('a', 'd')).toBe(1);
        expect(await r.unlink('a')).toBe(1);
        expect(await r.del('b', 'zz')).toBe(1);
        expect(await r.randomkey()).toBe(null);
        expect(await r.dbsize()).toBe(0);
        expect(await r.select(2)).toBe('OK');
        expect(await r.dbsize()).toBe(1);
        expect(await r.swapdb(2, 3)).toBe('OK');
        expect(await r.dbsize()).toBe(0);
        expect(await r.flushdb({ async: true })).toBe('OK');
        expect(await r.flushall()).toBe('OK');
        expect(await r.ping()).toBe('PONG');
        expect(await r.ping('hi')).toBe('hi');
        expect(await r.echo('hé')).toBe('hé');
        const [seconds, micros] = await r.time();
        expectBetween(seconds, now, now + 60);
        expectBetween(micros, 0, 999_999);
        await expect(r.rename('nope', 'x')).rejects.toThrow('ERR no such key');
      });

      it('a key given a TTL of a few ms is gone once it has passed', async () => {
        await r.set('k', 'v', { px: 5 });
        await r.set('kept', 'v', { ex: 100 });
        await sleep(20);
        expect(await r.get('k')).toBe(null);
        expect(await r.exists('k', 'kept')).toBe(1);
        expect(await r.ttl('k')).toBe(-2);
      });

      it('sort and sortRo map their options to SORT and SORT_RO', async () => {
        await r.rpush('ids', '3', '1', '2');
        await r.mset({ 'age:1': '30', 'age:2': '20', 'age:3': '10', 'name:1': 'ann', 'name:2': 'bob' });
        expect(await r.sort('ids')).toEqual(['1', '2', '3']);
        expect(await r.sort('ids', { order: 'desc', limit: { offset: 0, count: 2 } })).toEqual(['3', '2']);
        expect(await r.sort('ids', { by: 'age:*', get: ['#', 'name:*'] })).toEqual(['3', null, '2', 'bob', '1', 'ann']);
        expect(await r.sort('ids', { by: 'nosort', get: 'name:*' })).toEqual([null, 'ann', 'bob']);
        expect(await r.sortRo('ids', { alpha: true, order: 'DESC' })).toEqual(['3', '2', '1']);
        expect(await r.sort('ids', { by: 'age:*', store: 'out' })).toBe(3);
        expect(await r.lrange('out', 0, -1)).toEqual(['3', '2', '1']);
        await expect(r.sort('name:1')).rejects.toThrow(WRONGTYPE);
      });
    });

    // ---- lists --------------------------------------------------------------------------------

    section('lists', () => {
      it('every method', async () => {
        expect(await r.rpush('l', 'a', 'b', 'c')).toBe(3);
        expect(await r.lpush('l', 'z')).toBe(4);
        expect(await r.lpushx('nope', 'x')).toBe(0);
        expect(await r.rpushx('l', 'd')).toBe(5);
        expect(await r.lrange('l', 0, -1)).toEqual(['z', 'a', 'b', 'c', 'd']);
        expect(await r.llen('l')).toBe(5);
        expect(await r.lindex('l', -1)).toBe('d');
        expect(await r.lindex('l', 9)).toBe(null);
        expect(await r.lset('l', 0, 'y')).toBe('OK');
        await expect(r.lset('l', 9, 'y')).rejects.toThrow('ERR index out of range');
        expect(await r.linsert('l', 'before', 'b', 'x')).toBe(6);
        expect(await r.linsert('l', 'AFTER', 'nope', 'x')).toBe(-1);
        expect(await r.lpos('l', 'x')).toBe(2);
        expect(await r.lpos('l', 'q')).toBe(null);
        expect(await r.lpos('l', 'x', { count: 0 })).toEqual([2]);
        expect(await r.lpos('l', 'x', { rank: -1, maxLen: 3 })).toBe(null);
        expect(await r.lpos('l', 'x', { rank: -1, maxlen: 4 })).toBe(2);
        expect(await r.lrem('l', 0, 'x')).toBe(1);
        expect(await r.ltrim('l', 0, 3)).toBe('OK');
        expect(await r.lrange('l', 0, -1)).toEqual(['y', 'a', 'b', 'c']);
        expect(await r.lpop('l')).toBe('y');
        expect(await r.rpop('l', 2)).toEqual(['c', 'b']);
        expect(await r.lpop('nope', 2)).toBe(null);
        expect(await r.lmove('l', 'm', 'left', 'RIGHT')).toBe('a');
        expect(await r.lmove('l', 'm', 'left', 'right')).toBe(null);
        expect(await r.rpush('l', '1', '2', '3')).toBe(3);
        expect(await r.rpoplpush('l', 'm')).toBe('3');
        expect(await r.lmpop(2, ['nope', 'm'], 'LEFT', 5)).toEqual(['m', ['3', 'a']]);
        expect(await r.lmpop(1, ['m'], 'left')).toBe(null);
        expect(await r.blpop('nope', 'l', 0)).toEqual(['l', '1']);
        expect(await r.brpop('l', 1.5)).toEqual(['l', '2']);
        expect(await r.rpush('l', 'a', 'b')).toBe(2);
        expect(await r.blmove('l', 'n', 'right', 'left', 0)).toBe('b');
        expect(await r.brpoplpush('l', 'n', 0)).toBe('a');
        expect(await r.blmpop(0, 1, ['n'], 'RIGHT', 1)).toEqual(['n', ['b']]);
        await expect(r.lpush('nope', 1)).resolves.toBe(1);
        await r.set('s', 'v');
        await expect(r.lpush('s', 'x')).rejects.toThrow(WRONGTYPE);
        await expect(r.blpop('l', -1)).rejects.toThrow('ERR timeout is negative');
      });

      it('bytes in, bytes out; text and bytes compare by their bytes', async () => {
        const bin = bytes(0xff, 0x00, 0x41);
        await r.rpush('l', bin, 'café', text('x'));
        expect(await r.callBuffer('LRANGE', 'l', 0, -1)).toEqual([bin, text('café'), text('x')]);
        expect(await r.lpos('l', text('café'))).toBe(1);
        expect(await r.lpos('l', 'x')).toBe(2);
        expect(await r.lrem('l', 0, bytes(0xff, 0x00, 0x41))).toBe(1);
        expect(await r.lrange('l', 0, -1)).toEqual(['café', 'x']);
      });

      it('blocking pops wait for another session’s push, first come, first served', async () => {
        const [w1, w2, w3] = [await connect(), await connect(), await connect()];
        const p1 = w1.blpop('q', 0);
        await eventually(() => blockedClients(r), 1, 'blocked_clients');
        const p2 = w2.blpop('other', 'q', 0);
        await eventually(() => blockedClients(r), 2, 'blocked_clients');
        const p3 = w3.brpop('q', 0);
        await eventually(() => blockedClients(r), 3, 'blocked_clients');
        expect(await r.rpush('q', 'a')).toBe(1);
        expect(await p1).toEqual(['q', 'a']);
        expect(await settled(p2)).toBe(false);
        // One push of several elements serves several waiters, oldest first.
        expect(await r.rpush('q', 'b', 'c', 'd')).toBe(3);
        expect(await p2).toEqual(['q', 'b']);
        expect(await p3).toEqual(['q', 'd']);
        expect(await r.lrange('q', 0, -1)).toEqual(['c']);
        expect(await blockedClients(r)).toBe(0);
      });

      it('BLMOVE and BLMPOP wait too; a push by SORT … STORE serves them; a timeout replies null', async () => {
        const w = await connect();
        const moved = w.blmove('src', 'dst', 'left', 'right', 0);
        await eventually(() => blockedClients(r), 1, 'blocked_clients');
        await r.rpush('src', 'x', 'y');
        expect(await moved).toBe('x');
        expect(await r.lrange('dst', 0, -1)).toEqual(['x']);
        const popped = w.blmpop(0, 2, ['none', 'sorted'], 'LEFT', 2);
        await eventually(() => blockedClients(r), 1, 'blocked_clients');
        await r.rpush('l', '3', '1', '2');
        expect(await r.sort('l', { store: 'sorted' })).toBe(3);
        expect(await popped).toEqual(['sorted', ['1', '2']]);
        expect(await r.lrange('sorted', 0, -1)).toEqual(['3']);
        expect(await w.blpop('none', 0.01)).toBe(null);
        expect(await w.blmove('none', 'dst', 'left', 'left', 0.01)).toBe(null);
        expect(await w.exists('none')).toBe(0);
      });
    });

    // ---- hashes -------------------------------------------------------------------------------

    section('hashes', () => {
      it('hset, hget, hgetall, hmget, hdel, hexists, hlen, hstrlen, hkeys, hvals, hsetnx, hmset', async () => {
        expect(await r.hset('u', { name: 'Ada', age: 36 })).toBe(2);
        expect(await r.hset('u', new Map([['email', 'ada@example.com']]))).toBe(1);
        expect(await r.hget('u', 'name')).toBe('Ada');
        expect(await r.hget('u', 'nope')).toBe(null);
        expect(await r.hgetall('u')).toEqual({ name: 'Ada', age: '36', email: 'ada@example.com' });
        expect(await r.hgetall('missing')).toBe(null);
        expect(await r.hmget('u', 'name', 'nope')).toEqual({ name: 'Ada', nope: null });
        expect(await r.hmget('u', 'x', 'y')).toBe(null);
        expect(await r.hexists('u', 'age')).toBe(1);
        expect(await r.hexists('u', 'x')).toBe(0);
        expect(await r.hlen('u')).toBe(3);
        expect(await r.hstrlen('u', 'name')).toBe(3);
        expect(await r.hkeys('u')).toEqual(['name', 'age', 'email']);
        expect(await r.hvals('u')).toEqual(['Ada', '36', 'ada@example.com']);
        expect(await r.hsetnx('u', 'name', 'Bob')).toBe(0);
        expect(await r.hsetnx('u', 'nick', 'ada')).toBe(1);
        expect(await r.hmset('u', { a: '1', b: '2' })).toBe('OK');
        expect(await r.hdel('u', 'a', 'b', 'zz')).toBe(2);
        await expect(r.hset('u', {})).rejects.toThrow("ERR wrong number of arguments for 'hset' command");
      });

      it('hincrby, hincrbyfloat, hrandfield, hscan', async () => {
        expect(await r.hincrby('c', 'n', 5)).toBe(5);
        expect(await r.hincrby('c', 'n', 9007199254740991n)).toBe(9007199254740996n);
        expect(await r.hincrbyfloat('c', 'x', 0.1)).toBe(0.1);
        expect(await r.hincrbyfloat('c', 'x', '0.2')).toBe(0.3);
        await r.hset('r', { a: '1' });
        expect(await r.hrandfield('r')).toBe('a');
        expect(await r.hrandfield('missing')).toBe(null);
        expect(await r.hrandfield('r', 3)).toEqual(['a']);
        expect(await r.hrandfield('r', -2)).toEqual(['a', 'a']);
        expect(await r.hrandfield('r', 1, true)).toEqual({ a: '1' });
        expect(await r.hrandfield('missing', 1, true)).toBe(null);
        await r.hset('s', Object.fromEntries(Array.from({ length: 600 }, (_, i) => [`f${i}`, String(i)])));
        const seen = new Set<string>();
        let cursor = '0';
        do {
          const [next, page] = await r.hscan('s', cursor, { match: 'f1*', count: 20 });
          for (let i = 0; i < page.length; i += 2) seen.add(page[i]!);
          cursor = next;
        } while (cursor !== '0');
        expect(seen.size).toBe(111); // f1, f10-f19, f100-f199
      });
    });

    // ---- sets ---------------------------------------------------------------------------------

    section('sets', () => {
      it('every method', async () => {
        expect(await r.sadd('s', 'a', 'b', 'c')).toBe(3);
        expect(await r.sadd('t', 'b', 'c', 'd')).toBe(3);
        expect(await r.scard('s')).toBe(3);
        expect(await r.sismember('s', 'a')).toBe(1);
        expect(await r.smismember('s', ['a', 'z'])).toEqual([1, 0]);
        expect((await r.smembers('s')).sort()).toEqual(['a', 'b', 'c']);
        expect((await r.sinter('s', 't')).sort()).toEqual(['b', 'c']);
        expect(await r.sintercard(['s', 't'])).toBe(2);
        expect(await r.sintercard(['s', 't'], { limit: 1 })).toBe(1);
        expect((await r.sunion('s', 't')).sort()).toEqual(['a', 'b', 'c', 'd']);
        expect(await r.sdiff('s', 't')).toEqual(['a']);
        expect(await r.sinterstore('i', 's', 't')).toBe(2);
        expect(await r.sunionstore('u', 's', 't')).toBe(4);
        expect(await r.sdiffstore('d', 's', 't')).toBe(1);
        expect(await r.smove('s', 'd', 'b')).toBe(1);
        expect(await r.smove('s', 'd', 'zz')).toBe(0);
        expect(await r.srem('d', 'a', 'b', 'x')).toBe(2);
        const one = await r.srandmember('u');
        expect(['a', 'b', 'c', 'd']).toContain(one);
        expect((await r.srandmember('u', 2)).length).toBe(2);
        expect((await r.srandmember('u', -6)).length).toBe(6);
        expect(await r.srandmember('missing')).toBe(null);
        const popped = await r.spop('u');
        expect(await r.sismember('u', popped!)).toBe(0);
        expect((await r.spop('u', 2)).length).toBe(2);
        expect(await r.spop('missing')).toBe(null);
        expect(await r.spop('missing', 3)).toEqual([]);
        expect(await r.sscan('u', 0)).toEqual(['0', [expect.any(String)]]);
        expect(await r.sscan('i', '0', { match: 'c*', count: 5 })).toEqual(['0', ['c']]);
        await r.set('str', 'v');
        await expect(r.sadd('str', 'a')).rejects.toThrow(WRONGTYPE);
      });
    });

    // ---- sorted sets --------------------------------------------------------------------------

    section('zsets', () => {
      it('every method', async () => {
        expect(await r.zadd('z', { score: 1, member: 'a' }, { score: 2, member: 'b' })).toBe(2);
        expect(await r.zadd('z', { nx: true, ch: true }, { score: 9, member: 'a' }, { score: 3, member: 'c' })).toBe(1);
        expect(await r.zadd('z', { xx: true, incr: true }, { score: 0.5, member: 'a' })).toBe(1.5);
        expect(await r.zadd('z', { xx: true, incr: true }, { score: 1, member: 'nope' })).toBe(null);
        expect(await r.zadd('z', { gt: true, ch: true }, { score: 1, member: 'b' })).toBe(0);
        expect(await r.zincrby('z', 1, 'c')).toBe(4);
        expect(await r.zscore('z', 'c')).toBe(4);
        expect(await r.zscore('z', 'nope')).toBe(null);
        expect(await r.zmscore('z', ['a', 'nope', 'c'])).toEqual([1.5, null, 4]);
        expect(await r.zcard('z')).toBe(3);
        expect(await r.zcount('z', '(1.5', '+inf')).toBe(2);
        expect(await r.zrank('z', 'b')).toBe(1);
        expect(await r.zrevrank('z', 'b')).toBe(1);
        expect(await r.zrank('z', 'nope')).toBe(null);
        expect(await r.zrange('z', 0, -1)).toEqual(['a', 'b', 'c']);
        expect(await r.zrange('z', 0, -1, { rev: true, withScores: true })).toEqual(['c', 4, 'b', 2, 'a', 1.5]);
        expect(await r.zrange('z', '(1.5', '+inf', { byScore: true, offset: 1, count: 5 })).toEqual(['c']);
        await r.zadd('lex', { score: 0, member: 'a' }, { score: 0, member: 'b' }, { score: 0, member: 'c' });
        expect(await r.zrange('lex', '[b', '+', { byLex: true })).toEqual(['b', 'c']);
        expect(await r.zlexcount('lex', '-', '(c')).toBe(2);
        expect(await r.zrangestore('dst', 'z', 0, 1, { rev: true })).toBe(2);
        expect(await r.zrange('dst', 0, -1)).toEqual(['b', 'c']);
        expect(await r.zunion(2, ['z', 'dst'], { withScores: true, aggregate: 'max' })).toEqual(['a', 1.5, 'b', 2, 'c', 4]);
        expect(await r.zunionstore('u', 2, ['z', 'dst'], { weights: [1, 2] })).toBe(3);
        expect(await r.zrange('u', 0, -1, { withScores: true })).toEqual(['a', 1.5, 'b', 6, 'c', 12]);
        expect(await r.zinter(2, ['z', 'dst'])).toEqual(['b', 'c']);
        expect(await r.zinterstore('i', 2, ['z', 'dst'], { aggregate: 'min' })).toBe(2);
        expect(await r.zintercard(['z', 'dst'], { limit: 1 })).toBe(1);
        expect(await r.zdiff(2, ['z', 'dst'], { withScores: true })).toEqual(['a', 1.5]);
        expect(await r.zdiffstore('d', 2, 'z', 'dst')).toBe(1);
        expect((await r.zrandmember('z'))!.length).toBe(1);
        expect((await r.zrandmember('z', 2)).length).toBe(2);
        expect((await r.zrandmember('z', -4, true)).length).toBe(8);
        expect(await r.zscan('z', 0)).toEqual(['0', ['a', 1.5, 'b', 2, 'c', 4]]);
        expect(await r.zpopmin('z')).toEqual(['a', 1.5]);
        expect(await r.zpopmax('z', 5)).toEqual(['c', 4, 'b', 2]);
        expect(await r.zmpop(1, ['u'], 'max', 2)).toEqual(['u', [['c', 12], ['b', 6]]]);
        expect(await r.zmpop(1, ['nope'], 'min')).toBe(null);
        await r.zadd('r', { score: Infinity, member: 'x' }, { score: -Infinity, member: 'y' }, { score: 5, member: 'z' });
        expect(await r.zrange('r', 0, -1, { withScores: true })).toEqual(['y', -Infinity, 'z', 5, 'x', Infinity]);
        expect(await r.zrem('r', 'x', 'nope')).toBe(1);
        expect(await r.zremrangebyscore('r', '-inf', 0)).toBe(1);
        await r.zadd('r', { score: 1, member: 'p' }, { score: 2, member: 'q' });
        expect(await r.zremrangebyrank('r', 0, 0)).toBe(1);
        expect(await r.zremrangebylex('lex', '[a', '[b')).toBe(2);
        expect(await r.bzpopmin('r', 0)).toEqual(['r', 'q', 2]);
        expect(await r.bzpopmax('r', 'lex', 0)).toEqual(['r', 'z', 5]);
        expect(await r.bzpopmax('r', 'lex', 0)).toEqual(['lex', 'c', 0]);
        expect(await r.bzmpop(0.01, 1, ['i'], 'min')).toEqual(['i', [['b', 2]]]);
        await expect(r.zadd('z', { score: NaN, member: 'a' })).rejects.toThrow(ReplyError);
      });

      it('blocking pops wait for another session’s ZADD; a timeout replies null', async () => {
        const w = await connect();
        const p = w.bzpopmin('z', 0);
        await eventually(() => blockedClients(r), 1, 'blocked_clients');
        await r.zadd('z', { score: 2, member: 'b' }, { score: 1, member: 'a' });
        expect(await p).toEqual(['z', 'a', 1]);
        const m = w.bzmpop(0, 1, ['y'], 'max', 5);
        await eventually(() => blockedClients(r), 1, 'blocked_clients');
        await r.zunionstore('y', 1, ['z']);
        expect(await m).toEqual(['y', [['b', 2]]]);
        expect(await w.bzpopmax('none', 0.01)).toBe(null);
      });
    });

    // ---- streams ------------------------------------------------------------------------------

    section('streams', () => {
      it('XADD, XLEN, XRANGE, XREVRANGE, XDEL, XTRIM, XSETID', async () => {
        expect(await r.xadd('s', '1-1', { a: 1, b: 'x' })).toBe('1-1');
        expect(await r.xadd('s', '2-0', new Map<CommandArg, CommandArg>([['a', '2'], ['c', bytes(0x68, 0x69)]]))).toBe('2-0');
        const id3 = await r.xadd('s', '*', { d: 4 });
        const id4 = await r.xadd('s', '*', { d: 5 });
        expect(id3).toMatch(/^\d{13}-\d+$/);
        expect(id4).toMatch(/^\d{13}-\d+$/);
        expect(id4 > id3 || id4.length > id3.length).toBe(true);
        expect(await r.xadd('missing', '*', { a: 1 }, { nomkStream: true })).toBeNull();
        expect(await r.exists('missing')).toBe(0);
        expect(await r.xlen('s')).toBe(4);
        expect(await r.xlen('missing')).toBe(0);

        expect(await r.xrange('s', '-', '+')).toEqual({
          '1-1': { a: '1', b: 'x' },
          '2-0': { a: '2', c: 'hi' },
          [id3!]: { d: '4' },
          [id4!]: { d: '5' },
        });
        // Ids keep the stream's order (they are not array-index keys).
        expect(Object.keys(await r.xrange('s', '(1-1', '+', 2))).toEqual(['2-0', id3]);
        expect(Object.keys(await r.xrevrange('s', '+', '-', 3))).toEqual([id4, id3, '2-0']);
        expect(await r.xrevrange('s', '2', '1')).toEqual({ '2-0': { a: '2', c: 'hi' }, '1-1': { a: '1', b: 'x' } });
        expect(await r.xrange('missing', '-', '+')).toEqual({});

        expect(await r.xdel('s', '2-0')).toBe(1);
        expect(await r.xdel('s', ['2-0', '1-1', '9-9'])).toBe(1);
        expect(await r.xlen('s')).toBe(2);

        // Trimming with XADD: exact, and MINID.
        const id5 = await r.xadd('s', '*', { d: 6 }, { trim: { type: 'MAXLEN', threshold: 2, comparison: '=' } });
        expect(Object.keys(await r.xrange('s', '-', '+'))).toEqual([id4, id5]);
        const id6 = await r.xadd('s', '*', { d: 7 }, { trim: { type: 'MINID', threshold: id5! } });
        expect(Object.keys(await r.xrange('s', '-', '+'))).toEqual([id5, id6]);
        // `~` trims whole nodes only: a stream of one node keeps everything.
        await r.xadd('s', '*', { d: 8 }, { trim: { type: 'MAXLEN', threshold: 1, comparison: '~', limit: 10 } });
        expect(await r.xlen('s')).toBe(3);
        expect(await r.xtrim('s', { strategy: 'MAXLEN', threshold: 1 })).toBe(0); // '~' by default
        expect(await r.xtrim('s', { strategy: 'MAXLEN', exactness: '=', threshold: 1 })).toBe(2);
        expect(await r.xtrim('s', { strategy: 'MINID', exactness: '=', threshold: '9999999999999' })).toBe(1);
        expect(await r.xlen('s')).toBe(0);
        expect(await r.exists('s'), 'an emptied stream stays').toBe(1);

        expect(await r.xsetid('s', '99999999999999-0', { entriesAdded: 100, maxDeletedId: '5-0' })).toBe('OK');
        const info = await r.xinfo('s', { type: 'STREAM' });
        expect(info).toMatchObject({ length: 0, 'last-generated-id': '99999999999999-0', 'max-deleted-entry-id': '5-0', 'entries-added': 100, 'first-entry': null, 'last-entry': null });

        await r.set('str', 'x');
        await expect(r.xadd('str', '*', { a: 1 })).rejects.toThrow(ReplyError);
        await expect(r.xadd('s', '1-0', { a: 1 })).rejects.toThrow('ERR The ID specified in XADD is equal or smaller than the target stream top item');
      });

      it('XGROUP, XREADGROUP, XACK, XPENDING, XCLAIM, XAUTOCLAIM, XINFO', async () => {
        for (let i = 1; i <= 5; i++) await r.xadd('s', `${i}-0`, { n: i });
        expect(await r.xgroup('s', { type: 'CREATE', group: 'g', id: '0' })).toBe('OK');
        expect(await r.xgroup('t', { type: 'CREATE', group: 'g', id: '$', options: { MKSTREAM: true, ENTRIESREAD: 0 } })).toBe('OK');
        await expect(r.xgroup('s', { type: 'CREATE', group: 'g', id: '$' })).rejects.toThrow('BUSYGROUP Consumer Group name already exists');
        expect(await r.xgroup('s', { type: 'CREATECONSUMER', group: 'g', consumer: 'idle' })).toBe(1);
        expect(await r.xgroup('s', { type: 'CREATECONSUMER', group: 'g', consumer: 'idle' })).toBe(0);

        expect(await r.xreadgroup('g', 'c1', 's', '>', { count: 2 })).toEqual([['s', [['1-0', ['n', '1']], ['2-0', ['n', '2']]]]]);
        expect(await r.xreadgroup('g', 'c2', ['s', 't'], ['>', '>'], { count: 1 })).toEqual([['s', [['3-0', ['n', '3']]]]]);
        expect(await r.xreadgroup('g', 'c3', 's', '>', { count: 1, NOACK: true })).toEqual([['s', [['4-0', ['n', '4']]]]]);
        expect(await r.xreadgroup('g', 'c1', 't', '>')).toBeNull();

        const idle = expect.any(Number);
        expect(await r.xpending('s', 'g')).toEqual([3, '1-0', '3-0', [['c1', 2], ['c2', 1]]]);
        expect(await r.xpending('t', 'g')).toEqual([0, null, null, []]);
        expect(await r.xpending('s', 'g', '-', '+', 10)).toEqual([
          ['1-0', 'c1', idle, 1],
          ['2-0', 'c1', idle, 1],
          ['3-0', 'c2', idle, 1],
        ]);
        expect(await r.xpending('s', 'g', '(1-0', '+', 10, { idleTime: 0, consumer: 'c1' })).toEqual([['2-0', 'c1', idle, 1]]);
        expect(await r.xpending('s', 'g', '-', '+', 10, { idleTime: 3_600_000 })).toEqual([]);

        // History: the consumer's own pending entries; one deleted since comes with null fields.
        expect(await r.xdel('s', '2-0')).toBe(1);
        expect(await r.xreadgroup('g', 'c1', 's', '0')).toEqual([['s', [['1-0', ['n', '1']], ['2-0', null]]]]);

        expect(await r.xclaim('s', 'g', 'c3', 3_600_000, '1-0'), 'redelivered by the history read: not idle for an hour').toEqual([]);
        expect(await r.xclaim('s', 'g', 'c3', 0, ['1-0'], { retryCount: 5 })).toEqual([['1-0', ['n', '1']]]);
        expect(await r.xclaim('s', 'g', 'c3', 0, ['3-0', '5-0'], { justId: true, force: true, idleMS: 60_000, lastId: '5-0' })).toEqual(['3-0', '5-0']);
        const pendingC3 = await r.xpending('s', 'g', '-', '+', 10, { consumer: 'c3' });
        expect(pendingC3).toEqual([
          ['1-0', 'c3', idle, 5],
          ['3-0', 'c3', idle, 1],
          ['5-0', 'c3', idle, 1], // created by FORCE: delivered once
        ]);
        expectBetween(pendingC3[1]![2], 60_000, 70_000); // IDLE set it
        expect(await r.xclaim('s', 'g', 'c4', 0, '3-0', { timeMS: Date.now() - 1000, justId: true })).toEqual(['3-0']);

        // XAUTOCLAIM: 2-0 is deleted (dropped from the PEL and reported), the rest claimed in two calls.
        expect(await r.xautoclaim('s', 'g', 'c5', 0, '0-0', { count: 2 })).toEqual(['3-0', [['1-0', ['n', '1']]], ['2-0']]);
        expect(await r.xautoclaim('s', 'g', 'c5', 0, '3-0', { justId: true })).toEqual(['0-0', ['3-0', '5-0'], []]);

        expect(await r.xinfo('s', { type: 'GROUPS' })).toEqual([
          // LASTID moved the last delivered id past what was read: entries-read stays, the lag shows it.
          { name: 'g', consumers: 6, pending: 3, 'last-delivered-id': '5-0', 'entries-read': 4, lag: 1 },
        ]);
        expect((await r.xinfo('s', { type: 'CONSUMERS', group: 'g' })).map((c) => [c.name, c.pending])).toEqual([
          ['c1', 0],
          ['c2', 0],
          ['c3', 0],
          ['c4', 0],
          ['c5', 3],
          ['idle', 0],
        ]);
        const stream = await r.xinfo('s', { type: 'STREAM' });
        expect(stream).toMatchObject({ length: 4, 'radix-tree-keys': 1, 'last-generated-id': '5-0', 'entries-added': 5, groups: 1 });
        expect(stream['first-entry']).toEqual(['1-0', ['n', '1']]);
        expect(stream['last-entry']).toEqual(['5-0', ['n', '5']]);
        const full = await r.xinfo('s', { type: 'STREAM', full: true, count: 2 });
        expect(full.entries).toEqual([
          ['1-0', ['n', '1']],
          ['3-0', ['n', '3']],
        ]);
        expect(full.groups).toHaveLength(1);
        const g = full.groups[0]!;
        expect(g).toMatchObject({ name: 'g', 'last-delivered-id': '5-0', 'entries-read': 4, lag: 1, 'pel-count': 3 });
        // COUNT limits the entries and each pending list, not the consumers.
        expect(g.pending).toEqual([
          ['1-0', 'c5', expect.any(Number), 6],
          ['3-0', 'c5', expect.any(Number), 1],
        ]);
        expect(g.consumers.map((c) => [c.name, c['pel-count'], c.pending.length])).toEqual([
          ['c1', 0, 0],
          ['c2', 0, 0],
          ['c3', 0, 0],
          ['c4', 0, 0],
          ['c5', 3, 2],
          ['idle', 0, 0],
        ]);
        const delivered = g.pending[0]![2];
        expect(g.consumers[4]!.pending[0]).toEqual(['1-0', delivered, 6]);
        // c5 was last seen at its second XAUTOCLAIM, which delivered nothing new to it.
        expectBetween(g.consumers[4]!['seen-time'], delivered, Date.now());

        expect(await r.xack('s', 'g', ['1-0', '3-0', '9-0'])).toBe(2);
        expect(await r.xack('s', 'g', '1-0')).toBe(0);
        expect(await r.xgroup('s', { type: 'SETID', group: 'g', id: '0', options: { ENTRIESREAD: 0 } })).toBe('OK');
        expect(await r.xgroup('s', { type: 'DELCONSUMER', group: 'g', consumer: 'c5' })).toBe(1);
        expect(await r.xgroup('s', { type: 'DESTROY', group: 'g' })).toBe(1);
        expect(await r.xgroup('s', { type: 'DESTROY', group: 'g' })).toBe(0);
        await expect(r.xreadgroup('g', 'c1', 's', '>')).rejects.toThrow("NOGROUP No such key 's' or consumer group 'g' in XREADGROUP with GROUP option");
      });

      it('XREAD, and BLOCK on a session of its own woken by XADD on another', async () => {
        await r.xadd('a', '1-0', { x: 1 });
        await r.xadd('b', '2-0', { y: 2 });
        expect(await r.xread('a', '0')).toEqual([['a', [['1-0', ['x', '1']]]]]);
        expect(await r.xread(['a', 'b', 'none'], ['0', '0', '0'], { count: 1 })).toEqual([
          ['a', [['1-0', ['x', '1']]]],
          ['b', [['2-0', ['y', '2']]]],
        ]);
        expect(await r.xread('a', '$')).toBeNull();

        const waiter = await connect();
        const other = await connect();
        // No group yet: NOGROUP at once, not a wait.
        await expect(other.xreadgroup('g', 'w', 'b', '>', { blockMS: 1000 })).rejects.toThrow(/^NOGROUP/);
        const blocked = waiter.xread(['a', 'b'], ['$', '$'], { blockMS: 0 });
        await eventually(() => blockedClients(r), 1, 'blocked_clients');
        await expect(r.xgroup('b', { type: 'CREATE', group: 'g', id: '$' })).resolves.toBe('OK');
        expect(await settled(blocked)).toBe(false);
        expect(await r.xadd('b', '3-0', { y: 3 })).toBe('3-0');
        expect(await blocked).toEqual([['b', [['3-0', ['y', '3']]]]]);

        // XREADGROUP BLOCK: served at once while there are new entries, else by the next XADD.
        expect(await other.xreadgroup('g', 'w', 'b', '>', { blockMS: 0, count: 10 })).toEqual([['b', [['3-0', ['y', '3']]]]]);
        const served = other.xreadgroup('g', 'w', 'b', '>', { blockMS: 0, count: 10 });
        await eventually(() => blockedClients(r), 1, 'blocked_clients');
        await r.xadd('b', '4-0', { y: 4 });
        expect(await served).toEqual([['b', [['4-0', ['y', '4']]]]]);
        expect(await r.xpending('b', 'g')).toEqual([2, '3-0', '4-0', [['w', 2]]]);
        // A timeout is a null reply.
        expect(await waiter.xread('a', '$', { blockMS: 10 })).toBeNull();
      });
    });

    // ---- pub/sub ------------------------------------------------------------------------------

    section('pubsub', () => {
      it('subscribe yields messages through an async iterator; unsubscribe ends it', async () => {
        const sub = await r.subscribe(['a', 'b']);
        expect(await r.pubsubNumsub('a', 'b')).toEqual({ a: 1, b: 1 });
        expect(await r.publish('a', 'one')).toBe(1);
        expect(await r.publish('b', 'two')).toBe(1);
        expect(await r.publish('c', 'none')).toBe(0);
        const iter = sub[Symbol.asyncIterator]();
        expect((await iter.next()).value).toEqual({ channel: 'a', message: 'one' });
        expect((await iter.next()).value).toEqual({ channel: 'b', message: 'two' });
        const waiting = iter.next();
        await r.publish('a', 'three');
        expect((await waiting).value).toEqual({ channel: 'a', message: 'three' });
        const ended = iter.next();
        await sub.unsubscribe();
        expect(await ended).toEqual({ value: undefined, done: true });
        await eventually(() => r.pubsubNumsub('a'), { a: 0 }, 'PUBSUB NUMSUB');
      });

      it('psubscribe carries the pattern; breaking out of for-await unsubscribes', async () => {
        const sub = await r.psubscribe('news.*');
        await r.publish('news.tech', 'héllo');
        await r.publish('sport', 'x');
        await r.publish('news.art', 'bye');
        const got = [];
        for await (const m of sub) {
          got.push(m);
          if (got.length === 2) break;
        }
        expect(got).toEqual([
          { channel: 'news.tech', message: 'héllo', pattern: 'news.*' },
          { channel: 'news.art', message: 'bye', pattern: 'news.*' },
        ]);
        expect(sub.isClosed).toBe(true);
        await eventually(() => r.pubsubNumpat(), 0, 'PUBSUB NUMPAT');
      });

      it('gives Uint8Array payloads with { buffers: true } and calls onMessage, never inside the publish', async () => {
        const seen: unknown[] = [];
        const sub = await r.subscribe('bin', { buffers: true, onMessage: (m) => seen.push(m) });
        const published = r.publish('bin', bytes(0, 255));
        expect(seen).toEqual([]);
        expect(await published).toBe(1);
        await eventually(() => seen, [{ channel: 'bin', message: bytes(0, 255) }], 'messages seen');
        await sub.unsubscribe();
      });

      it('closes a subscription whose queue overflows maxQueue, after yielding what it queued', async () => {
        const sub = await r.subscribe('q', { maxQueue: 2 });
        for (let i = 0; i < 5; i++) await r.publish('q', String(i));
        await eventually(() => sub.isClosed, true, 'isClosed');
        expect((await sub.next()).value).toEqual({ channel: 'q', message: '0' });
        expect((await sub.next()).value).toEqual({ channel: 'q', message: '1' });
        await expect(sub.next()).rejects.toThrow(/maxQueue/);
        expect(await sub.next()).toEqual({ value: undefined, done: true });
      });

      it('treats any channel name as data', async () => {
        const sub = await r.subscribe(['__proto__', 'constructor']);
        const numsub = await r.pubsubNumsub('__proto__', 'constructor', 'toString');
        expect(Object.entries(numsub)).toEqual([
          ['__proto__', 1],
          ['constructor', 1],
          ['toString', 0],
        ]);
        expect(await r.publish('__proto__', 42)).toBe(1);
        expect((await sub.next()).value).toEqual({ channel: '__proto__', message: '42' });
        await sub.unsubscribe();
      });

      it('rejects a subscription the server refuses, and SSUBSCRIBE receives SPUBLISH', async () => {
        await expect(r.subscribe([])).rejects.toThrow("wrong number of arguments for 'subscribe'");
        const sub = await r.ssubscribe('shard');
        expect(await r.spublish('shard', 'm')).toBe(1);
        expect(await r.publish('shard', 'm')).toBe(0);
        expect((await sub.next()).value).toEqual({ channel: 'shard', message: 'm' });
        await sub.unsubscribe();
      });
    });

    // ---- pipelines and transactions -----------------------------------------------------------

    section('pipelines', () => {
      it('pipeline() chains typed calls and resolves each result decoded by its method', async () => {
        const results = await r
          .pipeline()
          .set('a', 1)
          .incr('a')
          .get('a')
          .hset('h', { f: 'v', g: 'w' })
          .hgetall('h')
          .zadd('z', { score: 1.5, member: 'm' })
          .zscore('z', 'm')
          .lpop('nolist')
          .exec();
        expect(results).toEqual(['OK', 2, '2', 2, { f: 'v', g: 'w' }, 1, 1.5, null]);
        expectTypeOf(results).toEqualTypeOf<[string | null, Integer, string | null, number, Record<string, string> | null, number, number | null, string | null]>();
      });

      it('pipeline() keeps overloads apart in the result types', async () => {
        await r.rpush('l', 'x', 'y', 'z');
        const [one, two] = await r.pipeline().lpop('l').lpop('l', 2).exec();
        expect(one).toBe('x');
        expect(two).toEqual(['y', 'z']);
        expectTypeOf(one).toEqualTypeOf<string | null>();
        expectTypeOf(two).toEqualTypeOf<string[] | null>();
      });

      it('pipeline() takes commands one call at a time, and call/callBuffer', async () => {
        const p = r.pipeline();
        p.set('k', 'héllo');
        p.call('APPEND', 'k', '!');
        p.callBuffer('GET', 'k');
        expect(p.length()).toBe(3);
        const out = await p.exec<[string, number, Uint8Array]>();
        expect(out).toEqual(['OK', 7, text('héllo!')]);
      });

      it('pipeline() rejects as @upstash/redis does: the first failed command, Redis’ error as the cause', async () => {
        const p = r.pipeline().set('s', 'x').incr('s').lpush('s', 'a').get('s');
        const e = await p.exec().catch((e: unknown) => e);
        expect(e).toBeInstanceOf(PipelineError);
        expect((e as PipelineError).message).toBe('Command 2 [ INCR ] failed: ERR value is not an integer or out of range');
        expect((e as PipelineError).index).toBe(1);
        expect((e as PipelineError).cause).toBeInstanceOf(ReplyError);
        // Every command ran (a pipeline is not atomic, and not stopped by an error).
        expect(await r.get('s')).toBe('x');
      });

      it('pipeline() gives a { result, error } per command with keepErrors', async () => {
        const out = await r.pipeline().set('s', 'x').incr('s').get('s').exec({ keepErrors: true });
        expect(out).toEqual([
          { result: 'OK', error: undefined },
          { result: undefined, error: 'ERR value is not an integer or out of range' },
          { result: 'x', error: undefined },
        ]);
        expectTypeOf(out[2].result).toEqualTypeOf<string | null | undefined>();
      });

      it('pipeline() refuses an empty pipeline, a second exec, and methods that are not commands of the session', async () => {
        await expect(r.pipeline().exec()).rejects.toThrow('Pipeline is empty');
        const p = r.pipeline().ping();
        await p.exec();
        await expect(p.exec()).rejects.toThrow(/executed already/);
        expect(() => p.ping()).toThrow(/executed already/);
        expect('subscribe' in r.pipeline()).toBe(false);
        expect('watchKeys' in r.multi()).toBe(false);
      });

      it('multi() runs the commands as one transaction and decodes each result', async () => {
        await r.zadd('board', { score: 3, member: 'c' }, { score: 1, member: 'a' }, { score: 2, member: 'b' });
        const out = await r.multi().incr('visits').expire('visits', 60).zrange('board', 0, 1).ttl('visits').exec();
        expect(out).toEqual([1, 1, ['a', 'b'], 60]);
      });

      it('multi() puts runtime errors in place, the rest of the transaction applied (PipelineError / keepErrors)', async () => {
        await r.set('s', 'x');
        await expect(r.multi().incr('s').set('t', 1).exec()).rejects.toThrow('Command 1 [ INCR ] failed: ERR value is not an integer or out of range');
        expect(await r.get('t')).toBe('1');
        expect(await r.multi().incr('s').incr('t').exec({ keepErrors: true })).toEqual([
          { result: undefined, error: 'ERR value is not an integer or out of range' },
          { result: 2, error: undefined },
        ]);
      });

      it('multi() rejects with EXECABORT when a command cannot be queued, nothing applied, its error as the cause', async () => {
        const e = await r
          .multi()
          .set('a', 1)
          .del() // no key: wrong number of arguments, refused while queueing
          .exec({ keepErrors: true })
          .catch((e: unknown) => e);
        expect(e).toBeInstanceOf(ReplyError);
        expect((e as ReplyError).message).toBe('EXECABORT Transaction discarded because of previous errors.');
        expect(((e as ReplyError).cause as ReplyError).message).toBe("ERR wrong number of arguments for 'del' command");
        expect(await r.exists('a')).toBe(0);
        await expect(r.call('DISCARD')).rejects.toThrow('ERR DISCARD without MULTI');
      });

      it('multi() resolves null when a WATCHed key changed (on a session), and runs when none did', async () => {
        const s = await connect();
        await r.set('balance', 100);
        await s.call('WATCH', 'balance');
        const balance = Number(await s.get('balance'));
        await r.incrby('balance', 5); // another session
        expect(await s.multi().set('balance', balance - 10).exec()).toBeNull();
        expect(await r.get('balance')).toBe('105');
        // The usual retry loop.
        let tries = 0;
        for (;;) {
          tries++;
          await s.call('WATCH', 'balance');
          const b = Number(await s.get('balance'));
          if (tries === 1) await r.incr('balance');
          const res = await s.multi().set('balance', b - 10).exec();
          if (res !== null) break;
        }
        expect(tries).toBe(2);
        expect(await r.get('balance')).toBe('96');
      });

      it('multi() gives bytes to callBuffer and text to the others in one transaction', async () => {
        await r.set('k', 'v');
        expect(await r.multi().get('k').callBuffer('GET', 'k').call('GET', 'k').hgetall('nohash').exec()).toEqual(['v', text('v'), 'v', null]);
      });

      it('a transaction and another session’s commands never interleave', async () => {
        const a = await connect();
        const b = await connect();
        const runs: Promise<unknown>[] = [];
        for (let i = 0; i < 100; i++) {
          runs.push(a.multi().incr('x').incr('y').exec());
          runs.push(b.multi().incr('x').incr('y').exec());
        }
        for (const out of (await Promise.all(runs)) as [number, number][]) expect(out[0]).toBe(out[1]);
        expect(await r.mget('x', 'y')).toEqual(['200', '200']);
      });
    });
  });
}
