/**
 * @lodis/web-worker in real Chromium: the typed API through the worker, auto-pipelining (10,000
 * commands issued in one tick travel in one message and resolve in order), pub/sub pushed over the
 * worker's port, and the data persisted by idb-persist in the worker surviving a reload.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { launchChromium, type RunningChromium } from './src/chromium.js';
import { servePages } from './src/harness.js';
import type { StaticServer } from './src/server.js';
import type { WorkerPage, WorkerPageGlobals } from './pages/worker-api.js';

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

interface WorkerTestPage {
  page: Page;
  errors: string[];
  call<K extends keyof WorkerPage>(method: K, ...args: Parameters<WorkerPage[K]>): Promise<Awaited<ReturnType<WorkerPage[K]>>>;
}

async function waitForApi(page: Page): Promise<void> {
  await page.waitForFunction(() => typeof (globalThis as unknown as Partial<WorkerPageGlobals>).lodisWorker === 'object');
}

async function openWorkerPage(): Promise<WorkerTestPage> {
  const page = await chrome.context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console.error: ${m.text()}`);
  });
  await page.goto(`${server.origin}/worker.html`);
  await waitForApi(page);
  return {
    page,
    errors,
    call: (method, ...args) =>
      page.evaluate(
        ([m, a]) => {
          const api = (globalThis as unknown as WorkerPageGlobals).lodisWorker as unknown as Record<string, (...x: unknown[]) => unknown>;
          return api[m as string]!(...(a as unknown[]));
        },
        [method, args] as const,
      ) as never,
  };
}

describe('a store in a Web Worker (createClient)', () => {
  test('the typed API, call and callBuffer, and errors as ReplyError with the same text', async () => {
    const t = await openWorkerPage();
    try {
      await t.call('open', 'worker-typed');
      const r = await t.call('typed');
      expect(r).toEqual({
        set: 'OK',
        get: 'hello',
        incr: [1, 2, 12],
        wrongType: 'ERR value is not an integer or out of range',
        isReplyError: true,
        bytes: [0, 255, 1],
      });
      expect(await t.call('call', ['NOSUCHCOMMAND', 'x'])).toEqual({
        error: expect.stringMatching(/^ReplyError: ERR unknown command 'NOSUCHCOMMAND'/),
      });
      expect(await t.call('call', ['GET'])).toEqual({ error: "ReplyError: ERR wrong number of arguments for 'get' command" });
      expect(await t.call('call', ['ECHO', 'hi'])).toEqual({ ok: 'hi' });
      expect(await t.call('pubsub')).toEqual({ channel: 'news', message: 'hello' });
      await t.call('close');
      expect(t.errors).toEqual([]);
    } finally {
      await t.page.close();
    }
  });

  test('10,000 commands issued in one tick travel in one message and resolve in order', async () => {
    const t = await openWorkerPage();
    try {
      await t.call('open', 'worker-pipeline', 'memory');
      const r = await t.call('pipeline', 'counter', 10_000);
      expect(r).toMatchObject({ commands: 10_000, messages: 1, inOrder: true });
      expect(await t.call('call', ['GET', 'counter'])).toEqual({ ok: '10000' });
      const latency = await t.call('latency', 2_000);
      const throughput = await t.call('throughput', 10_000, 20);
      console.log(
        `web-worker: one awaited GET mean ${(latency.mean * 1000).toFixed(0)} µs, p50 ${(latency.p50 * 1000).toFixed(0)} µs, p99 ${(latency.p99 * 1000).toFixed(0)} µs; ` +
          `pipelined SET ${Math.round(throughput).toLocaleString('en')} commands/s; 10k INCR in one tick ${r.ms.toFixed(1)} ms`,
      );
      await t.call('close');
      expect(t.errors).toEqual([]);
    } finally {
      await t.page.close();
    }
  });

  test('what the worker persisted survives a page reload', async () => {
    const t = await openWorkerPage();
    try {
      await t.call('open', 'worker-reload', 'durable');
      const r = await t.call('pipeline', 'persisted', 1_000);
      expect(r.inOrder).toBe(true);
      expect(await t.call('call', ['SET', 'greeting', 'hi'])).toEqual({ ok: 'OK' });
      await t.page.reload();
      await waitForApi(t.page);
      await t.call('open', 'worker-reload', 'durable');
      expect(await t.call('call', ['GET', 'persisted'])).toEqual({ ok: '1000' });
      expect(await t.call('call', ['GET', 'greeting'])).toEqual({ ok: 'hi' });
      await t.call('close');
      expect(t.errors).toEqual([]);
    } finally {
      await t.page.close();
    }
  });
});
