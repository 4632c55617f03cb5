/**
 * The tab's worker logic in Node (no Web Locks here, so single-tab mode), with fake-indexeddb:
 * batches in, replies out by id, pushes on the same port, session state. The several-tab
 * behaviour (election, forwarding, resends) is tested in real Chromium (e2e/tabs.test.ts).
 */
import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { PageBatch, WorkerToPage } from './protocol.js';
import { Tab } from './tab.js';

const open: Tab[] = [];
afterEach(async () => {
  for (const t of open.splice(0)) await t.close();
  vi.restoreAllMocks();
});

async function start(name: string): Promise<{ tab: Tab; send: (b: Omit<PageBatch, 'kind'>) => void; next: () => Promise<WorkerToPage> }> {
  const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
  const { port1, port2 } = new MessageChannel();
  const inbox: WorkerToPage[] = [];
  const waiting: ((m: WorkerToPage) => void)[] = [];
  port1.onmessage = (e: MessageEvent<WorkerToPage>) => {
    const w = waiting.shift();
    if (w) w(e.data);
    else inbox.push(e.data);
  };
  const tab = new Tab({ origin: 'page-1', name, durability: 'durable', leaderTimeout: 5000 }, port2);
  open.push(tab);
  await tab.start();
  expect(warn).toHaveBeenCalledWith(expect.stringContaining('single-tab mode'));
  return {
    tab,
    send: (b) => port1.postMessage({ kind: 'batch', ...b }),
    next: () => (inbox.length ? Promise.resolve(inbox.shift()!) : new Promise((r) => waiting.push(r))),
  };
}

describe('a tab without Web Locks', () => {
  it('leads alone and answers batches by command id', async () => {
    const { tab, send, next } = await start(`single-${Math.random()}`);
    expect(tab.leadership()).toMatchObject({ role: 'single', leader: tab.id });
    send({ first: 1, commands: [['SET', 'k', 'v'], ['GET', 'k'], ['INCR', 'k']], sessions: [0, 0, 0], buffers: [1], close: [] });
    expect(await next()).toEqual({
      kind: 'replies',
      ids: [1, 2, 3],
      replies: ['OK', new TextEncoder().encode('v'), { err: 'ERR value is not an integer or out of range' }],
    });
  });

  it('keeps sessions apart and pushes pub/sub messages on the port', async () => {
    const { send, next } = await start(`single-${Math.random()}`);
    // Replies come as commands complete (a write waits for IndexedDB, a SELECT does not): by id.
    const until = async (n: number) => {
      const replies = new Map<number, unknown>();
      const pushes: unknown[] = [];
      while (replies.size < n) {
        const m = await next();
        if (m.kind === 'replies') m.ids.forEach((id, i) => replies.set(id, m.replies[i]));
        else pushes.push(m);
      }
      return { replies: Object.fromEntries(replies), pushes };
    };
    send({ first: 1, commands: [['SELECT', '3'], ['SET', 'a', '1'], ['SUBSCRIBE', 'ch']], sessions: [1, 1, 2], buffers: [], close: [] });
    expect((await until(3)).replies).toEqual({ 1: 'OK', 2: 'OK', 3: [['subscribe', 'ch', 1]] });
    send({ first: 4, commands: [['GET', 'a'], ['PUBLISH', 'ch', 'hi']], sessions: [0, 0], buffers: [], close: [1] });
    const { replies, pushes } = await until(2);
    expect(replies).toEqual({ 4: null, 5: 1 });
    expect(pushes).toEqual([{ kind: 'push', session: 2, msg: ['message', 'ch', 'hi'].map((s) => new TextEncoder().encode(s)) }]);
  });

  it('answers other sessions while one is blocked, and serves it when a push comes', async () => {
    const { send, next } = await start(`single-${Math.random()}`);
    const enc = (x: string) => new TextEncoder().encode(x);
    send({ first: 1, commands: [['BLPOP', 'q', '0'], ['SET', 'k', 'v'], ['GET', 'k']], sessions: [1, 0, 0], buffers: [2], close: [] });
    const got = new Map<number, unknown>();
    while (got.size < 2) {
      const m = await next();
      if (m.kind === 'replies') m.ids.forEach((id, i) => got.set(id, m.replies[i]));
    }
    expect(Object.fromEntries(got)).toEqual({ 2: 'OK', 3: enc('v') }); // the BLPOP (1) still waits
    send({ first: 4, commands: [['RPUSH', 'q', 'job']], sessions: [0], buffers: [], close: [] });
    while (got.size < 4) {
      const m = await next();
      if (m.kind === 'replies') m.ids.forEach((id, i) => got.set(id, m.replies[i]));
    }
    expect(got.get(1)).toEqual(['q', 'job']);
    expect(got.get(4)).toBe(1);
  });
});
