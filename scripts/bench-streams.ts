/**
 * The stream rows of `npm run bench` (bench.ts times them and prints them in a fourth table), the
 * plain-JS baseline (an array of [id, fields] entries, ids searched by binary search, XADD a push),
 * the probes that check every contender's replies before it is timed, and the lines under the
 * table (time to XADD 1M entries, heap bytes per entry, the two targets).
 *
 *   XADD *              one entry of 2 fields (item item:0000000 … qty 0–99) per op, `*` ids, onto
 *                       one stream (emptied, untimed, before it would pass 1M entries): entries/s
 *   XADD MAXLEN ~ 1000  the same onto a stream kept at ~1000 entries by the command itself
 *   XRANGE 100 (1M)     XRANGE <id> + COUNT 100, <id> the id of an entry at a random position
 *                       (a fixed shuffled cycle), on a stream of 1M entries: ops/s
 *   XRANGE 100 (1k)     the same on a stream of 1k entries (target: as fast as on 1M)
 *   XREADGROUP+XACK     XREADGROUP GROUP g c COUNT 10 STREAMS <1M stream> >, then XACK of the 10
 *                       ids read: entries/s (the group is rewound, untimed, before it runs dry)
 *
 * Lodis: the XADD rows use a fresh store per cell; the others one store shared by the rows and
 * columns, holding the 1M and 1k streams (explicit ids, known to every contender, so the XRANGE
 * starts and the probes' expected replies are the same for all) and the group. The "XADD 1M"
 * figure and the heap figure come from a separate build of 1M entries with `*` ids through
 * execute (timed, heapUsed after gc around it), as bench-zsets.ts does for ZADD.
 *
 * ioredis-mock 8.13.1: its XADD copies the whole stream (Array#concat, and data.get/data.set
 * copy it again), so building is quadratic: its streams are capped at STREAM_MOCK_N entries and
 * its XADD * row empties the stream at that size. It takes the id as a number only (it appends
 * "-0" to what it is given: explicit "ms-seq" ids become "ms-seq-0"; `*` gives length+1), so its
 * streams have ids 1-0, 2-0 … and its XRANGE starts are given as "n" (Redis reads "n" as n-0; its
 * own XRANGE reads "n-0" as NaN and returns nothing). It has no XREADGROUP or XACK.
 */
import {
  awaitEach,
  failure,
  lcg,
  mockCall,
  pad,
  plain,
  syncEachChecked,
  timeBuild,
  wrongReply,
  type Argv,
  type BuildTiming,
  type Loop,
  type Via,
  type Workload,
} from './bench-common.js';

export const SN = 1_000_000; // the big stream
export const SMALL_N = 1_000; // XRANGE's small stream
export const XRANGE_COUNT = 100;
export const READ_COUNT = 10; // XREADGROUP COUNT
export const MAXLEN = 1_000;
/** ioredis-mock's streams: its XADD is O(length) (quadratic to build). */
export const STREAM_MOCK_N = 10_000;
/** Stream ids of the explicit-id streams: BASE_MS + i/8, seq i%8 (8 entries per millisecond). */
const BASE_MS = 1_700_000_000_000;

export const STREAM_ROWS = ['XADD', 'XADD~', 'XRANGE@1M', 'XRANGE@1k', 'XREADGROUP'] as const;
export type StreamRow = (typeof STREAM_ROWS)[number];
/** The commands a row runs (`--only=XADD,XRANGE,XREADGROUP,XACK` picks rows by these). */
export const STREAM_ROW_COMMANDS: Record<StreamRow, string[]> = {
  XADD: ['XADD'],
  'XADD~': ['XADD'],
  'XRANGE@1M': ['XRANGE'],
  'XRANGE@1k': ['XRANGE'],
  XREADGROUP: ['XREADGROUP', 'XACK'],
};
export const STREAM_LABEL: Record<StreamRow, string> = {
  XADD: 'XADD *',
  'XADD~': `XADD MAXLEN ~ ${MAXLEN}`,
  'XRANGE@1M': `XRANGE ${XRANGE_COUNT} (1M)`,
  'XRANGE@1k': `XRANGE ${XRANGE_COUNT} (1k)`,
  XREADGROUP: `XREADGROUP ${READ_COUNT}+XACK`,
};
/** The order the rows run in (XRANGE 1M and 1k next to each other). */
export const STREAM_RUN_ORDER: StreamRow[] = ['XRANGE@1M', 'XRANGE@1k', 'XREADGROUP', 'XADD', 'XADD~'];

// ---- inputs ------------------------------------------------------------------------------------

const BIG = 'xbig'; // 1M entries, explicit ids; group GROUP on it
const SMALL = 'xsmall'; // 1k entries, explicit ids
const BUILD = 'xbuild'; // the timed 1M build with `*` ids (deleted after the heap figure)
const APPEND = 'xappend'; // the XADD rows' stream
const GROUP = 'g';
const CONSUMER = 'c';

let items: string[] | undefined;
/** The entries' item values item:0000000 … (one per entry, unique; built once, before any timing). */
function inputs(): { items: string[] } {
  items ??= Array.from({ length: SN }, (_, i) => `item:${pad(i, 7)}`);
  return { items };
}
/** The entries' qty values: '0' … '99' (small integers, as Redis' listpack stores them). */
const QTY_POOL = Array.from({ length: 100 }, (_, i) => String(i));
const qty = (i: number) => QTY_POOL[i % 100]!;

let ids: string[] | undefined;
/** The ids of the explicit-id streams, in order. */
function explicitIds(): string[] {
  return (ids ??= Array.from({ length: SN }, (_, i) => `${BASE_MS + Math.floor(i / 8)}-${i % 8}`));
}
/** ioredis-mock's ids: 1-0, 2-0 … */
const mockId = (i: number) => `${i + 1}-0`;

/** XRANGE's starts: entry positions in [0, n - XRANGE_COUNT], a fixed cycle of 64k. */
const VISITS = 1 << 16;
const visits = new Map<number, number[]>();
function visitOrder(n: number): number[] {
  let v = visits.get(n);
  if (!v) {
    const r = lcg(23);
    visits.set(n, (v = Array.from({ length: VISITS }, () => r(n - XRANGE_COUNT + 1))));
  }
  return v;
}

// ---- the plain-JS baseline -----------------------------------------------------------------------

/** An entry as XRANGE replies it: [id, [field, value, field, value]]. */
export type RawEntry = [id: string, fields: string[]];

/**
 * A stream as a JS app would keep it: an array of [id, fields] (XADD pushes), with the id's two
 * parts in parallel number arrays for the binary search by id; XRANGE is a search and a slice.
 */
export class RawStream {
  entries: RawEntry[] = [];
  ms: number[] = [];
  seq: number[] = [];
  lastMs = 0;
  lastSeq = 0;

  get length(): number {
    return this.entries.length;
  }
  /** XADD * : ms = max(now, last ms), seq + 1 within the same ms; returns the id. */
  add(now: number, fields: string[]): string {
    let ms = now;
    let seq = 0;
    if (ms <= this.lastMs) {
      ms = this.lastMs;
      seq = this.lastSeq + 1;
    }
    const id = `${ms}-${seq}`;
    this.push(ms, seq, id, fields);
    return id;
  }
  push(ms: number, seq: number, id: string, fields: string[]): void {
    this.entries.push([id, fields]);
    this.ms.push(ms);
    this.seq.push(seq);
    this.lastMs = ms;
    this.lastSeq = seq;
  }
  /** First position whose id is ≥ ms-seq (after = true: > ms-seq). */
  seek(ms: number, seq: number, after = false): number {
    let lo = 0;
    let hi = this.ms.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const m = this.ms[mid]!;
      const before = m < ms || (m === ms && (after ? this.seq[mid]! <= seq : this.seq[mid]! < seq));
      if (before) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
  /** XRANGE ms-seq + COUNT count. */
  range(ms: number, seq: number, count: number): RawEntry[] {
    const i = this.seek(ms, seq);
    return this.entries.slice(i, i + count);
  }
  /** MAXLEN ~ : drop the oldest entries 100 at a time (Redis drops whole nodes of 100) while maxlen remain. */
  trimApprox(maxlen: number): number {
    let n = 0;
    while (this.entries.length - n - 100 >= maxlen) n += 100;
    if (n > 0) {
      this.entries.splice(0, n);
      this.ms.splice(0, n);
      this.seq.splice(0, n);
    }
    return n;
  }
}

/** A consumer group: the last delivered id and the pending entries (id → delivery). */
class RawGroup {
  lastMs = 0;
  lastSeq = 0;
  pel = new Map<string, { consumer: string; deliveryTime: number; deliveryCount: number }>();
  /** XREADGROUP … COUNT count STREAMS key > : the entries after the last delivered, now pending. */
  read(s: RawStream, consumer: string, count: number, now: number): RawEntry[] {
    const i = s.seek(this.lastMs, this.lastSeq, true);
    const out = s.entries.slice(i, i + count);
    for (const [id] of out) this.pel.set(id, { consumer, deliveryTime: now, deliveryCount: 1 });
    if (out.length > 0) {
      this.lastMs = s.ms[i + out.length - 1]!;
      this.lastSeq = s.seq[i + out.length - 1]!;
    }
    return out;
  }
  ack(ids: string[]): number {
    let n = 0;
    for (const id of ids) if (this.pel.delete(id)) n++;
    return n;
  }
  rewind(): void {
    this.lastMs = 0;
    this.lastSeq = 0;
  }
}

/** The explicit-id streams every contender holds (ids from explicitIds(), or mockId for ioredis-mock). */
function explicitStream(n: number, mock = false): RawStream {
  const { items: it } = inputs();
  const ids = explicitIds();
  const s = new RawStream();
  for (let i = 0; i < n; i++) {
    if (mock) s.push(i + 1, 0, mockId(i), ['item', it[i]!, 'qty', qty(i)]);
    else s.push(BASE_MS + Math.floor(i / 8), i % 8, ids[i]!, ['item', it[i]!, 'qty', qty(i)]);
  }
  return s;
}
const rawStreams = new Map<string, RawStream>();
function rawExplicit(n: number, mock = false): RawStream {
  const key = `${n}/${mock}`;
  let s = rawStreams.get(key);
  if (!s) rawStreams.set(key, (s = explicitStream(n, mock)));
  return s;
}

/** The plain-JS baseline's cell for a row; `withAwait` adds one `await` per op. */
export function rawStreamWorkload(row: StreamRow, withAwait: boolean): Workload {
  const { items: it } = inputs();
  let sink = 0;
  let bad = 0;
  let j = 0;
  let one: () => void;
  let between: ((n: number) => void) | undefined;
  let perOp = 1; // entries per op (quantum)
  switch (row) {
    case 'XADD': {
      let s = new RawStream();
      one = () => {
        sink += s.add(Date.now(), ['item', it[j]!, 'qty', qty(j)]).length;
        if (++j === SN) j = 0;
      };
      between = (n) => {
        if (s.length + n > SN) s = new RawStream();
      };
      break;
    }
    case 'XADD~': {
      const s = new RawStream();
      for (let i = 0; i < MAXLEN; i++) s.add(Date.now(), ['item', it[i]!, 'qty', qty(i)]);
      j = MAXLEN;
      one = () => {
        sink += s.add(Date.now(), ['item', it[j]!, 'qty', qty(j)]).length;
        s.trimApprox(MAXLEN);
        if (++j === SN) j = 0;
      };
      break;
    }
    case 'XRANGE@1M':
    case 'XRANGE@1k': {
      const n = row === 'XRANGE@1M' ? SN : SMALL_N;
      const s = rawExplicit(n);
      const order = visitOrder(n);
      one = () => {
        const i = order[j++ & (VISITS - 1)]!;
        const r = s.range(s.ms[i]!, s.seq[i]!, XRANGE_COUNT);
        if (r.length !== XRANGE_COUNT) bad++;
        sink += r.length;
      };
      break;
    }
    case 'XREADGROUP': {
      const s = rawExplicit(SN);
      const g = new RawGroup();
      let delivered = 0;
      perOp = READ_COUNT;
      one = () => {
        const r = [[BIG, g.read(s, CONSUMER, READ_COUNT, Date.now())]] as [string, RawEntry[]][];
        const got = r[0]![1];
        const acked = g.ack(got.map((e) => e[0]));
        if (acked !== READ_COUNT) bad++;
        sink += acked;
      };
      between = (n) => {
        if (delivered + n > SN) {
          g.rewind();
          delivered = 0;
        }
        delivered += n;
      };
      break;
    }
  }
  const close = () => {
    if (sink < 0) console.log(sink); // keep results observable
  };
  const check = () => {
    if (bad) throw new Error(`${bad} wrong replies`);
  };
  if (!withAwait)
    return {
      loop: (n) => {
        for (let i = 0; i < n; i += perOp) one();
        check();
      },
      between,
      quantum: perOp,
      close,
    };
  return {
    loop: async (n) => {
      for (let i = 0; i < n; i += perOp) {
        one();
        await undefined;
      }
      check();
    },
    between,
    quantum: perOp,
    close,
  };
}

/** The baseline's XADD * of 1M entries into a new array, timed, with its heap bytes per entry. */
export async function rawBuild(): Promise<BuildTiming & { bytesPerEntry: number | null }> {
  const { items: it } = inputs();
  const gc = (globalThis as { gc?: () => void }).gc;
  const heap = () => {
    if (gc) for (let i = 0; i < 4; i++) gc();
    return process.memoryUsage().heapUsed;
  };
  const h0 = heap();
  let s: RawStream | undefined = new RawStream();
  const t = await timeBuild(() => {
    for (let i = 0; i < SN; i++) s!.add(Date.now(), ['item', it[i]!, 'qty', qty(i)]);
  });
  const h1 = heap();
  if (s.length !== SN) throw new Error('raw build');
  s = undefined;
  return { ...t, bytesPerEntry: gc ? (h1 - h0) / SN : null };
}

// ---- Lodis and ioredis-mock ---------------------------------------------------------------------

/** The XADD trim option of the typed API (@upstash/redis' shape). */
type XAddTrim = { type: 'MAXLEN' | 'MINID'; threshold: number | string; comparison: '~' | '='; limit?: number };
/** The Lodis typed API as these rows use it (packages/core/src/api/streams.ts); absent methods have not landed. */
export interface LodisStreams {
  xadd?(key: string, id: string, entries: Record<string, string>, opts?: { nomkStream?: boolean; trim?: XAddTrim }): Promise<string | null>;
  xrange?(key: string, start: string, end: string, count?: number): Promise<unknown>;
  xreadgroup?(group: string, consumer: string, key: string, id: string, opts?: { count?: number; NOACK?: boolean }): Promise<unknown>;
  xack?(key: string, group: string, id: string | string[]): Promise<number>;
  call(...argv: Argv): Promise<unknown>;
  execute(...argv: Argv): unknown;
  close(): void;
}

const TYPED: Record<StreamRow, (keyof LodisStreams)[]> = {
  XADD: ['xadd'],
  'XADD~': ['xadd'],
  'XRANGE@1M': ['xrange'],
  'XRANGE@1k': ['xrange'],
  XREADGROUP: ['xreadgroup', 'xack'],
};

/**
 * Entries as [[id, [field, value …]] …], whatever the shape they came in: Redis' array of pairs,
 * or an object { id: { field: value } } (@upstash/redis' XRANGE), or [id, { field: value }] pairs.
 */
function entries(x: unknown): unknown {
  const fields = (f: unknown) => (f !== null && typeof f === 'object' && !Array.isArray(f) ? Object.entries(f).flat() : f);
  if (Array.isArray(x)) return x.map((e) => (Array.isArray(e) && e.length === 2 ? [e[0], fields(e[1])] : e));
  if (x !== null && typeof x === 'object') return Object.entries(x).map(([id, f]) => [id, fields(f)]);
  return x;
}
/** XREADGROUP's reply [[key, entries]] (or { key: entries }) as [[key, [[id, [f, v …]] …]]]. */
function readReply(x: unknown): unknown {
  if (Array.isArray(x)) return x.map((s) => (Array.isArray(s) ? [s[0], entries(s[1])] : s));
  if (x !== null && typeof x === 'object') return Object.entries(x).map(([k, e]) => [k, entries(e)]);
  return x;
}
/** The ids in an XREADGROUP reply, as given (strings or bytes): what XACK is sent. */
function idsRead(r: unknown): unknown[] {
  const stream = (r as [unknown, unknown][] | null)?.[0]?.[1];
  if (Array.isArray(stream)) return stream.map((e) => (e as unknown[])[0]);
  if (stream !== null && typeof stream === 'object') return Object.keys(stream);
  return [];
}

type XShared = {
  s: LodisStreams;
  /** The timed build of 1M entries with `*` ids (execute), and the heap it took. */
  build: BuildTiming | null;
  bytesPerEntry: number | null;
  externalPerEntry: number | null;
  /** Why the streams could not be built (the commands have not landed …), else null. */
  error: string | null;
};
let shared: XShared | undefined;

/** Builds the shared store: the timed `*` build (then deleted), the 1M and 1k explicit-id streams, the group. */
export async function lodisStreamShared(fresh: () => LodisStreams): Promise<XShared> {
  if (shared) return shared;
  const { items: it } = inputs();
  const idList = explicitIds();
  const gc = (globalThis as { gc?: () => void }).gc;
  const s = fresh();
  const heap = () => {
    if (gc) for (let i = 0; i < 4; i++) gc();
    return process.memoryUsage();
  };
  const fail = (e: unknown): XShared => (shared = { s, build: null, bytesPerEntry: null, externalPerEntry: null, error: failure(e) });
  try {
    const first = plain(s.execute('XADD', BUILD, '*', 'item', it[0]!, 'qty', qty(0)));
    if (typeof first !== 'string' || !/^\d+-\d+$/.test(first)) return fail(new Error(wrongReply(first)));
    s.execute('DEL', BUILD);
    const h0 = heap();
    const build = await timeBuild(() => {
      for (let i = 0; i < SN; i++) s.execute('XADD', BUILD, '*', 'item', it[i]!, 'qty', qty(i));
    });
    const h1 = heap();
    const len = plain(s.execute('XLEN', BUILD));
    if (len !== SN) return fail(new Error(`XLEN ${String(len)} after ${SN} XADDs`));
    s.execute('DEL', BUILD);
    for (let i = 0; i < SN; i++) s.execute('XADD', BIG, idList[i]!, 'item', it[i]!, 'qty', qty(i));
    for (let i = 0; i < SMALL_N; i++) s.execute('XADD', SMALL, idList[i]!, 'item', it[i]!, 'qty', qty(i));
    plain(s.execute('XGROUP', 'CREATE', BIG, GROUP, '0'));
    shared = {
      s,
      build,
      bytesPerEntry: gc ? (h1.heapUsed - h0.heapUsed) / SN : null,
      externalPerEntry: gc ? (h1.arrayBuffers - h0.arrayBuffers) / SN : null,
      error: null,
    };
  } catch (e) {
    return fail(e);
  }
  return shared;
}

export function closeShared(): void {
  shared?.s.close();
  shared = undefined;
}

/** XADD * of 1M entries, one per op, through the typed API, awaited (a fresh store). */
export async function typedXadd1M(fresh: () => LodisStreams): Promise<BuildTiming | string> {
  const { items: it } = inputs();
  const s = fresh();
  if (typeof s.xadd !== 'function') {
    s.close();
    return 'no method';
  }
  try {
    const xadd = s.xadd.bind(s);
    return await timeBuild(async () => {
      for (let i = 0; i < SN; i++) await xadd(BUILD, '*', { item: it[i]!, qty: qty(i) });
    });
  } catch (e) {
    return failure(e);
  } finally {
    s.close();
  }
}

/** One op of a row through a contender (XREADGROUP: the read and the XACK of what it read). */
function opFor(row: StreamRow, via: Via, client: unknown): () => unknown {
  const { items: it } = inputs();
  let j = row === 'XADD~' ? MAXLEN : 0;
  const nextFields = (): [string, string] => {
    const k = j;
    if (++j === SN) j = 0;
    return [it[k]!, qty(k)];
  };
  const xrangeN = row === 'XRANGE@1M' ? (via === 'mock' ? STREAM_MOCK_N : SN) : SMALL_N;
  const order = visitOrder(xrangeN);
  const idList = explicitIds();
  const start = () => {
    const i = order[j++ & (VISITS - 1)]!;
    return via === 'mock' ? String(i + 1) : idList[i]!;
  };
  const key = row === 'XRANGE@1k' ? SMALL : row === 'XADD' || row === 'XADD~' ? APPEND : BIG;
  if (via === 'typed') {
    const s = client as Required<LodisStreams>;
    switch (row) {
      case 'XADD':
        return () => {
          const [item, q] = nextFields();
          return s.xadd(key, '*', { item, qty: q });
        };
      case 'XADD~': {
        const trim: XAddTrim = { type: 'MAXLEN', threshold: MAXLEN, comparison: '~' };
        return () => {
          const [item, q] = nextFields();
          return s.xadd(key, '*', { item, qty: q }, { trim });
        };
      }
      case 'XRANGE@1M':
      case 'XRANGE@1k':
        return () => s.xrange(key, start(), '+', XRANGE_COUNT);
      case 'XREADGROUP': {
        const opts = { count: READ_COUNT };
        return async () => {
          const r = await s.xreadgroup(GROUP, CONSUMER, key, '>', opts);
          return [r, await s.xack(key, GROUP, idsRead(r) as string[])];
        };
      }
    }
  }
  const c =
    via === 'mock'
      ? mockCall(client)
      : via === 'call'
        ? (...argv: Argv) => (client as LodisStreams).call(...argv)
        : (...argv: Argv) => (client as LodisStreams).execute(...argv);
  switch (row) {
    case 'XADD':
      return () => {
        const [item, q] = nextFields();
        return c('XADD', key, '*', 'item', item, 'qty', q);
      };
    case 'XADD~':
      return () => {
        const [item, q] = nextFields();
        return c('XADD', key, 'MAXLEN', '~', MAXLEN, '*', 'item', item, 'qty', q);
      };
    case 'XRANGE@1M':
    case 'XRANGE@1k':
      return () => c('XRANGE', key, start(), '+', 'COUNT', XRANGE_COUNT);
    case 'XREADGROUP': {
      const read: Argv = ['XREADGROUP', 'GROUP', GROUP, CONSUMER, 'COUNT', READ_COUNT, 'STREAMS', key, '>'];
      if (via === 'execute') {
        const s = client as LodisStreams;
        return () => {
          const r = s.execute(...read);
          if (r instanceof Error) return r;
          return [r, s.execute('XACK', key, GROUP, ...(idsRead(r) as string[]))];
        };
      }
      return async () => {
        const r = await c(...read);
        return [r, await c('XACK', key, GROUP, ...(idsRead(r) as string[]))];
      };
    }
  }
}

/** A row's probe: the replies of the row's first ops, checked against the baseline (or Redis' rules). */
async function probe(
  row: StreamRow,
  op: () => unknown,
  decode: (r: unknown) => unknown,
  admin: (...argv: Argv) => Promise<unknown>,
  mock: boolean,
): Promise<string | null> {
  try {
    switch (row) {
      case 'XADD':
      case 'XADD~': {
        // ids strictly increasing, well formed; MAXLEN ~ keeps at least MAXLEN and less than a node more
        const idOf = (x: unknown) => {
          const m = typeof x === 'string' ? /^(\d+)-(\d+)$/.exec(x) : null;
          return m ? [Number(m[1]), Number(m[2])] : null;
        };
        let last: number[] | null = null;
        for (let k = 0; k < (row === 'XADD~' ? 250 : 3); k++) {
          const got = decode(await op());
          const id = idOf(got);
          if (!id || (last && (id[0]! < last[0]! || (id[0] === last[0] && id[1]! <= last[1]!)))) return wrongReply(got);
          last = id;
        }
        const len = Number(await admin('XLEN', APPEND));
        if (row === 'XADD' ? len !== 3 : len < MAXLEN || len >= MAXLEN + 100) return `wrong XLEN ${len}`;
        return null;
      }
      case 'XRANGE@1M':
      case 'XRANGE@1k': {
        const n = row === 'XRANGE@1k' ? SMALL_N : mock ? STREAM_MOCK_N : SN;
        const z = rawExplicit(n, mock);
        const i = visitOrder(n)[0]!;
        const want = z.range(z.ms[i]!, z.seq[i]!, XRANGE_COUNT);
        const got = entries(decode(await op()));
        return JSON.stringify(got) === JSON.stringify(want) ? null : wrongReply(got);
      }
      case 'XREADGROUP': {
        // the group starts at 0: the first ops read entries 0-9, 10-19, and ack all 10 each
        const z = rawExplicit(SN, mock);
        for (let k = 0; k < 2; k++) {
          const [r, acked] = decode(await op()) as [unknown, unknown];
          const want = [[BIG, z.entries.slice(k * READ_COUNT, (k + 1) * READ_COUNT)]];
          if (JSON.stringify(readReply(r)) !== JSON.stringify(want)) return wrongReply(readReply(r));
          if (Number(acked) !== READ_COUNT) return `XACK replied ${String(acked)}`;
        }
        const pending = (await admin('XPENDING', BIG, GROUP)) as unknown[];
        return Number(pending[0]) === 0 ? null : `XPENDING ${JSON.stringify(pending)}`;
      }
    }
  } catch (e) {
    return failure(e);
  }
}

/**
 * A Lodis cell: XADD rows on a fresh store, the others on the shared one; probed in its own style
 * against the baseline (execute's replies in `call`'s shape), then timed.
 */
export async function lodisStreamWorkload(fresh: () => LodisStreams, row: StreamRow, style: 'await' | 'call' | 'execute'): Promise<Workload | string> {
  const via: Via = style === 'await' ? 'typed' : style;
  const own = row === 'XADD' || row === 'XADD~';
  let s: LodisStreams;
  if (own) s = fresh();
  else {
    const sh = await lodisStreamShared(fresh);
    if (sh.error) return sh.error;
    s = sh.s;
  }
  const close = () => {
    if (own) s.close();
  };
  if (via === 'typed' && TYPED[row].some((m) => typeof s[m] !== 'function')) {
    close();
    return 'no method';
  }
  const admin = async (...argv: Argv) => plain(s.execute(...argv));
  const { items: it } = inputs();
  let between: ((n: number) => unknown) | undefined;
  try {
    if (row === 'XADD~') for (let i = 0; i < MAXLEN; i++) await admin('XADD', APPEND, '*', 'item', it[i]!, 'qty', qty(i));
    if (row === 'XREADGROUP') await admin('XGROUP', 'SETID', BIG, GROUP, '0');
  } catch (e) {
    close();
    return failure(e);
  }
  const why = await probe(row, opFor(row, via, s), via === 'execute' ? (r) => plain(r) : (r) => r, admin, false);
  if (why) {
    close();
    return why;
  }
  if (row === 'XADD') {
    let len = 3; // the probe's
    between = async (n) => {
      if (len + n > SN) {
        await admin('DEL', APPEND);
        len = 0;
      }
      len += n;
    };
  }
  if (row === 'XREADGROUP') {
    let delivered = 2 * READ_COUNT; // the probe's
    between = async (n) => {
      if (delivered + n > SN) {
        await admin('XGROUP', 'SETID', BIG, GROUP, '0');
        delivered = 0;
      }
      delivered += n;
    };
  }
  const one = opFor(row, via, s);
  const perOp = row === 'XREADGROUP' ? READ_COUNT : 1;
  let loop: Loop;
  if (style === 'execute') {
    const each = syncEachChecked(one);
    loop = perOp === 1 ? each : (n) => each(n / perOp);
  } else {
    const each = awaitEach(one);
    loop = perOp === 1 ? each : (n) => each(n / perOp);
  }
  return { loop, between, quantum: perOp, close };
}

// ---- ioredis-mock -----------------------------------------------------------------------------

type MockStreams = { disconnect(): void; flushall(): Promise<unknown>; xadd(k: string, ...a: Argv): Promise<unknown> };
let mockState: { r: MockStreams; ok: string | null } | undefined;

/** ioredis-mock's explicit-id streams (ids 1-0 …): the 1M row's capped at STREAM_MOCK_N, the 1k row's. */
async function mockShared(RedisMock: new () => unknown): Promise<{ r: MockStreams; ok: string | null }> {
  if (mockState) return mockState;
  const { items: it } = inputs();
  const r = new RedisMock() as MockStreams;
  await r.flushall();
  let ok: string | null = null;
  try {
    for (let i = 0; i < STREAM_MOCK_N; i++) await r.xadd(BIG, String(i + 1), 'item', it[i]!, 'qty', qty(i));
    for (let i = 0; i < SMALL_N; i++) await r.xadd(SMALL, String(i + 1), 'item', it[i]!, 'qty', qty(i));
  } catch (e) {
    ok = failure(e);
  }
  return (mockState = { r, ok });
}

export async function mockStreamWorkload(RedisMock: new () => unknown, row: StreamRow): Promise<Workload | string> {
  if (row === 'XREADGROUP') {
    // ioredis-mock 8.13.1 has no XREADGROUP (nor XGROUP, XACK): ask it, so the cell says why
    const r = new RedisMock() as MockStreams;
    try {
      await mockCall(r)('XREADGROUP', 'GROUP', GROUP, CONSUMER, 'COUNT', READ_COUNT, 'STREAMS', BIG, '>');
      return 'not run (ioredis-mock has XREADGROUP now: write its row)';
    } catch (e) {
      return failure(e);
    } finally {
      r.disconnect();
    }
  }
  const own = row === 'XADD' || row === 'XADD~';
  let r: MockStreams;
  if (own) {
    // not flushall: ioredis-mock instances share their data, and the XRANGE rows' streams live there
    r = new RedisMock() as MockStreams;
    await mockCall(r)('DEL', APPEND);
  } else {
    const st = await mockShared(RedisMock);
    if (st.ok) return st.ok;
    r = st.r;
  }
  const admin = mockCall(r);
  const close = () => {
    if (own) r.disconnect();
  };
  const { items: it } = inputs();
  if (row === 'XADD~') for (let i = 0; i < MAXLEN; i++) await admin('XADD', APPEND, '*', 'item', it[i]!, 'qty', qty(i));
  const why = await probe(row, opFor(row, 'mock', r), (x) => x, admin, true);
  if (why) {
    close();
    return why;
  }
  let between: ((n: number) => unknown) | undefined;
  if (row === 'XADD') {
    let len = 3;
    between = async (n) => {
      if (len + n > STREAM_MOCK_N) {
        await admin('DEL', APPEND);
        len = 0;
      }
      len += n;
    };
  }
  return { loop: awaitEach(opFor(row, 'mock', r)), between, quantum: 1, close };
}

export function closeMock(): void {
  mockState?.r.disconnect();
  mockState = undefined;
}
