/**
 * node-redis 6's own API against lodis-server, next to redis-server (the shared scenarios, through
 * `sendCommand`, are in clients.test.ts), in RESP3 (its default: `HELLO 3` at connect) and RESP2:
 * pub/sub (RESP3 pushes on a connection that keeps running commands; RESP2 subscribed mode),
 * multi()/WATCH, execAsPipeline, the RESP3 types as node-redis decodes them (maps, sets, doubles,
 * `DEBUG PROTOCOL`'s every type), scanIterator, and AUTH through its `password` option.
 */
import { createClient, RESP_TYPES, type RedisClientOptions } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { plain } from './clients.js';
import { bothServers, until, type RunningServer } from './servers.js';

type Client = ReturnType<typeof createClient>;
type Open = (options?: Partial<RedisClientOptions>) => Promise<Client>;

async function record(port: number, resp: 2 | 3, scenario: (open: Open) => Promise<unknown>): Promise<unknown> {
  const conns: Client[] = [];
  const open: Open = async (options = {}) => {
    const c = createClient({
      RESP: resp,
      maintNotifications: 'disabled',
      ...options,
      socket: { host: '127.0.0.1', port, reconnectStrategy: false },
    }) as unknown as Client;
    c.on('error', () => {});
    conns.push(c);
    await c.connect();
    return c;
  };
  const admin = await open();
  await admin.flushAll();
  try {
    return plain(await scenario(open));
  } finally {
    for (const c of conns) if (c.isOpen) c.destroy();
  }
}

let redis: RunningServer;
let lodis: RunningServer;
bothServers((r, l) => ([redis, lodis] = [r, l]));

/** A flat [name, value, …] array (RESP2) as sorted pairs; a map (RESP3) with its names sorted. */
function sortedPairs(x: unknown): unknown {
  if (Array.isArray(x)) return Array.from({ length: x.length / 2 }, (_, i) => [x[2 * i], x[2 * i + 1]]).sort((a, b) => String(a[0]).localeCompare(String(b[0])));
  if (x !== null && typeof x === 'object') return Object.fromEntries(Object.entries(x).sort(([a], [b]) => a.localeCompare(b)));
  return x;
}

function same(name: string, resp: 2 | 3, scenario: (open: Open) => Promise<unknown>) {
  it(name, async () => {
    const want = await record(redis.port, resp, scenario);
    const got = await record(lodis.port, resp, scenario);
    expect(got).toEqual(want);
  }, 60_000);
}

/** Wait for `n` entries in `log` (what the publishers were told were delivered), then a moment for extras. */
async function delivered(log: unknown[], n: number): Promise<unknown[]> {
  await until(() => log.length >= n, 3000);
  await new Promise((r) => setTimeout(r, 30));
  return log.splice(0);
}

for (const resp of [3, 2] as const) {
  describe(`node-redis RESP${resp}`, () => {
    same('pub/sub: subscribe, pSubscribe, buffers, unsubscribe', resp, async (open) => {
      const [pub, sub] = [await open(), await open()];
      const log: unknown[] = [];
      const out: Record<string, unknown> = {};
      await sub.subscribe(['ch1', 'ch2'], (msg, ch) => log.push(['message', ch, msg]));
      await sub.pSubscribe('news.*', (msg, ch) => log.push(['pmessage', ch, msg]));
      await sub.subscribe('bin', (msg, ch) => log.push(['buffer', ch, msg]), true);
      out.numsub = await pub.pubSubNumSub(['ch1', 'bin', 'nosuch']);
      out.numpat = await pub.pubSubNumPat();
      out.channels = (await pub.pubSubChannels()).sort();
      const counts = [
        await pub.publish('ch1', 'hello'),
        await pub.publish('news.tech', 'pattern'),
        await pub.publish('bin', Buffer.from([0, 0xff, 0x0d, 0x0a])),
        await pub.publish('ch2', 'ü'.repeat(10_000)),
        await pub.publish('nosuch', 'x'),
      ];
      out.counts = counts;
      out.log = await delivered(log, counts.reduce((a, b) => a + b, 0));
      if (resp === 3) {
        // RESP3: a subscribed connection still runs commands; messages arrive as pushes among the replies.
        out.commandWhileSubscribed = [await sub.set('k', 'v'), await sub.get('k'), await sub.hGetAll('nosuch')];
        const p = pub.publish('ch1', 'between');
        out.during = [await sub.get('k'), await p];
        out.logDuring = await delivered(log, 1);
      }
      await sub.unsubscribe('ch1');
      out.afterUnsubscribe = await pub.publish('ch1', 'gone');
      await sub.pUnsubscribe();
      await sub.unsubscribe();
      out.numpatAfter = await pub.pubSubNumPat();
      out.logAfter = await delivered(log, 0);
      return out;
    });

    same('multi(): results, errors inside EXEC, a broken WATCH, execAsPipeline', resp, async (open) => {
      const [a, b] = [await open(), await open()];
      const out: Record<string, unknown> = {};
      out.exec = await a.multi().set('t', '1').incr('t').get('t').exec();
      try {
        out.withError = await a.multi().set('t', '1').lPush('t', 'x').incr('t').exec();
      } catch (e) {
        out.withError = { error: (e as Error).message, replies: plain((e as { replies?: unknown }).replies) };
      }
      await a.watch('w');
      await b.set('w', 'other');
      try {
        out.broken = await a.multi().set('w', 'mine').exec();
      } catch (e) {
        out.broken = { error: (e as Error).name };
      }
      out.w = await a.get('w');
      const m = a.multi();
      for (let i = 0; i < 3000; i++) m.incr('n');
      const r = await m.execAsPipeline();
      out.pipeline = [r.length, r.at(-1)];
      out.execAbort = await a.sendCommand(['MULTI']);
      out.queued = await a.sendCommand(['NOSUCHCMD']).catch((e: Error) => ({ error: e.message }));
      out.execAbortReply = await a.sendCommand(['EXEC']).catch((e: Error) => ({ error: e.message }));
      return out;
    });

    same('10,000 commands in one tick (node-redis pipelines them)', resp, async (open) => {
      const c = await open();
      const r = await Promise.all(Array.from({ length: 10_000 }, (_, i) => (i % 2 ? c.incr('n') : c.set(`k${i}`, String(i)))));
      return { r, n: await c.get('n'), dbsize: await c.dbSize() };
    });

    same('typed replies: hashes, sorted sets, streams, sets, HELLO', resp, async (open) => {
      const c = await open({ name: 'typed' });
      await c.hSet('h', { a: '1', b: '2' });
      await c.zAdd('z', [
        { score: 1, value: 'one' },
        { score: 2.5, value: 'two' },
        { score: Infinity, value: 'inf' },
      ]);
      await c.sAdd('s', ['x', 'y']);
      await c.xAdd('st', '1-1', { f: 'v' });
      const hello = (await c.sendCommand(['HELLO', String(resp)])) as unknown;
      const helloPlain = plain(hello) as Record<string, unknown> | unknown[];
      return {
        hGetAll: await c.hGetAll('h'),
        hGetAllMap: await c.withTypeMapping({ [RESP_TYPES.MAP]: Map }).hGetAll('h'),
        zRangeWithScores: await c.zRangeWithScores('z', 0, -1),
        zScore: await c.zScore('z', 'two'),
        zScoreInf: await c.zScore('z', 'inf'),
        zIncrBy: await c.zIncrBy('z', 0.1, 'one'),
        sMembers: (await c.sMembers('s')).sort(),
        sMembersRaw: plain(await c.sendCommand(['SMEMBERS', 'nosuch'])),
        xRange: await c.xRange('st', '-', '+'),
        xRead: await c.xRead({ key: 'st', id: '0' }),
        clientName: await c.clientGetName(),
        configGet: await c.configGet('maxmemory-policy'),
        hello: Array.isArray(helloPlain) ? helloPlain.map((v, i) => (helloPlain[i - 1] === 'id' ? typeof v : v)) : { ...helloPlain, id: typeof helloPlain.id },
        raw: plain(await c.sendCommand(['ZRANGE', 'z', '0', '-1', 'WITHSCORES'])),
        rawHgetall: plain(await c.sendCommand(['HGETALL', 'h'])),
        // In Redis' order of its settings' hash table: sorted.
        rawConfig: sortedPairs(plain(await c.sendCommand(['CONFIG', 'GET', 'maxmemory*']))),
        xinfoGroups: plain(await c.sendCommand(['XINFO', 'GROUPS', 'st'])),
      };
    });

    same('DEBUG PROTOCOL: every reply type, as node-redis decodes it', resp, async (open) => {
      const c = await open();
      const out: Record<string, unknown> = {};
      for (const t of ['string', 'integer', 'double', 'bignum', 'null', 'array', 'set', 'map', 'attrib', 'push', 'verbatim', 'true', 'false']) {
        out[t] = await c.sendCommand(['DEBUG', 'PROTOCOL', t]).catch((e: Error) => ({ error: e.message }));
      }
      return out;
    });

    same('scanIterator, hScanIterator, sScanIterator over 1,000 elements', resp, async (open) => {
      const c = await open();
      await Promise.all(Array.from({ length: 1000 }, (_, i) => c.set(`key:${i}`, String(i))));
      await c.hSet('h', Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`f${i}`, `v${i}`])));
      await c.sAdd('s', Array.from({ length: 1000 }, (_, i) => `m${i}`));
      const keys: string[] = [];
      for await (const batch of c.scanIterator({ MATCH: 'key:*', COUNT: 50 })) keys.push(...batch);
      let fields = 0;
      for await (const batch of c.hScanIterator('h', { COUNT: 50 })) fields += batch.length;
      const members = new Set<string>();
      for await (const batch of c.sScanIterator('s', { COUNT: 50 })) for (const m of batch) members.add(m);
      return { keys: [keys.length, new Set(keys).size], fields, members: members.size };
    });

    same('AUTH through the password option (HELLO … AUTH in RESP3), a wrong one refused', resp, async (open) => {
      const admin = await open();
      const out: Record<string, unknown> = {};
      out.set = await admin.configSet('requirepass', 's3cret');
      try {
        const ok = await open({ password: 's3cret' });
        out.ok = [await ok.ping(), await ok.set('k', 'v'), await ok.get('k')];
        out.wrong = await open({ password: 'nope' }).then(
          () => 'connected',
          (e: Error) => e.message,
        );
        out.userWrong = await open({ username: 'nobody', password: 's3cret' }).then(
          () => 'connected',
          (e: Error) => e.message,
        );
        out.none = await open().then(
          async (c) => c.get('k').catch((e: Error) => e.message),
          (e: Error) => e.message,
        );
      } finally {
        out.unset = await admin.configSet('requirepass', '');
      }
      return out;
    });

    same('QUIT (sendCommand) and close()', resp, async (open) => {
      const [a, b, c] = [await open(), await open(), await open()];
      const out: Record<string, unknown> = {};
      // node-redis reports the server's close as an 'error' ("Socket closed unexpectedly").
      const ended = new Promise<boolean>((r) => a.once('error', () => setImmediate(() => r(!a.isOpen))));
      out.quit = await a.sendCommand(['QUIT']);
      out.ended = await Promise.race([ended, new Promise((r) => setTimeout(() => r(false), 3000))]);
      await b.close();
      out.bOpen = b.isOpen;
      // Left: c and the connection record() opened first.
      out.clients = await until(async () => ((await c.clientList()) as unknown[]).filter((l) => (l as { addr: string }).addr.startsWith('127.0.0.1:')).length === 2, 3000);
      return out;
    });
  });
}
