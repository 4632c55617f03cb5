/**
 * The demo's Store status panel (demo/src/panels/status.ts) and its benchmark (demo/src/bench.ts),
 * driven through the UI in real Chromium and checked against the store:
 *
 * 1. two tabs name the same leader and epoch, the second says follower, both list both tabs; the
 *    leader's tab closes → the other shows itself as leader of a higher epoch;
 * 2. after writes, "Compact now" (BGREWRITEAOF) shrinks the AOF size shown — equal to INFO's — and
 *    moves the last save; SAVE counts a save; the keyspace matches DBSIZE; the INFO viewer shows
 *    the section chosen with INFO's values, filters, shows the raw text; after a reload the
 *    figures still match INFO and the compaction has lasted;
 * 3. the benchmark, run from a follower tab: a progress state, then a table whose every cell is a
 *    positive number, baselines included (no timing thresholds); bench:* keys are gone; the result
 *    is in demo:bench:last, shown live in the other tab and again after a reload.
 */
import { afterAll, afterEach, beforeAll, expect, inject, test } from 'vitest';
import { DemoTab } from './src/demo-harness.js';
import { sleep } from './src/harness.js';
import { TabBrowser } from './src/tab-harness.js';

const browser = new TabBrowser();
beforeAll(() => browser.serve(inject('demoDir')));
afterAll(() => browser.stopServing());
afterEach(() => browser.close());

const SLOW = { timeout: 30_000 };

/** This tab's demo name (`tab-3f2a`). */
function tabName(t: DemoTab): Promise<string> {
  return t.page.evaluate(() => sessionStorage.getItem('lodis-demo-tab')!);
}

/** One field of `INFO section`, read from the store in the page. */
function infoField(t: DemoTab, section: string, field: string): Promise<string | undefined> {
  return t.redis(
    async (r, [s, f]) => {
      const text = String(await r.call('INFO', s));
      const line = text.split('\r\n').find((l) => l.startsWith(`${f}:`));
      return line?.slice(f.length + 1);
    },
    [section, field] as [string, string],
  );
}

/** An attribute of the element with this test id. */
function attr(t: DemoTab, testid: string, name: string): Promise<string | null> {
  return t.page.getByTestId(testid).getAttribute(name);
}

/** Scroll the panel so that the card with this class starts at the top (for a screenshot of it). */
async function scrollToCard(t: DemoTab, className: string): Promise<void> {
  await t.page.evaluate((c) => document.querySelector(`.${c}`)!.scrollIntoView({ block: 'start' }), className);
}

/** The tabs the panel lists: name, and whether it is marked leader. */
function listedTabs(t: DemoTab): Promise<{ name: string; leader: boolean; self: boolean }[]> {
  return t.page.getByTestId('status-tab').evaluateAll((els) =>
    els.map((e) => ({ name: e.getAttribute('data-name')!, leader: e.hasAttribute('data-leader'), self: (e.textContent ?? '').includes('this tab') })),
  );
}

test('two tabs name the same leader and epoch; when the leader closes, the other leads a higher epoch', async () => {
  await browser.launch();
  const a = await DemoTab.open(browser, 'status', 'A');
  const aName = await tabName(a);
  await expect.poll(() => a.text('status-role'), SLOW).toBe('leader');
  await expect.poll(() => a.text('status-leader'), SLOW).toBe(aName);

  const b = await DemoTab.open(browser, 'status', 'B');
  const bName = await tabName(b);
  expect(bName).not.toBe(aName);
  await expect.poll(() => b.text('status-role'), SLOW).toBe('follower');
  await expect.poll(() => b.text('status-leader'), SLOW).toBe(aName);

  const term = (await a.redis((r) => r.leadership())).term;
  expect(term).toBeGreaterThan(0);
  await expect.poll(() => a.text('status-epoch')).toBe(String(term));
  await expect.poll(() => b.text('status-epoch')).toBe(String(term));
  expect((await b.redis((r) => r.leadership())).term).toBe(term);

  // Both tabs list both, the leader first and marked; each marks itself.
  await expect.poll(() => listedTabs(a), SLOW).toEqual([
    { name: aName, leader: true, self: true },
    { name: bName, leader: false, self: false },
  ]);
  await expect.poll(() => listedTabs(b), SLOW).toEqual([
    { name: aName, leader: true, self: false },
    { name: bName, leader: false, self: true },
  ]);
  expect(Object.values((await b.redis((r) => r.hgetall('demo:tabs')))!).sort()).toEqual([aName, bName].sort());

  await a.expectFitsPhone('status');
  await a.shoot('status');
  await b.shoot('status', 'follower');
  a.expectNoErrors();
  b.expectNoErrors();

  // The leader's tab goes away: B takes over, with a higher epoch, and says so.
  const changesBefore = Number(await b.text('status-changes'));
  await a.page.close();
  await expect.poll(() => b.text('status-role'), SLOW).toBe('leader');
  await expect.poll(() => b.text('status-leader'), SLOW).toBe(bName);
  const newTerm = (await b.redis((r) => r.leadership())).term;
  expect(newTerm).toBeGreaterThan(term);
  await expect.poll(() => b.text('status-epoch'), SLOW).toBe(String(newTerm));
  await expect.poll(async () => Number(await b.text('status-changes')), SLOW).toBeGreaterThan(changesBefore);
  await expect.poll(async () => (await listedTabs(b)).find((t) => t.leader)?.name, SLOW).toBe(bName);
  await b.shoot('status', 'after-leader-change');
  b.expectNoErrors();
});

test('Compact now and SAVE shrink the log and move the last save; server figures and the INFO viewer match INFO', async () => {
  await browser.launch();
  const a = await DemoTab.open(browser, 'status', 'A');

  // Overwrite 30 keys 20 times with 2 KB values: ~1.2 MB of log, a ~60 KB snapshot.
  await a.redis(async (r) => {
    const v = 'x'.repeat(2000);
    for (let round = 0; round < 20; round++) await Promise.all(Array.from({ length: 30 }, (_, i) => r.set(`status:test:${i}`, `${v}${round}`)));
  });
  const shownBytes = async (testid: string) => Number(await attr(a, testid, 'data-bytes'));
  const infoNum = async (section: string, field: string) => Number(await infoField(a, section, field));
  // What the panel shows is what INFO says (polled once a second).
  await expect.poll(async () => (await shownBytes('status-aof-size')) === (await infoNum('persistence', 'aof_current_size')), SLOW).toBe(true);
  const sizeBefore = await shownBytes('status-aof-size');
  expect(sizeBefore).toBeGreaterThan(20 * 30 * 2000);
  const rewritesBefore = await infoNum('persistence', 'aof_rewrites');
  const lastSaveBefore = Number(await attr(a, 'status-last-save', 'data-unix'));
  expect(lastSaveBefore).toBe(await infoNum('persistence', 'rdb_last_save_time'));
  // rdb_last_save_time has a one-second grain: let a second pass so the new one differs.
  while (Math.floor(Date.now() / 1000) <= lastSaveBefore) await sleep(100);

  await a.page.getByTestId('status-compact').click();
  await expect.poll(() => attr(a, 'status-persist-log', 'data-after'), SLOW).not.toBeNull();
  const log = await a.text('status-persist-log');
  expect(log).toContain('> BGREWRITEAOF');
  expect(log).toContain('Background append only file rewriting started');
  expect(log).toContain('rewrite done: AOF');
  expect(Number(await attr(a, 'status-persist-log', 'data-before'))).toBeGreaterThanOrEqual(sizeBefore);
  const sizeAfter = Number(await attr(a, 'status-persist-log', 'data-after'));
  expect(sizeAfter).toBeLessThan(sizeBefore / 4);
  await expect.poll(async () => (await shownBytes('status-aof-size')) === (await infoNum('persistence', 'aof_current_size')), SLOW).toBe(true);
  expect(await shownBytes('status-aof-size')).toBeLessThan(sizeBefore / 4);
  expect(await shownBytes('status-base-size')).toBe(await infoNum('persistence', 'aof_base_size'));
  expect(await shownBytes('status-base-size')).toBeGreaterThan(30 * 2000);
  expect(await infoNum('persistence', 'aof_rewrites')).toBe(rewritesBefore + 1);
  await expect.poll(() => attr(a, 'status-rewrites', 'data-count')).toBe(String(rewritesBefore + 1));
  await expect.poll(async () => Number(await attr(a, 'status-last-save', 'data-unix')), SLOW).toBeGreaterThan(lastSaveBefore);
  expect(Number(await attr(a, 'status-last-save', 'data-unix'))).toBe(await infoNum('persistence', 'rdb_last_save_time'));
  expect(await a.text('status-last-save')).toMatch(/\d+s ago$/);

  // SAVE: one more save, acknowledged once durable; LASTSAVE answered.
  const savesBefore = await infoNum('persistence', 'rdb_saves');
  await a.page.getByTestId('status-save').click();
  await expect.poll(() => a.text('status-persist-log'), SLOW).toContain('> LASTSAVE');
  await expect.poll(() => a.text('status-persist-log'), SLOW).toMatch(/\(integer\) \d{10}/);
  expect(await a.text('status-persist-log')).toMatch(/OK — snapshot durable/);
  expect(await infoNum('persistence', 'rdb_saves')).toBe(savesBefore + 1);
  await expect.poll(() => attr(a, 'status-saves', 'data-count'), SLOW).toBe(String(savesBefore + 1));

  // Server: keyspace = DBSIZE, clients and commands as INFO says.
  await expect.poll(async () => Number(await attr(a, 'status-keyspace-db0', 'data-keys')) === (await a.redis((r) => r.dbsize())), SLOW).toBe(true);
  expect(Number(await attr(a, 'status-keyspace-db0', 'data-keys'))).toBeGreaterThanOrEqual(30);
  await expect.poll(async () => (await a.text('status-clients')) === (await infoField(a, 'clients', 'connected_clients')), SLOW).toBe(true);
  expect(Number((await a.text('status-commands')).replace(/,/g, ''))).toBeGreaterThan(600);
  expect(await a.text('status-durability')).toBe('durable');

  // The INFO viewer: the section chosen, INFO's values.
  const viewer = () =>
    a.page.getByTestId('status-info-row').evaluateAll((els) => els.map((e) => [e.getAttribute('data-key')!, e.children[1]!.textContent!] as [string, string]));
  await a.page.getByTestId('status-info-section').selectOption('persistence');
  await expect.poll(() => a.text('status-info-command')).toBe('INFO persistence');
  await expect.poll(async () => new Map(await viewer()).get('aof_rewrites'), SLOW).toBe(await infoField(a, 'persistence', 'aof_rewrites'));
  let keys = (await viewer()).map(([k]) => k);
  expect(keys).toContain('rdb_last_save_time');
  expect(keys).toContain('aof_current_size');
  expect(keys).not.toContain('used_memory');
  expect(new Map(await viewer()).get('aof_base_size')).toBe(await infoField(a, 'persistence', 'aof_base_size'));
  expect(await a.text('status-info-count')).toBe(`${keys.length} fields`);

  await a.page.getByTestId('status-info-filter').fill('aof_base');
  await expect.poll(async () => (await viewer()).map(([k]) => k)).toEqual(['aof_base_size']);
  expect(await a.text('status-info-count')).toBe(`1 of ${keys.length} fields`);
  await a.page.getByTestId('status-info-filter').fill('');

  await a.page.getByTestId('status-info-raw').check();
  await expect.poll(() => a.page.getByTestId('status-info-text').isVisible()).toBe(true);
  expect(await a.page.getByTestId('status-info-table').isVisible()).toBe(false);
  expect(await a.text('status-info-text')).toMatch(/^# Persistence\r?\n/);
  expect(await a.text('status-info-text')).toContain(`aof_base_size:${await infoField(a, 'persistence', 'aof_base_size')}`);
  await a.page.getByTestId('status-info-raw').uncheck();
  await expect.poll(() => a.page.getByTestId('status-info-table').isVisible()).toBe(true);

  await a.page.getByTestId('status-info-section').selectOption('keyspace');
  await expect.poll(() => a.text('status-info-command')).toBe('INFO keyspace');
  await expect.poll(async () => new Map(await viewer()).get('db0') === (await infoField(a, 'keyspace', 'db0')), SLOW).toBe(true);

  await a.page.getByTestId('status-info-section').selectOption('all');
  await expect.poll(async () => (await viewer()).length, SLOW).toBeGreaterThan(100);
  keys = (await viewer()).map(([k]) => k);
  for (const k of ['redis_version', 'connected_clients', 'used_memory', 'aof_current_size', 'total_commands_processed', 'db0']) expect(keys).toContain(k);
  expect(new Map(await viewer()).get('redis_version')).toBe(await infoField(a, 'server', 'redis_version'));
  await a.page.getByTestId('status-info-section').selectOption('commandstats');
  await expect.poll(async () => new Map(await viewer()).has('cmdstat_bgrewriteaof'), SLOW).toBe(true);
  expect(new Map(await viewer()).get('cmdstat_bgrewriteaof')).toMatch(/^calls=1,/);
  await scrollToCard(a, 'status-info');
  await a.shoot('status', 'info');

  // A reload (the leader's tab: the store is loaded again): the compaction lasted, the figures
  // are rebuilt from the store.
  await a.reload();
  await expect.poll(async () => (await shownBytes('status-aof-size')) === (await infoNum('persistence', 'aof_current_size')), SLOW).toBe(true);
  expect(await shownBytes('status-aof-size')).toBeLessThan(sizeBefore / 4);
  await expect.poll(async () => Number(await attr(a, 'status-keyspace-db0', 'data-keys')) === (await a.redis((r) => r.dbsize())), SLOW).toBe(true);
  expect(await a.redis((r) => r.get('status:test:7'))).toBe(`${'x'.repeat(2000)}19`);
  a.expectNoErrors();
});

test('the benchmark, run from a follower tab: a table of positive figures and baselines, kept in the store across tabs and reloads', async () => {
  await browser.launch();
  const a = await DemoTab.open(browser, 'status', 'A');
  const b = await DemoTab.open(browser, 'status', 'B');
  const aName = await tabName(a);
  const bName = await tabName(b);
  await expect.poll(() => b.text('status-role'), SLOW).toBe('follower');
  await b.redis((r) => r.set('bench:stale', 'left by an interrupted run'));

  await b.page.getByTestId('status-bench-run').click();
  await expect.poll(() => b.page.getByTestId('status-bench-progress').isVisible()).toBe(true);
  expect(await b.page.getByTestId('status-bench-run').isDisabled()).toBe(true);
  await expect.poll(() => b.text('status-bench-step')).toMatch(/one awaited at a time|in flight/);
  await expect.poll(() => b.page.getByTestId('status-bench-progress').isVisible(), { timeout: 150_000, interval: 500 }).toBe(false);
  expect(await b.page.getByTestId('status-bench-run').isDisabled()).toBe(false);

  const rows = () =>
    b.page.getByTestId('status-bench-row').evaluateAll((els) =>
      els.map((e) => ({
        name: e.getAttribute('data-name')!,
        front: e.getAttribute('data-front')!,
        values: [...e.querySelectorAll('td[data-value]')].map((td) => Number(td.getAttribute('data-value'))),
        text: [...e.querySelectorAll('td.num')].map((td) => td.textContent ?? ''),
      })),
    );
  const table = await rows();
  expect(table.map((r) => [r.name, r.front])).toEqual([
    ['SET', 'lodis'],
    ['GET', 'lodis'],
    ['INCR', 'lodis'],
    ['ZADD', 'lodis'],
    ['LPUSH', 'lodis'],
    ['Map in this page', 'map'],
    ['Plain worker', 'postmessage'],
  ]);
  for (const r of table) {
    expect(r.values, r.name).toHaveLength(3);
    for (const v of r.values) expect(Number.isFinite(v) && v > 0, `${r.name}: ${r.values.join(', ')}`).toBe(true);
    expect(r.text[0], r.name).toMatch(/^[\d.]+(e-\d+)? (µs|ms)$/);
    expect(r.text[2], r.name).toMatch(/^[\d.]+[kM]?\/s$/);
  }
  const note = await b.text('status-bench-note');
  expect(note).toContain(`${bName} followed ${aName}: page → ${bName}’s worker → ${aName}’s worker`);
  expect(note).toMatch(/\d+ logical cores/);
  expect(note).toMatch(/Chrome/);

  // The keys are gone (a stale one too), the result is in the store and matches the table.
  expect(await a.redis((r) => r.keys('bench:*'))).toEqual([]);
  const stored = JSON.parse((await a.redis((r) => r.get('demo:bench:last')))!) as {
    at: number;
    tab: string;
    role: string;
    leader: string;
    rows: { name: string; p50Us: number; p99Us: number; opsPerSec: number }[];
  };
  expect([stored.tab, stored.role, stored.leader]).toEqual([bName, 'follower', aName]);
  expect(stored.rows.map((r) => [r.p50Us, r.p99Us, r.opsPerSec])).toEqual(table.map((r) => r.values));
  expect(Number(await attr(b, 'status-bench-result', 'data-at'))).toBe(stored.at);

  // The other tab shows the same run (a key watch), and a reload shows it again.
  await expect.poll(() => attr(a, 'status-bench-result', 'data-at'), SLOW).toBe(String(stored.at));
  await b.reload();
  await expect.poll(() => attr(b, 'status-bench-result', 'data-at'), SLOW).toBe(String(stored.at));
  await expect.poll(() => b.text('status-leader'), SLOW).toBe(aName);
  await expect.poll(() => b.text('status-role'), SLOW).toBe('follower');
  expect((await rows()).map((r) => r.values)).toEqual(table.map((r) => r.values));

  await scrollToCard(b, 'status-bench');
  await b.shoot('status', 'bench');
  await b.expectFitsPhone('the benchmark table');
  a.expectNoErrors();
  b.expectNoErrors();
});
