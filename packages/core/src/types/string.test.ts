import { describe, expect, it } from 'vitest';
import { createStore, type Store } from '../index.js';
import type { TypedObject } from '../object.js';
import type { Arg } from '../sds.js';
import { errorText, setupStore, T0 } from '../test-helpers.js';
import { checkStringLength } from './string.js';

const setup = () => setupStore((event, key) => `${event}:${key}`);

/** Keys, values (as bytes, hex) and absolute TTLs of every database. */
function dump(s: Store): unknown {
  return s.engine.dbs.map((d) =>
    [...d.dict.keys()].sort().map((k) => {
      const v = s.engine.dbs[d.id]!.dict.get(k);
      const bytes = typeof v === 'string' || typeof v === 'number' ? Buffer.from(String(v)) : Buffer.from(v as Uint8Array);
      return [k, bytes.toString('hex'), d.getExpire(k)];
    }),
  );
}

const WRONGTYPE = 'WRONGTYPE Operation against a key holding the wrong kind of value';

describe('WRONGTYPE paths (checked against redis 7.0.15 with a list key)', () => {
  it('replies as Redis for every command on a non-string key', () => {
    const { store, run } = setup();
    const list: TypedObject = { type: 'list', dup: () => list };
    store.engine.dbs[0]!.dict.set('lst', list);
    run('SET', 's', 'v');
    const wrongType = [
      ['GET', 'lst'],
      ['SET', 'lst', 'x', 'GET'],
      ['GETSET', 'lst', 'x'],
      ['GETDEL', 'lst'],
      ['GETEX', 'lst'],
      ['GETEX', 'lst', 'EX', '0'],
      ['GETRANGE', 'lst', '0', '1'],
      ['SUBSTR', 'lst', '0', '1'],
      ['SETRANGE', 'lst', '0', 'x'],
      ['SETRANGE', 'lst', '0', ''],
      ['APPEND', 'lst', 'x'],
      ['STRLEN', 'lst'],
      ['INCR', 'lst'],
      ['DECR', 'lst'],
      ['INCRBY', 'lst', '1'],
      ['DECRBY', 'lst', '1'],
      ['INCRBYFLOAT', 'lst', '1'],
      ['INCRBYFLOAT', 'lst', 'x'],
    ];
    for (const argv of wrongType) expect(errorText(run(...argv)), argv.join(' ')).toBe(WRONGTYPE);
    expect(errorText(run('GETEX', 'lst', 'FOO'))).toBe('ERR syntax error');
    expect(errorText(run('GETRANGE', 'lst', 'a', '1'))).toBe('ERR value is not an integer or out of range');
    expect(errorText(run('SETRANGE', 'lst', '-1', 'x'))).toBe('ERR offset is out of range');
    expect(errorText(run('INCRBY', 'lst', 'x'))).toBe('ERR value is not an integer or out of range');
    expect(errorText(run('LCS', 'lst', 's'))).toBe('ERR The specified keys must contain string values');
    expect(errorText(run('LCS', 's', 'lst', 'FOO'))).toBe('ERR The specified keys must contain string values');
    expect(run('MGET', 's', 'lst', 'nokey')).toEqual(['v', null, null]);
    expect(run('MSETNX', 'lst', 'x')).toBe(0);
    expect(run('SET', 'lst', 'x', 'NX')).toBe(null);
    expect(run('SETNX', 'lst', 'x')).toBe(0);
    // SET, SETEX and MSET replace a key of any type.
    expect(run('SET', 'lst', 'x')).toBe('OK');
    expect(run('TYPE', 'lst')).toBe('string');
  });
});

describe('the command log (effects, not argv)', () => {
  it('logs what each write did, and replaying the log gives the same state', () => {
    const { store, run, log, advance } = setup();
    run('SET', 'a', '1', 'EX', 100);
    run('SET', 'b', '2', 'PX', 5000, 'NX');
    run('SET', 'c', '3', 'EXAT', 1_800_000_000, 'GET');
    run('SET', 'c', '4', 'GET', 'KEEPTTL', 'get');
    run('SETEX', 'd', 10, 'v');
    run('PSETEX', 'e', 10, 'v');
    run('GETEX', 'a', 'EX', 50);
    run('GETEX', 'a', 'PERSIST');
    run('GETEX', 'a', 'PERSIST'); // no TTL: changes nothing, logs nothing
    run('GETEX', 'b', 'PXAT', 1); // past: a DEL
    run('GETDEL', 'd');
    run('GETDEL', 'd'); // missing: nothing
    run('GETSET', 'e', 'w');
    run('INCRBYFLOAT', 'f', '0.1');
    run('SET', 'g', '5', 'EX', 100);
    run('INCRBYFLOAT', 'g', '1.5');
    run('INCR', 'h');
    run('APPEND', 'h', 'x');
    run('SETRANGE', 'i', 3, 'abc');
    run('MSET', 'j', '1', 'k', '2');
    run('MSETNX', 'j', '1', 'l', '2'); // j exists: nothing
    run('SET', 'j', 'x', 'NX'); // nothing
    run('SETRANGE', 'j', 0, ''); // nothing
    expect(log).toEqual([
      [0, 'SET', 'a', '1', 'PXAT', String(T0 + 100_000)],
      [0, 'SET', 'b', '2', 'PXAT', String(T0 + 5000)],
      [0, 'SET', 'c', '3', 'PXAT', '1800000000000'],
      [0, 'SET', 'c', '4', 'KEEPTTL'],
      [0, 'SET', 'd', 'v', 'PXAT', String(T0 + 10_000)],
      [0, 'SET', 'e', 'v', 'PXAT', String(T0 + 10)],
      [0, 'PEXPIREAT', 'a', String(T0 + 50_000)],
      [0, 'PERSIST', 'a'],
      [0, 'DEL', 'b'],
      [0, 'DEL', 'd'],
      [0, 'SET', 'e', 'w'],
      [0, 'SET', 'f', '0.1', 'KEEPTTL'],
      [0, 'SET', 'g', '5', 'PXAT', String(T0 + 100_000)],
      [0, 'SET', 'g', '6.5', 'KEEPTTL'],
      [0, 'INCR', 'h'],
      [0, 'APPEND', 'h', 'x'],
      [0, 'SETRANGE', 'i', '3', 'abc'],
      [0, 'MSET', 'j', '1', 'k', '2'],
    ]);
    advance(1); // replay later: absolute times keep the same TTLs
    const replay = createStore({ clock: () => T0 + 1, activeExpire: false });
    for (const [db, ...argv] of log) {
      replay.execute('SELECT', db);
      replay.execute(...(argv as Arg[]));
    }
    expect(dump(replay)).toEqual(dump(store));
  });

  it('counts a change only when something changed', () => {
    const { store, run } = setup();
    const dirty = () => store.engine.dirty;
    run('SET', 'a', '1');
    const d0 = dirty();
    run('SET', 'a', '2', 'NX');
    run('GETEX', 'a');
    run('GETEX', 'a', 'PERSIST');
    run('GETDEL', 'nope');
    run('SETRANGE', 'a', 5, '');
    run('SETRANGE', 'nope', 5, '');
    run('MSETNX', 'a', '1', 'b', '2');
    run('INCR', 'a', 'extra');
    run('INCRBYFLOAT', 'a', 'inf');
    expect(dirty()).toBe(d0);
    run('MSET', 'x', '1', 'y', '2');
    expect(dirty()).toBe(d0 + 2);
  });
});

describe('keyspace events', () => {
  it('fires the events Redis fires, where it fires them', () => {
    const { run, events } = setup();
    run('SET', 'a', '1', 'EX', 10);
    run('INCR', 'a');
    run('INCRBYFLOAT', 'a', '0.5');
    run('APPEND', 'a', 'x');
    run('SETRANGE', 'a', 0, 'y');
    run('GETEX', 'a', 'PX', 100);
    run('GETEX', 'a', 'PERSIST');
    run('GETEX', 'a', 'EXAT', 1);
    run('MSET', 'b', '1', 'c', '2');
    run('GETSET', 'b', '3');
    run('GETDEL', 'b');
    run('SETNX', 'c', 'x');
    expect(events.filter((e) => !e.startsWith('new:') && !e.startsWith('keymiss:'))).toEqual([
      'set:a',
      'expire:a',
      'incrby:a',
      'incrbyfloat:a',
      'append:a',
      'setrange:a',
      'expire:a',
      'persist:a',
      'del:a',
      'set:b',
      'set:c',
      'set:b',
      'del:b',
    ]);
  });
});

describe('values', () => {
  it('keeps int64 exact and stores safe results as numbers', () => {
    const { store, run } = setup();
    run('INCRBY', 'n', 41);
    expect(store.engine.dbs[0]!.dict.get('n')).toBe(41);
    run('SET', 'big', '9007199254740993');
    expect(run('INCR', 'big')).toBe(9007199254740994n);
    expect(store.engine.dbs[0]!.dict.get('big')).toBe('9007199254740994');
    expect(run('DECRBY', 'big', '9007199254740994')).toBe(0);
    expect(errorText(run('DECRBY', 'big', '-9223372036854775808'))).toBe('ERR decrement would overflow');
  });

  it('never changes a reply already handed out', () => {
    const { store } = setup();
    store.execute('SET', 'k', new Uint8Array([1, 2, 3]));
    store.execute('APPEND', 'k', 'x');
    const before = store.execute('GET', 'k') as Uint8Array;
    const range = store.execute('GETRANGE', 'k', 0, 1) as Uint8Array;
    const copy = before.slice();
    store.execute('SETRANGE', 'k', 0, 'zz');
    store.execute('APPEND', 'k', 'more');
    store.execute('SETBIT', 'k', 0, 1);
    expect(before).toEqual(copy);
    expect(range).toEqual(copy.subarray(0, 2));
    expect(store.execute('GET', 'k')).toEqual(new Uint8Array([0xfa, 0x7a, 3, 0x78, 0x6d, 0x6f, 0x72, 0x65]));
  });

  it('grows appended values in place and keeps copies apart', () => {
    const { run } = setup();
    let expected = '';
    for (let i = 0; i < 2000; i++) {
      const piece = i % 3 === 0 ? `é${i}` : `${i},`;
      expected += piece;
      expect(run('APPEND', 'log', piece)).toBe(Buffer.byteLength(expected));
      if (i === 1000) run('COPY', 'log', 'log2');
    }
    expect(run('GET', 'log')).toBe(expected);
    run('APPEND', 'log2', '!');
    expect(run('GET', 'log')).toBe(expected);
    expect(run('STRLEN', 'log2')).toBe(Buffer.byteLength((run('GET', 'log2') as string)));
  });

  it('refuses strings past proto-max-bulk-len without allocating', () => {
    const { run } = setup();
    expect(errorText(run('SETRANGE', 'k', 600_000_000, 'x'))).toBe(
      'ERR string exceeds maximum allowed size (proto-max-bulk-len)',
    );
    expect(errorText(run('SETRANGE', 'k', '9223372036854775807', 'x'))).toBe(
      'ERR string exceeds maximum allowed size (proto-max-bulk-len)',
    );
    expect(run('EXISTS', 'k')).toBe(0);
    expect(() => checkStringLength(512 * 1024 * 1024 - 1, 1)).not.toThrow();
    expect(() => checkStringLength(512 * 1024 * 1024 - 1, 2)).toThrow(
      'ERR string exceeds maximum allowed size (proto-max-bulk-len)',
    );
    run('SETRANGE', 'a', 12_000, 'x');
    run('SETRANGE', 'b', 12_000, 'y');
    expect(errorText(run('LCS', 'a', 'b', 'LEN'))).toBe(
      'ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len',
    );
  });

  it('slices text by bytes without breaking characters it does not cut', () => {
    const { store, run } = setup();
    run('SET', 'u', 'a😀bé');
    expect(run('STRLEN', 'u')).toBe(8);
    expect(run('GETRANGE', 'u', 1, 4)).toBe('😀');
    expect(run('GETRANGE', 'u', 5, -1)).toBe('bé');
    expect(store.execute('GETRANGE', 'u', 2, 3)).toEqual(new Uint8Array([0x9f, 0x98]));
    expect(store.execute('GETRANGE', 'u', 6, 6)).toEqual(new Uint8Array([0xc3]));
  });
});
