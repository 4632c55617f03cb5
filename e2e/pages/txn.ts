/// <reference lib="dom" />
/**
 * The transactions page: one tab of a store shared by several through @lodis/web-worker, running
 * WATCH/MULTI/EXEC on named sessions, typed `multi()` loops, and `watchKeys`, driven from Node
 * through `window.lodisTxn` (txn-api.ts).
 */
import type { KeyChanges } from '@lodis/core';
import { createClient, type WorkerClient } from '@lodis/web-worker';
import { clock, message } from './page-util.js';
import type { CallResult } from './api.js';
import type { CounterStats, KeyWatchStatsInfo, LeadershipInfo, ReceivedChange, TxnPage, TxnPageGlobals } from './txn-api.js';

const globals = globalThis as unknown as TxnPageGlobals;

let client: WorkerClient | null = null;
const sessions = new Map<string, WorkerClient>();
const watches = new Map<number, { changes: ReceivedChange[]; stop: () => void }>();
let nextWatch = 1;

function current(): WorkerClient {
  if (!client) throw new Error('no client open: call lodisTxn.open(name, options) first');
  return client;
}

function session(name: string): WorkerClient {
  if (name === '') return current();
  let s = sessions.get(name);
  if (s === undefined) sessions.set(name, (s = current().connect()));
  return s;
}


async function result(p: Promise<unknown>): Promise<CallResult> {
  try {
    return { ok: await p };
  } catch (e) {
    return { error: message(e) };
  }
}

const api: TxnPage = {
  async open(name, options) {
    const t0 = performance.now();
    client = createClient({ name, durability: 'durable', leaderTimeout: options.leaderTimeout ?? 5000 });
    await client.ready;
    return performance.now() - t0;
  },

  async leadership(): Promise<LeadershipInfo> {
    return { ...(await current().leadership()) };
  },

  call(name, argv) {
    return result(session(name).call(...argv));
  },

  multi(name, commands) {
    const tx = session(name).multi();
    for (const argv of commands) tx.call(...argv);
    return result(tx.exec());
  },

  async multiIncrements(a, b, n) {
    const c = current();
    const s: CounterStats = { committed: 0, retries: 0, interleaved: 0, errors: [], ms: 0 };
    const t0 = performance.now();
    for (let i = 0; i < n; i++) {
      try {
        const [x, y] = (await c.multi().incr(a).incr(b).exec())!;
        s.committed++;
        if (x !== y) s.interleaved++;
      } catch (e) {
        if (s.errors.length < 20) s.errors.push(message(e));
      }
    }
    s.ms = performance.now() - t0;
    return s;
  },

  async casIncrements(key, n) {
    const c = current().connect();
    const s: CounterStats = { committed: 0, retries: 0, interleaved: 0, errors: [], ms: 0 };
    const t0 = performance.now();
    try {
      while (s.committed < n) {
        try {
          await c.call('WATCH', key);
          const v = Number((await c.get(key)) ?? 0);
          const r = await c.multi().set(key, v + 1).exec();
          if (r === null) s.retries++;
          else s.committed++;
        } catch (e) {
          if (s.errors.length < 20) s.errors.push(message(e));
          if (s.errors.length >= 20) break;
        }
      }
    } finally {
      await c.close();
    }
    s.ms = performance.now() - t0;
    return s;
  },

  watchKeys(pattern, db) {
    const id = nextWatch++;
    const changes: ReceivedChange[] = [];
    const stop = current().watchKeys(pattern, (c) => changes.push({ ...c, at: clock() }), db === undefined ? {} : { db });
    watches.set(id, { changes, stop });
    return id;
  },

  changes(id) {
    return watches.get(id)?.changes ?? [];
  },

  unwatchKeys(id) {
    watches.get(id)?.stop();
  },

  async watchCycles(n) {
    const c = current();
    for (let i = 0; i < n; i++) {
      if (i % 2 === 0) c.watchKeys(`cycle:${i}`, () => {})();
      else {
        const it: KeyChanges = c.keyChanges(`cycle:${i}`);
        await it.return();
      }
      if (i % 500 === 0) await c.set(`cycle:${i}`, i); // let the messages flow meanwhile
    }
    await c.ping(); // behind every unwatch on the way to the worker
    return api.keyWatchStats();
  },

  async keyWatchStats(): Promise<KeyWatchStatsInfo> {
    const s = await current().keyWatchStats();
    return { page: s.page, tab: s.tab, leader: s.leader ? { ...s.leader } : null };
  },

  clock,

  async close() {
    for (const w of watches.values()) w.stop();
    watches.clear();
    sessions.clear();
    await client?.close();
    client = null;
  },
};

globals.lodisTxn = api;
