import { describe, expect, it, vi } from 'vitest';
import { createStore, decodeReply, type Store } from '../index.js';
import { keyspaceEventsStringToFlags } from '../notify.js';
import { SetReply, type Reply } from '../reply.js';
import { ByteReader, ByteWriter } from '../rio.js';
import { BINARY_MARK } from '../sds.js';
import { errorText, setupStore } from '../test-helpers.js';
import { readSetObject, SET_MAX_INTSET_ENTRIES, SetObject, SRANDMEMBER_MAX_REPLY, writeSetObject } from './set.js';

const setup = () => setupStore((event, key) => `${event}:${key}`);

/** A store whose random numbers come from a seeded generator (engine.random). */
function seeded(seed = 1): Store {
  let x = seed >>> 0;
  const random = () => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return x / 2 ** 32;
  };
  return createStore({ activeExpire: false, random });
}

/** Run a command and decode its reply as `call` would (set replies become arrays). */
const ex = (s: Store, ...argv: (string | Uint8Array)[]): unknown => decodeReply(s.execute(...argv));
const setAt = (s: Store, key: string): SetObject => s.engine.dbs[0]!.dict.get(key) as SetObject;
const sorted = (r: unknown): string[] => [...(r as string[])].sort();
const range = (n: number, from = 0): string[] => Array.from({ length: n }, (_, i) => String(from + i));

/** SADD of many members in batches (one argv per batch). */
function fill(s: Store, key: string, members: string[]): void {
  for (let i = 0; i < members.length; i += 50_000) s.execute('SADD', key, ...members.slice(i, i + 50_000));
}

const WRONGTYPE = 'WRONGTYPE Operation against a key holding the wrong kind of value';

describe('SetObject', () => {
  it('adds, removes and finds members; a removal moves the last slot into the hole', () => {
    const s = new SetObject();
    expect(s.add('a')).toBe(true);
    expect(s.add('a')).toBe(false);
    for (const m of ['b', 'c', 'd']) s.add(m);
    expect(s.size).toBe(4);
    expect(s.remove('b')).toBe(true);
    expect(s.remove('b')).toBe(false);
    expect(s.has('b')).toBe(false);
    expect([0, 1, 2].map((i) => s.at(i)).sort()).toEqual(['a', 'c', 'd']);
    expect([...s.keys()]).toEqual(['a', 'c', 'd']); // the Map's order is untouched
    s.remove('a');
    s.remove('d');
    s.remove('c');
    expect(s.size).toBe(0);
    expect([...s.keys()]).toEqual([]);
  });

  it('picks every member at random, uniformly enough', () => {
    const s = SetObject.from(['a', 'b', 'c', 'd']);
    const seen = new Map<string, number>();
    let x = 7;
    const rnd = () => ((x = (x * 48271) % 2147483647) / 2147483647);
    for (let i = 0; i < 4000; i++) {
      const m = s.random(rnd);
      seen.set(m, (seen.get(m) ?? 0) + 1);
    }
    expect([...seen.keys()].sort()).toEqual(['a', 'b', 'c', 'd']);
    for (const n of seen.values()) expect(n).toBeGreaterThan(800);
  });

  it('is an intset while Redis would keep one: integers only, at most 512', () => {
    const s = SetObject.from(['3', '-1', '10', '2']);
    expect(s.intset).toBe(true);
    expect([...s.members()]).toEqual(['-1', '2', '3', '10']);
    for (const m of ['01', '-0', '+1', '1.0', ' 1', '', '9223372036854775808']) {
      const t = SetObject.from(['1', m]);
      expect(t.intset, m).toBe(false);
      expect([...t.members()]).toEqual(['1', m]); // a hash table's order
    }
    const edges = SetObject.from(['9223372036854775807', '-9223372036854775808', '0', '-9', '-10', '99', '100']);
    expect([...edges.members()]).toEqual(['-9223372036854775808', '-10', '-9', '0', '99', '100', '9223372036854775807']);
    const full = SetObject.from(range(SET_MAX_INTSET_ENTRIES));
    expect(full.intset).toBe(true);
    full.add(String(SET_MAX_INTSET_ENTRIES));
    expect(full.intset).toBe(false);
    // Never back: removing what made it a hash table does not make it an intset again …
    full.remove('0');
    const mixed = SetObject.from(['1', 'x']);
    mixed.remove('x');
    expect(full.intset).toBe(false);
    expect(mixed.intset).toBe(false);
    // … unless the set is rebuilt (SPOP's CASE 3).
    mixed.reencode();
    expect(mixed.intset).toBe(true);
    expect(mixed.dup().intset).toBe(true);
  });

  it('dup shares nothing', () => {
    const a = SetObject.from(['x', 'y']);
    const b = a.dup();
    b.add('z');
    b.remove('x');
    expect([...a.keys()]).toEqual(['x', 'y']);
    expect([...b.keys()].sort()).toEqual(['y', 'z']);
  });

  it('round-trips through its snapshot codec: members, bytes, order and encoding', () => {
    for (const s of [
      SetObject.from(['b', 'a', 'é', BINARY_MARK + '\xff\x00', '日本', '']),
      SetObject.from(['3', '1', '2']),
      (() => {
        const t = SetObject.from(['1', 'x', '2']);
        t.remove('x'); // integers only, but a hash table
        return t;
      })(),
      new SetObject(),
    ]) {
      const w = new ByteWriter();
      writeSetObject(w, s);
      const back = readSetObject(new ByteReader(w.result()));
      expect([...back.keys()]).toEqual([...s.keys()]);
      expect(back.intset).toBe(s.intset);
    }
  });
});

describe('commands', () => {
  it('SADD SREM SCARD SISMEMBER SMISMEMBER SMEMBERS', () => {
    const { run } = setup();
    expect(run('SADD', 's', 'a', 'b', 'a')).toBe(2);
    expect(run('SADD', 's', 'a')).toBe(0);
    expect(run('SCARD', 's')).toBe(2);
    expect(run('SISMEMBER', 's', 'a')).toBe(1);
    expect(run('SISMEMBER', 's', 'z')).toBe(0);
    expect(run('SMISMEMBER', 's', 'a', 'z', 'b')).toEqual([1, 0, 1]);
    expect(run('SMISMEMBER', 'nope', 'a')).toEqual([0]);
    expect(sorted(run('SMEMBERS', 's'))).toEqual(['a', 'b']);
    expect(run('SREM', 's', 'a', 'z')).toBe(1);
    expect(run('SREM', 's', 'b', 'b')).toBe(1);
    expect(run('EXISTS', 's')).toBe(0);
    expect(run('SMEMBERS', 's')).toEqual([]);
    run('SET', 'str', 'v');
    for (const argv of [['SADD', 'str', 'a'], ['SREM', 'str', 'a'], ['SCARD', 'str'], ['SMEMBERS', 'str'], ['SPOP', 'str'], ['SSCAN', 'str', '0']]) {
      expect(errorText(run(...argv))).toBe(WRONGTYPE);
    }
  });

  it('keeps members binary-safe: bytes that spell UTF-8 are that text', async () => {
    const store = createStore({ activeExpire: false });
    expect(store.execute('SADD', 's', Uint8Array.of(0xff), Uint8Array.of(0xc3, 0xa9), 'é', '', 'a\u0000b')).toBe(4);
    expect(store.execute('SISMEMBER', 's', 'é')).toBe(1);
    expect(store.execute('SISMEMBER', 's', Uint8Array.of(0xff))).toBe(1);
    expect(store.execute('SISMEMBER', 's', Uint8Array.of(0xfe))).toBe(0);
    const members = (await store.callBuffer('SMEMBERS', 's')) as (Uint8Array | string)[];
    expect(members.map((m) => Buffer.from(m).toString('hex')).sort()).toEqual(['', '610062', 'c3a9', 'ff']);
  });

  it('replies with sets (RESP3 ~) where Redis does, arrays elsewhere', () => {
    const store = createStore({ activeExpire: false });
    store.execute('SADD', 's', 'a', 'b');
    const kind = (r: Reply) => (r instanceof SetReply ? 'set' : Array.isArray(r) ? 'array' : typeof r);
    expect(kind(store.execute('SMEMBERS', 's'))).toBe('set');
    expect(kind(store.execute('SMEMBERS', 'missing'))).toBe('set');
    expect(kind(store.execute('SINTER', 's', 'missing'))).toBe('set');
    expect(kind(store.execute('SUNION', 's'))).toBe('set');
    expect(kind(store.execute('SDIFF', 's'))).toBe('set');
    expect(kind(store.execute('SPOP', 'missing', '2'))).toBe('set');
    expect(kind(store.execute('SPOP', 's', '0'))).toBe('set');
    expect(kind(store.execute('SRANDMEMBER', 's', '2'))).toBe('array');
    expect(kind(store.execute('SRANDMEMBER', 's', '-2'))).toBe('array');
    expect(kind(store.execute('SMISMEMBER', 's', 'a'))).toBe('array');
    expect(kind(store.execute('SPOP', 's', '5'))).toBe('set');
  });

  it('SMOVE: events, deletion of an emptied source, the same set, a wrong-typed destination', () => {
    const { run, events, log } = setup();
    run('SADD', 'a', 'x', 'y');
    events.length = 0;
    expect(run('SMOVE', 'a', 'b', 'x')).toBe(1);
    expect(events).toEqual(['srem:a', 'new:b', 'sadd:b']);
    events.length = 0;
    run('SADD', 'b', 'y');
    events.length = 0;
    expect(run('SMOVE', 'a', 'b', 'y')).toBe(1); // already in b: only a changes
    expect(events).toEqual(['srem:a', 'del:a']);
    expect(run('EXISTS', 'a')).toBe(0);
    expect(run('SMOVE', 'b', 'b', 'x')).toBe(1);
    expect(run('SMOVE', 'b', 'b', 'z')).toBe(0);
    run('SET', 'str', 'v');
    expect(run('SMOVE', 'missing', 'str', 'x')).toBe(0);
    expect(errorText(run('SMOVE', 'b', 'str', 'x'))).toBe(WRONGTYPE);
    expect(errorText(run('SMOVE', 'str', 'b', 'x'))).toBe(WRONGTYPE);
    expect(sorted(run('SMEMBERS', 'b'))).toEqual(['x', 'y']);
    expect(log.filter((l) => l[1] === 'SMOVE').length).toBe(2);
  });

  it('fires the events Redis fires, and logs only what changed something', () => {
    const { store, run, events, log } = setup();
    store.engine.notifyKeyspaceEventsFlags = keyspaceEventsStringToFlags('KEAn'); // setKey fires "new" only then
    run('SADD', 's', 'a', 'b', 'c');
    run('SADD', 's', 'a');
    run('SREM', 's', 'z');
    run('SREM', 's', 'a', 'b', 'c');
    expect(events).toEqual(['new:s', 'sadd:s', 'srem:s', 'del:s']);
    expect(log).toEqual([
      [0, 'SADD', 's', 'a', 'b', 'c'],
      [0, 'SREM', 's', 'a', 'b', 'c'],
    ]);
    events.length = 0;
    log.length = 0;
    run('SADD', 't', '1', '2');
    run('SADD', 'u', '2', '3');
    events.length = 0;
    expect(run('SINTERSTORE', 'd', 't', 'u')).toBe(1);
    expect(run('SUNIONSTORE', 'd', 't', 'u')).toBe(3);
    expect(run('SDIFFSTORE', 'd', 't', 'u')).toBe(1);
    expect(run('SDIFFSTORE', 'd', 't', 't')).toBe(0); // empty: the destination goes
    expect(run('SINTERSTORE', 'd', 't', 'missing')).toBe(0); // nothing to delete: not logged
    expect(events).toEqual(['new:d', 'sinterstore:d', 'sunionstore:d', 'sdiffstore:d', 'del:d']);
    expect(log.map((l) => l[1])).toEqual(['SADD', 'SADD', 'SINTERSTORE', 'SUNIONSTORE', 'SDIFFSTORE', 'SDIFFSTORE']);
  });

  it('SPOP is logged as SREM of what it popped, or DEL when it popped everything', () => {
    const { store, run, events, log } = setup();
    run('SADD', 's', 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j');
    log.length = 0;
    events.length = 0;
    const one = run('SPOP', 's') as string;
    expect(log).toEqual([[0, 'SREM', 's', one]]);
    const three = run('SPOP', 's', '3') as string[];
    expect(three.length).toBe(3);
    expect(log[1]).toEqual([0, 'SREM', 's', ...three]);
    expect(run('SPOP', 's', '0')).toEqual([]);
    const rest = run('SPOP', 's', '100') as string[];
    expect(rest.length).toBe(6);
    expect(new Set([one, ...three, ...rest]).size).toBe(10);
    expect(log[2]).toEqual([0, 'DEL', 's']);
    expect(log.length).toBe(3);
    expect(events).toEqual(['spop:s', 'spop:s', 'spop:s', 'del:s']);
    expect(store.engine.dbs[0]!.dict.size).toBe(0);
    run('SADD', 'one', 'x');
    events.length = 0;
    expect(run('SPOP', 'one')).toBe('x');
    expect(events).toEqual(['spop:one', 'del:one']);
    expect(run('SPOP', 'missing')).toBe(null);
    expect(errorText(run('SPOP', 'one', '-1'))).toBe('ERR value is out of range, must be positive');
    expect(errorText(run('SPOP', 'one', 'x'))).toBe('ERR value is out of range, must be positive');
    expect(errorText(run('SPOP', 'one', '1', '2'))).toBe('ERR syntax error');
  });

  it('SPOP taking most of a set rebuilds it, encoded afresh (CASE 3); taking a little does not', () => {
    const s = seeded(3);
    ex(s, 'SADD', 'big', ...range(20), 'x');
    ex(s, 'SREM', 'big', 'x'); // integers only, but a hash table
    ex(s, 'SPOP', 'big', '5'); // 15 remain: CASE 2
    expect(setAt(s, 'big').intset).toBe(false);
    ex(s, 'SPOP', 'big', '13'); // 2 remain, 2 * 5 <= 13: CASE 3
    expect(setAt(s, 'big').intset).toBe(true);
    const left = ex(s, 'SMEMBERS', 'big') as string[];
    expect(left).toEqual([...left].sort((a, b) => Number(a) - Number(b)));
  });

  it('SRANDMEMBER: distinct members, repeats for a negative count, the whole set, the limits', () => {
    const s = seeded(5);
    ex(s, 'SADD', 's', 'a', 'b', 'c', 'd', 'e');
    const two = ex(s, 'SRANDMEMBER', 's', '2') as string[];
    expect(new Set(two).size).toBe(2);
    const four = ex(s, 'SRANDMEMBER', 's', '4') as string[]; // CASE 3 in Redis
    expect(new Set(four).size).toBe(4);
    expect(sorted(ex(s, 'SRANDMEMBER', 's', '5'))).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(sorted(ex(s, 'SRANDMEMBER', 's', '9223372036854775807'))).toEqual(['a', 'b', 'c', 'd', 'e']);
    const many = ex(s, 'SRANDMEMBER', 's', '-50') as string[];
    expect(many.length).toBe(50);
    expect(new Set(many).size).toBe(5);
    expect(ex(s, 'SRANDMEMBER', 's', '0')).toEqual([]);
    expect(ex(s, 'SRANDMEMBER', 'missing', '-5')).toEqual([]);
    expect(ex(s, 'SRANDMEMBER', 'missing')).toBe(null);
    expect((ex(s, 'SRANDMEMBER', 's', '-9223372036854775808') as Error).message).toBe(
      'ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807',
    );
    expect((ex(s, 'SRANDMEMBER', 's', 'x') as Error).message).toBe('ERR value is not an integer or out of range');
    // Redis would stream 2^63-1 members; a reply built in memory cannot hold them.
    expect((ex(s, 'SRANDMEMBER', 's', String(-SRANDMEMBER_MAX_REPLY - 1)) as Error).message).toMatch(/reply would hold more than/);
    expect((ex(s, 'SRANDMEMBER', 's', '-9223372036854775807') as Error).message).toMatch(/reply would hold more than/);
    expect(ex(s, 'SRANDMEMBER', 'missing', '-9223372036854775807')).toEqual([]);
  });

  it('SINTERCARD: numkeys, LIMIT and their errors, in Redis order', () => {
    const { run } = setup();
    run('SADD', 'a', '1', '2', '3', '4');
    run('SADD', 'b', '2', '3', '4', '5');
    expect(run('SINTERCARD', '2', 'a', 'b')).toBe(3);
    expect(run('SINTERCARD', '2', 'a', 'b', 'LIMIT', '2')).toBe(2);
    expect(run('SINTERCARD', '2', 'a', 'b', 'limit', '0')).toBe(3);
    expect(run('SINTERCARD', '2', 'a', 'b', 'LIMIT\u0000junk', '1')).toBe(1); // strcasecmp stops at NUL
    expect(run('SINTERCARD', '1', 'missing')).toBe(0);
    expect(errorText(run('SINTERCARD', '0', 'a'))).toBe('ERR numkeys should be greater than 0');
    expect(errorText(run('SINTERCARD', 'x', 'a'))).toBe('ERR numkeys should be greater than 0');
    expect(errorText(run('SINTERCARD', '3', 'a', 'b'))).toBe("ERR Number of keys can't be greater than number of args");
    expect(errorText(run('SINTERCARD', '9223372036854775807', 'a'))).toBe("ERR Number of keys can't be greater than number of args");
    expect(errorText(run('SINTERCARD', '1', 'a', 'LIMIT', '-1'))).toBe("ERR LIMIT can't be negative");
    expect(errorText(run('SINTERCARD', '1', 'a', 'LIMIT'))).toBe('ERR syntax error');
    expect(errorText(run('SINTERCARD', '1', 'a', 'b'))).toBe('ERR syntax error');
  });

  it('*STORE overwrites a destination of any type and drops its TTL; SADD, SREM and SPOP keep it', () => {
    const { run } = setup();
    run('SADD', 'a', 'x', 'y');
    run('SET', 'd', 'str');
    run('EXPIRE', 'd', '100');
    expect(run('SUNIONSTORE', 'd', 'a')).toBe(2);
    expect(run('TYPE', 'd')).toBe('set');
    expect(run('TTL', 'd')).toBe(-1);
    run('EXPIRE', 'a', '100');
    run('SADD', 'a', 'z');
    run('SREM', 'a', 'z');
    run('SPOP', 'a');
    expect(run('TTL', 'a')).toBe(100);
    run('SET', 'e', 'str');
    expect(run('SINTERSTORE', 'e', 'a', 'missing')).toBe(0);
    expect(run('EXISTS', 'e')).toBe(0);
  });

  it('SDIFF: both algorithms give the same set, whatever the order of the subtrahends', () => {
    const { run } = setup();
    run('SADD', 'a', ...range(50));
    run('SADD', 'b', ...range(10));
    run('SADD', 'c', ...range(1000, 40)); // algorithm 2: far more work in the others
    run('SADD', 'small', '1', '45', 'zz');
    const expected = range(30, 10).filter((m) => Number(m) < 40);
    expect(sorted(run('SDIFF', 'a', 'b', 'c'))).toEqual(expected.sort());
    expect(sorted(run('SDIFF', 'a', 'c', 'b'))).toEqual(expected.sort());
    expect(sorted(run('SDIFF', 'small', 'a'))).toEqual(['zz']);
    expect(run('SDIFF', 'a', 'missing', 'a')).toEqual([]);
    expect(run('SDIFF', 'missing', 'a')).toEqual([]);
  });
});

describe('SSCAN', () => {
  it('returns an intset whole, in order, with cursor 0', () => {
    const { run } = setup();
    run('SADD', 'i', '30', '10', '20');
    expect(run('SSCAN', 'i', '0', 'COUNT', '1')).toEqual(['0', ['10', '20', '30']]);
    expect(run('SSCAN', 'i', '12345', 'MATCH', '[12]*')).toEqual(['0', ['10', '20']]);
  });

  it('walks a hash table: every member present throughout is returned, in O(COUNT) a call', () => {
    const s = createStore({ activeExpire: false });
    fill(s, 'h', range(1000).map((m) => `m${m}`));
    const seen = new Set<string>();
    let cursor = '0';
    let calls = 0;
    do {
      const [next, page] = ex(s, 'SSCAN', 'h', cursor, 'COUNT', '7') as [string, string[]];
      expect(page.length).toBeLessThanOrEqual(7);
      for (const m of page) seen.add(m);
      // Churn while iterating: new members, and removal of members (never of m0..m499).
      ex(s, 'SADD', 'h', `new${calls}`);
      ex(s, 'SREM', 'h', `m${999 - calls}`);
      cursor = next;
      calls++;
    } while (cursor !== '0');
    for (let i = 0; i < 500; i++) expect(seen.has(`m${i}`)).toBe(true);
    expect(calls).toBeLessThan(200);
  });

  it('checks the cursor, then the key, then the options', () => {
    const { run } = setup();
    run('SADD', 'h', 'a', 'b');
    expect(errorText(run('SSCAN', 'h', 'x'))).toBe('ERR invalid cursor');
    expect(errorText(run('SSCAN', 'missing', 'x'))).toBe('ERR invalid cursor');
    expect(run('SSCAN', 'missing', '0', 'BAD')).toEqual(['0', []]);
    expect(errorText(run('SSCAN', 'h', '0', 'BAD'))).toBe('ERR syntax error');
    expect(errorText(run('SSCAN', 'h', '0', 'TYPE', 'set'))).toBe('ERR syntax error');
    expect(sorted((run('SSCAN', 'h', '0', 'MATCH', '*') as [string, string[]])[1])).toEqual(['a', 'b']);
  });
});

describe('big sets', () => {
  const N = 1_000_000;

  it('a million members: membership, random members and pops without walking the set', () => {
    const s = seeded(9);
    fill(s, 'big', range(N).map((m) => `m${m}`));
    expect(ex(s, 'SCARD', 'big')).toBe(N);
    const set = setAt(s, 'big');
    const keys = vi.spyOn(set, 'keys');
    const members = vi.spyOn(set, 'members');
    const dup = vi.spyOn(set, 'dup');
    const random = vi.spyOn(s.engine, 'random');
    expect(ex(s, 'SISMEMBER', 'big', 'm999999')).toBe(1);
    const five = ex(s, 'SRANDMEMBER', 'big', '5') as string[];
    expect(new Set(five).size).toBe(5);
    expect((ex(s, 'SRANDMEMBER', 'big', '-5') as string[]).length).toBe(5);
    const popped = ex(s, 'SPOP', 'big', '5') as string[];
    expect(popped.length).toBe(5);
    const single = ex(s, 'SPOP', 'big') as string;
    expect(random).toHaveBeenCalledTimes(5 + 5 + 5 + 1); // O(count) work each
    expect(keys).not.toHaveBeenCalled();
    expect(members).not.toHaveBeenCalled();
    expect(dup).not.toHaveBeenCalled();
    expect(ex(s, 'SCARD', 'big')).toBe(N - 6);
    // Both ends of the structure: the first and the last slots go.
    const ends = ['m0', 'm1', `m${N - 2}`, `m${N - 1}`].filter((m) => !popped.includes(m) && m !== single);
    expect(ex(s, 'SREM', 'big', ...ends)).toBe(ends.length);
    expect(ex(s, 'SMISMEMBER', 'big', ...ends)).toEqual(ends.map(() => 0));
    expect(ex(s, 'SCARD', 'big')).toBe(N - 6 - ends.length);
  });

  it('SINTER walks the smallest set; SINTERCARD LIMIT stops early', () => {
    const s = createStore({ activeExpire: false });
    fill(s, 'big', range(N));
    fill(s, 'big2', range(N));
    ex(s, 'SADD', 'small', '5', '50', 'nope', '500000');
    const has = vi.spyOn(setAt(s, 'big'), 'has');
    const has2 = vi.spyOn(setAt(s, 'big2'), 'has');
    expect(sorted(ex(s, 'SINTER', 'big', 'small'))).toEqual(['5', '50', '500000']);
    expect(has).toHaveBeenCalledTimes(4); // one probe per member of the small set
    has.mockClear();
    expect(ex(s, 'SINTERCARD', '2', 'big', 'big2', 'LIMIT', '3')).toBe(3);
    expect(has.mock.calls.length + has2.mock.calls.length).toBe(3); // stopped at the limit
    expect(ex(s, 'SINTERSTORE', 'dst', 'small', 'big')).toBe(3);
  });
});
