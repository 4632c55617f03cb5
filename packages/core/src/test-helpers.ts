/**
 * What the engine's tests share: a store on a clock the test moves, with the commands it
 * propagated and the keyspace events it fired. A module for *.test.ts files only (the package
 * build leaves it out).
 */
import { expect } from 'vitest';
import { createStore, decodeReply, ReplyError } from './index.js';
import type { Arg, KeyString } from './sds.js';

/** Where the test clock starts (ms). */
export const T0 = 1_700_000_000_000;

/** A keyspace event as a test keeps it; undefined leaves it out. */
export type EventText = (event: string, key: KeyString, dbid: number) => string | undefined;

/**
 * A store at T0 with active expiry off. `run` executes a command and decodes its reply (errors
 * stay ReplyErrors); `log` holds what was propagated, `events` each keyspace event fired, as
 * `eventText` writes it (the engine still gets every event).
 */
export function setupStore(eventText: EventText = (event, key, dbid) => `${dbid}:${event}:${key}`) {
  let now = T0;
  const store = createStore({ clock: () => now, activeExpire: false });
  const run = (...argv: (string | number | Uint8Array)[]) => {
    const r = store.execute(...argv);
    return r instanceof ReplyError ? r : decodeReply(r);
  };
  const log: [number, ...Arg[]][] = [];
  store.engine.onPropagate = (db, argv) => log.push([db, ...argv]);
  const events: string[] = [];
  const notify = store.engine.notifyKeyspaceEvent.bind(store.engine);
  store.engine.notifyKeyspaceEvent = (type, event, key, dbid) => {
    const text = eventText(event, key, dbid);
    if (text !== undefined) events.push(text);
    notify(type, event, key, dbid);
  };
  return {
    store,
    run,
    log,
    events,
    now: () => now,
    advance: (ms: number) => (now += ms),
    setNow: (t: number) => (now = t),
  };
}

/** The text of an error reply; fails the test when `r` is not one. */
export function errorText(r: unknown): string {
  expect(r).toBeInstanceOf(ReplyError);
  return (r as ReplyError).message;
}
