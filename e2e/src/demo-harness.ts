/**
 * What the demo tests share (e2e/demo-*.test.ts): the demo app built by global-setup.ts
 * (`inject('demoDir')`), served on 127.0.0.1, and a `DemoTab` driving it as a user would — by its
 * links, buttons and inputs (`data-testid`s) — with `window.lodis`, the page's store, to check what
 * the store holds, and screenshots of every panel at desktop and phone width.
 *
 *   const browser = new TabBrowser();
 *   beforeAll(() => browser.serve(inject('demoDir')));
 *   afterAll(() => browser.stopServing());
 *   afterEach(() => browser.close());
 *   …
 *   await browser.launch();
 *   const a = await DemoTab.open(browser, 'cache', 'A');
 *   await a.page.getByTestId('cache-fetch').click();
 *   expect(await a.redis((r) => r.ttl('cache:user:1'))).toBeGreaterThan(0);
 *   await a.shoot('cache');
 *   a.expectNoErrors();
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { WorkerClient } from '@lodis/web-worker';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { Tab, type TabBrowser } from './tab-harness.js';

/** Where the screenshots go: `test-results/demo/<panel>-<desktop|phone>[-<what>].png` (git-ignored). */
export const SCREENSHOT_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../test-results/demo');

export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

export class DemoTab extends Tab<Record<string, never>> {
  /** A new tab of `browser` on the demo, at `#panel`, once its store is open. */
  static async open(browser: TabBrowser, panel: string, label: string): Promise<DemoTab> {
    const page = await browser.newPage();
    await page.setViewportSize(DESKTOP);
    const tab = new DemoTab(page, { url: `${browser.origin}/index.html#${panel}`, global: 'lodis' }, label);
    await tab.load();
    await tab.ready();
    return tab;
  }

  /** Wait until the page has opened the store and named its tab. */
  async ready(): Promise<void> {
    await this.page.waitForFunction(() => document.body.dataset.ready === 'true', null, { timeout: 30_000 });
  }

  /** Reload the tab and wait until it is ready again (same panel). */
  async reload(): Promise<void> {
    await this.page.reload();
    await this.waitForApi();
    await this.ready();
  }

  /** Show a panel by its link in the navigation. */
  async goto(panel: string): Promise<void> {
    await this.page.getByTestId(`nav-${panel}`).click();
    await expect.poll(() => this.page.getByTestId(`panel-${panel}`).isVisible()).toBe(true);
  }

  /**
   * Run `fn` in the page with its store (`window.lodis`): `tab.redis((r, k) => r.get(k), 'key')`.
   * `fn` is sent as source: it must use only its arguments (plain data in, plain data out).
   */
  redis<R, A = undefined>(fn: (redis: WorkerClient, arg: A) => Promise<R> | R, arg?: A): Promise<R> {
    return this.page.evaluate(
      ([src, a]) => {
        // eslint-disable-next-line @typescript-eslint/no-implied-eval
        const f = new Function(`return (${src})`)() as (r: unknown, x: unknown) => unknown;
        return f((globalThis as unknown as { lodis: unknown }).lodis, a);
      },
      [fn.toString(), arg] as const,
    ) as Promise<R>;
  }

  /** This tab's role: `leader`, `follower` or `single`. */
  async role(): Promise<string> {
    return this.redis(async (r) => (await r.leadership()).role);
  }

  /** The text of the element with this test id. */
  text(testid: string): Promise<string> {
    return this.page.getByTestId(testid).innerText();
  }

  /**
   * Screenshot the panel on screen at 1280×800 and at phone width (390×844), full page; `what`
   * names a state (`after-reload`). Returns the files written.
   */
  async shoot(panel: string, what = ''): Promise<string[]> {
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    const files: string[] = [];
    // A phone has overlay scrollbars: without this, headless Chromium's 15 px scrollbar would
    // take its width from the 390 px page (the page itself scrolls at phone width).
    const noScrollbar = await this.page.addStyleTag({ content: 'html { scrollbar-width: none; }' });
    for (const [size, viewport] of [['desktop', DESKTOP], ['phone', PHONE]] as const) {
      await this.page.setViewportSize(viewport);
      await this.page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
      const file = path.join(SCREENSHOT_DIR, `${panel}-${size}${what ? `-${what}` : ''}.png`);
      await this.page.screenshot({ path: file, fullPage: size === 'phone' });
      files.push(file);
    }
    await noScrollbar.evaluate((el) => (el as Element).remove());
    await this.page.setViewportSize(DESKTOP);
    return files;
  }

  /**
   * Screenshot a lower part of the panel at desktop width, `<panel>-desktop-<what>.png`: the card
   * holding the element with test id `testid` scrolled to the top of the content pane (`'end'`:
   * the pane scrolled to its end). At phone width `shoot()` already takes the whole page.
   */
  async shootCard(panel: string, testid: string | 'end', what: string): Promise<void> {
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    await this.page.setViewportSize(DESKTOP);
    await this.page.evaluate((id) => {
      const pane = document.querySelector('.content')!;
      if (id === 'end') {
        pane.scrollTo(0, pane.scrollHeight);
        return;
      }
      const card = document.querySelector(`[data-testid="${id}"]`)!.closest('.card')!;
      pane.scrollTop += card.getBoundingClientRect().top - pane.getBoundingClientRect().top - 12;
    }, testid);
    await this.page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    await this.page.screenshot({ path: path.join(SCREENSHOT_DIR, `${panel}-desktop-${what}.png`) });
    await this.page.evaluate(() => document.querySelector('.content')!.scrollTo(0, 0));
  }


  /** The page on screen fits a phone's width: no sideways scrolling at 390 px. */
  async expectFitsPhone(what: string): Promise<void> {
    await this.page.setViewportSize(PHONE);
    expect(await overflowsHorizontally(this.page), `${what} overflows at phone width`).toBe(false);
    await this.page.setViewportSize(DESKTOP);
  }

  /** No uncaught error and no console.error in this tab so far. */
  expectNoErrors(): void {
    expect(this.errors, `${this.label}: errors in the page`).toEqual([]);
  }
}

/** Is this page's horizontal layout within the viewport (no sideways scrolling at phone width)? */
export async function overflowsHorizontally(page: Page): Promise<boolean> {
  return page.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth + 1);
}
