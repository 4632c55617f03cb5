/// <reference lib="dom" />
/**
 * The worker test page: a Lodis store in a Web Worker through @lodis/web-worker's createClient,
 * driven from Node through `window.lodisWorker` (worker-api.ts).
 */
import { ReplyError } from '@lodis/core';
import { createClient, type WorkerClient } from '@lodis/web-worker';
import type { CallResult } from './api.js';
import type { PipelineResult, WorkerPage, WorkerPageGlobals } from './worker-api.js';

let client: WorkerClient | null = null;
let messages = 0;

function current(): WorkerClient {
  if (!client) throw new Error('no client open: call lodisWorker.open(name) first');
  return client;
}

const page: WorkerPage = {
  async open(name, durability = 'durable') {
    client = createClient({ name, durability, hooks: { batch: () => void messages++ } });
    await client.ready;
  },

  async call(argv): Promise<CallResult> {
    try {
      return { ok: await current().call(...argv) };
    } catch (e) {
      return { error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };
    }
  },

  async typed() {
    const c = current();
    const set = await c.set('typed:s', 'hello');
    const get = await c.get('typed:s');
    const incr = await Promise.all([c.incr('typed:n'), c.incr('typed:n'), c.incrby('typed:n', 10)]);
    await c.set('typed:s2', 'x');
    let wrongType = '';
    let isReplyError = false;
    try {
      await c.incr('typed:s2');
    } catch (e) {
      wrongType = (e as Error).message;
      isReplyError = e instanceof ReplyError;
    }
    await c.callBuffer('SET', 'typed:b', new Uint8Array([0, 255, 1]));
    const bytes = Array.from((await c.callBuffer('GET', 'typed:b')) as Uint8Array);
    return { set, get, incr: incr.map(Number), wrongType, isReplyError, bytes };
  },

  async pipeline(key, n): Promise<PipelineResult> {
    const c = current();
    await c.del(key);
    const before = messages;
    const t0 = performance.now();
    const replies: Promise<number>[] = [];
    for (let i = 0; i < n; i++) replies.push(c.incr(key).then(Number));
    const sent = messages - before;
    const order: number[] = [];
    replies.forEach((p, i) => void p.then(() => order.push(i)));
    const values = await Promise.all(replies);
    const ms = performance.now() - t0;
    const inOrder = values.every((v, i) => v === i + 1) && order.every((v, i) => v === i);
    // The batch is sent in a microtask after the loop: count again once settled.
    return { commands: n, messages: Math.max(sent, messages - before), inOrder, ms };
  },

  async latency(n) {
    const c = current();
    await c.set('lat', 'v');
    const samples: number[] = [];
    const start = performance.now();
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      await c.get('lat');
      samples.push(performance.now() - t0);
    }
    const mean = (performance.now() - start) / n;
    samples.sort((a, b) => a - b);
    return { mean, p50: samples[Math.floor(n * 0.5)]!, p99: samples[Math.floor(n * 0.99)]!, samples: n };
  },

  async throughput(perBatch, rounds) {
    const c = current();
    const t0 = performance.now();
    for (let r = 0; r < rounds; r++) {
      const ps: Promise<unknown>[] = [];
      for (let i = 0; i < perBatch; i++) ps.push(c.set(`tp:${i}`, r));
      await Promise.all(ps);
    }
    return (perBatch * rounds) / ((performance.now() - t0) / 1000);
  },

  async pubsub() {
    const c = current();
    const sub = await c.subscribe('news');
    await c.publish('news', 'hello');
    for await (const m of sub) {
      await sub.unsubscribe();
      return { channel: String(m.channel), message: String(m.message) };
    }
    return null;
  },

  async close() {
    await client?.close();
    client = null;
  },
};

(globalThis as unknown as WorkerPageGlobals).lodisWorker = page;
document.title = 'lodis e2e: worker ready';
