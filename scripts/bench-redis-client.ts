/**
 * @lodis/redis-client against ioredis, both talking to the same redis-server in the same run
 * (issue 11, "Typed API over a real Redis"): printed, never asserted.
 *
 *   - pipelined throughput: SET then GET, issued `--batch` at a time in one tick (one socket write
 *     for the Lodis client; for ioredis, with and without its enableAutoPipelining), each batch
 *     awaited before the next — the median of `--repeat` runs;
 *   - the latency of one awaited GET (sequential), mean and p50/p99 over batches of 100, the
 *     contenders taking turns (`--rounds`) so that neither gets the colder or the busier moments.
 *
 *   npx tsx scripts/bench-redis-client.ts [--ops=200000] [--batch=1000] [--gets=20000] [--repeat=3] [--rounds=4]
 *
 * Starts its own redis-server on a free port ($REDIS_SERVER for another binary).
 */
import { Redis as IORedis } from 'ioredis';
import { createClient } from '../packages/redis-client/src/index.js';
import { startRedisServer } from '../packages/redis-client/src/test/redis-server.js';

const argv = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const a = argv.find((x) => x.startsWith(`--${name}=`));
  return a ? Number(a.slice(name.length + 3)) : fallback;
};
const OPS = option('ops', 200_000);
const BATCH = option('batch', 1000);
const GETS = option('gets', 20_000);
const REPEAT = option('repeat', 3);
const ROUNDS = option('rounds', 4); // latency: the contenders take turns

interface Contender {
  name: string;
  set(k: string, v: string): Promise<unknown>;
  get(k: string): Promise<unknown>;
  close(): Promise<unknown>;
}

const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function throughput(c: Contender): Promise<number> {
  const runs: number[] = [];
  for (let r = 0; r < REPEAT; r++) {
    const t0 = performance.now();
    for (let done = 0; done < OPS; done += 2 * BATCH) {
      const ps: Promise<unknown>[] = [];
      for (let i = 0; i < BATCH; i++) ps.push(c.set(`key:${i}`, 'value'));
      for (let i = 0; i < BATCH; i++) ps.push(c.get(`key:${i}`));
      await Promise.all(ps);
    }
    runs.push(OPS / ((performance.now() - t0) / 1000));
  }
  return median(runs);
}

/** Sequential awaited GETs, in batches of 100 (one sample each): the contenders take turns, ROUNDS times. */
async function latencies(cs: Contender[]): Promise<{ mean: number; p50: number; p99: number }[]> {
  const samples: number[][] = cs.map(() => []);
  for (const c of cs) await c.set('lat', 'v');
  for (let round = 0; round < ROUNDS; round++) {
    for (let k = 0; k < cs.length; k++) {
      for (let i = 0; i < GETS / ROUNDS; i += 100) {
        const s = performance.now();
        for (let j = 0; j < 100; j++) await cs[k]!.get('lat');
        samples[k]!.push(((performance.now() - s) / 100) * 1000);
      }
    }
  }
  return samples.map((xs) => {
    const sorted = xs.slice().sort((a, b) => a - b);
    return { mean: xs.reduce((a, b) => a + b, 0) / xs.length, p50: sorted[Math.floor(xs.length / 2)]!, p99: sorted[Math.floor(xs.length * 0.99)]! };
  });
}

const server = await startRedisServer();
try {
  const lodis = createClient({ port: server.port });
  const io = new IORedis({ port: server.port, host: '127.0.0.1', lazyConnect: false });
  const ioAuto = new IORedis({ port: server.port, host: '127.0.0.1', enableAutoPipelining: true });
  const contenders: Contender[] = [
    { name: '@lodis/redis-client', set: (k, v) => lodis.set(k, v), get: (k) => lodis.get(k), close: () => lodis.quit() },
    { name: 'ioredis 5.11.1', set: (k, v) => io.set(k, v), get: (k) => io.get(k), close: () => io.quit() },
    { name: 'ioredis (enableAutoPipelining)', set: (k, v) => ioAuto.set(k, v), get: (k) => ioAuto.get(k), close: () => ioAuto.quit() },
  ];
  for (const c of contenders) await c.get('warm'); // connected
  // Warm-up of the JIT for every contender, then the figures.
  for (const c of contenders) for (let i = 0; i < 20; i++) await Promise.all([c.set('w', '1'), c.get('w')]);

  console.log(`\nredis-server 7 on 127.0.0.1:${server.port}, node ${process.version}`);
  console.log(`pipelined SET+GET: ${OPS} ops in batches of ${BATCH} SETs + ${BATCH} GETs (median of ${REPEAT}); one awaited GET: ${GETS} in a row each, taking turns ${ROUNDS} times\n`);
  console.log('| client | pipelined ops/s | awaited GET mean µs | p50 µs | p99 µs |');
  console.log('|---|---:|---:|---:|---:|');
  const ops: number[] = [];
  for (const c of contenders) ops.push(await throughput(c));
  const lats = await latencies(contenders);
  const rows = contenders.map((c, i) => [c.name, ops[i]!, lats[i]!] as const);
  const base = rows[1]![1];
  for (const [name, ops, lat] of rows) {
    console.log(`| ${name} | ${Math.round(ops).toLocaleString('en')} (${(ops / base).toFixed(2)}× ioredis) | ${lat.mean.toFixed(1)} | ${lat.p50.toFixed(1)} | ${lat.p99.toFixed(1)} |`);
  }
  for (const c of contenders) await c.close();
} finally {
  await server.stop();
}
