/**
 * Snapshots (rdb.c): the whole keyspace as of one log sequence number, written copy-on-write
 * while commands keep running, and loaded back; SAVE, BGSAVE and LASTSAVE.
 *
 * A snapshot is a list of chunks of about 1 MB (a record is never split, so a chunk holding one
 * large value may be larger), each checksummed on its own, so a backend can write them one by
 * one and a torn one is detected:
 *
 *   chunk   = "LRDB" | version (1) | chunk index u32 | records | CRC-32 u32 of what precedes it
 *   chunk 0 starts with: seq f64 | number of databases varint
 *   record  = OPREPLIES (0xF9) varint count, per entry origin (tagged text), varint op number,
 *             tagged bytes reply  — the exactly-once table as of seq (opreplies.ts), in chunk 0
 *           | SELECTDB (0xFE) varint db
 *           | [EXPIRETIME_MS (0xFC) int64] type (1) key value
 *           | EOF (0xFF)                      — the last record of the last chunk
 *   key     = varint(byteLength * 2 + isBinary) + bytes (a binary key is not valid UTF-8)
 *
 * Values are written by the codec registered for their type (OBJECT_CODECS, one table, as the
 * command table is): strings keep their representation — text, integer, bytes — so a loaded
 * store is identical to the one saved.
 *
 * Copy-on-write: a SnapshotWriter started at sequence S walks each database's Map with a live
 * iterator, a few milliseconds at a time. RedisDb calls `beforeChange(db, key)` before any change
 * to a key (lookupKeyWrite, setKey, dbAdd, dbOverwrite, dbDelete, setExpire, removeExpire, and
 * beforeInPlaceWrite for values modified after a read lookup). On a key's first change the key,
 * if it existed at S, is written at once — with its value as of S — and marked done; otherwise it
 * is marked created. The iterator skips both. A key the iterator already wrote may be written again
 * by a later first change, with the same value: the loader keeps the last, identical, copy.
 * FLUSHDB/FLUSHALL replace a database's maps instead of clearing them while a snapshot runs, and
 * SWAPDB exchanges them; the writer tracks each database by its Map, so it keeps reading the maps
 * as they were at S and files later changes under the right snapshot database.
 */
import type { Client } from './client.js';
import type { CommandHandlers } from './commands.js';
import type { CommandLog } from './aof.js';
import { noPersistenceErr, saveFailedErr, syntaxErr } from './errors.js';
import type { RedisDb } from './keyspace.js';
import type { RedisObject } from './object.js';
import { OK, type Reply } from './reply.js';
import { ByteReader, ByteWriter, crc32, ShortReadError } from './rio.js';
import { argIs, BINARY_MARK, latin1ToBytes, type Arg, type KeyString } from './sds.js';
import { readHashObject, writeHashObject, type HashObject } from './types/hash.js';
import { readListObject, writeListObject, type ListObject } from './types/list.js';
import { readSetObject, writeSetObject, type SetObject } from './types/set.js';
import { readStreamObject, writeStreamObject, type StreamObject } from './types/stream.js';
import { readZSetObject, writeZSetObject, type ZSetObject } from './types/zset.js';
import type { Engine } from './server.js';
import type { Int64 } from './util.js';

const MAGIC = [0x4c, 0x52, 0x44, 0x42]; // "LRDB"
const VERSION = 2;
/** magic (4) + version (1) + chunk index (4) */
const CHUNK_HEADER = 9;
const CHUNK_TRAILER = 4;

const OP_OPREPLIES = 0xf9;
const OP_EXPIRETIME_MS = 0xfc;
const OP_SELECTDB = 0xfe;
const OP_EOF = 0xff;

const DEFAULT_CHUNK_BYTES = 1024 * 1024;
const DEFAULT_STEP_MS = 4;

// ---- object codecs ---------------------------------------------------------------------------

/**
 * How one kind of value is written and read back. `kind` is the value's representation for
 * strings ('text' | 'int' | 'bytes') and its type name for the other types ('list', 'hash' …).
 */
export interface ObjectCodec {
  /** The type byte in the snapshot (0xF0 and above are opcodes). */
  readonly code: number;
  readonly kind: string;
  write(w: ByteWriter, o: RedisObject): void;
  read(r: ByteReader): RedisObject;
}

/** Every value type's codec. A new type adds its line here (codes are forever: never reuse one). */
export const OBJECT_CODECS: readonly ObjectCodec[] = [
  {
    code: 0,
    kind: 'text',
    write: (w, o) => w.taggedText(o as string, 0),
    read: (r) => r.text(r.tag().length),
  },
  {
    // Redis' OBJ_ENCODING_INT: a safe integer, exact in a double.
    code: 1,
    kind: 'int',
    write: (w, o) => w.f64(o as number),
    read: (r) => r.f64(),
  },
  {
    code: 2,
    kind: 'bytes',
    write: (w, o) => w.taggedBytes(o as Uint8Array, 1),
    read: (r) => r.bytes(r.tag().length),
  },
  { code: 3, kind: 'list', write: (w, o) => writeListObject(w, o as ListObject), read: readListObject },
  { code: 4, kind: 'hash', write: (w, o) => writeHashObject(w, o as HashObject), read: readHashObject },
  { code: 5, kind: 'set', write: (w, o) => writeSetObject(w, o as SetObject), read: readSetObject },
  { code: 6, kind: 'zset', write: (w, o) => writeZSetObject(w, o as ZSetObject), read: readZSetObject },
  { code: 7, kind: 'stream', write: (w, o) => writeStreamObject(w, o as StreamObject), read: readStreamObject },
];

const CODEC_BY_KIND = new Map(OBJECT_CODECS.map((c) => [c.kind, c]));
const CODEC_BY_CODE: (ObjectCodec | undefined)[] = [];
for (const c of OBJECT_CODECS) {
  if (c.code >= 0xf0 || CODEC_BY_CODE[c.code]) throw new Error(`snapshot type code ${c.code} is taken`);
  CODEC_BY_CODE[c.code] = c;
}

function codecOf(o: RedisObject): ObjectCodec {
  const kind = typeof o === 'string' ? 'text' : typeof o === 'number' ? 'int' : o instanceof Uint8Array ? 'bytes' : o.type;
  const codec = CODEC_BY_KIND.get(kind);
  if (codec === undefined) throw new Error(`Lodis: no snapshot codec for ${kind} values (rdb.ts OBJECT_CODECS)`);
  return codec;
}

// ---- writing ---------------------------------------------------------------------------------

const elapsedClock: () => number =
  typeof globalThis.performance?.now === 'function' ? () => globalThis.performance.now() : Date.now;

/** A database as the snapshot sees it: its maps as of the start, and how far the walk got. */
interface DbState {
  readonly id: number;
  readonly dict: Map<KeyString, RedisObject>;
  readonly expires: Map<KeyString, Int64>;
  iter: Iterator<[KeyString, RedisObject]> | null;
  /** Written by a first change (the walk skips them). */
  readonly done: Set<KeyString>;
  /** Created after the start (the walk skips them). */
  readonly created: Set<KeyString>;
  /** The walk is over: every key of the start has been written. */
  walked: boolean;
}

export interface SnapshotWriterOptions {
  /** Close a chunk once it holds this many bytes (default 1 MB). */
  chunkBytes?: number | undefined;
}

/** rdbSaveRio, incremental and copy-on-write (see the top of this file). */
export class SnapshotWriter {
  private readonly states: DbState[] = [];
  private readonly byDict = new Map<Map<KeyString, RedisObject>, DbState>();
  private cur = 0;
  private readonly w = new ByteWriter(64 * 1024);
  private readonly chunkBytes: number;
  private chunkIndex = 0;
  /** The database the records of the current chunk are in (-1: none yet). */
  private streamDb = -1;
  private readonly ready: Uint8Array[] = [];
  /** Every chunk has been produced (EOF written). */
  finished = false;
  /** Keys at the start (current_save_keys_total) and keys written so far. */
  readonly keysTotal: number;
  keysWritten = 0;
  /** Bytes of the chunks produced. */
  bytesWritten = 0;

  constructor(
    engine: Engine,
    readonly seq: number,
    options: SnapshotWriterOptions = {},
  ) {
    this.chunkBytes = options.chunkBytes ?? DEFAULT_CHUNK_BYTES;
    let total = 0;
    for (const db of engine.dbs) {
      const s: DbState = {
        id: db.id,
        dict: db.dict,
        expires: db.expires,
        iter: null,
        done: new Set(),
        created: new Set(),
        walked: db.dict.size === 0,
      };
      total += db.dict.size;
      this.states.push(s);
      this.byDict.set(db.dict, s);
    }
    this.keysTotal = total;
    this.beginChunk();
    const w = this.w;
    w.f64(seq);
    w.varint(engine.dbs.length);
    const ops = engine.opReplies;
    if (ops.size !== 0) {
      w.u8(OP_OPREPLIES);
      w.varint(ops.size);
      for (const [origin, n, reply] of ops.entries()) {
        w.taggedText(origin, 0);
        w.varint(n);
        w.taggedBytes(reply, 0);
      }
    }
  }

  /**
   * Called by RedisDb before `key` of `db` changes in any way. Writes the key as of the start if
   * this is its first change and the walk has not written it; remembers it either way.
   */
  beforeChange(db: RedisDb, key: KeyString): void {
    const s = this.byDict.get(db.dict);
    if (s === undefined || s.walked || s.done.has(key) || s.created.has(key)) return;
    const val = s.dict.get(key);
    if (val === undefined) s.created.add(key);
    else {
      this.writeKey(s, key, val);
      s.done.add(key);
    }
  }

  /**
   * Walk for about `budgetMs` (and at most `maxKeys` keys); when every database is walked, write
   * EOF and close the last chunk.
   */
  step(budgetMs = DEFAULT_STEP_MS, maxKeys = Infinity): void {
    if (this.finished) return;
    const start = elapsedClock();
    let n = 0;
    for (; this.cur < this.states.length; this.cur++) {
      const s = this.states[this.cur]!;
      if (s.walked) continue;
      const iter = (s.iter ??= s.dict.entries());
      for (;;) {
        const r = iter.next();
        if (r.done) break;
        const key = r.value[0];
        if ((s.done.size !== 0 && s.done.has(key)) || (s.created.size !== 0 && s.created.has(key))) continue;
        this.writeKey(s, key, r.value[1]);
        if (++n >= maxKeys || ((n & 63) === 0 && elapsedClock() - start >= budgetMs)) return;
      }
      s.walked = true;
      s.iter = null;
      s.done.clear();
      s.created.clear();
    }
    this.w.u8(OP_EOF);
    this.closeChunk();
    this.finished = true;
  }

  /** The next finished chunk, or null. */
  takeChunk(): Uint8Array | null {
    return this.ready.shift() ?? null;
  }

  /** Walk everything now and return the chunks not taken yet (tests, tools). */
  finish(): Uint8Array[] {
    while (!this.finished) this.step(Infinity);
    return this.ready.splice(0);
  }

  private writeKey(s: DbState, key: KeyString, val: RedisObject): void {
    const w = this.w;
    if (this.streamDb !== s.id) {
      w.u8(OP_SELECTDB);
      w.varint(s.id);
      this.streamDb = s.id;
    }
    const when = s.expires.get(key);
    if (when !== undefined) {
      w.u8(OP_EXPIRETIME_MS);
      w.i64(when);
    }
    const codec = codecOf(val);
    w.u8(codec.code);
    if (key.charCodeAt(0) === 0xdc00) w.taggedBytes(latin1ToBytes(key.slice(1)), 1);
    else w.taggedText(key, 0);
    codec.write(w, val);
    this.keysWritten++;
    if (w.pos >= this.chunkBytes) {
      this.closeChunk();
      this.beginChunk();
    }
  }

  private beginChunk(): void {
    const w = this.w;
    w.pos = 0;
    for (const b of MAGIC) w.u8(b);
    w.u8(VERSION);
    w.u32(this.chunkIndex++);
    this.streamDb = -1;
  }

  private closeChunk(): void {
    const w = this.w;
    w.u32(crc32(w.buf, 0, w.pos));
    const chunk = w.buf.slice(0, w.pos);
    this.bytesWritten += chunk.length;
    this.ready.push(chunk);
  }
}

// ---- loading ---------------------------------------------------------------------------------

/** A snapshot that cannot be loaded: unlike a log batch, there is no prefix of it worth having. */
export class SnapshotError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SnapshotError';
  }
}

/**
 * rdbLoad: the records of a snapshot into the (empty) databases, as they are — keys whose time has
 * passed included, as Redis keeps them when loading an AOF's base (the log after it may touch
 * them). Checks every chunk's magic, version, index and checksum, the sequence number, and that
 * the EOF record ends the last chunk. Returns the number of keys and of bytes read.
 */
export async function rdbLoad(
  engine: Engine,
  seq: number,
  chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
): Promise<{ keys: number; bytes: number }> {
  const loader = new SnapshotLoader(engine, seq);
  for await (const chunk of chunks) loader.chunk(chunk);
  return loader.end();
}

/** rdbLoad of chunks at hand, at once (DEBUG RELOAD): nothing else runs in between. */
export function rdbLoadSync(engine: Engine, seq: number, chunks: Iterable<Uint8Array>): { keys: number; bytes: number } {
  const loader = new SnapshotLoader(engine, seq);
  for (const chunk of chunks) loader.chunk(chunk);
  return loader.end();
}

/** rdbLoad's reading, a chunk at a time (see rdbLoad). */
class SnapshotLoader {
  private index = 0;
  private eof = false;
  private bytes = 0;
  private db: RedisDb;

  constructor(
    private readonly engine: Engine,
    private readonly seq: number,
  ) {
    this.db = engine.dbs[0]!;
  }

  chunk(chunk: Uint8Array): void {
    const engine = this.engine;
    const index = this.index;
    if (this.eof) throw new SnapshotError('snapshot has chunks after its end marker');
    checkChunk(chunk, index);
    this.bytes += chunk.length;
    const r = new ByteReader(chunk, CHUNK_HEADER, chunk.length - CHUNK_TRAILER);
    try {
      if (index === 0) {
        const s = r.f64();
        if (s !== this.seq) throw new SnapshotError(`snapshot is of op ${s}, stored as of op ${this.seq}`);
        r.varint(); // the databases it was written with
      }
      let expire: Int64 | null = null;
      while (r.remaining > 0) {
        const op = r.u8();
        if (op === OP_EOF) {
          if (r.remaining !== 0) throw new SnapshotError('snapshot has records after its end marker');
          this.eof = true;
        } else if (op === OP_SELECTDB) {
          const id = r.varint();
          const d = engine.dbs[id];
          if (d === undefined) throw new SnapshotError(`snapshot uses db ${id}; this store has ${engine.dbs.length} databases`);
          this.db = d;
        } else if (op === OP_OPREPLIES) {
          const n = r.varint();
          for (let i = 0; i < n; i++) {
            const origin = r.text(r.tag().length);
            const opn = r.varint();
            engine.opReplies.set(origin, opn, r.bytes(r.tag().length));
          }
        } else if (op === OP_EXPIRETIME_MS) {
          expire = r.i64();
        } else {
          const codec = CODEC_BY_CODE[op];
          if (codec === undefined) throw new SnapshotError(`unknown snapshot type code ${op}`);
          const { length, flag } = r.tag();
          const key = flag ? BINARY_MARK + r.latin1(length) : r.text(length);
          this.db.dbAddRDBLoad(key, codec.read(r));
          if (expire !== null) {
            this.db.expires.set(key, expire);
            expire = null;
          }
        }
      }
    } catch (e) {
      if (e instanceof ShortReadError) throw new SnapshotError(`snapshot chunk ${index} ends inside a record`);
      throw e;
    }
    this.index++;
  }

  end(): { keys: number; bytes: number } {
    if (!this.eof) throw new SnapshotError(this.index === 0 ? 'snapshot has no chunks' : 'snapshot is cut short (no end marker)');
    let keys = 0;
    for (const d of this.engine.dbs) keys += d.dict.size;
    return { keys, bytes: this.bytes };
  }
}

function checkChunk(chunk: Uint8Array, index: number): void {
  if (chunk.length < CHUNK_HEADER + CHUNK_TRAILER) throw new SnapshotError(`snapshot chunk ${index} is cut short`);
  for (let i = 0; i < 4; i++) if (chunk[i] !== MAGIC[i]) throw new SnapshotError(`snapshot chunk ${index}: bad magic`);
  if (chunk[4] !== VERSION && chunk[4] !== 1) throw new SnapshotError(`snapshot chunk ${index}: unsupported version ${chunk[4]}`);
  const view = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  if (view.getUint32(5, true) !== index) throw new SnapshotError(`snapshot chunk ${index} is out of place`);
  const end = chunk.length - CHUNK_TRAILER;
  if (crc32(chunk, 0, end) !== view.getUint32(end, true)) throw new SnapshotError(`snapshot chunk ${index} fails its checksum`);
}

// ---- commands --------------------------------------------------------------------------------

function commandLogOf(c: Client): CommandLog {
  const log = c.engine.commandLog;
  if (log === null) throw noPersistenceErr();
  return log;
}

/**
 * SAVE — a checkpoint; the reply comes when it is durable (Lodis cannot block its thread on
 * storage, so the session waits instead). A synchronous `execute` sees OK once it has started.
 */
function saveCommand(c: Client): Reply {
  const done = commandLogOf(c).save();
  c.deferReply(done.then(() => OK, (e: unknown) => saveFailedErr(e)));
  return OK;
}

/** BGSAVE [SCHEDULE] */
function bgsaveCommand(c: Client, argv: Arg[]): Reply {
  let schedule = false;
  if (argv.length > 1) {
    if (argv.length === 2 && argIs(argv[1]!, 'schedule')) schedule = true;
    else throw syntaxErr();
  }
  return commandLogOf(c).bgsave(schedule);
}

/** LASTSAVE — unix time (s) of the last successful checkpoint; the start time until there is one. */
function lastsaveCommand(c: Client): Reply {
  return c.engine.lastSave;
}

export const rdbCommands: CommandHandlers = {
  save: saveCommand,
  bgsave: bgsaveCommand,
  lastsave: lastsaveCommand,
};
