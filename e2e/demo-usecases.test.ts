/**
 * The demo's cache, sessions and rate-limiter panels (demo/src/panels/{cache,sessions,ratelimit}.ts),
 * driven through their buttons in two tabs of one browser, checked in the page and in the store:
 *
 * - cache: a miss (the slow API, ≥ 800 ms) then a hit (faster) of `cache:user:<id>`, with its TTL in
 *   the store and a countdown that goes down; a 5 s entry expires and the next read misses again;
 *   a second tab hits what the first cached and sees the same HINCRBY counters; invalidate (DEL)
 *   and flush in one tab empty the other's table; a reload keeps the counters;
 * - sessions: a log-in in tab A shows in tab B (the token in localStorage, the hash in the store);
 *   a visit from B slides the expiry (TTL back up in the store); a reload keeps the session; a log
 *   out in B logs A out; a 10 s session expires and logs both tabs out by itself;
 * - rate limiter: seven fast clicks — both limiters allow exactly 5 and refuse 2; the other tab
 *   sees the same counts and its request is refused too; once the window has passed a request is
 *   allowed again; a burst of 10 for another user: 5 and 5.
 *
 * Screenshots of each panel (desktop and phone) in test-results/demo/; no error in any tab.
 */
import { afterAll, afterEach, beforeAll, expect, inject, test } from 'vitest';
import { DemoTab } from './src/demo-harness.js';
import { TabBrowser } from './src/tab-harness.js';

const browser = new TabBrowser();
beforeAll(() => browser.serve(inject('demoDir')));
afterAll(() => browser.stopServing());
afterEach(() => browser.close());

/** Generous: the box is shared with other Chromiums. */
const SLOW = { timeout: 30_000, interval: 100 };

/** `812 ms` / `1.4 ms` → 812 / 1.4. */
const ms = (text: string) => Number(/([\d.]+) ms/.exec(text)?.[1] ?? NaN);

/** formatTtl's text back to seconds: `45s`, `4m 59s`, `1h 00m` (to the minute). */
function ttlSeconds(text: string): number {
  const m = /^(?:(\d+)h )?(?:(\d+)m ?)?(?:(\d+)s)?$/.exec(text.trim());
  if (!m) return NaN;
  return Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0);
}

// ---- cache ------------------------------------------------------------------------------------

/** Fetch a user through the cache in `tab`; resolves once the result is shown: its badge and timing. */
async function fetchUser(tab: DemoTab, id: number, ttl?: number): Promise<{ badge: string; ms: number }> {
  await tab.page.getByTestId('cache-user').selectOption(String(id));
  if (ttl !== undefined) await tab.page.getByTestId('cache-ttl').selectOption(String(ttl));
  await tab.page.getByTestId('cache-fetch').click();
  // The click shows `…` at once and disables the button until the read is done.
  await expect.poll(() => tab.page.getByTestId('cache-fetch').isEnabled(), SLOW).toBe(true);
  const badge = await tab.text('cache-badge');
  expect(badge).toMatch(/^(HIT|MISS)$/);
  return { badge, ms: ms(await tab.text('cache-timing')) };
}

const cacheStats = (tab: DemoTab) => tab.redis((r) => r.hgetall('cache:stats'));

test('cache: miss then hit, TTL countdown from the store, expiry, shared counters across tabs, invalidate and flush', async () => {
  await browser.launch();
  const a = await DemoTab.open(browser, 'cache', 'A');
  await expect.poll(() => a.page.getByTestId('cache-empty').isVisible()).toBe(true);

  // A miss: the slow API, then SET … EX; the entry's TTL is the one chosen.
  const miss = await fetchUser(a, 123, 300);
  expect(miss.badge).toBe('MISS');
  expect(miss.ms).toBeGreaterThanOrEqual(800);
  expect(await a.text('cache-commands')).toContain('SET cache:user:123');
  const ttl = await a.redis((r) => r.ttl('cache:user:123'));
  expect(ttl).toBeGreaterThan(0);
  expect(ttl).toBeLessThanOrEqual(300);
  expect(JSON.parse((await a.redis((r) => r.get('cache:user:123')))!)).toMatchObject({ id: 123, name: 'Ada Lovelace' });
  expect(await a.text('cache-value')).toContain('Ada Lovelace');

  // A hit: from Redis, without the API's wait.
  const hit = await fetchUser(a, 123);
  expect(hit.badge).toBe('HIT');
  expect(hit.ms).toBeLessThan(miss.ms);
  expect(await a.text('cache-commands')).toContain('GET cache:user:123');
  expect(await cacheStats(a)).toEqual({ misses: '1', hits: '1' });
  await expect.poll(() => a.text('cache-hits')).toBe('1');
  await expect.poll(() => a.text('cache-misses')).toBe('1');
  await expect.poll(() => a.text('cache-ratio')).toBe('50%');

  // The table's countdown comes down, as the store's TTL does.
  await expect.poll(() => a.page.getByTestId('cache-entry-123').isVisible(), SLOW).toBe(true);
  const first = ttlSeconds(await a.text('cache-ttl-123'));
  expect(first).toBeGreaterThan(200);
  expect(first).toBeLessThanOrEqual(300);
  await expect.poll(async () => ttlSeconds(await a.text('cache-ttl-123')), SLOW).toBeLessThan(first);

  // A 5 s entry expires (the store deletes it): it leaves the table, and the next read misses.
  expect((await fetchUser(a, 7, 5)).badge).toBe('MISS');
  await expect.poll(() => a.page.getByTestId('cache-entry-7').isVisible(), SLOW).toBe(true);
  await expect.poll(() => a.redis((r) => r.exists('cache:user:7')), SLOW).toBe(0);
  await expect.poll(() => a.page.getByTestId('cache-entry-7').count(), SLOW).toBe(0);
  const again = await fetchUser(a, 7, 300);
  expect(again.badge).toBe('MISS');
  expect(again.ms).toBeGreaterThanOrEqual(800);
  expect(await cacheStats(a)).toEqual({ misses: '3', hits: '1' });

  // Another tab hits what A cached, and both count in the same hash.
  const b = await DemoTab.open(browser, 'cache', 'B');
  await expect.poll(() => b.text('cache-misses'), SLOW).toBe('3');
  expect((await fetchUser(b, 123)).badge).toBe('HIT');
  expect(await cacheStats(b)).toEqual({ misses: '3', hits: '2' });
  await expect.poll(() => a.text('cache-hits'), SLOW).toBe('2');
  await expect.poll(() => b.text('cache-hits'), SLOW).toBe('2');
  await expect.poll(() => b.text('cache-ratio'), SLOW).toBe('40%');
  await expect.poll(() => b.page.getByTestId('cache-entry-123').isVisible(), SLOW).toBe(true);
  await expect.poll(() => b.page.getByTestId('cache-entry-7').isVisible(), SLOW).toBe(true);

  expect((await fetchUser(a, 42, 30)).badge).toBe('MISS');
  await expect.poll(() => b.text('cache-count'), SLOW).toBe('3 keys');
  await b.expectFitsPhone('cache');
  await b.shoot('cache');
  await b.shootCard('cache', 'end', 'lower');

  // Invalidate in B: gone from the store and from A's table; the next read in A misses.
  await b.page.getByTestId('cache-invalidate-123').click();
  await expect.poll(() => b.redis((r) => r.exists('cache:user:123')), SLOW).toBe(0);
  await expect.poll(() => a.page.getByTestId('cache-entry-123').count(), SLOW).toBe(0);
  expect(await b.text('cache-commands')).toContain('DEL cache:user:123');
  expect((await fetchUser(a, 123)).badge).toBe('MISS');

  // A reload keeps everything: the counters and entries are the store's.
  await a.reload();
  await expect.poll(() => a.text('cache-hits'), SLOW).toBe('2');
  await expect.poll(() => a.text('cache-misses'), SLOW).toBe('5');
  await expect.poll(() => a.page.getByTestId('cache-entry-123').isVisible(), SLOW).toBe(true);
  await expect.poll(() => a.page.getByTestId('cache-entry-7').isVisible(), SLOW).toBe(true);

  // Flush in A: every cache:user:* key deleted, both tables empty; the counters stay.
  await a.page.getByTestId('cache-flush').click();
  await expect.poll(() => a.redis(async (r) => (await r.scan(0, { match: 'cache:user:*', count: 1000 }))[1].length), SLOW).toBe(0);
  await expect.poll(() => b.page.getByTestId('cache-empty').isVisible(), SLOW).toBe(true);
  await expect.poll(() => a.page.getByTestId('cache-empty').isVisible(), SLOW).toBe(true);
  expect(await cacheStats(a)).toEqual({ misses: '5', hits: '2' });

  // Reset the counters.
  await b.page.getByTestId('cache-reset').click();
  await expect.poll(() => a.text('cache-hits'), SLOW).toBe('0');
  expect(await a.redis((r) => r.exists('cache:stats'))).toBe(0);
  a.expectNoErrors();
  b.expectNoErrors();
});

// ---- sessions --------------------------------------------------------------------------------------

const token = (tab: DemoTab) => tab.page.evaluate(() => localStorage.getItem('lodis-demo-session'));

test('sessions: log in in one tab shows in the other, visits slide the expiry, reload keeps it, log out and expiry log every tab out', async () => {
  await browser.launch();
  const a = await DemoTab.open(browser, 'sessions', 'A');
  const b = await DemoTab.open(browser, 'sessions', 'B');
  await expect.poll(() => a.text('sessions-status')).toBe('Logged out');
  await expect.poll(() => b.text('sessions-status')).toBe('Logged out');

  // Log in in A: the hash in the store, the token in localStorage, and B logged in too.
  await a.page.getByTestId('sessions-user').fill('ada');
  await a.page.getByTestId('sessions-window').selectOption('60');
  await a.page.getByTestId('sessions-login').click();
  await expect.poll(() => a.text('sessions-status'), SLOW).toBe('Logged in');
  const t = (await token(a))!;
  expect(t).toMatch(/^[0-9a-f]{16}$/);
  expect(await token(b)).toBe(t);
  const key = `session:${t}`;
  expect(await a.redis((r, k) => r.hgetall(k), key)).toMatchObject({ user: 'ada', views: '0', page: '/login', window: '60' });
  const ttl0 = await a.redis((r, k) => r.ttl(k), key);
  expect(ttl0).toBeGreaterThan(0);
  expect(ttl0).toBeLessThanOrEqual(60);
  await expect.poll(() => b.text('sessions-status'), SLOW).toBe('Logged in');
  expect(await b.text('sessions-current-user')).toBe('ada');
  expect(await b.text('sessions-token')).toBe(key);
  await expect.poll(() => b.page.getByTestId(`sessions-row-${t}`).isVisible(), SLOW).toBe(true);
  expect(await b.page.getByTestId(`sessions-row-${t}`).innerText()).toContain('this browser');

  // A visit from B: the views counted, the page recorded, A sees it (watchKeys).
  await b.page.getByTestId('sessions-visit-docs').click();
  await expect.poll(() => a.text('sessions-views'), SLOW).toBe('1');
  expect(await a.redis((r, k) => r.hget(k, 'page'), key)).toBe('/docs');

  // Let the TTL run down a little, then visit another page from B: EXPIRE slides it back up.
  await expect.poll(() => a.redis((r, k) => r.ttl(k), key), SLOW).toBeLessThanOrEqual(56);
  await expect.poll(async () => ttlSeconds(await a.text('sessions-ttl')), SLOW).toBeLessThanOrEqual(57);
  await b.page.getByTestId('sessions-visit-pricing').click();
  await expect.poll(() => b.redis((r, k) => r.hget(k, 'views'), key), SLOW).toBe('2');
  expect(await b.redis((r, k) => r.ttl(k), key)).toBeGreaterThanOrEqual(58);
  expect(await b.redis((r, k) => r.hget(k, 'page'), key)).toBe('/pricing');
  expect(await b.text('sessions-commands')).toContain(`EXPIRE ${key} 60`);
  // …and A sees the visit and the new TTL.
  await expect.poll(() => a.text('sessions-views'), SLOW).toBe('2');
  await expect.poll(async () => ttlSeconds(await a.text('sessions-ttl')), SLOW).toBeGreaterThanOrEqual(57);

  // A reload keeps the session: the token in localStorage, the hash in the store.
  await a.reload();
  await expect.poll(() => a.text('sessions-status'), SLOW).toBe('Logged in');
  await expect.poll(() => a.text('sessions-views'), SLOW).toBe('2');
  expect(await a.text('sessions-current-user')).toBe('ada');

  // Another browser's session joins the table (SCAN MATCH session:*), in both tabs.
  await a.page.getByTestId('sessions-add-visitor').click();
  await expect.poll(() => b.text('sessions-count'), SLOW).toBe('2 sessions');
  const keys = await a.redis(async (r) => (await r.scan(0, { match: 'session:*', count: 1000 }))[1].sort());
  expect(keys).toHaveLength(2);
  expect(keys).toContain(key);
  await expect.poll(() => b.text('sessions-views'), SLOW).toBe('2');
  await b.expectFitsPhone('sessions');
  await b.shoot('sessions'); // B's last commands: the visit, EXPIRE sliding the TTL
  await b.shootCard('sessions', 'end', 'lower');

  // Log out in B: the hash deleted, the token forgotten, A logged out.
  await b.page.getByTestId('sessions-logout').click();
  await expect.poll(() => b.text('sessions-status'), SLOW).toBe('Logged out');
  await expect.poll(() => a.text('sessions-status'), SLOW).toBe('Logged out');
  expect(await a.redis((r, k) => r.exists(k), key)).toBe(0);
  expect(await token(a)).toBeNull();
  await expect.poll(() => a.text('sessions-count'), SLOW).toBe('1 session');

  // A 10 s session expires by itself: both tabs log out, nobody clicking.
  await b.page.getByTestId('sessions-user').fill('grace');
  await b.page.getByTestId('sessions-window').selectOption('10');
  await b.page.getByTestId('sessions-login').click();
  await expect.poll(() => a.text('sessions-current-user'), SLOW).toBe('grace');
  const t2 = (await token(a))!;
  expect(t2).not.toBe(t);
  expect(await a.redis((r, k) => r.ttl(k), `session:${t2}`)).toBeLessThanOrEqual(10);
  await b.shoot('sessions', 'short');
  await expect.poll(() => a.redis((r, k) => r.exists(k), `session:${t2}`), SLOW).toBe(0);
  await expect.poll(() => a.text('sessions-status'), SLOW).toBe('Logged out');
  await expect.poll(() => b.text('sessions-status'), SLOW).toBe('Logged out');
  expect(await token(b)).toBeNull();
  expect(await a.text('sessions-gone')).toContain(`session:${t2}`);
  await a.shoot('sessions', 'expired');
  a.expectNoErrors();
  b.expectNoErrors();
});

// ---- rate limiter --------------------------------------------------------------------------------

const dots = (tab: DemoTab, limiter: string, ok: boolean) => tab.page.getByTestId(`ratelimit-${limiter}-timeline`).locator(`circle[data-ok="${ok}"]`).count();

test('rate limiter: both limiters allow exactly 5 per 10 s, the other tab shares the limit, allowed again after the window', async () => {
  await browser.launch();
  const a = await DemoTab.open(browser, 'ratelimit', 'A');
  const b = await DemoTab.open(browser, 'ratelimit', 'B');

  // Seven fast clicks in A: 5 allowed, 2 refused, by each limiter.
  for (let i = 0; i < 7; i++) await a.page.getByTestId('ratelimit-send').click();
  for (const limiter of ['fixed', 'sliding']) {
    await expect.poll(() => a.text(`ratelimit-${limiter}-allowed`), SLOW).toBe('5');
    await expect.poll(() => a.text(`ratelimit-${limiter}-refused`), SLOW).toBe('2');
  }
  // B, same user: sees the same counts, and its own request is refused.
  await expect.poll(() => b.text('ratelimit-fixed-refused'), SLOW).toBe('2');
  await b.page.getByTestId('ratelimit-send').click();
  await expect.poll(() => b.text('ratelimit-fixed-last'), SLOW).toContain('refused');
  await expect.poll(() => b.text('ratelimit-sliding-last'), SLOW).toContain('refused');
  for (const limiter of ['fixed', 'sliding']) {
    await expect.poll(() => a.text(`ratelimit-${limiter}-refused`), SLOW).toBe('3');
    await expect.poll(() => a.text(`ratelimit-${limiter}-allowed`), SLOW).toBe('5');
  }
  expect(await a.text('ratelimit-fixed-last')).toContain('refused');

  // The store: the counter counted every request; the zset holds only the allowed ones.
  expect(await a.redis((r) => r.get('ratelimit:fixed:alice'))).toBe('8');
  const fixedTtl = await a.redis((r) => r.pttl('ratelimit:fixed:alice'));
  expect(fixedTtl).toBeGreaterThan(0);
  expect(fixedTtl).toBeLessThanOrEqual(10_000);
  expect(await a.redis((r) => r.zcard('ratelimit:sliding:alice'))).toBe(5);
  expect(await a.redis((r) => r.pttl('ratelimit:sliding:alice'))).toBeGreaterThan(0);
  expect(await a.redis((r) => r.hgetall('ratelimit:stats:alice'))).toEqual({ fixed_allowed: '5', fixed_refused: '3', sliding_allowed: '5', sliding_refused: '3' });
  expect(await a.redis((r) => r.llen('ratelimit:log:alice'))).toBe(8);
  expect(await a.text('ratelimit-fixed-commands')).toContain('EXPIRE ratelimit:fixed:alice 10 NX');
  expect(await b.text('ratelimit-sliding-commands')).toContain('ZREM ratelimit:sliding:alice');
  expect(await a.text('ratelimit-fixed-used')).toBe('5 / 5');
  // The timelines: every tab's requests, green and red.
  await expect.poll(() => dots(b, 'fixed', true), SLOW).toBe(5);
  await expect.poll(() => dots(b, 'fixed', false), SLOW).toBe(3);
  await expect.poll(() => dots(a, 'sliding', true), SLOW).toBe(5);
  await expect.poll(() => dots(a, 'sliding', false), SLOW).toBe(3);
  await a.expectFitsPhone('ratelimit');
  await a.shoot('ratelimit');

  // Once the window has passed (the counter expired, the oldest member out of the zset's window),
  // a request is allowed again by both.
  await expect.poll(() => a.redis((r) => r.exists('ratelimit:fixed:alice')), SLOW).toBe(0);
  await expect.poll(() => a.text('ratelimit-fixed-used'), SLOW).toBe('0 / 5');
  await expect.poll(() => a.redis((r) => r.zcount('ratelimit:sliding:alice', `(${Date.now() - 10_000}`, '+inf')), SLOW).toBeLessThan(5);
  await b.page.getByTestId('ratelimit-send').click();
  await expect.poll(() => b.text('ratelimit-fixed-last'), SLOW).toContain('allowed');
  await expect.poll(() => b.text('ratelimit-sliding-last'), SLOW).toContain('allowed');
  await expect.poll(() => a.text('ratelimit-fixed-allowed'), SLOW).toBe('6');
  await expect.poll(() => a.text('ratelimit-sliding-allowed'), SLOW).toBe('6');
  expect(await a.redis((r) => r.get('ratelimit:fixed:alice'))).toBe('1');

  // A burst of 10 for another user, all at once: 5 and 5 again, bob's keys only.
  await a.page.getByTestId('ratelimit-user').selectOption('bob');
  await a.page.getByTestId('ratelimit-burst').click();
  for (const limiter of ['fixed', 'sliding']) {
    await expect.poll(() => a.text(`ratelimit-${limiter}-allowed`), SLOW).toBe('5');
    await expect.poll(() => a.text(`ratelimit-${limiter}-refused`), SLOW).toBe('5');
  }
  expect(await a.redis((r) => r.get('ratelimit:fixed:bob'))).toBe('10');
  expect(await a.redis((r) => r.zcard('ratelimit:sliding:bob'))).toBe(5);
  expect(await a.redis((r) => r.hget('ratelimit:stats:alice', 'fixed_allowed'))).toBe('6');
  await expect.poll(() => dots(a, 'sliding', false), SLOW).toBe(5);
  await a.shoot('ratelimit', 'burst');
  await a.shootCard('ratelimit', 'end', 'lower');

  // A reload keeps the counts (they are the store's); Reset deletes the user's keys.
  await a.reload();
  await expect.poll(() => a.text('ratelimit-fixed-allowed'), SLOW).toBe('6'); // back to alice, the default
  await a.page.getByTestId('ratelimit-reset').click();
  await expect.poll(() => a.redis((r) => r.exists('ratelimit:fixed:alice', 'ratelimit:sliding:alice', 'ratelimit:log:alice', 'ratelimit:stats:alice')), SLOW).toBe(0);
  await expect.poll(() => b.text('ratelimit-fixed-allowed'), SLOW).toBe('0');
  a.expectNoErrors();
  b.expectNoErrors();
});
