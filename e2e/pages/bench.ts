/// <reference lib="dom" />
/**
 * The browser benchmark page: Lodis persisted to IndexedDB next to idb-keyval and Dexie writing
 * the same records, in the same Chromium, driven by scripts/bench-idb.ts (bench-api.ts).
 */
import { Dexie } from 'dexie';
import {
  createStore as keyvalStore,
  promisifyRequest,
  set as keyvalSet,
  setMany as keyvalSetMany,
  type UseStore,
} from 'idb-keyval';
import type { OpenOptions } from './api.js';
import type { BenchGlobals, BenchPage, FillOptions, StallResult, Timed } from './bench-api.js';
import { openPersisted, type Store } from './open.js';

const pad = (i: number) => String(i).padStart(7, '0');
const key = (i: number) => `key:${pad(i)}`;
const value = (i: number) => `value:${pad(i)}`;

let opened: Store | null = null;

/** A macrotask yield that, unlike setTimeout, is not clamped to 4 ms when nested. */
const channel = new MessageChannel();
const yieldTask = () =>
  new Promise<void>((resolve) => {
    channel.port1.onmessage = () => resolve();
    channel.port2.postMessage(0);
  });

/** The durability Chromium gives a readwrite transaction opened with no option. */
async function defaultDurability(db: IDBDatabase, store: string): Promise<string> {
  const tx = db.transaction(store, 'readwrite');
  const d = (tx as IDBTransaction & { durability?: string }).durability ?? 'unknown';
  tx.abort();
  return d;
}

async function lodisWrites(o: { name: string; n: number; durability: 'durable' | 'strict' | 'interval' | 'memory'; perTick: number }): Promise<Timed> {
  const s = await openPersisted(o.name, { durability: o.durability });
  try {
    const t0 = performance.now();
    if (o.perTick < 0) {
      for (let i = 0; i < o.n; i++) await s.set(key(i), value(i));
    } else {
      const replies = new Array<Promise<unknown>>(o.n);
      for (let i = 0; i < o.n; i++) {
        replies[i] = s.set(key(i), value(i));
        if (o.perTick > 0 && (i + 1) % o.perTick === 0) await yieldTask();
      }
      await Promise.all(replies);
    }
    const ms = performance.now() - t0;
    const size = await s.dbsize();
    if (size !== o.n) throw new Error(`DBSIZE ${size} after ${o.n} SETs`);
    return { ms, n: o.n };
  } finally {
    await s.close();
  }
}

/** idb-keyval's createStore, with relaxed durability asked for on every transaction. */
function relaxedKeyvalStore(dbName: string, storeName: string): UseStore {
  const request = indexedDB.open(dbName);
  request.onupgradeneeded = () => request.result.createObjectStore(storeName);
  const db = promisifyRequest(request);
  return (txMode, callback) =>
    db.then((d) => callback(d.transaction(storeName, txMode, { durability: 'relaxed' }).objectStore(storeName)));
}

async function idbKeyval(o: { name: string; n: number; mode: 'awaited' | 'inflight' | 'setMany'; relaxed?: boolean }): Promise<Timed & { durability: string }> {
  const store = o.relaxed ? relaxedKeyvalStore(o.name, 'keyval') : keyvalStore(o.name, 'keyval');
  const durability = o.relaxed ? 'relaxed' : await store('readwrite', (s) => defaultDurability(s.transaction.db, 'keyval'));
  const t0 = performance.now();
  if (o.mode === 'awaited') {
    for (let i = 0; i < o.n; i++) await keyvalSet(key(i), value(i), store);
  } else if (o.mode === 'inflight') {
    const all = new Array<Promise<void>>(o.n);
    for (let i = 0; i < o.n; i++) all[i] = keyvalSet(key(i), value(i), store);
    await Promise.all(all);
  } else {
    const entries = new Array<[string, string]>(o.n);
    for (let i = 0; i < o.n; i++) entries[i] = [key(i), value(i)];
    await keyvalSetMany(entries, store);
  }
  return { ms: performance.now() - t0, n: o.n, durability };
}

async function dexie(o: { name: string; n: number; mode: 'bulkPut' | 'put' }): Promise<Timed & { durability: string }> {
  const db = new Dexie(o.name);
  db.version(1).stores({ kv: '' }); // out-of-line keys, as idb-keyval and Lodis' records
  await db.open();
  try {
    const table = db.table<string, string>('kv');
    const durability = await defaultDurability(db.backendDB(), 'kv');
    const t0 = performance.now();
    if (o.mode === 'put') {
      for (let i = 0; i < o.n; i++) await table.put(value(i), key(i));
    } else {
      const keys = new Array<string>(o.n);
      const values = new Array<string>(o.n);
      for (let i = 0; i < o.n; i++) {
        keys[i] = key(i);
        values[i] = value(i);
      }
      await table.bulkPut(values, keys);
    }
    return { ms: performance.now() - t0, n: o.n, durability };
  } finally {
    db.close();
  }
}

/** INFO persistence as a map. */
async function persistenceInfo(s: Store): Promise<Map<string, string>> {
  const text = String(await s.call('INFO', 'persistence'));
  const m = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const at = line.indexOf(':');
    if (at > 0) m.set(line.slice(0, at), line.slice(at + 1));
  }
  return m;
}

async function fill(o: FillOptions) {
  const s = await openPersisted(o.name, { durability: 'durable', compaction: o.compaction });
  try {
    const t0 = performance.now();
    const chunk = 10_000;
    for (let from = 0; from < o.n; from += chunk) {
      const replies: Promise<unknown>[] = [];
      for (let i = from; i < Math.min(o.n, from + chunk); i++) replies.push(s.set(key(i), value(i)));
      await Promise.all(replies);
    }
    const fillMs = performance.now() - t0;
    const t1 = performance.now();
    if (o.checkpoint === 'save') await s.call('SAVE');
    const checkpointMs = performance.now() - t1;
    return { fillMs, checkpointMs, info: String(await s.call('INFO', 'persistence')) };
  } finally {
    await s.close();
  }
}

async function open(o: { name: string; compaction?: OpenOptions['compaction'] }) {
  const t0 = performance.now();
  opened = await openPersisted(o.name, { durability: 'durable', compaction: o.compaction });
  const ms = performance.now() - t0;
  return { ms, dbsize: await opened.dbsize(), info: String(await opened.call('INFO', 'persistence')) };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length - 1) * p))]!;
}

/**
 * Issue a GET every `intervalMs` (at least) until `done()`, and record the gaps between
 * consecutive replies: what an app polling the store sees as the longest pause.
 */
async function probe(s: Store, intervalMs: number, done: () => boolean): Promise<number[]> {
  const gaps: number[] = [];
  let last = performance.now();
  while (!done()) {
    await s.get(key(1));
    const now = performance.now();
    gaps.push(now - last);
    last = now;
    while (performance.now() - now < intervalMs) await yieldTask();
  }
  return gaps.sort((a, b) => a - b);
}

async function compactionStall(o: { intervalMs: number; idleMs: number; settleMs: number }): Promise<StallResult> {
  const s = opened;
  if (!s) throw new Error('open a store first');
  await new Promise((r) => setTimeout(r, o.settleMs));
  const idleUntil = performance.now() + o.idleMs;
  const idle = await probe(s, o.intervalMs, () => performance.now() >= idleUntil);

  const t0 = performance.now();
  let finished = false;
  let compactionMs = 0;
  const reply = await s.call('BGREWRITEAOF');
  if (typeof reply !== 'string') throw new Error(`BGREWRITEAOF replied ${String(reply)}`);
  // Completion, as INFO persistence reports it (Redis: aof_rewrite_in_progress goes back to 0).
  const watcher = (async () => {
    for (;;) {
      await new Promise((r) => setTimeout(r, 5));
      const info = await persistenceInfo(s);
      if (info.get('aof_rewrite_in_progress') === '0' && info.get('aof_rewrite_scheduled') !== '1') break;
    }
    compactionMs = performance.now() - t0;
    finished = true;
  })();
  const gaps = await probe(s, o.intervalMs, () => finished);
  await watcher;
  const info = await persistenceInfo(s);
  if (info.get('aof_last_bgrewrite_status') !== 'ok') throw new Error(`BGREWRITEAOF failed: ${info.get('lodis_last_write_error')}`);
  return {
    compactionMs,
    commands: gaps.length,
    maxGap: gaps[gaps.length - 1] ?? 0,
    p99Gap: percentile(gaps, 0.99),
    p50Gap: percentile(gaps, 0.5),
    idleMaxGap: idle[idle.length - 1] ?? 0,
    idleP99Gap: percentile(idle, 0.99),
  };
}

const bench: BenchPage = {
  lodisWrites,
  idbKeyval,
  dexie,
  fill,
  open,
  compactionStall,
  usage: async () => (await navigator.storage.estimate()).usage ?? 0,
};

(globalThis as unknown as BenchGlobals).bench = bench;
document.title = 'lodis bench: ready';
