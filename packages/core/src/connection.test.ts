import { describe, expect, it } from 'vitest';
import { clientOf } from '../../../conformance/fuzz/lodis-probe.js';
import { configSetInternal, createStore, decodeReply, MapReply, ReplyError } from './index.js';
import { isLocalClient } from './acl.js';
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

describe('HELLO', () => {
  it('switches to RESP3 and replies a map (a flat array in RESP2)', () => {
    const { store } = setup();
    const r = store.execute('HELLO', '3');
    expect(r).toBeInstanceOf(MapReply);
    expect((r as MapReply).flat).toEqual(['server', 'redis', 'version', '7.0.15', 'proto', 3, 'id', 1, 'mode', 'standalone', 'role', 'master', 'modules', []]);
    expect(clientOf(store).resp).toBe(3);
    expect(store.execute('HELLO')).toBeInstanceOf(MapReply);
    expect(clientOf(store).resp).toBe(3); // no version: unchanged
    store.execute('HELLO', '2');
    expect(clientOf(store).resp).toBe(2);
  });

  it('version and INFO agree', () => {
    const { store, run } = setup();
    const hello = run(store, 'HELLO') as string[];
    expect(run(store, 'INFO', 'server')).toContain(`redis_version:${hello[3]}\r\n`);
  });
});

describe('AUTH and requirepass', () => {
  it('an in-process store has no password: every session is logged in', async () => {
    const store = createStore({ activeExpire: false });
    expect(clientOf(store).authenticated).toBe(true);
    await expect(store.call('AUTH', 'x')).rejects.toThrow('ERR AUTH <password> called without any password configured');
    expect(await store.call('AUTH', 'default', 'anything')).toBe('OK');
    expect(await store.call('SET', 'k', 'v')).toBe('OK');
  });

  it('a password set at start (a front configuring its engine) refuses sessions until AUTH', () => {
    const { store, run } = setup();
    configSetInternal(store.engine, { requirepass: 'pw' });
    const s = store.connect();
    expect(clientOf(s).authenticated).toBe(false);
    expect(run(s, 'GET', 'k')).toEqual(new ReplyError('NOAUTH Authentication required.'));
    // Unknown commands and arity are checked first, as in Redis.
    expect((run(s, 'NOSUCH') as ReplyError).message).toMatch(/^ERR unknown command/);
    expect((run(s, 'GET') as ReplyError).message).toMatch(/^ERR wrong number/);
    expect((run(s, 'AUTH', 'nope') as ReplyError).message).toBe('WRONGPASS invalid username-password pair or user is disabled.');
    expect(run(s, 'AUTH', 'pw')).toBe('OK');
    expect(run(s, 'GET', 'k')).toBe(null);
    // RESET logs out again.
    expect(run(s, 'RESET')).toBe('RESET');
    expect(run(s, 'PING')).toEqual(new ReplyError('NOAUTH Authentication required.'));
    expect((run(s, 'HELLO', '3', 'AUTH', 'default', 'pw', 'SETNAME', 'me') as unknown[])[5]).toBe(3);
    expect(run(s, 'CLIENT', 'GETNAME')).toBe('me');
    // The root session was created before the password: it stays logged in.
    expect(run(store, 'PING')).toBe('PONG');
    // Clearing the password lets everyone in.
    expect(run(store, 'CONFIG', 'SET', 'requirepass', '')).toBe('OK');
    expect(run(store.connect(), 'PING')).toBe('PONG');
  });
});

describe('QUIT and RESET', () => {
  it('QUIT flags the session for its front; an in-process session ends at once', () => {
    const { store, run } = setup();
    const s = store.connect();
    run(s, 'SUBSCRIBE', 'ch');
    const c = clientOf(s);
    expect(run(s, 'QUIT')).toBe('OK');
    expect(c.closeAfterReply).toBe(true);
    expect(c.closed).toBe(true);
    expect(run(store, 'PUBSUB', 'NUMSUB', 'ch')).toEqual(['ch', 0]);
    expect((run(s, 'PING') as ReplyError).message).toBe('ERR Connection is closed');
  });

  it('RESET unsubscribes without replies, in RESP2 and RESP3', () => {
    const { store, run } = setup();
    const s = store.connect();
    const pushes: unknown[] = [];
    s.onPushReply((m) => pushes.push(m));
    run(s, 'HELLO', '3');
    run(s, 'SUBSCRIBE', 'a', 'b');
    pushes.length = 0;
    expect(run(s, 'RESET')).toBe('RESET');
    expect(pushes).toEqual([]);
    expect(clientOf(s).resp).toBe(2);
    expect(clientOf(s).subscriptionCount).toBe(0);
  });
});

describe('WAIT', () => {
  it('blocks until its timeout and replies 0 (no replica ever acknowledges)', async () => {
    const { t, store, run } = setup();
    const s = store.connect();
    const reply = s.call('WAIT', '1', '100');
    expect(run(store, 'INFO', 'clients')).toContain('blocked_clients:1');
    t.advance(100);
    expect(await reply).toBe(0);
    expect(run(store, 'WAIT', '0', '0')).toBe(0);
  });

  it('WAIT n 0 waits forever, until CLIENT UNBLOCK', async () => {
    const { store, run } = setup();
    const s = store.connect();
    const reply = s.call('WAIT', '2', '0');
    expect(run(store, 'CLIENT', 'UNBLOCK', String(clientOf(s).id))).toBe(1);
    expect(await reply).toBe(0);
  });
});

describe('enable-debug-command', () => {
  it('no (the default) refuses DEBUG; yes and local allow it here', () => {
    const { store, run } = setup();
    expect((run(store, 'DEBUG', 'LOG', 'x') as ReplyError).message).toMatch(/^ERR DEBUG command not allowed/);
    configSetInternal(store.engine, { 'enable-debug-command': 'local' });
    expect(run(store, 'DEBUG', 'LOG', 'x')).toBe('OK');
    configSetInternal(store.engine, { 'enable-debug-command': 'yes' });
    expect(run(store, 'DEBUG', 'LOG', 'x')).toBe('OK');
  });

  it('local: a session connected from elsewhere is refused', () => {
    const { store, run } = setup();
    configSetInternal(store.engine, { 'enable-debug-command': 'local' });
    const s = store.connect();
    const c = clientOf(s);
    const addrs = [['127.0.0.1:5000', true], ['[::1]:5000', true], ['[::ffff:127.0.0.1]:5000', true], ['127.0.0.2:5000', false], ['10.0.0.2:5000', false]] as const;
    for (const [addr, local] of addrs) {
      c.addr = addr;
      expect(isLocalClient(c)).toBe(local);
      const r = run(s, 'DEBUG', 'LOG', 'x');
      expect(r instanceof ReplyError).toBe(!local);
    }
  });

  it('enable-protected-configs local: CONFIG SET of a protected setting from elsewhere is refused', () => {
    const { store, run } = setup();
    configSetInternal(store.engine, { 'enable-protected-configs': 'local' });
    expect(run(store, 'CONFIG', 'SET', 'dir', '/tmp')).toBe('OK');
    const s = store.connect();
    clientOf(s).addr = '10.0.0.2:5000';
    expect((run(s, 'CONFIG', 'SET', 'dir', '/var') as ReplyError).message).toBe(
      "ERR CONFIG SET failed (possibly related to argument 'dir') - can't set protected config",
    );
  });
});
