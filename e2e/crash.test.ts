/**
 * Durability under a crash, in real Chromium with a profile on disk: the page reports every
 * acknowledged write (reply resolved) to Node as it happens; Node SIGKILLs the whole browser
 * (every process of it, at once) and relaunches it on the same profile; every acknowledged write
 * must be there. More than that, the recovered store must be exactly the model's state after
 * some prefix of the writes at least as long as the acknowledged one: no hole, no wrong value,
 * no TTL restarted by the replay.
 */
import { afterAll, afterEach, beforeAll, describe, expect, inject, test } from 'vitest';
import type { Durability } from './pages/api.js';
import { launchChromium, makeProfileDir, removeProfile, type RunningChromium } from './src/chromium.js';
import {
  idbLayout,
  matchPrefix,
  openTestPage,
  servePages,
  settleShortTtls,
  sleep,
  waitForInfo,
  type TestPage,
} from './src/harness.js';
import type { StaticServer } from './src/server.js';
import { OTHER_DB } from './src/workload.js';

const DBS = [0, OTHER_DB];

let server: StaticServer;
beforeAll(async () => {
  server = await servePages(inject('pagesDir'));
});
afterAll(async () => {
  await server?.close();
});

/** One browser profile on disk, crashed and relaunched as a test goes. */
class CrashableBrowser {
  readonly profile = makeProfileDir();
  chrome: RunningChromium | null = null;
  page: TestPage | null = null;
  /** What the page has reported acknowledged, in the current issue() run. */
  acks = { count: 0, max: -1, failures: 0 };
  private waiter: { count: number; resolve: () => void } | null = null;

  async launch(): Promise<TestPage> {
    this.chrome = await launchChromium({ userDataDir: this.profile });
    this.acks = { count: 0, max: -1, failures: 0 };
    this.page = await openTestPage(this.chrome.context, server.origin, (count, max, failures) => {
      this.acks = { count, max, failures };
      if (this.waiter && count >= this.waiter.count) this.waiter.resolve();
    });
    return this.page;
  }

  /** Resolves once the page has reported `count` acknowledgements of the current run. */
  acked(count: number, timeoutMs = 60_000): Promise<void> {
    if (this.acks.count >= count) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`only ${this.acks.count} of ${count} writes acknowledged after ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.waiter = {
        count,
        resolve: () => {
          clearTimeout(timer);
          this.waiter = null;
          resolve();
        },
      };
    });
  }

  /** SIGKILL every process of the browser; returns what had been acknowledged and when. */
  async crash(): Promise<{ acks: { count: number; max: number; failures: number }; at: number }> {
    const acks = { ...this.acks };
    const at = Date.now();
    await this.chrome!.crash();
    this.chrome = null;
    this.page = null;
    return { acks, at };
  }

  async dispose(): Promise<void> {
    await this.chrome?.close();
    removeProfile(this.profile);
  }
}

let browser: CrashableBrowser | null = null;
afterEach(async () => {
  await browser?.dispose();
  browser = null;
});

/**
 * Relaunch on the same profile, reopen `name`, and check the store against the model: returns
 * the prefix of ops it holds (≥ every acknowledged one).
 */
async function recoverAndCheck(
  b: CrashableBrowser,
  name: string,
  durability: Durability,
  run: { startedAt: number; crashedAt: number; issuedTo: number; ackedMax: number },
  beforeOpen?: (t: TestPage) => Promise<void>,
  options: { intervalMs?: number; ackedMustSurvive?: boolean } = {},
): Promise<{ prefix: number; openMs: number }> {
  const t = await b.launch();
  await beforeOpen?.(t);
  await settleShortTtls(run.crashedAt);
  const openMs = await t.lodis('open', name, { durability, intervalMs: options.intervalMs });
  const dump = await t.lodis('dump', DBS);
  const match = matchPrefix(dump, { from: run.startedAt, to: run.crashedAt }, run.issuedTo);
  expect(match.diffs, `state after recovery vs the model after ${match.candidates.join('|')} ops`).toEqual([]);
  expect(match.prefix).not.toBeNull();
  // Every acknowledged write is there (op indexes are 0-based: ackedMax + 1 ops).
  if (options.ackedMustSurvive ?? true) expect(match.prefix!).toBeGreaterThanOrEqual(run.ackedMax + 1);
  // IndexedDB transactions are atomic: a crash never leaves a torn log record to drop.
  expect(await t.lodis('events')).toEqual([]);
  expect(t.errors).toEqual([]);
  return { prefix: match.prefix!, openMs };
}

for (const durability of ['durable', 'strict'] as const) {
  describe(`durability '${durability}': SIGKILL the browser, relaunch on the same profile`, () => {
    test('right after N acknowledged writes: N of N are there', async () => {
      const N = 5_000;
      const name = `crash-n-${durability}`;
      const b = (browser = new CrashableBrowser());
      const t = await b.launch();
      await t.lodis('open', name, { durability });
      const startedAt = Date.now();
      await t.lodis('startIssue', 0, N, { perTick: 50 });
      await b.acked(N);
      const crash = await b.crash();
      expect(crash.acks).toEqual({ count: N, max: N - 1, failures: 0 });
      const { prefix } = await recoverAndCheck(b, name, durability, {
        startedAt,
        crashedAt: crash.at,
        issuedTo: N,
        ackedMax: crash.acks.max,
      });
      expect(prefix).toBe(N);
    });

    test('with writes still in flight, three crashes in a row: every acknowledged write is there', async () => {
      const name = `crash-stream-${durability}`;
      const b = (browser = new CrashableBrowser());
      let t = await b.launch();
      await t.lodis('open', name, { durability });
      let next = 0;
      const report: string[] = [];
      // TTLs set in every round are checked, so the window opens with the first round.
      const startedAt = Date.now();
      for (let round = 0; round < 3; round++) {
        const ISSUE = 20_000;
        const KILL_AT = 1_500 + round * 1_000;
        await t.lodis('startIssue', next, next + ISSUE, { perTick: 25 });
        await b.acked(KILL_AT);
        const crash = await b.crash();
        expect(crash.acks.failures).toBe(0);
        expect(crash.acks.count).toBe(crash.acks.max - next + 1); // acknowledged in order
        const { prefix, openMs } = await recoverAndCheck(b, name, durability, {
          startedAt,
          crashedAt: crash.at,
          issuedTo: next + ISSUE,
          ackedMax: crash.acks.max,
        });
        report.push(`round ${round}: ${crash.acks.count} acknowledged, ${prefix - next} recovered, open ${openMs.toFixed(0)} ms`);
        next = prefix;
        t = b.page!;
      }
      console.log(`[${durability}] ${report.join('; ')}`);
    });
  });
}

describe(`durability 'interval': replies do not wait, so a crash may lose the last interval`, () => {
  test('what survives is still a prefix of the writes, with no hole, and no more than was issued', async () => {
    const name = 'crash-interval';
    const INTERVAL = 200;
    const b = (browser = new CrashableBrowser());
    const t = await b.launch();
    await t.lodis('open', name, { durability: 'interval', intervalMs: INTERVAL });
    const startedAt = Date.now();
    await t.lodis('startIssue', 0, 50_000, { perTick: 25 });
    await b.acked(5_000);
    const crash = await b.crash();
    const { prefix } = await recoverAndCheck(
      b,
      name,
      'interval',
      { startedAt, crashedAt: crash.at, issuedTo: 50_000, ackedMax: crash.acks.max },
      undefined,
      { intervalMs: INTERVAL, ackedMustSurvive: false },
    );
    console.log(`[interval ${INTERVAL} ms] ${crash.acks.count} acknowledged, ${prefix} recovered`);
  });
});

describe('a crash during compaction (BGREWRITEAOF)', () => {
  // retry: now and then (about one CI run in three, more under load) Chromium reopens the profile
  // after a SIGKILL of heavy IndexedDB writing with the origin's database gone altogether (the
  // inspection reads "lodis:crash-compaction does not exist"; Lodis never deletes a database).
  // Under investigation (issue notes); a retry runs the whole test again on a fresh profile.
  test('leaves a store that opens, with every acknowledged write, and orphan chunks collected', { retry: 2 }, async () => {
    const name = 'crash-compaction';
    const FILL_DB = 5;
    const FILL = 150_000;
    const VALUE_BYTES = 100;
    const b = (browser = new CrashableBrowser());
    let t = await b.launch();
    await t.lodis('open', name, { durability: 'durable' });
    // ~16 MB of snapshot: many chunks, so a kill lands between them.
    await t.lodis('populate', FILL_DB, 0, FILL, VALUE_BYTES);
    let next = 2_000;
    const startedAt = Date.now();
    const first = await t.lodis('issue', 0, next, { perTick: 100, report: false });
    expect(first.failures).toBe(0);

    // One whole compaction, to time the kills as fractions of it (after the automatic one that
    // the populating may have started).
    await waitForInfo(t, 'aof_rewrite_in_progress', '0');
    const t0 = Date.now();
    expect(await t.lodis('call', ['BGREWRITEAOF'])).toEqual({ ok: expect.anything() });
    await waitForInfo(t, 'aof_rewrite_in_progress', '0');
    const fullMs = Date.now() - t0;

    const kills: string[] = [];
    let killedMidCompaction = 0;
    let killedWithOrphans = 0;
    for (const fraction of [0.05, 0.3, 0.55, 0.8, 1, 1.3, 2]) {
      await waitForInfo(t, 'aof_rewrite_in_progress', '0');
      await t.lodis('startIssue', next, next + 1_000_000, { perTick: 20 });
      expect(await t.lodis('call', ['BGREWRITEAOF'])).toEqual({ ok: expect.anything() });
      await sleep(fraction * fullMs);
      const info = await t.lodis('info', 'persistence');
      const inProgress = /^aof_rewrite_in_progress:1/m.test(info);
      if (inProgress) killedMidCompaction++;
      const crash = await b.crash();
      expect(crash.acks.failures).toBe(0);
      let orphans = 0;
      const { prefix, openMs } = await recoverAndCheck(
        b,
        name,
        'durable',
        { startedAt, crashedAt: crash.at, issuedTo: next + 1_000_000, ackedMax: crash.acks.max },
        // What the crash left, before the store is opened (and collects it).
        async (page) => {
          orphans = (await idbLayout(page, name)).orphans.length;
        },
      );
      if (orphans > 0) killedWithOrphans++;
      t = b.page!;
      expect(await t.lodis('call', ['DBSIZE'], FILL_DB)).toEqual({ ok: FILL });
      for (let i = 0; i < FILL; i += 997) {
        expect(await t.lodis('call', ['GET', `fill:${i}`], FILL_DB)).toEqual({ ok: await t.lodis('populateValue', i, VALUE_BYTES) });
      }
      await expectNoOrphanChunks(t, name);
      kills.push(
        `${Math.round(fraction * fullMs)} ms${inProgress ? ' (mid-compaction)' : ''}: ${orphans} orphan chunks left, open ${openMs.toFixed(0)} ms`,
      );
      next = prefix;
    }
    console.log(`compaction of ${FILL} keys takes ${fullMs} ms; killed at ${kills.join(', ')}`);
    // Most kills must land while the compaction runs, or this test tests nothing.
    expect(killedMidCompaction).toBeGreaterThanOrEqual(3);
    // … and at least one between writing the new snapshot's chunks and switching to it.
    expect(killedWithOrphans).toBeGreaterThanOrEqual(1);

    // And the recovered store compacts again, to one snapshot and no orphans.
    await waitForInfo(t, 'aof_rewrite_in_progress', '0');
    expect(await t.lodis('call', ['BGREWRITEAOF'])).toEqual({ ok: expect.anything() });
    await waitForInfo(t, 'aof_rewrite_in_progress', '0');
    await expectNoOrphanChunks(t, name);
  });
});

/** Every chunk in `snapshots` belongs to the active snapshot (orphans are collected at load). */
async function expectNoOrphanChunks(t: TestPage, name: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const c = await idbLayout(t, name);
    if (c.orphans.length === 0 && c.count === (c.active?.chunks ?? 0)) return;
    if (Date.now() > deadline) {
      expect({ chunks: c.count, orphans: c.orphans.slice(0, 10) }).toEqual({ chunks: c.active?.chunks ?? 0, orphans: [] });
    }
    await sleep(100);
  }
}
