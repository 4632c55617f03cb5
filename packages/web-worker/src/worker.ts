/// <reference lib="dom" />
/**
 * The worker entry (a module worker): one per tab. Comlink exposes the control API (open, close,
 * leadership, a test hook); commands and replies stream over the MessagePort handed over at
 * `open`. The Tab (tab.ts) joins the store's other tabs: it leads (runs the engine on IndexedDB)
 * or forwards to the leader.
 *
 * Started by client.ts as `new Worker(new URL('./worker.js', import.meta.url), { type: 'module' })`.
 */
import * as Comlink from 'comlink';
import type { Leadership, OpenRequest, WorkerApi } from './protocol.js';
import { Tab } from './tab.js';

let tab: Tab | null = null;

const api: WorkerApi = {
  async open(request: OpenRequest, port: MessagePort): Promise<void> {
    if (tab) throw new Error('Lodis worker: the store is already open');
    tab = new Tab(
      { origin: request.origin, name: request.name, durability: request.durability, leaderTimeout: request.leaderTimeout },
      port,
    );
    await tab.start();
  },

  async close(): Promise<void> {
    await tab?.close();
  },

  async leadership(): Promise<Leadership> {
    if (!tab) throw new Error('Lodis worker: not open');
    return tab.leadership();
  },

  async keyWatchStats() {
    if (!tab) throw new Error('Lodis worker: not open');
    return tab.keyWatchStats();
  },

  async stall(ms: number): Promise<void> {
    const until = performance.now() + ms;
    while (performance.now() < until) {
      // a busy thread: no message, timer or IndexedDB event runs meanwhile
    }
  },
};

Comlink.expose(api);
