/**
 * The guide's email queue, done reliably, across tabs in real Chromium (pages/queue.html,
 * `window.lodisQueue`): a producer tab LPUSHes jobs onto `email_queue`; a worker tab's loops, each
 * on its own session, `BLMOVE email_queue processing RIGHT LEFT 0` (blocking while the queue is
 * empty), "send" the job (`HINCRBY processed <job> 1`) and ack it (`LREM processing 1 <job>`); a
 * worker that starts first recovers what a previous one left in `processing` (done if
 * `HEXISTS processed <job>`, else processed now). Checked here:
 *
 * 1. 10,000 jobs, the worker blocking on the empty queue before and during production: every job
 *    processed exactly once, both lists empty, no caller error;
 * 2. the same with the worker tab closed at about half and a new worker tab opened: it recovers
 *    from `processing` and finishes, every job exactly once, nothing lost — with the worker tab
 *    following, and leading (then the producer's tab takes over, its LPUSHes in flight resent);
 * 3. a BLMOVE blocked on the empty queue holds up no other command of its tab (GET/SET on the
 *    tab's own session answer within 100 ms), and one LPUSH from another tab wakes it (latency
 *    printed) — with the worker tab following, and leading;
 * 4. the leader's tab closed while a follower's BLMOVE blocks on it: the follower leads, its BLMOVE
 *    is sent again and blocks there, and a job pushed from a new tab reaches it exactly once.
 *
 * Which tab leads is checked with `client.leadership()`. Timings are printed.
 */
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, inject, test } from 'vitest';
import { sleep } from './src/harness.js';
import { Tab as PageTab, TabBrowser, waitFor } from './src/tab-harness.js';
import {
  PROCESSED,
  PROCESSING,
  QUEUE,
  type QueueCheck,
  type QueueOpenOptions,
  type QueuePage,
  type WorkerStats,
} from './pages/queue-api.js';

/** Jobs of the big runs, LPUSHed this many per command. */
const JOBS = 10_000;
const BATCH = 100;
/** Worker loops (sessions) in the worker tab: like several worker connections to one Redis. */
const LOOPS = 4;

const browser = new TabBrowser();
beforeAll(() => browser.serve(inject('pagesDir')));
afterAll(() => browser.stopServing());
afterEach(() => browser.close());

const launch = () => browser.launch();

class Tab extends PageTab<QueuePage> {
  constructor(page: Page, label: string) {
    super(page, browser.pageSpec('/queue.html', 'lodisQueue'), label);
  }

  /** A command on the tab's own session; throws on an error reply. */
  async cmd(...argv: (string | number)[]): Promise<unknown> {
    const r = await this.call('call', argv);
    if ('error' in r) throw new Error(`${this.label}: ${argv.join(' ')}: ${r.error}`);
    return r.ok;
  }
}

/** A new tab with the store `name` open in it (createClient, awaited `ready`). */
async function openTab(name: string, label: string, options: Omit<QueueOpenOptions, 'label'> = {}): Promise<Tab> {
  const t = new Tab(await browser.newPage(), label);
  await t.load();
  await t.call('open', name, { label, durability: 'durable', ...options });
  return t;
}

const jobsOf = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

/** HLEN processed, read through `t`. */
async function processedCount(t: Tab): Promise<number> {
  return Number(await t.cmd('HLEN', PROCESSED));
}

/**
 * Wait until `t` reads HLEN processed ≥ n; returns Date.now() then. Fails (with both lists' lengths)
 * after `timeoutMs`, or sooner when the count has not moved for `stallMs`.
 */
async function waitProcessed(t: Tab, n: number, timeoutMs = 90_000, stallMs = 20_000): Promise<number> {
  const start = Date.now();
  let last = -1;
  let movedAt = start;
  for (;;) {
    const count = await processedCount(t);
    const now = Date.now();
    if (count >= n) return now;
    if (count !== last) {
      last = count;
      movedAt = now;
    }
    if (now - start > timeoutMs || now - movedAt > stallMs) {
      const [queue, processing] = [await t.cmd('LLEN', QUEUE), await t.cmd('LLEN', PROCESSING)];
      throw new Error(
        `HLEN ${PROCESSED} is ${count}, not ${n}, after ${now - start} ms (unchanged for ${now - movedAt} ms); ` +
          `LLEN ${QUEUE} ${queue}, LLEN ${PROCESSING} ${processing}`,
      );
    }
    await sleep(50);
  }
}

/** Every job processed exactly once, nothing else, both lists empty. */
function expectExactlyOnce(c: QueueCheck, jobs: number): void {
  expect(c.missing, `${c.missingCount} jobs never processed`).toEqual([]);
  expect(c.notOne, `${c.notOneCount} jobs processed more than once`).toEqual([]);
  expect(c.unexpected, `${c.unexpectedCount} fields of ${PROCESSED} that are no job`).toEqual([]);
  expect(c.hlen, `HLEN ${PROCESSED}`).toBe(jobs);
  expect(c.queueLength, `LLEN ${QUEUE}`).toBe(0);
  expect(c.processingLength, `LLEN ${PROCESSING}`).toBe(0);
}

/** What the worker tab's caller saw: no error, no job twice, every ack found its job. */
function expectCleanWorker(ws: WorkerStats): void {
  expect(ws.errors, `${ws.label}: errors seen by the caller`).toEqual([]);
  expect(ws.receivedTwice, `${ws.label}: jobs a BLMOVE returned twice`).toEqual([]);
  expect(ws.hincrNotOne, `${ws.label}: HINCRBY replies other than 1`).toEqual([]);
  expect(ws.lremNotOne, `${ws.label}: LREM replies other than 1`).toEqual([]);
  expect(ws.running, `${ws.label}: loops still running after the stop`).toBe(0);
}

const ms = (x: number) => `${x.toFixed(0)} ms`;

// ---- 1 and 2 -----------------------------------------------------------------------------------

describe('a producer tab and a worker tab, 10,000 jobs', () => {
  test('every job processed exactly once; the worker blocks on the empty queue before and during production', async () => {
    await launch();
    const name = 'queue-basic';
    const producer = await openTab(name, 'P');
    const worker = await openTab(name, 'W');
    const lp = await producer.call('leadership');
    expect(lp.role, 'the first tab leads').toBe('leader');
    expect(await worker.call('leadership')).toMatchObject({ role: 'follower', leader: lp.tab, term: lp.term });

    const recovery = await worker.call('startWorker', { loops: LOOPS });
    expect(recovery, 'nothing to recover in a new store').toMatchObject({ found: 0, stops: 0 });
    // Every loop is blocked on the empty queue before the first job is pushed.
    await waitFor(`${LOOPS} loops blocked in BLMOVE`, async () => (await producer.call('blockedClients')) === LOOPS);

    await producer.call('startProducing', { prefix: 'job:', from: 0, to: JOBS, batch: BATCH, drainEvery: 10 });
    const t0 = Date.now();
    const ps = await waitFor('production done', async () => {
      const s = await producer.call('producerStats');
      return s.done ? s : null;
    }, 90_000, 50);
    const allAt = await waitProcessed(producer, JOBS);
    const ws = await worker.call('stopWorker', 30_000);

    expect(ps.errors, 'errors seen by the producer').toEqual([]);
    expect(ps.pushed).toBe(JOBS);
    expectCleanWorker(ws);
    expect(ws.processed, 'jobs the worker tab processed').toBe(JOBS);
    // It really blocked during production: a loop was found blocked at the drain points.
    expect(ps.sawBlocked, 'drain points where a worker loop was blocked on the empty queue').toBeGreaterThan(0);
    expectExactlyOnce(await producer.call('check', jobsOf('job:', JOBS)), JOBS);
    expect(producer.errors).toEqual([]);
    expect(worker.errors).toEqual([]);

    const span = ws.lastJobAt - ws.firstJobAt;
    console.log(
      `email queue, ${JOBS} jobs (LPUSH ${BATCH} per command, ${LOOPS} BLMOVE loops in a follower tab): ` +
        `produced in ${ms(ps.finishedAt - ps.startedAt)}, all processed ${ms(allAt - t0)} after production started ` +
        `(${((JOBS / span) * 1000).toFixed(0)} jobs/s between the first and the last job); ` +
        `${ps.sawBlocked} of ${ps.sawBlocked + ps.drainTimeouts} drain points found a loop blocked on the empty queue; ` +
        `${ws.blmoves} BLMOVEs, ${ws.slowBlmoves} took ≥ 20 ms (longest ${ms(ws.maxBlmoveMs)}); longest queue ${ps.maxLength}`,
    );
  });

  // The worker tab follows (the producer's tab leads), or leads: then closing it also moves the
  // leadership to the producer's tab, whose LPUSHes in flight are sent again (exactly once: a job
  // pushed twice would be processed twice).
  for (const workerLeads of [false, true]) {
    const role = workerLeads ? 'leads' : 'follows';
    test(`the worker tab (it ${role}) closed at about half, a new one opened: it recovers from processing and finishes; exactly once`, async () => {
      await launch();
      const name = `queue-restart-${role}`;
      const first = await openTab(name, workerLeads ? 'W1' : 'P');
      const second = await openTab(name, workerLeads ? 'P' : 'W1');
      const [w1, producer] = workerLeads ? [first, second] : [second, first];
      const l1 = await first.call('leadership');
      expect(l1.role).toBe('leader');
      expect(await second.call('leadership')).toMatchObject({ role: 'follower', leader: l1.tab });

      await w1.call('startWorker', { loops: LOOPS });
      await waitFor(`${LOOPS} loops blocked in BLMOVE`, async () => (await producer.call('blockedClients')) === LOOPS);
      await producer.call('startProducing', { prefix: 'job:', from: 0, to: JOBS, batch: BATCH, drainEvery: 10 });
      const t0 = Date.now();

      // At about half: once the producer is some way into the burst after the drain point at
      // half (so LPUSHes are in flight, and the worker busy, when the tab goes).
      await waitFor('the producer past half', async () => (await producer.call('producerStats')).pushed >= JOBS / 2 + 2 * BATCH, 90_000, 2);
      const closeAt = Date.now();
      const [before, pb] = await Promise.all([w1.call('workerStats'), producer.call('producerStats')]);
      await w1.page.close();
      const closedAt = Date.now();
      expect(before.errors, 'W1: errors seen by the caller before the close').toEqual([]);
      expect(before.hincrNotOne).toEqual([]);
      expect(w1.errors).toEqual([]);
      // The producer's tab leads now (it did, or it took over).
      const lp = await waitFor(
        'the producer’s tab to lead',
        async () => {
          const l = await producer.call('leadership');
          return l.role === 'leader' ? l : null;
        },
        15_000,
        5,
      );
      const leaderAt = Date.now();
      if (workerLeads) expect(lp.term, 'a new term').toBeGreaterThan(l1.term);
      else expect(lp).toMatchObject({ tab: l1.tab, term: l1.term });
      const atClose = {
        processed: await processedCount(producer),
        processing: Number(await producer.cmd('LLEN', PROCESSING)),
        queue: Number(await producer.cmd('LLEN', QUEUE)),
        pushed: (await producer.call('producerStats')).pushed,
      };
      // The closed tab's sessions end on the leader (its tab lock is released): no BLMOVE of it blocks.
      await waitFor('the closed tab’s BLMOVEs to end on the leader', async () => (await producer.call('blockedClients')) === 0, 10_000, 20);

      const w2 = await openTab(name, 'W2');
      expect(await w2.call('leadership')).toMatchObject({ role: 'follower', leader: lp.tab, term: lp.term });
      const recovery = await w2.call('startWorker', { loops: LOOPS });
      const reopenedAt = Date.now();

      const ps = await waitFor(
        'production done',
        async () => {
          const s = await producer.call('producerStats');
          return s.done ? s : null;
        },
        90_000,
        50,
      );
      const allAt = await waitProcessed(producer, JOBS);
      const ws = await w2.call('stopWorker', 30_000);

      expect(ps.errors, 'errors seen by the producer').toEqual([]);
      expect(ps.pushed).toBe(JOBS);
      expectCleanWorker(ws);
      // Each loop holds at most one job between its BLMOVE and its LREM.
      expect(recovery.found, 'jobs left in processing by the closed tab').toBeLessThanOrEqual(LOOPS);
      expect(recovery.found).toBe(recovery.alreadyDone + recovery.redone);
      expect(recovery.stops).toBe(0);
      expectExactlyOnce(await producer.call('check', jobsOf('job:', JOBS)), JOBS);
      expect(producer.errors).toEqual([]);
      expect(w2.errors).toEqual([]);

      console.log(
        `worker tab (it ${role}) closed at ${atClose.processed} of ${JOBS} processed (${atClose.pushed} pushed, ${atClose.queue} queued, ` +
          `${atClose.processing} in processing; an LPUSH in flight: ${pb.inFlight ? 'yes' : 'no'}; page.close() took ${ms(closedAt - closeAt)}` +
          `${workerLeads ? `, the producer's tab led ${ms(leaderAt - closeAt)} after the close (term ${l1.term} → ${lp.term})` : ''}); ` +
          `a new worker tab ready and recovered ${ms(reopenedAt - closedAt)} after the close: ${recovery.found} found in processing ` +
          `(${recovery.alreadyDone} already done: acked only, ${recovery.redone} processed now) [${recovery.jobs.join(' ')}] in ${ms(recovery.ms)}; ` +
          `it processed ${ws.processed} more; all ${JOBS} processed once ${ms(allAt - t0)} after production started; ` +
          `the longest LPUSH took ${ms(ps.maxLpushMs)}`,
      );
    });
  }
});

// ---- 3 -----------------------------------------------------------------------------------------

describe('a BLMOVE blocked on the empty queue', () => {
  const report: string[] = [];
  afterAll(() => {
    if (report.length) console.log(`a blocked BLMOVE, its tab's other session, and the LPUSH that wakes it:\n  ${report.join('\n  ')}`);
  });

  for (const workerLeads of [false, true]) {
    const role = workerLeads ? 'leads' : 'follows';
    test(`the worker tab ${role}: its other session answers GET/SET within 100 ms; one LPUSH from the producer tab wakes it`, async () => {
      await launch();
      const name = `queue-blocked-${role}`;
      const first = await openTab(name, workerLeads ? 'W' : 'P');
      const second = await openTab(name, workerLeads ? 'P' : 'W');
      const [worker, producer] = workerLeads ? [first, second] : [second, first];
      const lf = await first.call('leadership');
      expect(lf.role).toBe('leader');
      expect(await second.call('leadership')).toMatchObject({ role: 'follower', leader: lf.tab });
      expect((await worker.call('leadership')).role).toBe(workerLeads ? 'leader' : 'follower');

      await worker.call('startWorker', { loops: 1 });
      await waitFor('the loop blocked in BLMOVE', async () => (await worker.call('blockedClients')) === 1);
      expect(await worker.cmd('LLEN', QUEUE), 'the queue is empty').toBe(0);
      await sleep(250);
      const st = await worker.call('workerStats');
      const since = st.waitingSince[0];
      expect(since, 'the loop is in BLMOVE').not.toBeNull();
      const pendingMs = (await worker.call('clock')) - since!;
      expect(pendingMs, 'the BLMOVE has been pending').toBeGreaterThan(200);
      expect(st.blmoves, 'no BLMOVE has returned').toBe(0);

      // The same tab's own session: GET and SET answer at once.
      const times: number[] = [];
      for (let i = 0; i < 10; i++) {
        const set = await worker.call('timedCall', ['SET', `greeting:${i}`, `hello ${i}`]);
        expect(set.result).toEqual({ ok: 'OK' });
        const get = await worker.call('timedCall', ['GET', `greeting:${i}`]);
        expect(get.result).toEqual({ ok: `hello ${i}` });
        times.push(set.ms, get.ms);
      }
      const max = Math.max(...times);
      expect(max, 'GET/SET on the blocked tab’s other session').toBeLessThan(100);
      const still = await worker.call('workerStats');
      expect(still.waitingSince[0], 'still the same BLMOVE, still pending').toBe(since);
      expect(await worker.call('blockedClients')).toBe(1);

      // One LPUSH from the producer tab wakes it.
      const push = await producer.call('timedLpush', 'job:wake');
      const at = await waitFor('the worker to get job:wake', () => worker.call('receivedAt', 'job:wake'), 10_000, 5);
      const wakeMs = at - push.sentAt;
      await waitFor('job:wake processed', async () => (await worker.call('workerStats')).processed === 1, 10_000);
      const ws = await worker.call('stopWorker', 10_000);
      expectCleanWorker(ws);
      expect(ws.processed).toBe(1);
      expectExactlyOnce(await producer.call('check', ['job:wake']), 1);
      expect(wakeMs, 'no job before its LPUSH (the clocks agree)').toBeGreaterThanOrEqual(-1);
      expect(producer.errors).toEqual([]);
      expect(worker.errors).toEqual([]);

      times.sort((a, b) => a - b);
      report.push(
        `worker tab ${role}: BLMOVE pending ${ms(pendingMs)} on an empty queue; its other session's 20 GET/SET took ` +
          `p50 ${times[10]!.toFixed(1)} ms, max ${max.toFixed(1)} ms; LPUSH in the producer tab → BLMOVE returned in the worker tab ` +
          `${wakeMs.toFixed(1)} ms (the LPUSH's own reply ${(push.repliedAt - push.sentAt).toFixed(1)} ms)`,
      );
    });
  }
});

// ---- 4 -----------------------------------------------------------------------------------------

describe('the leader killed while a follower is blocked', () => {
  test('the follower leads, its BLMOVE is sent again and blocks there; a job pushed from a new tab reaches it exactly once', async () => {
    await launch();
    const name = 'queue-leader-killed';
    const LOOPS4 = 2;
    const p1 = await openTab(name, 'P1');
    const worker = await openTab(name, 'W');
    const l1 = await p1.call('leadership');
    expect(l1.role).toBe('leader');
    expect(await worker.call('leadership')).toMatchObject({ role: 'follower', leader: l1.tab, term: l1.term });

    await worker.call('startWorker', { loops: LOOPS4 });
    await waitFor(`${LOOPS4} loops blocked in BLMOVE on the leader`, async () => (await p1.call('blockedClients')) === LOOPS4);
    expect(await p1.cmd('LLEN', QUEUE)).toBe(0);
    const before = await worker.call('workerStats');
    expect(before.waitingSince.every((s) => s !== null)).toBe(true);

    const closeAt = Date.now();
    await p1.page.close();
    const lw = await waitFor(
      'the worker tab to lead',
      async () => {
        const l = await worker.call('leadership');
        return l.role === 'leader' ? l : null;
      },
      15_000,
      5,
    );
    const takeoverMs = Date.now() - closeAt;
    expect(lw.term, 'a new term').toBeGreaterThan(l1.term);
    // Its BLMOVEs were sent again, under their op ids, to its own engine: they block there.
    await waitFor(`${LOOPS4} BLMOVEs blocked on the new leader`, async () => (await worker.call('blockedClients')) === LOOPS4, 10_000);
    const blockedAt = Date.now() - closeAt;
    const after = await worker.call('workerStats');
    expect(after.waitingSince, 'the same BLMOVE calls, still pending (no error, no reply)').toEqual(before.waitingSince);
    expect(after.blmoves).toBe(0);
    expect(after.errors).toEqual([]);
    expect(await worker.cmd('LLEN', QUEUE)).toBe(0);
    expect(await worker.cmd('LLEN', PROCESSING)).toBe(0);

    // A new producer tab follows the worker tab and pushes a job.
    const p2 = await openTab(name, 'P2');
    expect(await p2.call('leadership')).toMatchObject({ role: 'follower', leader: lw.tab, term: lw.term });
    const push = await p2.call('timedLpush', 'job:after-takeover');
    const at = await waitFor('the worker to get job:after-takeover', () => worker.call('receivedAt', 'job:after-takeover'), 10_000, 5);
    await waitFor('job:after-takeover processed', async () => (await worker.call('workerStats')).processed >= 1, 10_000);
    await sleep(300); // a second delivery would show by now
    const one = await worker.call('workerStats');
    expect(one.processed, 'processed once').toBe(1);
    expect(one.blmoves, 'one BLMOVE returned').toBe(1);
    expectExactlyOnce(await p2.call('check', ['job:after-takeover']), 1);

    // And the queue goes on: 100 more, through the new leader.
    for (let i = 0; i < 100; i += 10) {
      const jobs = jobsOf('job:more:', 100).slice(i, i + 10);
      await p2.cmd('LPUSH', QUEUE, ...jobs);
    }
    await waitProcessed(p2, 101, 30_000);
    const ws = await worker.call('stopWorker', 10_000);
    expectCleanWorker(ws);
    expect(ws.processed).toBe(101);
    expectExactlyOnce(await p2.call('check', ['job:after-takeover', ...jobsOf('job:more:', 100)]), 101);
    expect(worker.errors).toEqual([]);
    expect(p2.errors).toEqual([]);

    console.log(
      `leader's tab closed with ${LOOPS4} BLMOVEs of a follower blocked on it: the follower leads after ${ms(takeoverMs)} ` +
        `(term ${l1.term} → ${lw.term}), its BLMOVEs blocked again on its own engine by +${ms(blockedAt)} (the same calls, no error); ` +
        `a new producer tab's LPUSH → the worker's BLMOVE returned ${(at - push.sentAt).toFixed(1)} ms later, processed once; then 100 more, each once`,
    );
  });
});
