/**
 * Email queue: the guide's producer/worker example — `LPUSH email_queue job` by a producer,
 * `RPOP email_queue` in a worker's loop — made reliable (Redis' "reliable queue" pattern). RPOP
 * loses the job if the worker dies before sending it; here a job is always in exactly one list:
 * BLMOVE moves it atomically from the queue into the worker's own processing list, the worker
 * acknowledges it only once the email is sent (done marker + LREM in one MULTI), and a worker that
 * dies (its tab closed) leaves its jobs in its processing list, where a live worker finds them once
 * its heartbeat has expired and moves them back to the queue, one atomic LMOVE each.
 *
 * Keys (db 0):
 *   email_queue              list    jobs waiting, JSON {id,to,subject,attempt}: LPUSH in, taken from the right
 *   email:next-id            string  the last job id handed out (INCRBY)
 *   email:processing:<tab>   list    the jobs <tab>'s worker holds: BLMOVE'd in, LREM'd by the ack
 *   email:worker:<tab>       string  <tab>'s worker heartbeat (JSON: loops, jobs/s), SET … EX 5 every second
 *   email:workers            set     tabs running a worker, or that ran one and died: whose lists to watch over
 *   email:recovering:<tab>   string  a lock (SET NX EX): one tab at a time moves <tab>'s list back
 *   email:sent               hash    job id → the tab that sent it: the done marker (HSETNX; a second is a duplicate)
 *   email:sent-by            hash    tab → emails it sent
 *   email:stats              hash    enqueued, retries, recovered, dropped (found stuck but sent already), duplicates
 *   email:log                list    the last 20 emails sent (JSON)
 *   email:events             list    the last 50 retries, recoveries, workers started and stopped (JSON)
 *   email:settings           hash    failure_rate (%), send_ms: the fake mail server every worker uses
 *
 * Across tabs: any tab produces, any tab runs a worker (1–4 loops, each on a session of its own —
 * `connect()` — since BLMOVE blocks its session). The view is rebuilt from these keys whenever one
 * changes (watchKeys `email*`, at most a few times a second), so every tab shows the same numbers.
 * The worker toggle and its loop count belong to the tab (sessionStorage): a reloaded tab starts
 * its worker again, first taking back what its previous page held. A closed tab's jobs wait in its
 * processing list until its heartbeat expires; then the next live worker (or the Recover button, in
 * any tab) puts them back on the queue.
 *
 * Exactly once: `email:sent` gets each id once (HSETNX), in the same MULTI as the LREM that acks.
 * An email goes out twice only if a worker frozen for longer than its heartbeat's 5 s had its jobs
 * recovered while it was still sending them: its HSETNX then replies 0 and is counted as a
 * duplicate, never hidden. (Chromium runs a background tab's timers once a second: the heartbeat,
 * every second, still holds.)
 */
import type { WorkerClient } from '@lodis/web-worker';
import { act, every, formatAgo, formatCount, h, replace, stat } from '../dom.js';
import type { DemoContext, Panel } from '../panel.js';
import './queue.css';

const QUEUE = 'email_queue';
const NEXT_ID = 'email:next-id';
const WORKERS = 'email:workers';
const SENT = 'email:sent';
const SENT_BY = 'email:sent-by';
const STATS = 'email:stats';
const LOG = 'email:log';
const EVENTS = 'email:events';
const SETTINGS = 'email:settings';
const processingKey = (tab: string): string => `email:processing:${tab}`;
const heartbeatKey = (tab: string): string => `email:worker:${tab}`;
const recoveringKey = (tab: string): string => `email:recovering:${tab}`;

/** A heartbeat lives this long; a live worker refreshes it every TICK_MS, so only a dead (or frozen) one's expires. */
const HEARTBEAT_TTL_S = 5;
const TICK_MS = 1000;
/** A running worker looks for dead workers' jobs every this many ticks. */
const RECOVER_EVERY_TICKS = 3;
/** How long a recovery may hold a dead worker's list (SET NX EX): past it, another tab may take over. */
const RECOVERING_LOCK_S = 30;
/** BLMOVE's timeout: how soon a loop waiting on the empty queue notices it was asked to stop. */
const BLMOVE_TIMEOUT_S = 1;
const LOG_LENGTH = 20;
const EVENTS_LENGTH = 50;
const MAX_LOOPS = 4;
const SEND_TIMES: readonly [ms: number, label: string][] = [
  [0, 'instant'],
  [50, '50 ms'],
  [300, '300 ms'],
  [1000, '1 s'],
];

/** This tab's worker switch (its loop count while on) and loop choice, kept across reloads of the tab. */
const STORAGE_RUNNING = 'lodis-demo-queue-worker';
const STORAGE_LOOPS = 'lodis-demo-queue-loops';

interface Job {
  id: number;
  to: string;
  subject: string;
  /** 1 on the first try; a failed send puts the job back with attempt + 1. */
  attempt: number;
}

interface Settings {
  failureRate: number;
  sendMs: number;
}

interface Heartbeat {
  loops: number;
  /** Emails sent per second over the last few seconds. */
  rate: number;
  state: 'running' | 'stopping';
}

interface SentEntry extends Job {
  tab: string;
  at: number;
}

type EventKind = 'retry' | 'recover' | 'worker' | 'duplicate' | 'drop';

interface QueueEvent {
  at: number;
  tab: string;
  kind: EventKind;
  text: string;
}

const NAMES = ['ada', 'grace', 'alan', 'edsger', 'barbara', 'ken', 'margaret', 'linus', 'donald', 'frances', 'dennis', 'radia'];
const SUBJECTS = ['Welcome to Lodis', 'Your receipt', 'Reset your password', 'Your weekly digest', 'Your order has shipped', 'Verify your email'];

function newJob(id: number): Job {
  return { id, to: `${NAMES[id % NAMES.length]}@example.com`, subject: SUBJECTS[id % SUBJECTS.length]!, attempt: 1 };
}

/** A queue element as a job; null for something else (an element LPUSHed by hand from the CLI). */
function parseJob(raw: string): Job | null {
  try {
    const j = JSON.parse(raw) as Partial<Job>;
    if (typeof j.id !== 'number' || typeof j.attempt !== 'number') return null;
    return { id: j.id, to: String(j.to ?? ''), subject: String(j.subject ?? ''), attempt: j.attempt };
  } catch {
    return null;
  }
}

function parseJson<T>(raw: string | null | undefined): T | null {
  if (!raw) return null;
  try {
    return JSON.parse(raw) as T;
  } catch {
    return null;
  }
}

const eventJson = (tab: string, kind: EventKind, text: string): string => JSON.stringify({ at: Date.now(), tab, kind, text } satisfies QueueEvent);

/** One event on `email:events` (capped with LTRIM), in one MULTI. */
async function logEvent(redis: WorkerClient, tab: string, kind: EventKind, text: string): Promise<void> {
  await redis.multi().lpush(EVENTS, eventJson(tab, kind, text)).ltrim(EVENTS, 0, EVENTS_LENGTH - 1).exec();
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

// ---- the producer ------------------------------------------------------------------------------

/** Enqueue `n` emails: ids from INCR/INCRBY, then one LPUSH of them all. Returns the commands, for the view. */
async function enqueue(redis: WorkerClient, n: number): Promise<string> {
  const last = Number(n === 1 ? await redis.incr(NEXT_ID) : await redis.incrby(NEXT_ID, n));
  const jobs: string[] = [];
  for (let id = last - n + 1; id <= last; id++) jobs.push(JSON.stringify(newJob(id)));
  await redis.multi().lpush(QUEUE, ...jobs).hincrby(STATS, 'enqueued', n).exec();
  const pushed = n === 1 ? `'${jobs[0]}'` : `'{"id":${last - n + 1},…}' … '{"id":${last},…}'`;
  return `${n === 1 ? `INCR ${NEXT_ID}` : `INCRBY ${NEXT_ID} ${n}`} → ${last}\nLPUSH ${QUEUE} ${pushed}`;
}

// ---- recovery ----------------------------------------------------------------------------------

interface Recovery {
  /** Jobs moved back to the queue. */
  requeued: number;
  /** Jobs found in the list but marked sent already: only removed. */
  dropped: number;
}

/**
 * Move what `owner`'s processing list holds back to the queue — to its right end, so they are taken
 * next, the oldest of them first — one atomic `LMOVE … LEFT RIGHT` per job (at every moment the job
 * is in one list or the other), except jobs already marked sent, which are only removed. One tab at
 * a time: the `SET email:recovering:<owner> … NX EX` lock. Null when another tab holds it.
 */
async function recoverList(redis: WorkerClient, owner: string, by: string, describe: (r: Recovery) => string): Promise<Recovery | null> {
  const lock = recoveringKey(owner);
  if ((await redis.set(lock, by, { nx: true, ex: RECOVERING_LOCK_S })) === null) return null;
  const list = processingKey(owner);
  const r: Recovery = { requeued: 0, dropped: 0 };
  try {
    for (;;) {
      const raw = await redis.lindex(list, 0);
      if (raw === null) break;
      const job = parseJob(raw);
      if (job && (await redis.hexists(SENT, String(job.id))) === 1) {
        r.dropped += await redis.lrem(list, 1, raw);
      } else if ((await redis.lmove(list, QUEUE, 'left', 'right')) !== null) {
        r.requeued++;
      }
    }
    if (r.requeued + r.dropped > 0) {
      await redis
        .multi()
        .hincrby(STATS, 'recovered', r.requeued)
        .hincrby(STATS, 'dropped', r.dropped)
        .lpush(EVENTS, eventJson(by, 'recover', describe(r)))
        .ltrim(EVENTS, 0, EVENTS_LENGTH - 1)
        .exec();
    }
  } finally {
    await redis.del(lock);
  }
  return r;
}

function describeRecovery(r: Recovery, what: string): string {
  const parts = [`${what}: ${plural(r.requeued, 'job')} back to the queue`];
  if (r.dropped > 0) parts.push(`${r.dropped} sent already, dropped`);
  return parts.join('; ');
}

/**
 * Recover the jobs of every worker in `email:workers` whose heartbeat has expired (its tab closed,
 * crashed, or frozen for 5 s), and forget the worker. `self` is this tab's name when its own worker
 * runs (its list is its own business: see EmailWorker.sweep).
 */
async function recoverStuck(redis: WorkerClient, by: string, self: string | null): Promise<{ owner: string; recovery: Recovery }[]> {
  const found: { owner: string; recovery: Recovery }[] = [];
  for (const owner of await redis.smembers(WORKERS)) {
    if (owner === self) continue;
    if ((await redis.exists(heartbeatKey(owner))) > 0) continue;
    const recovery = await recoverList(redis, owner, by, (r) => describeRecovery(r, `recovered ${owner}'s jobs (heartbeat expired)`));
    if (recovery === null) continue; // another tab is at it
    await redis.srem(WORKERS, owner); // a worker coming back (its tab reloaded) adds itself again
    if (recovery.requeued + recovery.dropped > 0) found.push({ owner, recovery });
  }
  return found;
}

// ---- the worker --------------------------------------------------------------------------------

type LoopState = { kind: 'waiting' } | { kind: 'sending'; job: Job } | { kind: 'retrying'; job: Job } | { kind: 'acking'; job: Job };

/**
 * This tab's worker: `concurrency` loops, each on its own session, each
 *
 *   BLMOVE email_queue email:processing:<tab> RIGHT LEFT 1     (blocks up to 1 s on the empty queue)
 *   HEXISTS email:sent <id>                                     (sent already? then only drop it)
 *   … send the email (a fake delay; fails at the failure rate) …
 *   sent:    MULTI  HSETNX email:sent <id> <tab>  LREM email:processing:<tab> 1 <job>  …  EXEC
 *   failed:  MULTI  LREM email:processing:<tab> 1 <job>  LPUSH email_queue <job, attempt+1>  …  EXEC
 *
 * and a ticker refreshing the heartbeat, taking back jobs of its own list no loop holds, and every
 * few ticks recovering dead workers' lists.
 */
class EmailWorker {
  /** Loops wanted (1–4); loops past it end after the job in hand. */
  concurrency = 0;
  stopping = false;
  readonly states = new Map<number, LoopState>();
  /** The last command a loop ran, for the view. */
  lastCommand = '';
  private readonly loops = new Map<number, Promise<void>>();
  /** Jobs (queue elements) this tab's loops hold right now. */
  private readonly inHand = new Set<string>();
  /** Elements of our processing list no loop held at the last sweep. */
  private suspects = new Set<string>();
  private readonly sentAt: number[] = [];
  private ticker: Promise<void> | null = null;
  private ticks = 0;

  constructor(
    private readonly redis: WorkerClient,
    private readonly tab: string,
    private readonly settings: () => Settings,
    private readonly changed: () => void,
    private readonly toast: DemoContext['toast'],
  ) {}

  get running(): boolean {
    return this.ticker !== null;
  }

  private get processing(): string {
    return processingKey(this.tab);
  }

  async start(concurrency: number): Promise<void> {
    if (this.running) return;
    this.stopping = false;
    this.concurrency = concurrency;
    this.ticker = this.tickLoop(); // its first tick, at once, sets the heartbeat
    this.changed();
    try {
      // What this tab's previous page held (a reload): nobody else takes it while our heartbeat lives.
      await recoverList(this.redis, this.tab, this.tab, (r) => describeRecovery(r, 'took back what its previous page held'));
      await logEvent(this.redis, this.tab, 'worker', `started a worker: ${plural(concurrency, 'loop')}`);
    } catch (e) {
      await this.endTicker();
      throw e;
    }
    this.spawn();
  }

  setConcurrency(n: number): void {
    this.concurrency = n;
    this.spawn();
    this.changed();
  }

  /** Stop taking jobs; the loops finish the one in hand; then leave no heartbeat and no list behind. */
  async stop(): Promise<void> {
    if (!this.running || this.stopping) return;
    this.stopping = true;
    this.changed();
    try {
      await Promise.all(this.loops.values());
      await this.endTicker();
      // A job whose ack failed would still be in the list: back to the queue.
      await recoverList(this.redis, this.tab, this.tab, (r) => describeRecovery(r, 'stopping'));
      await this.redis
        .multi()
        .del(heartbeatKey(this.tab))
        .srem(WORKERS, this.tab)
        .lpush(EVENTS, eventJson(this.tab, 'worker', 'stopped its worker'))
        .ltrim(EVENTS, 0, EVENTS_LENGTH - 1)
        .exec();
    } finally {
      this.stopping = false;
      this.changed();
    }
  }

  private async endTicker(): Promise<void> {
    const ticker = this.ticker;
    this.ticker = null;
    await ticker;
    this.changed();
  }

  /** Emails this tab sent per second over the last 5 s. */
  rate(): number {
    const since = Date.now() - 5000;
    while (this.sentAt.length > 0 && this.sentAt[0]! < since) this.sentAt.shift();
    return this.sentAt.length / 5;
  }

  private spawn(): void {
    if (!this.running || this.stopping) return; // stopped while starting
    for (let i = 0; i < this.concurrency; i++) {
      if (this.loops.has(i)) continue;
      this.loops.set(
        i,
        this.loop(i).finally(() => {
          this.loops.delete(i);
          this.states.delete(i);
          this.changed();
        }),
      );
    }
  }

  private setState(i: number, s: LoopState): void {
    this.states.set(i, s);
    this.changed();
  }

  private async loop(i: number): Promise<void> {
    const session = this.redis.connect();
    try {
      while (!this.stopping && i < this.concurrency) {
        this.setState(i, { kind: 'waiting' });
        let raw: string | null;
        try {
          raw = await session.blmove(QUEUE, this.processing, 'right', 'left', BLMOVE_TIMEOUT_S);
        } catch (e) {
          await this.failed(e);
          continue;
        }
        if (raw === null) continue;
        this.inHand.add(raw);
        try {
          await this.handle(session, i, raw);
        } catch (e) {
          // Not acknowledged: the job stays in our processing list, where the sweep finds it.
          await this.failed(e);
        } finally {
          this.inHand.delete(raw);
        }
      }
    } finally {
      await session.close();
    }
  }

  private async failed(e: unknown): Promise<void> {
    this.toast(`Email worker: ${e instanceof Error ? e.message : String(e)}`, 'error');
    await sleep(1000);
  }

  private async handle(s: WorkerClient, i: number, raw: string): Promise<void> {
    const list = this.processing;
    const job = parseJob(raw);
    if (!job) {
      await s
        .multi()
        .lrem(list, 1, raw)
        .lpush(EVENTS, eventJson(this.tab, 'drop', `dropped ${raw.length > 40 ? `${raw.slice(0, 40)}…` : raw}: not an email job`))
        .ltrim(EVENTS, 0, EVENTS_LENGTH - 1)
        .exec();
      return;
    }
    const id = String(job.id);
    // Sent already: a job taken back from a worker that was slow, not dead. Drop it, don't send twice.
    if ((await s.hexists(SENT, id)) === 1) {
      await s.multi().lrem(list, 1, raw).hincrby(STATS, 'dropped', 1).exec();
      return;
    }
    this.setState(i, { kind: 'sending', job });
    const { failureRate, sendMs } = this.settings();
    if (sendMs > 0) await sleep(sendMs * (0.5 + Math.random()));
    if (Math.random() * 100 < failureRate) {
      // The mail server said no: back to the queue with its attempt count, in the same MULTI as the ack.
      this.setState(i, { kind: 'retrying', job });
      const retry = JSON.stringify({ ...job, attempt: job.attempt + 1 } satisfies Job);
      await s
        .multi()
        .lrem(list, 1, raw)
        .lpush(QUEUE, retry)
        .hincrby(STATS, 'retries', 1)
        .lpush(EVENTS, eventJson(this.tab, 'retry', `#${id} to ${job.to}: send failed (attempt ${job.attempt}), back to the queue`))
        .ltrim(EVENTS, 0, EVENTS_LENGTH - 1)
        .exec();
      this.lastCommand = `MULTI\nLREM ${list} 1 '{"id":${id},…}'\nLPUSH ${QUEUE} '{"id":${id},…,"attempt":${job.attempt + 1}}'\nEXEC`;
      return;
    }
    this.setState(i, { kind: 'acking', job });
    const entry = JSON.stringify({ ...job, tab: this.tab, at: Date.now() } satisfies SentEntry);
    const replies = await s
      .multi()
      .hsetnx(SENT, id, this.tab)
      .lrem(list, 1, raw)
      .hincrby(SENT_BY, this.tab, 1)
      .lpush(LOG, entry)
      .ltrim(LOG, 0, LOG_LENGTH - 1)
      .exec();
    this.lastCommand = `MULTI\nHSETNX ${SENT} ${id} ${this.tab}\nLREM ${list} 1 '{"id":${id},…}'\nEXEC`;
    this.sentAt.push(Date.now());
    const [first, removed] = replies ?? [1, 1];
    if (first === 0) {
      // Someone marked it sent while we were sending: it went out twice. Made visible, never hidden.
      await s
        .multi()
        .hincrby(STATS, 'duplicates', 1)
        .lpush(EVENTS, eventJson(this.tab, 'duplicate', `#${id} was sent twice`))
        .ltrim(EVENTS, 0, EVENTS_LENGTH - 1)
        .exec();
    } else if (removed === 0) {
      await logEvent(this.redis, this.tab, 'recover', `#${id} had been taken back from this worker while it was sent (its heartbeat expired)`);
    }
  }

  private async tickLoop(): Promise<void> {
    for (;;) {
      await this.tick().catch(() => {}); // a failed tick is retried by the next one
      if (this.ticker === null) return;
      await sleep(TICK_MS);
      if (this.ticker === null) return;
    }
  }

  private async tick(): Promise<void> {
    await this.heartbeat();
    await this.sweep();
    if (++this.ticks % RECOVER_EVERY_TICKS === 0) await recoverStuck(this.redis, this.tab, this.tab);
  }

  private async heartbeat(): Promise<void> {
    const beat: Heartbeat = { loops: this.loops.size || this.concurrency, rate: this.rate(), state: this.stopping ? 'stopping' : 'running' };
    await this.redis.multi().set(heartbeatKey(this.tab), JSON.stringify(beat), { ex: HEARTBEAT_TTL_S }).sadd(WORKERS, this.tab).exec();
  }

  /**
   * Jobs in our own processing list that no loop holds — a loop's ack failed, or a BLMOVE of this
   * tab's previous page was served after it had gone — are taken back once seen at two sweeps in a
   * row (a BLMOVE's reply may come after the LRANGE that sees its job). WATCH makes the LREM + RPUSH
   * happen only if the job is still there, so it can never be pushed back twice.
   */
  private async sweep(): Promise<void> {
    const list = this.processing;
    const orphans = (await this.redis.lrange(list, 0, -1)).filter((raw) => !this.inHand.has(raw));
    const confirmed = orphans.filter((raw) => this.suspects.has(raw));
    this.suspects = new Set(orphans);
    if (confirmed.length === 0) return;
    const s = this.redis.connect();
    let requeued = 0;
    try {
      for (const raw of confirmed) {
        await s.call('WATCH', list);
        if (this.inHand.has(raw) || (await s.lpos(list, raw)) === null) {
          await s.call('UNWATCH');
          continue;
        }
        if ((await s.multi().lrem(list, 1, raw).rpush(QUEUE, raw).exec()) !== null) requeued++;
      }
    } finally {
      await s.close();
    }
    if (requeued > 0) {
      await this.redis.hincrby(STATS, 'recovered', requeued);
      await logEvent(this.redis, this.tab, 'recover', `took back ${plural(requeued, 'job')} of its own list no loop held`);
    }
  }
}

// ---- the view ----------------------------------------------------------------------------------

interface WorkerRow {
  tab: string;
  beat: Heartbeat | null;
  ttlMs: number;
  registered: boolean;
  holding: number;
  held: Job[];
  sent: number;
}

const clock = (at: number): string => new Date(at).toLocaleTimeString('en-GB');

function loopText(s: LoopState | undefined): { icon: string; text: string; cls: string } {
  if (!s || s.kind === 'waiting') return { icon: '◔', text: `waiting — BLMOVE ${QUEUE} … ${BLMOVE_TIMEOUT_S}`, cls: 'queue-loop-waiting' };
  const j = s.job;
  const attempt = j.attempt > 1 ? ` (attempt ${j.attempt})` : '';
  if (s.kind === 'sending') return { icon: '▶', text: `sending #${j.id} to ${j.to}${attempt}`, cls: 'queue-loop-sending' };
  if (s.kind === 'retrying') return { icon: '↻', text: `#${j.id} failed: back to the queue`, cls: 'queue-loop-retrying' };
  return { icon: '✓', text: `#${j.id} sent: HSETNX + LREM`, cls: 'queue-loop-acking' };
}

/** A row of the workers table: a tab that runs (or ran) a worker, what it holds, what it sent. */
function workerRow(r: WorkerRow, me: string): HTMLTableRowElement {
  const state = r.beat
    ? r.beat.state === 'stopping'
      ? h('span', { class: 'badge badge-yellow', text: 'stopping' })
      : h('span', { class: 'badge badge-green', text: `alive · ${plural(r.beat.loops, 'loop')}` })
    : r.registered
      ? h('span', { class: 'badge badge-red', text: 'expired' })
      : h('span', { class: 'badge', text: 'not running' });
  const ttl = r.beat && r.ttlMs > 0 ? h('span', { class: 'faint small', text: ` ${(r.ttlMs / 1000).toFixed(1)}s` }) : null;
  const held = r.holding
    ? h(
        'span',
        { class: 'queue-held' },
        h('span', { class: 'mono', text: String(r.holding) }),
        ' ',
        ...r.held.map((j) => h('code', { class: `queue-job ${r.beat ? '' : 'queue-job-stuck'}`, text: `#${j.id}` })),
        r.holding > r.held.length ? ' …' : '',
      )
    : h('span', { class: 'faint', text: '–' });
  return h(
    'tr',
    { testid: 'queue-worker-row', attrs: { 'data-tab': r.tab, 'data-state': r.beat ? r.beat.state : r.registered ? 'expired' : 'stopped' } },
    h('td', { class: 'queue-tab-cell' }, h('span', { class: 'mono', text: r.tab }), r.tab === me ? h('span', { class: 'queue-you', text: 'this tab' }) : null),
    h('td', {}, state, ttl),
    h('td', {}, held),
    h('td', { class: 'num', text: formatCount(r.sent) }),
    h('td', { class: 'num queue-hide-phone', text: r.beat ? r.beat.rate.toFixed(1) : '–' }),
  );
}

function sentRow(e: SentEntry, me: string): HTMLTableRowElement {
  return h(
    'tr',
    { title: `${e.subject} · sent ${formatAgo(Date.now() - e.at)}` },
    h('td', { class: 'num', text: `#${e.id}` }),
    h('td', { text: e.to }),
    h('td', {}, h('span', { class: `mono ${e.tab === me ? 'queue-by-me' : ''}`, text: e.tab })),
    h('td', { class: `num ${e.attempt > 1 ? 'warn' : 'faint'}`, text: String(e.attempt) }),
  );
}

function nextItem(j: Job): HTMLLIElement {
  return h(
    'li',
    {},
    h('code', { class: 'queue-job', text: `#${j.id}` }),
    h('span', { class: 'queue-next-to', text: j.to }),
    h('span', { class: 'queue-next-subject', text: j.subject }),
    j.attempt > 1 ? h('span', { class: 'badge badge-yellow', text: `attempt ${j.attempt}` }) : null,
  );
}

function eventItem(e: QueueEvent): HTMLLIElement {
  return h(
    'li',
    { class: `queue-event-${e.kind}` },
    h('span', { class: 't', text: clock(e.at) }),
    h('span', { class: 'queue-event-tab', text: e.tab }),
    ' ',
    h('span', { class: 'queue-event-text', text: e.text }),
  );
}

const emptyRow = (columns: number, text: string): HTMLTableRowElement => h('tr', {}, h('td', { class: 'empty', attrs: { colspan: columns }, text }));

export const queuePanel: Panel = {
  id: 'queue',
  title: 'Email queue',
  group: 'Use cases',
  icon: '✉',
  summary:
    'The guide’s email queue done reliably: BLMOVE into a processing list per worker, an ack that marks each email sent exactly once, retries, and recovery of the jobs a closed tab held.',
  commands: ['LPUSH', 'INCR', 'BLMOVE', 'MULTI', 'HSETNX', 'LREM', 'LMOVE', 'SET EX NX', 'HEXISTS', 'WATCH'],
  mount(body, ctx) {
    const redis = ctx.redis;
    const me = ctx.tab.name;
    let settings: Settings = { failureRate: 0, sendMs: 300 };

    // ---- flow: queue → processing → sent, and the counters ----
    const queued = stat('waiting in the queue', 'queue-length', 0);
    const processing = stat('in workers’ hands', 'queue-processing', 0);
    const sent = stat('sent, each once', 'queue-sent', 0);
    const keyLabel = (k: string) => h('code', { class: 'queue-flow-key', text: k });
    const flow = h(
      'div',
      { class: 'queue-flow' },
      h('div', { class: 'queue-flow-box' }, keyLabel(QUEUE), queued.el),
      h('div', { class: 'queue-flow-arrow' }, h('span', { class: 'queue-flow-cmd', text: 'BLMOVE' }), h('span', { class: 'queue-flow-glyph', text: '→' })),
      h('div', { class: 'queue-flow-box' }, keyLabel('email:processing:*'), processing.el),
      h('div', { class: 'queue-flow-arrow' }, h('span', { class: 'queue-flow-cmd', text: 'HSETNX + LREM' }), h('span', { class: 'queue-flow-glyph', text: '→' })),
      h('div', { class: 'queue-flow-box queue-flow-done' }, keyLabel(SENT), sent.el),
    );
    const retries = stat('retries (failed sends)', 'queue-retries', 0);
    const recovered = stat('stuck jobs recovered', 'queue-recovered', 0);
    const duplicates = stat('duplicates (must stay 0)', 'queue-duplicates', 0);
    const alive = stat('workers alive', 'queue-workers-alive', 0);
    const progressBar = h('span', { style: { width: '0%' } });
    const progressText = h('span', { class: 'muted small', testid: 'queue-progress', text: 'Nothing enqueued yet.' });

    // ---- producer ----
    const producerCmd = h('pre', { class: 'block queue-cmd', testid: 'queue-producer-command', text: 'Nothing enqueued from this tab yet.' });
    const nextList = h('ul', { class: 'queue-next', testid: 'queue-next' });
    const enqueueButton = (n: number) =>
      h('button', {
        class: `btn ${n === 100 ? 'btn-primary' : ''}`,
        testid: `queue-enqueue-${n}`,
        text: n === 1 ? '1 email' : `${n} emails`,
        on: {
          click: act(ctx, async () => {
            producerCmd.textContent = await enqueue(redis, n);
          }),
        },
      });
    const producer = h(
      'section',
      { class: 'card queue-producer' },
      h('h3', { class: 'card-title', text: 'Producer' }),
      h('p', { class: 'muted small queue-note' }, 'Each email gets a unique id from ', h('code', { text: `INCRBY ${NEXT_ID}` }), ', then one ', h('code', { text: 'LPUSH' }), ' adds them all to the queue.'),
      h('div', { class: 'row' }, h('span', { class: 'queue-enqueue-label', text: 'Enqueue' }), enqueueButton(1), enqueueButton(10), enqueueButton(100)),
      h('div', { class: 'queue-label' }, 'Next to be taken ', h('span', { class: 'queue-label-cmd', text: `LRANGE ${QUEUE} -3 -1` })),
      nextList,
      h('div', { class: 'queue-label', text: 'Last command of this tab' }),
      producerCmd,
      h(
        'div',
        { class: 'row queue-reset-row' },
        h('span', { class: 'muted small', text: 'Start over: the queue, the sent marks, the counters and the history.' }),
        h('span', { class: 'spacer' }),
        h('button', {
          class: 'btn btn-sm btn-ghost btn-danger',
          testid: 'queue-reset',
          text: 'Reset',
          on: {
            click: act(ctx, async () => {
              // Not email:next-id: a job still in a worker's hands must never share its id with a new one.
              await redis.del(QUEUE, SENT, SENT_BY, STATS, LOG, EVENTS);
              producerCmd.textContent = `DEL ${QUEUE} ${SENT} ${SENT_BY} ${STATS} ${LOG} ${EVENTS}`;
              ctx.toast('Queue, counters and history cleared.');
            }),
          },
        }),
      ),
    );

    // ---- this tab's worker ----
    const worker = new EmailWorker(redis, me, () => settings, () => scheduleWorkerView(), ctx.toast);
    const toggle = h(
      'button',
      { class: 'queue-switch', testid: 'queue-worker-toggle', attrs: { role: 'switch', 'aria-checked': 'false', type: 'button' } },
      h('span', { class: 'queue-track' }, h('span', { class: 'queue-knob' })),
      h('span', { class: 'queue-switch-label', text: 'Run a worker in this tab' }),
    );
    const savedLoops = Number(sessionStorage.getItem(STORAGE_LOOPS) ?? '2');
    const loopsSelect = h(
      'select',
      { class: 'select', testid: 'queue-concurrency', attrs: { 'aria-label': 'Worker loops' } },
      ...Array.from({ length: MAX_LOOPS }, (_, k) => h('option', { attrs: { value: k + 1, selected: k + 1 === savedLoops }, text: plural(k + 1, 'loop') })),
    );
    const failure = h('input', { class: 'queue-range', testid: 'queue-failure', attrs: { type: 'range', min: 0, max: 50, step: 5, value: 0, 'aria-label': 'Failure rate' } });
    const failureValue = h('span', { class: 'queue-range-value', testid: 'queue-failure-value', text: '0%' });
    const sendSelect = h(
      'select',
      { class: 'select', testid: 'queue-send-ms', attrs: { 'aria-label': 'Send time' } },
      ...SEND_TIMES.map(([ms, label]) => h('option', { attrs: { value: ms, selected: ms === 300 }, text: label })),
    );
    const loopsList = h('ul', { class: 'queue-loops', testid: 'queue-loops' });
    const workerCmd = h('pre', { class: 'block queue-cmd', testid: 'queue-worker-command', text: 'No job handled in this tab yet.' });
    const workerCard = h(
      'section',
      { class: 'card' },
      h('h3', { class: 'card-title', text: 'Worker' }),
      h('div', { class: 'row queue-worker-controls' }, toggle, h('span', { class: 'spacer' }), loopsSelect),
      h(
        'div',
        { class: 'queue-settings' },
        h('label', { class: 'field queue-field' }, h('span', {}, 'Failed sends ', h('span', { class: 'faint', text: '(every worker)' })), h('div', { class: 'row queue-range-row' }, failure, failureValue)),
        h('label', { class: 'field queue-field' }, h('span', {}, 'Send time ', h('span', { class: 'faint', text: '(every worker)' })), sendSelect),
      ),
      loopsList,
      h('div', { class: 'queue-label', text: 'Last command of this tab’s loops' }),
      workerCmd,
    );

    let workerViewTimer: ReturnType<typeof setTimeout> | null = null;
    function scheduleWorkerView(): void {
      if (workerViewTimer !== null) return;
      workerViewTimer = setTimeout(() => {
        workerViewTimer = null;
        renderWorker();
      }, 100);
    }
    function renderWorker(): void {
      const on = worker.running;
      toggle.setAttribute('aria-checked', String(on && !worker.stopping));
      toggle.disabled = worker.stopping;
      toggle.querySelector('.queue-switch-label')!.textContent = worker.stopping
        ? 'Stopping: finishing the jobs in hand…'
        : on
          ? `Worker running in this tab (${me})`
          : 'Run a worker in this tab';
      if (worker.lastCommand) workerCmd.textContent = worker.lastCommand;
      if (!on) {
        replace(loopsList, h('li', { class: 'empty', text: 'No worker in this tab. Switch it on, here and in another tab: they share the queue.' }));
        return;
      }
      const items = [...worker.states.keys()].sort((a, b) => a - b).map((i) => {
        const t = loopText(worker.states.get(i));
        return h(
          'li',
          { class: `queue-loop ${t.cls}` },
          h('span', { class: 'queue-loop-name', text: `loop ${i + 1}` }),
          h('span', { class: 'queue-loop-icon', text: t.icon }),
          h('span', { class: 'queue-loop-text', text: t.text }),
        );
      });
      replace(loopsList, ...(items.length ? items : [h('li', { class: 'empty', text: 'Starting…' })]));
    }

    const startWorker = async (n: number) => {
      sessionStorage.setItem(STORAGE_RUNNING, String(n));
      await worker.start(n);
    };
    toggle.addEventListener(
      'click',
      act(ctx, async () => {
        if (worker.stopping) return;
        if (worker.running) {
          sessionStorage.removeItem(STORAGE_RUNNING);
          await worker.stop();
        } else {
          await startWorker(Number(loopsSelect.value));
        }
      }),
    );
    loopsSelect.addEventListener('change', () => {
      const n = Number(loopsSelect.value);
      sessionStorage.setItem(STORAGE_LOOPS, String(n));
      if (worker.running && !worker.stopping) {
        sessionStorage.setItem(STORAGE_RUNNING, String(n));
        worker.setConcurrency(n);
      }
    });
    failure.addEventListener('input', () => (failureValue.textContent = `${failure.value}%`));
    failure.addEventListener(
      'change',
      act(ctx, () => redis.hset(SETTINGS, { failure_rate: failure.value })),
    );
    sendSelect.addEventListener(
      'change',
      act(ctx, () => redis.hset(SETTINGS, { send_ms: sendSelect.value })),
    );

    // The fake mail server's settings, shared by every tab's workers: kept current even off screen.
    const loadSettings = async () => {
      const s = (await redis.hgetall(SETTINGS)) ?? {};
      settings = { failureRate: Number(s.failure_rate ?? 0), sendMs: Number(s.send_ms ?? 300) };
      if (document.activeElement !== failure) failure.value = String(settings.failureRate);
      failureValue.textContent = `${failure.value}%`;
      sendSelect.value = String(settings.sendMs);
    };
    redis.watchKeys(SETTINGS, () => void loadSettings().catch(() => {}));

    // ---- workers of every tab ----
    const workersBody = h('tbody', { testid: 'queue-workers' });
    const aliveBadge = h('span', { class: 'badge', text: '0 alive' });
    const recoverButton = h('button', {
      class: 'btn btn-sm',
      testid: 'queue-recover',
      text: '↻ Recover stuck jobs',
      title: 'Move the jobs of every worker whose heartbeat expired back to the queue',
      on: {
        click: act(ctx, async () => {
          const found = await recoverStuck(redis, me, worker.running ? me : null);
          if (found.length === 0) ctx.toast('No stuck jobs: every worker holding jobs is alive.');
          else
            ctx.toast(found.map(({ owner, recovery }) => `${owner}: ${plural(recovery.requeued, 'job')} back to the queue${recovery.dropped ? `, ${recovery.dropped} dropped (sent already)` : ''}`).join(' · '));
        }),
      },
    });
    const workersCard = h(
      'section',
      { class: 'card' },
      h('div', { class: 'queue-head' }, h('h3', { class: 'card-title', text: 'Workers, in every tab' }), aliveBadge, h('span', { class: 'spacer' }), recoverButton),
      h(
        'div',
        { class: 'table-wrap' },
        h(
          'table',
          { class: 'data queue-workers-table' },
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              h('th', { text: 'Tab' }),
              h('th', { text: 'Heartbeat' }),
              h('th', { text: 'Holding' }),
              h('th', { class: 'num', text: 'Sent' }),
              h('th', { class: 'num queue-hide-phone', text: 'Jobs/s' }),
            ),
          ),
          workersBody,
        ),
      ),
      h(
        'p',
        { class: 'muted small queue-note' },
        'Each worker refreshes ',
        h('code', { text: `SET email:worker:<tab> … EX ${HEARTBEAT_TTL_S}` }),
        ' every second. When a tab closes, its heartbeat expires and the jobs left in its ',
        h('code', { text: 'email:processing:<tab>' }),
        ' list go back to the queue with ',
        h('code', { text: `LMOVE … ${QUEUE} LEFT RIGHT` }),
        ' — by a live worker within seconds, or by this button.',
      ),
    );

    // ---- history ----
    const logBody = h('tbody', { testid: 'queue-log' });
    const logCard = h(
      'section',
      { class: 'card' },
      h('h3', { class: 'card-title', text: 'Last emails sent' }),
      h(
        'div',
        { class: 'table-wrap' },
        h(
          'table',
          { class: 'data queue-log-table' },
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              h('th', { class: 'num queue-col-id', text: '#' }),
              h('th', { text: 'To' }),
              h('th', { class: 'queue-col-by', text: 'By' }),
              h('th', { class: 'num queue-col-try', text: 'Attempt' }),
            ),
          ),
          logBody,
        ),
      ),
    );
    const eventsList = h('ul', { class: 'log queue-events', testid: 'queue-events' });
    const eventsCard = h('section', { class: 'card' }, h('h3', { class: 'card-title', text: 'Retries, recoveries, workers' }), eventsList);

    const proc = processingKey(me);
    const recipe = (...lines: string[]) => h('pre', { class: 'block queue-recipe', text: lines.join('\n') });
    const recipeCard = h(
      'section',
      { class: 'card' },
      h('h3', { class: 'card-title', text: 'The commands' }),
      h(
        'div',
        { class: 'grid-2' },
        recipe(
          '# producer',
          `INCRBY ${NEXT_ID} 10`,
          `LPUSH ${QUEUE} '{"id":1,…}' … '{"id":10,…}'`,
          '',
          '# each worker loop, on its own session',
          `BLMOVE ${QUEUE} ${proc} RIGHT LEFT ${BLMOVE_TIMEOUT_S}`,
          `HEXISTS ${SENT} <id>        # sent already? drop it`,
          '… send the email …',
          'MULTI',
          `  HSETNX ${SENT} <id> ${me}   # 0: sent twice`,
          `  LREM ${proc} 1 <job>`,
          'EXEC',
        ),
        recipe(
          '# a failed send: back to the queue, atomically',
          'MULTI',
          `  LREM ${proc} 1 <job>`,
          `  LPUSH ${QUEUE} <job, attempt + 1>`,
          'EXEC',
          '',
          '# every second: the heartbeat',
          `SET email:worker:${me} <beat> EX ${HEARTBEAT_TTL_S}`,
          '',
          "# a dead worker's jobs, one at a time",
          `SET email:recovering:<dead> ${me} NX EX ${RECOVERING_LOCK_S}`,
          `LMOVE email:processing:<dead> ${QUEUE} LEFT RIGHT`,
        ),
      ),
    );

    body.append(
      h('div', { class: 'queue-top' }, flow, h('div', { class: 'queue-progress' }, h('div', { class: 'bar' }, progressBar), progressText), h('div', { class: 'stats' }, retries.el, recovered.el, duplicates.el, alive.el)),
      h('div', { class: 'grid-2 queue-grid' }, producer, workerCard),
      h('div', { class: 'queue-grid' }, workersCard),
      h('div', { class: 'grid-2 queue-grid' }, logCard, eventsCard),
      h('div', { class: 'queue-grid' }, recipeCard),
    );

    // ---- refresh from the store ----
    async function refresh(): Promise<void> {
      const [queueLength, sentCount, stats, sentBy, members, log, events, next] = await redis
        .pipeline()
        .llen(QUEUE)
        .hlen(SENT)
        .hgetall(STATS)
        .hgetall(SENT_BY)
        .smembers(WORKERS)
        .lrange(LOG, 0, 9)
        .lrange(EVENTS, 0, 13)
        .lrange(QUEUE, -3, -1)
        .exec();
      const bySent = sentBy ?? {};
      const registered = new Set(members);
      const tabs = [...new Set([...members, ...Object.keys(bySent)])].sort();
      const p = redis.pipeline();
      for (const t of tabs) p.get(heartbeatKey(t)).pttl(heartbeatKey(t)).llen(processingKey(t)).lrange(processingKey(t), 0, 3);
      const replies = tabs.length ? await p.exec() : [];
      const rows: WorkerRow[] = tabs.map((tab, k) => ({
        tab,
        beat: parseJson<Heartbeat>(replies[4 * k] as string | null),
        ttlMs: Number(replies[4 * k + 1]),
        holding: Number(replies[4 * k + 2]),
        held: (replies[4 * k + 3] as string[]).map(parseJob).filter((j): j is Job => j !== null),
        registered: registered.has(tab),
        sent: Number(bySent[tab] ?? 0),
      }));

      const st = stats ?? {};
      const enqueued = Number(st.enqueued ?? 0);
      const inHands = rows.reduce((n, r) => n + r.holding, 0);
      queued.set(formatCount(queueLength));
      processing.set(formatCount(inHands));
      sent.set(formatCount(sentCount));
      retries.set(formatCount(Number(st.retries ?? 0)));
      recovered.set(formatCount(Number(st.recovered ?? 0)));
      const dups = Number(st.duplicates ?? 0);
      duplicates.set(formatCount(dups));
      duplicates.el.classList.toggle('queue-stat-bad', dups > 0);
      duplicates.el.classList.toggle('queue-stat-good', dups === 0);
      const aliveCount = rows.filter((r) => r.beat !== null).length;
      alive.set(aliveCount);
      aliveBadge.textContent = `${aliveCount} alive`;
      aliveBadge.className = `badge ${aliveCount > 0 ? 'badge-green' : ''}`;
      progressBar.style.width = enqueued > 0 ? `${Math.min(100, (sentCount / enqueued) * 100).toFixed(1)}%` : '0%';
      progressText.textContent =
        enqueued === 0 && sentCount === 0
          ? 'Nothing enqueued yet: enqueue some emails and switch a worker on.'
          : `${formatCount(sentCount)} of ${formatCount(enqueued)} emails sent${sentCount >= enqueued && queueLength === 0 && inHands === 0 ? ' — all done, each exactly once' + (dups ? ' (but with duplicates!)' : '') : ''}`;

      replace(workersBody, ...(rows.length ? rows.map((r) => workerRow(r, me)) : [emptyRow(5, 'No worker has run yet.')]));

      // The right end of the list is taken first: shown first.
      const nextJobs = next.reverse().map(parseJob).filter((j): j is Job => j !== null);
      replace(nextList, ...(nextJobs.length ? nextJobs.map(nextItem) : [h('li', { class: 'empty', text: 'The queue is empty.' })]));
      const sentEntries = log.map((raw) => parseJson<SentEntry>(raw)).filter((e): e is SentEntry => e !== null);
      replace(logBody, ...(sentEntries.length ? sentEntries.map((e) => sentRow(e, me)) : [emptyRow(4, 'No email sent yet.')]));
      const eventEntries = events.map((raw) => parseJson<QueueEvent>(raw)).filter((e): e is QueueEvent => e !== null);
      replace(eventsList, ...(eventEntries.length ? eventEntries.map(eventItem) : [h('li', { class: 'empty', text: 'Nothing yet: retries and recoveries show here.' })]));
    }

    // At most one refresh at a time, a few per second however fast the keys change.
    let refreshing = false;
    let again = false;
    let timer: ReturnType<typeof setTimeout> | null = null;
    const refreshNow = async (): Promise<void> => {
      if (refreshing) {
        again = true;
        return;
      }
      refreshing = true;
      try {
        await refresh();
      } catch {
        // the next change or tick refreshes again
      } finally {
        refreshing = false;
        if (again) {
          again = false;
          schedule();
        }
      }
    };
    function schedule(): void {
      if (!ctx.visible() || timer !== null) return;
      timer = setTimeout(() => {
        timer = null;
        void refreshNow();
      }, 200);
    }
    redis.watchKeys('email*', schedule);
    every(1000, refreshNow, ctx.visible); // heartbeat TTLs count down without a write

    renderWorker();
    void loadSettings().catch(() => {});
    // A reload of a tab whose worker was on: on again (sessionStorage is the tab's).
    const resume = sessionStorage.getItem(STORAGE_RUNNING);
    if (resume) act(ctx, () => startWorker(Math.min(MAX_LOOPS, Math.max(1, Number(resume) || 1))))();

    return {
      shown: () => {
        renderWorker();
        void refreshNow();
      },
    };
  },
};
