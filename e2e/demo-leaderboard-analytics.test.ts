/**
 * The demo's Leaderboard and Real-time analytics panels (demo/src/panels/leaderboard.ts,
 * analytics.ts), driven through their buttons in two tabs and checked against the store:
 * a board that tab B sees change when tab A adds and bumps players, ZADD's options, a player's
 * rank, 100,000 players loaded; unique visitors by HyperLogLog and by set, a week of online
 * bitmaps with their BITOP combinations, "I'm online today" — all surviving a reload.
 */
import { afterAll, afterEach, beforeAll, expect, inject, test } from 'vitest';
import { DemoTab } from './src/demo-harness.js';
import { TabBrowser } from './src/tab-harness.js';

const browser = new TabBrowser();
beforeAll(() => browser.serve(inject('demoDir')));
afterAll(() => browser.stopServing());
afterEach(() => browser.close());

const SCORES = 'leaderboard:scores';
const LONG = { timeout: 30_000 };

/** The top-10 rows a tab shows: [name, score] in order. */
async function shownTop(tab: DemoTab): Promise<[string, number][]> {
  return tab.page
    .getByTestId('leaderboard-top')
    .getByTestId('leaderboard-row')
    .evaluateAll((rows) => rows.map((r) => [r.getAttribute('data-member')!, Number(r.getAttribute('data-score'))] as [string, number]));
}

/** The store's top 10, as pairs. */
async function storeTop(tab: DemoTab): Promise<[string, number][]> {
  const flat = await tab.redis((r, key) => r.zrange(key, 0, 9, { rev: true, withScores: true }), SCORES);
  const out: [string, number][] = [];
  for (let i = 0; i < flat.length; i += 2) out.push([String(flat[i]), Number(flat[i + 1])]);
  return out;
}

async function addPlayer(tab: DemoTab, name: string, score: number, mode = ''): Promise<void> {
  await tab.page.getByTestId('leaderboard-name-input').fill(name);
  await tab.page.getByTestId('leaderboard-score-input').fill(String(score));
  await tab.page.getByTestId('leaderboard-mode').selectOption(mode);
  await tab.page.getByTestId('leaderboard-add').click();
}

test('leaderboard: players added and bumped in one tab show in the other, ranks match the store, 100,000 players load', async () => {
  await browser.launch();
  const a = await DemoTab.open(browser, 'leaderboard', 'A');
  const b = await DemoTab.open(browser, 'leaderboard', 'B');
  await expect.poll(() => b.page.getByTestId('leaderboard-empty').isVisible()).toBe(true);

  await addPlayer(a, 'alice', 100);
  await addPlayer(a, 'bob', 250);
  await addPlayer(a, 'carol', 175);
  await expect.poll(() => shownTop(b), LONG).toEqual([['bob', 250], ['carol', 175], ['alice', 100]]);
  expect(await shownTop(b)).toEqual(await storeTop(b));
  expect(await b.text('leaderboard-zcard')).toBe('3');
  expect(await b.text('leaderboard-leader')).toBe('bob');

  // ZINCRBY from A's row buttons: alice +100 then +10 overtakes carol, in B's board.
  const aliceRow = a.page.getByTestId('leaderboard-top').locator('[data-member="alice"]');
  await aliceRow.getByTestId('leaderboard-incr-100').click();
  await expect.poll(() => a.redis((r, k) => r.zscore(k, 'alice'), SCORES)).toBe(200);
  await aliceRow.getByTestId('leaderboard-incr-10').click();
  await expect.poll(() => shownTop(b), LONG).toEqual([['bob', 250], ['alice', 210], ['carol', 175]]);
  expect(await shownTop(b)).toEqual(await storeTop(b));
  await expect.poll(() => a.text('leaderboard-last')).toBe(`ZINCRBY ${SCORES} 10 alice`);
  // The row that changed is highlighted in the other tab.
  expect(await b.page.getByTestId('leaderboard-top').locator('[data-member="alice"]').getAttribute('class')).toContain('leaderboard-changed');

  // ZADD's options: GT keeps a higher score, NX adds only new players, XX only updates.
  await addPlayer(a, 'alice', 150, 'gt');
  await expect.poll(() => a.text('leaderboard-last')).toBe(`ZADD ${SCORES} GT 150 alice`);
  expect(await a.page.locator('.leaderboard-last-reply').innerText()).toBe('→ (integer) 0 · no new player (a changed score is counted only with CH)');
  expect(await a.redis((r, k) => r.zscore(k, 'alice'), SCORES)).toBe(210); // GT: 150 is not higher
  await addPlayer(a, 'alice', 300, 'gt');
  await addPlayer(a, 'bob', 1, 'nx');
  await addPlayer(a, 'dave', 5, 'xx');
  await addPlayer(a, 'erin', 60, 'nx');
  await expect.poll(() => shownTop(b), LONG).toEqual([['alice', 300], ['bob', 250], ['carol', 175], ['erin', 60]]);
  expect(await storeTop(a)).toEqual([['alice', 300], ['bob', 250], ['carol', 175], ['erin', 60]]);
  // CH: ZADD then counts a changed score, not only a new member.
  await a.page.getByTestId('leaderboard-ch').check();
  await addPlayer(a, 'alice', 320, 'gt');
  await expect.poll(() => a.text('leaderboard-last')).toBe(`ZADD ${SCORES} GT CH 320 alice`);
  expect(await a.page.locator('.leaderboard-last-reply').innerText()).toBe('→ (integer) 1 · added or changed');
  expect(await a.redis((r, k) => r.zscore(k, 'alice'), SCORES)).toBe(320);
  await a.page.getByTestId('leaderboard-ch').uncheck();

  // Find a player in B: rank and score as ZREVRANK and ZSCORE give them, with the neighbours.
  await b.page.getByTestId('leaderboard-find-input').fill('carol');
  await b.page.getByTestId('leaderboard-find').click();
  const carolRank = await b.redis((r, k) => r.zrevrank(k, 'carol'), SCORES);
  await expect.poll(() => b.text('leaderboard-find-rank')).toBe(`#${carolRank! + 1}`);
  expect(await b.text('leaderboard-find-score')).toBe('175');
  expect(await b.page.getByTestId('leaderboard-neighbours').getByTestId('leaderboard-name').allInnerTexts()).toEqual(['alice', 'bob', 'carol', 'erin']);
  // A change in A moves carol in B's lookup too.
  await a.page.getByTestId('leaderboard-top').locator('[data-member="carol"]').getByTestId('leaderboard-incr-100').click();
  await expect.poll(() => b.text('leaderboard-find-rank'), LONG).toBe('#2');
  expect(await b.redis((r, k) => r.zrevrank(k, 'carol'), SCORES)).toBe(1);
  await b.page.getByTestId('leaderboard-find-input').fill('nobody');
  await b.page.getByTestId('leaderboard-find').click();
  await expect.poll(() => b.page.getByTestId('leaderboard-find-missing').isVisible()).toBe(true);

  // 100,000 players: ZCARD in the store, the board equal to the store's top 10 in both tabs, timings shown.
  await a.page.getByTestId('leaderboard-load').click();
  await expect.poll(() => a.text('leaderboard-load-status'), { timeout: 150_000, interval: 500 }).toMatch(/^Loaded 100,000 players with 100 ZADDs in [\d.]+ s → ZCARD 100,00\d/);
  await expect.poll(() => a.page.getByTestId('leaderboard-load').isEnabled(), { timeout: 60_000 }).toBe(true); // timings measured
  const zcard = await a.redis((r, k) => r.zcard(k), SCORES);
  expect(zcard).toBeGreaterThanOrEqual(100_000);
  await expect.poll(() => b.text('leaderboard-zcard'), LONG).toBe(zcard.toLocaleString('en-US'));
  const top = await storeTop(a);
  expect(top).toHaveLength(10);
  await expect.poll(() => shownTop(a), LONG).toEqual(top);
  await expect.poll(() => shownTop(b), LONG).toEqual(top);
  for (const id of ['leaderboard-time-top10', 'leaderboard-time-revrank', 'leaderboard-time-zincrby']) {
    await expect.poll(() => b.text(id), LONG).toMatch(/^[\d.]+ (µs|ms)$/);
  }

  // B times the queries again (from a follower: through the leader's tab), and both tabs show the new figures.
  const benchBefore = await b.redis((r) => r.hgetall('leaderboard:bench'));
  await b.page.getByTestId('leaderboard-measure').click();
  await expect.poll(() => b.text('leaderboard-last'), LONG).toBe(`ZRANGE ${SCORES} 0 9 REV WITHSCORES · ZREVRANK · ZINCRBY, ×25 each`);
  const benchAfter = (await b.redis((r) => r.hgetall('leaderboard:bench')))!;
  expect(benchAfter.top10_us).not.toBe(benchBefore!.top10_us);
  expect(Number(benchAfter.measured_zcard)).toBe(zcard);
  expect(await b.redis((r, k) => r.zcard(k), SCORES)).toBe(zcard); // ZINCRBY of players on the board: none added
  await expect.poll(() => a.text('leaderboard-timing-note'), LONG).toMatch(/measured in tab-[0-9a-f]{4}, a follower .* with 100,00\d players on the board\.$/);
  const shownMicros = (us: string) => (Number(us) < 1000 ? `${Math.round(Number(us))} µs` : `${(Number(us) / 1000).toFixed(Number(us) < 10_000 ? 2 : 1)} ms`);
  await expect.poll(() => a.text('leaderboard-time-revrank'), LONG).toBe(shownMicros(benchAfter.revrank_us!));

  // B finds a loaded player: its rank is ZREVRANK's.
  await b.page.getByTestId('leaderboard-find-input').fill('user4217');
  await b.page.getByTestId('leaderboard-find').click();
  const rank = await b.redis((r, k) => r.zrevrank(k, 'user4217'), SCORES);
  await expect.poll(() => b.text('leaderboard-find-rank'), LONG).toBe(`#${(rank! + 1).toLocaleString('en-US')}`);
  expect(await b.page.getByTestId('leaderboard-neighbours').locator('.leaderboard-me').getAttribute('data-member')).toBe('user4217');

  // A reload rebuilds everything from the store.
  await b.reload();
  await expect.poll(() => shownTop(b), LONG).toEqual(await storeTop(b));
  expect(await b.text('leaderboard-zcard')).toBe(zcard.toLocaleString('en-US'));
  expect(await b.text('leaderboard-load-status')).toMatch(/^Loaded 100,000 players/);
  expect(await b.text('leaderboard-time-top10')).toMatch(/^[\d.]+ (µs|ms)$/);

  // Screenshots with data (a player looked up in A), and no sideways scrolling on a phone.
  await a.page.getByTestId('leaderboard-find-input').fill('alice');
  await a.page.getByTestId('leaderboard-find').click();
  await expect.poll(() => a.page.getByTestId('leaderboard-find-rank').isVisible()).toBe(true);
  await a.shoot('leaderboard');
  await a.shootCard('leaderboard', 'leaderboard-find-input', 'find');
  await a.shootCard('leaderboard', 'leaderboard-load', 'scale');
  await a.expectFitsPhone('leaderboard');

  // Clear: DEL, and both boards empty.
  await a.page.getByTestId('leaderboard-clear').click();
  await expect.poll(() => a.redis((r, k) => r.exists(k, 'leaderboard:bench'), SCORES)).toBe(0);
  await expect.poll(() => b.page.getByTestId('leaderboard-empty').isVisible(), LONG).toBe(true);
  expect(await b.text('leaderboard-zcard')).toBe('0');
  expect(await b.text('leaderboard-load-ms')).toBe('–');

  a.expectNoErrors();
  b.expectNoErrors();
});

/** The bars a tab's chart shows: day and count, from the DOM. */
async function shownDays(tab: DemoTab): Promise<{ day: string; count: number; label: string }[]> {
  return tab.page.getByTestId('analytics-day').evaluateAll((gs) =>
    gs.map((g) => ({ day: g.getAttribute('data-day')!, count: Number(g.getAttribute('data-count')), label: g.querySelector('[data-testid="analytics-day-count"]')!.textContent! })),
  );
}

/** BITCOUNT of each day's bitmap in the store. */
function storeDayCounts(tab: DemoTab, days: string[]): Promise<number[]> {
  return tab.redis((r, ds) => Promise.all(ds.map((d) => r.bitcount(`analytics:online:${d}`))), days);
}

/** AND and OR of the days' bitmaps, popcounted here (not by BITOP): what "every day" and "any day" must say. */
async function weekCombined(tab: DemoTab, days: string[]): Promise<{ and: number; or: number }> {
  const bitmaps = await tab.redis((r, ds) => Promise.all(ds.map(async (d) => Array.from((await r.callBuffer('GET', `analytics:online:${d}`)) as Uint8Array | null ?? []))), days);
  const len = Math.max(...bitmaps.map((b) => b.length));
  const pop = (x: number) => x.toString(2).split('').filter((c) => c === '1').length;
  let and = 0;
  let or = 0;
  for (let i = 0; i < len; i++) {
    let a = 0xff;
    let o = 0;
    for (const b of bitmaps) {
      a &= b[i] ?? 0;
      o |= b[i] ?? 0;
    }
    and += pop(a);
    or += pop(o);
  }
  return { and, or };
}

const num = (s: string) => Number(s.replace(/,/g, ''));

test('analytics: HyperLogLog against a set, a week of online bitmaps, BITOP, and "I\'m online today" across tabs', async () => {
  await browser.launch();
  const a = await DemoTab.open(browser, 'analytics', 'A');
  const b = await DemoTab.open(browser, 'analytics', 'B');

  // 20,000 visits from 15,000 people: more than 10,000 unique, PFCOUNT within 2 % of SCARD.
  await a.page.getByTestId('analytics-visits-count').selectOption('20000');
  await a.page.getByTestId('analytics-audience').selectOption('15000');
  await a.page.getByTestId('analytics-simulate-visits').click();
  await expect.poll(() => b.text('analytics-visits'), LONG).toBe('20,000');
  const [pf, sc, hllMem, setMem] = await a.redis((r) =>
    Promise.all([r.pfcount('analytics:visitors:hll'), r.scard('analytics:visitors:set'), r.call('MEMORY', 'USAGE', 'analytics:visitors:hll'), r.call('MEMORY', 'USAGE', 'analytics:visitors:set')]),
  );
  expect(sc).toBeGreaterThan(10_000);
  expect(Math.abs(pf - sc) / sc).toBeLessThan(0.02);
  expect(Number(hllMem)).toBeLessThan(Number(setMem));
  for (const tab of [a, b]) {
    await expect.poll(() => tab.text('analytics-pfcount'), LONG).toBe(pf.toLocaleString('en-US'));
    expect(await tab.text('analytics-scard')).toBe(sc.toLocaleString('en-US'));
    expect(await tab.text('analytics-error')).toBe(`${pf >= sc ? '+' : '−'}${((Math.abs(pf - sc) / sc) * 100).toFixed(2)} %`);
    expect(await tab.text('analytics-hll-memory')).toMatch(/KB$/);
    expect(await tab.text('analytics-set-memory')).toMatch(/KB|MB$/);
  }
  // A second run from B adds returning visitors: the visits double, the uniques grow by less.
  await b.page.getByTestId('analytics-simulate-visits').click();
  await expect.poll(() => a.text('analytics-visits'), LONG).toBe('40,000');
  const [pf2, sc2] = await b.redis((r) => Promise.all([r.pfcount('analytics:visitors:hll'), r.scard('analytics:visitors:set')]));
  expect(sc2).toBeGreaterThan(sc);
  expect(sc2).toBeLessThan(2 * sc);
  expect(Math.abs(pf2 - sc2) / sc2).toBeLessThan(0.02);
  await expect.poll(() => a.text('analytics-scard'), LONG).toBe(sc2.toLocaleString('en-US'));
  expect(await a.text('analytics-pfcount')).toBe(pf2.toLocaleString('en-US'));

  // A week of 1,000 users: each bar is the day's BITCOUNT, in both tabs; AND/OR as computed from the bitmaps.
  await a.page.getByTestId('analytics-week-users').selectOption('1000');
  await a.page.getByTestId('analytics-simulate-week').click();
  await expect.poll(() => a.page.getByTestId('analytics-simulate-week').isEnabled(), { timeout: 120_000 }).toBe(true);
  await expect.poll(async () => (await shownDays(a)).reduce((s, d) => s + d.count, 0), LONG).toBeGreaterThan(0);
  const days = (await shownDays(a)).map((d) => d.day);
  expect(days).toHaveLength(7);
  expect(days[6]).toBe(await a.page.evaluate(() => new Date().toLocaleDateString('sv-SE'))); // today, yyyy-mm-dd
  const counts = await storeDayCounts(a, days);
  expect(Math.min(...counts)).toBeGreaterThan(0);
  expect(Math.max(...counts)).toBeLessThanOrEqual(1000);
  for (const tab of [a, b]) {
    await expect.poll(async () => (await shownDays(tab)).map((d) => d.count), LONG).toEqual(counts);
    expect((await shownDays(tab)).map((d) => d.label)).toEqual(counts.map((c) => c.toLocaleString('en-US')));
  }
  const combined = await weekCombined(a, days);
  expect(combined.and).toBeGreaterThan(0);
  expect(combined.or).toBeGreaterThan(combined.and);
  const bitops = await a.redis((r) => Promise.all([r.bitcount('analytics:online:all-week'), r.bitcount('analytics:online:any-day')]));
  expect(bitops).toEqual([combined.and, combined.or]);
  for (const tab of [a, b]) {
    await expect.poll(() => tab.text('analytics-all-week'), LONG).toBe(combined.and.toLocaleString('en-US'));
    expect(await tab.text('analytics-any-day')).toBe(combined.or.toLocaleString('en-US'));
  }
  // Retention: day 1's users still online on day N, BITOP AND pairwise.
  const retained = await b.page.getByTestId('analytics-retention-point').evaluateAll((ps) => ps.map((p) => Number(p.getAttribute('data-retained'))));
  const expectedRetention = await b.redis(
    async (r, ds) => {
      const out: number[] = [];
      for (const d of ds) {
        await r.bitop('and', 'test:retention', `analytics:online:${ds[0]}`, `analytics:online:${d}`);
        out.push(await r.bitcount('test:retention'));
      }
      await r.del('test:retention');
      return out;
    },
    days,
  );
  expect(retained).toEqual(expectedRetention);

  // "I'm online today" in A: its bit is set, and B's bar for today counts it.
  const userA = Number(await a.page.getByTestId('analytics-me').getAttribute('data-user'));
  const today = days[6]!;
  const before = await a.redis((r, [d, u]) => r.getbit(`analytics:online:${d}`, u), [today, userA] as const);
  expect(await a.page.getByTestId('analytics-me').getAttribute('data-online')).toBe(String(before === 1));
  await a.page.getByTestId('analytics-online-today').click();
  await expect.poll(() => a.redis((r, [d, u]) => r.getbit(`analytics:online:${d}`, u), [today, userA] as const)).toBe(1);
  const todayCount = await a.redis((r, d) => r.bitcount(`analytics:online:${d}`), today);
  expect(todayCount).toBe(counts[6]! + (before === 1 ? 0 : 1));
  await expect.poll(async () => (await shownDays(b)).at(-1)!.count, LONG).toBe(todayCount);
  await expect.poll(() => a.page.getByTestId('analytics-me').getAttribute('data-online'), LONG).toBe('true');
  expect(await a.text('analytics-last')).toBe(`SETBIT analytics:online:${today} ${userA} 1`);
  // The BITOPs were run again: "any day" now counts A's user (computed here from the bitmaps, and by the store).
  const afterOnline = await weekCombined(a, days);
  expect(afterOnline.or).toBeGreaterThanOrEqual(combined.or);
  expect(await a.redis((r) => Promise.all([r.bitcount('analytics:online:all-week'), r.bitcount('analytics:online:any-day')]))).toEqual([afterOnline.and, afterOnline.or]);
  await expect.poll(() => b.text('analytics-any-day'), LONG).toBe(afterOnline.or.toLocaleString('en-US'));

  // A reload of A shows the same numbers, its user still online.
  await a.reload();
  await expect.poll(async () => (await shownDays(a)).map((d) => d.count), LONG).toEqual(await storeDayCounts(a, days));
  expect(await a.page.getByTestId('analytics-me').getAttribute('data-online')).toBe('true');
  expect(await a.text('analytics-scard')).toBe(sc2.toLocaleString('en-US'));
  expect(await a.text('analytics-visits')).toBe('40,000');
  expect(num(await a.text('analytics-all-week'))).toBe(await a.redis((r) => r.bitcount('analytics:online:all-week')));

  await a.shoot('analytics');
  await a.shootCard('analytics', 'analytics-chart', 'week');
  await a.shootCard('analytics', 'analytics-retention', 'bitop');
  await a.expectFitsPhone('analytics');

  // Clear both halves: the keys are gone, the views empty in the other tab.
  await a.page.getByTestId('analytics-clear-visits').click();
  await a.page.getByTestId('analytics-clear-week').click();
  await expect.poll(() => a.redis((r) => r.keys('analytics:*')), LONG).toEqual([]);
  await expect.poll(() => b.text('analytics-visits'), LONG).toBe('0');
  await expect.poll(async () => (await shownDays(b)).map((d) => d.count), LONG).toEqual([0, 0, 0, 0, 0, 0, 0]);
  expect(await b.text('analytics-all-week')).toBe('0');

  a.expectNoErrors();
  b.expectNoErrors();
});
