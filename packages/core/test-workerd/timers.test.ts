/**
 * Expiry and timeouts inside workerd, where no timer outlives a request: createStore() sets none,
 * lazy expiry keeps reads exact, and serverCron() from the request path reclaims the rest.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createStore } from '../src/index.js';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

afterEach(() => {
  vi.restoreAllMocks();
});

describe('timers under workerd', () => {
  it('runs in workerd', () => {
    expect((globalThis as { navigator?: { userAgent?: string } }).navigator?.userAgent).toBe('Cloudflare-Workers');
  });

  it('createStore() with default options sets no timer: not for expiry, blocked sessions or eviction', async () => {
    const setInterval = vi.spyOn(globalThis, 'setInterval');
    const setTimeout = vi.spyOn(globalThis, 'setTimeout');
    const redis = createStore();
    await redis.set('k', 'v', { px: 50 });
    const worker = redis.connect();
    const popped = worker.blpop('jobs', 0.05); // blocks with a 50 ms timeout
    await redis.call('CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lru');
    await redis.call('CONFIG', 'SET', 'maxmemory', '1');
    await redis.get('k');
    expect(setInterval).not.toHaveBeenCalled();
    expect(setTimeout).not.toHaveBeenCalled();
    vi.restoreAllMocks();
    await redis.call('CONFIG', 'SET', 'maxmemory', '0');
    await sleep(60);
    redis.serverCron(); // the blocked session's deadline has passed: it gets its timeout reply
    expect(await popped).toBeNull();
    await redis.close();
  });

  it('expires keys lazily with activeExpire false: a read after the TTL finds nothing', async () => {
    const redis = createStore({ activeExpire: false });
    await redis.set('session', 'x', { px: 20 });
    await redis.set('kept', 'y');
    expect(await redis.get('session')).toBe('x');
    await sleep(30);
    expect(await redis.dbsize()).toBe(2); // nothing reclaimed it: no timer ran
    expect(await redis.get('session')).toBeNull();
    expect(await redis.pttl('session')).toBe(-2);
    expect(await redis.dbsize()).toBe(1); // the read deleted it
    await redis.close();
  });

  it('serverCron() evicts expired keys nobody reads, at most 10 times a second by the engine clock', async () => {
    let now = Date.UTC(2026, 0, 1);
    const redis = createStore({ clock: () => now });
    // Few enough for one cycle whatever its 1 ms budget allows (it looks at the time every 80 keys).
    for (let i = 0; i < 40; i++) await redis.set(`tmp:${i}`, 'v', { px: 50 });
    await redis.set('kept', 'v');
    now += 100;
    expect(redis.serverCron()).toBe(true);
    expect(await redis.dbsize()).toBe(1);
    for (let i = 0; i < 10; i++) await redis.set(`tmp:${i}`, 'v', { px: 10 });
    now += 50;
    expect(redis.serverCron()).toBe(false); // 50 ms since it ran: not yet
    expect(await redis.dbsize()).toBe(11);
    now += 50;
    expect(redis.serverCron()).toBe(true);
    expect(await redis.dbsize()).toBe(1);
    expect(redis.serverCron()).toBe(false); // every request may call it: the clock says when it runs
    await redis.close();
  });

  it('serverCron() times out blocked sessions once their deadline has passed', async () => {
    let now = Date.UTC(2026, 0, 1);
    const redis = createStore({ clock: () => now });
    let reply: unknown = 'blocked';
    const popped = redis
      .connect()
      .blpop('jobs', 1)
      .then((r) => (reply = r));
    now += 999;
    expect(redis.serverCron()).toBe(true);
    await sleep(0);
    expect(reply).toBe('blocked');
    now += 101;
    expect(redis.serverCron()).toBe(true);
    await popped;
    expect(reply).toBeNull();
    await redis.close();
  });
});
