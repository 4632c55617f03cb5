/**
 * How the typed API reaches an engine. The in-process store, the worker client and the
 * server-backed client each provide a Transport; the typed methods (api/*.ts) are defined once
 * over it (PGlite's one-interface-several-fronts).
 */
import type { KeyChange, WatchKeysOptions } from '../keywatch.js';
import type { Decoded, DecodedBuffer } from '../reply.js';

/** What a command argument may be: text (sent as UTF-8), a number (sent as its decimal text), or bytes. */
export type CommandArg = string | number | bigint | Uint8Array;

export interface Transport {
  /** Run one command; resolves with the RESP2-decoded reply, rejects with a ReplyError. */
  send(argv: CommandArg[]): Promise<Decoded>;
  /** As send, with bulk replies as bytes. */
  sendBuffer(argv: CommandArg[]): Promise<DecodedBuffer>;
  /** A new session (connection) over the same data. */
  connect(): Transport;
  /** Receive this session's pushed replies (pub/sub messages), decoded as by send / sendBuffer. */
  onPush(listener: ((msg: Decoded) => void) | null, buffers?: boolean): void;
  /**
   * Deliver the changes of keys matching `pattern` (a glob; in database `options.db`, else any),
   * from every session (and every tab), to `listener` in batches, until the returned function is
   * called (keywatch.ts).
   */
  watchKeys(pattern: CommandArg, options: WatchKeysOptions, listener: (changes: KeyChange[]) => void): () => void;
  /** End the session. */
  close(): void;
}
