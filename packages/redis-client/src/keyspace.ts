/**
 * `watchKeys` over a real Redis: its keyspace notifications (notify.c). A watch has a connection
 * of its own that PSUBSCRIBEs `__keyspace@<db>__:<pattern>` — once per database (CONFIG GET
 * databases) when no db is given, so a key holding `__:` can never match by accident — and hands
 * each `pmessage` on as a KeyChange, a batch per chunk read from the socket.
 *
 * Redis publishes those only when `notify-keyspace-events` has K and the event's class (A for
 * all); a server with K unset cannot be watched, and the watch reports that (clientOptions.onError,
 * else an uncaught error) instead of staying silent. What notifications cannot give, and the
 * in-process watch does: FLUSHDB, FLUSHALL and SWAPDB (Redis fires no keyspace event for them),
 * events of the classes the server's setting leaves out, and what changed while the watch's
 * connection was down (Redis pub/sub keeps nothing for a disconnected subscriber).
 */
import type { CommandArg, DecodedBuffer, KeyChange, WatchKeysOptions } from '@lodis/core';
import type { RedisConnection } from './connection.js';

const utf8 = new TextDecoder();
const encoder = new TextEncoder();
/** `__keyspace@`: the channel prefix of keyspace notifications. */
const PREFIX = encoder.encode('__keyspace@');
/** The event classes of notify-keyspace-events (all but K, E, and m and n, which are not changes). */
const CLASSES = /[A$glshzxetd]/;

export function watchKeyspace(
  conn: RedisConnection,
  pattern: CommandArg,
  options: WatchKeysOptions,
  listener: (changes: KeyChange[]) => void,
  report: (e: Error) => void,
): () => void {
  let stopped = false;
  let batch: KeyChange[] = [];
  const deliver = (): void => {
    const changes = batch;
    batch = [];
    if (!stopped) listener(changes);
  };
  conn.onPush((m) => {
    const change = keyChangeOf(m);
    if (change === null || stopped) return;
    if (batch.push(change) === 1) queueMicrotask(deliver);
  }, true);

  const start = async (): Promise<void> => {
    const flags = (await conn.command(['CONFIG', 'GET', 'notify-keyspace-events'], false)) as string[];
    const setting = flags[1] ?? '';
    if (!setting.includes('K') || !CLASSES.test(setting)) {
      throw new Error(
        `Lodis: watchKeys needs the server's keyspace notifications, which are off (notify-keyspace-events is "${setting}"): ` +
          `enable them with CONFIG SET notify-keyspace-events KA (or "notify-keyspace-events KA" in redis.conf)`,
      );
    }
    let dbs: number[];
    if (options.db !== undefined) {
      if (!Number.isInteger(options.db)) throw new TypeError(`Lodis: watchKeys db must be an integer, got ${options.db}`);
      dbs = [options.db];
    } else {
      const n = Number(((await conn.command(['CONFIG', 'GET', 'databases'], false)) as string[])[1] ?? 16);
      dbs = Array.from({ length: n }, (_, i) => i);
    }
    const glob = typeof pattern === 'string' ? encoder.encode(pattern) : pattern instanceof Uint8Array ? pattern : encoder.encode(String(pattern));
    if (stopped) return;
    await conn.command(['PSUBSCRIBE', ...dbs.map((db) => concat(encoder.encode(`__keyspace@${db}__:`), glob))], false);
  };
  start().catch((e: unknown) => {
    if (stopped) return;
    stopped = true;
    conn.close();
    report(e instanceof Error ? e : new Error(String(e)));
  });

  return () => {
    stopped = true;
    conn.close();
  };
}

/** A `pmessage` of a keyspace channel as a KeyChange; null for anything else (and for `new`, `keymiss`). */
function keyChangeOf(m: DecodedBuffer): KeyChange | null {
  if (!Array.isArray(m) || m.length !== 4) return null;
  const channel = m[2];
  const event = m[3];
  if (!(channel instanceof Uint8Array) || !(event instanceof Uint8Array)) return null;
  if (channel.length <= PREFIX.length || !PREFIX.every((b, i) => channel[i] === b)) return null;
  let i = PREFIX.length;
  let db = 0;
  for (; i < channel.length && channel[i]! >= 48 && channel[i]! <= 57; i++) db = db * 10 + channel[i]! - 48;
  // `__:` after the db number, then the key.
  if (channel[i] !== 95 || channel[i + 1] !== 95 || channel[i + 2] !== 58) return null;
  const name = utf8.decode(event);
  if (name === 'new' || name === 'keymiss') return null;
  return { key: utf8.decode(channel.subarray(i + 3)), event: name, db };
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
