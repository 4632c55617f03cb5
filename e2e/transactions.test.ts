/**
 * Transactions and reactive keys across tabs in real Chromium (pages/txn.html, `window.lodisTxn`),
 * one store shared through @lodis/web-worker:
 *
 * 1. WATCH in tab A broken by a write in tab B: A's EXEC replies null and nothing of it runs; with
 *    no write in between it runs — A following, and A leading;
 * 2. `watchKeys` in tab A fires for a change made in tab B (key, event, db; latency printed), for
 *    nothing else, and stops after unsubscribe; the same after the leader's tab is closed (the
 *    watch is registered with the new leader);
 * 3. a typed `multi()` in two tabs, each incrementing the same counters 1000 times: the result is
 *    exact and no transaction saw another's INCR between its two; then WATCH-based optimistic
 *    increments (WATCH, GET, multi().set(v + 1).exec(), retried on null) from both tabs: exact;
 * 4. 10,000 watch/unwatch cycles in a follower tab: no watch is left in the page, its worker or the
 *    leader, whose engine has no keyspace observer left;
 * 5. a leader change while a session WATCHes, and while a session is in MULTI: the transaction is
 *    doomed, never run unwatched or half-queued — EXEC replies null, and fails with EXECABORT.
 */
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, inject, test } from 'vitest';
import { sleep } from './src/harness.js';
import { Tab as PageTab, TabBrowser, waitFor } from './src/tab-harness.js';
import type { TxnOpenOptions, TxnPage } from './pages/txn-api.js';

const browser = new TabBrowser();
beforeAll(() => browser.serve(inject('pagesDir')));
afterAll(() => browser.stopServing());
afterEach(() => browser.close());

class Tab extends PageTab<TxnPage> {
  constructor(page: Page, label: string) {
    super(page, browser.pageSpec('/txn.html', 'lodisTxn'), label);
  }

  /** A command on a session of the tab ('' = the client's own); throws on an error reply. */
  async cmd(session: string, ...argv: (string | number)[]): Promise<unknown> {
    const r = await this.call('call', session, argv);
    if ('error' in r) throw new Error(`${this.label}: ${argv.join(' ')}: ${r.error}`);
    return r.ok;
  }
}

async function openTab(name: string, label: string, options: Omit<TxnOpenOptions, 'label'> = {}): Promise<Tab> {
  const t = new Tab(await browser.newPage(), label);
  await t.load();
  await t.call('open', name, { label, ...options });
  return t;
}

/** Tabs A (opened first: it leads) and B, or the other way round when `aLeads` is false. */
async function twoTabs(name: string, aLeads: boolean): Promise<{ a: Tab; b: Tab }> {
  const first = await openTab(name, aLeads ? 'A' : 'B');
  const second = await openTab(name, aLeads ? 'B' : 'A');
  const [a, b] = aLeads ? [first, second] : [second, first];
  expect((await a.call('leadership')).role).toBe(aLeads ? 'leader' : 'follower');
  expect((await b.call('leadership')).role).toBe(aLeads ? 'follower' : 'leader');
  return { a, b };
}

const uniq = (what: string) => `${what}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;

describe('WATCH across tabs', () => {
  for (const aLeads of [false, true]) {
    test(`a write in tab B breaks tab A's WATCH: EXEC replies null (A ${aLeads ? 'leading' : 'following'})`, async () => {
      await browser.launch();
      const { a, b } = await twoTabs(uniq('watch'), aLeads);
      await b.cmd('', 'SET', 'balance', 100);

      expect(await a.cmd('s', 'WATCH', 'balance')).toBe('OK');
      expect(await a.cmd('s', 'GET', 'balance')).toBe('100');
      expect(await b.cmd('', 'INCRBY', 'balance', 5)).toBe(105);
      // Typed multi() on the watching session: not run.
      expect(await a.call('multi', 's', [['SET', 'balance', 90], ['SET', 'audit', 'a']])).toEqual({ ok: null });
      expect(await b.cmd('', 'MGET', 'balance', 'audit')).toEqual(['105', null]);

      // Raw MULTI … EXEC, as redis-cli would send it.
      expect(await a.cmd('s', 'WATCH', 'balance')).toBe('OK');
      await b.cmd('', 'DECR', 'balance');
      expect(await a.cmd('s', 'MULTI')).toBe('OK');
      expect(await a.cmd('s', 'SET', 'balance', 0)).toBe('QUEUED');
      expect(await a.cmd('s', 'EXEC')).toBeNull();

      // Not broken: it runs.
      expect(await a.cmd('s', 'WATCH', 'balance')).toBe('OK');
      const v = Number(await a.cmd('s', 'GET', 'balance'));
      expect(await a.call('multi', 's', [['SET', 'balance', v - 10], ['SET', 'audit', 'a']])).toEqual({ ok: ['OK', 'OK'] });
      expect(await b.cmd('', 'MGET', 'balance', 'audit')).toEqual([String(v - 10), 'a']);
      expect([...a.errors, ...b.errors]).toEqual([]);
    });
  }
});

describe('watchKeys across tabs', () => {
  test('fires in tab A for a change in tab B, only for matching keys, and stops after unsubscribe', async () => {
    await browser.launch();
    const { a, b } = await twoTabs(uniq('reactive'), false); // A follows: the changes come over BroadcastChannel
    const cart = await a.call('watchKeys', 'cart:*');
    const db2 = await a.call('watchKeys', '*', 2);

    const t0 = await b.call('clock');
    await b.cmd('', 'HSET', 'cart:42', 'apple', 2);
    const [first] = await waitFor('the change in tab A', async () => {
      const c = await a.call('changes', cart);
      return c.length ? c : null;
    });
    console.log(`watchKeys: a change made in tab B reached tab A's handler in ${(first!.at - t0).toFixed(1)} ms`);
    await b.cmd('', 'SET', 'user:1', 'ada');
    await b.cmd('', 'HINCRBY', 'cart:42', 'apple', 1);
    await b.cmd('x', 'SELECT', 2);
    await b.cmd('x', 'SADD', 'cart:7', 'pear');
    await b.cmd('', 'EXPIRE', 'cart:42', 100);
    await b.cmd('', 'DEL', 'cart:42');
    await waitFor('every change', async () => (await a.call('changes', cart)).length >= 5);
    const strip = (cs: { key: string; event: string; db: number }[]) => cs.map(({ key, event, db }) => ({ key, event, db }));
    expect(strip(await a.call('changes', cart))).toEqual([
      { key: 'cart:42', event: 'hset', db: 0 },
      { key: 'cart:42', event: 'hincrby', db: 0 },
      { key: 'cart:7', event: 'sadd', db: 2 },
      { key: 'cart:42', event: 'expire', db: 0 },
      { key: 'cart:42', event: 'del', db: 0 },
    ]);
    expect(strip(await a.call('changes', db2))).toEqual([{ key: 'cart:7', event: 'sadd', db: 2 }]);

    // Unsubscribed: nothing more, whatever B changes.
    await a.call('unwatchKeys', cart);
    await a.call('unwatchKeys', db2);
    await b.cmd('', 'HSET', 'cart:42', 'kiwi', 1);
    await b.cmd('x', 'SADD', 'cart:7', 'fig');
    await sleep(300);
    expect((await a.call('changes', cart)).length).toBe(5);
    expect((await a.call('changes', db2)).length).toBe(1);
    expect(await a.call('keyWatchStats')).toMatchObject({ page: 0, tab: 0, leader: null });
    expect((await b.call('keyWatchStats')).leader).toEqual({ watches: 0, tabs: 0, observers: 0 });
    expect([...a.errors, ...b.errors]).toEqual([]);
  });

  test('a watch outlives a leader change: registered again with the new leader', async () => {
    await browser.launch();
    const name = uniq('reactive-leader');
    const old = await openTab(name, 'L');
    const a = await openTab(name, 'A');
    const c = await openTab(name, 'C');
    const id = await a.call('watchKeys', 'board');
    await c.cmd('', 'ZADD', 'board', 1, 'ada');
    await waitFor('the change before', async () => (await a.call('changes', id)).length === 1);
    const before = await a.call('leadership');
    await old.page.close();
    await waitFor('a new leader', async () => {
      const l = await a.call('leadership');
      return l.leader !== null && l.leader !== before.leader;
    });
    await c.cmd('', 'ZINCRBY', 'board', 5, 'ada');
    await waitFor('the change after', async () => (await a.call('changes', id)).length === 2);
    expect((await a.call('changes', id)).map((x) => x.event)).toEqual(['zadd', 'zincr']);
    expect([...a.errors, ...c.errors]).toEqual([]);
  });

  test('10,000 watch/unwatch cycles in a follower leave nothing in the page, its worker or the leader', async () => {
    await browser.launch();
    const { a, b } = await twoTabs(uniq('cycles'), false);
    const t0 = Date.now();
    const stats = await a.call('watchCycles', 10_000);
    console.log(`watchKeys: 10,000 watch/unwatch cycles from a follower tab in ${Date.now() - t0} ms`);
    expect(stats).toEqual({ page: 0, tab: 0, leader: null });
    await waitFor('the leader to drop every watch', async () => {
      const l = (await b.call('keyWatchStats')).leader;
      return l !== null && l.watches === 0 && l.tabs === 0 && l.observers === 0;
    });
    expect([...a.errors, ...b.errors]).toEqual([]);
  });
});

describe('typed multi() across tabs', () => {
  test('two tabs, 1000 transactions each on the same counters: exact, never interleaved; then WATCH-based increments: exact', async () => {
    await browser.launch();
    const { a, b } = await twoTabs(uniq('counter'), true);
    const [sa, sb] = await Promise.all([a.call('multiIncrements', 'x', 'y', 1000), b.call('multiIncrements', 'x', 'y', 1000)]);
    expect(sa).toMatchObject({ committed: 1000, interleaved: 0, errors: [] });
    expect(sb).toMatchObject({ committed: 1000, interleaved: 0, errors: [] });
    expect(await a.cmd('', 'MGET', 'x', 'y')).toEqual(['2000', '2000']);
    console.log(`multi(): 1000 MULTI/INCR/INCR/EXEC per tab, both at once: leader ${sa.ms.toFixed(0)} ms, follower ${sb.ms.toFixed(0)} ms`);

    const [ca, cb] = await Promise.all([a.call('casIncrements', 'n', 1000), b.call('casIncrements', 'n', 1000)]);
    expect(ca).toMatchObject({ committed: 1000, errors: [] });
    expect(cb).toMatchObject({ committed: 1000, errors: [] });
    expect(await b.cmd('', 'GET', 'n')).toBe('2000');
    console.log(`WATCH/GET/multi().set/EXEC: 1000 per tab, both at once: ${ca.retries + cb.retries} EXECs replied null and were retried`);
    expect([...a.errors, ...b.errors]).toEqual([]);
  });
});

describe('a leader change in the middle of a transaction', () => {
  test('a session that WATCHes gets a null EXEC; one in MULTI gets EXECABORT; nothing runs half-queued', async () => {
    await browser.launch();
    const name = uniq('txn-leader');
    const old = await openTab(name, 'L');
    const a = await openTab(name, 'A');
    await a.cmd('', 'SET', 'k', 1);
    expect(await a.cmd('w', 'WATCH', 'k')).toBe('OK');
    expect(await a.cmd('m', 'MULTI')).toBe('OK');
    expect(await a.cmd('m', 'INCR', 'k')).toBe('QUEUED');
    const before = await a.call('leadership');
    expect(before.role).toBe('follower');
    await old.page.close();
    await waitFor('A to lead', async () => (await a.call('leadership')).role === 'leader');
    // Nobody wrote k, but the WATCH was on an engine that is gone: the transaction cannot run.
    expect(await a.cmd('w', 'MULTI')).toBe('OK');
    expect(await a.cmd('w', 'SET', 'k', 'w')).toBe('QUEUED');
    expect(await a.cmd('w', 'EXEC')).toBeNull();
    // The MULTI's queue is gone: what comes now is dropped and EXEC fails.
    expect(await a.cmd('m', 'INCR', 'k')).toBe('QUEUED');
    expect(await a.call('call', 'm', ['EXEC'])).toEqual({ error: 'ReplyError: EXECABORT Transaction discarded because of previous errors.' });
    expect(await a.cmd('', 'GET', 'k')).toBe('1');
    // Both sessions work normally afterwards.
    expect(await a.call('multi', 'w', [['INCR', 'k']])).toEqual({ ok: [2] });
    expect(await a.call('multi', 'm', [['INCR', 'k']])).toEqual({ ok: [3] });
    expect(a.errors).toEqual([]);
  });
});
