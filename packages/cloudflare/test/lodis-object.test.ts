/**
 * LodisObject in workerd, through its binding (real requests to a real SQLite-backed object):
 * the JSON protocol and Redis' error text, requests serialised as Redis serialises commands
 * (concurrent INCRs, MULTI/EXEC never interleaved, a WATCH broken by another request), active
 * expiry driven by requests, the data surviving a restart of the object, a write that storage
 * refuses never acknowledged, and the typed client.
 */
import { abortAllDurableObjects, env, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { lodisClient, SESSION_HEADER, type LodisStub } from '../src/index.js';

interface Namespace {
  idFromName(name: string): unknown;
  get(id: unknown): LodisStub;
}
const LODIS = (env as unknown as { LODIS: Namespace }).LODIS;

let objects = 0;
/** A stub of a new object (each test its own data), and a way to get a fresh stub to it. */
function freshObject(): { stub: LodisStub; again: () => LodisStub } {
  const name = `test-${++objects}-${Date.now()}`;
  return { stub: LODIS.get(LODIS.idFromName(name)), again: () => LODIS.get(LODIS.idFromName(name)) };
}

async function post(stub: LodisStub, body: unknown, session?: string): Promise<{ status: number; body: unknown }> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (session) headers[SESSION_HEADER] = session;
  const r = await stub.fetch('http://lodis/', { method: 'POST', headers, body: JSON.stringify(body) });
  return { status: r.status, body: await r.json() };
}

describe('LodisObject over fetch', () => {
  it('runs a command, or a batch, and replies in JSON with Redis’ error text', async () => {
    const { stub } = freshObject();
    expect(await post(stub, ['SET', 'k', 'v'])).toEqual({ status: 200, body: { result: 'OK' } });
    expect(await post(stub, ['GET', 'k'])).toEqual({ status: 200, body: { result: 'v' } });
    expect(await post(stub, ['LPUSH', 'k', 'x'])).toEqual({
      status: 400,
      body: { error: 'WRONGTYPE Operation against a key holding the wrong kind of value' },
    });
    expect((await post(stub, ['NOSUCH'])).body).toEqual({ error: expect.stringMatching(/^ERR unknown command 'NOSUCH'/) });
    expect(await post(stub, [['MULTI'], ['INCR', 'n'], ['INCR', 'k'], ['INCRBY', 'n', 10], ['EXEC'], ['GET', 'n']])).toEqual({
      status: 200,
      body: [
        { result: 'OK' },
        { result: 'QUEUED' },
        { result: 'QUEUED' },
        { result: 'QUEUED' },
        { result: [1, { error: 'ERR value is not an integer or out of range' }, 11] },
        { result: '11' },
      ],
    });
    expect((await post(stub, { not: 'a command' })).status).toBe(400);
    expect((await stub.fetch('http://lodis/')).status).toBe(405);
  });

  it('serialises concurrent requests: 100 INCRs give 100', async () => {
    const { stub } = freshObject();
    const replies = await Promise.all(Array.from({ length: 100 }, () => post(stub, ['INCR', 'counter'])));
    expect(replies.map((r) => (r.body as { result: number }).result).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 100 }, (_, i) => i + 1),
    );
    expect((await post(stub, ['GET', 'counter'])).body).toEqual({ result: '100' });
  });

  it('never interleaves two MULTI … EXEC', async () => {
    const { stub } = freshObject();
    const replies = await Promise.all(
      Array.from({ length: 50 }, () => post(stub, [['MULTI'], ['INCR', 'n'], ['RPUSH', 'order', 'a'], ['INCR', 'n'], ['RPUSH', 'order', 'b'], ['EXEC']])),
    );
    for (const r of replies) {
      const [first, , second] = (r.body as { result: number[] }[])[5]!.result;
      expect(second).toBe(first! + 1);
      expect(first! % 2).toBe(1);
    }
    const order = (await post(stub, ['LRANGE', 'order', 0, -1])).body as { result: string[] };
    expect(order.result.join('')).toBe('ab'.repeat(50));
  });

  it('keeps a session across requests: a WATCH broken by another request fails the EXEC', async () => {
    const { stub } = freshObject();
    await post(stub, ['SET', 'balance', '10']);
    expect((await post(stub, [['WATCH', 'balance'], ['GET', 'balance']], 'alice')).body).toEqual([{ result: 'OK' }, { result: '10' }]);
    await post(stub, ['SET', 'balance', '99']); // another client, in between
    expect((await post(stub, [['MULTI'], ['SET', 'balance', '11'], ['EXEC']], 'alice')).body).toEqual([
      { result: 'OK' },
      { result: 'QUEUED' },
      { result: null },
    ]);
    expect((await post(stub, ['GET', 'balance'])).body).toEqual({ result: '99' });

    // Unbroken, the same session's transaction commits; QUIT ends the session.
    await post(stub, ['WATCH', 'balance'], 'alice');
    expect((await post(stub, [['MULTI'], ['SET', 'balance', '11'], ['EXEC'], ['QUIT']], 'alice')).body).toEqual([
      { result: 'OK' },
      { result: 'QUEUED' },
      { result: ['OK'] },
      { result: 'OK' },
    ]);
    expect((await post(stub, ['EXEC'], 'alice')).body).toEqual({ error: 'ERR EXEC without MULTI' });
  });

  it('expires keys actively from requests (no timers in a Durable Object between events)', async () => {
    const { stub } = freshObject();
    await post(stub, [['SET', 'a', '1', 'PX', 20], ['SET', 'b', '2', 'PX', 20], ['SET', 'c', '3']]);
    expect((await post(stub, ['DBSIZE'])).body).toEqual({ result: 3 });
    // Past the TTLs and past serverCron's 100 ms period (it ran at the requests above).
    await new Promise((r) => setTimeout(r, 150));
    // DBSIZE does not touch keys (no lazy expiry): only the request's expiry cycle removed them.
    expect((await post(stub, ['DBSIZE'])).body).toEqual({ result: 1 });
  });

  it('keeps its data across a restart of the object', async () => {
    const { stub, again } = freshObject();
    await post(stub, [['SET', 'k', 'v'], ['HSET', 'h', 'f', '1'], ['ZADD', 'z', 2, 'm'], ['SET', 'big', 'x'.repeat(3_000_000)]]);
    await runInDurableObject(stub as never, (instance: { marker?: number }) => {
      instance.marker = 1;
    });
    await abortAllDurableObjects();
    const restarted = again();
    // A new instance (the marker is gone), loaded from storage.
    expect(await runInDurableObject(restarted as never, (instance: { marker?: number }) => instance.marker)).toBeUndefined();
    expect((await post(restarted, [['GET', 'k'], ['HGET', 'h', 'f'], ['ZSCORE', 'z', 'm'], ['STRLEN', 'big']])).body).toEqual([
      { result: 'v' },
      { result: '1' },
      { result: '2' },
      { result: 3_000_000 },
    ]);
  });
});

describe('a write that storage refuses', () => {
  it('is answered with MISCONF, never OK; after a restart only acknowledged writes are there', async () => {
    const { stub, again } = freshObject();
    await post(stub, ['SET', 'k', 'v']);
    await runInDurableObject(stub as never, (_instance: unknown, state: { storage: { sql: { exec(q: string): unknown } } }) => {
      state.storage.sql.exec('ALTER TABLE lodis_log RENAME TO lodis_log_away'); // the next INSERT fails
    });
    const refused = await post(stub, ['SET', 'k', 'lost']);
    expect(refused).toEqual({ status: 400, body: { error: expect.stringMatching(/^MISCONF /) } });
    expect((await post(stub, ['SET', 'other', '1'])).body).toEqual({ error: expect.stringMatching(/^MISCONF /) });
    expect((await post(stub, ['GET', 'k'])).body).toEqual({ result: 'lost' }); // in memory, never acknowledged

    // Restarted, the object has what was acknowledged: the refused write is not there.
    await runInDurableObject(stub as never, (_instance: unknown, state: { storage: { sql: { exec(q: string): unknown } } }) => {
      state.storage.sql.exec('ALTER TABLE lodis_log_away RENAME TO lodis_log');
    });
    await abortAllDurableObjects();
    expect((await post(again(), ['GET', 'k'])).body).toEqual({ result: 'v' });
  });
});

describe('lodisClient', () => {
  it('gives the typed API, pipelining what is sent in one turn', async () => {
    const { stub } = freshObject();
    const redis = lodisClient(stub);
    expect(await redis.set('user:1', 'Ada')).toBe('OK');
    expect(await redis.get('user:1')).toBe('Ada');
    expect(await redis.multi().incr('hits').expire('hits', 60).exec()).toEqual([1, 1]);
    await expect(redis.call('LPUSH', 'user:1', 'x')).rejects.toThrow(/^WRONGTYPE/);
    const [a, b] = await Promise.all([redis.incr('n'), redis.incr('n')]);
    expect([a, b]).toEqual([1, 2]);

    const session = redis.connect();
    await session.call('WATCH', 'n');
    await redis.incr('n');
    expect(await session.multi().incr('n').exec()).toBe(null);
    await session.close();
  });
});
