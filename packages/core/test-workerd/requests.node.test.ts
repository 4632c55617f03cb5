/**
 * The engine in a real Worker and Durable Object (workerd through Miniflare), across requests:
 * bundled as a Worker would ship it, with no compatibility flags (no Node APIs), a store made in
 * global scope or in the object's constructor with default options.
 */
import * as esbuild from 'esbuild';
import { Miniflare } from 'miniflare';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const worker = `
import { createStore } from './lodis.mjs';

// In global scope, where Workers refuse timers: this threw before the store stopped setting them.
const redis = createStore();

async function serve(redis, url) {
  const ran = url.searchParams.has('cron') ? redis.serverCron() : false;
  const argv = url.searchParams.getAll('a');
  const reply = argv.length ? await redis.call(...argv) : null;
  return Response.json({ reply, ran, dbsize: await redis.dbsize() });
}

export class Counter {
  constructor() {
    this.redis = createStore();
  }
  fetch(request) {
    return serve(this.redis, new URL(request.url));
  }
}

export default {
  fetch(request, env) {
    const url = new URL(request.url);
    if (url.pathname === '/object') return env.COUNTER.get(env.COUNTER.idFromName('one')).fetch(request);
    return serve(redis, url);
  },
};
`;

let mf: Miniflare;

beforeAll(async () => {
  const lodis = await esbuild.build({
    entryPoints: [fileURLToPath(new URL('../src/index.ts', import.meta.url))],
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    write: false,
  });
  mf = new Miniflare({
    compatibilityDate: '2026-04-20',
    modules: [
      { type: 'ESModule', path: 'worker.mjs', contents: worker },
      { type: 'ESModule', path: 'lodis.mjs', contents: lodis.outputFiles[0]!.text },
    ],
    durableObjects: { COUNTER: 'Counter' },
  });
  await mf.ready;
}, 60_000);

afterAll(() => mf?.dispose());

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function send(path: string, argv: (string | number)[] = [], cron = false) {
  const url = new URL(path, 'http://lodis.test');
  for (const a of argv) url.searchParams.append('a', String(a));
  if (cron) url.searchParams.set('cron', '');
  const res = await mf.dispatchFetch(url);
  expect(res.status).toBe(200);
  return (await res.json()) as { reply: unknown; ran: boolean; dbsize: number };
}

describe.each([
  ['a Worker, store made in global scope', '/'],
  ['a Durable Object, store made in its constructor', '/object'],
])('%s', (_name, path) => {
  it('leaves no timer between requests; a read after the TTL finds nothing', async () => {
    await send(path, ['FLUSHALL']);
    expect((await send(path, ['SET', 'session', 'x', 'PX', 30])).reply).toBe('OK');
    await sleep(250);
    // A timer left running (a Durable Object keeps them) would have reclaimed it by now.
    expect((await send(path)).dbsize).toBe(1);
    expect((await send(path, ['GET', 'session'])).reply).toBeNull();
    expect((await send(path)).dbsize).toBe(0);
  });

  it('serverCron() on a request reclaims expired keys nobody reads, at most 10 times a second', async () => {
    await send(path, ['FLUSHALL']);
    for (let i = 0; i < 20; i++) await send(path, ['SET', `tmp:${i}`, 'v', 'PX', 20]);
    await send(path, ['SET', 'kept', 'v']);
    await sleep(150);
    const first = await send(path, [], true);
    expect(first).toMatchObject({ ran: true, dbsize: 1 });
    expect(await send(path, ['SET', 'tmp:x', 'v', 'PX', 1], true)).toMatchObject({ ran: false, dbsize: 2 });
  });
});
