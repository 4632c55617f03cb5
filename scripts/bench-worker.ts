/**
 * `npm run bench` (its third table, after bench-idb.ts) — @lodis/web-worker in real Chromium:
 * the front a page talks to, next to a Comlink worker with one call per command as the baseline,
 * in the same run (issue 4, "Benchmark"):
 *
 *   - the round-trip latency of one awaited command (p50, p99, mean) from the leader tab, and the
 *     same through the baseline: an in-process @lodis/core store in a plain worker, one Comlink
 *     call per command (e2e/pages/comlink-baseline-worker.ts);
 *   - pipelined throughput: SETs issued 1000 at a time (one microtask: one message for Lodis;
 *     Promise.all of 1000 Comlink calls for the baseline), each batch awaited before the next;
 *   - a second tab of the same origin (a follower): its commands are forwarded to the leader's
 *     worker over BroadcastChannel — one awaited GET, and pipelined SETs;
 *   - PUBLISH-to-delivery across tabs: one tab subscribes, the other publishes one message at a
 *     time (awaited); each message carries its send time (performance.timeOrigin + now()).
 *
 * The latency rows use durability 'memory' (the front, not IndexedDB); two rows use 'durable'.
 *
 *   npx tsx scripts/bench-worker.ts
 *   npx tsx scripts/bench-worker.ts --repeat=1 --pipelined=20000 --batches=10   # quicker
 *   npm run bench -- --no-worker                                                # skip it in `npm run bench`
 *
 * Pages: e2e/pages/bench-worker.{html,ts}, built by Vite from the workspace sources into a temp
 * dir; every figure is timed inside the page. Two pages of one browser context are the two tabs.
 * Chromium: $CHROMIUM_PATH or /usr/bin/chromium; without it this prints why and exits 0.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import type {
  BenchWorkerGlobals,
  BenchWorkerPage,
  DeliveryResult,
  Front,
  LatencySamples,
  LeadershipInfo,
  Timed,
} from '../e2e/pages/bench-worker-api.js';
import { CHROMIUM_PATH, chromiumAvailable, launchChromium, type RunningChromium } from '../e2e/src/chromium.js';
import { buildPages } from '../e2e/src/build.js';
import { serveStatic } from '../e2e/src/server.js';

const argv = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const a = argv.find((x) => x.startsWith(`--${name}=`));
  return a ? Number(a.slice(name.length + 3)) : fallback;
};

const BATCH = option('batch', 200); // sequential awaited commands timed together (one latency sample)
const BATCHES = option('batches', 40); // latency samples per row
const PIPELINED = option('pipelined', 100_000); // SETs per throughput run
const PIPELINE_BATCH = option('pipeline-batch', 1000); // issued in one microtask, awaited together
const MESSAGES = option('messages', 1000); // PUBLISHes per pub/sub row
const REPEAT = option('repeat', 3); // throughput: median of
const DURABLE_BATCHES = option('durable-batches', 10);
const DURABLE_BATCH = option('durable-batch', 100);
const ROUNDS = option('rounds', 4); // latency: the contenders take turns, BATCHES/ROUNDS batches each time
const STEP_TIMEOUT_MS = option('step-timeout', 60_000);

type Remote = { [K in keyof BenchWorkerPage]: (...a: Parameters<BenchWorkerPage[K]>) => ReturnType<BenchWorkerPage[K]> };

/** `window.benchWorker` of `page`, each call bounded by STEP_TIMEOUT_MS (a hung front fails the row, not the run). */
function remoteOf(page: Page, tab: string): Remote {
  return new Proxy({} as Remote, {
    get:
      (_, method: string) =>
      (...args: unknown[]) => {
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`tab ${tab}: ${method} took over ${STEP_TIMEOUT_MS / 1000} s`)), STEP_TIMEOUT_MS);
        });
        const call = page.evaluate(
          ([m, a]) => {
            const b = (globalThis as unknown as BenchWorkerGlobals).benchWorker as unknown as Record<string, (...x: unknown[]) => unknown>;
            return b[m]!(...a);
          },
          [method, args] as const,
        );
        return Promise.race([call, timeout]).finally(() => clearTimeout(timer));
      },
  });
}

async function newTab(chrome: RunningChromium, origin: string, tab: string, errors: string[]): Promise<{ page: Page; r: Remote }> {
  const page = await chrome.context.newPage();
  page.on('pageerror', (e) => errors.push(`tab ${tab}: page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') errors.push(`tab ${tab}: console.${m.type()}: ${m.text()}`);
  });
  await page.goto(`${origin}/bench-worker.html`);
  await page.waitForFunction(() => typeof (globalThis as unknown as Partial<BenchWorkerGlobals>).benchWorker === 'object');
  return { page, r: remoteOf(page, tab) };
}

interface LatencyStats {
  /** p50 and p99 of the batch means, ms per command. */
  p50: number;
  p99: number;
  /** Total time / commands. */
  mean: number;
  /** p99 of the commands timed one by one (100 µs grain). */
  singleP99: number;
  batches: number;
}

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))]!;

function latencyStats(xs: LatencySamples[]): LatencyStats {
  const means = xs.flatMap((x) => x.means).sort((a, b) => a - b);
  const singles = xs.flatMap((x) => x.singles).sort((a, b) => a - b);
  const ms = xs.reduce((a, x) => a + x.ms, 0);
  const n = xs.reduce((a, x) => a + x.n, 0);
  return { p50: quantile(means, 0.5), p99: quantile(means, 0.99), mean: ms / n, singleP99: quantile(singles, 0.99), batches: means.length };
}

const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[xs.length >> 1]!;
const rate = (t: Timed) => t.n / (t.ms / 1000);

function fmt(opsPerSec: number): string {
  if (opsPerSec >= 1e6) return `${(opsPerSec / 1e6).toFixed(2)}M`;
  if (opsPerSec >= 1e4) return `${(opsPerSec / 1e3).toFixed(0)}k`;
  if (opsPerSec >= 1e3) return `${(opsPerSec / 1e3).toFixed(1)}k`;
  return opsPerSec.toFixed(0);
}
/** ms → "123 µs" / "1.2 ms". */
function us(ms: number): string {
  if (!Number.isFinite(ms)) return 'n/a';
  if (ms >= 10) return `${ms.toFixed(1)} ms`;
  if (ms >= 1) return `${ms.toFixed(2)} ms`;
  return `${Math.round(ms * 1000)} µs`;
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const line = (cells: string[]) => cells.map((x, c) => (c < 2 ? x.padEnd(widths[c]!) : x.padStart(widths[c]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

let unique = 0;
const fresh = (what: string) => `${what}-${process.pid}-${++unique}`;

/** One row of the table: a latency (p50/p99/mean) or a throughput, or why it could not be measured. */
type Row = {
  what: string;
  how: string;
  latency?: LatencyStats | DeliveryResult;
  ops?: number;
  runs?: number[];
  /** The baseline row this one is compared with (same kind). */
  vs?: Row;
  failed?: string;
};

async function main(): Promise<void> {
  const started = performance.now();
  const loadStart = os.loadavg()[0]!;
  if (!chromiumAvailable()) {
    console.log(`\nLodis web-worker in Chromium: skipped — no Chromium at ${CHROMIUM_PATH} (set CHROMIUM_PATH, or apt-get install chromium)`);
    return;
  }
  const pagesDir = mkdtempSync(path.join(os.tmpdir(), 'lodis-bench-worker-pages-'));
  await buildPages(pagesDir);
  const server = await serveStatic(pagesDir);
  const version = execFileSync(CHROMIUM_PATH, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  const chrome = await launchChromium(); // a temp profile on disk, removed on close
  const errors: string[] = [];
  const rows: Row[] = [];
  const row = async (r: Row, run: () => Promise<Partial<Row>>): Promise<Row> => {
    try {
      Object.assign(r, await run());
    } catch (e) {
      r.failed = e instanceof Error ? e.message.split('\n')[0]! : String(e);
    }
    rows.push(r);
    process.stderr.write('.');
    return r;
  };
  try {
    console.log(
      `\nLodis web-worker front in Chromium — ${version}, headless, ${os.cpus().length} cores; two tabs (pages) of one origin; ` +
        `timed in the page.`,
    );
    const A = await newTab(chrome, server.origin, 'A', errors);
    const B = await newTab(chrome, server.origin, 'B', errors);
    const mem = fresh('bw-mem');

    // ---- the two tabs on one store: A leads, B follows ----------------------------------------
    let roles: { a: LeadershipInfo; b: LeadershipInfo } | null = null;
    let rolesError = '';
    try {
      const a = await A.r.open({ name: mem, durability: 'memory' });
      const b = await B.r.open({ name: mem, durability: 'memory' });
      roles = { a, b };
      if (a.role !== 'leader') rolesError = `tab A is ${a.role}, expected leader`;
      else if (b.role !== 'follower' || b.leader !== a.tab) rolesError = `tab B is ${b.role} (leader ${b.leader}), expected a follower of A (${a.tab})`;
    } catch (e) {
      rolesError = `opening the store: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`;
    }
    await A.r.openComlink();

    const lodisA = { kind: 'lodis', store: mem } as const;
    const comlink = { kind: 'comlink' } as const;
    const guard = () => {
      if (rolesError) throw new Error(rolesError);
    };
    /**
     * Run each contender `rounds` times, taking turns (the first to go rotates each round), so a
     * change in the machine's load (2 cores, other processes) falls on all of them alike.
     */
    const interleave = async <T>(contenders: { lodis: boolean; run: (round: number) => Promise<T> }[], rounds: number) => {
      const out = contenders.map(() => ({ results: [] as T[], error: '' }));
      for (let r = 0; r < rounds; r++) {
        for (let k = 0; k < contenders.length; k++) {
          const i = (k + r) % contenders.length;
          if (out[i]!.error) continue;
          try {
            if (contenders[i]!.lodis) guard();
            out[i]!.results.push(await contenders[i]!.run(r));
          } catch (e) {
            out[i]!.error = e instanceof Error ? e.message.split('\n')[0]! : String(e);
          }
        }
      }
      return out;
    };
    const fromOutcome = async <T>(r: Row, o: { results: T[]; error: string }, f: (results: T[]) => Partial<Row>) =>
      row(r, async () => {
        if (o.error) throw new Error(o.error);
        return f(o.results);
      });

    // ---- 1, 2, 4: one awaited GET — Comlink, the leader tab, the follower tab (forwarded) -------
    const perRound = Math.max(1, Math.ceil(BATCHES / ROUNDS));
    const getOn = (tab: typeof A, front: Front) => (round: number) =>
      tab.r.latency({ front, command: 'GET', batches: perRound, batch: BATCH, warmup: round === 0 ? 3 : 1 });
    const [getC, getL, getF] = await interleave(
      [
        { lodis: false, run: getOn(A, comlink) },
        { lodis: true, run: getOn(A, lodisA) },
        { lodis: true, run: getOn(B, lodisA) },
      ],
      ROUNDS,
    );
    const pooled = (xs: LatencySamples[]) => ({ latency: latencyStats(xs) });
    const getComlink = await fromOutcome({ what: 'one awaited GET', how: 'Comlink, one call per command' }, getC!, pooled);
    await fromOutcome({ what: 'one awaited GET', how: 'Lodis worker, leader tab', vs: getComlink }, getL!, pooled);

    // ---- 3, 4: pipelined SET — Comlink, the leader tab, the follower tab ------------------------
    const pipeHow = `${PIPELINED / 1000}k SET, ${PIPELINE_BATCH} at a time`;
    const setOn = (tab: typeof A, front: Front) => async () => rate(await tab.r.throughput({ front, n: PIPELINED, batch: PIPELINE_BATCH }));
    const [pipeC, pipeL, pipeF] = await interleave(
      [
        { lodis: false, run: setOn(A, comlink) },
        { lodis: true, run: setOn(A, lodisA) },
        { lodis: true, run: setOn(B, lodisA) },
      ],
      REPEAT,
    );
    const rates = (runs: number[]) => ({ ops: median(runs), runs });
    const pipeComlink = await fromOutcome({ what: 'pipelined SET', how: `Comlink, Promise.all of calls; ${pipeHow}` }, pipeC!, rates);
    const pipeLeader = await fromOutcome({ what: 'pipelined SET', how: `Lodis worker, leader tab; ${pipeHow}`, vs: pipeComlink }, pipeL!, rates);
    await fromOutcome({ what: 'one awaited GET', how: 'Lodis worker, follower tab (forwarded)', vs: getComlink }, getF!, pooled);
    await fromOutcome({ what: 'pipelined SET', how: `Lodis worker, follower tab (forwarded); ${pipeHow}`, vs: pipeComlink }, pipeF!, rates);

    // ---- 5: PUBLISH to delivery across tabs ------------------------------------------------------
    let clockNote = '';
    try {
      const echo = fresh('clock');
      await B.r.clockEcho(echo);
      const c = await A.r.clockCheck({ channel: echo, probes: 200 });
      clockNote =
        `the tabs' clocks (timeOrigin + now()) differ by ${us(Math.abs(c.offset))} (estimated from the fastest of 200 BroadcastChannel ` +
        `round trips between the pages: ${us(c.minRtt)}; median ${us(c.medianRtt)})`;
    } catch (e) {
      clockNote = `clock check failed: ${e instanceof Error ? e.message : String(e)}`;
    }
    const pubsub = async (sub: typeof A, pub: typeof A) => {
      guard();
      const channel = fresh('chan');
      await sub.r.subscribe({ store: mem, channel });
      const sent = await pub.r.publishSeries({ store: mem, channel, n: MESSAGES });
      const got = await sub.r.deliveries({ channel, n: MESSAGES, timeoutMs: 10_000 });
      if (got.received !== MESSAGES) throw new Error(`${got.received} of ${MESSAGES} messages delivered`);
      if (sent.receivers.some((x) => x !== 1)) throw new Error(`PUBLISH counted receivers ${sent.receivers.join(', ')}, expected 1`);
      return { latency: got };
    };
    await row({ what: 'PUBLISH → delivery', how: `follower tab B publishes, leader tab A receives; ${MESSAGES} one at a time` }, () => pubsub(A, B));
    await row({ what: 'PUBLISH → delivery', how: `leader tab A publishes, follower tab B receives; ${MESSAGES} one at a time` }, () => pubsub(B, A));

    // ---- durable: the same front with IndexedDB behind it -------------------------------------
    const dur = fresh('bw-durable');
    const lodisDurable = { kind: 'lodis', store: dur } as const;
    let durableOpen: Promise<LeadershipInfo> | null = null;
    const openDurable = () => (durableOpen ??= A.r.open({ name: dur, durability: 'durable' }));
    await row({ what: 'one awaited SET', how: 'Lodis worker, leader tab, durable', vs: undefined }, async () => {
      guard();
      await openDurable();
      return pooled([await A.r.latency({ front: lodisDurable, command: 'SET', batches: DURABLE_BATCHES, batch: DURABLE_BATCH, warmup: 1 })]);
    });
    await row({ what: 'pipelined SET', how: `Lodis worker, leader tab, durable; ${pipeHow}`, vs: pipeComlink }, async () => {
      guard();
      await openDurable();
      const runs: number[] = [];
      for (let i = 0; i < REPEAT; i++) runs.push(rate(await A.r.throughput({ front: lodisDurable, n: PIPELINED, batch: PIPELINE_BATCH })));
      return { ops: median(runs), runs };
    });
    const visibility = `${await A.r.visibility()}/${await B.r.visibility()}`;
    await Promise.all([A.r.closeAll(), B.r.closeAll()]).catch((e) => errors.push(`closing: ${e instanceof Error ? e.message : String(e)}`));
    process.stderr.write('\n');

    // ---- the table ---------------------------------------------------------------------------
    const speed = (r: Row): string => {
      if (!r.vs || r.failed || r.vs.failed) return '';
      if (r.ops !== undefined && r.vs.ops !== undefined) return `${(r.ops / r.vs.ops).toFixed(2)}×`;
      if (r.latency && r.vs.latency) return `${(r.vs.latency.mean / r.latency.mean).toFixed(2)}×`;
      return '';
    };
    const isLatency = (l: Row['latency']): l is LatencyStats => l !== undefined && 'singleP99' in l;
    console.log(
      table(
        ['worker front', 'how', 'p50', 'p99', 'mean', 'p99 one by one', 'commands/s', 'speed vs Comlink'],
        rows.map((r) =>
          r.failed
            ? [r.what, r.how, 'failed', '', '', '', '', '']
            : [
                r.what,
                r.how,
                r.latency ? us(r.latency.p50) : '',
                r.latency ? us(r.latency.p99) : '',
                r.latency ? us(r.latency.mean) : '',
                isLatency(r.latency) ? us(r.latency.singleP99) : '',
                r.ops !== undefined ? fmt(r.ops) : isLatency(r.latency) ? fmt(1000 / r.latency.mean) : '',
                speed(r),
              ],
        ),
      ),
    );
    const notes = [
      roles
        ? `tabs: A ${roles.a.role}, B ${roles.b.role}${roles.b.leader === roles.a.tab ? ' of A' : ''}; ` +
          `store durability 'memory' except the two durable rows; document.visibilityState A/B: ${visibility}.`
        : `tabs: could not open the store in both tabs.`,
      `latency: performance.now() is coarsened to 100 µs in a page that is not cross-origin isolated — about one command's round trip — so`,
      `  p50/p99 are of the means of batches of ${BATCH} sequential awaited commands (${perRound * ROUNDS} batches = ${perRound * ROUNDS * BATCH} commands per row, ` +
        `the three GET rows taking turns ${ROUNDS} times; durable SET: ${DURABLE_BATCHES} × ${DURABLE_BATCH}); mean = total / commands;`,
      `  "p99 one by one": the same commands timed singly, quantized to that 100 µs grain (their p50 is 0 or 100 µs: not shown). ` +
        `Latency rows' commands/s = 1 / mean.`,
      `pipelined: ${PIPELINED / 1000}k SETs, ${PIPELINE_BATCH} issued in one microtask (Lodis: one message to the worker; Comlink: ${PIPELINE_BATCH} calls), ` +
        `then awaited together before the next ${PIPELINE_BATCH}; FLUSHALL before, DBSIZE checked after; median of ${REPEAT}, taking turns ` +
        `(runs: ${rows.filter((r) => r.runs).map((r) => `${r.how.split(';')[0]} [${r.runs!.map(fmt).join(', ')}]`).join('; ')}).`,
      `baseline: Comlink 4.4.2, an in-process @lodis/core createStore() in a plain module worker of tab A, call(...argv) per command ` +
        `(comlink-baseline-worker.ts). "speed vs Comlink": its mean latency / the row's, or the row's commands/s / its.`,
      `PUBLISH → delivery: receiver's performance.timeOrigin + now() minus the sender's (carried in the message), each PUBLISH awaited ` +
        `before the next; 100 µs grain;`,
      `  ${clockNote}.`,
      `load average (1 min) at start / end: ${loadStart.toFixed(2)} / ${os.loadavg()[0]!.toFixed(2)} on ${os.cpus().length} cores: other processes move these figures.`,
    ];
    console.log(notes.join('\n'));
    const failed = rows.filter((r) => r.failed);
    for (const r of failed) console.log(`failed: ${r.what}, ${r.how}: ${r.failed}`);
    if (rolesError && !failed.length) console.log(`leadership: ${rolesError}`);
    for (const e of errors.slice(0, 10)) console.log(e);
    if (errors.length > 10) console.log(`… and ${errors.length - 10} more page errors`);
    console.log(`(web-worker part took ${((performance.now() - started) / 1000).toFixed(0)} s)`);
    if (failed.length) process.exitCode = 1;
  } finally {
    await chrome.close();
    await server.close();
    rmSync(pagesDir, { recursive: true, force: true });
  }
}

await main();
