import { describe, expect, it } from 'vitest';
import { clientOf } from '../../../conformance/fuzz/lodis-probe.js';
import { createStore, decodeReply, ReplyError } from './index.js';
import { fakeTime } from './test-helpers.js';

function setup() {
  const t = fakeTime();
  const store = createStore({ clock: t.clock, timers: t.timers, activeExpire: false });
  const run = (s: { execute: (...a: string[]) => unknown }, ...argv: string[]): unknown => {
    const r = s.execute(...argv);
    return r instanceof ReplyError ? r : decodeReply(r as never);
  };
  return { t, store, run };
}

/** CLIENT LIST lines as objects. */
function parseList(text: string): Record<string, string>[] {
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => Object.fromEntries(line.split(' ').map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)])));
}

describe('CLIENT', () => {
  it('lists every session with its name, db, flags, age, idle time and last command', () => {
    const { t, store, run } = setup();
    const other = store.connect();
    run(other, 'CLIENT', 'SETNAME', 'worker');
    run(other, 'SELECT', '2');
    run(other, 'SUBSCRIBE', 'a', 'b');
    // A session's last interaction is the engine's next clock reading (the active expire cycle's, 10 times a second).
    store.activeExpireCycle();
    t.advance(5000);
    run(store, 'PING');
    const [me, them] = parseList(run(store, 'CLIENT', 'LIST') as string);
    expect(me).toMatchObject({ id: '1', addr: 'lodis:1', fd: '-1', name: '', age: '5', idle: '0', flags: 'N', db: '0', cmd: 'client|list' });
    expect(them).toMatchObject({ id: '2', name: 'worker', age: '5', idle: '5', flags: 'P', db: '2', sub: '2', cmd: 'subscribe', resp: '2' });
    expect(parseList(run(store, 'CLIENT', 'LIST', 'TYPE', 'pubsub') as string).map((c) => c.name)).toEqual(['worker']);
    expect(parseList(run(store, 'CLIENT', 'LIST', 'ID', '2', '99', '1') as string).map((c) => c.id)).toEqual(['2', '1']);
    expect(run(store, 'CLIENT', 'ID')).toBe(1);
    expect(run(other, 'CLIENT', 'GETNAME')).toBeInstanceOf(ReplyError); // subscribed (RESP2)
  });

  it('shows MULTI, blocked, dirty-CAS and no-evict sessions in their flags', () => {
    const { store, run } = setup();
    const a = store.connect();
    run(a, 'MULTI');
    run(a, 'SET', 'k', 'v');
    expect(parseList(run(store, 'CLIENT', 'LIST', 'ID', '2') as string)[0]).toMatchObject({ flags: 'x', multi: '1', 'multi-mem': '5' });
    run(a, 'DISCARD');
    run(a, 'WATCH', 'k');
    run(store, 'SET', 'k', 'x');
    run(a, 'CLIENT', 'NO-EVICT', 'on');
    expect(parseList(run(store, 'CLIENT', 'LIST', 'ID', '2') as string)[0]).toMatchObject({ flags: 'de' });
    run(a, 'UNWATCH');
    run(a, 'CLIENT', 'NO-EVICT', 'off');
    void a.call('BLPOP', 'q', 0);
    expect(parseList(run(store, 'CLIENT', 'LIST', 'ID', '2') as string)[0]).toMatchObject({ flags: 'b', cmd: 'blpop' });
  });

  it('KILL closes another session as a dropped connection and tells its front', async () => {
    const { store, run } = setup();
    const victim = store.connect();
    let closed = 0;
    clientOf(victim).onClose = () => closed++;
    const pop = victim.call('BLPOP', 'q', 0);
    expect(run(store, 'CLIENT', 'KILL', 'ID', String(clientOf(victim).id))).toBe(1);
    expect(closed).toBe(1);
    await expect(pop).rejects.toThrow('ERR Connection is closed');
    await expect(victim.call('PING')).rejects.toThrow('ERR Connection is closed');
    expect(store.engine.clients.size).toBe(1);
    expect(store.engine.blocking.count).toBe(0);
    expect(run(store, 'CLIENT', 'KILL', 'ID', '2')).toBe(0);
  });

  it('KILL skips the caller unless told, and the old form kills it after its reply', async () => {
    const { store, run } = setup();
    const a = store.connect();
    const b = store.connect();
    expect(run(a, 'CLIENT', 'KILL', 'TYPE', 'normal')).toBe(2); // the store's own session and b
    expect(store.engine.clients.size).toBe(1);
    await expect(b.call('PING')).rejects.toThrow('ERR Connection is closed');
    expect(run(a, 'PING')).toBe('PONG');
    expect((run(a, 'CLIENT', 'KILL', 'lodis:3') as ReplyError).message).toBe('ERR No such client');
    expect(run(a, 'CLIENT', 'KILL', 'lodis:2')).toBe('OK');
    await expect(a.call('PING')).rejects.toThrow('ERR Connection is closed');
    expect(store.engine.clients.size).toBe(0);
  });

  it('UNBLOCK releases a blocked session with its timeout reply or the UNBLOCKED error', async () => {
    const { store, run } = setup();
    const a = store.connect();
    const b = store.connect();
    const popA = a.call('BLPOP', 'q', 0);
    const popB = b.call('BRPOPLPUSH', 'q', 'd', 0);
    expect(run(store, 'CLIENT', 'UNBLOCK', '2')).toBe(1);
    expect(run(store, 'CLIENT', 'UNBLOCK', '3', 'ERROR')).toBe(1);
    expect(run(store, 'CLIENT', 'UNBLOCK', '3')).toBe(0);
    expect(await popA).toBeNull();
    await expect(popB).rejects.toThrow('UNBLOCKED client unblocked via CLIENT UNBLOCK');
    const info = run(store, 'INFO', 'errorstats', 'commandstats') as string;
    expect(info).toContain('errorstat_UNBLOCKED:count=1\r\n');
    // As updateStatsOnUnblock: the released command counts as failed, TIMEOUT or ERROR.
    expect(info).toContain('cmdstat_blpop:calls=1,usec=0,usec_per_call=0.00,rejected_calls=0,failed_calls=1\r\n');
    expect(info).toContain('cmdstat_brpoplpush:calls=1,usec=0,usec_per_call=0.00,rejected_calls=0,failed_calls=1\r\n');
  });

  it('counts a blocked command once, when it is sent, however often it is retried', async () => {
    const { store, run } = setup();
    const a = store.connect();
    const pop = a.call('BLPOP', 'q', 'q2', 0);
    run(store, 'SET', 'x', '1');
    run(store, 'RPUSH', 'q', 'v');
    expect(await pop).toEqual(['q', 'v']);
    const info = run(store, 'INFO', 'commandstats', 'stats') as string;
    expect(info).toContain('cmdstat_blpop:calls=1,');
    expect(info).toContain('total_commands_processed:3\r\n'); // SET, RPUSH, BLPOP
  });

  it('refuses TRACKING ON with a clear error, answers the rest as a connection that does not track', () => {
    const { store, run } = setup();
    expect((run(store, 'CLIENT', 'TRACKING', 'on') as ReplyError).message).toMatch(/^ERR Lodis does not support client-side caching/);
    expect(run(store, 'CLIENT', 'TRACKING', 'off')).toBe('OK');
    expect(run(store, 'CLIENT', 'GETREDIR')).toBe(-1);
    expect(run(store, 'CLIENT', 'TRACKINGINFO')).toEqual(['flags', ['off'], 'redirect', -1, 'prefixes', []]);
    expect(run(store, 'CLIENT', 'PAUSE', '100', 'WRITE')).toBe('OK');
    expect(run(store, 'CLIENT', 'UNPAUSE')).toBe('OK');
  });
});
