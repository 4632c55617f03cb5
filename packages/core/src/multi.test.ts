import { describe, expect, it } from 'vitest';
import { createStore, MemoryPersistence, NULL_ARRAY, openStore, ReplyError, Status, type LogBatch } from './index.js';
import { dumpKeyspace, fakeTime, T0 } from './test-helpers.js';

const QUEUED = new Status('QUEUED');
const OK = new Status('OK');

/** Run a command on a session, returning a thrown ReplyError as the reply. */
function run(s: { execute: (...a: string[]) => unknown }, ...argv: string[]): unknown {
  try {
    return s.execute(...argv);
  } catch (e) {
    if (e instanceof ReplyError) return e;
    throw e;
  }
}

describe('MULTI/EXEC', () => {
  it('fixes the time for the whole transaction, as a single command', () => {
    const t = fakeTime();
    const store = createStore({ clock: t.clock, timers: t.timers, activeExpire: false });
    const s = store.connect();
    run(s, 'MULTI');
    run(s, 'SET', 'k', 'v', 'PX', '100');
    run(s, 'PTTL', 'k');
    run(s, 'TIME');
    expect(run(s, 'EXEC')).toEqual([OK, 100, [String(Math.floor(T0 / 1000)), String((T0 % 1000) * 1000)]]);
  });

  it('fails EXEC with the engine refusal as EXECABORT, and lets a read-only transaction run', async () => {
    const p = new MemoryPersistence();
    const store = await openStore({ persistence: p, clock: () => T0, activeExpire: false });
    await store.set('k', '1');
    p.failWith = () => {
      throw new Error('disk on fire');
    };
    const s = store.connect();
    expect(run(s, 'MULTI')).toEqual(OK);
    expect(run(s, 'INCR', 'k')).toEqual(QUEUED);
    await expect(store.set('x', '1')).rejects.toThrow(/^MISCONF/);
    // Refused at EXEC: the transaction writes.
    const e = run(s, 'EXEC') as ReplyError;
    expect(e.message).toMatch(/^EXECABORT Transaction discarded because of: MISCONF Errors writing/);
    // A read-only one runs; a write queued now is refused at once and dooms its transaction.
    expect(run(s, 'MULTI')).toEqual(OK);
    expect(run(s, 'GET', 'k')).toEqual(QUEUED);
    expect(run(s, 'EXEC')).toEqual(['1']);
    expect(run(s, 'MULTI')).toEqual(OK);
    expect((run(s, 'SET', 'k', '2') as ReplyError).message).toMatch(/^MISCONF/);
    expect(run(s, 'EXEC')).toEqual(new ReplyError('EXECABORT Transaction discarded because of previous errors.'));
    expect(run(s, 'EXEC')).toEqual(new ReplyError('ERR EXEC without MULTI'));
    p.failWith = null;
    await store.close().catch(() => {});
  });

  it('logs a transaction in one batch and replays it to the same state', async () => {
    const appended: LogBatch[] = [];
    const p = new (class extends MemoryPersistence {
      override append(b: LogBatch): Promise<void> {
        appended.push(b);
        return super.append(b);
      }
    })();
    const store = await openStore({ persistence: p, clock: () => T0, activeExpire: false });
    const s = store.connect();
    const before = appended.length;
    run(s, 'MULTI');
    for (let i = 0; i < 50; i++) run(s, 'RPUSH', 'l', String(i));
    run(s, 'INCR', 'n');
    run(s, 'LPUSH', 'n', 'wrongtype');
    run(s, 'EXEC');
    await store.flush();
    expect(appended.length - before).toBe(1);
    expect(appended.at(-1)!.lastSeq - appended.at(-1)!.firstSeq + 1).toBe(51); // 50 RPUSH + INCR
    const state = dumpKeyspace(store.engine);
    await store.close();
    const reopened = await openStore({ persistence: p, clock: () => T0, activeExpire: false });
    expect(dumpKeyspace(reopened.engine)).toEqual(state);
    await reopened.close();
  });
});

describe('WATCH', () => {
  it('is broken by active expiry of a watched key', () => {
    const t = fakeTime();
    const store = createStore({ clock: t.clock, timers: t.timers });
    const a = store.connect();
    run(a, 'SET', 'k', 'v', 'PX', '50');
    run(a, 'WATCH', 'k');
    t.advance(1000);
    store.activeExpireCycle(); // reclaims k: nobody reads it
    expect(store.engine.dbs[0]!.dict.has('k')).toBe(false);
    run(a, 'MULTI');
    run(a, 'GET', 'k');
    expect(run(a, 'EXEC')).toBe(NULL_ARRAY);
  });

  it('leaves nothing behind after many watch/unwatch cycles and closed sessions', () => {
    const store = createStore();
    for (let i = 0; i < 2000; i++) {
      const s = store.connect();
      run(s, 'WATCH', `k${i % 10}`, 'x');
      if (i % 3 === 0) run(s, 'UNWATCH');
      else if (i % 3 === 1) {
        run(s, 'MULTI');
        run(s, 'EXEC');
      }
      s.close();
    }
    expect(store.engine.watches.count).toBe(0);
  });
});
