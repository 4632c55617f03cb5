/**
 * Typed pipelines and transactions (api/pipeline.ts) on the in-process store: chaining, results
 * decoded by each method, errors as @upstash/redis reports them (PipelineError, keepErrors), MULTI
 * … EXEC sent as one run (nothing of the session comes between), EXECABORT and a broken WATCH.
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import { createStore, MemoryPersistence, observeKeyChanges, openStore, PipelineError, ReplyError, type Integer, type Store } from '../index.js';

describe('pipeline()', () => {
  it('chains typed calls and resolves each result decoded by its method', async () => {
    const r = createStore();
    const results = await r
      .pipeline()
      .set('a', 1)
      .incr('a')
      .get('a')
      .hset('h', { f: 'v', g: 'w' })
      .hgetall('h')
      .zadd('z', { score: 1.5, member: 'm' })
      .zscore('z', 'm')
      .lpop('nolist')
      .exec();
    expect(results).toEqual(['OK', 2, '2', 2, { f: 'v', g: 'w' }, 1, 1.5, null]);
    expectTypeOf(results).toEqualTypeOf<[string | null, Integer, string | null, number, Record<string, string> | null, number, number | null, string | null]>();
  });

  it('keeps overloads apart in the result types', async () => {
    const r = createStore();
    await r.rpush('l', 'x', 'y', 'z');
    const [one, two] = await r.pipeline().lpop('l').lpop('l', 2).exec();
    expect(one).toBe('x');
    expect(two).toEqual(['y', 'z']);
    expectTypeOf(one).toEqualTypeOf<string | null>();
    expectTypeOf(two).toEqualTypeOf<string[] | null>();
  });

  it('takes commands one call at a time, and call/callBuffer', async () => {
    const r = createStore();
    const p = r.pipeline();
    p.set('k', 'héllo');
    p.call('APPEND', 'k', '!');
    p.callBuffer('GET', 'k');
    expect(p.length()).toBe(3);
    const out = await p.exec<[string, number, Uint8Array]>();
    expect(out).toEqual(['OK', 7, new TextEncoder().encode('héllo!')]);
  });

  it('rejects as @upstash/redis does: the first failed command, Redis’ error as the cause', async () => {
    const r = createStore();
    const p = r.pipeline().set('s', 'x').incr('s').lpush('s', 'a').get('s');
    const e = await p.exec().catch((e: unknown) => e);
    expect(e).toBeInstanceOf(PipelineError);
    expect((e as PipelineError).message).toBe('Command 2 [ INCR ] failed: ERR value is not an integer or out of range');
    expect((e as PipelineError).index).toBe(1);
    expect((e as PipelineError).cause).toBeInstanceOf(ReplyError);
    // Every command ran (a pipeline is not atomic, and not stopped by an error).
    expect(await r.get('s')).toBe('x');
  });

  it('gives a { result, error } per command with keepErrors', async () => {
    const r = createStore();
    const out = await r.pipeline().set('s', 'x').incr('s').get('s').exec({ keepErrors: true });
    expect(out).toEqual([
      { result: 'OK', error: undefined },
      { result: undefined, error: 'ERR value is not an integer or out of range' },
      { result: 'x', error: undefined },
    ]);
    expectTypeOf(out[2].result).toEqualTypeOf<string | null | undefined>();
  });

  it('refuses an empty pipeline, a second exec, and methods that are not commands of the session', async () => {
    const r = createStore();
    await expect(r.pipeline().exec()).rejects.toThrow('Pipeline is empty');
    const p = r.pipeline().ping();
    await p.exec();
    await expect(p.exec()).rejects.toThrow(/executed already/);
    expect(() => p.ping()).toThrow(/executed already/);
    expect('subscribe' in r.pipeline()).toBe(false);
    expect('watchKeys' in r.multi()).toBe(false);
  });

  it('sends its commands together: another session’s command can run between them only before or after', async () => {
    const r = createStore();
    const other = r.connect();
    const p = r.pipeline().incr('n').incr('n').incr('n');
    const run = p.exec();
    const seen = other.get('n');
    expect(await run).toEqual([1, 2, 3]);
    expect(await seen).toBe('3');
  });
});

describe('multi()', () => {
  it('runs the commands as one transaction and decodes each result', async () => {
    const r = createStore();
    await r.zadd('board', { score: 3, member: 'c' }, { score: 1, member: 'a' }, { score: 2, member: 'b' });
    const out = await r.multi().incr('visits').expire('visits', 60).zrange('board', 0, 1).ttl('visits').exec();
    expect(out).toEqual([1, 1, ['a', 'b'], 60]);
  });

  it('wraps them in MULTI … EXEC, one after the other in the session', async () => {
    const r = createStore();
    const s = r.connect();
    const seen: string[] = [];
    observeKeyChanges(r.engine, (_t, event, key) => seen.push(`${event} ${key}`));
    await s.call('SET', 'a', '0');
    // A command of the same session issued in the same turn after exec() is not queued into it.
    const tx = s.multi().incr('a').incr('b').exec();
    const after = s.get('a');
    expect(await tx).toEqual([1, 1]);
    expect(await after).toBe('1');
    expect(seen).toEqual(['set a', 'incrby a', 'incrby b']);
    // Nothing is left open on the session.
    await expect(s.call('EXEC')).rejects.toThrow('ERR EXEC without MULTI');
  });

  it('puts runtime errors in place, the rest of the transaction applied (PipelineError / keepErrors)', async () => {
    const r = createStore();
    await r.set('s', 'x');
    await expect(r.multi().incr('s').set('t', 1).exec()).rejects.toThrow('Command 1 [ INCR ] failed: ERR value is not an integer or out of range');
    expect(await r.get('t')).toBe('1');
    expect(await r.multi().incr('s').incr('t').exec({ keepErrors: true })).toEqual([
      { result: undefined, error: 'ERR value is not an integer or out of range' },
      { result: 2, error: undefined },
    ]);
  });

  it('rejects with EXECABORT when a command cannot be queued, nothing applied, its error as the cause', async () => {
    const r = createStore();
    const e = await r
      .multi()
      .set('a', 1)
      .del() // no key: wrong number of arguments, refused while queueing
      .exec({ keepErrors: true })
      .catch((e: unknown) => e);
    expect(e).toBeInstanceOf(ReplyError);
    expect((e as ReplyError).message).toBe('EXECABORT Transaction discarded because of previous errors.');
    expect(((e as ReplyError).cause as ReplyError).message).toBe("ERR wrong number of arguments for 'del' command");
    expect(await r.exists('a')).toBe(0);
    await expect(r.call('DISCARD')).rejects.toThrow('ERR DISCARD without MULTI');
  });

  it('resolves null when a WATCHed key changed (on a session), and runs when none did', async () => {
    const r = createStore();
    const s = r.connect();
    await r.set('balance', 100);
    await s.call('WATCH', 'balance');
    const balance = Number(await s.get('balance'));
    await r.incrby('balance', 5); // another session
    expect(await s.multi().set('balance', balance - 10).exec()).toBeNull();
    expect(await r.get('balance')).toBe('105');
    // The usual retry loop.
    let tries = 0;
    for (;;) {
      tries++;
      await s.call('WATCH', 'balance');
      const b = Number(await s.get('balance'));
      if (tries === 1) await r.incr('balance');
      const res = await s.multi().set('balance', b - 10).exec();
      if (res !== null) break;
    }
    expect(tries).toBe(2);
    expect(await r.get('balance')).toBe('96');
  });

  it('gives bytes to callBuffer and text to the others in one transaction', async () => {
    const r = createStore();
    await r.set('k', 'v');
    expect(await r.multi().get('k').callBuffer('GET', 'k').call('GET', 'k').hgetall('nohash').exec()).toEqual([
      'v',
      new TextEncoder().encode('v'),
      'v',
      null,
    ]);
  });

  it('works on a persisted store: one log record for the whole transaction, replayed whole', async () => {
    const p = new MemoryPersistence();
    let r: Store = await openStore({ persistence: p, activeExpire: false });
    expect(await r.multi().incr('a').incr('b').rpush('l', 'x').exec()).toEqual([1, 1, 1]);
    await r.close();
    r = await openStore({ persistence: p, activeExpire: false });
    expect(await r.mget('a', 'b')).toEqual(['1', '1']);
    expect(await r.lrange('l', 0, -1)).toEqual(['x']);
    await r.close();
  });

  it('a transaction and another session’s commands never interleave', async () => {
    const r = createStore();
    const a = r.connect();
    const b = r.connect();
    const runs: Promise<unknown>[] = [];
    for (let i = 0; i < 100; i++) {
      runs.push(a.multi().incr('x').incr('y').exec());
      runs.push(b.multi().incr('x').incr('y').exec());
    }
    for (const out of (await Promise.all(runs)) as [number, number][]) expect(out[0]).toBe(out[1]);
    expect(await r.mget('x', 'y')).toEqual(['200', '200']);
  });
});
