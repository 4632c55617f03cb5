/**
 * Typed pipelines and transactions (api/pipeline.ts), what only the in-process store shows: a
 * pipeline's commands all run in the turn exec() is called, MULTI … EXEC as one run of the session
 * (its key changes in order), one log record per transaction. Chaining, decoding, PipelineError,
 * keepErrors, EXECABORT and WATCH are in the typed-API suite (api-suite.ts), run on every front.
 */
import { describe, expect, it } from 'vitest';
import { createStore, MemoryPersistence, observeKeyChanges, openStore, type Store } from '../index.js';

describe('pipeline()', () => {
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
});
