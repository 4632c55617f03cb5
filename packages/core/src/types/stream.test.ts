import { describe, expect, it } from 'vitest';
import { createStore, decodeReply, Engine, MemoryPersistence, openStore, rdbLoad, ReplyError, SnapshotWriter, type LogBatch, type Store } from '../index.js';
import { ByteReader, ByteWriter } from '../rio.js';
import { Rng } from '../../../../conformance/fuzz/rng.js';
import { blockingSetup, dumpKeyspace, errorText, fakeTime, settled, setupStore, T0 } from '../test-helpers.js';
import {
  dumpStream,
  readStreamObject,
  STREAM_ID_MAX,
  STREAM_ID_MIN,
  streamCompareID,
  streamDecrID,
  streamDeleteEntry,
  streamEntryExists,
  streamGetEdgeID,
  streamIDReply,
  streamIncrID,
  streamIterate,
  StreamObject,
  streamParseID,
  streamParseIntervalID,
  streamParseStrictID,
  StreamPEL,
  type StreamID,
  type StreamNACK,
  type StreamConsumer,
  writeStreamObject,
} from './stream.js';

const WRONGTYPE = 'WRONGTYPE Operation against a key holding the wrong kind of value';
const INVALID_ID = 'ERR Invalid stream ID specified as stream command argument';

const ex = (s: Store, ...argv: (string | number | Uint8Array)[]): unknown => {
  const r = s.execute(...argv);
  return r instanceof ReplyError ? r : decodeReply(r);
};
const streamAt = (s: Store, key: string, db = 0): StreamObject => s.engine.dbs[db]!.dict.get(key) as StreamObject;
const setup = () => setupStore((event, key) => `${event}:${key}`);
const id = (ms: number | bigint, seq: number | bigint): StreamID => ({ ms, seq });

// ---- IDs ----------------------------------------------------------------------------------------

describe('stream IDs', () => {
  it('parse as streamGenericParseIDOrReply does: string2ull, strtoull quirks, C strings', () => {
    expect(streamParseID('-', 0)).toEqual(STREAM_ID_MIN);
    expect(streamParseID('+', 0)).toEqual(STREAM_ID_MAX);
    expect(streamParseID('5', 0)).toEqual(id(5, 0));
    expect(streamParseID('5', 7)).toEqual(id(5, 7));
    expect(streamParseID('5-3', 7)).toEqual(id(5, 3));
    // strtoull: leading spaces, '+', leading zeros; a negative that string2ll cannot read wraps.
    expect(streamParseID(' 5', 0)).toEqual(id(5, 0));
    expect(streamParseID('+5-007', 0)).toEqual(id(5, 7));
    expect(streamParseID('5--05', 0)).toEqual(id(5, 18446744073709551611n));
    expect(streamParseID('5- -5', 0)).toEqual(id(5, 18446744073709551611n));
    expect(streamParseID('5--0', 0)).toEqual(id(5, 0));
    expect(() => streamParseID('5--5', 0)).toThrow(INVALID_ID); // string2ll reads -5
    expect(streamParseID('18446744073709551615-9007199254740992', 0)).toEqual(id(18446744073709551615n, 9007199254740992n));
    expect(streamParseID('9007199254740991', 0)).toEqual(id(9007199254740991, 0)); // still a number
    expect(() => streamParseID('18446744073709551616', 0)).toThrow(INVALID_ID);
    for (const bad of ['', 'abc', '5-', '-5', '5 ', '1-2-3', '0x10', '(5', '5-*', '1.5']) {
      expect(() => streamParseID(bad, 0), bad).toThrow(INVALID_ID);
    }
    // The argument is read as a C string (cut at NUL), after a 127-byte limit on the whole.
    expect(streamParseID('7\0junk', 0)).toEqual(id(7, 0));
    expect(() => streamParseID('7\0' + 'x'.repeat(126), 0)).toThrow(INVALID_ID);
    expect(streamParseID(Uint8Array.of(0x38, 0x2d, 0x31), 0)).toEqual(id(8, 1));
    // Strict: no '-' or '+'; "ms-*" only where a seq may be generated.
    expect(() => streamParseStrictID('-', 0)).toThrow(INVALID_ID);
    expect(() => streamParseStrictID('+', 0)).toThrow(INVALID_ID);
    expect(() => streamParseStrictID('5-*', 0)).toThrow(INVALID_ID);
    const given = { value: true };
    expect(streamParseStrictID('5-*', 0, given)).toEqual(id(5, 0));
    expect(given.value).toBe(false);
    expect(streamParseStrictID('5', 0, given)).toEqual(id(5, 0));
    expect(given.value).toBe(true);
    // Intervals: "(" makes it exclusive and strict.
    expect(streamParseIntervalID('(5-1', 0)).toEqual({ id: id(5, 1), exclusive: true });
  });

  it('"(" alone is not exclusive; "(-" is invalid', () => {
    expect(() => streamParseIntervalID('(', 0)).toThrow(INVALID_ID);
    expect(() => streamParseIntervalID('(-', 0)).toThrow(INVALID_ID);
    expect(() => streamParseIntervalID('(+', 0)).toThrow(INVALID_ID);
  });

  it('increment, decrement and compare across the number/bigint boundary', () => {
    expect(streamIncrID(id(1, 9007199254740991))).toEqual(id(1, 9007199254740992n));
    expect(streamDecrID(id(1, 9007199254740992n))).toEqual(id(1, 9007199254740991));
    expect(streamIncrID(id(9007199254740991, 18446744073709551615n))).toEqual(id(9007199254740992n, 0));
    expect(streamIncrID(STREAM_ID_MAX)).toBe(null);
    expect(streamDecrID(STREAM_ID_MIN)).toBe(null);
    expect(streamDecrID(id(3, 0))).toEqual(id(2, 18446744073709551615n));
    expect(streamCompareID(id(1, 2), id(1, 3))).toBe(-1);
    expect(streamCompareID(id(9007199254740992n, 0), id(9007199254740991, 5))).toBe(1);
    expect(streamCompareID(STREAM_ID_MAX, id(18446744073709551615n, 18446744073709551615n))).toBe(0);
    expect(streamIDReply(STREAM_ID_MAX)).toBe('18446744073709551615-18446744073709551615');
  });
});

// ---- the PEL ------------------------------------------------------------------------------------

describe('StreamPEL', () => {
  const nack = (n: number): StreamNACK => ({ deliveryTime: n, deliveryCount: 1, consumer: null as unknown as StreamConsumer });

  it('matches a sorted-map model under random sets, deletes and seeks; iteration survives deleting what it returned', { timeout: 60_000 }, () => {
    const rng = new Rng(7);
    const pel = new StreamPEL();
    const model = new Map<string, number>();
    const key = (x: StreamID) => `${x.ms}-${x.seq}`;
    for (let step = 0; step < 20000; step++) {
      const x = id(rng.int(0, 300), rng.int(0, 3));
      if (rng.chance(0.6)) {
        expect(pel.set(x, nack(step))).toBe(!model.has(key(x)));
        model.set(key(x), step);
      } else {
        expect(pel.delete(x)).toBe(model.delete(key(x)));
      }
      if (step % 997 === 0) {
        const sorted = [...model.keys()].sort((a, b) => {
          const [am, as] = a.split('-').map(Number);
          const [bm, bs] = b.split('-').map(Number);
          return am! - bm! || as! - bs!;
        });
        expect([...pel.iterate()].map(([i, n]) => [key(i), n.deliveryTime])).toEqual(sorted.map((k) => [k, model.get(k)]));
        const from = id(rng.int(0, 300), 0);
        expect([...pel.iterate(from)].map(([i]) => key(i))).toEqual(sorted.filter((k) => streamCompareID(streamParseID(k, 0), from) >= 0));
        expect(pel.size).toBe(model.size);
        expect(pel.first()?.[0] && key(pel.first()![0])).toBe(sorted[0]);
        expect(pel.last()?.[0] && key(pel.last()![0])).toBe(sorted[sorted.length - 1]);
      }
    }
    // Delete while iterating (XAUTOCLAIM drops deleted entries as it walks).
    const seen: string[] = [];
    for (const [i] of pel.iterate()) {
      seen.push(key(i));
      pel.delete(i);
    }
    expect(seen.length).toBe(model.size);
    expect(pel.size).toBe(0);
  });

  it('1M entries acked in order, from the end, and at random, without walking the list', { timeout: 60_000 }, () => {
    const pel = new StreamPEL();
    const n = 1_000_000;
    for (let i = 0; i < n; i++) pel.set(id(T0 + i, 0), nack(i));
    for (let i = 0; i < 1000; i++) pel.delete(id(T0 + i, 0)); // in order
    for (let i = n - 1; i >= n - 1000; i--) pel.delete(id(T0 + i, 0)); // from the end
    const rng = new Rng(3);
    for (let i = 0; i < 1000; i++) pel.delete(id(T0 + rng.int(1000, n - 1001), 0));
    expect(pel.size).toBeLessThanOrEqual(n - 2000);
    expect(pel.first()![0]).toEqual(id(T0 + 1000, 0));
  });
});

// ---- the data structure -------------------------------------------------------------------------

describe('StreamObject', () => {
  it('starts a node where Redis does: 100 entries, deleted ones included', () => {
    const store = createStore({ clock: () => T0, activeExpire: false });
    for (let i = 1; i <= 250; i++) store.execute('XADD', 'a', `${i}-0`, 'f', 'v');
    expect(streamAt(store, 'a').radixTreeKeys).toBe(3); // Redis 7.0: radix-tree-keys 3
    // MAXLEN ~ drops whole nodes only: 251 entries, keep ≥ 120 → the first 100 go.
    expect(ex(store, 'XADD', 'a', 'MAXLEN', '~', 120, '251-0', 'f', 'v')).toBe('251-0');
    expect(ex(store, 'XLEN', 'a')).toBe(151);
    // Deleted entries still count towards a node's 100.
    for (let i = 1; i <= 100; i++) store.execute('XADD', 'b', `${i}-0`, 'f', 'v');
    for (let i = 2; i <= 100; i++) store.execute('XDEL', 'b', `${i}-0`);
    store.execute('XADD', 'b', '101-0', 'f', 'v');
    expect(streamAt(store, 'b').radixTreeKeys).toBe(2);
    expect(ex(store, 'XRANGE', 'b', '-', '+')).toEqual([['1-0', ['f', 'v']], ['101-0', ['f', 'v']]]);
  });

  it('starts a node where Redis does: 4096 listpack bytes, as listpack.c encodes each element', () => {
    const store = createStore({ clock: () => T0, activeExpire: false });
    // 100-byte values: 18 bytes of master entry, then 111 bytes an entry; the 37th entry would pass 4096.
    for (let i = 1; i <= 100; i++) store.execute('XADD', 'b', `${i}-0`, 'f', 'x'.repeat(100));
    expect(streamAt(store, 'b').radixTreeKeys).toBe(3);
    const lens: number[] = [];
    for (let k = 1; k <= 101; k++) {
      store.execute('XTRIM', 'b', 'MINID', '~', k);
      const n = ex(store, 'XLEN', 'b') as number;
      if (lens[lens.length - 1] !== n) lens.push(n);
    }
    expect(lens).toEqual([100, 64, 28, 0]); // recorded from Redis 7.0.15
    // Integers are stored as integers (1-10 bytes), other fields as strings; "same fields" entries
    // hold values only. Each of these stays in one node in Redis.
    for (let i = 1; i <= 100; i++) store.execute('XADD', 'c', `${i}-0`, `f${i}`, 1, 'g', 2);
    for (let i = 1; i <= 100; i++) store.execute('XADD', 'd', `${i * 100000}-${i}`, 'field', i * 1000, 'other', -i);
    expect(streamAt(store, 'c').radixTreeKeys).toBe(1);
    expect(streamAt(store, 'd').radixTreeKeys).toBe(1);
  });

  it('reads stream-node-max-entries and stream-node-max-bytes (CONFIG SET), as streamAppendItem does', () => {
    const store = createStore({ clock: () => T0, activeExpire: false });
    store.execute('CONFIG', 'SET', 'stream-node-max-entries', 5);
    for (let i = 1; i <= 12; i++) store.execute('XADD', 'cn', i, 'f', i);
    expect(streamAt(store, 'cn').radixTreeKeys).toBe(3);
    expect(ex(store, 'XTRIM', 'cn', 'MAXLEN', '~', 6)).toBe(5); // recorded from Redis 7.0.15
    // 0 entries: no entry limit; the byte limit alone ends a node.
    store.execute('CONFIG', 'SET', 'stream-node-max-entries', 0, 'stream-node-max-bytes', 200);
    for (let i = 1; i <= 29; i++) store.execute('XADD', 'cb', i, 'f', 'x'.repeat(10 * i));
    expect(streamAt(store, 'cb').radixTreeKeys).toBe(24); // Redis 7.0.15: 24 nodes
    expect(ex(store, 'XTRIM', 'cb', 'MAXLEN', '~', 1)).toBe(28);
    // `~` trims at most 100 nodes' worth of entries unless given a LIMIT.
    store.execute('CONFIG', 'SET', 'stream-node-max-entries', 1, 'stream-node-max-bytes', 4096);
    for (let i = 1; i <= 120; i++) store.execute('XADD', 'c1', i, 'f', 'v');
    expect(ex(store, 'XTRIM', 'c1', 'MAXLEN', '~', 0)).toBe(100);
    expect(ex(store, 'XTRIM', 'c1', 'MAXLEN', '~', 0, 'LIMIT', 0)).toBe(20);
    expect(ex(store, 'CONFIG', 'GET', 'stream-node-max-entries')).toEqual(['stream-node-max-entries', '1']);
  });

  it('works at both ends of a 1M-entry stream: appends, trims from the front and seeks never walk it', { timeout: 60_000 }, () => {
    let now = T0;
    const store = createStore({ clock: () => now, activeExpire: false });
    const n = 1_000_000;
    for (let i = 0; i < n; i++) {
      if (i % 10 === 0) now++;
      store.execute('XADD', 's', '*', 'f', i);
    }
    const s = streamAt(store, 's');
    expect(s.length).toBe(n);
    expect(s.radixTreeKeys).toBe(n / 100);
    // A range at the far end, and a range in the middle, each seeks by binary search.
    expect(ex(store, 'XREVRANGE', 's', '+', '-', 'COUNT', 1)).toEqual([[`${T0 + n / 10}-9`, ['f', String(n - 1)]]]);
    expect(ex(store, 'XRANGE', 's', `${T0 + 50001}`, '+', 'COUNT', 2)).toEqual([
      [`${T0 + 50001}-0`, ['f', '500000']],
      [`${T0 + 50001}-1`, ['f', '500001']],
    ]);
    // Trimming from the front drops nodes by moving an index.
    for (let i = 0; i < 5000; i++) store.execute('XTRIM', 's', 'MAXLEN', '~', n - 100 * (i + 1));
    expect(s.length).toBe(n - 500000);
    expect(s.firstId).toEqual(id(T0 + 50001, 0));
    for (let i = 0; i < 1000; i++) store.execute('XDEL', 's', `${T0 + 50001 + Math.floor(i / 10)}-${i % 10}`);
    expect(s.firstId).toEqual(id(T0 + 50101, 0));
    expect(s.radixTreeKeys).toBe(4990);
    expect(s.nodes.length).toBeLessThan(n / 100); // compacted
  });

  it('iterates, checks and deletes entries as the stream API does; edge IDs skip tombstones when asked', () => {
    const store = createStore({ clock: () => T0, activeExpire: false });
    for (let i = 1; i <= 5; i++) store.execute('XADD', 's', `${i}-0`, 'a', i, 'b', 'x');
    store.execute('XADD', 's', '6-0', 'c', 'y');
    const s = streamAt(store, 's');
    expect([...streamIterate(s, id(2, 0), id(4, 0), false)].map(([i, fv]) => [streamIDReply(i), fv])).toEqual([
      ['2-0', ['a', '2', 'b', 'x']],
      ['3-0', ['a', '3', 'b', 'x']],
      ['4-0', ['a', '4', 'b', 'x']],
    ]);
    expect([...streamIterate(s, null, null, true)].map(([i]) => streamIDReply(i))).toEqual(['6-0', '5-0', '4-0', '3-0', '2-0', '1-0']);
    expect(streamEntryExists(s, id(3, 0))).toBe(true);
    expect(streamDeleteEntry(s, id(3, 0))).toBe(true);
    expect(streamDeleteEntry(s, id(3, 0))).toBe(false);
    expect(streamEntryExists(s, id(3, 0))).toBe(false);
    expect(streamDeleteEntry(s, id(1, 0))).toBe(true);
    expect(streamGetEdgeID(s, true, false)).toEqual(id(1, 0)); // the tombstone
    expect(streamGetEdgeID(s, true, true)).toEqual(id(2, 0));
    expect(streamGetEdgeID(s, false, true)).toEqual(id(6, 0));
    expect(streamGetEdgeID(new StreamObject(), true, true)).toEqual(STREAM_ID_MAX);
    expect(streamGetEdgeID(new StreamObject(), false, true)).toEqual(STREAM_ID_MIN);
  });

  it('an XSETID that moved the last ID back leaves nodes out of order, read as Redis reads them', () => {
    const { run } = setup();
    for (let i = 1; i <= 100; i++) run('XADD', 's', `${i}-0`, 'f', 'v');
    run('XDEL', 's', ...Array.from({ length: 99 }, (_, i) => `${i + 2}-0`));
    expect(run('XSETID', 's', '1-5')).toBe('OK'); // ≥ the last live entry (1-0)
    expect(run('XADD', 's', '1-*', 'f', 'w')).toBe('1-6'); // a new node keyed 1-6, before nothing
    expect(run('XRANGE', 's', '-', '+')).toEqual([
      ['1-0', ['f', 'v']],
      ['1-6', ['f', 'w']],
    ]);
    expect(run('XRANGE', 's', '1-6', '1-6')).toEqual([['1-6', ['f', 'w']]]);
    expect(run('XREVRANGE', 's', '+', '-', 'COUNT', 1)).toEqual([['1-6', ['f', 'w']]]);
  });

  it('dup shares nothing; the group and consumer PELs keep sharing their NACKs', () => {
    const { store, run } = setup();
    for (let i = 1; i <= 150; i++) run('XADD', 's', `${i}-0`, 'f', i);
    run('XGROUP', 'CREATE', 's', 'g', '0');
    run('XREADGROUP', 'GROUP', 'g', 'alice', 'COUNT', 3, 'STREAMS', 's', '>');
    run('XREADGROUP', 'GROUP', 'g', 'bob', 'COUNT', 2, 'STREAMS', 's', '>');
    const s = streamAt(store, 's');
    const d = s.dup();
    expect(dumpStream(d)).toBe(dumpStream(s));
    const g = d.cgroups.get('g')!;
    for (const [pid, nack] of g.pel.iterate()) expect(nack.consumer.pel.get(pid)).toBe(nack);
    expect(g.pel.get(id(1, 0))).not.toBe(s.cgroups.get('g')!.pel.get(id(1, 0)));
    run('XDEL', 's', '1-0');
    run('XACK', 's', 'g', '2-0');
    expect(dumpStream(d)).not.toBe(dumpStream(s));
    expect(d.length).toBe(150);
    expect(g.pel.size).toBe(5);
  });

  it('the snapshot codec keeps entries, tombstones, node boundaries, huge IDs, bytes and groups', () => {
    const { store, run } = setup();
    for (let i = 1; i <= 130; i++) run('XADD', 's', `${i}-0`, 'f', i % 3 ? `v${i}` : i, ...(i % 7 ? [] : ['g', 'x'.repeat(70)]));
    run('XADD', 's', '9007199254740993-18446744073709551615', Uint8Array.of(0xff, 0), Uint8Array.of(0x80));
    run('XDEL', 's', '5-0', '101-0');
    run('XTRIM', 's', 'MAXLEN', '125');
    run('XSETID', 's', '18446744073709551615-0', 'ENTRIESADDED', '9007199254740999', 'MAXDELETEDID', '100-0');
    run('XGROUP', 'CREATE', 's', 'g', '0', 'ENTRIESREAD', 3);
    run('XGROUP', 'CREATE', 's', Uint8Array.of(0xfe), '$');
    run('XREADGROUP', 'GROUP', 'g', 'c1', 'COUNT', 4, 'STREAMS', 's', '>');
    run('XREADGROUP', 'GROUP', 'g', Uint8Array.of(0xc3), 'COUNT', 2, 'STREAMS', 's', '>');
    run('XGROUP', 'CREATECONSUMER', 's', 'g', 'idle');
    const s = streamAt(store, 's');
    const w = new ByteWriter();
    writeStreamObject(w, s);
    const back = readStreamObject(new ByteReader(w.result()));
    expect(dumpStream(back)).toBe(dumpStream(s));
    expect(back.cgroups.get('g')!.consumers.get('idle')!.seenTime).toBe(T0);
    for (const cg of back.cgroups.values()) for (const [pid, nack] of cg.pel.iterate()) expect(nack.consumer.pel.get(pid)).toBe(nack);
    // Node boundaries survive: the same `~` trim leaves the same length.
    const copy = createStore({ clock: () => T0, activeExpire: false });
    copy.engine.dbs[0]!.dict.set('s', back);
    for (const st of [store, copy]) st.execute('XTRIM', 's', 'MAXLEN', '~', 60);
    expect(ex(copy, 'XLEN', 's')).toBe(ex(store, 'XLEN', 's'));
    expect(dumpStream(back)).toBe(dumpStream(s));
  });
});

// ---- commands ------------------------------------------------------------------------------------

describe('stream commands', () => {
  it('XADD: events, the generated ID logged, `~` trims logged as `=` with the result', () => {
    const { run, log, events, advance, store } = setup();
    store.engine.notifyKeyspaceEventsFlags = -1;
    expect(run('XADD', 's', '*', 'a', 1)).toBe(`${T0}-0`);
    expect(run('XADD', 's', '*', 'a', 2)).toBe(`${T0}-1`);
    expect(run('XADD', 's', `${T0}-*`, 'a', 3)).toBe(`${T0}-2`);
    expect(run('XADD', 's', `${T0 + 5}`, 'a', 4)).toBe(`${T0 + 5}-0`);
    // The clock behind the last ID: "*" continues from it.
    expect(run('XADD', 's', '*', 'a', 5)).toBe(`${T0 + 5}-1`);
    advance(10);
    for (let i = 0; i < 200; i++) run('XADD', 's', 'MAXLEN', '~', 50, '*', 'a', i);
    expect(run('XLEN', 's')).toBe(105);
    run('XADD', 's', 'MINID', '~', `${T0 + 10}-150`, 'LIMIT', 1000, '*', 'x', 'y');
    expect(log.slice(0, 5)).toEqual([
      [0, 'XADD', 's', `${T0}-0`, 'a', '1'],
      [0, 'XADD', 's', `${T0}-1`, 'a', '2'],
      [0, 'XADD', 's', `${T0}-2`, 'a', '3'],
      [0, 'XADD', 's', `${T0 + 5}`, 'a', '4'], // an explicit ID is logged as given
      [0, 'XADD', 's', `${T0 + 5}-1`, 'a', '5'],
    ]);
    expect(log[log.length - 2]).toEqual([0, 'XADD', 's', 'MAXLEN', '=', '105', `${T0 + 10}-199`, 'a', '199']);
    expect(log[log.length - 1]).toEqual([0, 'XADD', 's', 'MINID', '=', `${T0 + 10}-95`, 'LIMIT', '1000', `${T0 + 10}-200`, 'x', 'y']);
    expect(events.slice(0, 3)).toEqual(['new:s', 'xadd:s', 'xadd:s']);
    expect(events.filter((e) => e === 'xtrim:s').length).toBeGreaterThan(0);
    expect(events).not.toContain('del:s');
    // A replay of the log (approximate trims as exact ones, LIMIT kept) is the same stream.
    const replay = createStore({ clock: () => T0, activeExpire: false });
    replay.engine.loading = true; // the log is replayed as Redis loads an AOF (mustObeyClient)
    for (const [, ...argv] of log) replay.execute(...argv);
    replay.engine.loading = false;
    expect(dumpKeyspace(replay.engine)).toEqual(dumpKeyspace(store.engine));
  });

  it('XADD: every error, in Redis order; NOMKSTREAM; an empty stream stays', () => {
    const { run, store } = setup();
    run('SET', 'str', 'x');
    expect(errorText(run('XADD', 's', 'MAXLEN', 1, 'MINID', 1, '*', 'a', 1))).toBe(
      'ERR syntax error, MAXLEN and MINID options at the same time are not compatible',
    );
    expect(errorText(run('XADD', 's', 'MAXLEN', -1, '*', 'a', 1))).toBe('ERR The MAXLEN argument must be >= 0.');
    expect(errorText(run('XADD', 's', 'MAXLEN', 'x', '*', 'a', 1))).toBe('ERR value is not an integer or out of range');
    expect(errorText(run('XADD', 's', 'LIMIT', 5, '*', 'a', 1))).toBe('ERR syntax error, LIMIT cannot be used without specifying a trimming strategy');
    expect(errorText(run('XADD', 's', 'MAXLEN', 5, 'LIMIT', 5, '*', 'a', 1))).toBe('ERR syntax error, LIMIT cannot be used without the special ~ option');
    expect(errorText(run('XADD', 's', 'MAXLEN', '~', 5, 'LIMIT', -1, '*', 'a', 1))).toBe('ERR The LIMIT argument must be >= 0.');
    expect(errorText(run('XADD', 's', 'bad', 'a', 1))).toBe(INVALID_ID);
    expect(errorText(run('XADD', 's', 'x', 'y', 'MAXLEN'))).toBe(INVALID_ID); // "x" is read as the ID
    expect(errorText(run('XADD', 's', '*', 'a'))).toBe("ERR wrong number of arguments for 'xadd' command");
    expect(errorText(run('XADD', 's', '0-0', 'a', 1))).toBe('ERR The ID specified in XADD must be greater than 0-0');
    expect(errorText(run('XADD', 'str', '*', 'a', 1))).toBe(WRONGTYPE);
    expect(run('XADD', 's', 'NOMKSTREAM', '*', 'a', 1)).toBe(null);
    expect(run('EXISTS', 's')).toBe(0);
    expect(run('XADD', 's', '5-5', 'a', 1)).toBe('5-5');
    expect(errorText(run('XADD', 's', '5-5', 'a', 1))).toBe('ERR The ID specified in XADD is equal or smaller than the target stream top item');
    expect(errorText(run('XADD', 's', '4', 'a', 1))).toBe('ERR The ID specified in XADD is equal or smaller than the target stream top item');
    expect(run('XADD', 's', '5-18446744073709551615', 'a', 1)).toBe('5-18446744073709551615');
    // "ms-*" past the last seq: Redis reports a stale errno, which reads "too large".
    expect(errorText(run('XADD', 's', '5-*', 'a', 1))).toBe('ERR Elements are too large to be stored');
    expect(run('XADD', 's', '18446744073709551615-18446744073709551615', 'a', 1)).toBe('18446744073709551615-18446744073709551615');
    expect(errorText(run('XADD', 's', '*', 'a', 1))).toBe('ERR The stream has exhausted the last possible ID, unable to add more items');
    // Streams may be empty: XDEL / XTRIM to zero keep the key.
    expect(run('XTRIM', 's', 'MAXLEN', 0)).toBe(3);
    expect(run('EXISTS', 's')).toBe(1);
    expect(run('TYPE', 's')).toBe('stream');
    expect(run('XLEN', 's')).toBe(0);
    expect(streamAt(store, 's').radixTreeKeys).toBe(0);
  });

  it('XRANGE / XREVRANGE: exclusive bounds, COUNT 0 and negative, errors before the lookup', () => {
    const { run } = setup();
    for (let i = 1; i <= 5; i++) run('XADD', 's', `${i}-1`, 'f', i);
    expect(run('XRANGE', 's', '(2-1', '(5')).toEqual([
      ['3-1', ['f', '3']],
      ['4-1', ['f', '4']],
      ['5-1', ['f', '5']], // "(5" is before 5-18446744073709551615
    ]);
    expect(run('XRANGE', 's', '(2-1', '(5-1')).toEqual([
      ['3-1', ['f', '3']],
      ['4-1', ['f', '4']],
    ]);
    expect(run('XRANGE', 's', '-', '+', 'COUNT', 0)).toBe(null); // a null array
    expect(run('XRANGE', 's', '-', '+', 'COUNT', -3)).toBe(null);
    expect(run('XRANGE', 'none', '-', '+', 'COUNT', 0)).toEqual([]);
    expect(run('XREVRANGE', 's', '+', '-', 'COUNT', 2, 'COUNT', 1)).toEqual([['5-1', ['f', '5']]]);
    expect(errorText(run('XRANGE', 's', '(18446744073709551615-18446744073709551615', '+'))).toBe('ERR invalid start ID for the interval');
    expect(errorText(run('XRANGE', 's', '-', '(0-0'))).toBe('ERR invalid end ID for the interval');
    expect(errorText(run('XRANGE', 's', '-', '+', 'COUNT'))).toBe('ERR syntax error');
    run('SET', 'str', 'x');
    expect(errorText(run('XRANGE', 'str', 'x', '+'))).toBe(INVALID_ID);
    expect(errorText(run('XRANGE', 'str', '-', '+'))).toBe(WRONGTYPE);
    expect(run('XLEN', 'none')).toBe(0);
    expect(errorText(run('XLEN', 'str'))).toBe(WRONGTYPE);
  });

  it('XDEL / XTRIM / XSETID: events, dirty only when something changed, first ID and max deleted ID', () => {
    const { run, log, events, store } = setup();
    store.engine.notifyKeyspaceEventsFlags = -1;
    for (let i = 1; i <= 5; i++) run('XADD', 's', `${i}-0`, 'f', i);
    log.length = 0;
    events.length = 0;
    expect(run('XDEL', 's', '9-9')).toBe(0);
    expect(errorText(run('XDEL', 's', '1-0', 'bad'))).toBe(INVALID_ID); // nothing deleted
    expect(run('XDEL', 's', '1-0', '3-0', '1-0')).toBe(2);
    const s = streamAt(store, 's');
    expect(s.firstId).toEqual(id(2, 0));
    expect(s.maxDeletedEntryId).toEqual(id(3, 0));
    expect(run('XTRIM', 's', 'MINID', 2)).toBe(0);
    expect(run('XTRIM', 's', 'MAXLEN', '=', 1)).toBe(2);
    expect(s.firstId).toEqual(id(5, 0));
    expect(s.maxDeletedEntryId).toEqual(id(3, 0)); // trims do not move it
    expect(errorText(run('XSETID', 's', '4-0'))).toBe('ERR The ID specified in XSETID is smaller than the target stream top item');
    expect(errorText(run('XSETID', 's', '9-0', 'ENTRIESADDED', 0))).toBe(
      'ERR The entries_added specified in XSETID is smaller than the target stream length',
    );
    expect(errorText(run('XSETID', 's', '9-0', 'ENTRIESADDED', -1))).toBe('ERR entries_added must be positive');
    expect(errorText(run('XSETID', 's', '9-0', 'MAXDELETEDID', '10-0'))).toBe(
      'ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id',
    );
    expect(errorText(run('XSETID', 'none', '9-0'))).toBe('ERR no such key');
    expect(run('XSETID', 's', '9-0', 'ENTRIESADDED', 42, 'MAXDELETEDID', '7-0')).toBe('OK');
    expect([s.lastId, s.entriesAdded, s.maxDeletedEntryId]).toEqual([id(9, 0), 42, id(7, 0)]);
    expect(log).toEqual([
      [0, 'XDEL', 's', '1-0', '3-0', '1-0'],
      [0, 'XTRIM', 's', 'MAXLEN', '=', '1'],
      [0, 'XSETID', 's', '9-0', 'ENTRIESADDED', '42', 'MAXDELETEDID', '7-0'],
    ]);
    expect(events).toEqual(['xdel:s', 'xtrim:s', 'xsetid:s']);
    expect(run('XDEL', 's', '5-0')).toBe(1);
    expect(run('EXISTS', 's')).toBe(1);
    expect(s.firstId).toEqual(STREAM_ID_MIN);
    expect(events).not.toContain('del:s');
  });

  it('XREAD: $, several keys, COUNT, the Unbalanced error, the XREADGROUP-only options', () => {
    const { run } = setup();
    run('XADD', 'a', '1-1', 'f', 1);
    run('XADD', 'a', '2-1', 'f', 2);
    run('XADD', 'b', '1-1', 'g', 1);
    expect(run('XREAD', 'STREAMS', 'a', 'b', '$', '$')).toBe(null);
    expect(run('XREAD', 'COUNT', 1, 'STREAMS', 'a', 'none', 'b', 0, 0, '1')).toEqual([
      ['a', [['1-1', ['f', '1']]]],
      ['b', [['1-1', ['g', '1']]]],
    ]);
    expect(errorText(run('XREAD', 'STREAMS', 'a', 'b', 0))).toBe(
      "ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified.",
    );
    expect(errorText(run('XREAD', 'GROUP', 'g', 'c', 'STREAMS', 'a', 0))).toBe(
      'ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.',
    );
    expect(errorText(run('XREAD', 'NOACK', 'STREAMS', 'a', 0))).toBe('ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.');
    expect(errorText(run('XREAD', 'STREAMS', 'a', '>'))).toBe(
      'ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.',
    );
    expect(errorText(run('XREAD', 'COUNT', 1, 'x'))).toBe('ERR syntax error');
    expect(errorText(run('XREAD', 'BLOCK', -1, 'STREAMS', 'a', 0))).toBe('ERR timeout is negative');
    expect(errorText(run('XREADGROUP', 'COUNT', 1, 'STREAMS', 'a', 'b', 0, 0))).toBe('ERR Missing GROUP option for XREADGROUP');
    expect(errorText(run('XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 'a', '>'))).toBe(
      "NOGROUP No such key 'a' or consumer group 'g' in XREADGROUP with GROUP option",
    );
    run('XGROUP', 'CREATE', 'a', 'g', '0');
    expect(errorText(run('XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 'a', '$'))).toMatch(/^ERR The \$ ID is meaningless/);
  });

  it('XREAD: RESP3 replies a map', () => {
    const store = createStore({ clock: () => T0, activeExpire: false });
    (store as unknown as { transport: { client: { resp: number } } }).transport.client.resp = 3;
    store.execute('XADD', 'a', '1-1', 'f', 1);
    const r = store.execute('XREAD', 'STREAMS', 'a', 0);
    expect(r?.constructor?.name).toBe('MapReply');
  });

  it('XREADGROUP: PEL entries, consumer creation, history; logged as XCLAIM / XGROUP effects', () => {
    const { run, log, events, store } = setup();
    store.engine.notifyKeyspaceEventsFlags = -1;
    for (let i = 1; i <= 4; i++) run('XADD', 's', `${i}-0`, 'f', i);
    run('XGROUP', 'CREATE', 's', 'g', '0');
    log.length = 0;
    events.length = 0;
    expect(run('XREADGROUP', 'GROUP', 'g', 'alice', 'COUNT', 2, 'STREAMS', 's', '>')).toEqual([
      ['s', [['1-0', ['f', '1']], ['2-0', ['f', '2']]]],
    ]);
    expect(log).toEqual([
      [0, 'XGROUP', 'CREATECONSUMER', 's', 'g', 'alice'],
      [0, 'XCLAIM', 's', 'g', 'alice', '0', '1-0', 'TIME', String(T0), 'RETRYCOUNT', '1', 'FORCE', 'JUSTID', 'LASTID', '1-0'],
      [0, 'XCLAIM', 's', 'g', 'alice', '0', '2-0', 'TIME', String(T0), 'RETRYCOUNT', '1', 'FORCE', 'JUSTID', 'LASTID', '2-0'],
      [0, 'XGROUP', 'SETID', 's', 'g', '2-0', 'ENTRIESREAD', '2'],
    ]);
    expect(events).toEqual(['xgroup-createconsumer:s']);
    log.length = 0;
    // NOACK: no PEL entries; the last ID as XGROUP SETID.
    expect(run('XREADGROUP', 'GROUP', 'g', 'bob', 'NOACK', 'COUNT', 1, 'STREAMS', 's', '>')).toEqual([['s', [['3-0', ['f', '3']]]]]);
    expect(log).toEqual([
      [0, 'XGROUP', 'CREATECONSUMER', 's', 'g', 'bob'],
      [0, 'XGROUP', 'SETID', 's', 'g', '3-0', 'ENTRIESREAD', '3'],
    ]);
    log.length = 0;
    // History: alice's own PEL, delivered again; a deleted entry is [id, null].
    run('XDEL', 's', '1-0');
    log.length = 0;
    expect(run('XREADGROUP', 'GROUP', 'g', 'alice', 'STREAMS', 's', '0')).toEqual([
      ['s', [['1-0', null], ['2-0', ['f', '2']]]],
    ]);
    const g = streamAt(store, 's').cgroups.get('g')!;
    expect(g.pel.get(id(2, 0))!.deliveryCount).toBe(2);
    expect(g.pel.get(id(1, 0))!.deliveryCount).toBe(1);
    expect(log).toEqual([[0, 'XCLAIM', 's', 'g', 'alice', '0', '2-0', 'TIME', String(T0), 'RETRYCOUNT', '2', 'FORCE', 'JUSTID', 'LASTID', '3-0']]);
    // A new consumer reading its (empty) history exists afterwards, and its creation is logged.
    log.length = 0;
    expect(run('XREADGROUP', 'GROUP', 'g', 'carol', 'STREAMS', 's', '0')).toEqual([['s', []]]);
    expect(log).toEqual([[0, 'XGROUP', 'CREATECONSUMER', 's', 'g', 'carol']]);
    // Nothing new: a null array, and nothing logged but an existing consumer's seen time.
    run('XREADGROUP', 'GROUP', 'g', 'alice', 'STREAMS', 's', '>');
    log.length = 0;
    expect(run('XREADGROUP', 'GROUP', 'g', 'alice', 'STREAMS', 's', '>')).toBe(null);
    expect(log).toEqual([]);
  });
});

// ---- blocking -------------------------------------------------------------------------------------


describe('blocking XREAD / XREADGROUP', () => {
  it('one XADD serves every XREAD waiting on the key; $ means after the last ID when it blocked', async () => {
    const { store } = blockingSetup();
    await store.call('XADD', 's', '1-0', 'f', 'old');
    const p1 = store.connect().call('XREAD', 'BLOCK', 0, 'STREAMS', 's', '$');
    const p2 = store.connect().call('XREAD', 'BLOCK', 0, 'COUNT', 5, 'STREAMS', 'other', 's', '$', '$');
    const p3 = store.connect().call('XREAD', 'BLOCK', 0, 'STREAMS', 'none', '$');
    expect(store.engine.blocking.count).toBe(3);
    await store.call('XADD', 's', '2-0', 'f', 'new');
    const entry = ['s', [['2-0', ['f', 'new']]]];
    expect(await p1).toEqual([entry]);
    expect(await p2).toEqual([entry]); // the ready key only
    expect(await settled(p3)).toBe(false);
    // A key created later serves a waiter that blocked on it with "$" (0-0 then).
    await store.call('XADD', 'none', '1-5', 'x', 'y');
    expect(await p3).toEqual([['none', [['1-5', ['x', 'y']]]]]);
    expect(store.engine.blocking.count).toBe(0);
  });

  it('a blocked XREAD reads at most 1000 entries unless given COUNT; entries only deleted do not serve', async () => {
    const { store } = blockingSetup();
    await store.call('XADD', 's', '1-0', 'f', 'v');
    const p = store.connect().call('XREAD', 'BLOCK', 0, 'STREAMS', 's', '1-0');
    expect(await settled(p)).toBe(false); // nothing after 1-0
    const m = store.connect();
    await m.call('MULTI');
    for (let i = 2; i <= 1500; i++) await m.call('XADD', 's', `${i}-0`, 'f', 'v');
    await m.call('EXEC');
    const r = (await p) as [string, unknown[]][];
    expect(r[0]![1].length).toBe(1000);
    // Served when the last ID moved on, even if the new entries are gone (an empty list).
    const q = store.connect().call('XREAD', 'BLOCK', 0, 'STREAMS', 's', '$');
    await m.call('MULTI');
    await m.call('XADD', 's', '2000-0', 'f', 'v');
    await m.call('XDEL', 's', '2000-0');
    await m.call('EXEC');
    expect(await q).toEqual([['s', []]]);
  });

  it('XREADGROUP waiters are served in turn, each with new entries only', async () => {
    const { store, log } = blockingSetup();
    await store.call('XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM');
    const a = store.connect().call('XREADGROUP', 'GROUP', 'g', 'alice', 'BLOCK', 0, 'STREAMS', 's', '>');
    const b = store.connect().call('XREADGROUP', 'GROUP', 'g', 'bob', 'BLOCK', 0, 'STREAMS', 's', '>');
    log.length = 0;
    await store.call('XADD', 's', '1-0', 'f', 1);
    expect(await a).toEqual([['s', [['1-0', ['f', '1']]]]]);
    expect(await settled(b)).toBe(false);
    await store.call('XADD', 's', '2-0', 'f', 2);
    expect(await b).toEqual([['s', [['2-0', ['f', '2']]]]]);
    expect(log).toEqual([
      'XADD s 1-0 f 1',
      'XGROUP CREATECONSUMER s g alice',
      `XCLAIM s g alice 0 1-0 TIME ${T0} RETRYCOUNT 1 FORCE JUSTID LASTID 1-0`,
      'XGROUP SETID s g 1-0 ENTRIESREAD 1',
      'XADD s 2-0 f 2',
      'XGROUP CREATECONSUMER s g bob',
      `XCLAIM s g bob 0 2-0 TIME ${T0} RETRYCOUNT 1 FORCE JUSTID LASTID 2-0`,
      'XGROUP SETID s g 2-0 ENTRIESREAD 2',
    ]);
    const g = streamAt(store, 's').cgroups.get('g')!;
    expect([...g.consumers.keys()].sort()).toEqual(['alice', 'bob']);
    expect(g.pel.size).toBe(2);
  });

  it('time out with a null array on the engine clock; inside MULTI a BLOCK replies at once', async () => {
    const { store, advance } = blockingSetup();
    const p = store.connect().call('XREAD', 'BLOCK', 100, 'STREAMS', 's', '$');
    advance(99);
    expect(await settled(p)).toBe(false);
    advance(1);
    expect(await p).toBe(null);
    const m = store.connect();
    await m.call('MULTI');
    await m.call('XREAD', 'BLOCK', 0, 'STREAMS', 's', '$');
    expect(await m.call('EXEC')).toEqual([null]);
    expect(store.engine.blocking.count).toBe(0);
  });

  it('a blocked XREADGROUP fails when its group is destroyed or its key deleted; XREAD keeps waiting', async () => {
    const { store } = blockingSetup();
    await store.call('XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM');
    await store.call('XGROUP', 'CREATE', 's', 'h', '$');
    const pg = store.connect().call('XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', 0, 'STREAMS', 's', '>');
    const ph = store.connect().call('XREADGROUP', 'GROUP', 'h', 'c', 'BLOCK', 0, 'STREAMS', 's', '>');
    const px = store.connect().call('XREAD', 'BLOCK', 0, 'STREAMS', 's', '$');
    await store.call('XGROUP', 'DESTROY', 's', 'g');
    await expect(pg).rejects.toThrow('NOGROUP the consumer group this client was blocked on no longer exists');
    expect(await settled(ph)).toBe(false);
    await store.call('DEL', 's');
    await expect(ph).rejects.toThrow('UNBLOCKED the stream key no longer exists');
    expect(await settled(px)).toBe(false);
    // Overwritten by another type, or flushed: the same for XREADGROUP.
    await store.call('XGROUP', 'CREATE', 't', 'g', '$', 'MKSTREAM');
    await store.call('XGROUP', 'CREATE', 'u', 'g', '$', 'MKSTREAM');
    const pt = store.connect().call('XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', 0, 'STREAMS', 't', '>');
    const pu = store.connect().call('XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', 0, 'STREAMS', 'u', '>');
    await store.call('SET', 't', 'x');
    await expect(pt).rejects.toThrow('UNBLOCKED the stream key no longer exists');
    await store.call('FLUSHALL');
    await expect(pu).rejects.toThrow('UNBLOCKED the stream key no longer exists');
    expect(await settled(px)).toBe(false);
    await store.call('XADD', 's', '1-0', 'f', 'v');
    expect(await px).toEqual([['s', [['1-0', ['f', 'v']]]]]);
  });

  it('a stream that expires ends the XREADGROUP sessions blocked on it (active expiry)', async () => {
    const { store, advance } = blockingSetup();
    await store.call('XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM');
    await store.call('PEXPIRE', 's', 100);
    const p = store.connect().call('XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', 0, 'STREAMS', 's', '>');
    advance(101);
    store.activeExpireCycle();
    await expect(p).rejects.toThrow('UNBLOCKED the stream key no longer exists');
  });

  it('a served XREADGROUP is logged as its effects: the reopened store is the same', async () => {
    const time = fakeTime();
    const p = new MemoryPersistence();
    const options = { persistence: p, clock: time.clock, timers: time.timers, activeExpire: false } as const;
    const store = await openStore(options);
    await store.call('XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM');
    const w1 = store.connect().call('XREADGROUP', 'GROUP', 'g', 'c1', 'BLOCK', 0, 'STREAMS', 's', '>');
    const w2 = store.connect().call('XREADGROUP', 'GROUP', 'g', 'c2', 'NOACK', 'BLOCK', 0, 'STREAMS', 's', '>');
    await store.call('XADD', 's', '1-0', 'f', 1);
    time.advance(5);
    await store.call('XADD', 's', '2-0', 'f', 2);
    await w1;
    await w2;
    await store.flush();
    const expected = dumpKeyspace(store.engine);
    await store.close();
    time.advance(1000);
    const reopened = await openStore(options);
    expect(dumpKeyspace(reopened.engine)).toEqual(expected);
    await reopened.close();
  });
});

// ---- keyspace and persistence ------------------------------------------------------------------------

describe('keyspace commands and persistence', () => {
  it('COPY, RENAME, DEL, TYPE, EXISTS of a stream', () => {
    const { run, store } = setup();
    for (let i = 1; i <= 120; i++) run('XADD', 's', `${i}-0`, 'f', i);
    run('XGROUP', 'CREATE', 's', 'g', '0');
    run('XREADGROUP', 'GROUP', 'g', 'c', 'COUNT', 3, 'STREAMS', 's', '>');
    expect(run('TYPE', 's')).toBe('stream');
    expect(run('COPY', 's', 't')).toBe(1);
    expect(dumpStream(streamAt(store, 't'))).toBe(dumpStream(streamAt(store, 's')));
    run('XADD', 't', '200-0', 'x', 'y');
    run('XACK', 't', 'g', '1-0');
    expect(run('XLEN', 's')).toBe(120);
    expect(run('XPENDING', 's', 'g')).toEqual([3, '1-0', '3-0', [['c', '3']]]);
    expect(run('RENAME', 't', 'u')).toBe('OK');
    expect(run('EXISTS', 't', 'u')).toBe(1);
    expect(run('XLEN', 'u')).toBe(121);
    expect(run('DEL', 'u', 's')).toBe(2);
    expect(run('EXISTS', 's')).toBe(0);
  });

  it('a workload with groups: the log replayed and a snapshot loaded give the same streams', { timeout: 60_000 }, async () => {
    let now = T0;
    // Keeps every batch, also those a checkpoint drops, for the replay of the log alone.
    const all: LogBatch[] = [];
    const p = new (class extends MemoryPersistence {
      override async append(batch: LogBatch): Promise<void> {
        all.push({ firstSeq: batch.firstSeq, lastSeq: batch.lastSeq, bytes: batch.bytes.slice() });
        return super.append(batch);
      }
    })();
    const options = { persistence: p, clock: () => now, activeExpire: false, compaction: { auto: false } } as const;
    const store = await openStore(options);
    const rng = new Rng(11);
    const call = (...argv: (string | number)[]) => store.call(...argv).catch((e: unknown) => e);
    await call('XGROUP', 'CREATE', 's', 'g1', '$', 'MKSTREAM');
    await call('XGROUP', 'CREATE', 's', 'g2', '0', 'ENTRIESREAD', 0);
    const consumers = ['alice', 'bob', 'carol'];
    for (let i = 0; i < 3000; i++) {
      now += rng.int(0, 3);
      const r = rng.next();
      const g = rng.chance(0.5) ? 'g1' : 'g2';
      const c = consumers[rng.int(0, 2)]!;
      const someId = () => `${now - rng.int(0, 300)}-${rng.int(0, 2)}`;
      if (r < 0.4) await call('XADD', 's', ...(rng.chance(0.1) ? ['MAXLEN', '~', String(rng.int(50, 400))] : []), '*', 'f', i, ...(rng.chance(0.3) ? ['g', 'x'] : []));
      else if (r < 0.55) await call('XREADGROUP', 'GROUP', g, c, ...(rng.chance(0.2) ? ['NOACK'] : []), 'COUNT', rng.int(1, 5), 'STREAMS', 's', rng.chance(0.8) ? '>' : '0');
      else if (r < 0.65) await call('XACK', 's', g, someId(), someId());
      else if (r < 0.72) await call('XCLAIM', 's', g, c, rng.int(0, 100), someId(), someId(), ...(rng.chance(0.5) ? ['JUSTID'] : []));
      else if (r < 0.8) await call('XAUTOCLAIM', 's', g, c, rng.int(0, 100), '0', 'COUNT', rng.int(1, 10));
      else if (r < 0.85) await call('XDEL', 's', someId(), someId());
      else if (r < 0.87) await call('XTRIM', 's', 'MINID', '~', now - rng.int(100, 900));
      else if (r < 0.88) await call('XGROUP', 'SETID', 's', g, rng.chance(0.5) ? '$' : someId());
      else if (r < 0.89) await call('XGROUP', 'DELCONSUMER', 's', g, c);
      else if (r < 0.9) await call('XGROUP', 'CREATECONSUMER', 's', g, c);
      else if (r < 0.91) await call('XSETID', 's', `${now + 1}-0`);
      else if (r < 0.92) await call('SAVE');
      else await call('XRANGE', 's', '-', '+', 'COUNT', 3);
    }
    await store.flush();
    const s = streamAt(store, 's');
    expect(s.cgroups.get('g1')!.pel.size + s.cgroups.get('g2')!.pel.size).toBeGreaterThan(10);
    const expected = dumpKeyspace(store.engine);
    await store.close();
    now += 10_000;
    // The snapshot (SAVE) plus the log after it.
    const reopened = await openStore(options);
    expect(dumpKeyspace(reopened.engine)).toEqual(expected);
    await reopened.close();
    // The log alone.
    expect(p.storedBatches.length).toBeLessThan(all.length); // SAVE truncated the log
    const logOnly = new MemoryPersistence();
    for (const b of all) await logOnly.append(b);
    const replayed = await openStore({ ...options, persistence: logOnly });
    expect(dumpKeyspace(replayed.engine)).toEqual(expected);
    await replayed.close();
  });

  it('a snapshot taken while streams change writes each as it was at its start', async () => {
    const store = createStore({ clock: () => T0, activeExpire: false });
    for (let k = 0; k < 20; k++) for (let i = 1; i <= 30; i++) store.execute('XADD', `s${k}`, `${i}-0`, 'f', i);
    store.execute('XGROUP', 'CREATE', 's5', 'g', '0');
    const engine = store.engine;
    const expected = dumpKeyspace(engine);
    const writer = new SnapshotWriter(engine, 1);
    engine.snapshotInProgress = writer;
    writer.step(Infinity, 2);
    store.execute('XADD', 's10', '31-0', 'f', 'x');
    store.execute('XDEL', 's11', '3-0');
    store.execute('XTRIM', 's12', 'MAXLEN', 0);
    store.execute('XSETID', 's13', '99-0');
    store.execute('XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 's5', '>');
    store.execute('XGROUP', 'CREATE', 's14', 'g', '$');
    const chunks = writer.finish();
    engine.snapshotInProgress = null;
    const loaded = new Engine();
    await rdbLoad(loaded, 1, chunks);
    expect(dumpKeyspace(loaded)).toEqual(expected);
  });
});
