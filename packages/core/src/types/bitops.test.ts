import { describe, expect, it } from 'vitest';
import { createStore } from '../index.js';
import type { TypedObject } from '../object.js';
import type { Arg } from '../sds.js';
import { popcount } from './bitops.js';

const bytes = (...b: number[]) => new Uint8Array(b);

/** A store, its db 0, and what it logged, notified and signalled. */
function setup() {
  const r = createStore({ activeExpire: false });
  const engine = r.engine;
  const db = engine.dbs[0]!;
  const logged: Arg[][] = [];
  const events: string[] = [];
  const signalled: string[] = [];
  engine.onPropagate = (_db, argv) => logged.push(argv);
  // "new" is dbAdd's business; these tests look at the events the bit commands fire.
  engine.notifyKeyspaceEvent = (_type, event, key) => void (event !== 'new' && events.push(`${event}:${key}`));
  engine.signalModifiedKey = (_db, key) => void signalled.push(key);
  const call = (...argv: (string | number)[]) => r.execute(...argv);
  return { r, engine, db, logged, events, signalled, call };
}

describe('SETBIT / GETBIT', () => {
  it('reads bits of text, integer and unicode values as their UTF-8 bytes', () => {
    const { call } = setup();
    call('SET', 'u', 'é'); // c3 a9
    expect([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((i) => call('GETBIT', 'u', i))).toEqual([1, 1, 0, 0, 0, 0, 1, 1, 1, 0, 1]);
    call('SET', 'e', '😀'); // f0 9f 98 80
    expect(call('GETBIT', 'e', 24)).toBe(1);
    expect(call('GETBIT', 'e', 25)).toBe(0);
    call('SET', 'n', 1); // "1" = 0x31
    expect(call('GETBIT', 'n', 2)).toBe(1);
    expect(call('SETBIT', 'n', 7, 0)).toBe(1);
    expect(call('GET', 'n')).toEqual(bytes(0x30));
  });

  it('rejects bad offsets and values before touching the keyspace', () => {
    const { call, db } = setup();
    expect(call('SETBIT', 'k', 4294967296, 1)).toMatchObject({ message: 'ERR bit offset is not an integer or out of range' });
    expect(call('SETBIT', 'k', -1, 1)).toMatchObject({ message: 'ERR bit offset is not an integer or out of range' });
    expect(call('SETBIT', 'k', 0, 2)).toMatchObject({ message: 'ERR bit is not an integer or out of range' });
    expect(call('GETBIT', 'k', '1.5')).toMatchObject({ message: 'ERR bit offset is not an integer or out of range' });
    expect(db.size).toBe(0);
  });

  it('modifies its own bytes in place and grows them with room to spare', () => {
    const { call, db } = setup();
    call('SETBIT', 'k', 0, 1);
    const first = db.dict.get('k');
    call('SETBIT', 'k', 3, 1);
    expect(db.dict.get('k')).toBe(first);
    const buffers = new Set<ArrayBufferLike>();
    for (let i = 0; i < 80_000; i++) {
      call('SETBIT', 'k', i, 1);
      buffers.add((db.dict.get('k') as Uint8Array).buffer);
    }
    expect(buffers.size).toBeLessThan(20); // doubling, not one copy per call
    expect(call('BITCOUNT', 'k')).toBe(80_000);
    expect((db.dict.get('k') as Uint8Array).length).toBe(10_000);
  });

  it('never modifies a byte value it does not own', () => {
    const { call, db } = setup();
    const shared = bytes(0, 0);
    db.dbAdd('k', shared); // e.g. an array also held by a reply or another key
    expect(call('SETBIT', 'k', 0, 1)).toBe(0);
    expect(shared).toEqual(bytes(0, 0));
    expect(db.dict.get('k')).toEqual(bytes(0x80, 0));
    // The same when the value grows.
    const other = bytes(1);
    db.dbOverwrite('k', other);
    call('SETBIT', 'k', 20, 1);
    expect(other).toEqual(bytes(1));
    expect(db.dict.get('k')).toEqual(bytes(1, 0, 8));
  });

  it('keeps the TTL, logs and notifies only real changes', () => {
    const { call, db, logged, events, signalled, engine } = setup();
    call('SETBIT', 'k', 1, 1);
    const when = engine.now + 100_000;
    db.setExpire('k', when);
    expect(events).toEqual(['setbit:k']);
    expect(call('SETBIT', 'k', 1, 1)).toBe(1); // no change
    expect(call('SETBIT', 'k', 2, 0)).toBe(0); // no change, no growth
    expect(logged.length).toBe(1);
    call('SETBIT', 'k', 100, 0); // growth alone is a change
    expect(logged.length).toBe(2);
    expect(events).toEqual(['setbit:k', 'setbit:k']);
    expect(signalled).toEqual(['k', 'k']);
    expect(db.getExpire('k')).toBe(when);
  });
});

describe('BITCOUNT', () => {
  it('matches a naive count on large unaligned data', () => {
    const data = new Uint8Array(100_003);
    let x = 12345;
    for (let i = 0; i < data.length; i++) data[i] = x = (x * 1103515245 + 12345) & 0xff;
    let naive = 0;
    for (let i = 3; i < data.length - 5; i++) for (let b = data[i]!; b; b &= b - 1) naive++;
    expect(popcount(data, 3, data.length - 5)).toBe(naive);
    const view = new Uint8Array(data.buffer, 1, data.length - 1);
    expect(popcount(view, 2, view.length - 5)).toBe(naive);
  });
});

describe('BITPOS', () => {
  it('skips long runs word by word', () => {
    const { call, db } = setup();
    const big = new Uint8Array(1 << 20);
    big[big.length - 1] = 1;
    db.dbAdd('z', big);
    expect(call('BITPOS', 'z', 1)).toBe(big.length * 8 - 1);
    expect(call('BITPOS', 'z', 1, 5, -1, 'BIT')).toBe(big.length * 8 - 1);
    big.fill(0xff);
    expect(call('BITPOS', 'z', 0)).toBe(big.length * 8);
    expect(call('BITPOS', 'z', 0, 1)).toBe(big.length * 8);
  });
});

describe('BITOP', () => {
  it('works 32 bits at a time on long values', () => {
    const { call, db } = setup();
    const a = new Uint8Array(1001).map((_, i) => i * 7);
    const b = new Uint8Array(777).map((_, i) => i * 13);
    db.dbAdd('a', a);
    db.dbAdd('b', b);
    for (const [op, f] of [
      ['AND', (x: number, y: number) => x & y],
      ['OR', (x: number, y: number) => x | y],
      ['XOR', (x: number, y: number) => x ^ y],
    ] as const) {
      expect(call('BITOP', op, 'd', 'a', 'b')).toBe(1001);
      const want = a.map((x, i) => f(x, b[i] ?? 0));
      expect(db.dict.get('d')).toEqual(want);
    }
  });

  it('deletes the destination when every source is empty, and drops its TTL otherwise', () => {
    const { call, db, engine, logged, events } = setup();
    call('SET', 'd', 'x');
    db.setExpire('d', engine.now + 100_000);
    call('SET', 's', 'ab');
    events.length = 0;
    expect(call('BITOP', 'OR', 'd', 's')).toBe(2);
    expect(db.getExpire('d')).toBe(-1);
    expect(call('BITOP', 'AND', 'd', 'missing')).toBe(0);
    expect(db.dict.has('d')).toBe(false);
    const n = logged.length;
    expect(call('BITOP', 'AND', 'd', 'missing')).toBe(0); // nothing to delete: not a write
    expect(logged.length).toBe(n);
    expect(events).toEqual(['set:d', 'del:d']);
  });
});

describe('BITFIELD', () => {
  it('saturates a SET far below INT64 range to the maximum, as Redis int64 arithmetic does', () => {
    const { call } = setup();
    // i8: max - INT64_MAX = -9223372036854775680; anything below it overflows "upwards".
    expect(call('BITFIELD', 'k', 'OVERFLOW', 'SAT', 'SET', 'i8', 0, '-9223372036854775681', 'GET', 'i8', 0)).toEqual([0, 127]);
    expect(call('BITFIELD', 'k', 'OVERFLOW', 'SAT', 'SET', 'i8', 0, '-9223372036854775680', 'GET', 'i8', 0)).toEqual([127, -128]);
    expect(call('BITFIELD', 'k', 'OVERFLOW', 'SAT', 'SET', 'i8', 0, -5000, 'GET', 'i8', 0)).toEqual([-128, -128]);
  });

  it('writes only when asked, and counts each changed field', () => {
    const { call, db, logged, events } = setup();
    expect(call('BITFIELD', 'k', 'GET', 'u8', 0)).toEqual([0]);
    expect(db.size).toBe(0);
    expect(call('BITFIELD', 'k', 'SET', 'u8', 0, 1, 'SET', 'u8', 8, 2, 'GET', 'u16', 0)).toEqual([0, 0, 258]);
    expect(logged.length).toBe(1);
    expect(events).toEqual(['setbit:k']);
    call('BITFIELD', 'k', 'SET', 'u8', 0, 1); // same value: no change
    expect(logged.length).toBe(1);
    // OVERFLOW FAIL on a missing key: Redis creates the key; Lodis logs it so a replay matches.
    expect(call('BITFIELD', 'f', 'OVERFLOW', 'FAIL', 'INCRBY', 'u2', 100, 5)).toEqual([null]);
    expect(db.dict.get('f')).toEqual(new Uint8Array(13));
    expect(logged.length).toBe(2);
  });

  it('BITFIELD_RO only reads', () => {
    const { call } = setup();
    call('BITFIELD', 'k', 'SET', 'i8', 0, -5);
    expect(call('BITFIELD_RO', 'k', 'GET', 'i8', 0, 'GET', 'u4', '#1')).toEqual([-5, 11]);
    expect(call('BITFIELD_RO', 'k', 'INCRBY', 'i8', 0, 1)).toMatchObject({
      message: 'ERR BITFIELD_RO only supports the GET subcommand',
    });
  });
});

describe('wrong types', () => {
  it('every command refuses a key of another type', () => {
    const { call, db } = setup();
    const list: TypedObject = { type: 'list', dup: () => list };
    db.dbAdd('l', list);
    const wrong = 'WRONGTYPE Operation against a key holding the wrong kind of value';
    for (const argv of [
      ['SETBIT', 'l', 0, 1],
      ['GETBIT', 'l', 0],
      ['BITCOUNT', 'l'],
      ['BITPOS', 'l', 1],
      ['BITOP', 'AND', 'd', 'l'],
      ['BITOP', 'AND', 'l', 'missing', 'l'],
      ['BITFIELD', 'l'],
      ['BITFIELD', 'l', 'GET', 'u8', 0],
      ['BITFIELD', 'l', 'SET', 'u8', 0, 1],
      ['BITFIELD_RO', 'l', 'GET', 'u8', 0],
    ]) {
      expect(call(...argv), argv.join(' ')).toMatchObject({ message: wrong });
    }
    // Argument errors come first where Redis checks them first.
    expect(call('SETBIT', 'l', -1, 1)).toMatchObject({ message: 'ERR bit offset is not an integer or out of range' });
    expect(call('BITFIELD', 'l', 'GET', 'u64', 0)).toMatchObject({ message: expect.stringMatching(/Invalid bitfield type/) });
    expect(call('BITPOS', 'l', 2)).toMatchObject({ message: 'ERR The bit argument must be 1 or 0.' });
  });
});

describe('a bit write that changes nothing', () => {
  // Nothing is logged for it, so the value must keep its representation for a replay to match.
  it('leaves a text or integer value as it was (SETBIT to the same bit, BITFIELD whose SETs all fail)', () => {
    const s = createStore({ activeExpire: false });
    s.execute('SET', 'n', '-17');
    s.execute('SET', 'f', 'hello');
    expect(s.execute('SETBIT', 'n', '2', '1')).toBe(1);
    expect(s.execute('BITFIELD', 'f', 'OVERFLOW', 'FAIL', 'SET', 'u8', '0', '-255')).toEqual([null]);
    const dict = s.engine.dbs[0]!.dict;
    expect(dict.get('n')).toBe('-17');
    expect(dict.get('f')).toBe('hello');
    expect(s.execute('SETBIT', 'n', '2', '0')).toBe(1);
    expect(dict.get('n')).toBeInstanceOf(Uint8Array);
  });
});
