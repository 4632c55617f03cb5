/// <reference lib="dom" />
/**
 * The test page: a Lodis store persisted to this origin's IndexedDB, driven from Node through
 * `window.lodis` (api.ts). Built by Vite from the workspace sources of @lodis/core and
 * @lodis/idb-persist (e2e/vite.config.ts aliases them), so the tests run what is in the tree.
 */
import { openPersisted, type Store } from './open.js';
import { OTHER_DB, toHex, workloadOp, type DumpEntry } from '../src/workload.js';
import type { CallResult, IssueOptions, IssueResult, LodisPage, OpenOptions, PageGlobals } from './api.js';

let store: Store | null = null;
/** One session per database the workload touches (SELECTed once). */
let sessions = new Map<number, Store>();
const events: { type: string; detail: unknown }[] = [];
let running: Promise<IssueResult> | null = null;

function current(): Store {
  if (!store) throw new Error('no store open: call lodis.open(name) first');
  return store;
}

async function session(db: number): Promise<Store> {
  let s = sessions.get(db);
  if (!s) {
    s = db === 0 ? current() : current().connect();
    if (db !== 0) await s.call('SELECT', db);
    sessions.set(db, s);
  }
  return s;
}

/** A macrotask yield (a task boundary: the next group-commit batch) not clamped to 4 ms as nested setTimeout is. */
const channel = new MessageChannel();
const yieldTask = () =>
  new Promise<void>((resolve) => {
    channel.port1.onmessage = () => resolve();
    channel.port2.postMessage(0);
  });

const reportAck = (): void => {
  const g = globalThis as unknown as PageGlobals;
  if (progress.reportScheduled || !g.__lodisAck) return;
  progress.reportScheduled = true;
  setTimeout(() => {
    progress.reportScheduled = false;
    g.__lodisAck?.(progress.acked, progress.maxAcked, progress.failures);
  }, 0);
};
const progress = { acked: 0, maxAcked: -1, failures: 0, reportScheduled: false };

async function issue(from: number, to: number, options: IssueOptions = {}): Promise<IssueResult> {
  const perTick = options.perTick ?? 100;
  const report = options.report ?? true;
  const sessionsByDb = new Map<number, Store>();
  for (const db of [0, OTHER_DB]) sessionsByDb.set(db, await session(db));
  progress.acked = 0;
  progress.maxAcked = -1;
  progress.failures = 0;
  const failed: Record<number, string> = {};
  const replies: Promise<unknown>[] = [];
  const startedAt = Date.now();
  for (let i = from; i < to; i++) {
    const op = workloadOp(i);
    const s = sessionsByDb.get(op.db)!;
    replies.push(
      s.call(...op.argv).then(
        () => {
          progress.acked++;
          if (i > progress.maxAcked) progress.maxAcked = i;
          if (report) reportAck();
        },
        (e: unknown) => {
          progress.failures++;
          if (Object.keys(failed).length < 20) failed[i] = String((e as Error)?.message ?? e);
          if (report) reportAck();
        },
      ),
    );
    if ((i - from + 1) % perTick === 0) await yieldTask();
  }
  await Promise.all(replies);
  return {
    acked: progress.acked,
    failed,
    failures: progress.failures,
    maxAcked: progress.maxAcked,
    startedAt,
    settledAt: Date.now(),
  };
}

async function dump(dbs?: number[]): Promise<DumpEntry[]> {
  const s = current().connect();
  const out: DumpEntry[] = [];
  try {
    for (const db of dbs ?? Array.from({ length: 16 }, (_, i) => i)) {
      await s.call('SELECT', db);
      let cursor = '0';
      do {
        const [next, keys] = (await s.call('SCAN', cursor, 'COUNT', 1000)) as [string, string[]];
        cursor = next;
        for (const key of keys) {
          const type = (await s.call('TYPE', key)) as string;
          if (type === 'none') continue; // expired between SCAN and TYPE
          const pexpiretime = Number(await s.call('PEXPIRETIME', key));
          const value = type === 'string' ? toHex((await s.callBuffer('GET', key)) as Uint8Array) : null;
          out.push({ db, key, type, pexpiretime, value });
        }
      } while (cursor !== '0');
    }
  } finally {
    void s.close();
  }
  return out;
}

function populateValue(i: number, valueBytes: number): string {
  const head = `${i}:`;
  return head + 'x'.repeat(Math.max(0, valueBytes - head.length));
}

async function populate(db: number, from: number, to: number, valueBytes: number): Promise<void> {
  const s = await session(db);
  for (let at = from; at < to; at += 10_000) {
    const replies: Promise<unknown>[] = [];
    for (let i = at; i < Math.min(to, at + 10_000); i++) replies.push(s.set(`fill:${i}`, populateValue(i, valueBytes)));
    await Promise.all(replies);
  }
}

/**
 * Open an existing store's database as is. One that does not exist is not created (an empty
 * database of version 1 would make the store's own open skip its upgrade and find no stores).
 */
function idbOpen(dbName: string): Promise<IDBDatabase> {
  return new Promise<IDBDatabase>((resolve, reject) => {
    const req = indexedDB.open(dbName);
    req.onupgradeneeded = () => req.transaction!.abort();
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error?.name === 'AbortError' ? new Error(`${dbName} does not exist`) : req.error);
  });
}

async function idbDamageLastLogRecord(dbName: string, how: 'flip' | 'truncate'): Promise<number> {
  const db = await idbOpen(dbName);
  try {
    return await new Promise<number>((resolve, reject) => {
      const tx = db.transaction('log', 'readwrite');
      const cursorReq = tx.objectStore('log').openCursor(null, 'prev');
      let key = -1;
      cursorReq.onsuccess = () => {
        const cursor = cursorReq.result;
        if (!cursor) return reject(new Error(`${dbName}: the log is empty`));
        key = cursor.key as number;
        const record = cursor.value as { lastSeq: number; bytes: Uint8Array };
        const bytes = record.bytes.slice();
        if (how === 'flip') bytes[bytes.length >> 1]! ^= 0x20;
        cursor.update({ ...record, bytes: how === 'flip' ? bytes : bytes.subarray(0, bytes.length >> 1).slice() });
      };
      tx.oncomplete = () => resolve(key);
      tx.onerror = () => reject(tx.error);
    });
  } finally {
    db.close();
  }
}

async function idbInspect(dbName: string): Promise<Record<string, { count: number; keys: unknown[]; values?: unknown[] }>> {
  const db = await idbOpen(dbName);
  const request = <T>(req: IDBRequest<T>) =>
    new Promise<T>((resolve, reject) => {
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
  try {
    const out: Record<string, { count: number; keys: unknown[]; values?: unknown[] }> = {};
    const names = Array.from(db.objectStoreNames);
    if (names.length === 0) return out;
    const tx = db.transaction(names, 'readonly');
    for (const n of names) {
      const keys = await request(tx.objectStore(n).getAllKeys());
      out[n] = { count: keys.length, keys: keys.slice(0, 200) };
      if (keys.length <= 10) out[n].values = await request(tx.objectStore(n).getAll());
    }
    return out;
  } finally {
    db.close();
  }
}

const api: LodisPage = {
  async open(name, options = {}) {
    if (store) await api.close();
    const t0 = performance.now();
    store = await openPersisted(name, options, (e) => events.push(e));
    return performance.now() - t0;
  },
  async close() {
    const s = store;
    store = null;
    for (const [db, x] of sessions) if (db !== 0) void x.close();
    sessions = new Map();
    if (s) await s.close();
  },
  async call(argv, db = 0): Promise<CallResult> {
    try {
      return { ok: await (await session(db)).call(...argv) };
    } catch (e) {
      return { error: String((e as Error)?.message ?? e) };
    }
  },
  issue,
  startIssue(from, to, options) {
    running = issue(from, to, options);
    running.catch(() => {});
  },
  issued() {
    if (!running) return Promise.reject(new Error('nothing issued'));
    return running;
  },
  dump,
  populate,
  populateValue,
  info: async (section = 'persistence') => String(await current().call('INFO', section)),
  events: () => events.slice(),
  idbDatabases: async () =>
    (await indexedDB.databases()).map((d) => ({ name: d.name ?? '', version: d.version ?? 0 })),
  idbInspect,
  idbDamageLastLogRecord,
};

(globalThis as unknown as PageGlobals).lodis = api;
document.title = 'lodis e2e: ready';
