/// <reference lib="dom" />
/**
 * The tabs test page: one tab of a store that several tabs share through @lodis/web-worker, driven
 * from Node through `window.lodisTabs` (tabs-api.ts). Node opens it in many tabs at once.
 */
import { decodeBatch, type Subscription } from '@lodis/core';
import type { WorkerClient } from '@lodis/web-worker';
import { callResult, clock, createTestClient, message, plainLeadership, sleep } from './page-util.js';
import type { CallResult } from './api.js';
import type {
  IdbLogReport,
  LeadershipChange,
  LeadershipInfo,
  PublishResult,
  ReceivedMessage,
  TabsPage,
  TabsPageGlobals,
  TabsReport,
  WriterSpec,
  WriterStats,
} from './tabs-api.js';

const globals = globalThis as unknown as TabsPageGlobals;

let client: WorkerClient | null = null;
let label = '';

function current(): WorkerClient {
  if (!client) throw new Error('no client open: call lodisTabs.open(name, options) first');
  return client;
}


// ---- the write loop ----------------------------------------------------------------------------

/** Acknowledgements quieter than this (ms, while commands are outstanding) are recorded as a gap. */
const GAP_MS = 20;

class Writer {
  running = true;
  sent = 0;
  acked = 0;
  failed = 0;
  outstanding = 0;
  errors: string[] = [];
  gaps: { from: number; to: number }[] = [];
  firstAckAt = 0;
  lastAckAt = 0;
  /** Not yet reported to Node. */
  private newIncr: number[] = [];
  private newSets: number[] = [];
  private newErrors: string[] = [];
  private next = 0;
  private readonly inFlight: number;
  private readonly prefix: string;
  private reporting: Promise<void> = Promise.resolve();
  private readonly timer: ReturnType<typeof setInterval>;
  private settledWaiters: (() => void)[] = [];
  /** When outstanding last became non-zero, or the last ack: a gap runs from the later of the two. */
  private busySince = 0;

  constructor(
    private readonly c: WorkerClient,
    private readonly spec: WriterSpec,
  ) {
    this.inFlight = spec.inFlight ?? 50;
    this.prefix = spec.kind === 'set' ? spec.prefix : '';
    this.timer = setInterval(() => void this.report(), 25);
    this.pump();
  }

  private pump(): void {
    while (this.running && this.outstanding < this.inFlight) {
      if (this.outstanding++ === 0) this.busySince = Date.now();
      this.sent++;
      if (this.spec.kind === 'incr') {
        this.c.incr(this.spec.key).then(
          (v) => {
            this.newIncr.push(Number(v));
            this.ack();
          },
          (e: unknown) => this.fail(e),
        );
      } else {
        const i = this.next++;
        this.c.set(`${this.prefix}${i}`, `v${i}`).then(
          () => {
            this.newSets.push(i);
            this.ack();
          },
          (e: unknown) => this.fail(e),
        );
      }
    }
  }

  private ack(): void {
    const now = Date.now();
    const since = Math.max(this.busySince, this.lastAckAt);
    if (now - since > GAP_MS) this.gaps.push({ from: since, to: now });
    if (this.acked++ === 0) this.firstAckAt = now;
    this.lastAckAt = now;
    this.settle();
  }

  private fail(e: unknown): void {
    this.failed++;
    const m = message(e);
    if (this.errors.length < 20) this.errors.push(m);
    if (this.newErrors.length < 20) this.newErrors.push(m);
    this.settle();
  }

  private settle(): void {
    this.outstanding--;
    this.pump();
    if (this.outstanding === 0) for (const w of this.settledWaiters.splice(0)) w();
  }

  /** Send what was acknowledged since the last report to Node; resolves once Node has it. */
  report(): Promise<void> {
    const send = globals.__lodisTabs;
    if (!send || (this.newIncr.length === 0 && this.newSets.length === 0 && this.newErrors.length === 0)) return this.reporting;
    const r: TabsReport = {
      label,
      incr: this.newIncr,
      sets: this.newSets,
      prefix: this.prefix,
      sent: this.sent,
      failed: this.failed,
      errors: this.newErrors,
    };
    this.newIncr = [];
    this.newSets = [];
    this.newErrors = [];
    this.reporting = this.reporting.then(() => send(r)).catch(() => {});
    return this.reporting;
  }

  pause(): WriterStats {
    this.running = false;
    return this.stats();
  }

  async stop(timeoutMs: number): Promise<WriterStats> {
    this.running = false;
    if (this.outstanding > 0) {
      await Promise.race([new Promise<void>((r) => this.settledWaiters.push(r)), sleep(timeoutMs)]);
    }
    clearInterval(this.timer);
    await this.report();
    return this.stats();
  }

  stats(): WriterStats {
    return {
      sent: this.sent,
      acked: this.acked,
      failed: this.failed,
      outstanding: this.outstanding,
      errors: this.errors.slice(),
      gaps: this.gaps.slice(),
      firstAckAt: this.firstAckAt,
      lastAckAt: this.lastAckAt,
    };
  }
}

let writer: Writer | null = null;

// ---- leadership --------------------------------------------------------------------------------

let watching = false;
const changes: LeadershipChange[] = [];

async function watch(intervalMs: number): Promise<void> {
  let last = '';
  while (watching && client) {
    let l: LeadershipInfo;
    try {
      l = await client.leadership();
    } catch {
      return;
    }
    const sig = `${l.role}|${l.leader}|${l.term}`;
    if (sig !== last) {
      changes.push({ ...plain(l), at: Date.now() });
      last = sig;
    }
    await sleep(intervalMs);
  }
}

const plain = plainLeadership;

// ---- pub/sub -----------------------------------------------------------------------------------

const subscriptions = new Map<string, { sub: Subscription<string>; received: ReceivedMessage[] }>();

// ---- IndexedDB ---------------------------------------------------------------------------------

function request<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}

function openExisting(dbName: string): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const r = indexedDB.open(dbName);
    // No such database: do not create one.
    r.onupgradeneeded = () => r.transaction!.abort();
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error ?? new Error(`cannot open IndexedDB database ${dbName}`));
    r.onblocked = () => reject(new Error(`opening ${dbName} is blocked`));
  });
}

async function readLog(dbName: string, countKey: string | undefined): Promise<IdbLogReport> {
  const db = await openExisting(dbName);
  try {
    const tx = db.transaction(['meta', 'log'], 'readonly');
    const [meta, keys, values] = await Promise.all([
      request(tx.objectStore('meta').get('state')) as Promise<{ epoch: number; snapshot: { seq: number } | null } | undefined>,
      request(tx.objectStore('log').getAllKeys()) as Promise<number[]>,
      request(tx.objectStore('log').getAll()) as Promise<{ lastSeq: number; bytes: Uint8Array }[]>,
    ]);
    const problems: string[] = [];
    const problem = (p: string) => {
      if (problems.length < 20) problems.push(p);
    };
    const snapshotSeq = meta?.snapshot?.seq ?? null;
    const seen = new Set<string>();
    const keyOps: Record<string, number> = {};
    let acks = 0;
    let duplicateAcks = 0;
    const duplicateAckExamples: string[] = [];
    let ops = 0;
    let prevLast: number | null = null;
    for (let i = 0; i < keys.length; i++) {
      const firstSeq = keys[i]!;
      const { lastSeq, bytes } = values[i]!;
      if (prevLast === null) {
        if (snapshotSeq === null ? firstSeq !== 1 : firstSeq > snapshotSeq + 1) {
          problem(`the log starts at ${firstSeq}, after ${snapshotSeq === null ? 'seq 1 (no snapshot)' : `the snapshot's seq ${snapshotSeq} + 1`}`);
        }
      } else if (firstSeq !== prevLast + 1) {
        problem(
          firstSeq > prevLast + 1
            ? `gap: a record ends at ${prevLast}, the next starts at ${firstSeq}`
            : `overlap: a record ends at ${prevLast}, the next starts at ${firstSeq} (sequence numbers ${firstSeq}..${prevLast} twice)`,
        );
      }
      if (lastSeq < firstSeq) problem(`record ${firstSeq}: lastSeq ${lastSeq} before its firstSeq`);
      prevLast = lastSeq;
      let batch: ReturnType<typeof decodeBatch>;
      try {
        batch = decodeBatch(bytes);
      } catch (e) {
        problem(`record ${firstSeq}: ${message(e)}`);
        continue;
      }
      if (batch.firstSeq !== firstSeq) problem(`record ${firstSeq} decodes as starting at ${batch.firstSeq}`);
      if (batch.ops.length !== lastSeq - firstSeq + 1) {
        problem(`record ${firstSeq}..${lastSeq} holds ${batch.ops.length} ops, not ${lastSeq - firstSeq + 1}`);
      }
      ops += batch.ops.length;
      if (countKey !== undefined) {
        for (const op of batch.ops) {
          const key = op.argv[1];
          const k = key instanceof Uint8Array ? new TextDecoder().decode(key) : String(key);
          if (k !== countKey) continue;
          const a0 = op.argv[0];
          const cmd = (a0 instanceof Uint8Array ? new TextDecoder().decode(a0) : String(a0)).toLowerCase();
          keyOps[cmd] = (keyOps[cmd] ?? 0) + 1;
        }
      }
      for (const a of batch.acks) {
        acks++;
        const id = `${a.origin}#${a.n}`;
        if (seen.has(id)) {
          duplicateAcks++;
          if (duplicateAckExamples.length < 10) duplicateAckExamples.push(`${id} (again in record ${firstSeq})`);
        } else seen.add(id);
      }
    }
    return {
      epoch: meta?.epoch ?? -1,
      snapshotSeq,
      records: keys.length,
      firstSeq: keys.length ? keys[0]! : null,
      lastSeq: prevLast,
      ops,
      problems,
      acks,
      duplicateAcks,
      duplicateAckExamples,
      keyOps,
    };
  } finally {
    db.close();
  }
}

// ---- the API -----------------------------------------------------------------------------------

let stall: Promise<number> | null = null;

const page: TabsPage = {
  async open(name, options) {
    if (client) throw new Error('a client is already open in this tab');
    label = options.label;
    const t0 = performance.now();
    client = createTestClient(name, options);
    await client.ready;
    return performance.now() - t0;
  },

  async leadership() {
    return plain(await current().leadership());
  },

  call: (argv) => callResult(current(), argv),

  now: () => Date.now(),

  startWriter(spec) {
    if (writer?.running) throw new Error('a writer is already running in this tab');
    writer = new Writer(current(), spec);
  },

  pauseWriter() {
    if (!writer) throw new Error('no writer');
    return writer.pause();
  },

  stopWriter(timeoutMs = 30_000) {
    if (!writer) throw new Error('no writer');
    return writer.stop(timeoutMs);
  },

  writerStats() {
    if (!writer) throw new Error('no writer');
    return writer.stats();
  },

  watchLeadership(intervalMs = 5) {
    if (watching) return;
    watching = true;
    void watch(intervalMs);
  },

  leadershipChanges: () => changes.slice(),

  async subscribe(id, kind, names) {
    const received: ReceivedMessage[] = [];
    const onMessage = (m: { channel: string; message: string; pattern?: string }) => {
      const r: ReceivedMessage = { channel: m.channel, message: m.message, at: clock() };
      if (m.pattern !== undefined) r.pattern = m.pattern;
      received.push(r);
    };
    const c = current();
    const sub = kind === 'subscribe' ? await c.subscribe(names, { onMessage }) : await c.psubscribe(names, { onMessage });
    subscriptions.set(id, { sub, received });
  },

  received(id) {
    const s = subscriptions.get(id);
    if (!s) throw new Error(`no subscription ${id}`);
    return s.received.slice();
  },

  async unsubscribe(id) {
    await subscriptions.get(id)?.sub.unsubscribe();
    subscriptions.delete(id);
  },

  async publish(channel, msg): Promise<PublishResult> {
    const c = current();
    const sentAt = clock();
    const receivers = await c.publish(channel, msg);
    return { receivers: Number(receivers), sentAt, repliedAt: clock() };
  },

  stallWorker(ms) {
    stall = current()
      .stallWorker(ms)
      .then(() => Date.now());
  },

  stallDone() {
    if (!stall) throw new Error('no stall');
    return stall;
  },

  terminateWorker() {
    current().worker.terminate();
  },

  async checkSets(prefix, indices) {
    const c = current();
    let missing = 0;
    const examples: string[] = [];
    for (let from = 0; from < indices.length; from += 5_000) {
      const chunk = indices.slice(from, from + 5_000);
      const got = await Promise.all(chunk.map((i) => c.get(`${prefix}${i}`)));
      got.forEach((v, j) => {
        const i = chunk[j]!;
        if (v !== `v${i}`) {
          missing++;
          if (examples.length < 20) examples.push(`${prefix}${i} = ${JSON.stringify(v)}`);
        }
      });
    }
    return { missing, examples };
  },

  async close() {
    watching = false;
    for (const { sub } of subscriptions.values()) await sub.unsubscribe();
    subscriptions.clear();
    await client?.close();
    client = null;
  },

  async locks() {
    const q = await navigator.locks.query();
    const entries = (l: LockInfo[] | undefined) => (l ?? []).map((x) => ({ name: x.name ?? '', mode: x.mode ?? '', clientId: x.clientId ?? '' }));
    return { held: entries(q.held), pending: entries(q.pending) };
  },

  async idbProbe(name) {
    const db = await openExisting(`lodis:${name}`);
    try {
      const t0 = performance.now();
      await request(db.transaction(['meta'], 'readonly').objectStore('meta').get('state'));
      return performance.now() - t0;
    } finally {
      db.close();
    }
  },

  idbLog: (name, countKey) => readLog(`lodis:${name}`, countKey),
};

// Going into the back/forward cache freezes the page and its worker (the tests note it).
addEventListener('pagehide', (e) => {
  if (e.persisted) console.info('lodis e2e: pagehide persisted (into the back/forward cache)');
});

globals.lodisTabs = page;
document.title = 'lodis e2e: tabs ready';
