/**
 * The demo's frame (demo/): it opens the store in every tab, names the tab and the leader, every
 * panel is reachable from the navigation and fits a phone's width, `window.lodis` is the store, and
 * nothing logs an error; and `npm start` (scripts/start.mjs) builds and serves it as the README
 * says. Each panel's own behaviour is tested in demo-*.test.ts.
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, expect, inject, test } from 'vitest';
import { DemoTab } from './src/demo-harness.js';
import { TabBrowser } from './src/tab-harness.js';

const browser = new TabBrowser();
beforeAll(() => browser.serve(inject('demoDir')));
afterAll(() => browser.stopServing());
afterEach(() => browser.close());

test('every panel is reachable, fits a phone, and the header names the leader in each tab', async () => {
  await browser.launch();
  const a = await DemoTab.open(browser, 'overview', 'A');
  await expect.poll(() => a.text('tab-status')).toMatch(/^tab-[0-9a-f]{4} · leader · epoch \d+$/);
  expect(await a.redis((r) => r.call('PING'))).toBe('PONG');

  const ids = await a.page.locator('[data-testid^="nav-"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-testid')!.slice(4)));
  expect(ids).toEqual(['overview', 'cache', 'sessions', 'pubsub', 'queue', 'streams', 'leaderboard', 'ratelimit', 'analytics', 'cli', 'keys', 'status']);
  for (const id of ids) {
    await a.goto(id);
    await a.expectFitsPhone(id);
  }
  await a.goto('overview');
  await a.shoot('overview');

  const b = await DemoTab.open(browser, 'overview', 'B');
  const leaderName = (await a.text('tab-status')).split(' · ')[0]!;
  await expect.poll(() => b.text('tab-status')).toMatch(new RegExp(`^tab-[0-9a-f]{4} · follower of ${leaderName} · epoch \\d+$`));
  await b.redis((r) => r.set('demo:frame', 'from B'));
  expect(await a.redis((r) => r.get('demo:frame'))).toBe('from B');
  a.expectNoErrors();
  b.expectNoErrors();
});

/** A port free on 127.0.0.1 right now. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

test('npm start builds the demo, serves it on 127.0.0.1 and prints the URL', async () => {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const port = await freePort();
  const child = spawn(process.execPath, ['scripts/start.mjs', '--port', String(port)], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  try {
    await expect.poll(() => out, { timeout: 60_000 }).toContain('Lodis demo: http://');
    const url = /Lodis demo: (\S+)/.exec(out)![1]!;
    expect(url).toBe(`http://127.0.0.1:${port}/`);
    await browser.launch();
    const page = await browser.newPage();
    await page.goto(url);
    await page.waitForFunction(() => document.body.dataset.ready === 'true', null, { timeout: 30_000 });
    expect(await page.evaluate(() => (globalThis as unknown as { lodis: { call(...a: string[]): Promise<unknown> } }).lodis.call('ECHO', 'hi'))).toBe('hi');
  } finally {
    child.kill('SIGINT');
  }
});
