import { describe, expect, it } from 'vitest';
import { createStore, LocalTransport, MemoryPersistence, openStore, ReplyError } from './index.js';

describe('store', () => {
  it('rejects unknown commands and wrong arity with Redis text', async () => {
    const r = createStore();
    await expect(r.call('nosuch', 'a', 'b')).rejects.toThrow(
      new ReplyError("ERR unknown command 'nosuch', with args beginning with: 'a' 'b' "),
    );
    await expect(r.call('GET')).rejects.toThrow("ERR wrong number of arguments for 'get' command");
    await expect(r.call('COMMAND', 'nope')).rejects.toThrow("ERR unknown subcommand 'nope'. Try COMMAND HELP.");
    r.close();
  });
});

describe('LocalTransport.dispatch', () => {
  const collect = () => {
    const got: [string, unknown][] = [];
    return { got, done: (ctx: string, r: unknown) => void got.push([ctx, r instanceof ReplyError ? `error: ${r.message}` : r]) };
  };

  it('replies at once without persistence, errors as values, in order', () => {
    const t = new LocalTransport(createStore().engine);
    const { got, done } = collect();
    t.dispatch(['SET', 'k', 'v'], false, done, 'a');
    t.dispatch(['INCR', 'k'], false, done, 'b');
    t.dispatch(['GET', 'k'], true, done, 'c');
    expect(got).toEqual([
      ['a', 'OK'],
      ['b', 'error: ERR value is not an integer or out of range'],
      ['c', new TextEncoder().encode('v')],
    ]);
  });

  it('waits for loading, then for the batch holding its effects; a failed batch fails the writes only', async () => {
    const p = new MemoryPersistence();
    const store = createStore({ persistence: p, activeExpire: false });
    const t = new LocalTransport(store.engine);
    const { got, done } = collect();
    t.dispatch(['SET', 'k', '1'], false, done, 'loading');
    expect(got).toEqual([]);
    await store.ready;
    await store.flush();
    expect(got).toEqual([['loading', 'OK']]);
    t.dispatch(['INCR', 'k'], false, done, 'w1');
    t.dispatch(['GET', 'k'], false, done, 'r1');
    expect(got.length).toBe(1); // both wait: the GET must not show a write that is not durable yet
    await store.flush();
    expect(got.slice(1)).toEqual([
      ['w1', 2],
      ['r1', '2'],
    ]);
    p.failWith = () => {
      throw new Error('disk full');
    };
    t.dispatch(['INCR', 'k'], false, done, 'w2');
    t.dispatch(['GET', 'k'], false, done, 'r2');
    await store.flush().catch(() => {});
    await new Promise((r) => setTimeout(r, 0));
    expect(got.slice(3)).toEqual([
      ['w2', 'error: MISCONF Errors writing to IndexedDB: Error: disk full'],
      ['r2', '3'],
    ]);
    p.failWith = null;
    await store.close();
  });

  it('answers a resent op from the table', async () => {
    const p = new MemoryPersistence();
    const a = await openStore({ persistence: p, activeExpire: false });
    const { got, done } = collect();
    new LocalTransport(a.engine).dispatch(['INCR', 'n'], false, done, 'first', 'tab', 9);
    await a.close();
    const b = await openStore({ persistence: p, activeExpire: false });
    new LocalTransport(b.engine).dispatch(['INCR', 'n'], false, done, 'resent', 'tab', 9);
    expect(got).toEqual([
      ['first', 1],
      ['resent', 1],
    ]);
    expect(await b.call('GET', 'n')).toBe('1');
    await b.close();
  });
});

describe('LocalTransport.restoreTransaction (a session moved to another engine)', () => {
  const collect = () => {
    const got: [string, unknown][] = [];
    return { got, done: (ctx: string, r: unknown) => void got.push([ctx, r instanceof ReplyError ? `error: ${r.message}` : r]) };
  };

  it('dooms a watching session: its EXEC replies null, and UNWATCH clears it', () => {
    const t = new LocalTransport(createStore().engine);
    const { got, done } = collect();
    t.restoreTransaction(true, false);
    t.dispatch(['MULTI'], false, done, 'multi');
    t.dispatch(['SET', 'k', 'v'], false, done, 'set');
    t.dispatch(['EXEC'], false, done, 'exec');
    t.dispatch(['GET', 'k'], false, done, 'get');
    t.restoreTransaction(true, false);
    t.dispatch(['UNWATCH'], false, done, 'unwatch');
    t.dispatch(['MULTI'], false, done, 'multi2');
    t.dispatch(['SET', 'k', 'v'], false, done, 'set2');
    t.dispatch(['EXEC'], false, done, 'exec2');
    expect(got).toEqual([
      ['multi', 'OK'],
      ['set', 'QUEUED'],
      ['exec', null],
      ['get', null],
      ['unwatch', 'OK'],
      ['multi2', 'OK'],
      ['set2', 'QUEUED'],
      ['exec2', ['OK']],
    ]);
  });

  it('dooms an open MULTI: what it queues is dropped, EXEC fails with EXECABORT; DISCARD ends it', () => {
    const t = new LocalTransport(createStore().engine);
    const { got, done } = collect();
    t.restoreTransaction(false, true);
    t.dispatch(['INCR', 'n'], false, done, 'incr');
    t.dispatch(['EXEC'], false, done, 'exec');
    t.dispatch(['GET', 'n'], false, done, 'get');
    t.restoreTransaction(false, true);
    t.dispatch(['DISCARD'], false, done, 'discard');
    t.dispatch(['INCR', 'n'], false, done, 'incr2');
    expect(got).toEqual([
      ['incr', 'QUEUED'],
      ['exec', 'error: EXECABORT Transaction discarded because of previous errors.'],
      ['get', null],
      ['discard', 'OK'],
      ['incr2', 1],
    ]);
  });

  it('ends the doomed transaction when its EXEC is answered from the log (it ran on the old engine)', async () => {
    const p = new MemoryPersistence();
    const a = await openStore({ persistence: p, activeExpire: false });
    const { got, done } = collect();
    const old = new LocalTransport(a.engine);
    old.dispatch(['WATCH', 'n'], false, done, 'watch', 'tab', 1);
    old.dispatch(['MULTI'], false, done, 'multi', 'tab', 2);
    old.dispatch(['INCR', 'n'], false, done, 'incr', 'tab', 3);
    old.dispatch(['EXEC'], false, done, 'exec', 'tab', 4);
    await a.flush();
    await a.close();
    // The new engine: the session was watching and in MULTI when the replies were lost.
    const b = await openStore({ persistence: p, activeExpire: false });
    const t = new LocalTransport(b.engine);
    t.restoreTransaction(true, true);
    t.dispatch(['EXEC'], false, done, 'exec resent', 'tab', 4);
    t.dispatch(['MULTI'], false, done, 'multi2');
    t.dispatch(['INCR', 'n'], false, done, 'incr2');
    t.dispatch(['EXEC'], false, done, 'exec2');
    await b.flush();
    expect(got).toEqual([
      ['watch', 'OK'],
      ['multi', 'OK'],
      ['incr', 'QUEUED'],
      ['exec', [1]],
      ['exec resent', [1]],
      ['multi2', 'OK'],
      ['incr2', 'QUEUED'],
      ['exec2', [2]],
    ]);
    await b.close();
  });
});
