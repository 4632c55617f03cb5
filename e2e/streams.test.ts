/**
 * Streams across tabs in real Chromium (pages/streams.html, `window.lodisStreams`): one store shared
 * by several tabs through @lodis/web-worker. Checked here:
 *
 * 1. a consumer group worked by two tabs — each with loops (sessions) in `XREADGROUP … BLOCK 0
 *    STREAMS jobs >`, processing (`HINCRBY processed <id> 1`) and `XACK`ing — while a producer tab
 *    XADDs 2,000 entries; one consumer tab is closed mid-run while it holds pending entries (it
 *    follows; or it leads, and a new leader loads the group from IndexedDB); the other tab's
 *    claimer takes them over with `XAUTOCLAIM` (min-idle 1.5 s) and finishes them (done already:
 *    ack only, else process). Every entry processed exactly once and acknowledged exactly once
 *    (each batch of XACKs is announced to Node before it is sent and its replies reported after:
 *    an entry whose XACK replied 1 twice, or never, fails — unless its XACK was in flight in the
 *    closed tab), XPENDING's summary empty, XINFO's group and consumers consistent;
 * 2. `XREAD BLOCK 0 … $` in two tabs (the leader's and a follower's), on a key that does not exist
 *    yet and then on the stream: one XADD from another tab wakes both with that entry (latency
 *    printed).
 *
 * Timings are printed.
 */
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, inject, test } from 'vitest';
import { sleep } from './src/harness.js';
import { Tab as PageTab, TabBrowser, waitFor } from './src/tab-harness.js';
import {
  GROUP,
  PROCESSED,
  STREAM,
  type ConsumerStats,
  type StreamsCheck,
  type StreamsOpenOptions,
  type StreamsPage,
  type StreamsReport,
} from './pages/streams-api.js';

/** Entries the producer adds in the group test. */
const ENTRIES = 2000;

const browser = new TabBrowser();
beforeAll(() => browser.serve(inject('pagesDir')));
afterAll(() => browser.stopServing());
afterEach(() => browser.close());

// ---- what the tabs reported --------------------------------------------------------------------

/** Every XACK announced and answered, and every XAUTOCLAIM that claimed something, of a test's tabs. */
class AckLedger {
  /** id → labels of the tabs that announced an XACK of it. */
  readonly announced = new Map<string, string[]>();
  /** id → the replies its XACKs got. */
  readonly replies = new Map<string, { label: string; consumer: string; reply: number }[]>();
  readonly claims: { label: string; consumer: string; ids: string[]; deleted: string[] }[] = [];

  add(r: StreamsReport): void {
    switch (r.kind) {
      case 'acking':
        for (const id of r.ids) push(this.announced, id, r.label);
        break;
      case 'acked':
        for (const [id, reply] of r.replies) push(this.replies, id, { label: r.label, consumer: r.consumer, reply });
        break;
      case 'claimed':
        this.claims.push({ label: r.label, consumer: r.consumer, ids: r.ids, deleted: r.deleted });
        break;
    }
  }

  claimedIds(): string[] {
    return this.claims.flatMap((c) => c.ids);
  }
}

function push<V>(m: Map<string, V[]>, k: string, v: V): void {
  const a = m.get(k);
  if (a) a.push(v);
  else m.set(k, [v]);
}

let ledger = new AckLedger();

// ---- tabs --------------------------------------------------------------------------------------

class Tab extends PageTab<StreamsPage> {
  constructor(page: Page, label: string) {
    super(page, browser.pageSpec('/streams.html', 'lodisStreams'), label);
  }

  /** A command on the tab's own session; throws on an error reply. */
  async cmd(...argv: (string | number)[]): Promise<unknown> {
    const r = await this.call('call', argv);
    if ('error' in r) throw new Error(`${this.label}: ${argv.join(' ')}: ${r.error}`);
    return r.ok;
  }
}

/** A new tab with the store `name` open in it (createClient, awaited `ready`); its reports go to the ledger. */
async function openTab(name: string, label: string, options: Omit<StreamsOpenOptions, 'label'> = {}): Promise<Tab> {
  const page = await browser.newPage();
  await page.exposeFunction('__lodisStreams', (r: StreamsReport) => ledger.add(r));
  const t = new Tab(page, label);
  await t.load();
  await t.call('open', name, { label, durability: 'durable', ...options });
  return t;
}

/** XPENDING's summary, as the test page's `call` decodes it. */
type PendingSummary = [count: number, smallest: string | null, greatest: string | null, consumers: [name: string, count: string][] | null];

/** A flat XINFO reply as an object. */
function infoObject(flat: unknown): Record<string, unknown> {
  const a = flat as unknown[];
  const o: Record<string, unknown> = {};
  for (let i = 0; i < a.length; i += 2) o[a[i] as string] = a[i + 1];
  return o;
}

/** Pending entries by consumer, from XPENDING's summary. */
function pendingByConsumer(s: PendingSummary): Map<string, number> {
  return new Map((s[3] ?? []).map(([name, n]) => [name, Number(n)]));
}

function expectCleanConsumers(cs: ConsumerStats): void {
  expect(cs.errors, `${cs.label}: errors seen by the caller`).toEqual([]);
  expect(cs.ackNotOne, `${cs.label}: XACK replies other than 1`).toEqual([]);
  expect(cs.hincrNotOne, `${cs.label}: entries processed twice`).toEqual([]);
  expect(cs.deliveredTwice, `${cs.label}: entries XREADGROUP delivered twice`).toEqual([]);
  expect(cs.claimedDeleted, `${cs.label}: ids XAUTOCLAIM found deleted`).toEqual([]);
}

/**
 * Every entry of the stream (the producer's and the stop markers) acknowledged exactly once: one
 * XACK replied 1, none replied otherwise. An entry with no such reply passes only if the closed tab
 * announced its XACK and no reply of it came (it was in flight when the tab went): then the store
 * must show it acknowledged (not pending) and processed, which the caller checks. Returns those ids.
 */
function expectAckedOnce(check: StreamsCheck, closedLabel: string | null): string[] {
  const ids = [...check.entryIds, ...check.stopIds];
  const twice: string[] = [];
  const never: string[] = [];
  const notOne: string[] = [];
  const inFlightInClosedTab: string[] = [];
  for (const id of ids) {
    const replies = ledger.replies.get(id) ?? [];
    const ones = replies.filter((r) => r.reply === 1).length;
    for (const r of replies) if (r.reply !== 1) notOne.push(`${id}=${r.reply} (${r.consumer})`);
    if (ones > 1) twice.push(`${id} (${replies.map((r) => r.consumer).join(', ')})`);
    if (ones === 0) {
      if (closedLabel !== null && replies.length === 0 && ledger.announced.get(id)?.includes(closedLabel)) inFlightInClosedTab.push(id);
      else never.push(id);
    }
  }
  const known = new Set(ids);
  const strangers = [...ledger.replies.keys()].filter((id) => !known.has(id));
  expect(twice.slice(0, 20), `${twice.length} entries acknowledged twice`).toEqual([]);
  expect(never.slice(0, 20), `${never.length} entries never acknowledged`).toEqual([]);
  expect(notOne.slice(0, 20), `${notOne.length} XACK replies other than 1`).toEqual([]);
  expect(strangers.slice(0, 20), 'XACKs of ids that are no entry').toEqual([]);
  return inFlightInClosedTab;
}

const ms = (x: number) => `${x.toFixed(0)} ms`;

// ---- 1 -----------------------------------------------------------------------------------------

describe('a consumer group worked by two tabs', () => {
  // The closed consumer tab follows (the producer's tab leads), or leads: then a new leader loads
  // the group from IndexedDB (PELs, delivery times), and the other tabs' commands in flight —
  // XREADGROUPs blocked or served, XACKs, XADDs — are sent to it again, each applied once.
  for (const closedLeads of [false, true]) {
    const role = closedLeads ? 'leads' : 'follows';
    test(`${ENTRIES} entries; a consumer tab (it ${role}) closed while it holds pending entries, which XAUTOCLAIM gives the other: each acknowledged exactly once`, async () => {
      await browser.launch();
      ledger = new AckLedger();
      const name = `streams-group-${role}`;
      const first = await openTab(name, closedLeads ? 'B' : 'P');
      const second = await openTab(name, closedLeads ? 'P' : 'B');
      const [producer, b] = closedLeads ? [second, first] : [first, second];
      const a = await openTab(name, 'A');
      const l1 = await first.call('leadership');
      expect(l1.role, 'the first tab leads').toBe('leader');
      for (const t of [second, a]) expect(await t.call('leadership')).toMatchObject({ role: 'follower', leader: l1.tab, term: l1.term });

      expect(await producer.cmd('XGROUP', 'CREATE', STREAM, GROUP, '$', 'MKSTREAM')).toBe('OK');
      const LOOPS_A = 2;
      const LOOPS_B = 2;
      const COUNT_B = 5;
      const MIN_IDLE = 1500;
      // A: quick consumers and the claimer. B: slow consumers (20 ms an entry), so it always holds some, mostly not yet processed.
      await a.call('startConsumers', { loops: LOOPS_A, count: 10, claim: { minIdleMs: MIN_IDLE, everyMs: 200, count: 50 } });
      await b.call('startConsumers', { loops: LOOPS_B, count: COUNT_B, processMs: 20 });
      // Every loop is blocked in XREADGROUP on the empty stream before the first entry is added.
      await waitFor(`${LOOPS_A + LOOPS_B} loops blocked in XREADGROUP`, async () => (await producer.call('blockedClients')) === LOOPS_A + LOOPS_B);

      await producer.call('startProducing', { from: 0, to: ENTRIES, inFlight: 8, pauseMs: 20 });
      const t0 = Date.now();

      // Mid-run: the producer past half, B working and holding entries right now (on a loaded
      // machine B's loops can be between batches, blocked in XREADGROUP with nothing in hand).
      const bPending = async (): Promise<number> =>
        [...pendingByConsumer((await producer.cmd('XPENDING', STREAM, GROUP)) as PendingSummary)]
          .filter(([c]) => c.startsWith('B:'))
          .reduce((n, [, k]) => n + k, 0);
      await waitFor(
        'the producer past half, B processing and holding entries',
        async () =>
          (await producer.call('producerStats')).added >= ENTRIES / 2 && (await b.call('consumerStats')).processed >= 20 && (await bPending()) >= 3,
        60_000,
        20,
      );
      const bStats = await b.call('consumerStats');
      expectCleanConsumers(bStats);
      expect(b.errors).toEqual([]);
      const closeAt = Date.now();
      await b.page.close();
      const closedAt = Date.now();
      let takeover = '';
      if (closedLeads) {
        const l2 = await waitFor(
          'a new leader',
          async () => {
            const l = await producer.call('leadership');
            return l.role !== 'single' && l.leader !== null && l.leader !== l1.tab && l.term > l1.term ? l : null;
          },
          15_000,
          5,
        );
        takeover = `; a new leader (term ${l1.term} → ${l2.term}) ${ms(Date.now() - closeAt)} after the close`;
      }
      const atClose = pendingByConsumer((await producer.cmd('XPENDING', STREAM, GROUP)) as PendingSummary);
      const bHeld = [...atClose].filter(([c]) => c.startsWith('B:')).reduce((n, [, k]) => n + k, 0);
      expect(bHeld, 'entries pending for B’s consumers after B closed').toBeGreaterThan(0);
      const processedAtClose = Number(await producer.cmd('HLEN', PROCESSED));

      const ps = await waitFor(
        'production done',
        async () => {
          const s = await producer.call('producerStats');
          return s.done ? s : null;
        },
        90_000,
        50,
      );
      expect(ps.errors, 'errors seen by the producer').toEqual([]);
      expect(ps.added).toBe(ENTRIES);

      // Everything processed and nothing pending: B's leftovers claimed (after MIN_IDLE) and finished by A.
      let lastCount = -1;
      let movedAt = Date.now();
      const doneAt = await waitFor(
        `${ENTRIES} processed and nothing pending`,
        async () => {
          const [hlen, pending] = [Number(await producer.cmd('HLEN', PROCESSED)), (await producer.cmd('XPENDING', STREAM, GROUP)) as PendingSummary];
          if (hlen !== lastCount) [lastCount, movedAt] = [hlen, Date.now()];
          if (Date.now() - movedAt > 20_000) throw new Error(`stalled: HLEN ${PROCESSED} ${hlen}, XPENDING ${JSON.stringify(pending)}`);
          return hlen === ENTRIES && pending[0] === 0 ? Date.now() : null;
        },
        90_000,
        50,
      );
      const as = await a.call('stopConsumers', 30_000);
      expectCleanConsumers(as);
      expect(as.running, 'A: loops still running after the stop').toBe(0);
      expect(as.claimed, 'A’s claimer took over at least what B held once it had closed').toBeGreaterThanOrEqual(bHeld);
      expect(as.claimed).toBe(as.claimedDone + as.claimedRedone);
      // What A claimed was B's, never its own loops' (they ack long before MIN_IDLE): no claimed id had an XACK from A's loops.
      const stolen = ledger.claimedIds().filter((id) => (ledger.replies.get(id) ?? []).some((r) => r.label === 'A' && r.consumer !== 'A:claimer'));
      expect(stolen, 'entries claimed from A’s own loops').toEqual([]);

      const check = await producer.call('check');
      expect(check.length, 'XLEN: the entries and the stop markers').toBe(ENTRIES + check.stopIds.length);
      expect(check.entryIds.length).toBe(ENTRIES);
      expect(check.missing, `${check.missingCount} entries never processed`).toEqual([]);
      expect(check.notOne, `${check.notOneCount} entries processed more than once`).toEqual([]);
      expect(check.unexpected, `${check.unexpectedCount} fields of ${PROCESSED} that are no entry`).toEqual([]);
      const inFlight = expectAckedOnce(check, 'B');
      expect(inFlight.length, 'XACKs in flight in B when it closed (at most a batch per loop)').toBeLessThanOrEqual(LOOPS_B * COUNT_B);
      // The store has the last word: nothing pending, every entry read by the group.
      expect(check.pending, 'XPENDING summary').toEqual([0, null, null, null]);
      const groups = (check.groups as unknown[]).map(infoObject);
      expect(groups).toHaveLength(1);
      expect(groups[0]).toMatchObject({ name: GROUP, pending: 0, 'entries-read': check.length, lag: 0, 'last-delivered-id': [...check.entryIds, ...check.stopIds].sort(compareIds).at(-1) });
      const consumers = (check.consumers as unknown[]).map(infoObject);
      expect(consumers.map((c) => c.name)).toEqual(['A:0', 'A:1', 'A:claimer', 'B:0', 'B:1']);
      for (const c of consumers) expect(c.pending, `${String(c.name)}: pending`).toBe(0);
      expect(producer.errors).toEqual([]);
      expect(a.errors).toEqual([]);

      console.log(
        `consumer group across tabs, the closed tab ${role}: ${ENTRIES} entries XADDed by P (8 at a time, 20 ms apart) to ${LOOPS_A} loops in A and ${LOOPS_B} slow loops in B ` +
          `(XREADGROUP BLOCK 0 >, HINCRBY, XACK); B closed at ${processedAtClose} processed (page.close() took ${ms(closedAt - closeAt)}) ` +
          `holding ${bHeld} pending [${[...atClose].map(([c, n]) => `${c}:${n}`).join(' ')}]${takeover}; A's claimer (XAUTOCLAIM min-idle ${MIN_IDLE} ms) ` +
          `claimed ${as.claimed} (${as.claimedDone} already processed: acked only, ${as.claimedRedone} processed now) in ${as.claimScans} scans; ` +
          `${inFlight.length} XACKs were in flight in B; all done ${ms(doneAt - t0)} after production started, ${ms(doneAt - closedAt)} after the close; ` +
          `B processed ${bStats.processed} before it closed, A ${as.processed}; announcing XACKs to Node took ` +
          `${(as.announceMs / as.announces).toFixed(1)} ms on average in A (max ${ms(as.maxAnnounceMs)}), ${(bStats.announceMs / bStats.announces).toFixed(1)} ms in B`,
      );
    });
  }
});

/** Stream ids in order ("ms-seq", both parts below 2^53 here). */
function compareIds(x: string, y: string): number {
  const [xm, xs] = x.split('-').map(Number) as [number, number];
  const [ym, ys] = y.split('-').map(Number) as [number, number];
  return xm - ym || xs - ys;
}

// ---- 2 -----------------------------------------------------------------------------------------

describe('XREAD BLOCK across tabs', () => {
  test('XREAD BLOCK 0 … $ in the leader’s tab and in a follower’s, one XADD from a third tab wakes both with its entry', async () => {
    await browser.launch();
    ledger = new AckLedger();
    const name = 'streams-xread';
    const leader = await openTab(name, 'L');
    const follower = await openTab(name, 'F');
    const writer = await openTab(name, 'W');
    const ll = await leader.call('leadership');
    expect(ll.role).toBe('leader');
    for (const t of [follower, writer]) expect(await t.call('leadership')).toMatchObject({ role: 'follower', leader: ll.tab });

    const report: string[] = [];
    // First on a key that does not exist yet (the XADD creates it), then on the stream.
    for (const [round, what] of [
      [1, 'a missing key'],
      [2, 'the stream'],
    ] as const) {
      for (const t of [leader, follower]) await t.call('startXread', `r${round}`, 'feed', '$');
      await waitFor('both XREADs blocked', async () => (await leader.call('blockedClients')) === 2);
      await sleep(200);
      for (const t of [leader, follower]) expect(await t.call('xreadResult', `r${round}`), `${t.label}: still blocked`).toBeNull();

      const add = await writer.call('timedXadd', 'feed', ['msg', `hello ${round}`, 'from', 'W']);
      const want = [['feed', [[add.id, ['msg', `hello ${round}`, 'from', 'W']]]]];
      const latencies: number[] = [];
      for (const t of [leader, follower]) {
        const got = await waitFor(`${t.label}'s XREAD to return`, () => t.call('xreadResult', `r${round}`), 10_000, 2);
        expect(got.reply, `${t.label}: the entry added`).toEqual(want);
        latencies.push(got.at - add.sentAt);
      }
      expect(Math.min(...latencies), 'no entry before its XADD (the clocks agree)').toBeGreaterThanOrEqual(-1);
      expect(await leader.call('blockedClients'), 'nothing blocked any more').toBe(0);
      report.push(`${what}: XADD in W → XREAD returned in L (leader) ${latencies[0]!.toFixed(1)} ms, in F (follower) ${latencies[1]!.toFixed(1)} ms (the XADD's own reply ${(add.repliedAt - add.sentAt).toFixed(1)} ms)`);
    }
    expect(await writer.cmd('XLEN', 'feed')).toBe(2);
    for (const t of [leader, follower, writer]) expect(t.errors).toEqual([]);
    console.log(`XREAD BLOCK across tabs:\n  ${report.join('\n  ')}`);
  });
});
