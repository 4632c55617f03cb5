import { describe, expect, it } from 'vitest';
import { errorText, setupStore, T0 } from './test-helpers.js';

const setup = () => setupStore((event, key, dbid) => (event === 'set' ? undefined : `${dbid}:${event}:${key}`));

describe('EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT', () => {
  it('set TTLs and log them as absolute PEXPIREAT', () => {
    const { run, log, events } = setup();
    run('SET', 'k', 'v');
    expect(run('EXPIRE', 'k', 10)).toBe(1);
    expect(run('PTTL', 'k')).toBe(10_000);
    expect(run('PEXPIRE', 'k', 1500)).toBe(1);
    expect(run('TTL', 'k')).toBe(2); // (1500 + 500) / 1000
    expect(run('EXPIREAT', 'k', 1_800_000_000)).toBe(1);
    expect(run('EXPIRETIME', 'k')).toBe(1_800_000_000);
    expect(run('PEXPIREAT', 'k', 1_800_000_000_123)).toBe(1);
    expect(run('PEXPIRETIME', 'k')).toBe(1_800_000_000_123);
    expect(run('EXPIRETIME', 'k')).toBe(1_800_000_000); // rounded to the nearest second
    expect(run('EXPIRE', 'nope', 10)).toBe(0);
    expect(log.slice(1)).toEqual([
      [0, 'PEXPIREAT', 'k', String(T0 + 10_000)],
      [0, 'PEXPIREAT', 'k', String(T0 + 1500)],
      [0, 'PEXPIREAT', 'k', '1800000000000'],
      [0, 'PEXPIREAT', 'k', '1800000000123'],
    ]);
    expect(events).toEqual(['0:expire:k', '0:expire:k', '0:expire:k', '0:expire:k']);
  });

  it('delete the key when the time is not in the future, logged as DEL', () => {
    const { run, log, events } = setup();
    run('SET', 'a', '1');
    run('SET', 'b', '1');
    run('SET', 'c', '1');
    expect(run('EXPIRE', 'a', 0)).toBe(1);
    expect(run('PEXPIREAT', 'b', T0)).toBe(1); // when <= now
    expect(run('EXPIRE', 'c', -100, 'LT')).toBe(1);
    expect(run('DBSIZE')).toBe(0);
    expect(log.slice(3)).toEqual([
      [0, 'DEL', 'a'],
      [0, 'DEL', 'b'],
      [0, 'DEL', 'c'],
    ]);
    expect(events).toEqual(['0:del:a', '0:del:b', '0:del:c']);
  });

  it('apply NX, XX, GT and LT as Redis does', () => {
    const { run } = setup();
    run('SET', 'k', 'v');
    expect(run('EXPIRE', 'k', 100, 'XX')).toBe(0); // no TTL yet
    expect(run('EXPIRE', 'k', 100, 'GT')).toBe(0); // no TTL is an infinite one
    expect(run('EXPIRE', 'k', 100, 'NX')).toBe(1);
    expect(run('EXPIRE', 'k', 200, 'NX')).toBe(0);
    expect(run('EXPIRE', 'k', 50, 'gt')).toBe(0);
    expect(run('EXPIRE', 'k', 100, 'GT')).toBe(0); // equal is not greater
    expect(run('EXPIRE', 'k', 150, 'XX', 'GT')).toBe(1);
    expect(run('EXPIRE', 'k', 150, 'LT')).toBe(0);
    expect(run('EXPIRE', 'k', 120, 'lt', 'xx')).toBe(1);
    expect(run('TTL', 'k')).toBe(120);
    run('PERSIST', 'k');
    expect(run('EXPIRE', 'k', 30, 'LT')).toBe(1); // anything is less than infinite
  });

  it('reply with Redis errors, options checked before the number', () => {
    const { run } = setup();
    run('SET', 'k', 'v');
    expect(errorText(run('EXPIRE', 'k', 'x', 'NX', 'XX'))).toBe(
      'ERR NX and XX, GT or LT options at the same time are not compatible',
    );
    expect(errorText(run('EXPIRE', 'k', 1, 'NX', 'GT'))).toBe(
      'ERR NX and XX, GT or LT options at the same time are not compatible',
    );
    expect(errorText(run('PEXPIRE', 'k', 1, 'GT', 'LT'))).toBe('ERR GT and LT options at the same time are not compatible');
    expect(errorText(run('EXPIRE', 'k', 'x', 'FOO'))).toBe('ERR Unsupported option FOO');
    expect(errorText(run('EXPIRE', 'k', '1.5'))).toBe('ERR value is not an integer or out of range');
    expect(errorText(run('EXPIRE', 'k', '9223372036854776'))).toBe("ERR invalid expire time in 'expire' command");
    expect(errorText(run('EXPIRE', 'k', '-9223372036854776'))).toBe("ERR invalid expire time in 'expire' command");
    expect(errorText(run('EXPIREAT', 'k', '9223372036854776'))).toBe("ERR invalid expire time in 'expireat' command");
    expect(errorText(run('PEXPIRE', 'k', '9223372036854775807'))).toBe("ERR invalid expire time in 'pexpire' command");
    expect(errorText(run('EXPIRE', 'k', '9223372036854775'))).toBe("ERR invalid expire time in 'expire' command"); // + now
    expect(run('EXPIREAT', 'k', '9223372036854775')).toBe(1); // exactly representable, no overflow
  });

  it('keep int64 expire times exact', () => {
    const { run } = setup();
    run('SET', 'k', 'v');
    expect(run('EXPIREAT', 'k', '9223372036854775')).toBe(1);
    expect(run('PEXPIRETIME', 'k')).toBe(9223372036854775000n);
    expect(run('EXPIRETIME', 'k')).toBe(9223372036854775n);
    expect(run('PEXPIREAT', 'k', '9223372036854775807')).toBe(1);
    expect(run('PEXPIRETIME', 'k')).toBe(9223372036854775807n);
    expect(run('EXPIRETIME', 'k')).toBe(9223372036854776n); // rounded up past LLONG_MAX, as Redis
    expect(run('PTTL', 'k')).toBe(9223372036854775807n - BigInt(T0));
    expect(run('PEXPIRE', 'k', '9007199254740993', 'GT')).toBe(0);
    expect(run('PEXPIRE', 'k', '9007199254740993', 'LT')).toBe(1);
    expect(run('PEXPIRETIME', 'k')).toBe(9007199254740993n + BigInt(T0));
  });
});

describe('TTL, PTTL, EXPIRETIME, PEXPIRETIME, PERSIST, TOUCH', () => {
  it('report -2, -1 and rounded TTLs', () => {
    const { run, advance } = setup();
    expect(run('TTL', 'nope')).toBe(-2);
    expect(run('PEXPIRETIME', 'nope')).toBe(-2);
    run('SET', 'k', 'v');
    expect(run('TTL', 'k')).toBe(-1);
    expect(run('EXPIRETIME', 'k')).toBe(-1);
    run('PEXPIRE', 'k', 2499);
    expect(run('TTL', 'k')).toBe(2);
    advance(1000);
    expect(run('PTTL', 'k')).toBe(1499);
    expect(run('TTL', 'k')).toBe(1); // (1499 + 500) / 1000
    advance(1499);
    expect(run('PTTL', 'k')).toBe(0); // still there at exactly its time
    advance(1);
    expect(run('PTTL', 'k')).toBe(-2);
  });

  it('PERSIST removes a TTL once', () => {
    const { run, log, events } = setup();
    run('SET', 'k', 'v');
    expect(run('PERSIST', 'k')).toBe(0);
    run('EXPIRE', 'k', 10);
    expect(run('PERSIST', 'k')).toBe(1);
    expect(run('PERSIST', 'k')).toBe(0);
    expect(run('PERSIST', 'nope')).toBe(0);
    expect(run('TTL', 'k')).toBe(-1);
    expect(log.filter((e) => e[1] === 'PERSIST')).toEqual([[0, 'PERSIST', 'k']]);
    expect(events).toEqual(['0:expire:k', '0:persist:k']);
  });

  it('TOUCH counts the keys that exist', () => {
    const { run } = setup();
    run('SET', 'a', '1');
    expect(run('TOUCH', 'a', 'a', 'b')).toBe(2);
  });
});

describe('lazy expiry', () => {
  it('never returns an expired key, and logs the deletion once', () => {
    const { run, advance, log, events } = setup();
    run('SET', 'k', 'v');
    run('PEXPIRE', 'k', 100);
    advance(100);
    expect(run('GET', 'k')).toBe('v');
    advance(1);
    expect(run('GET', 'k')).toBe(null);
    expect(run('EXISTS', 'k')).toBe(0);
    expect(run('DEL', 'k')).toBe(0);
    expect(log.filter((e) => e[1] === 'DEL')).toEqual([[0, 'DEL', 'k']]);
    expect(events).toEqual(['0:expire:k', '0:expired:k']);
  });

  it('a DEL of an expired key logs only the expiry', () => {
    const { run, advance, log } = setup();
    run('SELECT', 7);
    run('SET', 'k', 'v');
    run('PEXPIRE', 'k', 1);
    advance(2);
    expect(run('DEL', 'k')).toBe(0);
    expect(log.slice(2)).toEqual([[7, 'DEL', 'k']]);
  });
});

describe('activeExpireCycle', () => {
  it('reclaims expired keys nobody reads, with an injected clock', () => {
    const { store, advance, log, events } = setup();
    const db = store.engine.dbs[0]!;
    for (let i = 0; i < 1000; i++) {
      store.execute('SET', `k${i}`, i);
      store.execute('PEXPIRE', `k${i}`, i % 2 === 0 ? 1000 : 100_000);
    }
    for (let i = 0; i < 1000; i++) store.execute('SET', `persistent${i}`, i);
    log.length = 0;
    events.length = 0;
    store.activeExpireCycle();
    expect(db.size).toBe(2000); // nothing expired yet
    advance(1001);
    for (let n = 0; n < 100 && db.expires.size > 500; n++) store.activeExpireCycle();
    expect(db.size).toBe(1500);
    expect(db.expires.size).toBe(500);
    expect(log.length).toBe(500);
    expect(log.every(([dbid, cmd, key]) => dbid === 0 && cmd === 'DEL' && Number(String(key).slice(1)) % 2 === 0)).toBe(true);
    expect(events.length).toBe(500);
    expect(events.every((e) => e.includes(':expired:'))).toBe(true);
    expect(store.engine.stat.expiredKeys).toBe(500);
  });

  it('stops sampling a db when few keys are expired', () => {
    const { store, advance } = setup();
    const db = store.engine.dbs[0]!;
    for (let i = 0; i < 10_000; i++) {
      store.execute('SET', `k${i}`, i);
      store.execute('PEXPIRE', `k${i}`, i < 10 ? 10 : 1_000_000);
    }
    advance(20);
    store.activeExpireCycle();
    // At most 10 of 10,000 are expired: one sample of 20 shows < 10% and the cycle moves on.
    expect(db.expires.size).toBeGreaterThan(10_000 - 10 - 1);
    // The persistent cursor keeps walking: enough cycles reach every key.
    for (let n = 0; n < 600; n++) store.activeExpireCycle();
    expect(db.expires.size).toBe(10_000 - 10);
  });

  it('walks every database and survives SWAPDB and FLUSHALL between cycles', () => {
    const { store, advance } = setup();
    for (let d = 0; d < 16; d++) {
      store.execute('SELECT', d);
      for (let i = 0; i < 50; i++) {
        store.execute('SET', `k${i}`, i);
        store.execute('PEXPIRE', `k${i}`, 10);
      }
    }
    advance(20);
    store.activeExpireCycle();
    store.execute('SWAPDB', 0, 1);
    for (let n = 0; n < 20; n++) store.activeExpireCycle();
    expect(store.engine.dbs.every((d) => d.size === 0)).toBe(true);
    store.execute('SET', 'x', 1);
    store.execute('PEXPIRE', 'x', 10);
    store.execute('FLUSHALL');
    store.activeExpireCycle();
    expect(store.engine.dbs.every((d) => d.size === 0)).toBe(true);
  });
});
