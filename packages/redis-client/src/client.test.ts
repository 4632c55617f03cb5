/**
 * The client against a real redis-server (started here on 6413, this package's port), compared
 * with the in-process store where both can run the same thing: replies, errors, pub/sub
 * confirmations. Then what only a network client has: auto-pipelining, blocking per connection,
 * reconnection (CLIENT KILL, a server restart), session state set up again, key watches over
 * keyspace notifications.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { createStore, ReplyError, type CommandArg, type KeyChange, type Store } from '@lodis/core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConnectionError, createClient, resolveOptions, type RedisClient, type RedisClientOptions } from './index.js';
import { startRedisServer, type TestRedisServer } from './test/redis-server.js';

const PORT = Number(process.env.REDIS_CLIENT_TEST_PORT ?? 6413);
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

let server: TestRedisServer;
let redis: RedisClient;
let local: Store;
const clients: RedisClient[] = [];

function client(options: RedisClientOptions = {}): RedisClient {
  const c = createClient(options.url ? options : { port: server.port, ...options });
  clients.push(c);
  return c;
}

/** Whether `p` settles within `ms`. */
async function settles(p: Promise<unknown>, ms = 50): Promise<boolean> {
  let done = false;
  p.then(
    () => (done = true),
    () => (done = true),
  );
  await sleep(ms);
  return done;
}

/** A reply or the error's text, for comparing two fronts. */
async function outcome(p: Promise<unknown>): Promise<unknown> {
  try {
    return { reply: await p };
  } catch (e) {
    return { error: (e as Error).message, replyError: e instanceof ReplyError };
  }
}

async function until(check: () => Promise<boolean> | boolean, what: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (await check()) return;
    await sleep(10);
  }
  throw new Error(`timed out waiting for ${what}`);
}

beforeAll(async () => {
  server = await startRedisServer(PORT);
});
afterAll(() => server.stop());

beforeEach(async () => {
  redis = client();
  await redis.call('FLUSHALL');
  local = createStore();
});

afterEach(async () => {
  for (const c of clients.splice(0)) await c.close();
  await local.close();
});

describe('replies and errors, as the in-process store gives them', () => {
  // Each step runs on both fronts, in order, from an empty database.
  const script: CommandArg[][] = [
    ['SET', 'k', 'héllo wörld ✓'],
    ['GET', 'k'],
    ['GET', 'missing'],
    ['SET', 'empty', ''],
    ['GET', 'empty'],
    ['STRLEN', 'k'],
    ['SET', 'bin', new Uint8Array([0, 255, 13, 10, 0xc3, 0x28, 0xe2, 0x82])], // CRLF and invalid UTF-8 inside
    ['GET', 'bin'],
    ['INCRBY', 'n', 9007199254740991],
    ['INCR', 'n'],
    ['INCRBY', 'big', '9223372036854775807'],
    ['INCR', 'big'],
    ['DECRBY', 'neg', '9223372036854775807'],
    ['INCRBYFLOAT', 'f', 1.5],
    ['INCRBYFLOAT', 'f', 'nan'],
    ['SET', 'num', 1e21],
    ['GET', 'num'],
    ['RPUSH', 'l', 'a', '', 'c'],
    ['LRANGE', 'l', 0, -1],
    ['LRANGE', 'nolist', 0, -1],
    ['LPOP', 'k'],
    ['HSET', 'h', 'f1', 'v1', 'f2', 'v2'],
    ['HGETALL', 'h'],
    ['ZADD', 'z', 1.5, 'a', 2, 'b', '-inf', 'c'],
    ['ZRANGE', 'z', 0, -1, 'WITHSCORES'],
    ['ZSCORE', 'z', 'a'],
    ['XADD', 's', '1-1', 'f', 'v', 'g', 'w'],
    ['XADD', 's', '2-1', 'f', 'v2'],
    ['XRANGE', 's', '-', '+'],
    ['XREAD', 'STREAMS', 's', '0'],
    ['BLPOP', 'nolist', 0.01],
    ['MGET', 'k', 'missing', 'empty'],
    ['EXISTS', 'k', 'missing'],
    ['TYPE', 'h'],
    ['PING'],
    ['PING', 'hi'],
    ['ECHO', ''],
    ['NOSUCHCOMMAND', 'a'],
    ['GET'],
    ['SET', 'k', 'v', 'EX', -1],
    ['ZADD', 'z', 'x', 'a'],
    ['HSET', 'h', 'f'],
    ['SELECT', 99],
    ['SORT', 'l', 'ALPHA'],
    ['SINTERCARD', 0, 'a'],
  ];

  it('call gives the same values and error texts (status as text, nil as null, integers past 2^53 as bigint)', async () => {
    for (const argv of script) {
      expect(await outcome(redis.call(...argv)), argv.map(String).join(' ')).toEqual(await outcome(local.call(...argv)));
    }
  });

  it('callBuffer gives the same bytes', async () => {
    for (const argv of script) {
      expect(await outcome(redis.callBuffer(...argv)), argv.map(String).join(' ')).toEqual(await outcome(local.callBuffer(...argv)));
    }
  });

  it('a transaction: nested replies, errors inside EXEC as values, EXECABORT, a WATCHed key changed', async () => {
    const steps = async (r: RedisClient | Store) => {
      const other = r.connect();
      const out = [
        await outcome(r.multi().set('a', 1).incr('a').lpush('a', 'x').xadd('s', '*', { f: 'v' }).exec({ keepErrors: true }).then((x) => x!.map((e, i) => (i === 3 ? 'id' : e)))),
        await outcome(Promise.all([r.call('MULTI'), r.call('SET', 'b', 1), r.call('INCR'), r.call('EXEC')].map(outcome))),
        await outcome(r.call('WATCH', 'a')),
        await outcome(other.call('SET', 'a', 5)),
        await outcome(Promise.all([r.call('MULTI'), r.call('GET', 'a'), r.call('EXEC')].map(outcome))),
        await outcome(r.call('EXEC')),
        await outcome(r.call('DISCARD')),
      ];
      await other.close();
      return out;
    };
    expect(await steps(redis)).toEqual(await steps(local));
  });

  it('a huge bulk string (8 MiB) and a large array come back whole', async () => {
    const big = new Uint8Array(8 << 20);
    for (let i = 0; i < big.length; i++) big[i] = (i * 7919) & 255;
    await redis.set('big', big);
    const got = (await redis.callBuffer('GET', 'big')) as Uint8Array;
    expect(got).toBeInstanceOf(Uint8Array);
    expect(Buffer.compare(got, big)).toBe(0); // (toEqual compares 8 Mi elements one by one: minutes)
    const text = 'ü'.repeat(3 << 20);
    await redis.set('bigtext', text);
    expect(await redis.get('bigtext')).toBe(text);
    const members = Array.from({ length: 50_000 }, (_, i) => `member:${i}`);
    await redis.call('RPUSH', 'list', ...members);
    expect(await redis.lrange('list', 0, -1)).toEqual(members);
  });

  it('every byte value survives the round trip, and non-UTF-8 bytes decode as the store decodes them', async () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    await redis.set('all', all);
    await local.set('all', all);
    expect(await redis.callBuffer('GET', 'all')).toEqual(all);
    expect(await redis.get('all')).toBe(await local.get('all'));
    const key = new Uint8Array([0xff, 0, 0x0d, 0x0a]);
    await redis.set(key, 'v');
    expect(await redis.get(key)).toBe('v');
  });

  it('a bad argument throws a TypeError as the store does, and sends nothing', async () => {
    expect(() => redis.call('SET', 'k', {} as unknown as string)).toThrow(TypeError);
    expect(() => local.call('SET', 'k', {} as unknown as string)).toThrow(TypeError);
    expect(() => redis.call()).toThrow(TypeError); // Redis would skip `*0` without a reply
    expect(await redis.call('EXISTS', 'k')).toBe(0);
  });
});

describe('auto-pipelining', () => {
  it('10 000 commands issued in one tick leave in one socket write, replies in order', async () => {
    const writes: number[] = [];
    const r = client({ hooks: { write: (_bytes, commands) => writes.push(commands) } });
    await r.ping();
    writes.length = 0;
    const sets = Array.from({ length: 10_000 }, (_, i) => r.set(`k${i}`, i));
    const gets = Array.from({ length: 10_000 }, (_, i) => r.get(`k${i}`));
    await Promise.all(sets);
    expect(await Promise.all(gets)).toEqual(Array.from({ length: 10_000 }, (_, i) => String(i)));
    expect(writes).toEqual([20_000]);
  });

  it('commands issued before the connection is up wait, and go out in order', async () => {
    const r = client();
    const replies = await Promise.all([r.set('a', 1), r.incr('a'), r.get('a')]);
    expect(replies).toEqual(['OK', 2, '2']);
  });

  it('pipeline() and multi() go through the connection', async () => {
    const writes: number[] = [];
    const r = client({ hooks: { write: (_b, commands) => writes.push(commands) } });
    await r.ping();
    writes.length = 0;
    expect(await r.pipeline().set('p', 1).incr('p').get('p').exec()).toEqual(['OK', 2, '2']);
    expect(await r.multi().incr('p').incr('p').exec()).toEqual([3, 4]);
    expect(writes).toEqual([3, 4]);
  });
});

describe('pub/sub', () => {
  it('SUBSCRIBE a b answers one confirmation per channel, as the store does', async () => {
    const a = redis.connect();
    const b = local.connect();
    expect(await a.call('SUBSCRIBE', 'x', 'y', 'x')).toEqual(await b.call('SUBSCRIBE', 'x', 'y', 'x'));
    expect(await a.call('PSUBSCRIBE', 'p*')).toEqual(await b.call('PSUBSCRIBE', 'p*'));
    expect(await outcome(a.call('GET', 'k'))).toEqual(await outcome(b.call('GET', 'k')));
    expect(await a.call('PING')).toEqual(await b.call('PING'));
    // Without arguments: one per channel held, in the server's own order (Redis: its dict's).
    const byChannel = (r: unknown) => (r as string[][]).slice().sort((x, y) => x[1]!.localeCompare(y[1]!)).map((x) => x.slice(0, 2));
    expect(byChannel(await a.call('UNSUBSCRIBE'))).toEqual(byChannel(await b.call('UNSUBSCRIBE')));
    expect(await a.call('PUNSUBSCRIBE')).toEqual(await b.call('PUNSUBSCRIBE'));
    expect(await a.call('UNSUBSCRIBE')).toEqual(await b.call('UNSUBSCRIBE'));
    expect(await a.call('SSUBSCRIBE', 's1')).toEqual(await b.call('SSUBSCRIBE', 's1'));
    expect(await a.call('SUNSUBSCRIBE', 's1', 's2')).toEqual(await b.call('SUNSUBSCRIBE', 's1', 's2'));
    // Out of subscribed mode, an array that looks like a message is a reply.
    await a.call('RPUSH', 'msg', 'message', 'x', 'y');
    expect(await a.call('LRANGE', 'msg', 0, -1)).toEqual(['message', 'x', 'y']);
  });

  it('subscribe, psubscribe, ssubscribe: messages in order, bytes with buffers, unsubscribe', async () => {
    const sub = await redis.subscribe(['news', 'alerts']);
    const psub = await redis.psubscribe('n*');
    const ssub = await redis.ssubscribe('shard');
    const bsub = await redis.subscribe('bin', { buffers: true });
    expect(await redis.publish('news', 'one')).toBe(2);
    expect(await redis.publish('alerts', 'two')).toBe(1);
    expect(await redis.spublish('shard', 'three')).toBe(1);
    expect(await redis.publish('bin', new Uint8Array([0, 255]))).toBe(1);
    expect((await sub.next()).value).toEqual({ channel: 'news', message: 'one' });
    expect((await sub.next()).value).toEqual({ channel: 'alerts', message: 'two' });
    expect((await psub.next()).value).toEqual({ channel: 'news', message: 'one', pattern: 'n*' });
    expect((await ssub.next()).value).toEqual({ channel: 'shard', message: 'three' });
    expect((await bsub.next()).value).toEqual({ channel: 'bin', message: new Uint8Array([0, 255]) });
    await sub.unsubscribe();
    await until(async () => (await redis.pubsubNumsub('news')).news === 0, 'the unsubscribe');
    expect(await redis.publish('news', 'x')).toBe(1);
    for (const s of [psub, ssub, bsub]) await s.unsubscribe();
  });

  it('onMessage callback; many messages keep their order', async () => {
    const got: string[] = [];
    const sub = await redis.subscribe('c', { onMessage: (m) => got.push(m.message) });
    const sent = Array.from({ length: 2000 }, (_, i) => `m${i}`);
    await Promise.all(sent.map((m) => redis.publish('c', m)));
    await until(() => got.length === sent.length, 'the messages');
    expect(got).toEqual(sent);
    await sub.unsubscribe();
  });
});

describe('blocking commands', () => {
  it('a blocked command holds up the later commands of its connection only', async () => {
    const worker = redis.connect();
    const popped = worker.blpop('jobs', 0);
    const after = worker.get('x');
    expect(await settles(popped)).toBe(false);
    expect(await settles(after)).toBe(false);
    expect(await redis.set('x', '1')).toBe('OK'); // another connection is not held up
    expect(await redis.lpush('jobs', 'j1')).toBe(1);
    expect(await popped).toEqual(['jobs', 'j1']);
    expect(await after).toBe('1');
  });

  it('a blocking pop times out with null, as in the store', async () => {
    expect(await redis.blpop('none', 0.05)).toBe(await local.blpop('none', 0.05));
  });
});

describe('reconnection', () => {
  async function clientId(r: RedisClient): Promise<number> {
    return (await r.call('CLIENT', 'ID')) as number;
  }

  it('CLIENT KILL: a written command fails with a ConnectionError; the next ones run on a new connection, session set up again', async () => {
    const errors: Error[] = [];
    const r = client({ db: 2, name: 'app', onError: (e) => errors.push(e) });
    await r.call('SELECT', 3);
    await r.call('CLIENT', 'SETNAME', 'renamed');
    await r.set('in3', 'yes');
    const id = await clientId(r);
    const blocked = r.blpop('never', 0);
    await until(async () => Number(/blocked_clients:(\d+)/.exec(String(await redis.call('INFO', 'clients')))![1]) === 1, 'the BLPOP');
    expect(await redis.call('CLIENT', 'KILL', 'ID', id)).toBe(1);
    const e = await blocked.catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ConnectionError);
    expect((e as Error).message).toMatch(/connection to 127\.0\.0\.1:\d+ was lost before the reply came.*may have run, it was not sent again/);
    expect(await r.get('in3')).toBe('yes');
    expect(await r.call('CLIENT', 'GETNAME')).toBe('renamed');
    expect(await clientId(r)).not.toBe(id);
    expect(errors.some((x) => x instanceof ConnectionError)).toBe(true);
  });

  it('a subscription is subscribed again after its connection is killed', async () => {
    const sub = await redis.subscribe(['a', 'b']);
    const psub = await redis.psubscribe('p:*');
    const ids = String(await redis.call('CLIENT', 'LIST', 'TYPE', 'pubsub'))
      .trim()
      .split('\n')
      .map((l) => /id=(\d+)/.exec(l)![1]!);
    for (const id of ids) await redis.call('CLIENT', 'KILL', 'ID', id);
    await until(async () => (await redis.pubsubNumsub('a', 'b')).b === 1 && (await redis.pubsubNumpat()) === 1, 'the resubscription');
    await redis.publish('b', 'after');
    await redis.publish('p:1', 'pat');
    expect((await sub.next()).value).toEqual({ channel: 'b', message: 'after' });
    expect((await psub.next()).value).toEqual({ channel: 'p:1', message: 'pat', pattern: 'p:*' });
    await sub.unsubscribe();
    await psub.unsubscribe();
  });

  it('MULTI lost with the connection: the EXEC that follows fails with EXECABORT; a lost WATCH makes EXEC answer null', async () => {
    let drops = 0;
    const r = client({ onError: () => drops++ });
    const id0 = await clientId(r);
    await r.call('MULTI');
    await r.call('SET', 'm', 1);
    await redis.call('CLIENT', 'KILL', 'ID', id0);
    await until(() => drops === 1, 'the connection loss'); // an EXEC written before would be lost with it
    await expect(r.call('EXEC')).rejects.toThrow('EXECABORT Transaction discarded because of previous errors.');
    expect(await redis.exists('m')).toBe(0);

    await r.call('WATCH', 'w');
    const id = await clientId(r);
    await redis.call('CLIENT', 'KILL', 'ID', id);
    await until(() => drops === 2, 'the connection loss');
    expect(await r.call('MULTI')).toBe('OK');
    expect(await r.call('SET', 'w', 1)).toBe('QUEUED');
    expect(await r.call('EXEC')).toBeNull();
    expect(await redis.exists('w')).toBe(0);
    // The next transaction is a fresh one.
    expect(await r.multi().set('w', 2).exec()).toEqual(['OK']);
  });

  it('a server restart: commands sent meanwhile wait and run once it is back', async () => {
    const errors: Error[] = [];
    const r = client({ onError: (e) => errors.push(e) });
    await r.set('before', 1);
    await server.stop();
    await until(() => errors.length === 1, 'the connection loss'); // a command written before is lost with it
    const waiting = [r.set('during', 1), r.incr('during'), r.get('during')];
    await sleep(100); // reconnection attempts fail meanwhile
    await server.start();
    expect(await Promise.all(waiting)).toEqual(['OK', 2, '2']);
    expect(await r.exists('before')).toBe(0); // a server without persistence starts empty
    redis = client();
  });

  it('no server: after maxRetries attempts the waiting commands fail with a ConnectionError', async () => {
    const r = createClient({ port: 1, maxRetries: 2, retryDelay: () => 5 });
    const e = await r.get('k').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ConnectionError);
    expect((e as Error).message).toMatch(/^Lodis: could not connect to 127\.0\.0\.1:1 \(3 attempts\)/);
    await r.close();
  });
});

describe('connection options', () => {
  it('redis:// URLs', () => {
    expect(resolveOptions({ url: 'redis://u%40x:p%3Aw@example.com:6380/4' })).toMatchObject({
      host: 'example.com',
      port: 6380,
      username: 'u@x',
      password: 'p:w',
      db: 4,
      tls: false,
    });
    expect(resolveOptions({ url: 'redis://:secret@[::1]' })).toMatchObject({ host: '::1', port: 6379, username: null, password: 'secret', db: 0 });
    expect(resolveOptions({ url: 'rediss://h', db: 2, port: 7000 })).toMatchObject({ host: 'h', port: 7000, tls: true, db: 2 });
    expect(resolveOptions()).toMatchObject({ host: '127.0.0.1', port: 6379 });
    expect(() => resolveOptions({ url: 'http://h' })).toThrow(TypeError);
    expect(() => resolveOptions({ url: 'redis://h/x' })).toThrow(TypeError);
  });

  it('password and db from the URL; a wrong password fails with the server text', async () => {
    await redis.call('CONFIG', 'SET', 'requirepass', 'pw');
    try {
      const ok = client({ url: `redis://:pw@127.0.0.1:${server.port}/5` });
      await ok.set('k', 'in5');
      expect(await ok.call('CLIENT', 'INFO')).toMatch(/ db=5 /);
      const bad = client({ url: `redis://default:nope@127.0.0.1:${server.port}` });
      await expect(bad.get('k')).rejects.toThrow('WRONGPASS invalid username-password pair or user is disabled.');
      const none = client();
      await expect(none.get('k')).rejects.toThrow('NOAUTH Authentication required.');
    } finally {
      const admin = client({ password: 'pw' });
      await admin.call('CONFIG', 'SET', 'requirepass', '');
    }
  });

  it('rediss://: TLS (here a TLS proxy in front of redis-server, with a self-signed certificate)', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'lodis-tls-'));
    try {
      execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost',
        '-addext', 'subjectAltName=DNS:localhost', '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem')], { stdio: 'ignore' });
      const cert = readFileSync(path.join(dir, 'cert.pem'));
      const proxy = tls.createServer({ key: readFileSync(path.join(dir, 'key.pem')), cert }, (s) => {
        const upstream = net.connect(server.port, '127.0.0.1');
        s.pipe(upstream).pipe(s);
        s.on('error', () => upstream.destroy());
        upstream.on('error', () => s.destroy());
      });
      await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
      const port = (proxy.address() as net.AddressInfo).port;
      const r = client({ url: `rediss://localhost:${port}/2`, tls: { ca: cert } });
      expect(await r.set('tls', 'yes')).toBe('OK');
      expect(await r.call('CLIENT', 'INFO')).toMatch(/ db=2 /);
      const untrusted = client({ url: `rediss://localhost:${port}`, maxRetries: 0 });
      await expect(untrusted.get('tls')).rejects.toThrow(/could not connect .*self-signed certificate/);
      await r.quit();
      await new Promise((res) => proxy.close(res));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('connectTimeout: a server that never completes the (TLS) handshake', async () => {
    const silent = net.createServer(() => {});
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as net.AddressInfo).port;
    const r = createClient({ port, tls: true, connectTimeout: 100, maxRetries: 0 });
    await expect(r.get('k')).rejects.toThrow(`Lodis: could not connect to 127.0.0.1:${port} (1 attempts): Lodis: connecting to 127.0.0.1:${port} timed out after 100 ms`);
    await r.close();
    silent.close();
  });

  it('quit() waits for the replies; close() rejects what is not answered; a closed client says so', async () => {
    const r = client();
    const p = r.set('q', 1);
    await r.quit();
    expect(await p).toBe('OK');
    await expect(r.get('q')).rejects.toThrow('ERR Connection is closed');
    const c = client();
    await c.ping();
    const blocked = c.blpop('nothing', 0);
    await c.close();
    await expect(blocked).rejects.toThrow('ERR Connection is closed');
  });
});

describe('watchKeys over keyspace notifications', () => {
  it('without notify-keyspace-events, the watch reports that it cannot run', async () => {
    await redis.call('CONFIG', 'SET', 'notify-keyspace-events', '');
    const errors: Error[] = [];
    const r = client({ onError: (e) => errors.push(e) });
    r.watchKeys('*', () => {});
    await until(() => errors.length === 1, 'the error');
    expect(errors[0]!.message).toMatch(/notify-keyspace-events is "".*CONFIG SET notify-keyspace-events KA/);
  });

  it('with KA: key, event and db of every change, in order, from any connection', async () => {
    await redis.call('CONFIG', 'SET', 'notify-keyspace-events', 'KA');
    try {
      const got: KeyChange[] = [];
      const stop = redis.watchKeys('cart:*', (c) => got.push(c));
      const in3: KeyChange[] = [];
      const stop3 = redis.watchKeys('*', (c) => in3.push(c), { db: 3 });
      await until(async () => Number(await redis.pubsubNumpat()) === 17, 'the watches');
      const other = redis.connect();
      await other.set('cart:1', 'x');
      await other.hset('cart:2', { a: 1 });
      await other.set('other', 1);
      await other.expire('cart:1', 100);
      await other.del('cart:1');
      await other.call('SELECT', 3);
      await other.lpush('cart:9', 'i');
      await until(() => got.length === 5 && in3.length === 1, 'the changes');
      expect(got).toEqual([
        { key: 'cart:1', event: 'set', db: 0 },
        { key: 'cart:2', event: 'hset', db: 0 },
        { key: 'cart:1', event: 'expire', db: 0 },
        { key: 'cart:1', event: 'del', db: 0 },
        { key: 'cart:9', event: 'lpush', db: 3 },
      ]);
      expect(in3).toEqual([{ key: 'cart:9', event: 'lpush', db: 3 }]);
      stop();
      stop3();
      await until(async () => Number(await redis.pubsubNumpat()) === 0, 'the end of the watches');
    } finally {
      await redis.call('CONFIG', 'SET', 'notify-keyspace-events', '');
    }
  });
});
