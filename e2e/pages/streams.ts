/// <reference lib="dom" />
/**
 * The streams test page: one tab of a store shared by several through @lodis/web-worker, acting
 * as the producer or as consumers of one consumer group:
 *
 *   producer:  XADD jobs * n <i>
 *   consumer:  XREADGROUP GROUP workers <label>:<k> COUNT c BLOCK 0 STREAMS jobs >   (one session per loop)
 *              HINCRBY processed <id> 1                                           (the work)
 *              XACK jobs workers <id>
 *   claimer:   XAUTOCLAIM jobs workers <label>:claimer <min-idle> 0-0 COUNT c     (until it returns 0-0)
 *              HEXISTS processed <id> ? XACK : HINCRBY, XACK                      (what a gone consumer left)
 *
 * Driven from Node through `window.lodisStreams` (streams-api.ts); every XACK is announced to
 * Node before it is sent, and its reply reported after (`window.__lodisStreams`).
 */
import type { WorkerClient } from '@lodis/web-worker';
import { callResult, clock, createTestClient, message, plainLeadership, sleep } from './page-util.js';
import type { CallResult } from './api.js';
import type { LeadershipInfo } from './queue-api.js';
import {
  GROUP,
  PROCESSED,
  STOP_FIELD,
  STREAM,
  type ClaimSpec,
  type ConsumeSpec,
  type ConsumerStats,
  type ProducerStats,
  type ProduceSpec,
  type StreamsCheck,
  type StreamsPage,
  type StreamsPageGlobals,
  type StreamsReport,
  type XreadResult,
} from './streams-api.js';

const globals = globalThis as unknown as StreamsPageGlobals;

let client: WorkerClient | null = null;
let label = '';

function current(): WorkerClient {
  if (!client) throw new Error('no client open: call lodisStreams.open(name, options) first');
  return client;
}


async function blockedClients(c: WorkerClient): Promise<number> {
  const info = String(await c.call('INFO', 'clients'));
  const m = /^blocked_clients:(\d+)/m.exec(info);
  if (!m) throw new Error(`INFO clients has no blocked_clients:\n${info}`);
  return Number(m[1]);
}

/** Report to Node; resolves once Node has it (nothing to do when no test listens). */
function report(r: StreamsReport): Promise<void> {
  return globals.__lodisStreams ? globals.__lodisStreams(r) : Promise.resolve();
}

// ---- the producer ------------------------------------------------------------------------------

let producer: ProducerStats | null = null;

async function produce(c: WorkerClient, spec: ProduceSpec, s: ProducerStats): Promise<void> {
  const inFlight = spec.inFlight ?? 8;
  for (let from = spec.from; from < spec.to; from += inFlight) {
    const batch: Promise<void>[] = [];
    for (let i = from; i < Math.min(spec.to, from + inFlight); i++) {
      batch.push(
        c.xadd(STREAM, '*', { n: i }).then(
          () => void s.added++,
          (e: unknown) => void (s.errors.length < 20 && s.errors.push(`XADD n ${i}: ${message(e)}`)),
        ),
      );
    }
    await Promise.all(batch);
    if (spec.pauseMs) await sleep(spec.pauseMs);
  }
  s.done = true;
  s.finishedAt = clock();
}

// ---- the consumers -----------------------------------------------------------------------------

class Consumers {
  readonly stats: ConsumerStats;
  private readonly sessions: WorkerClient[] = [];
  private readonly done: Promise<void>[] = [];
  private readonly delivered = new Set<string>();
  private claimer: { stop: boolean; done: Promise<void>; session: WorkerClient } | null = null;

  constructor(
    private readonly c: WorkerClient,
    private readonly spec: ConsumeSpec,
  ) {
    this.stats = {
      label,
      loops: spec.loops,
      running: 0,
      waitingSince: Array.from({ length: spec.loops }, () => null),
      reads: 0,
      delivered: 0,
      processed: 0,
      acked: 0,
      ackNotOne: [],
      hincrNotOne: [],
      deliveredTwice: [],
      claimScans: 0,
      claimed: 0,
      claimedDone: 0,
      claimedRedone: 0,
      claimedDeleted: [],
      announces: 0,
      announceMs: 0,
      maxAnnounceMs: 0,
      errors: [],
    };
  }

  private error(what: string, e: unknown): void {
    if (this.stats.errors.length < 20) this.stats.errors.push(`${what}: ${message(e)}`);
  }

  start(): void {
    for (let k = 0; k < this.spec.loops; k++) {
      const session = this.c.connect();
      this.sessions.push(session);
      this.stats.running++;
      this.done.push(this.loop(session, k, `${label}:${k}`).finally(() => this.stats.running--));
    }
    if (this.spec.claim) {
      const session = this.c.connect();
      const claimer = { stop: false, done: Promise.resolve(), session };
      claimer.done = this.claimLoop(session, `${label}:claimer`, this.spec.claim, claimer);
      this.claimer = claimer;
    }
  }

  /** The work: count the entry's processing. A reply other than 1 means it was processed twice. */
  private async process(s: WorkerClient, id: string): Promise<void> {
    const n = await s.hincrby(PROCESSED, id, 1);
    if (Number(n) !== 1) this.stats.hincrNotOne.push(`${id}=${n}`);
  }

  /** Announce the XACKs to Node (awaited), send them one by one, then report their replies. */
  private async ack(s: WorkerClient, consumer: string, ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    const t0 = performance.now();
    await report({ kind: 'acking', label, consumer, ids });
    const took = performance.now() - t0;
    this.stats.announces++;
    this.stats.announceMs += took;
    this.stats.maxAnnounceMs = Math.max(this.stats.maxAnnounceMs, took);
    const replies: [string, number][] = [];
    for (const id of ids) {
      const reply = await s.xack(STREAM, GROUP, id);
      if (reply === 1) this.stats.acked++;
      else this.stats.ackNotOne.push(`${id}=${reply}`);
      replies.push([id, reply]);
    }
    void report({ kind: 'acked', label, consumer, replies });
  }

  private async loop(s: WorkerClient, k: number, consumer: string): Promise<void> {
    const st = this.stats;
    for (;;) {
      let reply;
      st.waitingSince[k] = clock();
      try {
        reply = await s.xreadgroup(GROUP, consumer, STREAM, '>', { count: this.spec.count, blockMS: 0 });
      } catch (e) {
        this.error('XREADGROUP', e);
        await sleep(50);
        continue;
      } finally {
        st.waitingSince[k] = null;
      }
      if (reply === null) continue; // BLOCK 0: never
      st.reads++;
      let stop = false;
      const ids: string[] = [];
      for (const [, entries] of reply) {
        for (const [id, fields] of entries) {
          st.delivered++;
          ids.push(id);
          if (this.delivered.has(id)) st.deliveredTwice.push(id);
          else this.delivered.add(id);
          if (fields?.[0] === STOP_FIELD) {
            stop = true;
            continue;
          }
          try {
            if (this.spec.processMs) await sleep(this.spec.processMs);
            await this.process(s, id);
            st.processed++;
          } catch (e) {
            this.error(`HINCRBY ${id}`, e);
            ids.pop(); // not processed: left pending, for a claimer
          }
        }
      }
      try {
        await this.ack(s, consumer, ids);
      } catch (e) {
        this.error('XACK', e);
      }
      if (stop) return;
    }
  }

  /** XAUTOCLAIM scans every `everyMs`: what a consumer left pending longer than `minIdleMs` is finished here. */
  private async claimLoop(s: WorkerClient, consumer: string, spec: ClaimSpec, state: { stop: boolean }): Promise<void> {
    const st = this.stats;
    while (!state.stop) {
      try {
        let start = '0-0';
        do {
          const [next, entries, deleted] = await s.xautoclaim(STREAM, GROUP, consumer, spec.minIdleMs, start, { count: spec.count });
          start = next;
          if (deleted.length) st.claimedDeleted.push(...deleted);
          if (entries.length === 0 && deleted.length === 0) continue;
          const ids = entries.map(([id]) => id);
          await report({ kind: 'claimed', label, consumer, ids, deleted });
          st.claimed += ids.length;
          for (const [id, fields] of entries) {
            if (fields[0] === STOP_FIELD) continue;
            if ((await s.hexists(PROCESSED, id)) === 1) {
              st.claimedDone++;
            } else {
              await this.process(s, id);
              st.claimedRedone++;
            }
          }
          await this.ack(s, consumer, ids);
        } while (start !== '0-0');
        st.claimScans++;
      } catch (e) {
        this.error('claimer', e);
      }
      await sleep(spec.everyMs);
    }
  }

  async stop(timeoutMs: number): Promise<ConsumerStats> {
    const deadline = performance.now() + timeoutMs;
    // One stop marker per running loop; again while some loop has not stopped (a loop may read two).
    while (this.stats.running > 0 && performance.now() < deadline) {
      const running = this.stats.running;
      try {
        for (let k = 0; k < running; k++) await this.c.xadd(STREAM, '*', { [STOP_FIELD]: label });
      } catch (e) {
        this.error('XADD stop marker', e);
      }
      const waitUntil = performance.now() + 500;
      while (this.stats.running === running && performance.now() < waitUntil) await sleep(10);
      if (this.stats.running > 0) await sleep(100);
    }
    if (this.claimer) {
      this.claimer.stop = true;
      await Promise.race([this.claimer.done, sleep(Math.max(0, deadline - performance.now()))]);
    }
    if (this.stats.running === 0) {
      for (const s of this.sessions.splice(0)) await s.close();
      await this.claimer?.session.close();
    }
    return this.snapshot();
  }

  snapshot(): ConsumerStats {
    const s = this.stats;
    return {
      ...s,
      waitingSince: s.waitingSince.slice(),
      ackNotOne: s.ackNotOne.slice(),
      hincrNotOne: s.hincrNotOne.slice(),
      deliveredTwice: s.deliveredTwice.slice(),
      claimedDeleted: s.claimedDeleted.slice(),
      errors: s.errors.slice(),
    };
  }
}

let consumers: Consumers | null = null;

function currentConsumers(): Consumers {
  if (!consumers) throw new Error('no consumers: call lodisStreams.startConsumers(spec) first');
  return consumers;
}

// ---- XREAD BLOCK ---------------------------------------------------------------------------------

const xreads = new Map<string, XreadResult | null>();

// ---- the API -----------------------------------------------------------------------------------

const plain = plainLeadership;

const call = (argv: (string | number)[]): Promise<CallResult> => callResult(current(), argv);

const page: StreamsPage = {
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

  blockedClients: () => blockedClients(current()),

  clock,

  startProducing(spec) {
    if (producer && !producer.done) throw new Error('already producing');
    const s: ProducerStats = (producer = { added: 0, errors: [], done: false, startedAt: clock(), finishedAt: 0 });
    void produce(current(), spec, s).catch((e: unknown) => s.errors.push(`producer: ${message(e)}`));
  },

  producerStats() {
    if (!producer) throw new Error('not producing');
    return { ...producer, errors: producer.errors.slice() };
  },

  async timedXadd(key, fields) {
    const c = current();
    const entry: Record<string, string> = {};
    for (let i = 0; i < fields.length; i += 2) entry[fields[i]!] = fields[i + 1]!;
    const sentAt = clock();
    const id = await c.xadd(key, '*', entry);
    return { id, sentAt, repliedAt: clock() };
  },

  async startConsumers(spec) {
    if (consumers) throw new Error('consumers already run in this tab');
    consumers = new Consumers(current(), spec);
    consumers.start();
  },

  consumerStats: () => currentConsumers().snapshot(),

  stopConsumers: (timeoutMs = 30_000) => currentConsumers().stop(timeoutMs),

  startXread(slot, key, id) {
    const s = current().connect();
    xreads.set(slot, null);
    void s.xread(key, id, { blockMS: 0 }).then(
      (reply) => xreads.set(slot, { reply, at: clock() }),
      (e: unknown) => xreads.set(slot, { reply: { error: message(e) }, at: clock() }),
    ).finally(() => void s.close());
  },

  xreadResult: (slot) => xreads.get(slot) ?? null,

  async check() {
    const c = current();
    const [range, processed, pending, groups, consumerInfo] = await Promise.all([
      c.xrange(STREAM, '-', '+'),
      c.hgetall(PROCESSED),
      c.call('XPENDING', STREAM, GROUP),
      c.call('XINFO', 'GROUPS', STREAM),
      c.call('XINFO', 'CONSUMERS', STREAM, GROUP),
    ]);
    const r: StreamsCheck = {
      length: await c.xlen(STREAM),
      entryIds: [],
      stopIds: [],
      missing: [],
      missingCount: 0,
      notOne: [],
      notOneCount: 0,
      unexpected: [],
      unexpectedCount: 0,
      pending,
      groups,
      consumers: consumerInfo,
    };
    for (const [id, fields] of Object.entries(range)) {
      if (STOP_FIELD in fields) r.stopIds.push(id);
      else r.entryIds.push(id);
    }
    const counts = new Map(Object.entries(processed ?? {}));
    for (const id of r.entryIds) {
      const n = counts.get(id);
      if (n === undefined) {
        if (r.missingCount++ < 20) r.missing.push(id);
      } else if (n !== '1') {
        if (r.notOneCount++ < 20) r.notOne.push(`${id}=${n}`);
      }
    }
    const expected = new Set(r.entryIds);
    for (const [id, n] of counts) if (!expected.has(id) && r.unexpectedCount++ < 20) r.unexpected.push(`${id}=${n}`);
    return r;
  },

  async close() {
    await client?.close();
    client = null;
  },
};

globals.lodisStreams = page;
document.title = 'lodis e2e: streams ready';
