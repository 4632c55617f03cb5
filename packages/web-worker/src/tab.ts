/// <reference lib="dom" />
/**
 * One tab's worker: its page's sessions, and where their commands go — to the engine in this
 * worker when it leads, else to the leader over BroadcastChannel.
 *
 * Every page command is an op numbered by the page; it stays in `inflight` until its reply is in.
 * When the leader changes, the ops without a reply are sent again, in order, to the new leader —
 * after the state each session had (its database, its subscriptions) has been set up there again.
 * A forwarded write's reply is logged with its effects under its op id, so a resend of an op the
 * old leader applied is answered from the log, not applied twice. Ops this worker ran itself as
 * leader are waited for when it steps down: a write that was made durable is answered, one that
 * was fenced goes to the next leader; none is in doubt.
 *
 * A follower waiting for replies pings the leader; a leader silent for `leaderTimeout` is stalled,
 * and one follower (the holder of `lodis:<name>:steal`) steals the lock from it.
 *
 * A session that was WATCHing or in MULTI when its leader went away is set up on the next one with
 * its transaction doomed (session-state.ts: the rule), so its EXEC never runs unwatched or
 * half-queued. The page's key watches (`watchKeys`) are registered with each new leader before
 * anything is resent to it.
 */
import type { CommandArg } from '@lodis/core';
import type { Durability } from '@lodis/idb-persist';
import { holdForever, LeaderLock, lockHolder, lockManager } from './election.js';
import { Leader, RESEND, type LocalResult } from './leader.js';
import { SessionStates } from './session-state.js';
import {
  names,
  type Announce,
  type ControlMessage,
  type KeyWatchStats,
  type Leadership,
  type OpBatch,
  type PageBatch,
  type PageToWorker,
  type Ping,
  type TabMessage,
  type UnwatchKeysRequest,
  type WatchKeysRequest,
  type WireReply,
  type WorkerToPage,
} from './protocol.js';

/** A page command until its reply is in. */
interface Op {
  readonly n: number;
  readonly session: number;
  readonly argv: CommandArg[];
  readonly buffers: boolean;
  /** The leadership it was last sent to (null: not sent yet, or to be sent again). */
  sentTo: Announce | null;
  /** Sent at least once before: a resend carries its op id to the engine. */
  resent: boolean;
  /** Internal (state restore after a leader change): its reply is not the page's. */
  readonly internal: boolean;
  /** A RestoreDirective (session-state.ts), not a command. */
  readonly restore: boolean;
  /** The engine of this worker it was last run on. */
  engine: Leader | null;
}


export interface TabOptions {
  /** The page's client id: the origin of op ids (protocol.ts OpenRequest). */
  readonly origin: string;
  readonly name: string;
  readonly durability: Durability;
  readonly leaderTimeout: number;
}

export class Tab {
  readonly id: string = crypto.randomUUID();
  private readonly locks = lockManager();
  private readonly lock: LeaderLock | null;
  private control: BroadcastChannel | null = null;
  private inbox: BroadcastChannel | null = null;
  private requests: BroadcastChannel | null = null;

  /** The engine, while this worker leads (or is loading to). */
  private leader: Leader | null = null;
  /** The leader ops go to: this worker's id when it leads. */
  private current: Announce | null = null;
  /** The highest term seen: an announcement below it is an old leader's, late. */
  private term = 0;
  private changes = 0;
  private readonly inflight = new Map<number, Op>();
  private readonly sessions = new SessionStates();
  /** Sessions the page closed before any leader was known. */
  private closeLater: number[] = [];
  private nextInternal = -1;
  /** Ops sent to this worker's engine and not settled; and those of an engine it no longer runs. */
  private localPending = 0;
  private oldLocal = 0;
  /** Ops sent to a remote leader and not answered (the watchdog's business). */
  private remotePending = 0;
  /** A new leader is known but the old engine's ops have not all settled yet. */
  private switchPending = false;

  /** The page's key watches, by id (registered with every leader this worker follows). */
  private readonly keyWatches = new Map<number, { readonly pattern: CommandArg; readonly db: number | null }>();

  // Batching: ops for the remote leader, replies for the page, per microtask.
  private outgoing: {
    ns: number[];
    commands: CommandArg[][];
    sessions: number[];
    buffers: number[];
    close: number[];
    restore: number[];
  } | null = null;
  private pageIds: number[] = [];
  private pageReplies: WireReply[] = [];
  private pageFlushScheduled = false;

  // Stall detection.
  private lastHeard = 0;
  private watchdog: ReturnType<typeof setInterval> | null = null;
  private stealing = false;
  /** A new lock holder given time to load and announce itself before it is taken over too. */
  private spared: string | null = null;

  private closed = false;
  private readyResolve!: () => void;
  private readyReject!: (e: unknown) => void;
  /** Resolves when a leader serves the store. */
  readonly ready = new Promise<void>((resolve, reject) => {
    this.readyResolve = resolve;
    this.readyReject = reject;
  });

  constructor(
    private readonly options: TabOptions,
    private readonly page: MessagePort,
  ) {
    this.lock = this.locks
      ? new LeaderLock(this.locks, names.leaderLock(options.name), {
          acquired: () => void this.lead(),
          lost: () => this.stepDown('the lock was taken by another tab'),
        })
      : null;
    page.onmessage = (e: MessageEvent<PageToWorker>) => this.fromPage(e.data);
  }

  /** Join the store's tabs: hold this tab's lifetime lock, listen, and queue for leadership. */
  async start(): Promise<void> {
    const { name } = this.options;
    if (this.locks === null) {
      console.warn(
        `Lodis: Web Locks are not available here, so "${name}" runs in single-tab mode: ` +
          'do not open it in another tab at the same time (two writers would corrupt it).',
      );
      await this.lead();
      return this.ready;
    }
    await holdForever(this.locks, names.tabLock(name, this.id));
    const inbox = (this.inbox = new BroadcastChannel(names.tab(name, this.id)));
    inbox.onmessage = (e: MessageEvent<TabMessage>) => this.fromLeader(e.data);
    const control = (this.control = new BroadcastChannel(names.control(name)));
    control.onmessage = (e: MessageEvent<ControlMessage>) => this.onControl(e.data);
    this.requests = new BroadcastChannel(names.requests(name));
    control.postMessage({ kind: 'who' } satisfies ControlMessage);
    this.lock!.queue();
    return this.ready;
  }

  keyWatchStats(): KeyWatchStats {
    return { tab: this.keyWatches.size, leader: this.leader?.keyWatchStats() ?? null };
  }

  leadership(): Leadership {
    const leader = this.current?.leader ?? null;
    return {
      tab: this.id,
      role: this.locks === null ? 'single' : leader === this.id && this.leader !== null ? 'leader' : 'follower',
      leader,
      term: this.current?.term ?? 0,
      changes: this.changes,
    };
  }

  // ---- leading ----

  private async lead(): Promise<void> {
    if (this.closed) {
      this.lock?.giveUp();
      return;
    }
    const leader = (this.leader = new Leader(this.options.name, this.options.durability, this.id, this.options.origin, this.locks, {
      settled: (op, r) => this.settledLocal(op as Op, r),
      push: (session, msg) => this.postPage({ kind: 'push', session, msg }),
      fenced: () => this.stepDown('another tab took over (fenced)'),
      keyChanges: (batch) => this.postPage({ kind: 'key-changes', ...batch }),
    }));
    let term: number;
    try {
      term = await leader.open();
    } catch (e) {
      if (this.leader !== leader) return; // stepped down while loading: nothing went wrong
      this.leader = null;
      if (this.locks === null) this.readyReject(e);
      else {
        console.error('Lodis: could not open the store as leader', e);
        this.lock?.giveUp();
        if (!this.closed) setTimeout(() => this.lock?.queue(), 1000);
      }
      return;
    }
    if (this.leader !== leader) return; // stepped down while loading
    const lockClient = this.locks ? await lockHolder(this.locks, names.leaderLock(this.options.name)).catch(() => null) : null;
    if (this.leader !== leader) return;
    const announce: Announce = { kind: 'leader', leader: this.id, term, lockClient };
    this.control?.postMessage(announce);
    this.follow(announce);
  }

  /** This worker no longer leads: drop the engine (what it was running settles) and queue again. */
  private stepDown(why: string): void {
    const leader = this.leader;
    if (leader === null) return;
    this.leader = null;
    this.oldLocal += this.localPending;
    this.localPending = 0;
    leader.stepDown();
    if (this.current?.leader === this.id) this.current = null;
    if (!this.closed) {
      console.warn(`Lodis: this tab stopped leading "${this.options.name}": ${why}`);
      this.lock?.giveUp();
      this.lock?.queue();
    }
  }

  // ---- following ----

  private onControl(m: ControlMessage): void {
    if (m.kind === 'who') {
      if (this.leader !== null && this.current?.leader === this.id) this.control?.postMessage(this.current);
      return;
    }
    if (m.leader === this.id || m.term < this.term) return; // an older leader, late
    if (this.leader !== null) {
      // Loading, this worker holds the lock: an announcement now is an older leader's, late (a
      // lock taken from it is reported by the lock itself).
      if (this.leader.term === 0) return;
      if (m.term <= this.leader.term) return;
      this.stepDown(`tab ${m.leader} leads now (term ${m.term})`);
    }
    this.follow(m);
  }

  /** Route to `a` from now on: restore the sessions' state there, then resend what is unanswered. */
  private follow(a: Announce): void {
    if (this.current !== null && this.current.leader === a.leader && this.current.term === a.term) return;
    this.current = a;
    if (a.term > this.term) this.term = a.term;
    this.changes++;
    this.lastHeard = performance.now();
    this.readyResolve();
    if (this.oldLocal > 0) {
      this.switchPending = true; // after the old engine's ops have settled
      return;
    }
    this.resendAll();
  }

  private resendAll(): void {
    this.switchPending = false;
    const to = this.current;
    if (to === null) return;
    // Internal ops of an earlier switch are superseded by this one.
    for (const [n, op] of this.inflight) if (op.internal) this.inflight.delete(n);
    const pending = [...this.inflight.values()];
    this.inflight.clear();
    this.remotePending = 0;
    // Watches first: the changes made by what is resent are seen.
    for (const id of this.keyWatches.keys()) this.registerKeyWatch(id);
    for (const [session, argv, restore] of this.sessions.restoreCommands()) this.internal(session, argv, restore);
    for (const op of pending) {
      this.inflight.set(op.n, op);
      if (op.sentTo !== to) {
        if (op.sentTo !== null) op.resent = true;
        this.dispatch(op);
      }
    }
    const closing = this.closeLater;
    this.closeLater = [];
    for (const s of closing) this.endSession(s);
  }

  /** A command that sets a session's state up again on a new leader: its reply is not the page's. */
  private internal(session: number, argv: CommandArg[], restore: boolean): void {
    const op: Op = { n: this.nextInternal--, session, argv, buffers: false, sentTo: null, resent: false, internal: true, restore, engine: null };
    this.inflight.set(op.n, op);
    this.dispatch(op);
  }

  // ---- commands ----

  private fromPage(m: PageToWorker): void {
    if (m.kind === 'batch') this.submit(m);
    else if (m.kind === 'watch-keys') {
      this.keyWatches.set(m.id, { pattern: m.pattern, db: m.db });
      if (this.current !== null && !this.switchPending) this.registerKeyWatch(m.id);
    } else if (this.keyWatches.delete(m.id) && this.current !== null && !this.switchPending) {
      const to = this.current.leader;
      if (to === this.id) this.leader?.unwatchKeys(this.id, m.id);
      else this.requests?.postMessage({ kind: 'unwatch-keys', to, tab: this.id, id: m.id } satisfies UnwatchKeysRequest);
    }
  }

  /** Register the page's watch `id` with the leader now followed. */
  private registerKeyWatch(id: number): void {
    const w = this.keyWatches.get(id)!;
    const to = this.current!.leader;
    if (to === this.id) this.leader?.watchLocalKeys(id, w.pattern, w.db);
    else this.requests?.postMessage({ kind: 'watch-keys', to, tab: this.id, id, pattern: w.pattern, db: w.db } satisfies WatchKeysRequest);
  }

  /** A batch from the page. */
  private submit(b: PageBatch): void {
    const { first, commands, sessions, buffers } = b;
    const resent = b.resent === true;
    const restores = b.restore ?? [];
    let k = 0;
    let r = 0;
    for (let i = 0; i < commands.length; i++) {
      const buf = buffers[k] === i;
      if (buf) k++;
      const restore = restores[r] === i;
      if (restore) r++;
      const op: Op = { n: first + i, session: sessions[i]!, argv: commands[i]!, buffers: buf, sentTo: null, resent, internal: false, restore, engine: null };
      this.inflight.set(op.n, op);
      if (this.current !== null && !this.switchPending) this.dispatch(op);
    }
    for (const s of b.close) {
      this.sessions.forget(s);
      if (this.current === null || this.switchPending) this.closeLater.push(s);
      else this.endSession(s);
    }
  }

  private endSession(s: number): void {
    if (this.current!.leader === this.id) this.leader?.endLocal(s);
    else this.outbox().close.push(s);
  }

  private dispatch(op: Op): void {
    const to = this.current!;
    op.sentTo = to;
    const leader = this.leader;
    if (to.leader === this.id && leader !== null) {
      this.localPending++;
      op.engine = leader;
      leader.exec(op);
      return;
    }
    if (this.remotePending++ === 0) this.lastHeard = performance.now(); // silence before now is not the leader's fault
    const out = this.outbox();
    if (op.buffers) out.buffers.push(out.commands.length);
    if (op.restore) out.restore.push(out.commands.length);
    out.ns.push(op.n);
    out.commands.push(op.argv);
    out.sessions.push(op.session);
  }

  /** Ops to the remote leader, sent as one message at the end of this microtask. */
  private outbox(): NonNullable<Tab['outgoing']> {
    if (this.outgoing === null) {
      this.outgoing = { ns: [], commands: [], sessions: [], buffers: [], close: [], restore: [] };
      queueMicrotask(() => this.flushOutgoing());
      this.armWatchdog();
    }
    return this.outgoing;
  }

  private flushOutgoing(): void {
    const out = this.outgoing;
    this.outgoing = null;
    const to = this.current?.leader;
    if (out === null || to === undefined || to === this.id) return;
    const { restore, ...rest } = out;
    const msg: OpBatch = { kind: 'ops', to, tab: this.id, origin: this.options.origin, ...rest, ...(restore.length ? { restore } : {}) };
    this.requests?.postMessage(msg);
  }

  private settledLocal(op: Op, r: LocalResult): void {
    const fromOld = op.engine !== this.leader;
    if (fromOld) this.oldLocal--;
    else this.localPending--;
    if (this.inflight.get(op.n) === op && op.sentTo?.leader === this.id) {
      if (r === RESEND) op.sentTo = null;
      else this.complete(op, r);
    }
    if (fromOld && this.oldLocal === 0 && this.switchPending) this.resendAll();
  }

  private fromLeader(m: TabMessage): void {
    if (this.current === null || m.from !== this.current.leader) return; // an old leader's late word
    this.lastHeard = performance.now();
    if (m.kind === 'replies') {
      const { ns, replies } = m;
      for (let i = 0; i < ns.length; i++) {
        const op = this.inflight.get(ns[i]!);
        if (op !== undefined && op.sentTo === this.current) {
          this.remotePending--;
          this.complete(op, replies[i]!);
        }
      }
    } else if (m.kind === 'push') {
      this.postPage({ kind: 'push', session: m.session, msg: m.msg });
    } else if (m.kind === 'key-changes') {
      const { watches, keys, events, dbs } = m;
      this.postPage({ kind: 'key-changes', watches, keys, events, dbs });
    }
  }

  private complete(op: Op, r: WireReply): void {
    this.inflight.delete(op.n);
    if (op.internal) return;
    if (op.restore) this.sessions.restored(op.session, op.argv);
    else this.sessions.track(op.session, op.argv, isError(r) ? (r as { err: string }).err : null, r === null);
    this.pageIds.push(op.n);
    this.pageReplies.push(r);
    if (!this.pageFlushScheduled) {
      this.pageFlushScheduled = true;
      queueMicrotask(this.flushPage);
    }
  }

  private readonly flushPage = (): void => {
    this.pageFlushScheduled = false;
    if (this.pageIds.length === 0) return;
    const msg: WorkerToPage = { kind: 'replies', ids: this.pageIds, replies: this.pageReplies };
    this.pageIds = [];
    this.pageReplies = [];
    this.page.postMessage(msg);
  };

  private postPage(m: WorkerToPage): void {
    // Keep replies and pushes in order. Key changes go at once: those of a command come before its
    // reply, as in-process (a handler has run when the command's promise settles).
    if (m.kind !== 'replies' && m.kind !== 'key-changes' && this.pageIds.length) this.flushPage();
    this.page.postMessage(m);
  }

  // ---- a stalled leader ----

  private armWatchdog(): void {
    if (this.watchdog !== null || this.locks === null) return;
    const period = Math.max(50, this.options.leaderTimeout / 4);
    this.watchdog = setInterval(() => this.checkLeader(), period);
  }

  private checkLeader(): void {
    const cur = this.current;
    const waiting = cur !== null && cur.leader !== this.id && this.remotePending > 0;
    if (!waiting) {
      clearInterval(this.watchdog!);
      this.watchdog = null;
      return;
    }
    const silent = performance.now() - this.lastHeard;
    if (silent > this.options.leaderTimeout) void this.replaceStalled(cur);
    else if (silent > this.options.leaderTimeout / 4) {
      this.requests?.postMessage({ kind: 'ping', to: cur.leader, tab: this.id } satisfies Ping);
    }
  }

  /** The leader `stalled` has not answered for leaderTimeout: one follower steals its lock. */
  private async replaceStalled(stalled: Announce): Promise<void> {
    if (this.stealing || this.locks === null) return;
    this.stealing = true;
    try {
      await this.locks.request(names.stealLock(this.options.name), { ifAvailable: true }, async (held) => {
        if (held === null || this.current !== stalled || this.closed) return;
        // The lock has moved on (the leader died; the next one is loading): give that one a
        // leaderTimeout of its own before taking the lock from it too. A lock held by no one
        // visible (a frozen page's worker) is taken at once.
        const holder = await lockHolder(this.locks!, names.leaderLock(this.options.name));
        if (holder !== null && holder !== stalled.lockClient && holder !== this.spared) {
          this.spared = holder;
          this.lastHeard = performance.now();
          return;
        }
        console.warn(`Lodis: the leader of "${this.options.name}" has not answered for ${this.options.leaderTimeout} ms; taking over`);
        this.lock!.steal();
        // Hold the steal lock until a new leader (this one, once loaded) has announced itself.
        const deadline = performance.now() + 10 * this.options.leaderTimeout;
        while (this.current === stalled && !this.closed && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      });
    } finally {
      this.stealing = false;
    }
  }

  // ---- closing ----

  /** Leave: let this tab's ops finish, hand leadership on, stop listening. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.watchdog !== null) clearInterval(this.watchdog);
    // Ops still waiting for a reply get one if the leader gives it soon; the page's own close waits for them.
    const leader = this.leader;
    this.leader = null;
    try {
      if (leader !== null) await leader.close();
    } finally {
      this.lock?.giveUp();
      this.control?.close();
      this.inbox?.close();
      this.requests?.close();
      this.page.close();
    }
  }
}

function isError(r: WireReply): boolean {
  return typeof r === 'object' && r !== null && !Array.isArray(r) && !(r instanceof Uint8Array);
}
