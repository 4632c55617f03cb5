/**
 * What a session did that a new engine must be told again: its SELECTed database, its
 * subscriptions, and whether it was WATCHing keys or in MULTI. Kept by the tab's worker (for a
 * leader change) and by the page (for a worker restarted after the page came back from the
 * back/forward cache), from the replies; `restoreCommands` gives what sets it up again, in order.
 *
 * Transactions follow one rule: a session's WATCHes and its MULTI queue live in the engine that
 * ran them, and cannot be moved. A session that was watching, or in MULTI, when its engine went
 * away is set up on the next one with its transaction doomed (a `RestoreDirective`, core's
 * LocalTransport.restoreTransaction), as Redis treats a connection it lost: its EXEC replies null
 * (a WATCHed key may have changed), or fails with EXECABORT (what was queued is gone). So a
 * transaction never runs unwatched or half-queued. An EXEC the old engine had run and logged is
 * answered from the log as any resent write (and ends the doomed copy); one it had not run fails,
 * and the caller tries again as after any failed EXEC.
 *
 * Commands queued in MULTI change nothing yet: a SELECT or SUBSCRIBE in a transaction counts once
 * its EXEC has run.
 */
import type { CommandArg } from '@lodis/core';
import type { RestoreDirective } from './protocol.js';

export interface SessionState {
  db: number;
  readonly channels: Map<string, CommandArg>;
  readonly patterns: Map<string, CommandArg>;
  readonly shardChannels: Map<string, CommandArg>;
  /** WATCH succeeded, and no EXEC, DISCARD or UNWATCH since. */
  watching: boolean;
  /** In MULTI. */
  multi: boolean;
  /** State commands queued in MULTI (SELECT, SUBSCRIBE …): they count when EXEC runs them. */
  queued: CommandArg[][];
}

/** A RestoreDirective for a session that was watching and/or in MULTI. */
export function restoreDirective(watching: boolean, multi: boolean): RestoreDirective {
  return ['restore-transaction', watching ? 1 : 0, multi ? 1 : 0];
}

/** A RestoreDirective's flags. */
export function readRestoreDirective(argv: CommandArg[]): { watching: boolean; multi: boolean } {
  return { watching: argv[1] === 1, multi: argv[2] === 1 };
}

export class SessionStates {
  private readonly sessions = new Map<number, SessionState>();

  /**
   * A command of `session` got its reply (`error`: the error's text, or null; `nil`: the reply was
   * null): remember what it changed. Cheap for every other command.
   */
  track(session: number, argv: CommandArg[], error: string | null = null, nil = false): void {
    const a0 = argv[0];
    const name = typeof a0 === 'string' ? a0 : a0 instanceof Uint8Array && a0.length <= 12 ? String.fromCharCode(...a0) : '';
    if (name.length < 4 || name.length > 12) return;
    const lower = name.toLowerCase();
    switch (lower) {
      case 'exec': {
        const s = this.sessions.get(session);
        // EXEC without MULTI changed nothing; any other EXEC ended the transaction and its WATCHes.
        if (s === undefined || (error !== null && !error.startsWith('EXECABORT'))) return;
        const queued = s.queued;
        s.queued = [];
        s.multi = false;
        s.watching = false;
        if (error === null && !nil) for (const q of queued) this.apply(s, q);
        return;
      }
      case 'discard': {
        const s = this.sessions.get(session);
        if (s === undefined || error !== null) return;
        s.queued = [];
        s.multi = false;
        s.watching = false;
        return;
      }
      case 'multi':
        if (error === null) this.state(session).multi = true;
        return;
      case 'watch':
        if (error === null) this.state(session).watching = true; // refused inside MULTI
        return;
      case 'reset':
        if (error === null) this.sessions.delete(session);
        return;
    }
    if (error !== null || !STATE_COMMANDS.has(lower)) return;
    const s = this.state(session);
    if (s.multi) s.queued.push(argv);
    else this.apply(s, argv);
  }

  /** A RestoreDirective for `session` was applied: the engine has its doomed transaction. */
  restored(session: number, argv: CommandArg[]): void {
    const { watching, multi } = readRestoreDirective(argv);
    const s = this.state(session);
    s.watching ||= watching;
    s.multi ||= multi;
  }

  /** The session ended. */
  forget(session: number): void {
    this.sessions.delete(session);
  }

  /**
   * Every session with state, and the commands that set it up on an engine that knows nothing of
   * it; `restore` marks a RestoreDirective (last for its session).
   */
  *restoreCommands(): IterableIterator<[session: number, argv: CommandArg[], restore: boolean]> {
    for (const [session, s] of this.sessions) {
      if (s.db !== 0) yield [session, ['SELECT', s.db], false];
      if (s.channels.size) yield [session, ['SUBSCRIBE', ...s.channels.values()], false];
      if (s.patterns.size) yield [session, ['PSUBSCRIBE', ...s.patterns.values()], false];
      if (s.shardChannels.size) yield [session, ['SSUBSCRIBE', ...s.shardChannels.values()], false];
      if (s.watching || s.multi) yield [session, restoreDirective(s.watching, s.multi), true];
    }
  }

  private apply(s: SessionState, argv: CommandArg[]): void {
    const a0 = argv[0]!;
    switch ((typeof a0 === 'string' ? a0 : String.fromCharCode(...(a0 as Uint8Array))).toLowerCase()) {
      case 'select':
        s.db = Number(argv[1]);
        return;
      case 'subscribe':
        return addAll(s.channels, argv);
      case 'psubscribe':
        return addAll(s.patterns, argv);
      case 'ssubscribe':
        return addAll(s.shardChannels, argv);
      case 'unsubscribe':
        return removeAll(s.channels, argv);
      case 'punsubscribe':
        return removeAll(s.patterns, argv);
      case 'sunsubscribe':
        return removeAll(s.shardChannels, argv);
      case 'unwatch':
        s.watching = false;
        return;
    }
  }

  private state(session: number): SessionState {
    let s = this.sessions.get(session);
    if (s === undefined) {
      s = { db: 0, channels: new Map(), patterns: new Map(), shardChannels: new Map(), watching: false, multi: false, queued: [] };
      this.sessions.set(session, s);
    }
    return s;
  }
}

/** Commands whose success changes what restoreCommands sets up (outside MULTI; queued inside it). */
const STATE_COMMANDS = new Set(['select', 'subscribe', 'psubscribe', 'ssubscribe', 'unsubscribe', 'punsubscribe', 'sunsubscribe', 'unwatch']);

/** A map key for a channel name: text as is, bytes as one char per byte behind a mark. */
function argKey(a: CommandArg): string {
  if (a instanceof Uint8Array) {
    let s = '\uDC00';
    for (let i = 0; i < a.length; i++) s += String.fromCharCode(a[i]!);
    return s;
  }
  return String(a);
}

function addAll(m: Map<string, CommandArg>, argv: CommandArg[]): void {
  for (let i = 1; i < argv.length; i++) m.set(argKey(argv[i]!), argv[i]!);
}

function removeAll(m: Map<string, CommandArg>, argv: CommandArg[]): void {
  if (argv.length === 1) m.clear();
  else for (let i = 1; i < argv.length; i++) m.delete(argKey(argv[i]!));
}
