import { describe, expect, it } from 'vitest';
import { clientOf } from '../../../conformance/fuzz/lodis-probe.js';
import { configSetInternal, createStore, decodeReply, ReplyError } from './index.js';
import { fakeTime } from './test-helpers.js';

function setup() {
  const t = fakeTime();
  const store = createStore({ clock: t.clock, timers: t.timers, activeExpire: false });
  configSetInternal(store.engine, { 'enable-debug-command': 'yes' });
  const run = (s: { execute: (...a: string[]) => unknown }, ...argv: string[]): unknown => {
    const r = s.execute(...argv);
    return r instanceof ReplyError ? r : decodeReply(r as never);
  };
  return { t, store, run };
}

/** DEBUG OBJECT's `name:value` fields. */
function fields(line: string): Record<string, string> {
  return Object.fromEntries(line.split(' ').filter((w) => w.includes(':')).map((w) => [w.slice(0, w.indexOf(':')), w.slice(w.indexOf(':') + 1)]));
}

describe('DEBUG OBJECT', () => {
  it("prints Redis' line: encoding, refcount, serialized length, LRU", () => {
    const { t, store, run } = setup();
    run(store, 'SET', 'n', '12');
    run(store, 'SET', 's', 'hello');
    t.advance(3000);
    const n = fields(run(store, 'DEBUG', 'OBJECT', 'n') as string);
    expect(n).toMatchObject({ refcount: '2147483647', encoding: 'int', serializedlength: '2', lru_seconds_idle: '3' });
    expect(n.at).toMatch(/^0x[0-9a-f]+$/);
    expect(fields(run(store, 'DEBUG', 'OBJECT', 's') as string)).toMatchObject({ refcount: '1', encoding: 'embstr', serializedlength: '6' });
    expect(run(store, 'DEBUG', 'OBJECT', 'nope')).toEqual(new ReplyError('ERR no such key'));
  });

  it('the value keeps its token while modified in place (INCR)', () => {
    const { store, run } = setup();
    run(store, 'SET', 'foo', '20000');
    run(store, 'INCR', 'foo');
    const before = (run(store, 'DEBUG', 'OBJECT', 'foo') as string).split(' ')[1];
    run(store, 'INCR', 'foo');
    expect((run(store, 'DEBUG', 'OBJECT', 'foo') as string).split(' ')[1]).toBe(before);
  });

  it('a list reports its quicklist nodes', () => {
    const { store, run } = setup();
    for (let i = 0; i < 300; i++) run(store, 'RPUSH', 'l', `e${i}`);
    const l = fields(run(store, 'DEBUG', 'OBJECT', 'l') as string);
    expect(l.encoding).toBe('quicklist');
    expect(Number(l.ql_nodes)).toBeGreaterThan(1);
    expect(Number(l.ql_avg_node) * Number(l.ql_nodes)).toBeCloseTo(300, 0);
    expect(l).toMatchObject({ ql_listpack_max: '-2', ql_compressed: '0' });
  });
});

describe('DEBUG SLEEP', () => {
  it('holds the session that sent it (on the engine clock); others run meanwhile', async () => {
    const { t, store, run } = setup();
    const s = store.connect();
    let done = false;
    const slept = s.call('DEBUG', 'SLEEP', '0.5').then((r) => (done = true) && r);
    const after = s.call('PING');
    expect(run(store, 'PING')).toBe('PONG');
    t.advance(499);
    await Promise.resolve();
    expect(done).toBe(false);
    t.advance(1);
    expect(await slept).toBe('OK');
    expect(await after).toBe('PONG');
  });
});

describe('DEBUG SET-ACTIVE-EXPIRE', () => {
  it('0 stops the active expire cycle; lazy expiry still works; 1 restarts it', () => {
    const { t, store, run } = setup();
    run(store, 'SET', 'a', 'v', 'PX', '10');
    run(store, 'SET', 'b', 'v', 'PX', '10');
    run(store, 'DEBUG', 'SET-ACTIVE-EXPIRE', '0');
    t.advance(100);
    store.activeExpireCycle();
    expect(run(store, 'DBSIZE')).toBe(2);
    expect(run(store, 'GET', 'a')).toBe(null);
    expect(run(store, 'DBSIZE')).toBe(1);
    run(store, 'DEBUG', 'SET-ACTIVE-EXPIRE', '1');
    store.activeExpireCycle();
    expect(run(store, 'DBSIZE')).toBe(0);
  });
});

describe('DEBUG RELOAD', () => {
  it('keeps every type, TTLs and encodings, and the digest', () => {
    const { store, run } = setup();
    run(store, 'SET', 'i', '42');
    run(store, 'SET', 'b', new TextDecoder('latin1').decode(new Uint8Array([0xff])));
    run(store, 'HSET', 'h', 'f', 'v');
    run(store, 'SADD', 's', '1', '2');
    run(store, 'ZADD', 'z', '1.5', 'm');
    run(store, 'RPUSH', 'l', 'a', 'b');
    run(store, 'XADD', 'x', '1-1', 'f', 'v');
    run(store, 'XGROUP', 'CREATE', 'x', 'g', '0');
    const encodings = ['i', 'h', 's', 'z', 'l'].map((k) => run(store, 'OBJECT', 'ENCODING', k));
    run(store, 'SELECT', '2');
    run(store, 'SET', 'other', 'db', 'EX', '100');
    const digest = run(store, 'DEBUG', 'DIGEST');
    expect(run(store, 'DEBUG', 'RELOAD')).toBe('OK');
    expect(run(store, 'DEBUG', 'DIGEST')).toBe(digest);
    expect(run(store, 'TTL', 'other')).toBe(100);
    run(store, 'SELECT', '0');
    expect(['i', 'h', 's', 'z', 'l'].map((k) => run(store, 'OBJECT', 'ENCODING', k))).toEqual(encodings);
    expect(run(store, 'XINFO', 'GROUPS', 'x')).toHaveLength(1);
  });

  it('a WATCHed key counts as touched (the dataset was emptied and loaded)', () => {
    const { store, run } = setup();
    run(store, 'SET', 'k', 'v');
    const s = store.connect();
    run(s, 'WATCH', 'k');
    run(store, 'DEBUG', 'RELOAD');
    run(s, 'MULTI');
    run(s, 'GET', 'k');
    expect(run(s, 'EXEC')).toBe(null);
    expect(clientOf(s).dirtyCas).toBe(false);
  });
});
