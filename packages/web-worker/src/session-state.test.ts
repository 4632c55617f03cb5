/**
 * What a session's state becomes from its replies, and what sets it up again on a new engine:
 * SELECT and subscriptions as before, and the transaction rule — a session that was WATCHing or in
 * MULTI gets a RestoreDirective (its transaction doomed); commands queued in MULTI count at EXEC.
 */
import { describe, expect, it } from 'vitest';
import { readRestoreDirective, restoreDirective, SessionStates } from './session-state.js';

const restored = (s: SessionStates) => [...s.restoreCommands()];

describe('SessionStates', () => {
  it('restores SELECT and subscriptions, then a doomed transaction for a session watching or in MULTI', () => {
    const s = new SessionStates();
    s.track(1, ['SELECT', 2]);
    s.track(1, ['WATCH', 'k']);
    s.track(2, ['SUBSCRIBE', 'a', 'b']);
    s.track(3, ['MULTI']);
    s.track(3, ['INCR', 'n']);
    expect(restored(s)).toEqual([
      [1, ['SELECT', 2], false],
      [1, restoreDirective(true, false), true],
      [2, ['SUBSCRIBE', 'a', 'b'], false],
      [3, restoreDirective(false, true), true],
    ]);
    expect(readRestoreDirective(restoreDirective(true, true))).toEqual({ watching: true, multi: true });
  });

  it('ends the transaction with EXEC (run, null or EXECABORT) and DISCARD; not with EXEC without MULTI', () => {
    const s = new SessionStates();
    s.track(1, ['WATCH', 'k']);
    s.track(1, ['EXEC'], 'ERR EXEC without MULTI');
    expect(restored(s)).toEqual([[1, restoreDirective(true, false), true]]);
    s.track(1, ['MULTI']);
    s.track(1, ['EXEC'], null, true); // null: a WATCHed key changed
    expect(restored(s)).toEqual([]);
    s.track(1, ['MULTI']);
    s.track(1, ['GET'], "ERR wrong number of arguments for 'get' command");
    s.track(1, ['EXEC'], 'EXECABORT Transaction discarded because of previous errors.');
    expect(restored(s)).toEqual([]);
    s.track(1, ['WATCH', 'k']);
    s.track(1, ['MULTI']);
    s.track(1, ['DISCARD']);
    expect(restored(s)).toEqual([]);
    s.track(1, ['WATCH', 'k']);
    s.track(1, ['UNWATCH']);
    expect(restored(s)).toEqual([]);
    s.track(1, [new TextEncoder().encode('watch'), 'k']);
    expect(restored(s)).toEqual([[1, restoreDirective(true, false), true]]);
  });

  it('counts a SELECT or SUBSCRIBE queued in MULTI once EXEC has run it, not before, not after an abort', () => {
    const s = new SessionStates();
    s.track(1, ['MULTI']);
    s.track(1, ['SELECT', 5]);
    expect(restored(s)).toEqual([[1, restoreDirective(false, true), true]]);
    s.track(1, ['EXEC']);
    expect(restored(s)).toEqual([[1, ['SELECT', 5], false]]);
    s.track(1, ['MULTI']);
    s.track(1, ['SELECT', 6]);
    s.track(1, ['EXEC'], null, true);
    expect(restored(s)).toEqual([[1, ['SELECT', 5], false]]);
  });

  it('remembers a restore applied by the engine (the page’s, after a restarted worker)', () => {
    const s = new SessionStates();
    s.restored(4, restoreDirective(true, true));
    expect(restored(s)).toEqual([[4, restoreDirective(true, true), true]]);
    s.track(4, ['EXEC'], 'EXECABORT Transaction discarded because of previous errors.');
    expect(restored(s)).toEqual([]);
  });
});
