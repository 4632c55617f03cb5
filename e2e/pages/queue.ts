/// <reference lib="dom" />
/**
 * The queue test page: one tab of a store shared by several through @lodis/web-worker, acting as
 * the producer or the worker of the guide's email queue, done reliably (Redis' RPOPLPUSH pattern):
 *
 *   producer:  LPUSH email_queue job:0 … job:99                (a batch per command)
 *   worker:    job = BLMOVE email_queue processing RIGHT LEFT 0  (one session per loop: it blocks)
 *              HINCRBY processed <job> 1                         (the "email sent")
 *              LREM processing 1 <job>                           (the ack)
 *   (re)start: for every job left in processing: HEXISTS processed <job> ? LREM : process, LREM
 *
 * Driven from Node through `window.lodisQueue` (queue-api.ts).
 */
import type { WorkerClient } from '@lodis/web-worker';
import { callResult, clock, createTestClient, message, plainLeadership, sleep } from './page-util.js';
import type { CallResult } from './api.js';
import {
  PROCESSED,
  PROCESSING,
  QUEUE,
  STOP,
  type LeadershipInfo,
  type ProducerStats,
  type ProduceSpec,
  type QueueCheck,
  type QueuePage,
  type QueuePageGlobals,
  type RecoveryStats,
  type WorkerSpec,
  type WorkerStats,
} from './queue-api.js';

const globals = globalThis as unknown as QueuePageGlobals;

let client: WorkerClient | null = null;
let label = '';

function current(): WorkerClient {
  if (!client) throw new Error('no client open: call lodisQueue.open(name, options) first');
  return client;
}


async function blockedClients(c: WorkerClient): Promise<number> {
  const info = String(await c.call('INFO', 'clients'));
  const m = /^blocked_clients:(\d+)/m.exec(info);
  if (!m) throw new Error(`INFO clients has no blocked_clients:\n${info}`);
  return Number(m[1]);
}

// ---- the producer ------------------------------------------------------------------------------

let producer: ProducerStats | null = null;

async function produce(c: WorkerClient, spec: ProduceSpec, s: ProducerStats): Promise<void> {
  for (let from = spec.from; from < spec.to; from += spec.batch) {
    const jobs: string[] = [];
    for (let i = from; i < Math.min(spec.to, from + spec.batch); i++) jobs.push(`${spec.prefix}${i}`);
    const t0 = performance.now();
    s.inFlight = true;
    try {
      const length = await c.lpush(QUEUE, ...jobs);
      s.pushed += jobs.length;
      s.maxLength = Math.max(s.maxLength, length);
    } catch (e) {
      if (s.errors.length < 20) s.errors.push(`LPUSH ${jobs[0]}…: ${message(e)}`);
    }
    s.inFlight = false;
    s.maxLpushMs = Math.max(s.maxLpushMs, performance.now() - t0);
    s.batches++;
    if (spec.drainEvery && s.batches % spec.drainEvery === 0 && from + spec.batch < spec.to) {
      // Let the worker empty the queue and block before the next batches.
      const deadline = performance.now() + (spec.drainTimeoutMs ?? 3000);
      for (;;) {
        let blocked = 0;
        try {
          blocked = await blockedClients(c);
        } catch (e) {
          if (s.errors.length < 20) s.errors.push(`INFO clients: ${message(e)}`);
        }
        if (blocked > 0) {
          s.sawBlocked++;
          break;
        }
        if (performance.now() > deadline) {
          s.drainTimeouts++;
          break;
        }
        await sleep(5);
      }
    }
  }
  s.done = true;
  s.finishedAt = clock();
}

// ---- the worker --------------------------------------------------------------------------------

class QueueWorker {
  readonly stats: WorkerStats;
  private readonly sessions: WorkerClient[] = [];
  private readonly done: Promise<void>[] = [];
  private readonly received = new Map<string, number>();

  constructor(
    private readonly c: WorkerClient,
    private readonly spec: WorkerSpec,
  ) {
    this.stats = {
      label,
      loops: spec.loops,
      running: 0,
      waitingSince: Array.from({ length: spec.loops }, () => null),
      blmoves: 0,
      slowBlmoves: 0,
      maxBlmoveMs: 0,
      processed: 0,
      receivedTwice: [],
      hincrNotOne: [],
      lremNotOne: [],
      recovery: null,
      errors: [],
      firstJobAt: 0,
      lastJobAt: 0,
    };
  }

  private error(what: string, e: unknown): void {
    if (this.stats.errors.length < 20) this.stats.errors.push(`${what}: ${message(e)}`);
  }

  /** The reliable-queue recovery, then the loops. */
  async start(): Promise<RecoveryStats> {
    const s = this.c.connect();
    try {
      this.stats.recovery = await this.recover(s);
    } finally {
      await s.close();
    }
    for (let k = 0; k < this.spec.loops; k++) {
      const session = this.c.connect();
      this.sessions.push(session);
      this.stats.running++;
      this.done.push(this.loop(session, k).finally(() => this.stats.running--));
    }
    return this.stats.recovery;
  }

  /** Every job left in `processing` by a worker that went away: done (HEXISTS) → ack; else process, ack. */
  private async recover(s: WorkerClient): Promise<RecoveryStats> {
    const t0 = performance.now();
    const r: RecoveryStats = { found: 0, alreadyDone: 0, redone: 0, stops: 0, jobs: [], ms: 0 };
    let left: string[] = [];
    try {
      left = await s.lrange(PROCESSING, 0, -1);
    } catch (e) {
      this.error('LRANGE processing', e);
    }
    for (const job of left) {
      try {
        if (job.startsWith(STOP)) {
          r.stops++;
          await s.lrem(PROCESSING, 1, job);
          continue;
        }
        r.found++;
        r.jobs.push(job);
        if ((await s.hexists(PROCESSED, job)) === 1) {
          r.alreadyDone++;
          await this.ack(s, job);
        } else {
          r.redone++;
          await this.process(s, job);
          await this.ack(s, job);
        }
      } catch (e) {
        this.error(`recovering ${job}`, e);
      }
    }
    r.ms = performance.now() - t0;
    return r;
  }

  /** "Send the email": count it. A reply other than 1 means it was sent twice. */
  private async process(s: WorkerClient, job: string): Promise<void> {
    const n = await s.hincrby(PROCESSED, job, 1);
    if (Number(n) !== 1) this.stats.hincrNotOne.push(`${job}=${n}`);
  }

  private async ack(s: WorkerClient, job: string): Promise<void> {
    const removed = await s.lrem(PROCESSING, 1, job);
    if (removed !== 1) this.stats.lremNotOne.push(`${job}=${removed}`);
  }

  private async loop(s: WorkerClient, k: number): Promise<void> {
    const st = this.stats;
    for (;;) {
      let job: string | null;
      const t0 = clock();
      st.waitingSince[k] = t0;
      try {
        job = await s.blmove(QUEUE, PROCESSING, 'right', 'left', 0);
      } catch (e) {
        st.waitingSince[k] = null;
        this.error('BLMOVE', e);
        await sleep(50);
        continue;
      } finally {
        st.waitingSince[k] = null;
      }
      const at = clock();
      st.blmoves++;
      const ms = at - t0;
      if (ms >= 20) st.slowBlmoves++;
      if (ms > st.maxBlmoveMs) st.maxBlmoveMs = ms;
      if (job === null) continue; // timeout 0: never
      if (job.startsWith(STOP)) {
        try {
          await s.lrem(PROCESSING, 1, job);
        } catch (e) {
          this.error(`LREM ${job}`, e);
        }
        return;
      }
      if (this.received.has(job)) st.receivedTwice.push(job);
      else this.received.set(job, at);
      try {
        await this.process(s, job);
      } catch (e) {
        this.error(`HINCRBY ${job}`, e);
        continue; // not acknowledged: left in processing for a recovery
      }
      try {
        await this.ack(s, job);
      } catch (e) {
        this.error(`LREM ${job}`, e);
        continue;
      }
      st.processed++;
      if (st.firstJobAt === 0) st.firstJobAt = at;
      st.lastJobAt = clock();
    }
  }

  receivedAt(job: string): number | null {
    return this.received.get(job) ?? null;
  }

  async stop(timeoutMs: number): Promise<WorkerStats> {
    const running = this.stats.running;
    if (running > 0) {
      const stops: string[] = [];
      for (let k = 0; k < running; k++) stops.push(`${STOP}${label}:${k}`);
      try {
        await this.c.lpush(QUEUE, ...stops);
      } catch (e) {
        this.error('LPUSH stop markers', e);
      }
      await Promise.race([Promise.all(this.done), sleep(timeoutMs)]);
    }
    if (this.stats.running === 0) for (const s of this.sessions.splice(0)) await s.close();
    return this.snapshot();
  }

  snapshot(): WorkerStats {
    const s = this.stats;
    return {
      ...s,
      waitingSince: s.waitingSince.slice(),
      receivedTwice: s.receivedTwice.slice(),
      hincrNotOne: s.hincrNotOne.slice(),
      lremNotOne: s.lremNotOne.slice(),
      errors: s.errors.slice(),
      recovery: s.recovery && { ...s.recovery, jobs: s.recovery.jobs.slice() },
    };
  }
}

let worker: QueueWorker | null = null;

function currentWorker(): QueueWorker {
  if (!worker) throw new Error('no worker: call lodisQueue.startWorker(spec) first');
  return worker;
}

// ---- the API -----------------------------------------------------------------------------------

const plain = plainLeadership;

const call = (argv: (string | number)[]): Promise<CallResult> => callResult(current(), argv);

const page: QueuePage = {
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

  call,

  async timedCall(argv) {
    const t0 = performance.now();
    const result = await call(argv);
    return { result, ms: performance.now() - t0 };
  },

  blockedClients: () => blockedClients(current()),

  clock,

  startProducing(spec) {
    if (producer && !producer.done) throw new Error('already producing');
    const s: ProducerStats = (producer = {
      pushed: 0,
      batches: 0,
      errors: [],
      done: false,
      startedAt: clock(),
      finishedAt: 0,
      sawBlocked: 0,
      drainTimeouts: 0,
      maxLength: 0,
      inFlight: false,
      maxLpushMs: 0,
    });
    void produce(current(), spec, s).catch((e: unknown) => s.errors.push(`producer: ${message(e)}`));
  },

  producerStats() {
    if (!producer) throw new Error('not producing');
    return { ...producer, errors: producer.errors.slice() };
  },

  async timedLpush(job) {
    const c = current();
    const sentAt = clock();
    const length = await c.lpush(QUEUE, job);
    return { length, sentAt, repliedAt: clock() };
  },

  async startWorker(spec) {
    if (worker) throw new Error('a worker is already running in this tab');
    worker = new QueueWorker(current(), spec);
    return worker.start();
  },

  workerStats: () => currentWorker().snapshot(),

  receivedAt: (job) => currentWorker().receivedAt(job),

  stopWorker: (timeoutMs = 30_000) => currentWorker().stop(timeoutMs),

  async check(jobs) {
    const c = current();
    const [hash, hlen, queueLength, processingLength] = await Promise.all([
      c.hgetall(PROCESSED),
      c.hlen(PROCESSED),
      c.llen(QUEUE),
      c.llen(PROCESSING),
    ]);
    const counts = new Map(Object.entries(hash ?? {}));
    const r: QueueCheck = {
      hlen,
      missing: [],
      missingCount: 0,
      notOne: [],
      notOneCount: 0,
      unexpected: [],
      unexpectedCount: 0,
      queueLength,
      processingLength,
    };
    const expected = new Set(jobs);
    for (const job of jobs) {
      const n = counts.get(job);
      if (n === undefined) {
        if (r.missingCount++ < 20) r.missing.push(job);
      } else if (n !== '1') {
        if (r.notOneCount++ < 20) r.notOne.push(`${job}=${n}`);
      }
    }
    for (const [job, n] of counts) {
      if (!expected.has(job) && r.unexpectedCount++ < 20) r.unexpected.push(`${job}=${n}`);
    }
    return r;
  },

  async close() {
    await client?.close();
    client = null;
  },
};

globals.lodisQueue = page;
document.title = 'lodis e2e: queue ready';
