/**
 * The wires of @lodis/web-worker, as types only (Comlink's protocol.ts habit — the protocol in its
 * own file, the mechanism elsewhere).
 *
 * Page ⇄ its worker
 * - control, over Comlink: `WorkerApi` — `open` once (handing the worker a MessagePort), `close`,
 *   `leadership`, and a test hook;
 * - commands, over that MessagePort: one `PageBatch` per microtask of the page holding every
 *   command issued in it; `PageReplies` back as commands complete (a blocked command holds up
 *   nobody), pushes (pub/sub messages) as `PagePush`, a stream, not a call per message.
 *
 * Worker ⇄ worker, over BroadcastChannels of the store's name (same origin only):
 * - `lodis:<name>` (control): `Announce` by each new leader, `Who` by a worker that starts;
 * - `lodis:<name>:leader` (requests): `OpBatch` and `Ping` from followers, addressed to the leader
 *   they believe in — a stalled old leader that wakes up ignores what is not addressed to it;
 * - `lodis:<name>:tab:<tab>` (one per worker): the leader's `OpReplies`, `OpPush` and `Pong`.
 *
 * Every page command carries an operation id, (tab, number): the leader records the reply of a
 * forwarded write with its effects (core's opreplies.ts), so a command resent after a leader change
 * is answered from that table instead of being applied twice.
 *
 * Reactive keys (`watchKeys`): the page registers each watch with its worker (`PageWatchKeys`),
 * which registers it with the leader (`WatchKeysRequest`, again after every leader change); the
 * leader observes its engine's keyspace events and sends each tab the changes of its watched keys,
 * batched per microtask (`OpKeyChanges`), which its worker passes on to the page (`PageKeyChanges`).
 */
import type { CommandArg, DecodedBuffer } from '@lodis/core';
import type { Durability } from '@lodis/idb-persist';

// ---- page ⇄ worker ------------------------------------------------------------------------------

/** What the page asks its worker to open. */
export interface OpenRequest {
  readonly kind: 'open';
  /** The store's name (its IndexedDB database, its lock and its channels). */
  readonly name: string;
  /** How the leader makes writes durable (the leader's own option applies to every tab). */
  readonly durability: Durability;
  /** A follower that hears nothing from the leader for this long (ms) while waiting takes over. */
  readonly leaderTimeout: number;
  /**
   * The page's client id: the origin of its operation ids. It outlives the worker (a page back
   * from the back/forward cache starts a new one and resends), so a resend is recognised.
   */
  readonly origin: string;
}

/**
 * The commands of one microtask of the page, in issue order. Command i has id `first + i` (its
 * operation number) and runs on session `sessions[i]` (a connection: 0 is the client's own;
 * `connect()` makes more); its reply keeps bulk strings as bytes when i is in `buffers`. After the
 * commands, the sessions listed in `close` end.
 */
export interface PageBatch {
  readonly kind: 'batch';
  readonly first: number;
  readonly commands: CommandArg[][];
  readonly sessions: number[];
  /** Indices (in this batch) of the commands sent with `callBuffer`, ascending. */
  readonly buffers: number[];
  readonly close: number[];
  /** These commands were sent to an earlier worker of this page: any may have been applied. */
  readonly resent?: boolean;
  /** Indices of the commands that are transaction restores (`restoreDirective`), not commands. */
  readonly restore?: number[];
}

/**
 * A session's transaction state set up again on an engine that knows nothing of it (a new leader,
 * a restarted worker): it was WATCHing keys, it was in MULTI. Sent in place of a command, its
 * index listed in the batch's `restore`; the engine dooms the transaction (core's
 * LocalTransport.restoreTransaction): EXEC replies null, or fails with EXECABORT.
 */
export type RestoreDirective = [name: 'restore-transaction', watching: 0 | 1, multi: 0 | 1];

/** The page watches keys matching `pattern` (in database `db`, or any): their changes come as PageKeyChanges for `id`. */
export interface PageWatchKeys {
  readonly kind: 'watch-keys';
  readonly id: number;
  readonly pattern: CommandArg;
  readonly db: number | null;
}

/** The page stopped watch `id`. */
export interface PageUnwatchKeys {
  readonly kind: 'unwatch-keys';
  readonly id: number;
}

export type PageToWorker = PageBatch | PageWatchKeys | PageUnwatchKeys;

/**
 * Changes of watched keys, in the order they happened: change i is of key `keys[i]`, keyspace
 * event `events[i]`, database `dbs[i]`, for watch `watches[i]` (a change matching two watches of a
 * tab is there twice). Keys as text (bytes that are not UTF-8 as U+FFFD).
 */
export interface KeyChangeBatch {
  readonly watches: number[];
  readonly keys: string[];
  readonly events: string[];
  readonly dbs: number[];
}

export interface PageKeyChanges extends KeyChangeBatch {
  readonly kind: 'key-changes';
}

/** An error reply, carried as a value: `{ err: "WRONGTYPE Operation against …" }`. */
export interface WireError {
  readonly err: string;
}

/**
 * A reply on the wire: a decoded RESP2 reply whose error values (top level, or inside an array as
 * EXEC returns them) are `WireError`s — structured clone does not keep a ReplyError's class. Decoded
 * replies hold no other plain objects, so the two never mix up.
 */
export type WireReply = Exclude<DecodedBuffer, Error | DecodedBuffer[]> | WireError | WireReply[];

/** Replies to page commands, by id, in the order they completed. */
export interface PageReplies {
  readonly kind: 'replies';
  readonly ids: number[];
  readonly replies: WireReply[];
}

/** A pushed reply (a pub/sub message) for one session of the page; bulk strings as bytes. */
export interface PagePush {
  readonly kind: 'push';
  readonly session: number;
  readonly msg: WireReply;
}

/** The store cannot go on in this tab (opening failed for good, or the worker was closed). */
export interface PageClosed {
  readonly kind: 'closed';
  readonly reason: string;
}

export type WorkerToPage = PageReplies | PagePush | PageClosed | PageKeyChanges;

/** Who serves the store, as `client.leadership()` reports it. */
export interface Leadership {
  /** This worker's id (its operation-id origin). */
  readonly tab: string;
  /** `leader`: this worker runs the engine; `follower`: it forwards to `leader`; `single`: no Web Locks, this tab alone. */
  readonly role: 'leader' | 'follower' | 'single';
  /** The leader's tab id, null while none is known. */
  readonly leader: string | null;
  /** The leader's term (its IndexedDB epoch): grows with every leader change. */
  readonly term: number;
  /** Leader changes this worker has seen. */
  readonly changes: number;
}

/** What the worker exposes through Comlink. */
export interface WorkerApi {
  /** Start (once): join the store's tabs; resolves once a leader serves it (this worker, after loading, or another). */
  open(request: OpenRequest, port: MessagePort): Promise<void>;
  /** Leave: resolves once every write this worker acknowledged is durable, and leadership (if held) is handed on. */
  close(): Promise<void>;
  leadership(): Promise<Leadership>;
  /** @internal Test hook: block this worker's thread for `ms` (a stalled leader). */
  stall(ms: number): Promise<void>;
  /** @internal Test hook: the key watches this worker holds (see KeyWatchStats). */
  keyWatchStats(): Promise<KeyWatchStats>;
}

/** Key watches as a worker holds them (a test hook: nothing may be left after unwatching). */
export interface KeyWatchStats {
  /** Watches of this worker's page. */
  readonly tab: number;
  /** When this worker leads: watches of every tab, tabs with watches, and observers on its engine. */
  readonly leader: { readonly watches: number; readonly tabs: number; readonly observers: number } | null;
}

// ---- worker ⇄ worker ----------------------------------------------------------------------------

/** Control channel: a leader has loaded the store and serves it. */
export interface Announce {
  readonly kind: 'leader';
  readonly leader: string;
  readonly term: number;
  /** The Web Locks client id holding the leader lock (a follower checks it before stealing). */
  readonly lockClient: string | null;
}

/** Control channel: a worker that starts asks the leader to announce itself. */
export interface Who {
  readonly kind: 'who';
}

export type ControlMessage = Announce | Who;

/** Requests channel: commands of one tab for the leader `to`; command i is op `ns[i]` of `tab`. */
export interface OpBatch {
  readonly kind: 'ops';
  readonly to: string;
  /** The sending worker (its channel, its lifetime lock). */
  readonly tab: string;
  /** The origin of the ops' ids (the page's client id). */
  readonly origin: string;
  readonly ns: number[];
  readonly commands: CommandArg[][];
  readonly sessions: number[];
  /** Indices of the commands whose bulk replies stay bytes, ascending. */
  readonly buffers: number[];
  /** Sessions of `tab` to end after the commands. */
  readonly close: number[];
  /** Indices of the commands that are transaction restores (PageBatch's `restore`). */
  readonly restore?: number[];
}

/** Requests channel: tab `tab` watches keys (its page's watch `id`), for the leader `to`. */
export interface WatchKeysRequest {
  readonly kind: 'watch-keys';
  readonly to: string;
  readonly tab: string;
  readonly id: number;
  readonly pattern: CommandArg;
  readonly db: number | null;
}

/** Requests channel: tab `tab` stopped watch `id`. */
export interface UnwatchKeysRequest {
  readonly kind: 'unwatch-keys';
  readonly to: string;
  readonly tab: string;
  readonly id: number;
}

/** Requests channel: is the leader `to` alive? (sent by a follower that waits for replies). */
export interface Ping {
  readonly kind: 'ping';
  readonly to: string;
  readonly tab: string;
}

export type RequestMessage = OpBatch | Ping | WatchKeysRequest | UnwatchKeysRequest;

/** Tab channel: replies to ops, by op number, from the leader `from`. */
export interface OpReplies {
  readonly kind: 'replies';
  readonly from: string;
  readonly ns: number[];
  readonly replies: WireReply[];
}

/** Tab channel: a pushed reply for one of the tab's sessions. */
export interface OpPush {
  readonly kind: 'push';
  readonly from: string;
  readonly session: number;
  readonly msg: WireReply;
}

export interface Pong {
  readonly kind: 'pong';
  readonly from: string;
}

/** Tab channel: changes of the tab's watched keys, from the leader `from`. */
export interface OpKeyChanges extends KeyChangeBatch {
  readonly kind: 'key-changes';
  readonly from: string;
}

export type TabMessage = OpReplies | OpPush | Pong | OpKeyChanges;

/** Every message kind. */
export type Message = OpenRequest | PageToWorker | WorkerToPage | ControlMessage | RequestMessage | TabMessage;

/** Channel and lock names of a store. */
export const names = {
  /** The Web Lock whose holder is the leader. */
  leaderLock: (name: string) => `lodis:${name}`,
  /** Held by the one follower that is replacing a stalled leader. */
  stealLock: (name: string) => `lodis:${name}:steal`,
  /** Held by each worker for its lifetime: the leader learns a tab is gone when it gets it. */
  tabLock: (name: string, tab: string) => `lodis:${name}:tab:${tab}`,
  control: (name: string) => `lodis:${name}`,
  requests: (name: string) => `lodis:${name}:leader`,
  tab: (name: string, tab: string) => `lodis:${name}:tab:${tab}`,
};
