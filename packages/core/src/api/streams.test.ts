import { describe, expect, it } from 'vitest';
import { createStore, RedisCommands, ReplyError, type CommandArg, type Decoded, type Transport } from '../index.js';
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
  it('XADD, XLEN, XRANGE, XREVRANGE, XDEL, XTRIM, XSETID', async () => {
    const { store } = timedStore();
    expect(await store.xadd('s', '1-1', { a: 1, b: 'x' })).toBe('1-1');
    expect(await store.xadd('s', '2-0', new Map<CommandArg, CommandArg>([['a', '2'], ['c', new Uint8Array([0x68, 0x69])]]))).toBe('2-0');
    expect(await store.xadd('s', '*', { d: 4 })).toBe(`${T0}-0`);
    expect(await store.xadd('s', '*', { d: 5 })).toBe(`${T0}-1`);
    expect(await store.xadd('missing', '*', { a: 1 }, { nomkStream: true })).toBeNull();
    expect(await store.exists('missing')).toBe(0);
    expect(await store.xlen('s')).toBe(4);
    expect(await store.xlen('missing')).toBe(0);

    expect(await store.xrange('s', '-', '+')).toEqual({
      '1-1': { a: '1', b: 'x' },
      '2-0': { a: '2', c: 'hi' },
      [`${T0}-0`]: { d: '4' },
      [`${T0}-1`]: { d: '5' },
    });
    // Ids keep the stream's order (they are not array-index keys).
    expect(Object.keys(await store.xrange('s', '(1-1', '+', 2))).toEqual(['2-0', `${T0}-0`]);
    expect(Object.keys(await store.xrevrange('s', '+', '-', 3))).toEqual([`${T0}-1`, `${T0}-0`, '2-0']);
    expect(await store.xrevrange('s', '2', '1')).toEqual({ '2-0': { a: '2', c: 'hi' }, '1-1': { a: '1', b: 'x' } });
    expect(await store.xrange('missing', '-', '+')).toEqual({});

    expect(await store.xdel('s', '2-0')).toBe(1);
    expect(await store.xdel('s', ['2-0', '1-1', '9-9'])).toBe(1);
    expect(await store.xlen('s')).toBe(2);

    // Trimming with XADD: exact, and MINID.
    expect(await store.xadd('s', '*', { d: 6 }, { trim: { type: 'MAXLEN', threshold: 2, comparison: '=' } })).toBe(`${T0}-2`);
    expect(Object.keys(await store.xrange('s', '-', '+'))).toEqual([`${T0}-1`, `${T0}-2`]);
    expect(await store.xadd('s', '*', { d: 7 }, { trim: { type: 'MINID', threshold: `${T0}-2` } })).toBe(`${T0}-3`);
    expect(Object.keys(await store.xrange('s', '-', '+'))).toEqual([`${T0}-2`, `${T0}-3`]);
    // `~` trims whole nodes only: a stream of one node keeps everything.
    expect(await store.xadd('s', '*', { d: 8 }, { trim: { type: 'MAXLEN', threshold: 1, comparison: '~', limit: 10 } })).toBe(`${T0}-4`);
    expect(await store.xlen('s')).toBe(3);
    expect(await store.xtrim('s', { strategy: 'MAXLEN', threshold: 1 })).toBe(0); // '~' by default
    expect(await store.xtrim('s', { strategy: 'MAXLEN', exactness: '=', threshold: 1 })).toBe(2);
    expect(await store.xtrim('s', { strategy: 'MINID', exactness: '=', threshold: '9999999999999' })).toBe(1);
    expect(await store.xlen('s')).toBe(0);
    expect(await store.exists('s'), 'an emptied stream stays').toBe(1);

    expect(await store.xsetid('s', '99999999999999-0', { entriesAdded: 100, maxDeletedId: '5-0' })).toBe('OK');
    const info = await store.xinfo('s', { type: 'STREAM' });
    expect(info).toMatchObject({ length: 0, 'last-generated-id': '99999999999999-0', 'max-deleted-entry-id': '5-0', 'entries-added': 100, 'first-entry': null, 'last-entry': null });

    await store.set('str', 'x');
    await expect(store.xadd('str', '*', { a: 1 })).rejects.toThrow(ReplyError);
    await expect(store.xadd('s', '1-0', { a: 1 })).rejects.toThrow('ERR The ID specified in XADD is equal or smaller than the target stream top item');
  });

  it('XGROUP, XREADGROUP, XACK, XPENDING, XCLAIM, XAUTOCLAIM, XINFO', async () => {
    const { store, time } = timedStore();
    for (let i = 1; i <= 5; i++) await store.xadd('s', `${i}-0`, { n: i });
    expect(await store.xgroup('s', { type: 'CREATE', group: 'g', id: '0' })).toBe('OK');
    expect(await store.xgroup('t', { type: 'CREATE', group: 'g', id: '$', options: { MKSTREAM: true, ENTRIESREAD: 0 } })).toBe('OK');
    await expect(store.xgroup('s', { type: 'CREATE', group: 'g', id: '$' })).rejects.toThrow('BUSYGROUP Consumer Group name already exists');
    expect(await store.xgroup('s', { type: 'CREATECONSUMER', group: 'g', consumer: 'idle' })).toBe(1);
    expect(await store.xgroup('s', { type: 'CREATECONSUMER', group: 'g', consumer: 'idle' })).toBe(0);

    expect(await store.xreadgroup('g', 'c1', 's', '>', { count: 2 })).toEqual([['s', [['1-0', ['n', '1']], ['2-0', ['n', '2']]]]]);
    time.advance(100);
    expect(await store.xreadgroup('g', 'c2', ['s', 't'], ['>', '>'], { count: 1 })).toEqual([['s', [['3-0', ['n', '3']]]]]);
    expect(await store.xreadgroup('g', 'c3', 's', '>', { count: 1, NOACK: true })).toEqual([['s', [['4-0', ['n', '4']]]]]);
    expect(await store.xreadgroup('g', 'c1', 't', '>')).toBeNull();
    time.advance(50);

    expect(await store.xpending('s', 'g')).toEqual([3, '1-0', '3-0', [['c1', 2], ['c2', 1]]]);
    expect(await store.xpending('t', 'g')).toEqual([0, null, null, []]);
    expect(await store.xpending('s', 'g', '-', '+', 10)).toEqual([
      ['1-0', 'c1', 150, 1],
      ['2-0', 'c1', 150, 1],
      ['3-0', 'c2', 50, 1],
    ]);
    expect(await store.xpending('s', 'g', '(1-0', '+', 10, { idleTime: 100, consumer: 'c1' })).toEqual([['2-0', 'c1', 150, 1]]);

    // History: the consumer's own pending entries; one deleted since comes with null fields.
    expect(await store.xdel('s', '2-0')).toBe(1);
    expect(await store.xreadgroup('g', 'c1', 's', '0')).toEqual([['s', [['1-0', ['n', '1']], ['2-0', null]]]]);

    expect(await store.xclaim('s', 'g', 'c3', 1000, '1-0'), 'redelivered by the history read: idle 0').toEqual([]);
    time.advance(100);
    expect(await store.xclaim('s', 'g', 'c3', 100, ['1-0'], { retryCount: 5 })).toEqual([['1-0', ['n', '1']]]);
    expect(await store.xclaim('s', 'g', 'c3', 0, ['3-0', '5-0'], { justId: true, force: true, idleMS: 20, lastId: '5-0' })).toEqual(['3-0', '5-0']);
    expect(await store.xpending('s', 'g', '-', '+', 10, { consumer: 'c3' })).toEqual([
      ['1-0', 'c3', 0, 5],
      ['3-0', 'c3', 20, 1],
      ['5-0', 'c3', 20, 1], // created by FORCE: delivered once
    ]);
    time.advance(10);
    expect(await store.xclaim('s', 'g', 'c4', 0, '3-0', { timeMS: T0, justId: true })).toEqual(['3-0']);

    // XAUTOCLAIM: 2-0 is deleted (dropped from the PEL and reported), the rest claimed in two calls.
    expect(await store.xautoclaim('s', 'g', 'c5', 0, '0-0', { count: 2 })).toEqual(['3-0', [['1-0', ['n', '1']]], ['2-0']]);
    expect(await store.xautoclaim('s', 'g', 'c5', 0, '3-0', { justId: true })).toEqual(['0-0', ['3-0', '5-0'], []]);

    expect(await store.xinfo('s', { type: 'GROUPS' })).toEqual([
      // LASTID moved the last delivered id past what was read: entries-read stays, the lag shows it.
      { name: 'g', consumers: 6, pending: 3, 'last-delivered-id': '5-0', 'entries-read': 4, lag: 1 },
    ]);
    expect((await store.xinfo('s', { type: 'CONSUMERS', group: 'g' })).map((c) => [c.name, c.pending])).toEqual([
      ['c1', 0],
      ['c2', 0],
      ['c3', 0],
      ['c4', 0],
      ['c5', 3],
      ['idle', 0],
    ]);
    const stream = await store.xinfo('s', { type: 'STREAM' });
    expect(stream).toMatchObject({ length: 4, 'radix-tree-keys': 1, 'last-generated-id': '5-0', 'entries-added': 5, groups: 1 });
    expect(stream['first-entry']).toEqual(['1-0', ['n', '1']]);
    expect(stream['last-entry']).toEqual(['5-0', ['n', '5']]);
    const full = await store.xinfo('s', { type: 'STREAM', full: true, count: 2 });
    expect(full.entries).toEqual([
      ['1-0', ['n', '1']],
      ['3-0', ['n', '3']],
    ]);
    expect(full.groups).toHaveLength(1);
    const g = full.groups[0]!;
    expect(g).toMatchObject({ name: 'g', 'last-delivered-id': '5-0', 'entries-read': 4, lag: 1, 'pel-count': 3 });
    // COUNT limits the entries and each pending list, not the consumers.
    expect(g.pending).toEqual([
      ['1-0', 'c5', T0 + 260, 6],
      ['3-0', 'c5', T0 + 260, 1],
    ]);
    expect(g.consumers.map((c) => [c.name, c['pel-count'], c.pending.length])).toEqual([
      ['c1', 0, 0],
      ['c2', 0, 0],
      ['c3', 0, 0],
      ['c4', 0, 0],
      ['c5', 3, 2],
      ['idle', 0, 0],
    ]);
    expect(g.consumers[4]!.pending[0]).toEqual(['1-0', T0 + 260, 6]);
    expect(g.consumers[4]!['seen-time']).toBe(T0 + 260);

    expect(await store.xack('s', 'g', ['1-0', '3-0', '9-0'])).toBe(2);
    expect(await store.xack('s', 'g', '1-0')).toBe(0);
    expect(await store.xgroup('s', { type: 'SETID', group: 'g', id: '0', options: { ENTRIESREAD: 0 } })).toBe('OK');
    expect(await store.xgroup('s', { type: 'DELCONSUMER', group: 'g', consumer: 'c5' })).toBe(1);
    expect(await store.xgroup('s', { type: 'DESTROY', group: 'g' })).toBe(1);
    expect(await store.xgroup('s', { type: 'DESTROY', group: 'g' })).toBe(0);
    await expect(store.xreadgroup('g', 'c1', 's', '>')).rejects.toThrow("NOGROUP No such key 's' or consumer group 'g' in XREADGROUP with GROUP option");
  });

  it('XREAD, and BLOCK on a session of its own woken by XADD on another', async () => {
    const { store, time } = timedStore();
    await store.xadd('a', '1-0', { x: 1 });
    await store.xadd('b', '2-0', { y: 2 });
    expect(await store.xread('a', '0')).toEqual([['a', [['1-0', ['x', '1']]]]]);
    expect(await store.xread(['a', 'b', 'none'], ['0', '0', '0'], { count: 1 })).toEqual([
      ['a', [['1-0', ['x', '1']]]],
      ['b', [['2-0', ['y', '2']]]],
    ]);
    expect(await store.xread('a', '$')).toBeNull();

    const waiter = store.connect();
    const other = store.connect();
    const blocked = waiter.xread(['a', 'b'], ['$', '$'], { blockMS: 0 });
    const group = other.xreadgroup('g', 'w', 'b', '>', { blockMS: 1000 }).catch((e: Error) => e.message);
    await expect(store.xgroup('b', { type: 'CREATE', group: 'g', id: '$' })).resolves.toBe('OK');
    let settled = false;
    void blocked.then(() => (settled = true));
    await new Promise<void>((r) => setImmediate(r));
    expect(settled).toBe(false);
    expect(store.engine.blocking.count).toBe(1);
    expect(await store.xadd('b', '3-0', { y: 3 })).toBe('3-0');
    expect(await blocked).toEqual([['b', [['3-0', ['y', '3']]]]]);
    // The XREADGROUP was sent before the group existed: NOGROUP at once, not a wait.
    expect(await group).toMatch(/^NOGROUP/);

    // XREADGROUP BLOCK: served at once while there are new entries, else by the next XADD.
    expect(await other.xreadgroup('g', 'w', 'b', '>', { blockMS: 0, count: 10 })).toEqual([['b', [['3-0', ['y', '3']]]]]);
    const served = other.xreadgroup('g', 'w', 'b', '>', { blockMS: 0, count: 10 });
    await new Promise<void>((r) => setImmediate(r));
    expect(store.engine.blocking.count).toBe(1);
    await store.xadd('b', '4-0', { y: 4 });
    expect(await served).toEqual([['b', [['4-0', ['y', '4']]]]]);
    expect(await store.xpending('b', 'g')).toEqual([2, '3-0', '4-0', [['w', 2]]]);
    // A timeout is a null reply.
    const timedOut = waiter.xread('a', '$', { blockMS: 100 });
    time.advance(150);
    expect(await timedOut).toBeNull();
    waiter.close();
    other.close();
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
