/**
 * `npm run bench:idb` (and the second table of `npm run bench`) — Lodis persisted to IndexedDB in
 * real Chromium, next to idb-keyval and Dexie writing the same records in the same browser, in
 * one run (issue 3, "Benchmark"):
 *
 *   - acknowledged durable writes per second with many writes in flight (group commit), durable
 *     and strict, and one at a time; idb-keyval `set` per op, all in flight, and `setMany`; Dexie
 *     `bulkPut` and `put` per op;
 *   - the time to open a store of 1M small keys, after a checkpoint and from the log alone, in a
 *     freshly started browser;
 *   - the longest gap between command replies (a GET every ~1 ms) while that store compacts.
 *
 *   npm run bench:idb
 *   npm run bench:idb -- --keys=200000 --no-peers     # a smaller store; skip idb-keyval/Dexie
 *   npm run bench:idb -- --writes=20000 --repeat=1    # quicker
 *
 * The page is e2e/pages/bench.ts, built by Vite from the workspace sources into a temp dir; each
 * figure is timed inside the page with performance.now(). The browser profile is a temp dir on
 * disk, so IndexedDB really writes to disk. Chromium: $CHROMIUM_PATH or /usr/bin/chromium;
 * without it this prints why and exits 0.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import type { BenchGlobals, BenchPage, StallResult, Timed } from '../e2e/pages/bench-api.js';
import {
  CHROMIUM_PATH,
  chromiumAvailable,
  launchChromium,
  makeProfileDir,
  removeProfile,
  type RunningChromium,
} from '../e2e/src/chromium.js';
import { buildPages } from '../e2e/src/build.js';
import { serveStatic } from '../e2e/src/server.js';

const argv = process.argv.slice(2);
const flag = (name: string) => argv.includes(`--${name}`);
const option = (name: string, fallback: number) => {
  const a = argv.find((x) => x.startsWith(`--${name}=`));
  return a ? Number(a.slice(name.length + 3)) : fallback;
};

const WRITES = option('writes', 100_000); // writes in flight at once
const PER_OP = option('per-op', 2_000); // one-at-a-time writes (latency bound)
const KEYS = option('keys', 1_000_000); // the store to open and compact
const REPEAT = option('repeat', 3); // median of
const TARGET_WRITES = 50_000;
const TARGET_VS_KEYVAL = 40;
const TARGET_OPEN_MS = 3_000;
const TARGET_STALL_MS = 50;

type Bench = { [K in keyof BenchPage]: (...a: Parameters<BenchPage[K]>) => ReturnType<BenchPage[K]> };

function benchOn(page: Page): Bench {
  return new Proxy({} as Bench, {
    get:
      (_, method: string) =>
      (...args: unknown[]) =>
        page.evaluate(
          ([m, a]) => {
            const b = (globalThis as unknown as BenchGlobals).bench as unknown as Record<string, (...x: unknown[]) => unknown>;
            return b[m]!(...a);
          },
          [method, args] as const,
        ),
  });
}

async function newBenchPage(chrome: RunningChromium, origin: string): Promise<{ page: Page; bench: Bench }> {
  const page = await chrome.context.newPage();
  page.on('pageerror', (e) => console.error(`  page error: ${e.message}`));
  await page.goto(`${origin}/bench.html`);
  await page.waitForFunction(() => typeof (globalThis as unknown as Partial<BenchGlobals>).bench === 'object');
  return { page, bench: benchOn(page) };
}

const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[xs.length >> 1]!;
const rate = (t: Timed) => t.n / (t.ms / 1000);

function fmt(opsPerSec: number): string {
  if (opsPerSec >= 1e6) return `${(opsPerSec / 1e6).toFixed(2)}M`;
  if (opsPerSec >= 1e4) return `${(opsPerSec / 1e3).toFixed(0)}k`;
  if (opsPerSec >= 1e3) return `${(opsPerSec / 1e3).toFixed(1)}k`;
  return opsPerSec.toFixed(0);
}
const ms = (x: number) => (x >= 100 ? x.toFixed(0) : x.toFixed(1));

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const line = (cells: string[]) => cells.map((x, c) => (c === 0 ? x.padEnd(widths[c]!) : x.padStart(widths[c]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

let unique = 0;
const fresh = (what: string) => `${what}-${process.pid}-${++unique}`;

async function main(): Promise<void> {
  const started = performance.now();
  if (!chromiumAvailable()) {
    console.log(`\nLodis in Chromium (IndexedDB): skipped — no Chromium at ${CHROMIUM_PATH} (set CHROMIUM_PATH, or apt-get install chromium)`);
    return;
  }
  const pagesDir = mkdtempSync(path.join(os.tmpdir(), 'lodis-bench-pages-'));
  await buildPages(pagesDir);
  const server = await serveStatic(pagesDir);
  const profile = makeProfileDir('lodis-bench-');
  const version = execFileSync(CHROMIUM_PATH, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  let chrome = await launchChromium({ userDataDir: profile });
  try {
    console.log(
      `\nLodis in Chromium — ${version}, headless, IndexedDB on disk (${os.tmpdir()}), ${os.cpus().length} cores; ` +
        `median of ${REPEAT} runs per row, each on a fresh database, timed in the page.`,
    );
    let { bench, page } = await newBenchPage(chrome, server.origin);

    // ---- writes --------------------------------------------------------------------------------
    type Row = { label: string; how: string; ops: number; n: number };
    const rows: Row[] = [];
    const measure = async (label: string, how: string, run: () => Promise<Timed>) => {
      const rates: number[] = [];
      let n = 0;
      for (let r = 0; r < REPEAT; r++) {
        const t = await run();
        rates.push(rate(t));
        n = t.n;
      }
      rows.push({ label, how, ops: median(rates), n });
      process.stderr.write('.');
    };
    await measure('Lodis SET, durable', `${WRITES / 1000}k in flight`, () =>
      bench.lodisWrites({ name: fresh('w'), n: WRITES, durability: 'durable', perTick: 0 }),
    );
    await measure('Lodis SET, strict', `${WRITES / 1000}k in flight`, () =>
      bench.lodisWrites({ name: fresh('w'), n: WRITES, durability: 'strict', perTick: 0 }),
    );
    await measure('Lodis SET, durable', `${WRITES / 1000}k, 1000 per task`, () =>
      bench.lodisWrites({ name: fresh('w'), n: WRITES, durability: 'durable', perTick: 1000 }),
    );
    await measure('Lodis SET, strict', `${WRITES / 1000}k, 1000 per task`, () =>
      bench.lodisWrites({ name: fresh('w'), n: WRITES, durability: 'strict', perTick: 1000 }),
    );
    await measure('Lodis SET, durable', 'one at a time', () =>
      bench.lodisWrites({ name: fresh('w'), n: PER_OP, durability: 'durable', perTick: -1 }),
    );
    await measure('Lodis SET, strict', 'one at a time', () =>
      bench.lodisWrites({ name: fresh('w'), n: PER_OP, durability: 'strict', perTick: -1 }),
    );
    let keyvalDurability = '?';
    let dexieDurability = '?';
    if (!flag('no-peers')) {
      await measure('idb-keyval set', 'one at a time', async () => {
        const t = await bench.idbKeyval({ name: fresh('kv'), n: PER_OP, mode: 'awaited' });
        keyvalDurability = t.durability;
        return t;
      });
      await measure('idb-keyval set, relaxed', 'one at a time', () =>
        bench.idbKeyval({ name: fresh('kv'), n: PER_OP, mode: 'awaited', relaxed: true }),
      );
      await measure('idb-keyval set', `${PER_OP * 5 / 1000}k in flight`, () =>
        bench.idbKeyval({ name: fresh('kv'), n: PER_OP * 5, mode: 'inflight' }),
      );
      await measure('idb-keyval setMany', `${WRITES / 1000}k in one call`, () =>
        bench.idbKeyval({ name: fresh('kv'), n: WRITES, mode: 'setMany' }),
      );
      await measure('Dexie put', 'one at a time', async () => {
        const t = await bench.dexie({ name: fresh('dx'), n: PER_OP, mode: 'put' });
        dexieDurability = t.durability;
        return t;
      });
      await measure('Dexie bulkPut', `${WRITES / 1000}k in one call`, () =>
        bench.dexie({ name: fresh('dx'), n: WRITES, mode: 'bulkPut' }),
      );
    }
    process.stderr.write('\n');
    const keyvalPerOp = rows.find((r) => r.label === 'idb-keyval set' && r.how === 'one at a time')?.ops;
    const headline = rows[0]!.ops;
    console.log(
      table(
        ['acknowledged writes (SET key:0000000 value:0000000)', 'how', 'writes/s', '× idb-keyval set'],
        rows.map((r) => [r.label, r.how, fmt(r.ops), keyvalPerOp ? `${(r.ops / keyvalPerOp).toFixed(1)}×` : 'n/a']),
      ),
    );
    console.log(
      [
        `Lodis: a reply resolves once the write's batch has committed (one readwrite transaction per task's writes: group commit);`,
        `  durable = IndexedDB relaxed durability, strict = strict durability (flushed to disk).`,
        `idb-keyval 6.3.0 and Dexie 4.4.7: one transaction per set/put, one for setMany/bulkPut; Chromium's default durability`,
        `  for their transactions: ${keyvalDurability} (idb-keyval), ${dexieDurability} (Dexie).`,
        `target: ≥ ${fmt(TARGET_WRITES)} acknowledged durable writes/s: ${fmt(headline)} — ${headline >= TARGET_WRITES ? 'met' : 'MISSED'}; ` +
          (keyvalPerOp
            ? `≥ ${TARGET_VS_KEYVAL}× idb-keyval set per op: ${(headline / keyvalPerOp).toFixed(0)}× — ${headline / keyvalPerOp >= TARGET_VS_KEYVAL ? 'met' : 'MISSED'}`
            : `× idb-keyval: not measured (--no-peers)`),
      ].join('\n'),
    );

    // ---- open 1M keys --------------------------------------------------------------------------
    const big = fresh('big');
    const logOnly = fresh('logonly');
    const filled = await bench.fill({ name: big, n: KEYS, checkpoint: 'save' });
    process.stderr.write('.');
    let logOnlyFill: { fillMs: number } | null = null;
    if (!flag('no-log-only')) {
      logOnlyFill = await bench.fill({ name: logOnly, n: KEYS, checkpoint: 'none', compaction: { auto: false } });
      process.stderr.write('.');
    }
    /** Open `name` in a freshly started browser (nothing of it cached in this process). */
    const coldOpen = async (name: string, compactionOff: boolean) => {
      const times: number[] = [];
      let last: { ms: number; dbsize: number; info: string } | null = null;
      for (let r = 0; r < REPEAT; r++) {
        await chrome.close();
        chrome = await launchChromium({ userDataDir: profile });
        ({ bench, page } = await newBenchPage(chrome, server.origin));
        last = await bench.open({ name, ...(compactionOff ? { compaction: { auto: false } } : {}) });
        if (last.dbsize !== KEYS) throw new Error(`opened ${name} with DBSIZE ${last.dbsize}, want ${KEYS}`);
        times.push(last.ms);
        process.stderr.write('.');
      }
      return { ms: median(times), times, info: last!.info };
    };
    const openLog = logOnlyFill ? await coldOpen(logOnly, true) : null;
    const openSnap = await coldOpen(big, false); // leaves `big` open in the page, for the stall probe
    const snapshotBytes = Number(/^aof_base_size:(\d+)/m.exec(openSnap.info)?.[1] ?? NaN);
    const logBytes = openLog ? Number(/^lodis_log_size:(\d+)/m.exec(openLog.info)?.[1] ?? NaN) : NaN;

    // ---- compaction stall ----------------------------------------------------------------------
    const stalls: StallResult[] = [];
    for (let r = 0; r < REPEAT; r++) {
      stalls.push(await bench.compactionStall({ intervalMs: 1, idleMs: 1000, settleMs: 1000 }));
      process.stderr.write('.');
    }
    process.stderr.write('\n');
    const worst = (f: (x: StallResult) => number) => Math.max(...stalls.map(f));
    const stall = {
      compactionMs: median(stalls.map((x) => x.compactionMs)),
      commands: median(stalls.map((x) => x.commands)),
      maxGap: worst((x) => x.maxGap),
      p99Gap: median(stalls.map((x) => x.p99Gap)),
      p50Gap: median(stalls.map((x) => x.p50Gap)),
      idleMaxGap: worst((x) => x.idleMaxGap),
      idleP99Gap: median(stalls.map((x) => x.idleP99Gap)),
    };

    const k = KEYS >= 1e6 ? `${KEYS / 1e6}M` : `${KEYS / 1e3}k`;
    console.log(
      [
        ``,
        `a store of ${k} keys (key:0000000 → value:0000000), filled by SETs 10k at a time in ${(filled.fillMs / 1000).toFixed(1)} s, SAVE ${ms(filled.checkpointMs)} ms` +
          (Number.isFinite(snapshotBytes) ? ` (snapshot ${(snapshotBytes / 2 ** 20).toFixed(1)} MB)` : ''),
        `open in a freshly started browser, until ready (median of ${REPEAT}):`,
        `  after a checkpoint (snapshot only)  ${ms(openSnap.ms)} ms   [${openSnap.times.map(ms).join(', ')}]  target ≤ ${TARGET_OPEN_MS} ms: ${openSnap.ms <= TARGET_OPEN_MS ? 'met' : 'MISSED'}`,
        openLog
          ? `  from the log alone (no snapshot)    ${ms(openLog.ms)} ms   [${openLog.times.map(ms).join(', ')}]` +
            (Number.isFinite(logBytes) ? `  (log ${(logBytes / 2 ** 20).toFixed(1)} MB, automatic compaction off)` : '')
          : `  from the log alone: not measured (--no-log-only)`,
        `compaction (BGREWRITEAOF) of the ${k}-key store, ${REPEAT} times: ${ms(stall.compactionMs)} ms (median); meanwhile a GET every ~1 ms (~${stall.commands} replies each time).`,
        `  gap between consecutive replies: max ${ms(stall.maxGap)} ms [${stalls.map((x) => ms(x.maxGap)).join(', ')}], ` +
          `p99 ${ms(stall.p99Gap)} ms, p50 ${ms(stall.p50Gap)} ms  target no stall > ${TARGET_STALL_MS} ms: ${stall.maxGap <= TARGET_STALL_MS ? 'met' : 'MISSED'}`,
        `  the same probe for 1 s with no compaction (the machine's noise floor): max ${ms(stall.idleMaxGap)} ms, p99 ${ms(stall.idleP99Gap)} ms`,
      ].join('\n'),
    );
    console.log(`(Chromium part took ${((performance.now() - started) / 1000).toFixed(0)} s)`);
  } finally {
    await chrome.close();
    await server.close();
    removeProfile(profile);
    rmSync(pagesDir, { recursive: true, force: true });
  }
}

await main();
