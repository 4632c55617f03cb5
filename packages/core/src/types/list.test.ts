import { describe, expect, it } from 'vitest';
import type { Client } from '../client.js';
import { OK } from '../reply.js';
import { createStore, MemoryPersistence, NULL_ARRAY, openStore, ReplyError, type Store } from '../index.js';
import { Rng } from '../../../../conformance/fuzz/rng.js';
import { dumpKeyspace, errorText, fakeTime, setupStore, T0 } from '../test-helpers.js';
import { elementMatcher, LIST_NODE_MAX, ListObject, type ListElement } from './list.js';

const WRONGTYPE = 'WRONGTYPE Operation against a key holding the wrong kind of value';

const listOf = (s: Store, key: string, db = 0): ListObject => s.engine.dbs[db]!.dict.get(key) as ListObject;


/** A store on fake time, with sessions of its own. */
function blockingSetup() {
  const time = fakeTime();
  const store = createStore({ clock: time.clock, timers: time.timers, activeExpire: false });
  return { store, ...time };
}

/** Let settled promises run their reactions. */
const tick = () => new Promise<void>((r) => setImmediate(r));

/** A promise's state without waiting for it. */
async function state<T>(p: Promise<T>): Promise<{ done: boolean; value?: T; error?: unknown }> {
  let out: { done: boolean; value?: T; error?: unknown } = { done: false };
  p.then(
    (value) => (out = { done: true, value }),
    (error: unknown) => (out = { done: true, error }),
  );
  await tick();
  return out;
}

// ---- the quicklist ---------------------------------------------------------------------------

describe('ListObject (quicklist)', () => {
  it('matches an array model under random operations at every position', () => {
    const rng = new Rng(42);
    for (let round = 0; round < 40; round++) {
      const l = new ListObject();
      const model: ListElement[] = [];
      const val = (): ListElement => (rng.chance(0.8) ? String(rng.int(0, 9)) : Uint8Array.of(rng.int(0x2f, 0x3a)));
      /** The model compares bytes too: Uint8Array [0x31] is the element '1'. */
      const same = (e: ListElement, t: string): boolean => (typeof e === 'string' ? e === t : Buffer.from(e).toString('latin1') === t);
      for (let op = 0; op < 1500; op++) {
        const x = rng.int(0, 12);
        if (x <= 2) {
          const v = val();
          l.pushTail(v);
          model.push(v);
        } else if (x <= 4) {
          const v = val();
          l.pushHead(v);
          model.unshift(v);
        } else if (x === 5 && model.length) {
          expect(l.popHead()).toBe(model.shift());
        } else if (x === 6 && model.length) {
          expect(l.popTail()).toBe(model.pop());
        } else if (x === 7 && model.length) {
          const i = rng.int(0, model.length - 1);
          expect(l.get(i)).toBe(model[i]);
          const v = val();
          l.set(i, v);
          model[i] = v;
        } else if (x === 8 && model.length) {
          const start = rng.int(0, model.length - 1);
          const n = rng.int(0, model.length - start);
          expect(l.range(start, n)).toEqual(model.slice(start, start + n));
          const end = rng.int(0, model.length - 1);
          const m = rng.int(0, end + 1);
          expect(l.rangeReverse(end, m)).toEqual(model.slice(end - m + 1, end + 1).reverse());
        } else if (x === 9) {
          const pivot = String(rng.int(0, 9));
          const after = rng.chance(0.5);
          const v = val();
          const i = model.findIndex((e) => same(e, pivot));
          expect(l.insertAtPivot(elementMatcher(pivot), v, after)).toBe(i >= 0);
          if (i >= 0) model.splice(after ? i + 1 : i, 0, v);
        } else if (x === 10) {
          const target = String(rng.int(0, 9));
          const limit = rng.int(0, 3);
          const fromTail = rng.chance(0.5);
          let removed = 0;
          const idx = model.map((_, i) => i);
          if (fromTail) idx.reverse();
          const drop = new Set<number>();
          for (const i of idx) if (same(model[i]!, target) && (limit === 0 || removed < limit)) drop.add(i), removed++;
          expect(l.removeMatching(elementMatcher(target), limit, fromTail)).toBe(removed);
          model.splice(0, model.length, ...model.filter((_, i) => !drop.has(i)));
        } else if (x === 11 && model.length) {
          const n = rng.int(0, model.length);
          if (rng.chance(0.5)) expect(l.popHeadMany(n)).toEqual(model.splice(0, n));
          else expect(l.popTailMany(n)).toEqual(model.splice(model.length - n, n).reverse());
        } else if (x === 12 && model.length) {
          const a = rng.int(0, model.length);
          const b = rng.int(0, model.length - a);
          l.trimHead(a);
          l.trimTail(b);
          model.splice(0, a);
          model.splice(model.length - b, b);
        } else if (rng.chance(0.05)) {
          const n = rng.int(100, 400);
          for (let i = 0; i < n; i++) {
            const v = val();
            l.pushTail(v);
            model.push(v);
          }
        }
        expect(l.length).toBe(model.length);
      }
      expect(l.toArray()).toEqual(model);
      // Nodes stay reasonably full: merges keep the node count within twice the minimum.
      expect(l.nodeCount).toBeLessThanOrEqual(Math.max(1, 2 * Math.ceil(model.length / LIST_NODE_MAX) + 2));
      const copy = l.dup();
      expect(copy.toArray()).toEqual(model);
      copy.pushHead('new');
      expect(l.toArray()).toEqual(model);
    }
  });

  it('splits a full node on insert and merges nodes that shrink', () => {
    const l = ListObject.from(Array.from({ length: LIST_NODE_MAX * 4 }, (_, i) => String(i % 2)));
    expect(l.nodeCount).toBe(4);
    expect(l.insertAtPivot(elementMatcher('1'), 'x', false)).toBe(true);
    expect(l.nodeCount).toBe(5);
    expect(l.get(1)).toBe('x');
    expect(l.removeMatching(elementMatcher('1'), 0, false)).toBe(LIST_NODE_MAX * 2);
    expect(l.length).toBe(LIST_NODE_MAX * 2 + 1);
    expect(l.nodeCount).toBe(3);
  });

  it('compares elements by bytes, whatever their representation', () => {
    const m = elementMatcher(new TextEncoder().encode('café'));
    expect(m('café')).toBe(true);
    expect(m(new TextEncoder().encode('café'))).toBe(true);
    expect(m('cafe')).toBe(false);
    const bin = elementMatcher(Uint8Array.of(0xff, 0x00));
    expect(bin(Uint8Array.of(0xff, 0x00))).toBe(true);
    expect(bin('\u00ff\u0000')).toBe(false); // text 'ÿ\0' is c3 bf 00
    expect(elementMatcher('1')(Uint8Array.of(0x31))).toBe(true);
  });

  it('works at both ends of a 1M-element list, and walks from the nearer end', async () => {
    const store = createStore({ activeExpire: false });
    const n = 1_000_000;
    const batch = Array.from({ length: 10_000 }, (_, i) => String(i));
    for (let i = 0; i < n / batch.length; i++) store.execute('RPUSH', 'big', ...batch);
    expect(store.execute('LLEN', 'big')).toBe(n);
    expect(listOf(store, 'big').nodeCount).toBe(Math.ceil(n / LIST_NODE_MAX));
    // 100k pops and pushes at each end: each touches one small node (Array#shift on a 1M array would not finish).
    for (let i = 0; i < 100_000; i++) {
      store.execute('RPOP', 'big');
      store.execute('LPOP', 'big');
    }
    for (let i = 0; i < 100_000; i++) {
      store.execute('LPUSH', 'big', 'h');
      store.execute('RPUSH', 'big', 't');
    }
    expect(store.execute('LLEN', 'big')).toBe(n);
    expect(store.execute('LINDEX', 'big', 0)).toBe('h');
    expect(store.execute('LINDEX', 'big', -1)).toBe('t');
    expect(store.execute('LINDEX', 'big', 100_000)).toBe('0');
    expect(store.execute('LINDEX', 'big', -100_001)).toBe('9999');
    expect(store.execute('LRANGE', 'big', -3, -1)).toEqual(['t', 't', 't']);
    expect(store.execute('LRANGE', 'big', 500_000, 500_002)).toEqual(['0', '1', '2']);
    expect(store.execute('LSET', 'big', -2, 'x')).toBe(OK);
    expect(store.execute('LSET', 'big', 1, 'y')).toBe(OK);
    expect(store.execute('LRANGE', 'big', 0, 1)).toEqual(['h', 'y']);
    expect(store.execute('LPOP', 'big', 3)).toEqual(['h', 'y', 'h']);
    expect(store.execute('RPOP', 'big', 3)).toEqual(['t', 'x', 't']);
    expect(store.execute('LTRIM', 'big', 1000, -1001)).toBe(OK);
    expect(store.execute('LLEN', 'big')).toBe(n - 6 - 2000);
    expect(listOf(store, 'big').nodeCount).toBeLessThanOrEqual(Math.ceil((n - 2006) / LIST_NODE_MAX) + 2);
    // LREM scanning from the tail stops after its count: the head is never reached.
    expect(store.execute('LREM', 'big', -2, '9999')).toBe(2);
    await store.close();
  });
});

// ---- commands --------------------------------------------------------------------------------

describe('list commands', () => {
  it('keeps each element as pushed: text stays text, bytes stay bytes (LREM compares bytes)', async () => {
    const { store } = setupStore();
    await store.rpush('l', Uint8Array.of(0xff, 0x00, 0x41), 'café', new TextEncoder().encode('x'));
    expect(await store.lrem('l', 0, Uint8Array.of(0xff, 0x00, 0x41))).toBe(1);
    expect(listOf(store, 'l').toArray()).toEqual(['café', new TextEncoder().encode('x')]);
  });

  it('notifies as Redis does, deletes emptied lists, and logs only what changed', () => {
    const { store, run, events, log } = setupStore((event, key) => `${event}:${key}`);
    run('RPUSH', 'l', 'a', 'b', 'c');
    run('LPUSH', 'l', 'z');
    run('LINSERT', 'l', 'AFTER', 'a', 'x');
    run('LINSERT', 'l', 'AFTER', 'nope', 'x');
    run('LSET', 'l', 0, 'y');
    run('LREM', 'l', 0, 'nope');
    run('LREM', 'l', 1, 'x');
    run('LTRIM', 'l', 0, -1);
    run('LPOP', 'l');
    run('RPOP', 'l', 5);
    expect(run('EXISTS', 'l')).toBe(0);
    expect(events).toEqual([
      'new:l', 'rpush:l', 'lpush:l', 'linsert:l', 'lset:l', 'lrem:l', 'ltrim:l', 'lpop:l', 'rpop:l', 'del:l',
    ]);
    expect(log.map((e) => e.slice(1).join(' '))).toEqual([
      'RPUSH l a b c', 'LPUSH l z', 'LINSERT l AFTER a x', 'LSET l 0 y', 'LREM l 1 x', 'LPOP l', 'RPOP l 5',
    ]);
  });

  it('LMOVE notifies push then pop, and a list moved onto itself is rotated', () => {
    const { run, events, log } = setupStore((event, key) => `${event}:${key}`);
    run('RPUSH', 'a', '1', '2');
    events.length = 0;
    expect(run('LMOVE', 'a', 'b', 'LEFT', 'RIGHT')).toBe('1');
    expect(run('RPOPLPUSH', 'a', 'b')).toBe('2');
    expect(run('LMOVE', 'b', 'b', 'left', 'right')).toBe('2');
    expect(run('LRANGE', 'b', 0, -1)).toEqual(['1', '2']);
    expect(events).toEqual(['new:b', 'rpush:b', 'lpop:a', 'lpush:b', 'rpop:a', 'del:a', 'rpush:b', 'lpop:b']);
    expect(run('SET', 's', 'x')).toBe('OK');
    expect(errorText(run('LMOVE', 'b', 's', 'LEFT', 'LEFT'))).toBe(WRONGTYPE);
    expect(run('LRANGE', 'b', 0, -1)).toEqual(['1', '2']);
    expect(log.map((e) => e.slice(1).join(' '))).toEqual(['RPUSH a 1 2', 'LMOVE a b LEFT RIGHT', 'RPOPLPUSH a b', 'LMOVE b b left right', 'SET s x']);
  });

  it('the blocking commands served at once log their non-blocking twin', () => {
    const { run, log } = setupStore();
    run('RPUSH', 'l', 'a', 'b', 'c', 'd', 'e', 'f');
    log.length = 0;
    expect(run('BLPOP', 'nope', 'l', 0)).toEqual(['l', 'a']);
    expect(run('BRPOP', 'l', 0)).toEqual(['l', 'f']);
    expect(run('BLMPOP', 0, 2, 'nope', 'l', 'RIGHT', 'COUNT', 10)).toEqual(['l', ['e', 'd', 'c', 'b']]);
    run('RPUSH', 'l', 'a', 'b');
    expect(run('LMPOP', 1, 'l', 'LEFT')).toEqual(['l', ['a']]);
    expect(run('BLMOVE', 'l', 'm', 'RIGHT', 'left', 0)).toBe('b');
    run('RPUSH', 'l', 'c');
    expect(run('BRPOPLPUSH', 'l', 'm', 0)).toBe('c');
    expect(log.map((e) => e.slice(1).join(' '))).toEqual([
      'LPOP l', 'RPOP l', 'RPOP l 4', 'RPUSH l a b', 'LPOP l 1', 'LMOVE l m RIGHT left', 'RPUSH l c', 'RPOPLPUSH l m',
    ]);
  });

  it('COPY duplicates a list; RENAME and MOVE carry it', () => {
    const { store, run } = setupStore();
    run('RPUSH', 'a', '1', '2');
    expect(run('COPY', 'a', 'b')).toBe(1);
    run('RPUSH', 'b', '3');
    expect(run('LRANGE', 'a', 0, -1)).toEqual(['1', '2']);
    expect(run('LRANGE', 'b', 0, -1)).toEqual(['1', '2', '3']);
    expect(run('RENAME', 'b', 'c')).toBe('OK');
    expect(run('MOVE', 'c', 1)).toBe(1);
    expect(listOf(store, 'c', 1).toArray()).toEqual(['1', '2', '3']);
    expect(run('TYPE', 'a')).toBe('list');
  });

  it('a snapshot keeps every element and its representation', async () => {
    const p = new MemoryPersistence();
    let now = T0;
    const store = await openStore({ persistence: p, clock: () => now, activeExpire: false });
    const many = Array.from({ length: 1000 }, (_, i) => (i % 3 ? String(i) : Uint8Array.of(i & 0xff, 0xff)));
    await store.rpush('l', ...many);
    await store.rpush('e', '', 'é', new TextEncoder().encode('text as bytes'));
    await store.call('SAVE');
    await store.lpop('l'); // in the log after the snapshot
    const expected = dumpKeyspace(store.engine);
    expect((await p.load()).snapshot).not.toBe(null);
    await store.close();
    now += 1000;
    const reopened = await openStore({ persistence: p, clock: () => now, activeExpire: false });
    expect(dumpKeyspace(reopened.engine)).toEqual(expected);
    expect(listOf(reopened, 'e').toArray()[2]).toBeInstanceOf(Uint8Array);
    await reopened.close();
  });
});

// ---- blocking --------------------------------------------------------------------------------

describe('blocking commands', () => {
  it('serve waiters first come, first served, per key', async () => {
    const { store } = blockingSetup();
    const [s1, s2, s3] = [store.connect(), store.connect(), store.connect()];
    const p1 = s1.blpop('q', 0);
    const p2 = s2.blpop('other', 'q', 0);
    const p3 = s3.brpop('q', 0);
    expect(store.engine.blocking.count).toBe(3);
    expect(await store.rpush('q', 'a')).toBe(1);
    expect(await p1).toEqual(['q', 'a']);
    expect((await state(p2)).done).toBe(false);
    // One push of several elements serves several waiters, oldest first.
    expect(await store.rpush('q', 'b', 'c', 'd')).toBe(3);
    expect(await p2).toEqual(['q', 'b']);
    expect(await p3).toEqual(['q', 'd']);
    expect(await store.lrange('q', 0, -1)).toEqual(['c']);
    expect(store.engine.blocking.count).toBe(0);
  });

  it('the reply of a waiter served from several keys names the key, and keys of other dbs do not count', async () => {
    const { store } = blockingSetup();
    const s1 = store.connect();
    await s1.call('SELECT', 1);
    const p = s1.blpop('a', 'b', 0);
    await store.rpush('b', 'in-db0');
    expect((await state(p)).done).toBe(false);
    const s2 = store.connect();
    await s2.call('SELECT', 1);
    await s2.rpush('b', 'x');
    expect(await p).toEqual(['b', 'x']);
    expect(await s2.exists('b')).toBe(0);
  });

  it('a list that arrives by RENAME, COPY, MOVE or SWAPDB serves waiters too', async () => {
    const { store } = blockingSetup();
    const s = store.connect();
    await store.rpush('src', 'a', 'b', 'c', 'd');
    const p1 = s.blpop('renamed', 0);
    await store.call('COPY', 'src', 'renamed');
    expect(await p1).toEqual(['renamed', 'a']);
    const p2 = s.brpop('moved', 0);
    await store.call('RENAME', 'src', 'moved');
    expect(await p2).toEqual(['moved', 'd']);
    await s.call('SELECT', 1);
    const p3 = s.blpop('moved', 0);
    await store.call('MOVE', 'moved', 1);
    expect(await p3).toEqual(['moved', 'a']);
    await store.rpush('swapped', 'x');
    const p4 = s.blpop('swapped', 0);
    await store.call('SWAPDB', 0, 1);
    expect(await p4).toEqual(['swapped', 'x']);
    expect(await s.lrange('moved', 0, -1)).toEqual([]);
    expect(await store.lrange('moved', 0, -1)).toEqual(['b', 'c']);
  });

  it('time out on the engine clock, with decimals', async () => {
    const { store, advance } = blockingSetup();
    const s = store.connect();
    const p = s.blpop('q', 0.5);
    const m = store.connect().blmove('q', 'd', 'left', 'left', 1.25);
    const mp = store.connect().call('BLMPOP', '0.001', 1, 'q', 'LEFT');
    advance(1);
    expect(await mp).toBe(null);
    advance(498);
    expect((await state(p)).done).toBe(false);
    advance(1);
    expect(await p).toBe(null);
    advance(749);
    expect((await state(m)).done).toBe(false);
    advance(1);
    expect(await m).toBe(null);
    // Zero waits for ever.
    const forever = s.brpoplpush('q', 'd', 0);
    advance(1e9);
    expect((await state(forever)).done).toBe(false);
    await store.lpush('q', 'x');
    expect(await forever).toBe('x');
  });

  it('the timeout reply of BLMOVE and BRPOPLPUSH is a null array, as in Redis 7.0', async () => {
    const { store, advance } = blockingSetup();
    for (const argv of [['BLMOVE', 'q', 'd', 'LEFT', 'LEFT', '0.1'], ['BRPOPLPUSH', 'q', 'd', '0.1']]) {
      const s = store.connect();
      const client = (s as unknown as { transport: { client: Client } }).transport.client;
      expect(s.execute(...argv)).toBe(NULL_ARRAY);
      const reply = client.deferredReply!;
      advance(100);
      expect(await reply).toBe(NULL_ARRAY);
    }
  });

  it('BLMOVE wakes a chain: the destination it creates serves the next waiter', async () => {
    const { store } = blockingSetup();
    const [s1, s2, s3] = [store.connect(), store.connect(), store.connect()];
    const p1 = s1.blmove('a', 'b', 'left', 'right', 0);
    const p2 = s2.brpoplpush('b', 'c', 0);
    const p3 = s3.blpop('c', 0);
    await store.lpush('a', 'x');
    expect(await p1).toBe('x');
    expect(await p2).toBe('x');
    expect(await p3).toEqual(['c', 'x']);
    expect(await store.call('KEYS', '*')).toEqual([]);
  });

  it('BLMOVE onto its own source rotates, and a destination of another type fails the waiter', async () => {
    const { store } = blockingSetup();
    const s1 = store.connect();
    const p1 = s1.blmove('q', 'q', 'right', 'left', 0);
    await store.rpush('q', 'a');
    expect(await p1).toBe('a');
    expect(await store.lrange('q', 0, -1)).toEqual(['a']);
    await store.del('q');
    await store.set('s', 'str');
    const p2 = s1.blmove('q', 's', 'left', 'left', 0);
    await store.rpush('q', 'b');
    await expect(p2).rejects.toThrow(WRONGTYPE);
    expect(await store.lrange('q', 0, -1)).toEqual(['b']);
  });

  it('a waiter on several keys is served from the list that came, even if another of its keys turned into a string', async () => {
    const { store } = blockingSetup();
    const s = store.connect();
    const p = s.blpop('a', 'b', 0);
    await store.set('a', 'str');
    await store.rpush('b', 'x');
    expect(await p).toEqual(['b', 'x']);
  });

  it('BLMPOP served after blocking pops up to its count, logged as [LR]POP key n', async () => {
    const time = fakeTime();
    const log: string[] = [];
    const store = createStore({ clock: time.clock, timers: time.timers, activeExpire: false });
    store.engine.onPropagate = (db, argv) => log.push(argv.join(' '));
    const s = store.connect();
    const p = s.blmpop(0, 2, ['x', 'q'], 'RIGHT', 3);
    const p2 = store.connect().blpop('q', 0);
    await store.rpush('q', 'a', 'b');
    expect(await p).toEqual(['q', ['b', 'a']]);
    expect((await state(p2)).done).toBe(false);
    expect(log).toEqual(['RPUSH q a b', 'RPOP q 2']);
  });

  it('closing a blocked session rejects its command and pops nothing', async () => {
    const { store } = blockingSetup();
    const s = store.connect();
    const p = s.blpop('q', 0);
    const held = s.get('k');
    await s.close();
    await expect(p).rejects.toThrow('ERR Connection is closed');
    await store.rpush('q', 'a');
    expect(await store.lrange('q', 0, -1)).toEqual(['a']);
    expect(store.engine.blocking.count).toBe(0);
    void held.catch(() => null);
  });

  it('commands sent on a blocked session wait their turn while other sessions run', async () => {
    const { store } = blockingSetup();
    const s = store.connect();
    const order: string[] = [];
    const p = s.blpop('q', 0).then((r) => (order.push(`blpop ${JSON.stringify(r)}`), r));
    const a = s.rpush('mine', '1').then((r) => (order.push(`rpush ${r}`), r));
    const b = s.blpop('q2', 0).then((r) => (order.push(`blpop2 ${JSON.stringify(r)}`), r));
    const c = s.llen('mine').then((r) => (order.push(`llen ${r}`), r));
    await tick();
    expect(order).toEqual([]);
    expect(await store.exists('mine')).toBe(0); // not run yet
    await store.rpush('q', 'x');
    await p;
    await a;
    expect((await state(c)).done).toBe(false); // held behind the second BLPOP
    await store.rpush('q2', 'y');
    expect(await b).toEqual(['q2', 'y']);
    expect(await c).toBe(1);
    expect(order.slice(0, 2)).toEqual(['blpop ["q","x"]', 'rpush 1']);
  });

  it('a pop served to a waiter is logged as its effect: the reopened store is the same', async () => {
    const time = fakeTime();
    const p = new MemoryPersistence();
    const options = { persistence: p, clock: time.clock, timers: time.timers, activeExpire: false } as const;
    const store = await openStore(options);
    const s1 = store.connect();
    const s2 = store.connect();
    const w1 = s1.blpop('q', 0);
    const w2 = s2.blmove('q', 'dst', 'right', 'left', 0);
    await store.rpush('q', 'a', 'b', 'c');
    expect(await w1).toEqual(['q', 'a']);
    expect(await w2).toBe('c');
    const w3 = s1.blmpop(0, 1, ['z'], 'LEFT', 10);
    await store.lpush('z', '1', '2', '3');
    expect(await w3).toEqual(['z', ['3', '2', '1']]);
    await store.flush();
    const expected = dumpKeyspace(store.engine);
    expect(expected[0]!.map(([k]) => k)).toEqual(['dst', 'q']);
    await store.close();
    const reopened = await openStore(options);
    expect(dumpKeyspace(reopened.engine)).toEqual(expected);
    await reopened.close();
  });

  it('parses every argument before serving or blocking', async () => {
    const { store } = blockingSetup();
    const err = (...argv: (string | number)[]) => errorText(store.execute(...argv));
    expect(err('BLPOP', 'q', 'x')).toBe('ERR timeout is not a float or out of range');
    expect(err('BLPOP', 'q', '-0.001')).toBe('ERR timeout is negative');
    expect(err('BLMOVE', 'q', 'd', 'UP', 'LEFT', 'x')).toBe('ERR syntax error');
    expect(err('BLMPOP', 'x', '0', 'q', 'LEFT')).toBe('ERR numkeys should be greater than 0');
    expect(err('BLMPOP', 'x', '1', 'q', 'LEFT')).toBe('ERR timeout is not a float or out of range');
    expect(store.engine.blocking.count).toBe(0);
    expect(store.execute('LPOP', 'q', 'x')).toBeInstanceOf(ReplyError);
  });
});
