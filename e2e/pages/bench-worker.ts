/// <reference lib="dom" />
/**
 * The worker benchmark page: @lodis/web-worker's client (leader or follower tab) next to the
 * baseline — an in-process store in a plain worker behind one Comlink call per command
 * (comlink-baseline-worker.ts) — in the same Chromium, driven by scripts/bench-worker.ts
 * (bench-worker-api.ts). Two of these pages in one browser context are two tabs of one origin.
 */
import * as Comlink from 'comlink';
import type { Subscription } from '@lodis/core';
import { createClient, type WorkerClient } from '@lodis/web-worker';
import type {
  BenchWorkerGlobals,
  BenchWorkerPage,
  ClockCheck,
  ComlinkBaselineApi,
  DeliveryResult,
  Front,
  LatencySamples,
  LeadershipInfo,
} from './bench-worker-api.js';

type Argv = (string | number)[];

const clients = new Map<string, WorkerClient>();
let baseline: { worker: Worker; remote: Comlink.Remote<ComlinkBaselineApi> } | null = null;

function client(store: string): WorkerClient {
  const c = clients.get(store);
  if (!c) throw new Error(`store ${store} is not open in this page: benchWorker.open first`);
  return c;
}

/** How a front sends one command. */
function sender(front: Front): (argv: Argv) => Promise<unknown> {
  if (front.kind === 'lodis') {
    const c = client(front.store);
    return (argv) => c.call(...argv);
  }
  if (!baseline) throw new Error('the Comlink baseline is not started: benchWorker.openComlink first');
  const remote = baseline.remote;
  return (argv) => remote.call(...argv);
}

/** Wall-clock time in ms with performance.now()'s resolution, comparable across pages of one machine. */
const clock = () => performance.timeOrigin + performance.now();

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))]!;
const sortNum = (xs: number[]) => xs.slice().sort((a, b) => a - b);

/** A subscription's received latencies, and who waits for more. */
interface Receiving {
  sub: Subscription<string>;
  latencies: number[];
  wake: (() => void) | null;
}
const receiving = new Map<string, Receiving>();

const page: BenchWorkerPage = {
  async open({ name, durability }) {
    if (clients.has(name)) throw new Error(`store ${name} is already open in this page`);
    const c = createClient({ name, durability });
    clients.set(name, c);
    await c.ready;
    return (await c.leadership()) as LeadershipInfo;
  },

  async leadership(store) {
    return (await client(store).leadership()) as LeadershipInfo;
  },

  async openComlink() {
    if (baseline) return;
    const worker = new Worker(new URL('./comlink-baseline-worker.ts', import.meta.url), { type: 'module', name: 'comlink-baseline' });
    const remote = Comlink.wrap<ComlinkBaselineApi>(worker);
    baseline = { worker, remote };
    const pong = await remote.call('PING');
    if (pong !== 'PONG') throw new Error(`Comlink baseline: PING replied ${String(pong)}`);
  },

  async latency({ front, command, batches, batch, warmup }): Promise<LatencySamples> {
    const send = sender(front);
    const keys = Array.from({ length: batch }, (_, i) => `lat:${i}`);
    const argvs: Argv[] = command === 'GET' ? keys.map(() => ['GET', 'lat:0']) : keys.map((k) => ['SET', k, 'value']);
    await send(['SET', 'lat:0', 'value']);
    for (let w = 0; w < warmup; w++) for (let i = 0; i < batch; i++) await send(argvs[i]!);
    const means: number[] = [];
    const singles = new Array<number>(batches * batch);
    let k = 0;
    const start = performance.now();
    for (let b = 0; b < batches; b++) {
      const t0 = performance.now();
      let prev = t0;
      for (let i = 0; i < batch; i++) {
        await send(argvs[i]!);
        const now = performance.now();
        singles[k++] = now - prev;
        prev = now;
      }
      means.push((prev - t0) / batch);
    }
    return { n: batches * batch, ms: performance.now() - start, means, singles };
  },

  async throughput({ front, n, batch }) {
    const send = sender(front);
    const argvs: Argv[] = Array.from({ length: n }, (_, i) => ['SET', `tp:${String(i).padStart(7, '0')}`, `value:${i}`]);
    await send(['FLUSHALL']);
    const replies = new Array<Promise<unknown>>(batch);
    const t0 = performance.now();
    for (let done = 0; done < n; done += batch) {
      const m = Math.min(batch, n - done);
      replies.length = m;
      for (let i = 0; i < m; i++) replies[i] = send(argvs[done + i]!);
      await Promise.all(replies);
    }
    const ms = performance.now() - t0;
    const size = Number(await send(['DBSIZE']));
    if (size !== n) throw new Error(`DBSIZE ${size} after ${n} SETs`);
    return { ms, n };
  },

  async subscribe({ store, channel }) {
    if (receiving.has(channel)) throw new Error(`already subscribed to ${channel} in this page`);
    const sub = await client(store).subscribe(channel);
    const r: Receiving = { sub, latencies: [], wake: null };
    receiving.set(channel, r);
    void (async () => {
      for await (const { message } of sub) {
        r.latencies.push(clock() - Number(message));
        r.wake?.();
      }
    })();
  },

  async publishSeries({ store, channel, n }) {
    const c = client(store);
    const receivers: number[] = [];
    const t0 = performance.now();
    for (let i = 0; i < n; i++) receivers.push(await c.publish(channel, String(clock())));
    return { ms: performance.now() - t0, receivers: [...new Set(receivers)] };
  },

  async deliveries({ channel, n, timeoutMs }): Promise<DeliveryResult> {
    const r = receiving.get(channel);
    if (!r) throw new Error(`not subscribed to ${channel} in this page`);
    const deadline = performance.now() + timeoutMs;
    while (r.latencies.length < n && performance.now() < deadline) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(1, deadline - performance.now()));
        r.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      r.wake = null;
    }
    await r.sub.unsubscribe();
    receiving.delete(channel);
    const s = sortNum(r.latencies);
    return {
      received: s.length,
      p50: s.length ? quantile(s, 0.5) : NaN,
      p99: s.length ? quantile(s, 0.99) : NaN,
      mean: s.length ? s.reduce((a, b) => a + b, 0) / s.length : NaN,
      max: s.length ? s[s.length - 1]! : NaN,
    };
  },

  async clockEcho(channel) {
    const bc = new BroadcastChannel(channel);
    bc.onmessage = (e: MessageEvent<{ probe: number } | { done: true }>) => {
      if ('done' in e.data) bc.close();
      else bc.postMessage({ probe: e.data.probe, at: clock() });
    };
  },

  async clockCheck({ channel, probes }): Promise<ClockCheck> {
    const bc = new BroadcastChannel(channel);
    const rtts: number[] = [];
    let best = { rtt: Infinity, offset: NaN };
    try {
      for (let p = 0; p < probes; p++) {
        const t0 = clock();
        const at = await new Promise<number>((resolve) => {
          bc.onmessage = (e: MessageEvent<{ probe: number; at: number }>) => {
            if (e.data.probe === p) resolve(e.data.at);
          };
          bc.postMessage({ probe: p });
        });
        const t1 = clock();
        rtts.push(t1 - t0);
        if (t1 - t0 < best.rtt) best = { rtt: t1 - t0, offset: at - (t0 + t1) / 2 };
      }
      bc.postMessage({ done: true });
    } finally {
      bc.close();
    }
    return { minRtt: best.rtt, medianRtt: quantile(sortNum(rtts), 0.5), offset: best.offset };
  },

  async visibility() {
    return document.visibilityState;
  },

  async closeAll() {
    for (const r of receiving.values()) await r.sub.unsubscribe();
    receiving.clear();
    for (const c of clients.values()) await c.close();
    clients.clear();
    if (baseline) {
      baseline.remote[Comlink.releaseProxy]();
      baseline.worker.terminate();
      baseline = null;
    }
  },
};

(globalThis as unknown as BenchWorkerGlobals).benchWorker = page;
document.title = 'lodis bench-worker: ready';
