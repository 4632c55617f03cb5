import { describe, expect, it } from 'vitest';
import { createStore, decodeReply, type Store } from './index.js';
import { NOTIFY_ALL, NOTIFY_KEY_MISS, NOTIFY_NEW } from './notify.js';
import type { TypedObject } from './object.js';
import { parseScanCursor, SCAN_CURSOR_IDLE_MS, SCAN_MAX_CURSORS, ScanCursors } from './scan.js';
import { errorText, setupStore, T0 } from './test-helpers.js';

const setup = () => setupStore();

/** Drive a whole SCAN iteration, running `between` after every call. */
function scanAll(run: ReturnType<typeof setup>['run'], extra: string[] = [], between?: () => void): string[] {
  const seen: string[] = [];
  let cursor = '0';
  let calls = 0;
  do {
    const [next, keys] = run('SCAN', cursor, ...extra) as [string, string[]];
    seen.push(...keys);
    cursor = next;
    between?.();
    if (++calls > 100_000) throw new Error('SCAN does not terminate');
  } while (cursor !== '0');
  return seen;
}

describe('DEL, UNLINK, EXISTS, TOUCH, TYPE', () => {
  it('count keys, duplicates included', () => {
    const { run, log, events } = setup();
    run('SET', 'a', '1');
    run('SET', 'b', '2');
    expect(run('EXISTS', 'a', 'b', 'a', 'nope')).toBe(3);
    expect(run('TOUCH', 'a', 'nope', 'b')).toBe(2);
    expect(run('TYPE', 'a')).toBe('string');
    expect(run('TYPE', 'nope')).toBe('none');
    expect(run('DEL', 'a', 'a', 'nope')).toBe(1);
    expect(run('UNLINK', 'b')).toBe(1);
    expect(run('DEL', 'b')).toBe(0);
    expect(log.filter((e) => e[1] !== 'SET')).toEqual([
      [0, 'DEL', 'a', 'a', 'nope'],
      [0, 'UNLINK', 'b'],
    ]);
    expect(events.filter((e) => !e.includes(':set:'))).toEqual(['0:del:a', '0:del:b']);
  });

  it('treat __proto__ and friends as ordinary keys', () => {
    const { run } = setup();
    for (const k of ['__proto__', 'constructor', 'hasOwnProperty']) run('SET', k, 'v');
    expect((run('KEYS', '*') as string[]).sort()).toEqual(['__proto__', 'constructor', 'hasOwnProperty']);
    expect(run('EXISTS', '__proto__', 'toString')).toBe(1);
  });
});

describe('KEYS', () => {
  it('matches bytes with glob patterns and leaves out expired keys', () => {
    const { run, advance } = setup();
    for (const k of ['hello', 'hallo', 'hxllo', 'héllo', 'other']) run('SET', k, '1');
    run('PEXPIRE', 'hxllo', 10);
    expect((run('KEYS', 'h?llo') as string[]).sort()).toEqual(['hallo', 'hello', 'hxllo']);
    expect((run('KEYS', 'h??llo') as string[]).sort()).toEqual(['héllo']); // é is two bytes
    expect((run('KEYS', 'h[ae]llo') as string[]).sort()).toEqual(['hallo', 'hello']);
    advance(11);
    expect((run('KEYS', 'h*') as string[]).sort()).toEqual(['hallo', 'hello', 'héllo']);
    expect(run('DBSIZE')).toBe(5); // KEYS does not delete; the expired key still counts
  });

  it('matches binary keys', () => {
    const { store, run } = setup();
    store.execute('SET', new Uint8Array([0xff, 0x00, 0x61]), 'v');
    expect(run('KEYS', '\\xff*')).toEqual([]); // the pattern is text, not an escape
    expect(store.execute('KEYS', new Uint8Array([0xff, 0x2a]))).toEqual([new Uint8Array([0xff, 0x00, 0x61])]);
    expect(store.execute('KEYS', '??a')).toEqual([new Uint8Array([0xff, 0x00, 0x61])]);
  });
});

describe('SCAN', () => {
  it('returns everything in one call on a small db, with cursor 0', () => {
    const { run } = setup();
    for (let i = 0; i < 5; i++) run('SET', `k${i}`, i);
    const [cursor, keys] = run('SCAN', 0) as [string, string[]];
    expect(cursor).toBe('0');
    expect(keys.sort()).toEqual(['k0', 'k1', 'k2', 'k3', 'k4']);
    expect(run('SCAN', 0, 'COUNT', 5)).toEqual(['0', expect.any(Array)]); // exactly COUNT keys: done
  });

  it('bounds the work per call by COUNT and visits each key once', () => {
    const { run } = setup();
    for (let i = 0; i < 1000; i++) run('SET', `k${i}`, i);
    let calls = 0;
    const seen = scanAll(run, ['COUNT', '7'], () => calls++);
    expect(seen.length).toBe(1000);
    expect(new Set(seen).size).toBe(1000);
    expect(calls).toBe(Math.ceil(1000 / 7));
  });

  it('returns every key present for the whole iteration while keys come and go', () => {
    const { run } = setup();
    for (let i = 0; i < 2000; i++) run('SET', `stable${i}`, i);
    for (let i = 0; i < 500; i++) run('SET', `doomed${i}`, i);
    let step = 0;
    const seen = new Set(
      scanAll(run, ['COUNT', '10'], () => {
        step++;
        run('SET', `new${step}`, step); // inserted during the iteration
        if (step <= 500) run('DEL', `doomed${step - 1}`);
        if (step % 3 === 0) {
          run('DEL', `stable${step}`); // deleted and added again: may be seen twice, never missed
          run('SET', `stable${step}`, 'again');
        }
      }),
    );
    for (let i = 0; i < 2000; i++) expect(seen.has(`stable${i}`) || i % 3 === 0).toBe(true);
  });

  it('filters by MATCH and TYPE after counting, and skips expired keys', () => {
    const { store, run, advance } = setup();
    for (let i = 0; i < 20; i++) run('SET', `user:${i}`, i);
    for (let i = 0; i < 20; i++) run('SET', `item:${i}`, i);
    const list: TypedObject = { type: 'list', dup: () => list };
    store.engine.dbs[0]!.dbAdd('user:list', list);
    run('PEXPIRE', 'user:3', 5);
    advance(10);
    const users = scanAll(run, ['MATCH', 'user:*', 'COUNT', '3']);
    expect(users.sort()).toEqual([...Array.from({ length: 20 }, (_, i) => `user:${i}`).filter((k) => k !== 'user:3'), 'user:list'].sort());
    expect(scanAll(run, ['TYPE', 'LIST'])).toEqual(['user:list']);
    expect(scanAll(run, ['TYPE', 'string', 'MATCH', 'item:1*']).sort()).toEqual(
      ['item:1', ...Array.from({ length: 10 }, (_, i) => `item:1${i}`)].sort(),
    );
    expect(run('SCAN', 0, 'COUNT', 1)).toEqual([expect.not.stringMatching(/^0$/), [expect.any(String)]]);
  });

  it('restarts an unknown or evicted cursor, still returning every key', () => {
    const { run } = setup();
    for (let i = 0; i < 100; i++) run('SET', `k${i}`, i);
    const [c1, first] = run('SCAN', 0, 'COUNT', 10) as [string, string[]];
    // Many abandoned iterations push c1 out of the table.
    for (let i = 0; i < SCAN_MAX_CURSORS + 5; i++) run('SCAN', 0, 'COUNT', 1);
    const rest = [];
    let cursor = c1;
    do {
      const [next, keys] = run('SCAN', cursor, 'COUNT', 10) as [string, string[]];
      rest.push(...keys);
      cursor = next;
    } while (cursor !== '0');
    expect(new Set([...first, ...rest]).size).toBe(100);
    expect((run('SCAN', '12345678901234567890') as [string, string[]])[1].length).toBe(10);
  });

  it('drops cursors left idle, in SCAN and in the active expire cycle', () => {
    const { store, run, advance } = setup();
    for (let i = 0; i < 30; i++) run('SET', `k${i}`, i);
    const [c1] = run('SCAN', 0, 'COUNT', 10) as [string, string[]];
    const [c2] = run('SCAN', 0, 'COUNT', 10) as [string, string[]];
    const cursors = store.engine.dbs[0]!.scanCursors;
    expect(cursors.size).toBe(2);
    advance(SCAN_CURSOR_IDLE_MS + 1);
    for (let i = 0; i < 16; i++) store.activeExpireCycle();
    expect(cursors.size).toBe(0);
    expect((run('SCAN', c1, 'COUNT', 100) as [string, string[]])[1].length).toBe(30); // restarted
    const [c3] = run('SCAN', 0, 'COUNT', 10) as [string, string[]];
    advance(SCAN_CURSOR_IDLE_MS + 1);
    run('SCAN', 0, 'COUNT', 10);
    expect(cursors.size).toBe(1);
    expect(c3).not.toBe(c2);
  });

  it('drops its cursors on FLUSHDB and follows the contents on SWAPDB', () => {
    const { run } = setup();
    for (let i = 0; i < 30; i++) run('SET', `k${i}`, i);
    const [c] = run('SCAN', 0, 'COUNT', 10) as [string, string[]];
    run('FLUSHDB');
    run('SET', 'fresh', 1);
    expect(run('SCAN', c)).toEqual(['0', ['fresh']]);
  });

  it('parses cursors as strtoul and options as Redis', () => {
    const { run } = setup();
    expect(parseScanCursor('')).toBe(0n);
    expect(parseScanCursor('007')).toBe(7n);
    expect(parseScanCursor('+5')).toBe(5n);
    expect(parseScanCursor('-1')).toBe(18446744073709551615n);
    expect(parseScanCursor('18446744073709551615')).toBe(18446744073709551615n);
    for (const bad of ['18446744073709551616', ' 1', 'abc', '1x', '+', '-', '0x10']) {
      expect(errorText(run('SCAN', bad))).toBe('ERR invalid cursor');
    }
    expect(errorText(run('SCAN', 0, 'COUNT', 0))).toBe('ERR syntax error');
    expect(errorText(run('SCAN', 0, 'COUNT', 'x'))).toBe('ERR value is not an integer or out of range');
    expect(errorText(run('SCAN', 0, 'MATCH'))).toBe('ERR syntax error');
    expect(errorText(run('SCAN', 0, 'FOO', 'bar'))).toBe('ERR syntax error');
    expect(run('SCAN', 0, 'count', 5, 'match', 'x', 'type', 'nosuchtype')).toEqual(['0', []]);
  });

  it('ScanCursors is reusable for any Map or Set', () => {
    const set = new Set(Array.from({ length: 50 }, (_, i) => i));
    const cursors = new ScanCursors<number>(4);
    const seen: number[] = [];
    let cursor = 0n;
    do {
      cursor = BigInt(cursors.step(cursor, 7, () => set.values(), (x) => seen.push(x), (x) => set.has(x)));
      set.delete(seen[seen.length - 1]! + 1); // delete the pending element: never returned
    } while (cursor !== 0n);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.every((x) => x % 7 === 0 || set.has(x) || seen.includes(x))).toBe(true);
    expect(cursors.size).toBe(0);
  });
});

describe('RANDOMKEY', () => {
  it('returns null on an empty db, the key on a one-key db, and reaches every key', () => {
    const { run } = setup();
    expect(run('RANDOMKEY')).toBe(null);
    run('SET', 'only', 1);
    expect(run('RANDOMKEY')).toBe('only');
    for (let i = 0; i < 100; i++) run('SET', `k${i}`, i);
    const seen = new Set<unknown>();
    for (let i = 0; i < 2000; i++) seen.add(run('RANDOMKEY'));
    expect(seen.size).toBe(101);
  });

  it('never returns an expired key, deleting those it meets', () => {
    const { run, advance, log } = setup();
    for (let i = 0; i < 50; i++) run('SET', `k${i}`, i);
    for (let i = 0; i < 49; i++) run('PEXPIRE', `k${i}`, 10);
    advance(20);
    for (let i = 0; i < 20; i++) expect(run('RANDOMKEY')).toBe('k49');
    run('PEXPIRE', 'k49', 10);
    advance(20);
    expect(run('RANDOMKEY')).toBe(null);
    expect(run('DBSIZE')).toBe(0);
    expect(log.filter((e) => e[1] === 'DEL').length).toBe(50);
  });
});

describe('RENAME, RENAMENX', () => {
  it('moves the value and its TTL', () => {
    const { run, log, events } = setup();
    run('SET', 'a', 'v');
    run('EXPIRE', 'a', 100);
    expect(run('RENAME', 'a', 'b')).toBe('OK');
    expect(run('GET', 'b')).toBe('v');
    expect(run('TTL', 'b')).toBe(100);
    expect(run('EXISTS', 'a')).toBe(0);
    expect(run('RENAME', 'b', 'b')).toBe('OK');
    expect(run('RENAMENX', 'b', 'b')).toBe(0);
    expect(errorText(run('RENAME', 'nope', 'x'))).toBe('ERR no such key');
    expect(errorText(run('RENAMENX', 'nope', 'nope'))).toBe('ERR no such key');
    run('SET', 'c', 'other');
    expect(run('RENAMENX', 'b', 'c')).toBe(0);
    expect(run('RENAME', 'b', 'c')).toBe('OK');
    expect(run('GET', 'c')).toBe('v');
    expect(run('TTL', 'c')).toBe(100);
    expect(events.filter((e) => e.includes('rename'))).toEqual(['0:rename_from:a', '0:rename_to:b', '0:rename_from:b', '0:rename_to:c']);
    expect(log.filter((e) => e[1] === 'RENAME' || e[1] === 'RENAMENX').length).toBe(2);
  });

  it('renames onto a key that has expired', () => {
    const { run, advance } = setup();
    run('SET', 'a', '1');
    run('SET', 'b', '2');
    run('PEXPIRE', 'b', 5);
    advance(10);
    expect(run('RENAMENX', 'a', 'b')).toBe(1);
    expect(run('PTTL', 'b')).toBe(-1);
  });
});

describe('COPY', () => {
  it('copies deeply, with the TTL, to this or another db', () => {
    const { store, run } = setup();
    store.execute('SET', 'bytes', new Uint8Array([1, 2, 3]));
    run('PEXPIRE', 'bytes', 5000);
    expect(run('COPY', 'bytes', 'copy')).toBe(1);
    expect(run('PTTL', 'copy')).toBe(5000);
    const db = store.engine.dbs[0]!;
    expect(db.dict.get('copy')).toEqual(db.dict.get('bytes'));
    expect(db.dict.get('copy')).not.toBe(db.dict.get('bytes'));
    expect(run('COPY', 'bytes', 'copy')).toBe(0);
    expect(run('COPY', 'bytes', 'copy', 'REPLACE')).toBe(1);
    expect(run('COPY', 'bytes', 'bytes', 'DB', 3)).toBe(1);
    expect(store.engine.dbs[3]!.dict.has('bytes')).toBe(true);
    expect(run('COPY', 'nope', 'x')).toBe(0);
    expect(errorText(run('COPY', 'bytes', 'bytes'))).toBe('ERR source and destination objects are the same');
    expect(errorText(run('COPY', 'bytes', 'bytes', 'DB', 0))).toBe('ERR source and destination objects are the same');
    expect(errorText(run('COPY', 'bytes', 'x', 'DB', 16))).toBe('ERR DB index is out of range');
    expect(errorText(run('COPY', 'bytes', 'x', 'DB', 'one'))).toBe('ERR value is not an integer or out of range');
    expect(errorText(run('COPY', 'bytes', 'x', 'DB'))).toBe('ERR syntax error');
    expect(errorText(run('COPY', 'bytes', 'x', 'REPLACE', 'NOW'))).toBe('ERR syntax error');
  });

  it('duplicates typed objects through dup()', () => {
    const { store, run } = setup();
    let dups = 0;
    const make = (): TypedObject => ({ type: 'hash', dup: () => (dups++, make()) });
    store.engine.dbs[0]!.dbAdd('h', make());
    expect(run('COPY', 'h', 'h2')).toBe(1);
    expect(dups).toBe(1);
    expect(run('TYPE', 'h2')).toBe('hash');
  });
});

describe('MOVE, SELECT, SWAPDB, DBSIZE, FLUSHDB, FLUSHALL', () => {
  it('MOVE keeps the TTL and refuses to overwrite', () => {
    const { run, events } = setup();
    run('SET', 'k', 'v');
    run('EXPIRE', 'k', 50);
    expect(run('MOVE', 'k', 1)).toBe(1);
    expect(run('EXISTS', 'k')).toBe(0);
    expect(run('MOVE', 'k', 1)).toBe(0);
    run('SELECT', 1);
    expect(run('TTL', 'k')).toBe(50);
    run('SELECT', 0);
    run('SET', 'k', 'again');
    expect(run('MOVE', 'k', 1)).toBe(0);
    expect(errorText(run('MOVE', 'k', 0))).toBe('ERR source and destination objects are the same');
    expect(errorText(run('MOVE', 'k', 16))).toBe('ERR DB index is out of range');
    expect(errorText(run('MOVE', 'k', -1))).toBe('ERR DB index is out of range');
    expect(errorText(run('MOVE', 'k', 'x'))).toBe('ERR value is not an integer or out of range');
    expect(events.filter((e) => e.includes('move'))).toEqual(['0:move_from:k', '1:move_to:k']);
  });

  it('SELECT and SWAPDB: sessions stay on their index and see the swapped contents', () => {
    const { store, run } = setup();
    const other = store.connect();
    run('SET', 'in0', 1);
    expect(run('SELECT', 1)).toBe('OK');
    run('SET', 'in1', 1);
    expect(decodeReply(other.execute('KEYS', '*'))).toEqual(['in0']);
    expect(run('SWAPDB', 0, 1)).toBe('OK');
    expect(decodeReply(other.execute('KEYS', '*'))).toEqual(['in1']);
    expect(run('KEYS', '*')).toEqual(['in0']);
    expect(run('SWAPDB', 1, 1)).toBe('OK');
    expect(errorText(run('SELECT', 16))).toBe('ERR DB index is out of range');
    expect(errorText(run('SELECT', 'x'))).toBe('ERR value is not an integer or out of range');
    expect(errorText(run('SELECT', '4294967296'))).toBe(
      'ERR value is out of range, value must between -2147483648 and 2147483647',
    );
    expect(errorText(run('SWAPDB', 'x', 1))).toBe('ERR invalid first DB index');
    expect(errorText(run('SWAPDB', 1, '99999999999'))).toBe('ERR invalid second DB index');
    expect(errorText(run('SWAPDB', 1, 16))).toBe('ERR DB index is out of range');
  });

  it('FLUSHDB and FLUSHALL empty what they should and are always logged', () => {
    const { run, log } = setup();
    run('SET', 'a', 1);
    run('SELECT', 2);
    run('SET', 'b', 1);
    expect(run('DBSIZE')).toBe(1);
    expect(run('FLUSHDB', 'ASYNC')).toBe('OK');
    expect(run('DBSIZE')).toBe(0);
    expect(run('FLUSHDB')).toBe('OK'); // nothing to remove: still logged
    run('SELECT', 0);
    expect(run('DBSIZE')).toBe(1);
    expect(run('FLUSHALL', 'sync')).toBe('OK');
    expect(run('DBSIZE')).toBe(0);
    expect(errorText(run('FLUSHALL', 'now'))).toBe('ERR syntax error');
    expect(errorText(run('FLUSHDB', 'async', 'sync'))).toBe('ERR syntax error');
    expect(log.filter((e) => e[1] !== 'SET')).toEqual([
      [2, 'FLUSHDB', 'ASYNC'],
      [2, 'FLUSHDB'],
      [0, 'FLUSHALL', 'sync'],
    ]);
  });
});

describe('keyspace events and stats', () => {
  it('fires new, keymiss, expired where Redis does', () => {
    const { store, run, advance } = setup();
    const got: string[] = [];
    const engine = store.engine;
    engine.notifyKeyspaceEvent = (type, event, key) => void got.push(`${event}:${key}`);
    engine.notifyKeyspaceEventsFlags = NOTIFY_ALL | NOTIFY_KEY_MISS | NOTIFY_NEW;
    run('SET', 'a', 1);
    run('SET', 'a', 2);
    run('GET', 'nope');
    run('PEXPIRE', 'a', 1);
    advance(5);
    run('GET', 'a');
    expect(got.filter((e) => !e.startsWith('set:'))).toEqual(['new:a', 'keymiss:nope', 'expire:a', 'expired:a', 'keymiss:a']);
    expect(engine.stat.keyspaceMisses).toBe(2);
    expect(engine.stat.expiredKeys).toBe(1);
  });
});

describe('the command log replays to the same state', () => {
  it('reproduces keys, values and absolute TTLs', () => {
    const { store, run, log, advance } = setup();
    run('SET', 'a', 1);
    run('SET', 'b', 2);
    run('EXPIRE', 'a', 100);
    run('SELECT', 3);
    run('SET', 'c', 3);
    run('PEXPIRE', 'c', 10);
    run('COPY', 'c', 'd', 'DB', 4);
    run('SELECT', 0);
    run('EXPIRE', 'b', -5); // logged as DEL b
    run('MOVE', 'a', 5);
    run('SWAPDB', 5, 6);
    advance(3);
    const replay = createStore({ clock: () => T0 + 3, activeExpire: false });
    for (const [db, ...argv] of log) {
      replay.execute('SELECT', db);
      replay.execute(...(argv as string[]));
    }
    const dump = (s: Store) =>
      s.engine.dbs.map((d) => [...d.dict.keys()].map((k) => [k, String(d.dict.get(k)), d.getExpire(k)]));
    expect(dump(replay)).toEqual(dump(store));
    expect(log.find((e) => e[1] === 'DEL')).toEqual([0, 'DEL', 'b']);
    expect(log.filter((e) => e[1] === 'PEXPIREAT').map((e) => e[3])).toEqual([
      String(T0 + 100_000),
      String(T0 + 10),
    ]);
  });
});

describe('typed API on the engine clock', () => {
  // The rest of the typed key and server methods are in the typed-API suite (api/api-suite.ts).
  it('TTLs, expire times and TIME read the clock the store was given', async () => {
    const { store: r, advance } = setup();
    await r.set('a', '1');
    expect(await r.expire('a', 10)).toBe(1);
    expect(await r.ttl('a')).toBe(10);
    expect(await r.pttl('a')).toBe(10_000);
    expect(await r.expiretime('a')).toBe(1_700_000_010);
    expect(await r.time()).toEqual([1_700_000_000, 0]);
    advance(10_000);
    expect(await r.exists('a'), 'expired only once past its time').toBe(1);
    advance(1);
    expect(await r.exists('a')).toBe(0);
  });
});
