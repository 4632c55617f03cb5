/**
 * The leader and a tab's worker in Node (BroadcastChannel is Node's; no Web Locks: single-tab mode
 * for the Tab, the Leader driven directly for another tab's messages): reactive key watches —
 * registered by the page or by another tab, changes batched per microtask, stopped by unwatch,
 * nothing left after 10,000 cycles — and transactions: a MULTI … EXEC batch, and a session set up
 * again with its transaction doomed (RestoreDirective) failing its EXEC as Redis would.
 */
import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Store } from '@lodis/core';
import { Leader, type LocalOp, type LocalResult } from './leader.js';
import { names, type KeyChangeBatch, type OpBatch, type PageBatch, type PageToWorker, type RequestMessage, type TabMessage, type WorkerToPage } from './protocol.js';
import { restoreDirective } from './session-state.js';
import { Tab } from './tab.js';

const closing: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of closing.splice(0).reverse()) await c();
  vi.restoreAllMocks();
});

/** A queue of messages with `next()` and a check that nothing else came. */
function inbox<T>() {
  const queue: T[] = [];
  const waiting: ((m: T) => void)[] = [];
  return {
    push(m: T) {
      const w = waiting.shift();
      if (w) w(m);
      else queue.push(m);
    },
    next(): Promise<T> {
      return queue.length ? Promise.resolve(queue.shift()!) : new Promise((r) => waiting.push(r));
    },
    get queued(): T[] {
      return queue;
    },
  };
}

const settle = () => new Promise((r) => setTimeout(r, 20));

describe('a tab’s worker (single-tab mode)', () => {
  async function start() {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const { port1, port2 } = new MessageChannel();
    const box = inbox<WorkerToPage>();
    port1.onmessage = (e: MessageEvent<WorkerToPage>) => box.push(e.data);
    const tab = new Tab({ origin: 'page-1', name: `leader-test-${Math.random()}`, durability: 'memory', leaderTimeout: 5000 }, port2);
    closing.push(() => tab.close());
    await tab.start();
    const send = (m: PageToWorker) => port1.postMessage(m);
    const batch = (b: Omit<PageBatch, 'kind' | 'buffers' | 'close'> & Partial<PageBatch>) => send({ kind: 'batch', buffers: [], close: [], ...b });
    /** Replies by id until `n` are in, and the key changes that came meanwhile. */
    const until = async (n: number) => {
      const replies = new Map<number, unknown>();
      const changes: KeyChangeBatch[] = [];
      while (replies.size < n) {
        const m = await box.next();
        if (m.kind === 'replies') m.ids.forEach((id, i) => replies.set(id, m.replies[i]));
        else if (m.kind === 'key-changes') changes.push({ watches: m.watches, keys: m.keys, events: m.events, dbs: m.dbs });
      }
      return { replies: Object.fromEntries(replies), changes };
    };
    return { send, batch, until, box };
  }

  it('sends the page the changes of its watched keys, before their replies, until it unwatches', async () => {
    const { send, batch, until, box } = await start();
    send({ kind: 'watch-keys', id: 7, pattern: 'cart:*', db: null });
    send({ kind: 'watch-keys', id: 8, pattern: '*', db: 3 });
    batch({ first: 1, commands: [['HSET', 'cart:1', 'apple', '1'], ['SET', 'user', 'x'], ['SELECT', 3], ['DEL', 'cart:1'], ['SADD', 'cart:2', 'a']], sessions: [0, 0, 1, 0, 1] });
    const first = await until(5);
    expect(first.changes).toEqual([
      { watches: [7, 7, 7, 8], keys: ['cart:1', 'cart:1', 'cart:2', 'cart:2'], events: ['hset', 'del', 'sadd', 'sadd'], dbs: [0, 0, 3, 3] },
    ]);
    send({ kind: 'unwatch-keys', id: 7 });
    send({ kind: 'unwatch-keys', id: 8 });
    batch({ first: 6, commands: [['SET', 'cart:3', 'v']], sessions: [0] });
    expect((await until(1)).changes).toEqual([]);
    await settle();
    expect(box.queued).toEqual([]);
  });

  it('runs a MULTI … EXEC batch whole, and fails the EXEC of a session restored doomed', async () => {
    const { batch, until } = await start();
    batch({ first: 1, commands: [['MULTI'], ['INCR', 'n'], ['INCR', 'n'], ['EXEC']], sessions: [1, 1, 1, 1] });
    expect((await until(4)).replies).toEqual({ 1: 'OK', 2: 'QUEUED', 3: 'QUEUED', 4: [1, 2] });
    // A page whose worker restarted sets its sessions up again: 2 was watching, 3 was in MULTI.
    batch({ first: 5, commands: [restoreDirective(true, false), restoreDirective(false, true)], sessions: [2, 3], restore: [0, 1] });
    batch({
      first: 7,
      commands: [['MULTI'], ['INCR', 'n'], ['EXEC'], ['INCR', 'n'], ['EXEC'], ['GET', 'n']],
      sessions: [2, 2, 2, 3, 3, 0],
    });
    expect((await until(8)).replies).toEqual({
      5: 'OK',
      6: 'OK',
      7: 'OK',
      8: 'QUEUED',
      9: null,
      10: 'QUEUED',
      11: { err: 'EXECABORT Transaction discarded because of previous errors.' },
      12: '2',
    });
  });
});

describe('the leader, for another tab', () => {
  async function lead() {
    const name = `leader-test-${Math.random()}`;
    const local = { changes: [] as KeyChangeBatch[], settled: [] as [LocalOp, LocalResult][] };
    const leader = new Leader(name, 'memory', 'L', 'origin-L', null, {
      settled: (op, r) => local.settled.push([op, r]),
      push: () => {},
      fenced: () => {},
      keyChanges: (b) => local.changes.push(b),
    });
    await leader.open();
    closing.push(() => leader.close());
    const requests = new BroadcastChannel(names.requests(name));
    const tabChannel = new BroadcastChannel(names.tab(name, 'F'));
    closing.push(() => {
      requests.close();
      tabChannel.close();
    });
    const box = inbox<TabMessage>();
    tabChannel.onmessage = (e: MessageEvent<TabMessage>) => box.push(e.data);
    const request = (m: RequestMessage) => requests.postMessage(m);
    let n = 1;
    const ops = (commands: unknown[][], sessions: number[], extra: Partial<OpBatch> = {}) => {
      const ns = commands.map(() => n++);
      request({ kind: 'ops', to: 'L', tab: 'F', origin: 'origin-F', ns, commands: commands as OpBatch['commands'], sessions, buffers: [], close: [], ...extra });
      return ns;
    };
    const engine = () => (leader as unknown as { store: Store }).store.engine;
    const watchMap = () => (leader as unknown as { keyWatches: Map<string, unknown> }).keyWatches;
    return { leader, local, request, ops, box, engine, watchMap };
  }

  it('sends a tab the changes of its watched keys, one message per microtask, and stops at unwatch', async () => {
    const { request, ops, box, engine, watchMap, leader, local } = await lead();
    request({ kind: 'watch-keys', to: 'L', tab: 'F', id: 1, pattern: 'k?', db: null });
    leader.watchLocalKeys(9, 'k1', null);
    ops([['SET', 'k1', '1'], ['MSET', 'k2', 'b', 'kk3', 'c'], ['INCR', 'k1']], [0, 0, 0]);
    const got: TabMessage[] = [];
    while (got.filter((m) => m.kind === 'replies').reduce((a, m) => a + (m as { ns: number[] }).ns.length, 0) < 3) got.push(await box.next());
    expect(got.filter((m) => m.kind === 'key-changes')).toEqual([
      { kind: 'key-changes', from: 'L', watches: [1, 1, 1], keys: ['k1', 'k2', 'k1'], events: ['set', 'set', 'incrby'], dbs: [0, 0, 0] },
    ]);
    expect(local.changes).toEqual([{ watches: [9, 9], keys: ['k1', 'k1'], events: ['set', 'incrby'], dbs: [0, 0] }]);
    request({ kind: 'unwatch-keys', to: 'L', tab: 'F', id: 1 });
    leader.unwatchKeys('L', 9);
    await settle();
    expect(engine().keyspaceObservers.size).toBe(0);
    expect(watchMap().size).toBe(0);
    ops([['SET', 'k1', 'z']], [0]);
    const after = await box.next();
    expect(after.kind).toBe('replies');
    await settle();
    expect(box.queued).toEqual([]);
  });

  it('leaves nothing behind after 10,000 watch/unwatch cycles of another tab', async () => {
    const { request, engine, watchMap, ops, box } = await lead();
    for (let i = 0; i < 10_000; i++) {
      request({ kind: 'watch-keys', to: 'L', tab: 'F', id: i, pattern: `k${i}`, db: 0 });
      request({ kind: 'unwatch-keys', to: 'L', tab: 'F', id: i });
    }
    ops([['PING']], [0]);
    await box.next(); // every request before it has been handled
    expect(engine().keyspaceObservers.size).toBe(0);
    expect(watchMap().size).toBe(0);
  });

  it('forgets the watches of a tab that is gone', async () => {
    const { request, engine, ops, box, leader } = await lead();
    request({ kind: 'watch-keys', to: 'L', tab: 'F', id: 1, pattern: '*', db: null });
    ops([['PING']], [0]);
    await box.next();
    expect(engine().keyspaceObservers.size).toBe(1);
    (leader as unknown as { tabGone(id: string): void }).tabGone('F');
    expect(engine().keyspaceObservers.size).toBe(0);
  });

  it('dooms the transaction of a session another tab sets up again after a leader change', async () => {
    const { ops, box } = await lead();
    const replies = new Map<number, unknown>();
    const until = async (n: number) => {
      while (replies.size < n) {
        const m = await box.next();
        if (m.kind === 'replies') m.ns.forEach((k, i) => replies.set(k, m.replies[i]));
      }
    };
    // Session 1 was in MULTI (its INCR queued on the old leader, lost), session 2 was watching.
    ops([restoreDirective(false, true), restoreDirective(true, false)], [1, 2], { restore: [0, 1] });
    ops([['EXEC'], ['MULTI'], ['SET', 'k', 'v'], ['EXEC'], ['EXISTS', 'k']], [1, 2, 2, 2, 0]);
    await until(7);
    expect(Object.fromEntries(replies)).toEqual({
      1: 'OK',
      2: 'OK',
      3: { err: 'EXECABORT Transaction discarded because of previous errors.' },
      4: 'OK',
      5: 'QUEUED',
      6: null,
      7: 0,
    });
  });
});
