// Deno only (needs Deno.openKv): npx deno task test in packages/deno-kv, or npm run test:deno-kv.
import { openStore, type LogBatch } from '@lodis/core';
import { denoKvPersistence, FencedError } from './index.ts';

function assertEquals(actual: unknown, expected: unknown, what = ''): void {
  const [a, e] = [JSON.stringify(actual, bytes), JSON.stringify(expected, bytes)];
  if (a !== e) throw new Error(`${what}: expected ${e}, got ${a}`);
}
function bytes(_: string, v: unknown) {
  return v instanceof Uint8Array ? `bytes:${v.length}:${v.reduce((h, b) => (h * 31 + b) >>> 0, 7)}` : v;
}

async function withTempKv(test: (path: string, keys: (part: string) => Promise<number>) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: 'lodis-kv-' });
  const path = `${dir}/lodis.kv`;
  const keys = async (part: string) => {
    const kv = await Deno.openKv(path);
    let n = 0;
    for await (const _ of kv.list({ prefix: ['lodis', 'app', part] })) n++;
    kv.close();
    return n;
  };
  try {
    await test(path, keys);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const big = (n: number, seed: number) => Uint8Array.from({ length: n }, (_, i) => (i * seed) & 0xff);

Deno.test('round trip: what a store wrote is there after close and reopen, large values included', () =>
  withTempKv(async (path, keys) => {
    let redis = await openStore({ persistence: denoKvPersistence({ name: 'app', path }) });
    await redis.set('greeting', 'héllo');
    await redis.set('session', 'x', { ex: 3600 });
    await redis.rpush('jobs', 'a', 'b', 'c');
    await redis.hset('user:1', { name: 'Ada', visits: 3 });
    await redis.set('300k', big(300_000, 7)); // a batch in 5 parts, one atomic operation
    await redis.set('2m', big(2_000_000, 13)); // a batch over several atomic operations
    await redis.close();
    if ((await keys('log')) < 40) throw new Error('the log should hold the batches and their parts');

    redis = await openStore({ persistence: denoKvPersistence({ name: 'app', path }) });
    assertEquals(await redis.get('greeting'), 'héllo', 'string');
    assertEquals((await redis.ttl('session')) > 3590, true, 'ttl');
    assertEquals(await redis.lrange('jobs', 0, -1), ['a', 'b', 'c'], 'list');
    assertEquals(await redis.hgetall('user:1'), { name: 'Ada', visits: '3' }, 'hash');
    assertEquals(await redis.callBuffer('GET', '300k'), big(300_000, 7), '300k');
    assertEquals(await redis.callBuffer('GET', '2m'), big(2_000_000, 13), '2m');
    await redis.close();
  }));

Deno.test('a checkpoint (SAVE) trims the log and replaces the snapshot; reopen = snapshot + log after it', () =>
  withTempKv(async (path, keys) => {
    let redis = await openStore({ persistence: denoKvPersistence({ name: 'app', path }) });
    for (let i = 0; i < 50; i++) await redis.zadd('board', { score: i, member: `p${i}` });
    await redis.set('2m', big(2_000_000, 3));
    await redis.call('SAVE');
    assertEquals(await keys('log'), 0, 'log after SAVE');
    const parts = await keys('snap');
    await redis.del('2m');
    await redis.call('SAVE');
    if ((await keys('snap')) >= parts) throw new Error('the old snapshot should be gone');
    await redis.zincrby('board', 100, 'p0');
    await redis.close();
    assertEquals(await keys('log'), 2, 'one batch after the snapshot: its marker and one part');

    redis = await openStore({ persistence: denoKvPersistence({ name: 'app', path }) });
    assertEquals(await redis.zrange('board', 0, 1, { rev: true, withScores: true }), ['p0', 100, 'p49', 49], 'board');
    assertEquals(await redis.exists('2m'), 0, 'deleted before the second SAVE');
    await redis.close();
  }));

Deno.test('automatic compaction: logSize() drives a checkpoint once the log outgrows minLogBytes', () =>
  withTempKv(async (path, keys) => {
    const redis = await openStore({ persistence: denoKvPersistence({ name: 'app', path }), compaction: { minLogBytes: 20_000 } });
    for (let i = 0; i < 60; i++) await redis.set(`k${i % 5}`, 'x'.repeat(1000));
    const info = async () => String(await redis.call('INFO', 'persistence'));
    for (let waited = 0; /aof_rewrites:0\b|aof_rewrite_in_progress:1/.test(await info()); waited += 10) {
      if (waited > 5000) throw new Error(`no compaction: ${await info()}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    if ((await keys('log')) >= 2 * 60) throw new Error('the log should have been trimmed');
    await redis.close();
  }));

Deno.test('fencing: once a second writer loads, the first one can no longer commit', () =>
  withTempKv(async (path) => {
    const batch = (seq: number): LogBatch => ({ firstSeq: seq, lastSeq: seq, bytes: new Uint8Array([1, 2, 3]) });
    const first = denoKvPersistence({ name: 'app', path });
    await first.load();
    await first.append(batch(1));
    const second = denoKvPersistence({ name: 'app', path });
    await second.load();
    assertEquals([first.writerEpoch, second.writerEpoch], [1, 2], 'epochs');
    const refused = await first.append(batch(2)).then(() => null, (e: unknown) => e);
    assertEquals(refused instanceof FencedError, true, 'append by the fenced writer');
    const checkpoint = first.checkpoint(5, (async function* () { yield new Uint8Array(8); })());
    assertEquals((await checkpoint.then(() => null, (e: unknown) => e)) instanceof FencedError, true, 'checkpoint');
    await second.append(batch(2));
    await Promise.all([first.close(), second.close()]);

    // The same through two stores: the older one's writes fail (MISCONF), the newer one never sees them.
    const a = await openStore({ persistence: denoKvPersistence({ name: 'app2', path }) });
    await a.set('k', 'from a');
    const b = await openStore({ persistence: denoKvPersistence({ name: 'app2', path }) });
    const error = await a.set('k', 'from a, fenced').then(() => null, (e: Error) => e.message);
    if (!error?.startsWith('MISCONF')) throw new Error(`expected MISCONF, got ${error}`);
    assertEquals(await b.get('k'), 'from a', 'b');
    await b.set('k', 'from b');
    await Promise.all([a.close().catch(() => {}), b.close()]);
    const c = await openStore({ persistence: denoKvPersistence({ name: 'app2', path }) });
    assertEquals(await c.get('k'), 'from b', 'after both');
    await c.close();
  }));

Deno.test('a batch whose marker never committed (a crash mid-write) is not loaded', () =>
  withTempKv(async (path) => {
    let redis = await openStore({ persistence: denoKvPersistence({ name: 'app', path }) });
    await redis.set('a', '1');
    await redis.close();
    const kv = await Deno.openKv(path);
    await kv.set(['lodis', 'app', 'log', 99, 0], new Uint8Array([1, 2, 3])); // parts without a marker
    kv.close();
    redis = await openStore({ persistence: denoKvPersistence({ name: 'app', path }) });
    assertEquals([await redis.get('a'), await redis.dbsize()], ['1', 1], 'after');
    await redis.close();
  }));
