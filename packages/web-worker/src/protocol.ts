/**
 * The wire between a page and its Lodis worker: the message kinds, as types only (Comlink's
 * protocol.ts habit — the protocol in its own file, the mechanism in client.ts / worker.ts).
 *
 * Two channels:
 * - requests, over Comlink: `WorkerApi` — `open` once, then one `exec(batch)` per microtask of the
 *   page holding every command issued in it, replies back in order;
 * - pushes, over a MessagePort handed to the worker at `open`: `PushMessage`s (pub/sub messages,
 *   later keyspace events), a stream, not a Comlink call per message.
 */
import type { CommandArg, DecodedBuffer } from '@lodis/core';
import type { Durability } from '@lodis/idb-persist';

/** What the page asks the worker to open. */
export interface OpenRequest {
  readonly kind: 'open';
  /** The store's name (its IndexedDB database). */
  readonly name: string;
  readonly durability: Durability;
}

/**
 * The commands of one microtask of the page, in issue order. Entry i runs on session
 * `sessions[i]` (a connection: 0 is the client's own; `connect()` makes more); its reply keeps
 * bulk strings as bytes when i is in `buffers`. After the commands, the worker ends the sessions
 * listed in `close`.
 */
export interface Batch {
  readonly kind: 'batch';
  readonly commands: CommandArg[][];
  readonly sessions: number[];
  /** Indices of the commands sent with `callBuffer` (usually none). */
  readonly buffers: number[];
  readonly close: number[];
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

/** The replies to a batch, one per command, in order. */
export interface BatchReply {
  readonly kind: 'replies';
  readonly replies: WireReply[];
}

/** What the worker pushes on the port. */
export type PushMessage =
  /** A pushed reply (a pub/sub message) for one session; bulk strings as bytes. */
  | { readonly kind: 'push'; readonly session: number; readonly msg: WireReply }
  /** The store in the worker stopped (its persistence was closed, e.g. by another version). */
  | { readonly kind: 'closed'; readonly reason: string };

/** What the worker exposes through Comlink. */
export interface WorkerApi {
  /** Open the store (once); resolves when it has loaded what IndexedDB holds. */
  open(request: OpenRequest, pushes: MessagePort): Promise<void>;
  /** Run a batch; replies in order, errors as values. */
  exec(batch: Batch): Promise<BatchReply>;
  /** Close the store: resolves once every write acknowledged is durable and the backend is closed. */
  close(): Promise<void>;
}

/** Every message kind between page and worker. */
export type Message = OpenRequest | Batch | BatchReply | PushMessage;
