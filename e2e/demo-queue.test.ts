/**
 * The demo's email-queue panel (demo/src/panels/queue.ts), driven through its buttons in real
 * Chromium, checked in the page and in the store (`window.lodis`):
 *
 * 1. 200 emails enqueued in tab A, a worker switched on in A and in B, B reloaded mid-run: B's
 *    worker comes back on by itself, and every email is sent exactly once (`HLEN email:sent` = 200,
 *    each id once, no duplicate), by both tabs; queue and processing lists empty; stopping the
 *    workers leaves no heartbeat behind;
 * 2. the leader's tab closed while both tabs' workers run: the other tab leads, finds the closed
 *    tab's processing list still holding jobs, recovers them once the heartbeat expires (shown in
 *    its events), and finishes — every email exactly once, none lost; a new tab shows the same;
 * 3. the Recover button on a dead worker's list made by hand (a job sent already is dropped, the
 *    others go back to the queue); a failure rate of 30 %: retries, yet every email exactly once;
 *    stopping the worker, then Reset.
 *
 * Screenshots (test-results/demo/): queue-{desktop,phone}[-running].png (the top of the panel, finished and
 * mid-run), and scrolled to a card: -producer and -worker (mid-run), -workers (finished), -leader-change (the closed tab's jobs still
 * held), -recovered, -failures (the events).
 */
import { afterAll, afterEach, beforeAll, expect, inject, test } from 'vitest';
import { DemoTab } from './src/demo-harness.js';
import { TabBrowser, waitFor } from './src/tab-harness.js';

const browser = new TabBrowser();
beforeAll(() => browser.serve(inject('demoDir')));
afterAll(() => browser.stopServing());
afterEach(() => browser.close());

/** What the store holds of the queue, read in a tab. */
interface QueueState {
  /** email:sent: job id → the tab that sent it. */
  sent: Record<string, string>;
  queue: number;
  /** Length of every email:processing:<tab> list. */
  processing: Record<string, number>;
  sentBy: Record<string, string>;
  stats: Record<string, string>;
  workers: string[];
  heartbeats: string[];
}

function queueState(tab: DemoTab): Promise<QueueState> {
  return tab.redis(async (r) => {
    const processing: Record<string, number> = {};
    for (const k of await r.keys('email:processing:*')) processing[k.slice('email:processing:'.length)] = await r.llen(k);
    return {
      sent: (await r.hgetall('email:sent')) ?? {},
      queue: await r.llen('email_queue'),
      processing,
      sentBy: (await r.hgetall('email:sent-by')) ?? {},
      stats: (await r.hgetall('email:stats')) ?? {},
      workers: (await r.smembers('email:workers')).sort(),
      heartbeats: (await r.keys('email:worker:*')).sort(),
    };
  });
}

const sentCount = (tab: DemoTab): Promise<number> => tab.redis((r) => r.hlen('email:sent'));

/** Every id 1..n sent once and nothing else, nothing waiting, nothing held, no duplicate. */
function expectExactlyOnce(s: QueueState, n: number): void {
  const ids = Object.keys(s.sent).map(Number).sort((x, y) => x - y);
  expect(ids, 'email:sent holds every id once').toEqual(Array.from({ length: n }, (_, i) => i + 1));
  expect(s.stats.duplicates ?? '0', 'duplicates').toBe('0');
  expect(s.queue, 'email_queue is empty').toBe(0);
  expect(Object.values(s.processing).reduce((a, b) => a + b, 0), 'processing lists are empty').toBe(0);
}

const tabName = (tab: DemoTab): Promise<string> => tab.page.evaluate(() => sessionStorage.getItem('lodis-demo-tab')!);
const switchState = (tab: DemoTab): Promise<string | null> => tab.page.getByTestId('queue-worker-toggle').getAttribute('aria-checked');

async function switchWorker(tab: DemoTab, on: boolean): Promise<void> {
  expect(await switchState(tab)).toBe(String(!on));
  await tab.page.getByTestId('queue-worker-toggle').click();
  await expect.poll(() => switchState(tab), { timeout: 30_000 }).toBe(String(on));
  // Off means stopped: the switch is enabled again once the loops have finished their jobs.
  if (!on) await expect.poll(() => tab.page.getByTestId('queue-worker-toggle').isEnabled(), { timeout: 30_000 }).toBe(true);
}

/** The row of the workers table for `name`: its data-state (alive → running, expired, stopped). */
const rowState = (tab: DemoTab, name: string): Promise<string | null> =>
  tab.page.locator(`[data-testid="queue-worker-row"][data-tab="${name}"]`).getAttribute('data-state', { timeout: 1000 }).catch(() => null);

test('200 emails, workers in two tabs, one reloaded mid-run: every email sent exactly once, by both tabs', async () => {
  await browser.launch();
  const a = await DemoTab.open(browser, 'queue', 'A');
  const b = await DemoTab.open(browser, 'queue', 'B');
  const [nameA, nameB] = [await tabName(a), await tabName(b)];
  expect(nameA).not.toBe(nameB);

  await a.page.getByTestId('queue-enqueue-100').click();
  await expect.poll(() => a.text('queue-length')).toBe('100');
  await a.page.getByTestId('queue-enqueue-100').click();
  await expect.poll(() => a.text('queue-length')).toBe('200');
  await expect.poll(() => b.text('queue-length'), { message: 'B sees A’s jobs' }).toBe('200');
  expect(await a.text('queue-producer-command')).toContain('LPUSH email_queue');
  const queued = await a.redis((r) => r.lrange('email_queue', 0, -1));
  expect(queued.map((j) => (JSON.parse(j) as { id: number }).id).sort((x, y) => x - y)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
  expect(await a.redis((r) => r.get('email:next-id'))).toBe('200');

  await switchWorker(a, true);
  await switchWorker(b, true);
  await expect.poll(() => a.text('queue-workers-alive')).toBe('2');
  await expect.poll(() => rowState(b, nameA)).toBe('running');

  // Mid-run: both at work.
  await waitFor('50 emails sent', async () => (await sentCount(a)) >= 50, 60_000, 100);
  await expect.poll(() => a.page.getByTestId('queue-loops').innerText()).toMatch(/sending #\d+/);
  await a.shoot('queue', 'running');
  await a.shootCard('queue', 'queue-producer-command', 'producer');
  await a.shootCard('queue', 'queue-loops', 'worker');
  await a.expectFitsPhone('queue');

  // B reloaded: its worker comes back on by itself (the switch is the tab's, in sessionStorage).
  const beforeReload = Number((await queueState(a)).sentBy[nameB] ?? 0);
  expect(beforeReload, 'B sent some before its reload').toBeGreaterThan(0);
  await b.reload();
  expect(await tabName(b), 'a reload is the same tab').toBe(nameB);
  await expect.poll(() => switchState(b), { timeout: 15_000 }).toBe('true');
  const starts = (t: DemoTab, name: string) =>
    t.redis(async (r, n) => (await r.lrange('email:events', 0, -1)).filter((e) => e.includes(`"tab":"${n}"`) && e.includes('started a worker')).length, name);
  await expect.poll(() => starts(a, nameB), { message: 'B’s worker started again' }).toBe(2);
  await expect.poll(() => b.page.getByTestId('queue-loops').locator('li.queue-loop').count()).toBe(2);
  await waitFor('B sending again after its reload', async () => Number((await queueState(a)).sentBy[nameB] ?? 0) > beforeReload, 60_000, 200);

  await waitFor('200 emails sent', async () => (await sentCount(a)) === 200, 120_000, 200);
  await expect.poll(() => a.text('queue-processing'), { timeout: 15_000 }).toBe('0');
  const s = await queueState(a);
  expectExactlyOnce(s, 200);
  expect(new Set(Object.values(s.sent)), 'the tabs that sent them').toEqual(new Set([nameA, nameB]));
  expect(Number(s.sentBy[nameA]) + Number(s.sentBy[nameB])).toBe(200);
  expect(s.stats.enqueued).toBe('200');
  for (const t of [a, b]) {
    await expect.poll(() => t.text('queue-sent')).toBe('200');
    await expect.poll(() => t.text('queue-length')).toBe('0');
    expect(await t.text('queue-duplicates')).toBe('0');
    await expect.poll(() => t.text('queue-progress')).toContain('200 of 200 emails sent — all done');
  }
  const logText = await b.text('queue-log');
  expect(logText).toMatch(/#\d+/);
  await a.shoot('queue');
  await b.shootCard('queue', 'queue-workers', 'workers');

  // Switched off: the loops finish, the heartbeats go, the workers leave email:workers.
  await switchWorker(a, false);
  await switchWorker(b, false);
  const off = await queueState(a);
  expect(off.heartbeats).toEqual([]);
  expect(off.workers).toEqual([]);
  await expect.poll(() => rowState(a, nameB)).toBe('stopped');
  await expect.poll(() => a.text('queue-events')).toContain('stopped its worker');
  a.expectNoErrors();
  b.expectNoErrors();
});

test('the leader’s tab closed mid-run: the other tab leads, recovers the closed tab’s jobs after its heartbeat expires, and finishes; exactly once', async () => {
  await browser.launch();
  const a = await DemoTab.open(browser, 'queue', 'A');
  const b = await DemoTab.open(browser, 'queue', 'B');
  expect(await a.role()).toBe('leader');
  expect(await b.role()).toBe('follower');
  const nameA = await tabName(a);

  for (const t of [a, b]) await t.page.getByTestId('queue-concurrency').selectOption('4');
  await a.page.getByTestId('queue-enqueue-100').click();
  await expect.poll(() => a.text('queue-length')).toBe('100');
  await a.page.getByTestId('queue-enqueue-100').click();
  await expect.poll(() => b.text('queue-length')).toBe('200');
  await switchWorker(a, true);
  await switchWorker(b, true);
  expect(await a.page.getByTestId('queue-loops').locator('li').count()).toBe(4);

  await waitFor('40 emails sent', async () => (await sentCount(b)) >= 40, 60_000, 100);
  await waitFor('A holding jobs', async () => (await queueState(b)).processing[nameA]! > 0, 10_000, 20);
  a.expectNoErrors();
  await a.page.close();

  await expect.poll(() => b.role(), { timeout: 15_000, message: 'B leads after A’s tab closed' }).toBe('leader');
  // What A was sending is still in its processing list (it never acked it), its heartbeat still alive for a moment.
  const atTakeover = await queueState(b);
  expect(atTakeover.processing[nameA], `jobs left in email:processing:${nameA}`).toBeGreaterThan(0);
  const left = atTakeover.processing[nameA]!;
  await expect.poll(() => b.page.locator(`[data-testid="queue-worker-row"][data-tab="${nameA}"] .queue-job`).count()).toBeGreaterThan(0);
  await b.shootCard('queue', 'queue-workers', 'leader-change');

  // B's worker recovers them once A's heartbeat has expired: shown in its events and counters.
  await expect.poll(() => b.text('queue-events'), { timeout: 30_000 }).toContain(`recovered ${nameA}'s jobs (heartbeat expired)`);
  await expect.poll(async () => Number(await b.text('queue-recovered'))).toBeGreaterThanOrEqual(1);
  await b.shootCard('queue', 'queue-workers', 'recovered');

  await waitFor('200 emails sent', async () => (await sentCount(b)) === 200, 120_000, 200);
  await expect.poll(() => b.text('queue-processing'), { timeout: 15_000 }).toBe('0');
  const s = await queueState(b);
  expectExactlyOnce(s, 200);
  expect(Number(s.stats.recovered) + Number(s.stats.dropped ?? 0), 'A’s jobs, recovered or dropped').toBe(left);
  expect(s.processing[nameA] ?? 0).toBe(0);
  expect(s.workers, 'A forgotten once recovered').not.toContain(nameA);
  expect(Number(s.sentBy[nameA])).toBeGreaterThan(0);
  expect(Number(s.sentBy[await tabName(b)])).toBeGreaterThan(0);
  await expect.poll(() => rowState(b, nameA)).toBe('stopped');

  // A new tab shows the same, rebuilt from the store.
  const c = await DemoTab.open(browser, 'queue', 'C');
  expect(await c.role()).toBe('follower');
  await expect.poll(() => c.text('queue-sent')).toBe('200');
  expect(await c.text('queue-duplicates')).toBe('0');
  await expect.poll(() => c.text('queue-events')).toContain(`recovered ${nameA}'s jobs`);
  b.expectNoErrors();
  c.expectNoErrors();
});

test('Recover stuck jobs, retries at a 30% failure rate (still exactly once), stop, reset', async () => {
  await browser.launch();
  const a = await DemoTab.open(browser, 'queue', 'A');
  const nameA = await tabName(a);

  // A dead worker's list, made by hand: jobs 1–3 in email:processing:tab-dead, job 1 sent already.
  await a.page.getByTestId('queue-enqueue-10').click();
  await expect.poll(() => a.text('queue-length')).toBe('10');
  await a.redis(async (r) => {
    for (let i = 0; i < 3; i++) await r.lmove('email_queue', 'email:processing:tab-dead', 'right', 'left');
    await r.sadd('email:workers', 'tab-dead');
    await r.hset('email:sent', { '1': 'tab-dead' });
  });
  await expect.poll(() => rowState(a, 'tab-dead')).toBe('expired');
  await expect.poll(() => a.text('queue-processing')).toBe('3');
  await a.page.getByTestId('queue-recover').click();
  await expect.poll(() => a.text('toast')).toContain('tab-dead: 2 jobs back to the queue, 1 dropped (sent already)');
  let s = await queueState(a);
  expect(s.processing['tab-dead'] ?? 0).toBe(0);
  expect(s.queue).toBe(9);
  expect(await a.redis((r) => r.lindex('email_queue', -1)), 'recovered jobs are taken next').toContain('"id":2');
  expect(s.stats).toMatchObject({ recovered: '2', dropped: '1' });
  expect(s.workers).toEqual([]);
  await expect.poll(() => a.text('queue-events')).toContain("recovered tab-dead's jobs (heartbeat expired): 2 jobs back to the queue; 1 sent already, dropped");
  await expect.poll(() => a.text('queue-recovered')).toBe('2');
  // Nothing stuck now: the button says so.
  await a.page.getByTestId('queue-recover').click();
  await expect.poll(() => a.page.getByTestId('toast').last().innerText()).toContain('No stuck jobs');

  // Sends fail 30% of the time; instant sends; 4 loops.
  await a.page.getByTestId('queue-send-ms').selectOption('0');
  await a.page.getByTestId('queue-failure').focus();
  for (let i = 0; i < 6; i++) await a.page.keyboard.press('ArrowRight');
  await expect.poll(() => a.text('queue-failure-value')).toBe('30%');
  await expect.poll(() => a.redis((r) => r.hgetall('email:settings'))).toEqual({ failure_rate: '30', send_ms: '0' });
  await a.page.getByTestId('queue-concurrency').selectOption('4');
  await a.page.getByTestId('queue-enqueue-100').click();
  await expect.poll(() => a.text('queue-length')).toBe('109');
  await switchWorker(a, true);

  await waitFor('110 emails sent', async () => (await sentCount(a)) === 110, 120_000, 200);
  await expect.poll(() => a.text('queue-processing'), { timeout: 15_000 }).toBe('0');
  s = await queueState(a);
  expectExactlyOnce(s, 110);
  const retries = Number(s.stats.retries);
  expect(retries, 'failed sends put back on the queue').toBeGreaterThan(0);
  await expect.poll(() => a.text('queue-retries')).toBe(String(retries));
  expect(await a.text('queue-duplicates')).toBe('0');
  expect(await a.text('queue-events')).toMatch(/#\d+ to \S+@example\.com: send failed \(attempt \d\), back to the queue/);
  await expect.poll(() => a.page.getByTestId('toast').count(), { timeout: 10_000 }).toBe(0);
  await a.shootCard('queue', 'queue-events', 'failures');
  await a.expectFitsPhone('queue');

  await switchWorker(a, false);
  s = await queueState(a);
  expect(s.heartbeats).toEqual([]);
  expect(s.workers).toEqual([]);
  expect(await a.page.getByTestId('queue-loops').innerText()).toContain('No worker in this tab');
  await expect.poll(() => rowState(a, nameA)).toBe('stopped');

  await a.page.getByTestId('queue-reset').click();
  await expect.poll(() => a.text('queue-sent')).toBe('0');
  expect(await a.redis((r) => r.exists('email_queue', 'email:sent', 'email:sent-by', 'email:stats', 'email:log', 'email:events'))).toBe(0);
  expect(await a.redis((r) => r.get('email:next-id')), 'ids go on growing after a reset').toBe('110');
  expect(await a.text('queue-progress')).toContain('Nothing enqueued yet');
  a.expectNoErrors();
});
