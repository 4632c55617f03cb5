import { describe, expect, it } from 'vitest';
import { createStore, RedisCommands, type CommandArg, type Decoded, type Transport } from '../index.js';
import { fakeTime, T0 } from '../test-helpers.js';

/** A store on a clock the test moves (delivery and idle times exact). */
function timedStore() {
  const time = fakeTime();
  const store = createStore({ clock: time.clock, timers: time.timers, activeExpire: false });
  return { store, time };
}

/** A transport that records the argv and answers `reply`: what the typed methods send. */
function recorder(reply: Decoded = 'OK') {
  const sent: CommandArg[][] = [];
  // Only `send` is used by the typed methods.
  const transport = {
    send: (argv: CommandArg[]) => (sent.push(argv), Promise.resolve(reply)),
  } as Transport;
  return { api: new RedisCommands(transport), sent };
}

describe('typed API: streams', () => {
  // The typed stream methods as every front has them are in the typed-API suite (api/api-suite.ts);
  // here, what needs the engine's clock moved by the test.
  it('on the engine clock: generated ids, idle and delivery times, BLOCK timeouts', async () => {
    const { store, time } = timedStore();
    expect(await store.xadd('s', '*', { n: 1 })).toBe(`${T0}-0`);
    expect(await store.xadd('s', '*', { n: 2 })).toBe(`${T0}-1`);
    expect(await store.xgroup('s', { type: 'CREATE', group: 'g', id: '0' })).toBe('OK');
    expect(await store.xreadgroup('g', 'c1', 's', '>', { count: 1 })).toEqual([['s', [[`${T0}-0`, ['n', '1']]]]]);
    time.advance(100);
    expect(await store.xreadgroup('g', 'c2', 's', '>')).toEqual([['s', [[`${T0}-1`, ['n', '2']]]]]);
    time.advance(50);
    expect(await store.xpending('s', 'g', '-', '+', 10)).toEqual([
      [`${T0}-0`, 'c1', 150, 1],
      [`${T0}-1`, 'c2', 50, 1],
    ]);
    expect(await store.xpending('s', 'g', '-', '+', 10, { idleTime: 100 })).toEqual([[`${T0}-0`, 'c1', 150, 1]]);
    expect(await store.xclaim('s', 'g', 'c3', 100, [`${T0}-0`, `${T0}-1`], { justId: true })).toEqual([`${T0}-0`]);
    expect(await store.xclaim('s', 'g', 'c3', 0, `${T0}-1`, { idleMS: 20, justId: true })).toEqual([`${T0}-1`]);
    time.advance(10);
    expect(await store.xpending('s', 'g', '-', '+', 10, { consumer: 'c3' })).toEqual([
      [`${T0}-0`, 'c3', 10, 1], // JUSTID: the delivery count stays
      [`${T0}-1`, 'c3', 30, 1],
    ]);
    const full = await store.xinfo('s', { type: 'STREAM', full: true });
    expect(full.groups[0]!.pending).toEqual([
      [`${T0}-0`, 'c3', T0 + 150, 1],
      [`${T0}-1`, 'c3', T0 + 130, 1], // IDLE 20 at T0 + 150
    ]);
    expect(full.groups[0]!.consumers.map((c) => [c.name, c['seen-time']])).toEqual([
      ['c1', T0],
      ['c2', T0 + 100],
      ['c3', T0 + 150],
    ]);

    const waiter = store.connect();
    const blocked = waiter.xread('s', '$', { blockMS: 100 });
    await new Promise<void>((r) => setImmediate(r));
    expect(store.engine.blocking.count).toBe(1);
    time.advance(150);
    expect(await blocked).toBeNull();
    expect(store.engine.blocking.count).toBe(0);
    waiter.close();
  });

  it('sends the arguments in Redis’ order', async () => {
    const { api, sent } = recorder();
    // The recorder answers 'OK' to everything: what a method makes of that reply does not matter here.
    const issued = (p: Promise<unknown>) => p.catch(() => {});
    await issued(api.xadd('k', '*', { f: 'v', g: 1 }, { nomkStream: true, trim: { type: 'MINID', threshold: '5-0', comparison: '~', limit: 0 } }));
    await issued(api.xadd('k', '7-*', { f: 'v' }, { trim: { type: 'maxlen', threshold: 0 } }));
    await issued(api.xtrim('k', { strategy: 'MAXLEN', threshold: 10, limit: 100 }));
    await issued(api.xread(['k1', 'k2'], ['0', '$'], { count: 5, blockMS: 10 }));
    await issued(api.xreadgroup('g', 'c', 'k', '>', { count: 1, blockMS: 0, NOACK: true }));
    await issued(api.xgroup('k', { type: 'CREATE', group: 'g', id: '$', options: { MKSTREAM: true, ENTRIESREAD: 3 } }));
    await issued(api.xgroup('k', { type: 'CREATECONSUMER', group: 'g', consumer: 'c' }));
    await issued(api.xpending('k', 'g', '-', '+', 10, { idleTime: 5, consumer: 'c' }));
    await issued(api.xclaim('k', 'g', 'c', 10, ['1-0', '2-0'], { idleMS: 1, timeMS: 2, retryCount: 3, force: true, justId: true, lastId: '2-0' }));
    await issued(api.xautoclaim('k', 'g', 'c', 10, '0-0', { count: 5, justId: true }));
    await issued(api.xsetid('k', '5-0', { entriesAdded: 10n, maxDeletedId: '1-0' }));
    await issued(api.xinfo('k', { type: 'STREAM', full: true, count: 0 }));
    await issued(api.xinfo('k', { type: 'CONSUMERS', group: 'g' }));
    expect(sent).toEqual([
      ['XADD', 'k', 'NOMKSTREAM', 'MINID', '~', '5-0', 'LIMIT', 0, '*', 'f', 'v', 'g', 1],
      ['XADD', 'k', 'maxlen', 0, '7-*', 'f', 'v'],
      ['XTRIM', 'k', 'MAXLEN', '~', 10, 'LIMIT', 100],
      ['XREAD', 'COUNT', 5, 'BLOCK', 10, 'STREAMS', 'k1', 'k2', '0', '$'],
      ['XREADGROUP', 'GROUP', 'g', 'c', 'COUNT', 1, 'BLOCK', 0, 'NOACK', 'STREAMS', 'k', '>'],
      ['XGROUP', 'CREATE', 'k', 'g', '$', 'MKSTREAM', 'ENTRIESREAD', 3],
      ['XGROUP', 'CREATECONSUMER', 'k', 'g', 'c'],
      ['XPENDING', 'k', 'g', 'IDLE', 5, '-', '+', 10, 'c'],
      ['XCLAIM', 'k', 'g', 'c', 10, '1-0', '2-0', 'IDLE', 1, 'TIME', 2, 'RETRYCOUNT', 3, 'FORCE', 'JUSTID', 'LASTID', '2-0'],
      ['XAUTOCLAIM', 'k', 'g', 'c', 10, '0-0', 'COUNT', 5, 'JUSTID'],
      ['XSETID', 'k', '5-0', 'ENTRIESADDED', 10n, 'MAXDELETEDID', '1-0'],
      ['XINFO', 'STREAM', 'k', 'FULL', 'COUNT', 0],
      ['XINFO', 'CONSUMERS', 'k', 'g'],
    ]);
  });
});
