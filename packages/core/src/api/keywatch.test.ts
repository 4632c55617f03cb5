/**
 * Reactive keys in-process (keywatch.ts, api/keywatch.ts): watchKeys and keyChanges fire for every
 * change of matching keys from any session, without notify-keyspace-events and without publishing
 * anything to Redis-level subscribers; after the command, never inside it; stop at unsubscribe;
 * nothing left behind after 10,000 watch/unwatch cycles.
 */
import { describe, expect, it } from 'vitest';
import { createStore, MemoryPersistence, openStore, type KeyChange } from '../index.js';
import { T0 } from '../test-helpers.js';

const tick = () => new Promise<void>((r) => setTimeout(r, 0));

describe('watchKeys', () => {
  it('fires for every change of matching keys, from any session, with the event and db', async () => {
    const r = createStore();
    const got: KeyChange[] = [];
    const stop = r.watchKeys('cart:*', (c) => got.push(c));
    const other = r.connect();
    await other.hset('cart:1', { apple: 2 });
    await other.set('user:1', 'ada'); // not matching
    await other.hincrby('cart:1', 'apple', 1);
    await other.rename('cart:1', 'cart:2');
    await other.del('cart:2');
    await other.select(3);
    await other.sadd('cart:9', 'x');
    await tick();
    expect(got).toEqual([
      { key: 'cart:1', event: 'hset', db: 0 },
      { key: 'cart:1', event: 'hincrby', db: 0 },
      { key: 'cart:1', event: 'rename_from', db: 0 },
      { key: 'cart:2', event: 'rename_to', db: 0 },
      { key: 'cart:2', event: 'del', db: 0 },
      { key: 'cart:9', event: 'sadd', db: 3 },
    ]);
    stop();
  });

  it('filters by database, and takes Redis glob patterns and binary keys', async () => {
    const r = createStore();
    const got: string[] = [];
    r.watchKeys('k[ab]?', (c) => got.push(`${c.db}:${c.key}:${c.event}`), { db: 2 });
    const s = r.connect();
    await s.select(2);
    await s.set('kax', 1);
    await s.set('kcx', 1);
    await s.set('ka', 1);
    await r.set('kbx', 1); // db 0
    await s.set(new Uint8Array([0x6b, 0x62, 0xff]), 1); // kb\xff: not UTF-8
    await tick();
    expect(got).toEqual(['2:kax:set', '2:kb\uFFFD:set']);
  });

  it('needs no notify-keyspace-events and publishes nothing to Redis-level subscribers', async () => {
    const r = createStore();
    expect(r.engine.notifyKeyspaceEventsFlags).toBe(0);
    const messages: unknown[] = [];
    const sub = await r.psubscribe('__key*__:*', { onMessage: (m) => messages.push(m) });
    const got: KeyChange[] = [];
    r.watchKeys('*', (c) => got.push(c));
    await r.lpush('q', 'a');
    await tick();
    expect(got).toEqual([{ key: 'q', event: 'lpush', db: 0 }]);
    expect(messages).toEqual([]);
    await sub.unsubscribe();
  });

  it('delivers after the command, never inside it: a handler may run commands', async () => {
    const r = createStore();
    const seen: string[] = [];
    r.watchKeys('src', async (c) => {
      seen.push(c.event);
      await r.incr('copies');
    });
    r.execute('SET', 'src', 'v');
    expect(seen).toEqual([]); // not yet: the command has returned, delivery is a microtask away
    await tick();
    expect(seen).toEqual(['set']);
    expect(await r.get('copies')).toBe('1');
  });

  it('delivers a transaction’s changes together, after EXEC', async () => {
    const r = createStore();
    const batches: string[][] = [];
    let current: string[] | null = null;
    r.watchKeys('*', (c) => {
      if (current === null) {
        batches.push((current = []));
        queueMicrotask(() => (current = null));
      }
      current.push(`${c.event} ${c.key}`);
    });
    const s = r.connect();
    await s.call('MULTI');
    await s.call('INCR', 'a');
    await s.call('SET', 'b', 'x');
    await tick();
    expect(batches).toEqual([]); // queued, not run
    await s.call('EXEC');
    await tick();
    expect(batches).toEqual([['incrby a', 'set b']]);
  });

  it('reports expiry, and FLUSHDB / FLUSHALL / SWAPDB key by key', async () => {
    let now = T0;
    const r = createStore({ clock: () => now, activeExpire: false });
    await r.set('t', 1, { px: 100 });
    await r.set('k', 1);
    await r.call('SELECT', 1);
    await r.set('k1', 1);
    await r.call('SELECT', 0);
    const got: string[] = [];
    r.watchKeys('*', (c) => got.push(`${c.db}:${c.event}:${c.key}`));
    now += 200;
    expect(await r.get('t')).toBeNull(); // lazy expiry
    await r.swapdb(0, 1);
    await r.flushdb(); // db 0 now holds k1
    await r.set('z', 1);
    await r.flushall();
    await tick();
    expect(got).toEqual([
      '0:expired:t',
      '0:swapdb:k',
      '1:swapdb:k',
      '0:swapdb:k1',
      '1:swapdb:k1',
      '0:flushdb:k1',
      '0:set:z',
      '0:flushall:z',
      '1:flushall:k',
    ]);
  });

  it('stops at once: nothing more is delivered, not even changes already gathered', async () => {
    const r = createStore();
    const got: string[] = [];
    const stop = r.watchKeys('*', (c) => got.push(c.key));
    r.execute('SET', 'a', '1');
    stop();
    stop(); // twice is harmless
    r.execute('SET', 'b', '1');
    await tick();
    expect(got).toEqual([]);
    expect(r.engine.keyspaceObservers.size).toBe(0);
  });

  it('stops within a batch when the handler unsubscribes', async () => {
    const r = createStore();
    const got: string[] = [];
    const stop = r.watchKeys('*', (c) => {
      got.push(c.key);
      stop();
    });
    await r.mset({ a: 1, b: 2, c: 3 });
    await tick();
    expect(got).toEqual(['a']);
  });

  // bun test takes an uncaught error as the running test's failure: process listeners never see
  // it (oven-sh/bun#36445), so this cannot be observed there.
  it.skipIf('Bun' in globalThis)('keeps delivering when a handler throws (the error is reported as uncaught)', async () => {
    const r = createStore();
    const got: string[] = [];
    const errors: unknown[] = [];
    const onError = (e: unknown) => void (errors.includes(e) || errors.push(e));
    // Node reports it to process' uncaughtException; workerd, like browsers, as an 'error' event.
    const onErrorEvent = (ev: Event) => {
      ev.preventDefault();
      onError((ev as Event & { error?: unknown }).error);
    };
    const events = globalThis as Partial<EventTarget>;
    process.on('uncaughtException', onError);
    events.addEventListener?.('error', onErrorEvent);
    try {
      r.watchKeys('*', (c) => {
        got.push(c.key);
        if (c.key === 'a') throw new Error('handler bug');
      });
      await r.mset({ a: 1, b: 2 });
      await tick();
      await tick();
    } finally {
      process.off('uncaughtException', onError);
      events.removeEventListener?.('error', onErrorEvent);
    }
    expect(got).toEqual(['a', 'b']);
    expect(errors).toEqual([new Error('handler bug')]);
  });

  it('leaves nothing behind after 10,000 watch/unwatch cycles', async () => {
    const r = createStore();
    const s = r.connect();
    let calls = 0;
    for (let i = 0; i < 10_000; i++) {
      const stop = r.watchKeys(`k${i % 7}`, () => calls++);
      const it = r.keyChanges('*');
      if (i % 1000 === 0) await s.set(`k${i % 7}`, i);
      stop();
      await it.return();
    }
    expect(calls).toBe(10); // the watcher of the moment saw each of the 10 SETs
    expect(r.engine.keyspaceObservers.size).toBe(0);
    await s.set('k0', 'after');
    await tick();
    expect(calls).toBe(10);
  });

  it('observes nothing while the store loads what its persistence holds', async () => {
    const p = new MemoryPersistence();
    const first = await openStore({ persistence: p, activeExpire: false });
    await first.set('a', 1);
    await first.incr('a');
    await first.close();
    const store = createStore({ persistence: p, activeExpire: false }); // loads in the background
    const got: string[] = [];
    store.watchKeys('*', (c) => got.push(c.event)); // before it has loaded
    await store.ready;
    await tick();
    expect(got).toEqual([]);
    await store.incr('a');
    await tick();
    expect(got).toEqual(['incrby']);
    await store.close();
  });
});

describe('keyChanges', () => {
  it('iterates changes with for await, and stops when the loop ends', async () => {
    const r = createStore();
    const s = r.connect();
    const seen: KeyChange[] = [];
    const done = (async () => {
      for await (const change of r.keyChanges('board')) {
        seen.push(change);
        if (seen.length === 2) break;
      }
    })();
    await s.zadd('board', { score: 1, member: 'a' });
    await s.set('other', 1);
    await s.zincrby('board', 2, 'a');
    await done;
    expect(seen).toEqual([
      { key: 'board', event: 'zadd', db: 0 },
      { key: 'board', event: 'zincr', db: 0 },
    ]);
    expect(r.engine.keyspaceObservers.size).toBe(0);
  });

  it('queues changes until read, and ends with an error past maxQueue', async () => {
    const r = createStore();
    const it = r.keyChanges('n', { maxQueue: 3 });
    for (let i = 0; i < 5; i++) await r.incr('n');
    await tick();
    expect(r.engine.keyspaceObservers.size).toBe(0); // stopped at the fourth
    const events: string[] = [];
    await expect(
      (async () => {
        for await (const c of it) events.push(c.event);
      })(),
    ).rejects.toThrow('Lodis: keyChanges fell 3 changes behind and was stopped');
    expect(events).toEqual(['incrby', 'incrby', 'incrby']);
  });
});
