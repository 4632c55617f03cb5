/**
 * What the engine's tests share: a store on a clock the test moves, with the commands it
 * propagated and the keyspace events it fired. A module for *.test.ts files only (the package
 * build leaves it out).
 */
import { expect } from 'vitest';
import { COMMANDS } from '../../../conformance/fuzz/generators.js';
import { Rng } from '../../../conformance/fuzz/rng.js';
import { Gen } from '../../../conformance/fuzz/values.js';
import type { EngineTimers } from './blocked.js';
import { createStore, decodeReply, ReplyError, type Engine } from './index.js';
import type { TypedObject } from './object.js';
import type { HashObject } from './types/hash.js';
import type { ListObject } from './types/list.js';
import type { SetObject } from './types/set.js';
import { dumpStream, type StreamObject } from './types/stream.js';
import type { ZSetObject } from './types/zset.js';
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

/**
 * Every database's keys, each with its value's representation and bytes and its expire time,
 * sorted: two engines hold the same data exactly when their dumps are equal.
 */
/**
 * How dumpKeyspace writes a collection's whole value (every element, in its order; unordered types
 * sorted), by type. A new type adds its line here.
 */
export const TYPE_DUMPERS: Partial<Record<string, (v: TypedObject) => string>> = {
  list: (v) => JSON.stringify((v as ListObject).toArray().map((e) => (typeof e === 'string' ? `t:${e}` : `b:${Buffer.from(e).toString('hex')}`))),
  // In the hash's order (HGETALL's), with its encoding: both are reproduced by replay and snapshots.
  hash: (v) =>
    JSON.stringify([
      (v as HashObject).listpack ? 'listpack' : 'hashtable',
      ...[...(v as HashObject).entries()].map(([f, x]) => [f, typeof x === 'string' ? `t:${x}` : typeof x === 'number' ? `i:${x}` : `b:${Buffer.from(x).toString('hex')}`]),
    ]),
  // In the set's order. Not its encoding: SPOP rebuilds a set it takes most of (an intset again if
  // what remains allows), but is logged as SREM, as Redis logs it, which a replay does not rebuild.
  set: (v) => JSON.stringify([...(v as SetObject).keys()]),
  // In order, each score exactly (String round-trips a double; -0 apart from 0), with the encoding.
  zset: (v) => {
    const z = v as ZSetObject;
    const pairs: [string, string][] = [];
    z.forEach((m, s) => pairs.push([m, Object.is(s, -0) ? '-0' : String(s)]));
    return JSON.stringify([z.listpack ? 'listpack' : 'skiplist', ...pairs]);
  },
  // Entries in their nodes (deleted ones too), counters, groups, PELs with delivery times and counts.
  stream: (v) => dumpStream(v as StreamObject),
};

export function dumpKeyspace(engine: Engine): [KeyString, string, string][][] {
  const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return engine.dbs.map((db) =>
    [...db.dict.entries()]
      .map(([key, v]): [KeyString, string, string] => {
        const value =
          typeof v === 'string'
            ? `text:${v}`
            : typeof v === 'number'
              ? `int:${v}`
              : v instanceof Uint8Array
                ? `bytes:${hex(v)}`
                : `${v.type}:${TYPE_DUMPERS[v.type]?.(v) ?? '?'}`;
        return [key, value, String(db.expires.get(key) ?? -1)];
      })
      .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)),
  );
}

/**
 * A seeded stream of commands of every implemented family, drawn by the differential run's
 * generators (conformance/fuzz) — arity and syntax errors, wrong types, edge values, every db the
 * stream touches. Commands whose replies need a session of their own (subscribers, SCAN's full
 * iterations) and LCS (read-only and quadratic) are left out; large allocations are defused.
 */
export function commandStream(seed: number, t0Ms: number): { next: () => Arg[]; rng: Rng } {
  const rng = new Rng(seed);
  const gen = new Gen(rng, Math.floor(t0Ms / 1000));
  const table = COMMANDS.filter((s) => s.weight > 0 && (s.kind === undefined || s.kind === 'randomkey') && s.name !== 'LCS').map(
    (s) => [s.weight, s] as const,
  );
  const next = (): Arg[] => {
    const spec = rng.weighted(table);
    const argv = spec.argv ? spec.argv(gen) : [spec.name, ...spec.args!(gen)];
    const big = spec.largeAllocation?.(argv) ?? -1;
    if (big >= 0) argv[big] = '0';
    return argv;
  };
  return { next, rng };
}

/** An engine clock and timers the test moves by hand. */
export function fakeTime() {
  let now = T0;
  let nextId = 1;
  const pending = new Map<number, { at: number; fn: () => void }>();
  const timers: EngineTimers = {
    setTimeout: (fn, ms) => {
      pending.set(nextId, { at: now + ms, fn });
      return nextId++;
    },
    clearTimeout: (h) => void pending.delete(h as number),
  };
  const advance = (ms: number): void => {
    now += ms;
    for (const [id, t] of [...pending].sort((a, b) => a[1].at - b[1].at)) {
      if (t.at > now || !pending.has(id)) continue;
      pending.delete(id);
      t.fn();
    }
  };
  return { clock: () => now, timers, advance, pending };
}

/** A store on a fake clock for blocking-command tests, with every logged effect as a line. */
export function blockingSetup() {
  const time = fakeTime();
  const log: string[] = [];
  const store = createStore({ clock: time.clock, timers: time.timers, activeExpire: false });
  store.engine.onPropagate = (_db, argv) => log.push(argv.map((a) => (typeof a === 'string' ? a : Buffer.from(a).toString())).join(' '));
  return { store, log, ...time };
}

/** Let settled promises run their reactions. */
export const tick = (): Promise<void> => new Promise<void>((r) => setImmediate(r));

/** Whether a promise has settled, after one turn. */
export async function settled<T>(p: Promise<T>): Promise<boolean> {
  let done = false;
  p.then(
    () => (done = true),
    () => (done = true),
  );
  await tick();
  return done;
}
