/// <reference lib="dom" />
/**
 * The leader: the one worker that runs the engine and writes IndexedDB. It serves its own tab's
 * sessions directly and every other tab's over BroadcastChannel: ops arrive on the requests
 * channel addressed to it; replies and pushes go back on each tab's own channel, batched per
 * microtask. A forwarded op runs with its operation id (core's `sendOp`), so its reply is logged
 * with its effects and a resend after a leader change is answered from the table.
 *
 * A tab's sessions live as long as the tab: each worker holds the lock `lodis:<name>:tab:<tab>`
 * while it lives, and the leader, queued for that lock, is granted it when the tab is gone and
 * ends the tab's sessions (its subscriptions with them).
 *
 * A transaction runs here whole: a MULTI … EXEC sent in one batch (the typed `multi()`) is run in
 * one turn, and EXEC runs its queue back to back, so nothing of another tab comes in between. A
 * RestoreDirective (session-state.ts) in a batch dooms the transaction of a session set up again
 * after a leader change.
 *
 * Reactive keys: each tab's watches (pattern, db) are kept here; while there is one, the leader
 * observes its engine's keyspace events (core's observeKeyChanges) and sends each tab the changes
 * of its watched keys, one message per tab per microtask.
 */
import {
  keyChangeKey,
  KeyPattern,
  LocalTransport,
  observeKeyChanges,
  openStore,
  ReplyError,
  type CommandArg,
  type DecodedBuffer,
  type KeyspaceObserver,
  type Store,
} from '@lodis/core';
import { IdbPersistence, idbPersistence, type Durability } from '@lodis/idb-persist';
import { whenReleased } from './election.js';
import {
  names,
  type KeyChangeBatch,
  type OpBatch,
  type OpKeyChanges,
  type OpPush,
  type OpReplies,
  type Pong,
  type RequestMessage,
  type WireReply,
} from './protocol.js';
import { readRestoreDirective } from './session-state.js';
import { errorToWire, toWire } from './wire.js';

/** What the leader gives instead of a reply when the op must go to the next leader: it was fenced. */
export const RESEND = Symbol('resend');
export type LocalResult = WireReply | typeof RESEND;

/** An op of this worker's own tab (tab.ts Op). */
export interface LocalOp {
  readonly n: number;
  readonly session: number;
  readonly argv: CommandArg[];
  readonly buffers: boolean;
  readonly resent: boolean;
  /** A RestoreDirective, not a command. */
  readonly restore: boolean;
}

export interface LeaderEvents {
  /** The reply to an op of this worker's own tab. */
  settled(op: LocalOp, r: LocalResult): void;
  /** A pushed reply for a session of this worker's own tab. */
  push(session: number, msg: WireReply): void;
  /** IndexedDB says another leader has taken over (an append was fenced): step down. */
  fenced(): void;
  /** Changes of keys this worker's own tab watches. */
  keyChanges(batch: KeyChangeBatch): void;
}

/** One tab's watches of keys, and the changes gathered for its next message. */
interface TabKeyWatches {
  readonly watches: Map<number, KeyPattern>;
  readonly send: (batch: KeyChangeBatch) => void;
  batch: { watches: number[]; keys: string[]; events: string[]; dbs: number[] } | null;
}

/** Another tab's sessions, as the leader keeps them. */
interface RemoteTab {
  readonly id: string;
  readonly sessions: Map<number, LocalTransport>;
  readonly channel: BroadcastChannel;
  readonly stopWatching: () => void;
  /** Replies waiting for this microtask's message. */
  ns: number[];
  replies: WireReply[];
  scheduled: boolean;
  /** Its worker is gone, or this leader is: its channel is closed. */
  gone: boolean;
}

/** Post to a tab's channel unless it is closed (a write of a tab that died may settle after). */
function post(tab: RemoteTab, msg: OpReplies | OpPush | Pong | OpKeyChanges): void {
  if (!tab.gone) tab.channel.postMessage(msg);
}

export class Leader {
  private store: Store | null = null;
  private persistence: IdbPersistence | null = null;
  /** This tab's sessions. */
  private readonly local = new Map<number, LocalTransport>();
  private readonly tabs = new Map<string, RemoteTab>();
  private requests: BroadcastChannel | null = null;
  /** Set once stepping down or closing: no new op is accepted. */
  private down = false;
  /** Set when it stepped down (another leader serves the store); not when this tab is closing. */
  private steppedDown = false;
  /** Watched keys, by tab id (this worker's own id for its tab). */
  private readonly keyWatches = new Map<string, TabKeyWatches>();
  private watchCount = 0;
  private stopObserving: (() => void) | null = null;
  term = 0;

  constructor(
    private readonly name: string,
    private readonly durability: Durability,
    /** This worker's tab id. */
    readonly id: string,
    /** The origin of this tab's op ids (its page's client id). */
    private readonly origin: string,
    private readonly locks: LockManager | null,
    private readonly events: LeaderEvents,
  ) {}

  /** Load the store (bumping the epoch: fencing off any older leader) and start taking ops. */
  async open(): Promise<number> {
    // 'memory': nothing outlives the leader, so nothing is logged (and there is nothing to resend
    // against: a new leader starts empty).
    const persistence = this.durability === 'memory' ? undefined : idbPersistence({ name: this.name, durability: this.durability });
    this.persistence = persistence instanceof IdbPersistence ? persistence : null;
    const store = await openStore({ persistence });
    if (this.down) {
      await store.close().catch(() => {});
      throw new Error('stepped down while loading');
    }
    this.store = store;
    this.term = this.persistence?.writerEpoch ?? Date.now();
    const requests = (this.requests = new BroadcastChannel(names.requests(this.name)));
    requests.onmessage = (e: MessageEvent<RequestMessage>) => this.receive(e.data);
    return this.term;
  }

  // ---- this tab ----

  /** Run an op of this tab's sessions; its reply goes to `events.settled`. */
  exec(op: LocalOp): void {
    const t = this.localSession(op.session);
    if (t === null) {
      queueMicrotask(() => this.events.settled(op, RESEND));
      return;
    }
    if (op.restore) {
      const { watching, multi } = readRestoreDirective(op.argv);
      t.restoreTransaction(watching, multi);
      queueMicrotask(() => this.events.settled(op, 'OK'));
      return;
    }
    // An op sent before (to another leader) carries its id: it may have been applied already.
    if (op.resent) t.dispatch(op.argv, op.buffers, this.settleLocal, op, this.origin, op.n);
    else t.dispatch(op.argv, op.buffers, this.settleLocal, op);
  }

  private readonly settleLocal = (op: LocalOp, r: DecodedBuffer): void => {
    this.events.settled(op, r instanceof ReplyError ? this.onError(r) : toWire(r));
  };

  endLocal(session: number): void {
    const t = this.local.get(session);
    if (t === undefined) return;
    this.local.delete(session);
    t.close();
  }

  private localSession(id: number): LocalTransport | null {
    let t = this.local.get(id);
    if (t === undefined) {
      if (this.store === null || this.down) return null;
      t = new LocalTransport(this.store.engine);
      t.onPush((msg) => this.events.push(id, toWire(msg as DecodedBuffer)), true);
      this.local.set(id, t);
    }
    return t;
  }

  /**
   * An error reply, or RESEND: when the write failed because this leader was fenced, and for any
   * error once it has stepped down (a blocked command cancelled, a write refused) — a command that
   * failed did nothing, so the next leader may run it.
   */
  private readonly onError = (e: unknown): LocalResult => {
    if (this.steppedDown) return RESEND;
    if (this.isFenced()) {
      this.events.fenced();
      return RESEND;
    }
    return errorToWire(e);
  };

  private isFenced(): boolean {
    const failure = this.store?.engine.commandLog?.failure as { name?: string } | null | undefined;
    return failure?.name === 'FencedError';
  }

  // ---- other tabs ----

  private receive(m: RequestMessage): void {
    if (m.to !== this.id || this.down) return; // for another (newer) leader: not ours to run
    if (m.kind === 'ping') {
      post(this.tab(m.tab), { kind: 'pong', from: this.id } satisfies Pong);
      return;
    }
    if (m.kind === 'watch-keys') {
      const tab = this.tab(m.tab);
      this.watchKeys(m.tab, m.id, m.pattern, m.db, (batch) => post(tab, { kind: 'key-changes', from: this.id, ...batch } satisfies OpKeyChanges));
      return;
    }
    if (m.kind === 'unwatch-keys') {
      this.unwatchKeys(m.tab, m.id);
      return;
    }
    this.runOps(m);
  }

  private runOps(m: OpBatch): void {
    const tab = this.tab(m.tab);
    const { ns, commands, sessions, buffers } = m;
    const restore = m.restore ?? [];
    let b = 0;
    let r = 0;
    for (let i = 0; i < commands.length; i++) {
      const t = this.remoteSession(tab, sessions[i]!);
      const buf = buffers[b] === i;
      if (buf) b++;
      if (restore[r] === i) {
        r++;
        const { watching, multi } = readRestoreDirective(commands[i]!);
        t.restoreTransaction(watching, multi);
        this.reply(tab, ns[i]!, 'OK');
        continue;
      }
      t.dispatch(commands[i]!, buf, this.settleRemote, { tab, n: ns[i]! }, m.origin, ns[i]!);
    }
    for (const s of m.close) {
      tab.sessions.get(s)?.close();
      tab.sessions.delete(s);
    }
  }

  private readonly settleRemote = (ctx: { tab: RemoteTab; n: number }, r: DecodedBuffer): void => {
    const w = r instanceof ReplyError ? this.onError(r) : toWire(r);
    if (w !== RESEND) this.reply(ctx.tab, ctx.n, w);
  };

  private tab(id: string): RemoteTab {
    let tab = this.tabs.get(id);
    if (tab === undefined) {
      const channel = new BroadcastChannel(names.tab(this.name, id));
      const stopWatching = this.locks ? whenReleased(this.locks, names.tabLock(this.name, id), () => this.tabGone(id)) : () => {};
      tab = { id, sessions: new Map(), channel, stopWatching, ns: [], replies: [], scheduled: false, gone: false };
      this.tabs.set(id, tab);
    }
    return tab;
  }

  private remoteSession(tab: RemoteTab, id: number): LocalTransport {
    let t = tab.sessions.get(id);
    if (t === undefined) {
      t = new LocalTransport(this.store!.engine);
      t.onPush((msg) => {
        const push: OpPush = { kind: 'push', from: this.id, session: id, msg: toWire(msg as DecodedBuffer) };
        post(tab, push);
      }, true);
      tab.sessions.set(id, t);
    }
    return t;
  }

  private reply(tab: RemoteTab, n: number, r: WireReply): void {
    tab.ns.push(n);
    tab.replies.push(r);
    if (tab.scheduled) return;
    tab.scheduled = true;
    queueMicrotask(() => {
      tab.scheduled = false;
      const msg: OpReplies = { kind: 'replies', from: this.id, ns: tab.ns, replies: tab.replies };
      tab.ns = [];
      tab.replies = [];
      post(tab, msg);
    });
  }

  // ---- reactive keys ----

  /** Send tab `tab` the changes of keys matching `pattern` (in `db`, or any) as watch `id`. */
  watchKeys(tab: string, id: number, pattern: CommandArg, db: number | null, send: (batch: KeyChangeBatch) => void): void {
    if (this.store === null || this.down) return;
    let w = this.keyWatches.get(tab);
    if (w === undefined) this.keyWatches.set(tab, (w = { watches: new Map(), send, batch: null }));
    if (!w.watches.has(id)) this.watchCount++;
    w.watches.set(id, new KeyPattern(pattern, db));
    this.stopObserving ??= observeKeyChanges(this.store.engine, this.observe);
  }

  unwatchKeys(tab: string, id: number): void {
    const w = this.keyWatches.get(tab);
    if (w === undefined || !w.watches.delete(id)) return;
    if (w.watches.size === 0) this.keyWatches.delete(tab); // a batch gathered already still goes (the page drops it)
    if (--this.watchCount === 0) this.stopWatching();
  }

  /** The watches held here, and the engine's keyspace observers (a test hook). */
  keyWatchStats(): { watches: number; tabs: number; observers: number } {
    return { watches: this.watchCount, tabs: this.keyWatches.size, observers: this.store?.engine.keyspaceObservers.size ?? 0 };
  }

  /** Watches of this worker's own tab (its page's). */
  watchLocalKeys(id: number, pattern: CommandArg, db: number | null): void {
    this.watchKeys(this.id, id, pattern, db, (batch) => this.events.keyChanges(batch));
  }

  /** Forget every watch of tab `tab`. */
  private dropKeyWatches(tab: string): void {
    const w = this.keyWatches.get(tab);
    if (w === undefined) return;
    this.keyWatches.delete(tab);
    this.watchCount -= w.watches.size;
    if (this.watchCount === 0) this.stopWatching();
  }

  private stopWatching(): void {
    this.stopObserving?.();
    this.stopObserving = null;
  }

  /** A keyspace event of the engine: gather it for every tab watching a matching key. */
  private readonly observe: KeyspaceObserver = (_type: number, event: string, key: string, dbid: number) => {
    for (const w of this.keyWatches.values()) {
      for (const [id, pattern] of w.watches) {
        if (!pattern.matches(key, dbid)) continue;
        let batch = w.batch;
        if (batch === null) {
          batch = w.batch = { watches: [], keys: [], events: [], dbs: [] };
          queueMicrotask(() => this.sendKeyChanges(w));
        }
        batch.watches.push(id);
        batch.keys.push(keyChangeKey(key));
        batch.events.push(event);
        batch.dbs.push(dbid);
      }
    }
  };

  private sendKeyChanges(w: TabKeyWatches): void {
    const batch = w.batch!;
    w.batch = null;
    if (this.down) return;
    w.send(batch);
  }

  /** A tab's worker is gone: end its sessions. */
  private tabGone(id: string): void {
    this.dropKeyWatches(id);
    const tab = this.tabs.get(id);
    if (tab === undefined) return;
    this.tabs.delete(id);
    tab.gone = true;
    for (const t of tab.sessions.values()) t.close();
    tab.channel.close();
  }

  // ---- the end ----

  /**
   * Stop taking ops: the lock was lost or another leader announced itself, so this engine is
   * dropped. What is in flight settles: a write already durable is answered, one that was fenced
   * is left to the next leader (RESEND).
   */
  stepDown(): void {
    if (this.down) return;
    this.down = true;
    this.steppedDown = true;
    // Blocked commands (BLPOP …) are cancelled at once: nothing was popped, the next leader serves them.
    for (const t of this.local.values()) if (t.blocked) t.close();
    for (const tab of this.tabs.values()) for (const t of tab.sessions.values()) if (t.blocked) t.close();
    void this.shutDown().catch(() => {});
  }

  /** Close (this tab is leaving): stop taking ops, and resolve once every acknowledged write is durable. */
  close(): Promise<void> {
    if (this.down) return Promise.resolve();
    this.down = true;
    return this.shutDown();
  }

  private async shutDown(): Promise<void> {
    this.requests?.close();
    this.requests = null;
    this.stopWatching();
    this.keyWatches.clear();
    this.watchCount = 0;
    for (const tab of this.tabs.values()) tab.stopWatching();
    try {
      await this.store?.close();
    } finally {
      // Replies of ops that were in flight go out on their tab's channel first.
      await new Promise((r) => setTimeout(r, 0));
      for (const tab of this.tabs.values()) {
        tab.gone = true;
        tab.channel.close();
      }
      this.tabs.clear();
      for (const t of this.local.values()) t.close();
      this.local.clear();
    }
  }
}
