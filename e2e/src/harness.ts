/**
 * What the e2e tests share: the built pages served on 127.0.0.1, a typed way to call the test
 * page's `window.lodis`, the model (the same workload applied to an in-memory store in Node) and
 * the comparison of a browser store's dump with the model's.
 */
import { createStore, decodeReply, decodeReplyBuffer, ReplyError, type Store } from '@lodis/core';
import type { BrowserContext, Page } from 'playwright-core';
import type { AckReporter, LodisPage, PageGlobals } from '../pages/api.js';
import { serveStatic, type StaticServer } from './server.js';
import { OTHER_DB, SHORT_TTL_SETTLE_MS, sortDump, toHex, workloadOp, type DumpEntry } from './workload.js';

/** Serve the pages built into `dir` (by global-setup.ts: `inject('pagesDir')`). */
export function servePages(dir: string): Promise<StaticServer> {
  return serveStatic(dir);
}

/** A page of the test site, with its errors collected (a test prints them when it fails). */
export interface TestPage {
  readonly page: Page;
  /** Uncaught errors and console errors of the page, in order. */
  readonly errors: string[];
  /** Call a method of the page's `window.lodis`. */
  lodis<K extends keyof LodisPage>(method: K, ...args: Parameters<LodisPage[K]>): Promise<Awaited<ReturnType<LodisPage[K]>>>;
}

/**
 * Open `store.html` in a new tab of `context`. `onAck` receives the page's acknowledgement
 * reports (registered before the page loads, so none is missed).
 */
export async function openTestPage(context: BrowserContext, origin: string, onAck?: AckReporter): Promise<TestPage> {
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console.error: ${m.text()}`);
  });
  if (onAck) await page.exposeFunction('__lodisAck', onAck);
  await page.goto(`${origin}/store.html`);
  await page.waitForFunction(() => typeof (globalThis as unknown as Partial<PageGlobals>).lodis === 'object');
  return {
    page,
    errors,
    lodis: (method, ...args) =>
      page.evaluate(
        ([m, a]) => {
          const api = (globalThis as unknown as PageGlobals).lodis as unknown as Record<string, (...x: unknown[]) => unknown>;
          return api[m as string]!(...(a as unknown[]));
        },
        [method, args] as const,
      ) as never,
  };
}

/** Reload a test page and wait for its API again (the store must be opened anew). */
export async function reloadTestPage(t: TestPage): Promise<void> {
  await t.page.reload();
  await t.page.waitForFunction(() => typeof (globalThis as unknown as Partial<PageGlobals>).lodis === 'object');
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Wait until short-TTL keys written at or before `writtenAt` have expired. */
export async function settleShortTtls(writtenAt: number): Promise<void> {
  const wait = writtenAt + SHORT_TTL_SETTLE_MS - Date.now();
  if (wait > 0) await sleep(wait);
}

// ---- the model ---------------------------------------------------------------------------------

/** The model's clock while ops are applied: every TTL is relative to it. */
export const MODEL_T0 = Date.UTC(2030, 0, 1);
/** The model's clock when it is dumped: past every short TTL, before every long one. */
const MODEL_CHECK = MODEL_T0 + 10 * 60_000;

/** The workload applied to a plain in-memory store in Node, one op at a time. */
export class Model {
  private now = MODEL_T0;
  private readonly store: Store = createStore({ clock: () => this.now, activeExpire: false });
  private readonly sessions = new Map<number, Store>();
  /** Ops applied so far: the state is that after ops [0, applied). */
  applied = 0;

  private session(db: number): Store {
    let s = this.sessions.get(db);
    if (!s) {
      s = db === 0 ? this.store : this.store.connect();
      if (db !== 0) s.execute('SELECT', db);
      this.sessions.set(db, s);
    }
    return s;
  }

  /** Apply ops [applied, upTo). */
  applyUpTo(upTo: number): this {
    this.now = MODEL_T0;
    for (; this.applied < upTo; this.applied++) {
      const op = workloadOp(this.applied);
      const r = this.session(op.db).execute(...op.argv);
      if (r instanceof ReplyError) throw new Error(`model: op ${this.applied} (${op.argv.join(' ')}) failed: ${r.message}`);
    }
    return this;
  }

  dump(): DumpEntry[] {
    this.now = MODEL_CHECK;
    const s = this.store.connect();
    const out: DumpEntry[] = [];
    for (const db of [0, OTHER_DB]) {
      s.execute('SELECT', db);
      let cursor = '0';
      do {
        const [next, keys] = decode(s.execute('SCAN', cursor, 'COUNT', 1000)) as [string, string[]];
        cursor = next;
        for (const key of keys) {
          const type = String(decode(s.execute('TYPE', key)));
          if (type === 'none') continue;
          const pexpiretime = Number(decode(s.execute('PEXPIRETIME', key)));
          const value = type === 'string' ? toHex(decodeBytes(s.execute('GET', key))) : null;
          out.push({ db, key, type, pexpiretime, value });
        }
      } while (cursor !== '0');
    }
    s.close();
    return out;
  }

  close(): void {
    for (const [db, s] of this.sessions) if (db !== 0) s.close();
    this.store.close();
  }
}

function decode(r: ReturnType<Store['execute']>): unknown {
  if (r instanceof ReplyError) throw r;
  return decodeReply(r);
}
function decodeBytes(r: ReturnType<Store['execute']>): Uint8Array {
  if (r instanceof ReplyError) throw r;
  return decodeReplyBuffer(r) as Uint8Array;
}

// ---- comparing -------------------------------------------------------------------------------

export interface TtlWindow {
  /** Wall clock before the first op was issued and after the last one could have run. */
  from: number;
  to: number;
}

/**
 * Differences between a browser store's dump and the model's (empty: the same state). TTLs are
 * compared through the window in which the ops ran: a key's absolute expiry in the browser, less
 * its expiry in the model, plus the model's clock, is when the browser ran the op that set it.
 */
export function diffDumps(browser: DumpEntry[], model: DumpEntry[], ttl: TtlWindow, limit = 20): string[] {
  const diffs: string[] = [];
  const b = new Map(sortDump(browser).map((e) => [`${e.db}/${e.key}`, e]));
  const m = new Map(sortDump(model).map((e) => [`${e.db}/${e.key}`, e]));
  for (const [k, me] of m) {
    if (diffs.length >= limit) break;
    const be = b.get(k);
    if (!be) {
      diffs.push(`missing ${k} (${me.type}${me.value !== null ? ` ${abbrev(me.value)}` : ''})`);
      continue;
    }
    if (be.type !== me.type) diffs.push(`${k}: type ${be.type}, want ${me.type}`);
    else if (be.value !== me.value) diffs.push(`${k}: value ${abbrev(be.value)}, want ${abbrev(me.value)}`);
    if ((be.pexpiretime < 0) !== (me.pexpiretime < 0)) {
      diffs.push(`${k}: PEXPIRETIME ${be.pexpiretime}, want ${me.pexpiretime < 0 ? '-1' : 'a TTL'}`);
    } else if (be.pexpiretime >= 0) {
      const ranAt = be.pexpiretime - me.pexpiretime + MODEL_T0;
      if (ranAt < ttl.from - 2 || ranAt > ttl.to + 2) {
        diffs.push(
          `${k}: PEXPIRETIME ${be.pexpiretime} means the op ran at ${ranAt}, ` +
            `${ranAt < ttl.from ? `${ttl.from - ranAt} ms before the ops started` : `${ranAt - ttl.to} ms after they ended`}`,
        );
      }
    }
  }
  for (const [k, be] of b) {
    if (diffs.length >= limit) break;
    if (!m.has(k)) diffs.push(`unexpected ${k} (${be.type}${be.value !== null ? ` ${abbrev(be.value)}` : ''}, PEXPIRETIME ${be.pexpiretime})`);
  }
  return diffs;
}

function abbrev(hex: string | null): string {
  if (hex === null) return 'null';
  return hex.length > 40 ? `${hex.slice(0, 40)}… (${hex.length / 2} bytes)` : hex;
}

/** The highest op index whose SETBIT shows in a dump: ops up to it are in the store. */
export function highestBitOp(dump: DumpEntry[]): number {
  const bits = dump.find((e) => e.db === 0 && e.key === 'bits')?.value;
  if (!bits) return -1;
  for (let byte = bits.length / 2 - 1; byte >= 0; byte--) {
    const v = parseInt(bits.slice(byte * 2, byte * 2 + 2), 16);
    if (v === 0) continue;
    for (let bit = 7; bit >= 0; bit--) if (v & (0x80 >> bit)) return byte * 8 + bit;
  }
  return -1;
}

export interface PrefixMatch {
  /** The browser's state is the model's after ops [0, prefix); null: it matches no prefix. */
  prefix: number | null;
  /** When it matches none: the differences from the nearest candidate. */
  diffs: string[];
  candidates: number[];
}

/**
 * Which prefix of the workload a recovered store holds. Ops are logged in order and recovery
 * replays a prefix of the log, so the state must be exactly the model's after some prefix; the
 * bitmap (a SETBIT every 5 ops, at the op's index) narrows it to 5 candidates.
 */
export function matchPrefix(browser: DumpEntry[], ttl: TtlWindow, issued: number): PrefixMatch {
  const b = highestBitOp(browser);
  const lo = b + 1;
  const hi = Math.min(issued, b + 5);
  const candidates: number[] = [];
  const model = new Model();
  let nearest: string[] | null = null;
  try {
    for (let m = lo; m <= hi; m++) {
      candidates.push(m);
      const diffs = diffDumps(browser, model.applyUpTo(m).dump(), ttl);
      if (diffs.length === 0) return { prefix: m, diffs, candidates };
      if (!nearest || diffs.length < nearest.length) nearest = diffs;
    }
  } finally {
    model.close();
  }
  return { prefix: null, diffs: nearest ?? ['no candidate prefix'], candidates };
}

/** The model's dump after ops [0, n). */
export function modelDump(n: number): DumpEntry[] {
  const model = new Model().applyUpTo(n);
  try {
    return model.dump();
  } finally {
    model.close();
  }
}

/** Poll `INFO persistence` until `field` reads `value`. */
export async function waitForInfo(t: TestPage, field: string, value: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const info = await t.lodis('info', 'persistence');
    const m = new RegExp(`^${field}:(.*)$`, 'm').exec(info);
    if (m && m[1]!.trim() === value) return;
    if (Date.now() > deadline) throw new Error(`INFO persistence ${field} never became ${value}:\n${info}`);
    await sleep(20);
  }
}

/**
 * What a store's IndexedDB database holds (layout: packages/idb-persist/src/schema.ts): the active
 * snapshot, its chunk count, chunks of any other snapshot (orphans), and log records.
 */
export async function idbLayout(t: TestPage, name: string) {
  const db = await t.lodis('idbInspect', `lodis:${name}`);
  const meta = db.meta?.values?.[0] as { snapshot: { id: number; seq: number; chunks: number } | null } | undefined;
  const keys = (db.snapshots?.keys ?? []) as [number, number][];
  return {
    active: meta?.snapshot ?? null,
    count: db.snapshots?.count ?? 0,
    orphans: keys.filter(([id]) => id !== meta?.snapshot?.id),
    logRecords: db.log?.count ?? 0,
  };
}
