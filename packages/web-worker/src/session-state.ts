/**
 * What a session did that a new engine must be told again: its SELECTed database and its
 * subscriptions. Kept by the tab's worker (for a leader change) and by the page (for a worker
 * restarted after the page came back from the back/forward cache), from the commands that
 * succeeded; `restoreCommands` gives the commands that set it up again, in order.
 */
import type { CommandArg } from '@lodis/core';

export interface SessionState {
  db: number;
  readonly channels: Map<string, CommandArg>;
  readonly patterns: Map<string, CommandArg>;
  readonly shardChannels: Map<string, CommandArg>;
}

export class SessionStates {
  private readonly sessions = new Map<number, SessionState>();

  /** A command of `session` succeeded: remember what it changed. Cheap for every other command. */
  track(session: number, argv: CommandArg[]): void {
    const a0 = argv[0];
    const name = typeof a0 === 'string' ? a0 : a0 instanceof Uint8Array && a0.length <= 12 ? String.fromCharCode(...a0) : '';
    if (name.length < 5 || name.length > 12) return;
    switch (name.toLowerCase()) {
      case 'select':
        this.state(session).db = Number(argv[1]);
        return;
      case 'subscribe':
        return addAll(this.state(session).channels, argv);
      case 'psubscribe':
        return addAll(this.state(session).patterns, argv);
      case 'ssubscribe':
        return addAll(this.state(session).shardChannels, argv);
      case 'unsubscribe':
        return removeAll(this.state(session).channels, argv);
      case 'punsubscribe':
        return removeAll(this.state(session).patterns, argv);
      case 'sunsubscribe':
        return removeAll(this.state(session).shardChannels, argv);
      case 'reset':
        this.sessions.delete(session);
        return;
    }
  }

  /** The session ended. */
  forget(session: number): void {
    this.sessions.delete(session);
  }

  /** Every session with state, and the commands that set it up on an engine that knows nothing of it. */
  *restoreCommands(): IterableIterator<[session: number, argv: CommandArg[]]> {
    for (const [session, s] of this.sessions) {
      if (s.db !== 0) yield [session, ['SELECT', s.db]];
      if (s.channels.size) yield [session, ['SUBSCRIBE', ...s.channels.values()]];
      if (s.patterns.size) yield [session, ['PSUBSCRIBE', ...s.patterns.values()]];
      if (s.shardChannels.size) yield [session, ['SSUBSCRIBE', ...s.shardChannels.values()]];
    }
  }

  private state(session: number): SessionState {
    let s = this.sessions.get(session);
    if (s === undefined) {
      s = { db: 0, channels: new Map(), patterns: new Map(), shardChannels: new Map() };
      this.sessions.set(session, s);
    }
    return s;
  }
}

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
