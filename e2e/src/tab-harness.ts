/**
 * What the multi-tab tests share (tabs.test.ts, queue.test.ts, streams.test.ts): one Chromium per
 * test with background tabs unthrottled, a Tab over a test page's API global (`window.lodisTabs`,
 * `window.lodisQueue` …) with its errors collected, and waiting with a deadline.
 *
 *   const browser = new TabBrowser();
 *   beforeAll(() => browser.serve(inject('pagesDir')));
 *   afterAll(() => browser.stopServing());
 *   afterEach(() => browser.close());
 *   …
 *   await browser.launch();
 *   const t = new Tab<QueuePage>(await browser.newPage(), browser.pageSpec('/queue.html', 'lodisQueue'), 'W');
 *   await t.load();
 *   await t.call('open', name, { label: 'W' });
 */
import type { Page } from 'playwright-core';
import { launchChromium, type RunningChromium } from './chromium.js';
import { servePages, sleep } from './harness.js';
import type { StaticServer } from './server.js';

/** The built pages served, and the Chromium of the test running now. */
export class TabBrowser {
  private server: StaticServer | null = null;
  private running: RunningChromium | null = null;

  /** Serve the pages built into `dir` (`inject('pagesDir')`): in beforeAll. */
  async serve(dir: string): Promise<void> {
    this.server = await servePages(dir);
  }

  /** In afterAll. */
  async stopServing(): Promise<void> {
    await this.server?.close();
    this.server = null;
  }

  get origin(): string {
    if (!this.server) throw new Error('TabBrowser: serve() first');
    return this.server.origin;
  }

  get chrome(): RunningChromium {
    if (!this.running) throw new Error('TabBrowser: launch() first');
    return this.running;
  }

  /**
   * Launch Chromium for this test. Background tabs must not have their timers throttled to 1 Hz
   * (the pages' reports and the leadership polling run on timers; Playwright's own launcher passes
   * the same switches).
   */
  async launch(): Promise<RunningChromium> {
    this.running = await launchChromium({
      args: ['--disable-background-timer-throttling', '--disable-renderer-backgrounding', '--disable-backgrounding-occluded-windows'],
    });
    return this.running;
  }

  /** A new tab (about:blank) of this test's browser. */
  newPage(): Promise<Page> {
    return this.chrome.context.newPage();
  }

  /** Where a test page is and the global its API is on. */
  pageSpec(path: string, global: string): TabPageSpec {
    return { url: `${this.origin}${path}`, global };
  }

  /** In afterEach: the test's browser is closed (its temp profile removed). */
  async close(): Promise<void> {
    await this.running?.close();
    this.running = null;
  }
}

export interface TabPageSpec {
  /** The page's full URL. */
  url: string;
  /** The name of the window property the page exposes its API on. */
  global: string;
}

type Args<F> = F extends (...args: infer A) => unknown ? A : never;
type Result<F> = F extends (...args: never[]) => infer R ? Awaited<R> : never;

/** A tab of a multi-tab test, driving a page's API global (`Api`: its methods, as the page declares them). */
export class Tab<Api> {
  /** Uncaught errors and console errors of the page, in order. */
  readonly errors: string[] = [];
  /** Console warnings and notes (the worker's leadership notes), with Date.now() when they came. */
  readonly warnings: { at: number; text: string }[] = [];

  constructor(
    readonly page: Page,
    readonly spec: TabPageSpec,
    /** Who this tab is (for messages and the trace); a test may rename a tab it reuses. */
    public label = '',
  ) {
    page.on('pageerror', (e) => {
      const where = (e.stack ?? '').split('\n').slice(1, 4).map((l) => l.trim()).join(' ← ');
      this.errors.push(`pageerror: ${e.message}${where ? ` (${where})` : ''}`);
      trace(`  ${this.label || '?'} pageerror: ${e.message} ${where}`);
    });
    page.on('console', (m) => {
      if (m.type() === 'error') this.errors.push(`console.error: ${m.text()}`);
      if (m.type() === 'warning' || m.type() === 'info') this.warnings.push({ at: Date.now(), text: m.text() });
      if (m.type() !== 'log') trace(`  ${this.label || '?'} console.${m.type()}: ${m.text()}`);
    });
  }

  /** Call a method of the page's API global; resolves with what it returned (plain data). */
  call<K extends keyof Api & string>(method: K, ...args: Args<Api[K]>): Promise<Result<Api[K]>> {
    return this.page.evaluate(
      ([global, m, a]) => {
        const api = (globalThis as unknown as Record<string, Record<string, (...x: unknown[]) => unknown>>)[global]!;
        return api[m]!(...(a as unknown[]));
      },
      [this.spec.global, method, args] as const,
    ) as Promise<Result<Api[K]>>;
  }

  /** (Re)load the page in this tab and wait for its API. */
  async load(): Promise<void> {
    await this.page.goto(this.spec.url);
    await this.waitForApi();
  }

  /** Wait until the page's API global is there (after a load, a reload or a back navigation). */
  async waitForApi(): Promise<void> {
    await this.page.waitForFunction((global) => typeof (globalThis as unknown as Record<string, unknown>)[global] === 'object', this.spec.global);
  }
}

/** Poll `fn` every `everyMs` until it returns something truthy; that value. Throws after `timeoutMs`. */
export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | null | false>, timeoutMs = 10_000, everyMs = 10): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** `p`, or an error naming `what` when it has not settled in `ms`. */
export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout>;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no answer in ${ms} ms`)), ms))),
  ]);
}

/** Progress of the long tests on stderr, with LODIS_E2E_TRACE=1. */
export function trace(msg: string): void {
  if (process.env.LODIS_E2E_TRACE) process.stderr.write(`[${new Date().toISOString().slice(11, 23)}] ${msg}\n`);
}
