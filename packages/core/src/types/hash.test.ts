import { describe, expect, it } from 'vitest';
import type { Client } from '../client.js';
import {
  createStore,
  decodeReply,
  Engine,
  MapReply,
  MemoryPersistence,
  openStore,
  rdbLoad,
  ReplyError,
  SnapshotWriter,
  type Store,
} from '../index.js';
import { ByteReader, ByteWriter } from '../rio.js';
import { BINARY_MARK } from '../sds.js';
import { Rng } from '../../../../conformance/fuzz/rng.js';
import { dumpKeyspace, errorText, setupStore, T0 } from '../test-helpers.js';
import { HASH_MAX_LISTPACK_ENTRIES, HashObject, HRANDFIELD_MAX_REPLY, readHashObject, writeHashObject } from './hash.js';

const WRONGTYPE = 'WRONGTYPE Operation against a key holding the wrong kind of value';

const hashOf = (s: Store, key: string, db = 0): HashObject => s.engine.dbs[db]!.dict.get(key) as HashObject;
const clientOf = (s: Store): Client => (s as unknown as { transport: { client: Client } }).transport.client;

/** A store whose engine draws from a seeded generator. */
function seeded(seed = 1) {
  const rng = new Rng(seed);
  const store = createStore({ clock: () => T0, activeExpire: false, random: () => rng.next() });
  const run = (...argv: (string | number | Uint8Array)[]) => {
    const r = store.execute(...argv);
    if (r instanceof ReplyError) throw r;
    return decodeReply(r);
  };
  return { store, run };
}

/** Pairs f0 v0 f1 v1 … for HSET. */
const pairs = (from: number, to: number, prefix = 'f'): string[] => {
  const out: string[] = [];
  for (let i = from; i < to; i++) out.push(`${prefix}${i}`, `v${i}`);
  return out;
};

describe('HashObject', () => {
  it('keeps insertion order: an updated field keeps its place, a new one goes last', () => {
    const h = new HashObject();
    expect(h.set('c', '1')).toBe(true);
    expect(h.set('a', '2')).toBe(true);
    expect(h.set('b', '3')).toBe(true);
    expect(h.set('a', '20')).toBe(false);
    expect(h.delete('c')).toBe(true);
    expect(h.delete('c')).toBe(false);
    expect(h.set('c', 30)).toBe(true);
    expect([...h.entries()]).toEqual([
      ['a', '20'],
      ['b', '3'],
      ['c', 30],
    ]);
    expect(h.size).toBe(3);
    expect(h.get('a')).toBe('20');
    expect(h.get('zz')).toBe(undefined);
  });

  it('keeps its random-access slots dense and exact through any mix of sets and deletes', () => {
    const rng = new Rng(7);
    const h = new HashObject();
    const model = new Map<string, string>();
    for (let i = 0; i < 20_000; i++) {
      const f = `f${rng.int(0, 300)}`;
      if (rng.chance(0.45)) {
        expect(h.delete(f)).toBe(model.delete(f));
      } else {
        expect(h.set(f, String(i))).toBe(!model.has(f));
        model.set(f, String(i));
      }
      if (i % 997 === 0) {
        const slots = Array.from({ length: h.size }, (_, j) => h.fieldAt(j));
        expect(new Set(slots).size).toBe(model.size);
        expect(slots.sort()).toEqual([...model.keys()].sort());
      }
    }
    expect([...h.entries()]).toEqual([...model.entries()]);
  });

  it('turns into a hash table past hash-max-listpack-entries fields and stays one', () => {
    const h = new HashObject();
    for (let i = 0; i < HASH_MAX_LISTPACK_ENTRIES; i++) h.set(`f${i}`, 'v');
    expect(h.listpack).toBe(true);
    h.set('f0', 'updated');
    expect(h.listpack).toBe(true);
    h.set('one-more', 'v');
    expect(h.listpack).toBe(false);
    for (let i = 0; i < 100; i++) h.delete(`f${i}`);
    expect(h.listpack).toBe(false);
  });

  it('dup copies pairs, order and encoding, and shares nothing mutable', () => {
    const h = HashObject.from(
      [
        ['a', '1'],
        ['b', 2],
      ],
      false,
    );
    const d = h.dup();
    d.set('c', '3');
    d.set('a', 'changed');
    expect([...h.entries()]).toEqual([
      ['a', '1'],
      ['b', 2],
    ]);
    expect(d.listpack).toBe(false);
    expect([...d.entries()].map(([f]) => f)).toEqual(['a', 'b', 'c']);
  });

  it('snapshot codec: text, bytes and integer values, binary fields, encoding, order', () => {
    const h = HashObject.from([
      ['text', 'héllo'],
      [BINARY_MARK + '\xff\x00', Uint8Array.of(0, 255, 1)],
      ['int', -9007199254740991],
      ['zero', 0],
      ['max', 9007199254740991],
      ['', ''],
      ['日本', '語'],
    ]);
    h.listpack = false;
    const w = new ByteWriter();
    writeHashObject(w, h);
    const back = readHashObject(new ByteReader(w.result().slice()));
    expect([...back.entries()]).toEqual([...h.entries()]);
    expect(back.listpack).toBe(false);
    expect(back.get(BINARY_MARK + '\xff\x00')).toBeInstanceOf(Uint8Array);
    expect(typeof back.get('int')).toBe('number');
    const small = readHashObject(new ByteReader(((): Uint8Array => {
      const w2 = new ByteWriter();
      writeHashObject(w2, HashObject.from([['a', '1']]));
      return w2.result().slice();
    })()));
    expect(small.listpack).toBe(true);
  });
});

describe('encodings (what shows: listpack order, HSCAN in one call)', () => {
  it('a field or value longer than 64 bytes makes a hash table; UTF-8 bytes count', () => {
    const { store, run } = setupStore();
    run('HSET', 'h', 'f', 'x'.repeat(64));
    expect(hashOf(store, 'h').listpack).toBe(true);
    run('HSET', 'h', 'f', 'é'.repeat(32)); // 64 bytes
    expect(hashOf(store, 'h').listpack).toBe(true);
    run('HSET', 'h', 'f', 'é'.repeat(33)); // 66 bytes
    expect(hashOf(store, 'h').listpack).toBe(false);
    run('HSET', 'k', 'x'.repeat(65), '1');
    expect(hashOf(store, 'k').listpack).toBe(false);
    run('HSET', 'b', 'f', new Uint8Array(65));
    expect(hashOf(store, 'b').listpack).toBe(false);
  });

  it('HSETNX checks its arguments only when it sets; HINCRBY* check their field and result', () => {
    const { store, run } = setupStore();
    run('HSET', 'h', 'f', '1');
    run('HSETNX', 'h', 'f', 'y'.repeat(65)); // exists: nothing set, nothing converted
    expect(hashOf(store, 'h').listpack).toBe(true);
    run('HINCRBYFLOAT', 'h', 'f', '1e60'); // 61 digits
    expect(hashOf(store, 'h').listpack).toBe(true);
    run('HINCRBYFLOAT', 'h', 'f', '1e70');
    expect(hashOf(store, 'h').listpack).toBe(false);
    run('HINCRBY', 'i', 'z'.repeat(65), '1');
    expect(hashOf(store, 'i').listpack).toBe(false);
  });

  it('HSCAN returns a listpack whole with cursor 0, whatever the cursor and COUNT', () => {
    const { run } = setupStore();
    run('HSET', 'h', ...pairs(0, HASH_MAX_LISTPACK_ENTRIES));
    const r = run('HSCAN', 'h', '12345', 'COUNT', '1') as [string, string[]];
    expect(r[0]).toBe('0');
    expect(r[1]).toEqual(pairs(0, HASH_MAX_LISTPACK_ENTRIES));
    run('HSET', 'h', 'extra', 'v');
    const page = run('HSCAN', 'h', '0', 'COUNT', '5') as [string, string[]];
    expect(page[0]).not.toBe('0');
    expect(page[1]).toEqual(pairs(0, 5));
  });
});

describe('HSCAN on a hash table', () => {
  it('a full iteration returns every field present throughout exactly once, in O(N) total', () => {
    const { store, run } = setupStore();
    run('HSET', 'h', ...pairs(0, 1000));
    const seen = new Map<string, number>();
    let cursor = '0';
    let calls = 0;
    do {
      const [next, page] = run('HSCAN', 'h', cursor, 'COUNT', '37') as [string, string[]];
      expect(page.length).toBeLessThanOrEqual(74);
      for (let i = 0; i < page.length; i += 2) seen.set(page[i]!, (seen.get(page[i]!) ?? 0) + 1);
      // Changes during the iteration: fields added and removed ahead of the cursor.
      if (calls === 3) {
        run('HDEL', 'h', 'f999', 'f998');
        run('HSET', 'h', 'new1', 'x', 'new2', 'y');
      }
      cursor = next;
      calls++;
    } while (cursor !== '0');
    expect(calls).toBeLessThanOrEqual(Math.ceil(1002 / 37) + 1);
    for (let i = 0; i < 998; i++) expect(seen.get(`f${i}`)).toBe(1);
    expect(seen.has('f999')).toBe(false);
    expect([...seen.values()].every((n) => n === 1)).toBe(true);
    expect(hashOf(store, 'h').size).toBe(1000);
  });

  it('MATCH filters fields (values are not matched); an unknown cursor starts over', () => {
    const { run } = setupStore();
    run('HSET', 'h', ...pairs(0, 600), 'special', 'f-looking-value');
    const all: string[] = [];
    let cursor = '0';
    do {
      const [next, page] = run('HSCAN', 'h', cursor, 'MATCH', 'f1?', 'COUNT', '50') as [string, string[]];
      all.push(...page);
      cursor = next;
    } while (cursor !== '0');
    expect(all.filter((_, i) => i % 2 === 0).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `f1${i}`).sort());
    const [, fresh] = run('HSCAN', 'h', '999999999', 'COUNT', '3') as [string, string[]];
    expect(fresh).toEqual(['f0', 'v0', 'f1', 'v1', 'f2', 'v2']);
  });
});

describe('HRANDFIELD', () => {
  it('a negative count picks uniformly, with repeats', () => {
    const { run } = seeded(3);
    run('HSET', 'h', 'a', '1', 'b', '2', 'c', '3', 'd', '4');
    const picks = run('HRANDFIELD', 'h', '-40000') as string[];
    expect(picks.length).toBe(40000);
    const counts = new Map<string, number>();
    for (const f of picks) counts.set(f, (counts.get(f) ?? 0) + 1);
    expect([...counts.keys()].sort()).toEqual(['a', 'b', 'c', 'd']);
    for (const n of counts.values()) expect(Math.abs(n - 10000)).toBeLessThan(500);
    const withValues = run('HRANDFIELD', 'h', '-10', 'WITHVALUES') as string[];
    expect(withValues.length).toBe(20);
    for (let i = 0; i < 20; i += 2) expect(withValues[i + 1]).toBe(String(' abcd'.indexOf(withValues[i]!)));
  });

  it('a positive count gives distinct fields, each subset about equally often', () => {
    const { run } = seeded(4);
    run('HSET', 'h', ...pairs(0, 6));
    const subsets = new Map<string, number>();
    for (let i = 0; i < 6000; i++) {
      const r = run('HRANDFIELD', 'h', '2') as string[];
      expect(new Set(r).size).toBe(2);
      const k = [...r].sort().join(',');
      subsets.set(k, (subsets.get(k) ?? 0) + 1);
    }
    expect(subsets.size).toBe(15); // C(6, 2)
    for (const n of subsets.values()) expect(Math.abs(n - 400)).toBeLessThan(100);
    for (const count of ['5', '3']) {
      const r = run('HRANDFIELD', 'h', count, 'WITHVALUES') as string[];
      expect(r.length).toBe(Number(count) * 2);
      for (let i = 0; i < r.length; i += 2) expect(r[i + 1]).toBe(r[i]!.replace('f', 'v'));
    }
  });

  it('a count of the size or more gives the whole hash, in order', () => {
    const { run } = seeded();
    run('HSET', 'h', 'z', '1', 'y', '2', 'x', '3');
    expect(run('HRANDFIELD', 'h', '3')).toEqual(['z', 'y', 'x']);
    expect(run('HRANDFIELD', 'h', '4611686018427387903', 'WITHVALUES')).toEqual(['z', '1', 'y', '2', 'x', '3']);
    expect(run('HRANDFIELD', 'h', '0')).toEqual([]);
    expect(run('HRANDFIELD', 'missing', '-5')).toEqual([]);
    expect(run('HRANDFIELD', 'missing')).toBe(null);
  });

  it('draws one random number per field picked: no copy of the hash, even from 1M fields', { timeout: 60_000 }, () => {
    let draws = 0;
    const rng = new Rng(9);
    const store = createStore({ clock: () => T0, activeExpire: false, random: () => (draws++, rng.next()) });
    for (let i = 0; i < 1_000_000; i += 10_000) store.execute('HSET', 'big', ...pairs(i, i + 10_000));
    expect(store.execute('HLEN', 'big')).toBe(1_000_000);
    draws = 0;
    expect((store.execute('HRANDFIELD', 'big', '5') as unknown[]).length).toBe(5);
    expect(draws).toBe(5);
    draws = 0;
    expect((store.execute('HRANDFIELD', 'big', '-7', 'WITHVALUES') as unknown[]).length).toBe(14);
    expect(draws).toBe(7);
    draws = 0;
    store.execute('HRANDFIELD', 'big');
    expect(draws).toBe(1);
  });

  it('refuses a reply larger than Lodis builds', () => {
    const { run } = seeded();
    run('HSET', 'h', 'a', '1');
    expect(() => run('HRANDFIELD', 'h', String(-HRANDFIELD_MAX_REPLY - 1))).toThrow(/reply would hold more than/);
    expect(() => run('HRANDFIELD', 'h', '-9223372036854775807')).toThrow(/reply would hold more than/);
    expect(() => run('HRANDFIELD', 'h', String(-HRANDFIELD_MAX_REPLY / 2 - 1), 'WITHVALUES')).toThrow(/reply would hold more than/);
  });
});

describe('1M fields', () => {
  it('HSET, HGET, HDEL at both ends of the insertion order, HSCAN, then HDEL to empty', { timeout: 60_000 }, () => {
    const store = createStore({ clock: () => T0, activeExpire: false });
    const N = 1_000_000;
    for (let i = 0; i < N; i += 10_000) expect(store.execute('HSET', 'big', ...pairs(i, i + 10_000))).toBe(10_000);
    const h = hashOf(store, 'big');
    expect(h.listpack).toBe(false);
    expect(store.execute('HGET', 'big', 'f0')).toBe('v0');
    expect(store.execute('HGET', 'big', `f${N - 1}`)).toBe(`v${N - 1}`);
    expect(store.execute('HDEL', 'big', 'f0', `f${N - 1}`)).toBe(2);
    expect(store.execute('HSET', 'big', 'f0', 'again')).toBe(1);
    expect(store.execute('HLEN', 'big')).toBe(N - 1);
    // A full HSCAN: every field once, COUNT fields a call.
    let cursor = '0';
    let calls = 0;
    let fields = 0;
    do {
      const [next, page] = store.execute('HSCAN', 'big', cursor, 'COUNT', '10000') as unknown as [string, unknown[]];
      fields += page.length / 2;
      cursor = next;
      calls++;
    } while (cursor !== '0');
    expect(fields).toBe(N - 1);
    expect(calls).toBe(100);
    for (let i = 1; i < N - 1; i += 10_000) {
      const batch: string[] = [];
      for (let j = i; j < Math.min(i + 10_000, N - 1); j++) batch.push(`f${j}`);
      store.execute('HDEL', 'big', ...batch);
    }
    expect(store.execute('HDEL', 'big', 'f0')).toBe(1);
    expect(store.execute('EXISTS', 'big')).toBe(0);
  });
});

describe('effects: keyspace events, WATCH signals, the command log', () => {
  const setup = () => {
    const s = setupStore((event, key) => `${event}:${key}`);
    const modified: string[] = [];
    s.store.engine.signalModifiedKey = (_db, key) => void modified.push(key);
    return { ...s, modified };
  };

  it('fires events where Redis does and logs effects', () => {
    const { store, run, events, log, modified } = setup();
    const dirty = () => store.engine.dirty;
    run('HSET', 'h', 'a', '1', 'b', '2');
    expect(events.splice(0)).toEqual(['new:h', 'hset:h']);
    run('HMSET', 'h', 'a', '1');
    expect(events.splice(0)).toEqual(['hset:h']);
    let d = dirty();
    expect(run('HSETNX', 'h', 'a', 'x')).toBe(0);
    expect(dirty()).toBe(d);
    expect(run('HSETNX', 'h', 'c', 'x')).toBe(1);
    expect(events.splice(0)).toEqual(['hset:h']);
    run('HINCRBY', 'h', 'n', '5');
    run('HINCRBYFLOAT', 'h', 'x', '1.5');
    run('HINCRBYFLOAT', 'h', 'x', '1e2');
    expect(events.splice(0)).toEqual(['hincrby:h', 'hincrbyfloat:h', 'hincrbyfloat:h']);
    d = dirty();
    expect(run('HDEL', 'h', 'nope')).toBe(0);
    expect(dirty()).toBe(d);
    expect(events).toEqual([]);
    expect(run('HDEL', 'h', 'a', 'b', 'nope')).toBe(2);
    expect(dirty()).toBe(d + 2);
    expect(events.splice(0)).toEqual(['hdel:h']);
    expect(run('HDEL', 'h', 'c', 'n', 'x', 'more')).toBe(3);
    expect(events.splice(0)).toEqual(['hdel:h', 'del:h']);
    expect(run('EXISTS', 'h')).toBe(0);
    run('HINCRBYFLOAT', 'fresh', 'f', '2');
    expect(events.splice(0)).toEqual(['new:fresh', 'hincrbyfloat:fresh']);
    expect(modified).toEqual(['h', 'h', 'h', 'h', 'h', 'h', 'h', 'h', 'fresh']);
    expect(log.map(([, ...argv]) => argv.map(String).join(' '))).toEqual([
      'HSET h a 1 b 2',
      'HMSET h a 1',
      'HSETNX h c x',
      'HINCRBY h n 5',
      'HSET h x 1.5',
      'HSET h x 101.5',
      'HDEL h a b nope',
      'HDEL h c n x more',
      'HSET fresh f 2',
    ]);
  });

  it('errors change nothing and create no key', () => {
    const { store, run, events, log } = setup();
    for (const argv of [
      ['HINCRBY', 'h', 'f', 'x'],
      ['HINCRBYFLOAT', 'h', 'f', 'inf'],
      ['HINCRBYFLOAT', 'h', 'f', 'x'],
      ['HSET', 'h', 'f'],
      ['HMSET', 'h', 'a', 'b', 'c'],
    ]) {
      expect(run(...argv)).toBeInstanceOf(ReplyError);
    }
    expect(store.engine.dbs[0]!.size).toBe(0);
    expect(events).toEqual([]);
    expect(log).toEqual([]);
  });

  it('replaying the log rebuilds the same hashes, order and encoding included', () => {
    const { store, run, log } = setup();
    run('HSET', 'h', ...pairs(0, 100));
    run('HINCRBYFLOAT', 'h', 'num', '1e70');
    run('HDEL', 'h', 'f10', 'f11');
    run('HSET', 'small', 'b', '1', 'a', '2');
    run('HINCRBY', 'small', 'b', '-9007199254740993');
    run('HINCRBYFLOAT', 'small', 'c', '0.1');
    run('HINCRBYFLOAT', 'small', 'c', '0.2');
    const replay = createStore({ clock: () => T0, activeExpire: false });
    for (const [db, ...argv] of log) {
      replay.execute('SELECT', db);
      replay.execute(...argv);
    }
    expect(dumpKeyspace(replay.engine)).toEqual(dumpKeyspace(store.engine));
    expect(hashOf(replay, 'h').listpack).toBe(false);
    expect(run('HGET', 'small', 'c')).toBe('0.3');
  });
});

describe('errors and edge cases', () => {
  it('wrong types, in the order Redis checks', () => {
    const { run } = setupStore();
    run('SET', 's', 'x');
    for (const argv of [
      ['HGET', 's', 'f'],
      ['HSET', 's', 'f', 'v'],
      ['HDEL', 's', 'f'],
      ['HLEN', 's'],
      ['HGETALL', 's'],
      ['HRANDFIELD', 's', '0'],
      ['HSCAN', 's', '0', 'COUNT', '0'],
      ['HINCRBY', 's', 'f', '1'],
    ]) {
      expect(errorText(run(...argv))).toBe(WRONGTYPE);
    }
    // Argument errors come before the key lookup.
    expect(errorText(run('HINCRBY', 's', 'f', 'x'))).toBe('ERR value is not an integer or out of range');
    expect(errorText(run('HINCRBYFLOAT', 's', 'f', 'x'))).toBe('ERR value is not a valid float');
    expect(errorText(run('HINCRBYFLOAT', 's', 'f', 'inf'))).toBe('ERR value is NaN or Infinity');
    expect(errorText(run('HSCAN', 's', 'x'))).toBe('ERR invalid cursor');
    expect(errorText(run('HRANDFIELD', 's', '1', 'bogus'))).toBe('ERR syntax error');
    expect(errorText(run('HSET', 's', 'f', 'v', 'g'))).toBe("ERR wrong number of arguments for 'hset' command");
    expect(errorText(run('HMSET', 's', 'f', 'v', 'g'))).toBe("ERR wrong number of arguments for 'hmset' command");
  });

  it('HINCRBY: int64 exact, overflow refused', () => {
    const { run } = setupStore();
    expect(run('HINCRBY', 'h', 'f', '9007199254740991')).toBe(9007199254740991);
    expect(run('HINCRBY', 'h', 'f', '2')).toBe(9007199254740993n);
    expect(run('HGET', 'h', 'f')).toBe('9007199254740993');
    expect(run('HINCRBY', 'h', 'f', '9223372036854775807')).toHaveProperty('message', 'ERR increment or decrement would overflow');
    expect(run('HINCRBY', 'h', 'f', '-9007199254740993')).toBe(0);
    run('HSET', 'h', 'g', '-9223372036854775808', 's', 'abc', 'w', '123456789012345678901');
    expect(run('HINCRBY', 'h', 'g', '-1')).toHaveProperty('message', 'ERR increment or decrement would overflow');
    expect(run('HINCRBY', 'h', 'g', '9223372036854775807')).toBe(-1);
    expect(run('HINCRBY', 'h', 's', '1')).toHaveProperty('message', 'ERR hash value is not an integer');
    expect(run('HINCRBY', 'h', 'w', '1')).toHaveProperty('message', 'ERR hash value is not an integer');
    expect(run('HINCRBYFLOAT', 'h', 's', '1')).toHaveProperty('message', 'ERR hash value is not a float');
    run('HSET', 'h', 'big', '1e4932'); // near the long double's limit
    expect(run('HINCRBYFLOAT', 'h', 'big', '1e4932')).toHaveProperty('message', 'ERR increment would produce NaN or Infinity');
  });

  it('binary fields and values round-trip; HSTRLEN counts bytes', () => {
    const { store } = setupStore();
    store.execute('HSET', 'h', Uint8Array.of(0xff, 0x00), Uint8Array.of(1, 2, 3), 'é', 'ü€');
    expect(store.execute('HSTRLEN', 'h', 'é')).toBe(5);
    expect(store.execute('HSTRLEN', 'h', Uint8Array.of(0xff, 0x00))).toBe(3);
    expect(store.execute('HGET', 'h', Uint8Array.of(0xff, 0x00))).toEqual(Uint8Array.of(1, 2, 3));
    expect(store.execute('HKEYS', 'h')).toEqual([Uint8Array.of(0xff, 0x00), 'é']);
  });

  it('RESP3: HGETALL is a map, HRANDFIELD WITHVALUES gives pairs', () => {
    const { store, run } = seeded();
    run('HSET', 'h', 'a', '1', 'b', '2');
    clientOf(store).resp = 3;
    const all = store.execute('HGETALL', 'h');
    expect(all).toBeInstanceOf(MapReply);
    expect((all as MapReply).flat).toEqual(['a', '1', 'b', '2']);
    expect(store.execute('HGETALL', 'missing')).toEqual(new MapReply([]));
    expect(store.execute('HRANDFIELD', 'h', '2', 'WITHVALUES')).toEqual([
      ['a', '1'],
      ['b', '2'],
    ]);
    const picks = store.execute('HRANDFIELD', 'h', '-3', 'WITHVALUES') as [string, string][];
    expect(picks.length).toBe(3);
    for (const [f, v] of picks) expect(v).toBe(f === 'a' ? '1' : '2');
  });
});

describe('persistence', () => {
  it('a snapshot keeps every field, value representation, order and encoding', async () => {
    const p = new MemoryPersistence();
    let now = T0;
    const store = await openStore({ persistence: p, clock: () => now, activeExpire: false });
    await store.hset('big', Object.fromEntries(Array.from({ length: 600 }, (_, i) => [`f${i}`, i % 3 ? String(i) : `é${i}`])));
    await store.call('HSET', 'bin', Uint8Array.of(0xff), Uint8Array.of(0, 1), 'text', 'v');
    await store.hincrby('bin', 'n', -42);
    await store.hincrbyfloat('bin', 'x', 0.5);
    await store.call('SAVE');
    await store.hdel('big', 'f7'); // in the log after the snapshot
    const expected = dumpKeyspace(store.engine);
    await store.close();
    now += 1000;
    const reopened = await openStore({ persistence: p, clock: () => now, activeExpire: false });
    expect(dumpKeyspace(reopened.engine)).toEqual(expected);
    expect(hashOf(reopened, 'bin').listpack).toBe(true);
    expect(hashOf(reopened, 'big').listpack).toBe(false);
    expect(hashOf(reopened, 'bin').get('n')).toBe(-42);
    await reopened.close();
  });

  it('a snapshot running while a hash changes writes the hash as it was at its start', async () => {
    const store = createStore({ clock: () => T0, activeExpire: false });
    for (let i = 0; i < 50; i++) store.execute('HSET', `h${i}`, 'a', '1', 'b', '2');
    const engine = store.engine;
    const expected = dumpKeyspace(engine);
    const writer = new SnapshotWriter(engine, 1);
    engine.snapshotInProgress = writer;
    writer.step(Infinity, 3);
    store.execute('HSET', 'h40', 'a', 'changed', 'c', '3');
    store.execute('HDEL', 'h41', 'a', 'b');
    store.execute('HINCRBY', 'h42', 'a', '10');
    store.execute('HINCRBYFLOAT', 'h43', 'b', '0.5');
    store.execute('HSETNX', 'h44', 'z', '1');
    store.execute('HSET', 'new', 'x', '1');
    const chunks = writer.finish();
    engine.snapshotInProgress = null;
    const loaded = new Engine();
    await rdbLoad(loaded, 1, chunks);
    expect(dumpKeyspace(loaded)).toEqual(expected);
  });
});

describe('COPY, RENAME, MOVE', () => {
  it('COPY duplicates the hash; the copy changes alone', () => {
    const { store, run } = setupStore();
    run('HSET', 'a', 'x', '1');
    expect(run('COPY', 'a', 'b')).toBe(1);
    run('HSET', 'b', 'y', '2');
    expect(run('HGETALL', 'a')).toEqual(['x', '1']);
    expect(run('HGETALL', 'b')).toEqual(['x', '1', 'y', '2']);
    expect(run('MOVE', 'b', '1')).toBe(1);
    expect([...hashOf(store, 'b', 1).entries()]).toEqual([
      ['x', '1'],
      ['y', '2'],
    ]);
  });
});
