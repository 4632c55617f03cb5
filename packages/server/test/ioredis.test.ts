/**
 * ioredis 5's own API against lodis-server, next to redis-server (the shared scenarios, through
 * `call`, are in clients.test.ts): pub/sub (subscribe, psubscribe, messages across connections,
 * keyspace notifications, unsubscribe), pipeline() and multi() of thousands of commands,
 * auto-pipelining, WATCH, scanStream, and its typed replies (hgetall as an object …).
 */
import { Redis, type RedisOptions } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { plain } from './clients.js';
import { bothServers, until, type RunningServer } from './servers.js';

type Open = (options?: RedisOptions) => Promise<Redis>;

/** Run `scenario` on the server at `port` with fresh ioredis connections, from an empty keyspace. */
async function record(port: number, scenario: (open: Open) => Promise<unknown>): Promise<unknown> {
  const conns: Redis[] = [];
  const open: Open = async (options = {}) => {
    const r = new Redis({ port, host: '127.0.0.1', lazyConnect: true, retryStrategy: () => null, ...options });
    r.on('error', () => {});
    conns.push(r);
    await r.connect();
    return r;
  };
  const admin = await open();
  await admin.flushall();
  await admin.config('SET', 'notify-keyspace-events', '');
  try {
    return plain(await scenario(open));
  } finally {
    for (const c of conns) c.disconnect();
  }
}

let redis: RunningServer;
let lodis: RunningServer;
bothServers((r, l) => ([redis, lodis] = [r, l]));

/** The scenario on redis-server, then on lodis-server: the same result. */
function same(name: string, scenario: (open: Open) => Promise<unknown>, timeout = 60_000) {
  it(name, async () => {
    const want = await record(redis.port, scenario);
    const got = await record(lodis.port, scenario);
    expect(got).toEqual(want);
  }, timeout);
}

const sortedStrings = (x: unknown) => (Array.isArray(x) ? [...x].map(String).sort() : x);

describe('ioredis', () => {
  same('pub/sub: subscribe, psubscribe, messages across connections, unsubscribe', async (open) => {
    const [sub, sub2, pub] = [await open(), await open(), await open()];
    const log: unknown[] = [];
    sub.on('message', (ch: string, msg: string) => log.push(['message', ch, msg]));
    sub.on('pmessage', (pat: string, ch: string, msg: string) => log.push(['pmessage', pat, ch, msg]));
    sub.on('messageBuffer', (ch: Buffer, msg: Buffer) => log.push(['messageBuffer', ch, msg]));
    const log2: unknown[] = [];
    sub2.on('message', (ch: string, msg: string) => log2.push([ch, msg]));
    const out: Record<string, unknown> = {};
    out.subscribe = await sub.subscribe('ch1', 'ch2');
    out.psubscribe = await sub.psubscribe('news.*', 'n?ws.x');
    out.subscribe2 = await sub2.subscribe('ch1');
    out.channels = sortedStrings(await pub.pubsub('CHANNELS'));
    out.channelsPattern = sortedStrings(await pub.pubsub('CHANNELS', 'ch*'));
    out.numsub = await pub.pubsub('NUMSUB', 'ch1', 'ch2', 'nosuch');
    out.numpat = await pub.pubsub('NUMPAT');
    out.published = [
      await pub.publish('ch1', 'hello'),
      await pub.publish('news.tech', 'pattern'),
      await pub.publish('news.x', 'two patterns'),
      await pub.publish('nosuch', 'x'),
      await pub.publish('ch2', Buffer.from([0, 0xff, 0x0d, 0x0a])),
      await pub.publish('ch2', 'ü'.repeat(10_000)),
    ];
    // A PING's reply comes after every message published before it.
    out.ping = await sub.ping();
    out.ping2 = await sub2.ping('hi');
    // Sorted: a message that matches two patterns comes once per pattern, in the order of Redis'
    // hash table of patterns (seeded per process). Order across messages: the next test.
    out.log = log.splice(0).map((e) => JSON.stringify(e)).sort();
    out.log2 = log2.splice(0);
    out.unsubscribe = await sub.unsubscribe('ch1');
    out.afterUnsubscribe = await pub.publish('ch1', 'only sub2');
    // (ioredis 5.11's punsubscribe() with no pattern never resolves, on either server.)
    out.punsubscribe = await sub.punsubscribe('news.*', 'n?ws.x');
    out.unsubscribeAll = await sub.unsubscribe();
    out.numpatAfter = await pub.pubsub('NUMPAT');
    out.pingAfter = await sub.ping();
    await sub2.ping();
    out.logAfter = log.splice(0);
    out.log2After = log2.splice(0);
    out.subscribeMode = await sub.get('x');
    return out;
  });

  same('pub/sub: 1,000 messages to 3 subscribers, in order', async (open) => {
    const pub = await open();
    const subs = [await open(), await open(), await open()];
    const logs: string[][] = subs.map(() => []);
    for (const [i, s] of subs.entries()) {
      s.on('message', (_ch: string, m: string) => logs[i]!.push(m));
      await s.subscribe('fan');
    }
    const counts = await Promise.all(Array.from({ length: 1000 }, (_, i) => pub.publish('fan', `m${i}`)));
    await Promise.all(subs.map((s) => s.ping()));
    return { counts: [...new Set(counts)], logs: logs.map((l) => [l.length, l.slice(0, 3), l.at(-1)]), inOrder: logs.every((l) => l.every((m, i) => m === `m${i}`)) };
  });

  same('pub/sub: keyspace notifications', async (open) => {
    const [sub, c] = [await open(), await open()];
    const log: unknown[] = [];
    sub.on('pmessage', (_p: string, ch: string, msg: string) => log.push([ch, msg]));
    const out: Record<string, unknown> = {};
    out.config = await c.config('SET', 'notify-keyspace-events', 'KEA');
    out.psubscribe = await sub.psubscribe('__key*__:*');
    await c.set('k', 'v');
    await c.expire('k', 100);
    await c.lpush('l', 'a', 'b');
    await c.rpop('l');
    await c.del('k', 'l');
    await c.hset('h', 'f', 'v');
    await c.set('px', 'v', 'PX', 1);
    await until(async () => (await c.exists('px')) === 0, 1000);
    await sub.ping();
    out.log = log;
    out.configReset = await c.config('SET', 'notify-keyspace-events', '');
    return out;
  });

  same('pipeline(): 10,000 commands, errors included', async (open) => {
    const c = await open();
    const p = c.pipeline();
    for (let i = 0; i < 2500; i++) {
      p.set(`k${i}`, `v${i}`);
      p.incr('counter');
      p.rpush('list', String(i));
      if (i % 500 === 0) p.lpush(`k${i}`, 'x');
      else p.get(`k${i}`);
    }
    const replies = await p.exec();
    return { n: replies?.length, replies, counter: await c.get('counter'), len: await c.llen('list') };
  });

  same('multi(): results, an error inside EXEC, EXECABORT, a broken WATCH returns null', async (open) => {
    const [a, b] = [await open(), await open()];
    const out: Record<string, unknown> = {};
    out.exec = await a.multi().set('t', '1').incr('t').lpush('t', 'x').get('t').exec();
    try {
      out.execAbort = await a.multi().set('t', '2').call('NOSUCHCMD').incr('t').exec();
    } catch (e) {
      out.execAbort = { error: (e as Error).message, previous: ((e as { previousErrors?: Error[] }).previousErrors ?? []).map((x) => x.message) };
    }
    out.t = await a.get('t');
    out.watch = await a.watch('w');
    await b.set('w', 'other');
    out.broken = await a.multi().set('w', 'mine').exec();
    out.w = await a.get('w');
    await a.watch('w');
    out.kept = await a.multi().set('w', 'mine').exec();
    out.w2 = await a.get('w');
    const m = a.multi();
    for (let i = 0; i < 2000; i++) m.incr('big');
    const big = await m.exec();
    out.big = [big?.length, big?.at(-1)];
    return out;
  });

  same('auto-pipelining: 10,000 commands issued at once', async (open) => {
    const c = await open({ enableAutoPipelining: true });
    const r = await Promise.all(Array.from({ length: 10_000 }, (_, i) => (i % 2 ? c.incr('n') : c.set(`k${i}`, i))));
    return { r, n: await c.get('n'), dbsize: await c.dbsize() };
  });

  same('scanStream, hscanStream, sscanStream, zscanStream over 1,000 elements', async (open) => {
    const c = await open();
    const p = c.pipeline();
    for (let i = 0; i < 1000; i++) p.set(`key:${i}`, i);
    p.hset('h', ...Array.from({ length: 1000 }, (_, i) => [`f${i}`, `v${i}`]).flat());
    p.sadd('s', ...Array.from({ length: 1000 }, (_, i) => `m${i}`));
    p.zadd('z', ...Array.from({ length: 1000 }, (_, i) => [i, `m${i}`]).flat());
    await p.exec();
    const collect = async (stream: NodeJS.ReadableStream) => {
      const all: string[] = [];
      for await (const batch of stream) all.push(...(batch as unknown as string[]));
      return all;
    };
    const keys = await collect(c.scanStream({ match: 'key:*', count: 50 }));
    const fields = await collect(c.hscanStream('h', { count: 50 }));
    const members = await collect(c.sscanStream('s', { count: 50 }));
    const zs = await collect(c.zscanStream('z', { count: 50 }));
    return {
      keys: [keys.length, new Set(keys).size],
      fields: fields.length,
      members: [members.length, new Set(members).size],
      zs: zs.length,
      sortedKeys: [...new Set(keys)].sort().slice(0, 5),
    };
  });

  same('typed replies: hgetall, zrange withscores, xrange, info, time, client list', async (open) => {
    const c = await open({ connectionName: 'typed' });
    await c.hset('h', { a: '1', b: '2' });
    await c.zadd('z', 1, 'one', 2.5, 'two');
    await c.xadd('s', '1-1', 'f', 'v');
    const info = await c.info('server');
    const time = await c.time();
    return {
      hgetall: await c.hgetall('h'),
      hgetallMissing: await c.hgetall('nosuch'),
      zrange: await c.zrange('z', 0, -1, 'WITHSCORES'),
      xrange: await c.xrange('s', '-', '+'),
      name: await c.client('GETNAME'),
      infoHasVersion: /redis_version:7\.0\.15/.test(info),
      time: [time.length, typeof time[0], Number(time[1]) < 1_000_000],
      getBuffer: await c.getBuffer('nosuch'),
      exists: await c.exists('h', 'z', 's', 'nosuch'),
    };
  });
});
