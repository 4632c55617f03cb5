/**
 * The lists, hashes and sets rows of `npm run bench` (bench.ts times them and prints them): what
 * each row does for each contender, the raw JS baselines, and the probes that check every
 * contender's replies before it is timed.
 *
 *   LPUSH        one element per op onto one list of 100k; trimmed back to 100k between rounds
 *   RPOP         from one list of ≥ 100k; topped up between rounds, so it never runs dry
 *   LRANGE 0 99  the first 100 elements of a 100k-element list
 *   HSET         one field per op into one of 10k hashes of 10 fields, in a fixed shuffled order;
 *                every field exists already (an update, reply 0), so each round does the same work
 *   HGETALL(10)  one of the same 10k 10-field hashes per op, shuffled
 *   SADD         one new member per op into a set of 100k; the round's members are removed between
 *                rounds, so every op adds
 *   SISMEMBER    hits, shuffled, on a set of 100k
 *   SINTER       two sets of 10k sharing 5k members (a 5k-member reply)
 *
 * "Between rounds" work (trim, top-up, removal) is done through the contender's own commands and
 * is not timed (bench.ts calls `between(n)` before each timed or calibration call of `loop(n)`).
 *
 * The raw baselines do the same work in plain JS: lists in RingDeque (a ring-buffer deque, below;
 * not Array#shift/unshift, which are O(n)), hashes in a Map of Maps (HGETALL builds the same
 * null-prototype { field: value } object the typed API returns), sets in Sets (SINTER walks the
 * smaller set and probes the larger, building an array).
 */

import { awaitEach, failure, mockCall, pad, pipelined, plain, shuffled, syncEach, wrongReply, type Argv, type Loop, type Via, type Workload } from './bench-common.js';

export type { Workload } from './bench-common.js';

// ---- inputs: built once, the same strings for every contender (as bench.ts' keys) ------------

export const K = 100_000; // list length, set size, HSET/SISMEMBER visit cycle
export const RANGE = 100; // LRANGE 0 RANGE-1
export const HASHES = 10_000;
export const HASH_FIELDS = 10;
export const INTER = 10_000; // each SINTER set
export const INTER_COMMON = INTER / 2;
/** SADD's fresh members (a power of two: the cursor is masked). */
const POOL = 1 << 19;
const POOL_MASK = POOL - 1;

const LIST = 'list';
const SET = 'set';
/** el:000000 … (the strings bench.ts uses for PFADD): list elements and set members, in order. */
const ELEMENTS = Array.from({ length: K }, (_, i) => `el:${pad(i)}`);
/** The same members in a fixed shuffled order (SISMEMBER's visits). */
const MEMBERS_SHUFFLED = shuffled(K, 1).map((i) => ELEMENTS[i]!);
let newMembers: string[] | undefined;
/** SADD's fresh members new:000000 …, built when a SADD row first runs (half a million strings). */
const pool = (): string[] => (newMembers ??= Array.from({ length: POOL }, (_, i) => `new:${pad(i)}`));
const HASH_KEYS = Array.from({ length: HASHES }, (_, h) => `hash:${pad(h)}`);
const FIELDS = Array.from({ length: HASH_FIELDS }, (_, f) => `field:${f}`);
/** The value of field f of hash h after preloading. */
const hashValue = (h: number, f: number) => `value:${pad(h * HASH_FIELDS + f)}`;
/** HSET's visits: every (hash, field) pair once per cycle of K, shuffled; a new value each. */
const HSET_ORDER = shuffled(HASHES * HASH_FIELDS, 2);
const HSET_KEYS = HSET_ORDER.map((p) => HASH_KEYS[(p / HASH_FIELDS) | 0]!);
const HSET_FIELDS = HSET_ORDER.map((p) => FIELDS[p % HASH_FIELDS]!);
const HSET_VALUES = HSET_ORDER.map((_, j) => `new-value:${pad(j)}`);
/** HGETALL's visits: the 10k hashes, shuffled. */
const HGETALL_KEYS = shuffled(HASHES, 3).map((h) => HASH_KEYS[h]!);
const INTER_A = ELEMENTS.slice(0, INTER);
const INTER_B = ELEMENTS.slice(INTER - INTER_COMMON, 2 * INTER - INTER_COMMON);

export const COLLECTION_COMMANDS = ['LPUSH', 'RPOP', 'LRANGE', 'HSET', 'HGETALL', 'SADD', 'SISMEMBER', 'SINTER'] as const;
export type CollectionCommand = (typeof COLLECTION_COMMANDS)[number];
export const COLLECTION_LABEL: Record<CollectionCommand, string> = {
  LPUSH: 'LPUSH',
  RPOP: 'RPOP',
  LRANGE: `LRANGE 0 ${RANGE - 1}`,
  HSET: 'HSET',
  HGETALL: `HGETALL(${HASH_FIELDS})`,
  SADD: 'SADD',
  SISMEMBER: 'SISMEMBER',
  SINTER: `SINTER ${INTER / 1000}k×${INTER / 1000}k`,
};

// ---- the raw deque -----------------------------------------------------------------------------

/**
 * A double-ended queue in a ring buffer (power-of-two capacity, doubled when full): O(1) pushes
 * and pops at both ends, O(1) indexing. What a JS app would write for a real list.
 */
export class RingDeque<T> {
  private buf: (T | undefined)[];
  private mask: number;
  private head = 0;
  length = 0;

  constructor(capacity = 16) {
    let cap = 16;
    while (cap < capacity) cap *= 2;
    this.buf = new Array<T | undefined>(cap).fill(undefined);
    this.mask = cap - 1;
  }

  private grow(): void {
    const old = this.buf;
    const cap = old.length * 2;
    const buf = new Array<T | undefined>(cap).fill(undefined);
    for (let i = 0; i < this.length; i++) buf[i] = old[(this.head + i) & this.mask];
    this.buf = buf;
    this.mask = cap - 1;
    this.head = 0;
  }

  pushFront(v: T): number {
    if (this.length === this.buf.length) this.grow();
    this.head = (this.head - 1) & this.mask;
    this.buf[this.head] = v;
    return ++this.length;
  }

  pushBack(v: T): number {
    if (this.length === this.buf.length) this.grow();
    this.buf[(this.head + this.length) & this.mask] = v;
    return ++this.length;
  }

  popFront(): T | undefined {
    if (this.length === 0) return undefined;
    const v = this.buf[this.head];
    this.buf[this.head] = undefined; // let it be collected
    this.head = (this.head + 1) & this.mask;
    this.length--;
    return v;
  }

  popBack(): T | undefined {
    if (this.length === 0) return undefined;
    const i = (this.head + this.length - 1) & this.mask;
    const v = this.buf[i];
    this.buf[i] = undefined;
    this.length--;
    return v;
  }

  /** Elements start..stop inclusive, negative counting from the tail (LRANGE's indexes), as a new array. */
  range(start: number, stop: number): T[] {
    const len = this.length;
    if (start < 0) start = Math.max(0, len + start);
    if (stop < 0) stop = len + stop;
    if (stop >= len) stop = len - 1;
    if (start > stop) return [];
    const out = new Array<T>(stop - start + 1);
    for (let i = start; i <= stop; i++) out[i - start] = this.buf[(this.head + i) & this.mask]!;
    return out;
  }

  /** Drop elements from the tail until `len` remain. */
  truncate(len: number): void {
    while (this.length > len) this.popBack();
  }
}

// ---- the raw baselines ---------------------------------------------------------------------

/**
 * The same work in plain JS, synchronous; `withAwait` adds one `await` after each op (the ceiling
 * of any promise-per-op API, as bench.ts' Map+await).
 */
export function rawWorkload(cmd: CollectionCommand, withAwait: boolean): Workload {
  let j = 0;
  let sink = 0;
  let bad = 0;
  const close = () => {
    if (sink < 0) console.log(sink); // keep results observable
  };
  let loop: Loop;
  let between: ((n: number) => void) | undefined;
  switch (cmd) {
    case 'LPUSH': {
      const d = new RingDeque<string>(K);
      for (let i = 0; i < K; i++) d.pushBack(ELEMENTS[i]!);
      loop = (n) => {
        for (let i = 0; i < n; i++) {
          sink += d.pushFront(ELEMENTS[j]!);
          if (++j === K) j = 0;
        }
      };
      between = () => d.truncate(K);
      break;
    }
    case 'RPOP': {
      const d = new RingDeque<string>(K);
      for (let i = 0; i < K; i++) d.pushBack(ELEMENTS[i]!);
      let r = 0;
      loop = (n) => {
        for (let i = 0; i < n; i++) if (d.popBack() === undefined) bad++;
        if (bad) throw new Error(`RPOP ran dry ${bad} times`);
      };
      between = (n) => {
        while (d.length < K + n) {
          d.pushFront(ELEMENTS[r]!);
          if (++r === K) r = 0;
        }
      };
      break;
    }
    case 'LRANGE': {
      const d = new RingDeque<string>(K);
      for (let i = 0; i < K; i++) d.pushBack(ELEMENTS[i]!);
      loop = (n) => {
        for (let i = 0; i < n; i++) sink += d.range(0, RANGE - 1).length;
      };
      break;
    }
    case 'HSET': {
      const m = preloadRawHashes();
      loop = (n) => {
        for (let i = 0; i < n; i++) {
          const key = HSET_KEYS[j]!;
          let h = m.get(key);
          if (h === undefined) m.set(key, (h = new Map()));
          const before = h.size;
          h.set(HSET_FIELDS[j]!, HSET_VALUES[j]!);
          sink += h.size - before; // HSET's reply: fields added
          if (++j === K) j = 0;
        }
      };
      break;
    }
    case 'HGETALL': {
      const m = preloadRawHashes();
      loop = (n) => {
        for (let i = 0; i < n; i++) {
          const h = m.get(HGETALL_KEYS[j]!);
          if (h === undefined) bad++;
          else {
            const o: Record<string, string> = Object.create(null);
            for (const [f, v] of h) o[f] = v;
            sink += o['field:0'] === undefined ? 0 : 1;
          }
          if (++j === HASHES) j = 0;
        }
        if (bad) throw new Error(`HGETALL missed ${bad} hashes`);
      };
      break;
    }
    case 'SADD': {
      const set = new Set<string>(ELEMENTS);
      const NEW_MEMBERS = pool();
      loop = (n) => {
        for (let i = 0; i < n; i++) {
          const before = set.size;
          set.add(NEW_MEMBERS[j++ & POOL_MASK]!);
          sink += set.size - before;
        }
      };
      between = () => {
        for (let i = Math.min(j, POOL) - 1; i >= 0; i--) set.delete(NEW_MEMBERS[i]!);
        j = 0;
      };
      break;
    }
    case 'SISMEMBER': {
      const set = new Set<string>(ELEMENTS);
      loop = (n) => {
        for (let i = 0; i < n; i++) {
          if (!set.has(MEMBERS_SHUFFLED[j]!)) bad++;
          if (++j === K) j = 0;
        }
        if (bad) throw new Error(`SISMEMBER missed ${bad} members`);
      };
      break;
    }
    case 'SINTER': {
      const a = new Set<string>(INTER_A);
      const b = new Set<string>(INTER_B);
      loop = (n) => {
        for (let i = 0; i < n; i++) {
          const [small, large] = a.size <= b.size ? [a, b] : [b, a];
          const out: string[] = [];
          for (const x of small) if (large.has(x)) out.push(x);
          if (out.length !== INTER_COMMON) bad++;
        }
        if (bad) throw new Error(`SINTER gave ${bad} wrong replies`);
      };
      break;
    }
  }
  if (!withAwait) return { loop, between, quantum: 1, close };
  const one = loop;
  return {
    loop: async (n) => {
      for (let i = 0; i < n; i++) await one(1);
    },
    between,
    quantum: 1,
    close,
  };
}

function preloadRawHashes(): Map<string, Map<string, string>> {
  const m = new Map<string, Map<string, string>>();
  for (let h = 0; h < HASHES; h++) {
    const hash = new Map<string, string>();
    for (let f = 0; f < HASH_FIELDS; f++) hash.set(FIELDS[f]!, hashValue(h, f));
    m.set(HASH_KEYS[h]!, hash);
  }
  return m;
}

// ---- the contenders: Lodis and ioredis-mock ---------------------------------------------------

type P = Promise<unknown>;
/** The Lodis typed API as these rows use it; methods that have not landed are absent. */
export interface LodisCollections {
  lpush?(k: string, ...elements: string[]): Promise<number>;
  rpop?(k: string): Promise<string | null>;
  lrange?(k: string, start: number, stop: number): Promise<string[]>;
  hset?(k: string, fields: Record<string, string>): Promise<number>;
  hgetall?(k: string): Promise<Record<string, string> | null>;
  sadd?(k: string, member: string, ...members: string[]): Promise<number>;
  sismember?(k: string, member: string): Promise<number>;
  sinter?(k: string, ...keys: string[]): Promise<string[]>;
  call(...argv: Argv): P;
  execute(...argv: Argv): unknown;
  close(): void;
}
/** ioredis-mock's methods used here (ioredis' shapes: HSET takes field, value pairs). */
export interface MockCollections {
  lpush(k: string, ...elements: string[]): P;
  rpush(k: string, ...elements: string[]): P;
  rpop(k: string): P;
  lrange(k: string, start: number, stop: number): P;
  llen(k: string): Promise<number>;
  ltrim(k: string, start: number, stop: number): P;
  hset(k: string, ...fieldValues: string[]): P;
  hgetall(k: string): P;
  sadd(k: string, ...members: string[]): P;
  srem(k: string, ...members: string[]): P;
  sismember(k: string, member: string): P;
  sinter(...keys: string[]): P;
  flushall(): P;
  disconnect(): void;
}

/** Untimed setup and upkeep, through the contender's own commands. */
type Admin = (argv: Argv) => Promise<unknown>;

function lodisAdmin(s: LodisCollections): Admin {
  return async (argv) => {
    const r = s.execute(...argv);
    if (r instanceof Error) throw r;
    return r;
  };
}

function mockAdmin(r: MockCollections): Admin {
  const c = mockCall(r);
  return (argv) => c(...argv);
}

async function bulk(admin: Admin, cmd: string, key: string, items: readonly string[], chunk = 1000): Promise<void> {
  for (let i = 0; i < items.length; i += chunk) await admin([cmd, key, ...items.slice(i, i + chunk)]);
}

/** The row's starting state. */
async function prepare(cmd: CollectionCommand, admin: Admin): Promise<void> {
  switch (cmd) {
    case 'LPUSH':
    case 'RPOP':
    case 'LRANGE':
      return bulk(admin, 'RPUSH', LIST, ELEMENTS, 10_000);
    case 'HSET':
    case 'HGETALL':
      for (let h = 0; h < HASHES; h++) {
        const argv: Argv = ['HSET', HASH_KEYS[h]!];
        for (let f = 0; f < HASH_FIELDS; f++) argv.push(FIELDS[f]!, hashValue(h, f));
        await admin(argv);
      }
      return;
    case 'SADD':
    case 'SISMEMBER':
      return bulk(admin, 'SADD', SET, ELEMENTS, 10_000);
    case 'SINTER':
      await bulk(admin, 'SADD', 'a', INTER_A, 10_000);
      return bulk(admin, 'SADD', 'b', INTER_B, 10_000);
  }
}

/** The row's upkeep between rounds, or undefined; `cursor` is SADD's count of members added. */
function upkeep(cmd: CollectionCommand, admin: Admin, cursor: { j: number }): ((n: number) => Promise<void>) | undefined {
  switch (cmd) {
    case 'LPUSH':
      return async () => {
        await admin(['LTRIM', LIST, 0, K - 1]);
      };
    case 'RPOP': {
      let r = 0;
      return async (n) => {
        let missing = K + n - Number(await admin(['LLEN', LIST]));
        while (missing > 0) {
          const chunk: string[] = [];
          for (; missing > 0 && chunk.length < 10_000; missing--) {
            chunk.push(ELEMENTS[r]!);
            if (++r === K) r = 0;
          }
          await admin(['LPUSH', LIST, ...chunk]);
        }
      };
    }
    case 'SADD':
      return async () => {
        await bulk(admin, 'SREM', SET, pool().slice(0, Math.min(cursor.j, POOL)), 10_000);
        cursor.j = 0;
      };
    default:
      return undefined;
  }
}

/** One op of a row as a closure with its own cursor (SADD's cursor is shared with its upkeep). */
function opFor(cmd: CollectionCommand, via: Via, client: LodisCollections | MockCollections, cursor: { j: number }): () => unknown {
  let j = 0;
  const NEW_MEMBERS = cmd === 'SADD' ? pool() : [];
  if (via === 'call' || via === 'execute') {
    const s = client as LodisCollections;
    const c = (via === 'call' ? s.call.bind(s) : s.execute.bind(s)) as (...argv: Argv) => unknown;
    switch (cmd) {
      case 'LPUSH':
        return () => {
          const e = ELEMENTS[j]!;
          if (++j === K) j = 0;
          return c('LPUSH', LIST, e);
        };
      case 'RPOP':
        return () => c('RPOP', LIST);
      case 'LRANGE':
        return () => c('LRANGE', LIST, 0, RANGE - 1);
      case 'HSET':
        return () => {
          const k = j;
          if (++j === K) j = 0;
          return c('HSET', HSET_KEYS[k]!, HSET_FIELDS[k]!, HSET_VALUES[k]!);
        };
      case 'HGETALL':
        return () => {
          const k = HGETALL_KEYS[j]!;
          if (++j === HASHES) j = 0;
          return c('HGETALL', k);
        };
      case 'SADD':
        return () => c('SADD', SET, NEW_MEMBERS[cursor.j++ & POOL_MASK]!);
      case 'SISMEMBER':
        return () => {
          const m = MEMBERS_SHUFFLED[j]!;
          if (++j === K) j = 0;
          return c('SISMEMBER', SET, m);
        };
      case 'SINTER':
        return () => c('SINTER', 'a', 'b');
    }
  }
  if (via === 'typed') {
    const s = client as Required<LodisCollections>;
    switch (cmd) {
      case 'LPUSH':
        return () => {
          const e = ELEMENTS[j]!;
          if (++j === K) j = 0;
          return s.lpush(LIST, e);
        };
      case 'RPOP':
        return () => s.rpop(LIST);
      case 'LRANGE':
        return () => s.lrange(LIST, 0, RANGE - 1);
      case 'HSET':
        return () => {
          const k = j;
          if (++j === K) j = 0;
          return s.hset(HSET_KEYS[k]!, { [HSET_FIELDS[k]!]: HSET_VALUES[k]! });
        };
      case 'HGETALL':
        return () => {
          const k = HGETALL_KEYS[j]!;
          if (++j === HASHES) j = 0;
          return s.hgetall(k);
        };
      case 'SADD':
        return () => s.sadd(SET, NEW_MEMBERS[cursor.j++ & POOL_MASK]!);
      case 'SISMEMBER':
        return () => {
          const m = MEMBERS_SHUFFLED[j]!;
          if (++j === K) j = 0;
          return s.sismember(SET, m);
        };
      case 'SINTER':
        return () => s.sinter('a', 'b');
    }
  }
  const r = client as MockCollections;
  switch (cmd) {
    case 'LPUSH':
      return () => {
        const e = ELEMENTS[j]!;
        if (++j === K) j = 0;
        return r.lpush(LIST, e);
      };
    case 'RPOP':
      return () => r.rpop(LIST);
    case 'LRANGE':
      return () => r.lrange(LIST, 0, RANGE - 1);
    case 'HSET':
      return () => {
        const k = j;
        if (++j === K) j = 0;
        return r.hset(HSET_KEYS[k]!, HSET_FIELDS[k]!, HSET_VALUES[k]!);
      };
    case 'HGETALL':
      return () => {
        const k = HGETALL_KEYS[j]!;
        if (++j === HASHES) j = 0;
        return r.hgetall(k);
      };
    case 'SADD':
      return () => r.sadd(SET, NEW_MEMBERS[cursor.j++ & POOL_MASK]!);
    case 'SISMEMBER':
      return () => {
        const m = MEMBERS_SHUFFLED[j]!;
        if (++j === K) j = 0;
        return r.sismember(SET, m);
      };
    case 'SINTER':
      return () => r.sinter('a', 'b');
  }
}

/**
 * Typed API, one `await` per op, written out per command (no shared op closure), as an app's
 * loop would be; replies that would mean a broken row (null, short) are counted and thrown.
 */
function typedAwaitLoop(cmd: CollectionCommand, s: Required<LodisCollections>, cursor: { j: number }): Loop {
  let j = 0;
  const NEW_MEMBERS = cmd === 'SADD' ? pool() : [];
  let bad = 0;
  const check = (what: string) => {
    if (bad) throw new Error(`${what}: ${bad} wrong replies`);
  };
  switch (cmd) {
    case 'LPUSH':
      return async (n) => {
        for (let i = 0; i < n; i++) {
          await s.lpush(LIST, ELEMENTS[j]!);
          if (++j === K) j = 0;
        }
      };
    case 'RPOP':
      return async (n) => {
        for (let i = 0; i < n; i++) if ((await s.rpop(LIST)) === null) bad++;
        check('RPOP');
      };
    case 'LRANGE':
      return async (n) => {
        for (let i = 0; i < n; i++) if ((await s.lrange(LIST, 0, RANGE - 1)).length !== RANGE) bad++;
        check('LRANGE');
      };
    case 'HSET':
      return async (n) => {
        for (let i = 0; i < n; i++) {
          await s.hset(HSET_KEYS[j]!, { [HSET_FIELDS[j]!]: HSET_VALUES[j]! });
          if (++j === K) j = 0;
        }
      };
    case 'HGETALL':
      return async (n) => {
        for (let i = 0; i < n; i++) {
          if ((await s.hgetall(HGETALL_KEYS[j]!)) === null) bad++;
          if (++j === HASHES) j = 0;
        }
        check('HGETALL');
      };
    case 'SADD':
      return async (n) => {
        for (let i = 0; i < n; i++) await s.sadd(SET, NEW_MEMBERS[cursor.j++ & POOL_MASK]!);
      };
    case 'SISMEMBER':
      return async (n) => {
        for (let i = 0; i < n; i++) {
          if ((await s.sismember(SET, MEMBERS_SHUFFLED[j]!)) !== 1) bad++;
          if (++j === K) j = 0;
        }
        check('SISMEMBER');
      };
    case 'SINTER':
      return async (n) => {
        for (let i = 0; i < n; i++) if ((await s.sinter('a', 'b')).length !== INTER_COMMON) bad++;
        check('SINTER');
      };
  }
}

// ---- probes --------------------------------------------------------------------------------

type Compare = 'exact' | 'members' | 'fields';
/** A reply as comparable JSON: 'members' ignores order; 'fields' takes a flat array or an object. */
function canon(x: unknown, how: Compare): string {
  if (how === 'members' && Array.isArray(x)) return JSON.stringify([...x].sort());
  if (how === 'fields' && x !== null && typeof x === 'object') {
    const pairs: [string, unknown][] = [];
    if (Array.isArray(x)) for (let i = 0; i < x.length; i += 2) pairs.push([String(x[i]), x[i + 1]]);
    else pairs.push(...Object.entries(x));
    return JSON.stringify(pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)));
  }
  return JSON.stringify(x);
}

/**
 * The checks for a row, run on a prepared store before timing: the first is the timed op itself
 * (its own closure), the others fixed commands. Each is [op, expected reply, comparison].
 */
function checks(cmd: CollectionCommand, op: () => unknown, run: (argv: Argv) => unknown): [() => unknown, unknown, Compare][] {
  const h0: Record<string, string> = {};
  for (let f = 0; f < HASH_FIELDS; f++) h0[FIELDS[f]!] = hashValue(0, f);
  switch (cmd) {
    case 'LPUSH':
      return [
        [op, K + 1, 'exact'],
        [() => run(['LRANGE', LIST, 0, 1]), [ELEMENTS[0], ELEMENTS[0]], 'exact'],
      ];
    case 'RPOP':
      return [
        [op, ELEMENTS[K - 1], 'exact'],
        [op, ELEMENTS[K - 2], 'exact'],
        [() => run(['LLEN', LIST]), K - 2, 'exact'],
      ];
    case 'LRANGE':
      return [[op, ELEMENTS.slice(0, RANGE), 'exact']];
    case 'HSET':
      return [
        [op, 0, 'exact'], // an existing field: updated, none added
        [() => run(['HGET', HSET_KEYS[0]!, HSET_FIELDS[0]!]), HSET_VALUES[0], 'exact'],
        [() => run(['HLEN', HSET_KEYS[0]!]), HASH_FIELDS, 'exact'],
      ];
    case 'HGETALL': {
      const h = HASH_KEYS.indexOf(HGETALL_KEYS[0]!);
      const want: Record<string, string> = {};
      for (let f = 0; f < HASH_FIELDS; f++) want[FIELDS[f]!] = hashValue(h, f);
      return [
        [op, want, 'fields'],
        [() => run(['HGETALL', HASH_KEYS[0]!]), h0, 'fields'],
      ];
    }
    case 'SADD':
      return [
        [op, 1, 'exact'],
        [() => run(['SADD', SET, ELEMENTS[0]!]), 0, 'exact'],
        [() => run(['SCARD', SET]), K + 1, 'exact'],
      ];
    case 'SISMEMBER':
      return [
        [op, 1, 'exact'],
        [() => run(['SISMEMBER', SET, 'not-a-member']), 0, 'exact'],
      ];
    case 'SINTER':
      return [[op, ELEMENTS.slice(INTER - INTER_COMMON, INTER), 'members']];
  }
}

async function runChecks(list: [() => unknown, unknown, Compare][], decode: (r: unknown) => unknown): Promise<string | null> {
  try {
    for (const [op, want, how] of list) {
      const got = decode(await op());
      if (canon(got, how) !== canon(want, how)) return wrongReply(got);
    }
    return null;
  } catch (e) {
    return failure(e);
  }
}

const TYPED_METHOD: Record<CollectionCommand, keyof LodisCollections> = {
  LPUSH: 'lpush',
  RPOP: 'rpop',
  LRANGE: 'lrange',
  HSET: 'hset',
  HGETALL: 'hgetall',
  SADD: 'sadd',
  SISMEMBER: 'sismember',
  SINTER: 'sinter',
};

export type LodisStyle = 'await' | 'pipelined' | 'call' | 'execute';

/**
 * A Lodis cell: a fresh store, prepared, probed in this very style (execute's protocol-level
 * replies are checked in `call`'s decoded shape), then timed.
 */
export async function lodisWorkload(
  fresh: () => LodisCollections,
  cmd: CollectionCommand,
  style: LodisStyle,
  pipeline: number,
): Promise<Workload | string> {
  const via: Via = style === 'await' || style === 'pipelined' ? 'typed' : style;
  const s = fresh();
  if (via === 'typed' && typeof s[TYPED_METHOD[cmd]] !== 'function') {
    s.close();
    return 'no method';
  }
  const admin = lodisAdmin(s);
  try {
    await prepare(cmd, admin);
  } catch (e) {
    s.close();
    const msg = (e as Error).message;
    return /unknown command/i.test(msg) ? 'missing' : `error: ${msg.slice(0, 60)}`;
  }
  const cursor = { j: 0 };
  const why = await runChecks(
    checks(cmd, opFor(cmd, via, s, cursor), (argv) => s.call(...argv)),
    via === 'execute' ? plain : (r) => r,
  );
  if (why) {
    s.close();
    return why;
  }
  // The probe changed the state (a push, two pops, a member added): the upkeep, run before the
  // first timed call, restores it; HSET's probe wrote the value the first timed op writes.
  const between = upkeep(cmd, admin, cursor);
  const t = s as Required<LodisCollections>;
  const loop =
    style === 'await'
      ? typedAwaitLoop(cmd, t, cursor)
      : style === 'pipelined'
        ? pipelined(opFor(cmd, 'typed', s, cursor), pipeline)
        : style === 'call'
          ? awaitEach(opFor(cmd, 'call', s, cursor))
          : syncEach(opFor(cmd, 'execute', s, cursor));
  return { loop, between, quantum: style === 'pipelined' ? pipeline : 1, close: () => s.close() };
}

/** An ioredis-mock cell: flushed (instances share their data), prepared, probed, timed. */
export async function mockWorkload(RedisMock: new () => MockCollections, cmd: CollectionCommand): Promise<Workload | string> {
  const r = new RedisMock();
  await r.flushall();
  const admin = mockAdmin(r);
  try {
    await prepare(cmd, admin);
  } catch (e) {
    r.disconnect();
    return `error: ${(e as Error).message.slice(0, 60)}`;
  }
  const cursor = { j: 0 };
  const why = await runChecks(checks(cmd, opFor(cmd, 'mock', r, cursor), admin), (x) => x);
  if (why) {
    r.disconnect();
    return why;
  }
  return { loop: awaitEach(opFor(cmd, 'mock', r, cursor)), between: upkeep(cmd, admin, cursor), quantum: 1, close: () => r.disconnect() };
}

// ---- RPOP against the list's length ----------------------------------------------------------

/** RPOPs per refill in the length comparison: the list runs from len + RPOP_BATCH down to len. */
export const RPOP_BATCH = 5;
/** A timed run of RPOP_BATCH pops longer than this (ms) was interrupted: left out ('pure' mode). */
export const SEGMENT_MAX_MS = 0.05;

/**
 * What an empty span between two performance.now() reads measures (ms), subtracted per timed
 * segment: the least average over batches of back-to-back reads (the timer's floor; a preempted
 * or not yet optimized batch only reads longer, and an overestimate would inflate the rates).
 */
function timerOverheadMs(): number {
  let least = Infinity;
  for (let k = 0; k < 51; k++) {
    let sum = 0;
    for (let i = 0; i < 200; i++) {
      const a = performance.now();
      sum += performance.now() - a;
    }
    least = Math.min(least, sum / 200);
  }
  return least;
}

/**
 * RPOP from a list of `len` (+ up to RPOP_BATCH) elements; the same commands whatever `len`, so
 * the figures compare. The list is refilled at the head (LPUSH of RPOP_BATCH) after every
 * RPOP_BATCH pops, so the pops walk the whole list node by node, as a queue's consumer does.
 *   'pure'   only the RPOPs are timed: each run of RPOP_BATCH pops is timed on its own with
 *            performance.now() (less the timer's own cost, measured at start), the LPUSH between
 *            runs is not; runs over SEGMENT_MAX_MS (preempted, or a GC pause) are left out;
 *            `loop` returns the timed milliseconds, scaled to n ops.
 *   'queue'  the LPUSH is inside the timed loop: a producer/consumer queue, per RPOP.
 * Lodis only, typed-awaited or execute.
 */
export async function rpopLengthWorkload(
  fresh: () => LodisCollections,
  len: number,
  style: 'await' | 'execute',
  mode: 'pure' | 'queue',
): Promise<Workload | string> {
  const s = fresh();
  if (typeof s.rpop !== 'function' || typeof s.lpush !== 'function') {
    s.close();
    return 'no method';
  }
  const admin = lodisAdmin(s);
  const chunk = 1000;
  // 'queue' pops first, then pushes; 'pure' pushes first, then pops.
  const start = mode === 'queue' ? len + RPOP_BATCH : len;
  try {
    for (let i = 0; i < start; i += chunk) {
      const argv: Argv = ['RPUSH', LIST];
      for (let x = i; x < Math.min(i + chunk, start); x++) argv.push(ELEMENTS[x % K]!);
      await admin(argv);
    }
    const llen = await admin(['LLEN', LIST]);
    if (llen !== start) throw new Error(`LLEN ${String(llen)}`);
  } catch (e) {
    s.close();
    return `error: ${(e as Error).message.slice(0, 60)}`;
  }
  const [a, b, c, d, e] = ELEMENTS as [string, string, string, string, string];
  const full = len + RPOP_BATCH;
  let bad = 0;
  const t = s as Required<LodisCollections>;
  const overhead = timerOverheadMs();
  let loop: Loop;
  if (mode === 'queue') {
    loop =
      style === 'execute'
        ? (n) => {
            for (let i = 0; i < n; i += RPOP_BATCH) {
              for (let x = 0; x < RPOP_BATCH; x++) if (s.execute('RPOP', LIST) === null) bad++;
              if (s.execute('LPUSH', LIST, a, b, c, d, e) !== full) bad++;
            }
            if (bad) throw new Error(`${bad} wrong replies`);
          }
        : async (n) => {
            for (let i = 0; i < n; i += RPOP_BATCH) {
              for (let x = 0; x < RPOP_BATCH; x++) if ((await t.rpop(LIST)) === null) bad++;
              if ((await t.lpush(LIST, a, b, c, d, e)) !== full) bad++;
            }
            if (bad) throw new Error(`${bad} wrong replies`);
          };
  } else {
    // A run of RPOP_BATCH pops takes ~0.3–2 µs; one over SEGMENT_MAX_MS was preempted (or caught a
    // GC pause) and is dropped; the time of the rest is scaled up to n ops.
    const scaled = (ms: number, kept: number, n: number) => (kept === 0 ? Infinity : (ms * n) / (kept * RPOP_BATCH));
    loop =
      style === 'execute'
        ? (n) => {
            let ms = 0;
            let kept = 0;
            for (let i = 0; i < n; i += RPOP_BATCH) {
              if (s.execute('LPUSH', LIST, a, b, c, d, e) !== full) bad++;
              const t0 = performance.now();
              for (let x = 0; x < RPOP_BATCH; x++) if (s.execute('RPOP', LIST) === null) bad++;
              const dt = performance.now() - t0;
              if (dt < SEGMENT_MAX_MS) {
                ms += dt - overhead;
                kept++;
              }
            }
            if (bad) throw new Error(`${bad} wrong replies`);
            return scaled(ms, kept, n);
          }
        : async (n) => {
            let ms = 0;
            let kept = 0;
            for (let i = 0; i < n; i += RPOP_BATCH) {
              if ((await t.lpush(LIST, a, b, c, d, e)) !== full) bad++;
              const t0 = performance.now();
              for (let x = 0; x < RPOP_BATCH; x++) if ((await t.rpop(LIST)) === null) bad++;
              const dt = performance.now() - t0;
              if (dt < SEGMENT_MAX_MS) {
                ms += dt - overhead;
                kept++;
              }
            }
            if (bad) throw new Error(`${bad} wrong replies`);
            return scaled(ms, kept, n);
          };
  }
  return { loop, quantum: RPOP_BATCH, selfTimed: mode === 'pure', close: () => s.close() };
}

/** The note on ioredis-mock under the table, in lines. */
export const MOCK_NOTE = [
  "ioredis-mock copies a key's whole value on every read and every write (data.get/data.set: Array#slice, new Set,",
  '{...}), so each LPUSH, RPOP, LRANGE, SADD and SISMEMBER costs O(size): here 100k elements. Its LPUSH is also',
  'Array#unshift, and its SINTER builds the union of both sets first. Its replies to these rows are right (probed).',
];
