/**
 * Persistence across a page reload, in real Chromium: write a mix of kinds (strings with TTLs,
 * INCR counters, a bitmap, a HyperLogLog, binary values, a second database, reads that write),
 * reload, reopen: the same keys, values and absolute expiry times, equal to the model's state.
 */
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { launchChromium, type RunningChromium } from './src/chromium.js';
import {
  diffDumps,
  idbLayout,
  modelDump,
  openTestPage,
  reloadTestPage,
  servePages,
  settleShortTtls,
  waitForInfo,
  type TestPage,
} from './src/harness.js';
import type { StaticServer } from './src/server.js';
import { OTHER_DB, sortDump, type DumpEntry } from './src/workload.js';

const N = 6_000;
const DBS = [0, OTHER_DB];

let server: StaticServer;
let chrome: RunningChromium;

beforeAll(async () => {
  server = await servePages(inject('pagesDir'));
  chrome = await launchChromium();
});

afterAll(async () => {
  await chrome?.close();
  await server?.close();
});

/** The keys of each kind in a dump, so a test shows it covered them (and was not vacuous). */
function kinds(dump: DumpEntry[]) {
  const count = (re: RegExp, db = 0) => dump.filter((e) => e.db === db && re.test(e.key)).length;
  return {
    stringsWithTtl: dump.filter((e) => e.db === 0 && e.key.startsWith('s:') && e.pexpiretime > 0).length,
    counters: count(/^c:/),
    bitmap: count(/^bits$/),
    hll: count(/^hll$/),
    binary: count(/^b:/, OTHER_DB),
  };
}

/** Issue ops [from, to) and check each was acknowledged; returns when the last reply settled. */
async function issueAll(t: TestPage, from: number, to: number): Promise<number> {
  const r = await t.lodis('issue', from, to, { perTick: 97, report: false });
  expect(r.failed).toEqual({});
  expect(r.acked).toBe(to - from);
  return r.settledAt;
}

describe('a persisted store survives a page reload', () => {
  for (const checkpoint of ['none', 'SAVE', 'BGREWRITEAOF'] as const) {
    test(`${checkpoint === 'none' ? 'from the log alone' : `from a ${checkpoint} snapshot and the log after it`}`, async () => {
      const name = `reload-${checkpoint}`;
      const t = await openTestPage(chrome.context, server.origin);
      try {
        await t.lodis('open', name, { durability: 'durable' });
        const startedAt = Date.now();
        await issueAll(t, 0, N / 2);
        if (checkpoint !== 'none') {
          expect(await t.lodis('call', [checkpoint])).not.toHaveProperty('error');
          if (checkpoint === 'BGREWRITEAOF') await waitForInfo(t, 'aof_rewrite_in_progress', '0');
        }
        const settledAt = await issueAll(t, N / 2, N);
        await settleShortTtls(settledAt);
        const before = await t.lodis('dump', DBS);
        const ttl = { from: startedAt, to: settledAt };
        expect(diffDumps(before, modelDump(N), ttl)).toEqual([]);
        expect(kinds(before)).toMatchObject({ counters: 10, bitmap: 1, hll: 1 });
        expect(kinds(before).stringsWithTtl).toBeGreaterThan(N / 10);
        expect(kinds(before).binary).toBeGreaterThan(N / 50);

        await reloadTestPage(t);
        // What is on disk is what the test says it loads from.
        const layout = await idbLayout(t, name);
        expect(layout.active === null).toBe(checkpoint === 'none');
        expect(layout.logRecords).toBeGreaterThan(0);
        await t.lodis('open', name, { durability: 'durable' });
        const after = await t.lodis('dump', DBS);
        // Exactly the same: values, types, absolute expiry times to the millisecond.
        expect(sortDump(after)).toEqual(sortDump(before));
        expect(await t.lodis('events')).toEqual([]);
        expect(t.errors).toEqual([]);
      } finally {
        await t.page.close();
      }
    });
  }

  for (const how of ['flip', 'truncate'] as const) {
    test(`a damaged last log record (${how === 'flip' ? 'one bit flipped' : 'cut short'}) is dropped and reported; everything before it loads`, async () => {
      const name = `damaged-${how}`;
      const OPS = 1_000;
      const t = await openTestPage(chrome.context, server.origin);
      try {
        await t.lodis('open', name, { durability: 'durable' });
        const startedAt = Date.now();
        const settledAt = await issueAll(t, 0, OPS);
        await settleShortTtls(settledAt);
        await t.lodis('dump', DBS); // SCAN deletes the expired keys now (logged), not after the marker
        // The last record: one write of its own, the one that must be dropped.
        expect(await t.lodis('call', ['SET', 'marker', 'in the damaged record'])).toEqual({ ok: 'OK' });
        await t.lodis('close');
        const firstSeq = await t.lodis('idbDamageLastLogRecord', `lodis:${name}`, how);
        await reloadTestPage(t);
        await t.lodis('open', name, { durability: 'durable' });
        expect(await t.lodis('events')).toEqual([
          { type: 'logTruncated', detail: expect.objectContaining({ batches: 1, firstSeq }) },
        ]);
        const info = await t.lodis('info', 'persistence');
        expect(info).toMatch(/^lodis_log_dropped_batches:1\r?$/m);
        expect(info).toMatch(new RegExp(`^lodis_log_dropped_first_seq:${firstSeq}\\r?$`, 'm'));
        // Exactly the state before the damaged record: every op, and not the marker.
        expect(diffDumps(await t.lodis('dump', DBS), modelDump(OPS), { from: startedAt, to: settledAt })).toEqual([]);
        expect(t.errors).toEqual([]);
      } finally {
        await t.page.close();
      }
    });
  }

  test('a key that expired while the page was gone does not come back, and one still live keeps its TTL', async () => {
    const t = await openTestPage(chrome.context, server.origin);
    try {
      await t.lodis('open', 'reload-expiry', { durability: 'durable' });
      await t.lodis('call', ['SET', 'short', 'v', 'PX', 300]);
      await t.lodis('call', ['SET', 'long', 'v', 'PX', 600_000]);
      await t.lodis('call', ['SET', 'counter', '1']);
      await t.lodis('call', ['PEXPIRE', 'counter', 400]);
      await t.lodis('call', ['PERSIST', 'counter']);
      const long = await t.lodis('call', ['PEXPIRETIME', 'long']);
      await reloadTestPage(t);
      await new Promise((r) => setTimeout(r, 500));
      await t.lodis('open', 'reload-expiry', { durability: 'durable' });
      expect(await t.lodis('call', ['EXISTS', 'short'])).toEqual({ ok: 0 });
      expect(await t.lodis('call', ['PEXPIRETIME', 'long'])).toEqual(long);
      expect(await t.lodis('call', ['GET', 'counter'])).toEqual({ ok: '1' });
      expect(await t.lodis('call', ['PTTL', 'counter'])).toEqual({ ok: -1 });
      expect(t.errors).toEqual([]);
    } finally {
      await t.page.close();
    }
  });
});
