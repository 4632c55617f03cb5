/**
 * `Persistence` over plain files (Redis' aof.c + rdb.c on a disk), so `lodis-server --dir D
 * --appendonly yes` keeps its data across restarts. Only `node:fs`, which Node, Deno and Bun all
 * provide. The bytes are core's (aof.ts batches, rdb.ts snapshot chunks, each with its CRC-32);
 * this module frames them in files and never interprets them.
 *
 * Layout in `dir`, after Redis 7's multi-part AOF (a manifest naming one base file and the
 * incremental files after it), in Lodis' own formats (so not Redis' file names: redis-check-aof
 * cannot read them):
 *
 *   lodis.manifest        what a load reads: the active snapshot and the log files after it
 *   lodis.<n>.snapshot    a snapshot: core's chunks, framed
 *   lodis.<n>.log         log batches, framed, in sequence order
 *   lodis.lock            the pid of the one process writing here
 *
 *   manifest   "lodis-manifest 1\n" | "snapshot <file> seq <seq>\n" (none before the first
 *              checkpoint) | "log <file>\n" (one or more, in order)
 *   snapshot   "LSNP" | version u32 | seq f64 | per chunk: length u32 | bytes |
 *              end: 0xffffffff u32 | chunk count u32
 *   log        "LLOG" | version u32 | per batch: length u32 | firstSeq f64 | lastSeq f64 |
 *              CRC-32 u32 of the 20 bytes before it | bytes        (integers little-endian)
 *
 * Why a manifest: a checkpoint has to replace the snapshot and trim the log in one atomic step,
 * and renaming a file over another is the only atomic step a filesystem offers. So everything a
 * load reads is named by one small file, replaced by writing lodis.manifest.tmp, fsyncing it,
 * renaming it and fsyncing the directory. Why the frame header has a CRC of its own: a batch's
 * bytes carry core's CRC, but its length and sequence numbers are this module's; a crash can leave
 * a tail of zeros or garbage (a file extended before its data reached the disk), and a frame
 * header read from it must not pass, or the batches after a bad length would be misframed.
 *
 * Checkpoint (BGREWRITEAOF, SAVE, automatic compaction) at sequence number S, while appends go on:
 *
 *   1. create lodis.<n>.log (its header fsynced, and the directory)
 *   2. manifest: the old snapshot, the old logs and the new one. From here on batches past S go
 *      to the new log — Redis 7 opens a new INCR file when a rewrite starts, for the same reason
 *      — and those up to S (the engine seals a batch at S) still go to the old one
 *   3. write lodis.<m>.snapshot from the chunks; fsync it and the directory
 *   4. manifest: the new snapshot and the new log — the switch
 *   5. delete the old snapshot and logs
 *
 * A crash before 2's rename leaves the old manifest (old snapshot + full log); between 2 and 4 the
 * old snapshot, the old logs and the new one, which is the full log; after 4, the new snapshot and
 * the trimmed log. Files the manifest does not name (a new log, a half-written snapshot, the old
 * files after a switch) are orphans: the next load deletes them.
 *
 * Torn tail (Redis' aof-load-truncated): a crash in the middle of an append leaves the last frame
 * cut short, or garbage after the last whole frame. Load hands it to core as a batch, as it is
 * (core fails its checks, drops it and reports through onLogTruncated, then checkpoints before it
 * logs anything new), and truncates the file back to the last whole frame before any new append,
 * so a new batch never follows garbage. A frame that is whole but fails core's checks (a flipped
 * bit) is core's to drop; its repair checkpoint leaves that file out of the next manifest.
 *
 * appendfsync, as Redis' (redis.conf, "APPEND ONLY MODE"):
 *
 *   always    `append` resolves once the batch is written AND fdatasync'd. An acknowledged write
 *             survives a process crash, an OS crash and a power loss. Slowest: one fdatasync per
 *             batch (group commit: the engine appends the commands of one tick as one batch, one
 *             append at a time, so commands arriving during an fdatasync share the next one).
 *   everysec  `append` resolves once write(2) has returned; an fdatasync runs in the background
 *             at most once a second (an unref'd timer: it never keeps the process alive). A
 *             process crash loses nothing acknowledged (the data is in the OS's page cache); an
 *             OS crash or power loss may lose the last second or two of acknowledged writes.
 *   no        `append` resolves once write(2) has returned; the OS writes the pages back when it
 *             likes (about every 30 s on Linux). A process crash loses nothing; an OS crash or
 *             power loss may lose more. `close()` fsyncs in every mode, as Redis does at shutdown.
 *
 * Snapshots and manifests are always fsynced (a switch must never name what is not on disk). A
 * write that fails (ENOSPC …) is cut back off the file and rejects the batch: core then refuses
 * writes (MISCONF) and retries with a checkpoint, which moves to a new log file. An fdatasync that
 * fails (in `always`, or the background one in `everysec`) marks its file as unusable: what it
 * held may never reach the disk, so the next append to it rejects and the checkpoint that follows
 * rewrites everything (Redis refuses writes after a failed background fsync the same way).
 *
 * One writer per dir: load() takes lodis.lock (created by link(2) from a file holding the pid, so
 * it never exists empty). A lock whose process is gone is stale and taken over; one held by a live
 * process — this one included — makes load() reject with a DirLockedError. close() releases it.
 * The check is by pid on this host (`process.kill(pid, 0)`; Deno needs --allow-run for it, and
 * without it every lock counts as held): a lock left by a crash whose pid has since been reused
 * by another process is taken as held (delete lodis.lock by hand), and two processes taking over
 * the same stale lock at the same instant may both succeed.
 */
import * as fs from 'node:fs';
import { join } from 'node:path';
import { clearTimeout, setImmediate, setTimeout } from 'node:timers';
import { crc32, type LogBatch, type Persistence, type StoredState } from '@lodis/core';

/** When an appended batch is flushed to the disk: Redis' appendfsync. */
export type AppendFsync = 'always' | 'everysec' | 'no';

/** Options of {@link filePersistence}. */
export interface FilePersistenceOptions {
  /** The directory of the files (Redis' `dir`); created if missing. */
  dir: string;
  /** Default `everysec`, as Redis. */
  appendfsync?: AppendFsync;
  /** @internal Fault injection for tests. */
  hooks?: FilePersistenceHooks;
}

/**
 * @internal A point of a write, announced to `hooks.step`; throwing there makes the write fail at
 * that point (`append` before the write, `fsync` before an fdatasync of a log). A test that copies
 * the directory there gets what a crash at that point would leave.
 */
export type FileStep =
  | 'append'
  | 'fsync'
  | 'begin'
  | 'new log created'
  | 'manifest.tmp written (new log)'
  | 'new log added'
  | `chunk ${number}`
  | 'snapshot written'
  | 'carried over'
  | 'manifest.tmp written (switch)'
  | 'switched';

/** @internal */
export interface FilePersistenceHooks {
  step?(step: FileStep): void;
}

/** Another process (or another FilePersistence of this one) writes to the directory. */
export class DirLockedError extends Error {
  override readonly name = 'DirLockedError';

  constructor(
    readonly dir: string,
    /** The pid in the lock file. */
    readonly pid: number,
  ) {
    super(
      `${dir} is in use by process ${pid} (${join(dir, LOCK)}): one writer per directory. ` +
        `If no such process writes there any more, delete the lock file.`,
    );
  }
}

/** Written to before `load()` or after `close()`. */
export class ClosedError extends Error {
  override readonly name = 'ClosedError';

  constructor(readonly dir: string) {
    super(`${dir}: not open for writing (call load() first; close() ends it)`);
  }
}

/** `const store = await openStore({ persistence: filePersistence({ dir: './data', appendfsync: 'everysec' }) })` */
export function filePersistence(options: FilePersistenceOptions): FilePersistence {
  return new FilePersistence(options);
}

const MANIFEST = 'lodis.manifest';
const MANIFEST_TMP = 'lodis.manifest.tmp';
const LOCK = 'lodis.lock';
const DATA_FILE = /^lodis\.(\d+)\.(snapshot|log)$/;
const LOCK_TMP = /^lodis\.lock\.(\d+)$/;

const SNAPSHOT_MAGIC = 0x504e534c; // "LSNP"
const LOG_MAGIC = 0x474f4c4c; // "LLOG"
const FORMAT_VERSION = 1;
/** magic (4) + version (4) + seq (8) */
const SNAPSHOT_HEADER = 16;
const SNAPSHOT_END = 0xffffffff;
/** magic (4) + version (4) */
const LOG_HEADER = 8;
/** length (4) + firstSeq (8) + lastSeq (8) + CRC-32 (4) */
const FRAME_HEADER = 24;
/** Bytes read at a time when a load reads a log. */
const READ_AHEAD = 1 << 20;
/** At most this much of a garbage tail is handed to core (it only has to fail core's checks). */
const GARBAGE_SHOWN = 1 << 16;
const EVERYSEC_MS = 1000;

interface Manifest {
  snapshot: { name: string; seq: number } | null;
  logs: string[];
}

/** A log file named by the manifest, open for reading and appending. */
interface LogFile {
  readonly name: string;
  fd: number;
  /** Bytes up to the end of the last whole frame: where the next one goes. */
  size: number;
  /** The last sequence number it holds (0 when none). */
  lastSeq: number;
  /** Written since its last fdatasync. */
  unsynced: boolean;
  /** Why it may not be appended to any more: an fdatasync failed, or a failed write could not be cut off. */
  failed: unknown;
}

/** The checkpoint under way: batches up to `seq` go to `before`, later ones wait for the new log. */
interface RunningCheckpoint {
  readonly seq: number;
  readonly before: LogFile;
  /** Settles once the new log is in the manifest (or could not be added: then `before` takes them). */
  readonly newLogNamed: Promise<void>;
  readonly done: Promise<unknown>;
}

/** Persistence in a directory of files; see the module comment for the layout and guarantees. */
export class FilePersistence implements Persistence {
  readonly dir: string;
  readonly appendfsync: AppendFsync;
  private readonly hooks: FilePersistenceHooks | undefined;
  private lockHeld = false;
  private open = false;
  private closing = false;
  private snapshot: Manifest['snapshot'] = null;
  private logs: LogFile[] = [];
  /** Appends go here (the last log the manifest names). */
  private current: LogFile | null = null;
  /** The next <n> of a new file: past every number seen in the directory. */
  private nextId = 1;
  /** The log has been read to its end since load (sizes known, torn tails cut off). */
  private scanned = false;
  private scanning: Promise<void> | null = null;
  private logBytes = 0;
  /** Appends, one after another. */
  private tail: Promise<unknown> = Promise.resolve();
  private running: RunningCheckpoint | null = null;
  // everysec: the timer of the next background fdatasync, the one under way, and when it started.
  private fsyncTimer: ReturnType<typeof setTimeout> | null = null;
  private fsyncing: Promise<void> | null = null;
  private lastFsync = 0;

  constructor(options: FilePersistenceOptions) {
    if (!options.dir) throw new TypeError('filePersistence: a directory is required');
    this.dir = options.dir;
    this.appendfsync = options.appendfsync ?? 'everysec';
    if (!['always', 'everysec', 'no'].includes(this.appendfsync)) {
      throw new TypeError(`filePersistence: appendfsync must be always, everysec or no, not ${String(this.appendfsync)}`);
    }
    this.hooks = options.hooks;
  }

  /**
   * Takes the directory's lock, deletes what an interrupted checkpoint left, and returns the
   * active snapshot and the log after it, both read lazily (a chunk, or a MB of log, at a time).
   * An empty (or missing) directory gets an empty log and a manifest naming it.
   */
  async load(): Promise<StoredState> {
    if (this.open) await this.closeFiles();
    fs.mkdirSync(this.dir, { recursive: true });
    if (!this.lockHeld) this.acquireLock();
    try {
      this.closing = false;
      let manifest = this.readManifest();
      for (const name of manifest === null ? [] : [...manifest.logs, ...(manifest.snapshot ? [manifest.snapshot.name] : [])]) {
        if (!fs.existsSync(join(this.dir, name))) throw new Error(`${join(this.dir, MANIFEST)} names ${name}, which is missing`);
      }
      this.collectOrphans(manifest);
      if (manifest === null) {
        const log = await this.createLog();
        manifest = { snapshot: null, logs: [log.name] };
        await this.writeManifest(manifest, null);
        fs.closeSync(log.fd);
      }
      this.snapshot = manifest.snapshot;
      this.logs = [];
      for (const name of manifest.logs) {
        this.logs.push({ name, fd: fs.openSync(join(this.dir, name), 'r+'), size: -1, lastSeq: 0, unsynced: false, failed: null });
      }
      this.current = this.logs[this.logs.length - 1]!;
      this.scanned = false;
      this.scanning = null;
      this.logBytes = 0;
      this.open = true;
    } catch (e) {
      await this.closeFiles();
      this.releaseLock();
      throw e;
    }
    const snap = this.snapshot;
    return {
      snapshot: snap && { seq: snap.seq, chunks: this.readSnapshot(snap.name, snap.seq) },
      log: this.readLogs(),
    };
  }

  /** Writes the batch at the end of its log; resolves per `appendfsync`. */
  append(batch: LogBatch): Promise<void> {
    this.live();
    const p = this.tail.then(() => this.writeBatch(batch));
    this.tail = p.catch(noop);
    return p;
  }

  /** Writes a snapshot as of `seq` and switches to it; see the module comment for the steps. */
  async checkpoint(seq: number, chunks: AsyncIterable<Uint8Array>): Promise<void> {
    this.live();
    if (this.running !== null) throw new Error(`${this.dir}: a checkpoint is already running`);
    const active = this.snapshot;
    if (active !== null && seq < active.seq) throw new Error(`checkpoint at ${seq} is older than the active snapshot (${active.seq})`);
    let named!: () => void;
    let finished!: () => void;
    const cp: RunningCheckpoint = {
      seq,
      before: this.current!,
      newLogNamed: new Promise<void>((r) => (named = r)),
      done: new Promise<void>((r) => (finished = r)),
    };
    this.running = cp;
    const oldLogs = this.logs.slice();
    let newLog: LogFile | null = null;
    let carried: LogFile | null = null;
    let snapshotName: string | null = null;
    let inManifest = false;
    let switched = false;
    try {
      await this.ensureScanned();
      this.step('begin');
      newLog = await this.createLog();
      this.step('new log created');
      await this.writeManifest({ snapshot: active, logs: [...oldLogs.map((f) => f.name), newLog.name] }, 'new log', () => {
        inManifest = true;
        this.logs.push(newLog!);
        this.current = newLog;
      });
      named();
      this.step('new log added');
      snapshotName = this.newName('snapshot');
      await this.writeSnapshot(snapshotName, seq, chunks);
      this.step('snapshot written');
      carried = await this.carryOver(oldLogs, seq);
      if (carried !== null) this.step('carried over');
      const logs = carried !== null ? [carried, newLog] : [newLog];
      await this.writeManifest({ snapshot: { name: snapshotName, seq }, logs: logs.map((f) => f.name) }, 'switch', () => {
        switched = true;
        this.snapshot = { name: snapshotName!, seq };
        this.logs = logs;
        this.logBytes = logs.reduce((n, f) => n + f.size - LOG_HEADER, 0);
      });
      this.step('switched');
    } catch (e) {
      named();
      if (!switched) {
        // Nothing names these: delete them now rather than at the next load.
        for (const f of [inManifest ? null : newLog, carried]) if (f !== null) closeAndUnlink(this.dir, f);
        if (snapshotName !== null) unlinkQuietly(join(this.dir, snapshotName));
      }
      throw e;
    } finally {
      this.running = null;
      finished();
      if (switched) await this.dropFiles(oldLogs, active);
    }
  }

  /** Bytes of log frames since the active snapshot (drives automatic compaction). */
  logSize(): number {
    return this.logBytes;
  }

  /** Waits for the appends under way, fdatasyncs what is not yet (every mode), closes, releases the lock. */
  async close(): Promise<void> {
    if (!this.open) return;
    this.closing = true;
    await this.running?.done;
    await this.tail;
    await this.stopBackgroundFsync();
    for (const f of this.logs) if (f.unsynced && f.failed === null) await fdatasync(f.fd).catch(noop);
    await this.closeFiles();
    this.releaseLock();
  }

  // ---- appends ----

  private async writeBatch(batch: LogBatch): Promise<void> {
    const cp = this.running;
    let file: LogFile;
    if (cp === null) file = this.current!;
    else if (batch.lastSeq <= cp.seq) file = cp.before;
    else {
      await cp.newLogNamed;
      file = this.current!;
    }
    if (!this.scanned) await this.ensureScanned();
    if (file.failed !== null) throw file.failed;
    const frame = encodeFrame(batch);
    try {
      this.step('append');
      writeAllSync(file.fd, frame, file.size);
    } catch (e) {
      // Nothing of a failed write may stay for the next one to follow.
      try {
        fs.ftruncateSync(file.fd, file.size);
      } catch (cut) {
        file.failed = cut;
      }
      throw e;
    }
    file.size += frame.length;
    if (batch.lastSeq > file.lastSeq) file.lastSeq = batch.lastSeq;
    if (this.logs.includes(file)) this.logBytes += frame.length;
    file.unsynced = true;
    if (this.appendfsync === 'always') {
      try {
        this.step('fsync');
        await fdatasync(file.fd);
        file.unsynced = false;
      } catch (e) {
        file.failed = e;
        throw e;
      }
    } else {
      if (this.appendfsync === 'everysec') this.scheduleFsync();
      // Resolve in the next turn of the event loop, not in this one's microtasks: a client that
      // awaits each write in a loop would otherwise never let timers (the everysec fdatasync) or
      // I/O (a checkpoint's writes) run.
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  /** everysec: an fdatasync of the logs written since the last one, at most once a second. */
  private scheduleFsync(): void {
    if (this.fsyncTimer !== null || this.fsyncing !== null || this.closing) return;
    const wait = Math.max(0, this.lastFsync + EVERYSEC_MS - Date.now());
    this.fsyncTimer = setTimeout(() => {
      this.fsyncTimer = null;
      this.fsyncing = this.backgroundFsync().finally(() => {
        this.fsyncing = null;
        if (this.logs.some((f) => f.unsynced && f.failed === null)) this.scheduleFsync();
      });
    }, wait);
    this.fsyncTimer.unref?.();
  }

  private async backgroundFsync(): Promise<void> {
    this.lastFsync = Date.now();
    for (const f of this.logs) {
      if (!f.unsynced || f.failed !== null) continue;
      f.unsynced = false;
      try {
        this.step('fsync');
        await fdatasync(f.fd);
      } catch (e) {
        f.failed = e; // the next append to it rejects: core rewrites everything elsewhere
      }
    }
  }

  private async stopBackgroundFsync(): Promise<void> {
    if (this.fsyncTimer !== null) clearTimeout(this.fsyncTimer);
    this.fsyncTimer = null;
    await this.fsyncing;
  }

  // ---- loading ----

  private async *readSnapshot(name: string, seq: number): AsyncGenerator<Uint8Array> {
    const path = join(this.dir, name);
    const fd = fs.openSync(path, 'r');
    try {
      const size = fs.fstatSync(fd).size;
      const header = await readAt(fd, SNAPSHOT_HEADER, 0);
      const h = view(header);
      if (header.length < SNAPSHOT_HEADER || h.getUint32(0, true) !== SNAPSHOT_MAGIC || h.getUint32(4, true) !== FORMAT_VERSION) {
        throw new Error(`${path} is not a Lodis snapshot (version ${FORMAT_VERSION})`);
      }
      if (h.getFloat64(8, true) !== seq) throw new Error(`${path} holds seq ${h.getFloat64(8, true)}, the manifest says ${seq}`);
      let pos = SNAPSHOT_HEADER;
      for (let count = 0; ; count++) {
        const length = await readAt(fd, 4, pos);
        if (length.length < 4) throw new Error(`${path} is cut short after ${count} chunks`);
        const n = view(length).getUint32(0, true);
        pos += 4;
        if (n === SNAPSHOT_END) {
          const total = await readAt(fd, 4, pos);
          if (total.length < 4 || view(total).getUint32(0, true) !== count) throw new Error(`${path}: its end says it has a different number of chunks than ${count}`);
          break;
        }
        if (pos + n > size) throw new Error(`${path} is cut short in chunk ${count}`);
        yield await readAt(fd, n, pos);
        pos += n;
      }
    } finally {
      fs.closeSync(fd);
    }
  }

  /**
   * Every log file in order, as batches. A file's first bad frame (cut short, a header failing
   * its CRC) and everything after it is handed over as one batch for core to reject, then cut
   * off the file.
   */
  private async *readLogs(): AsyncGenerator<LogBatch> {
    let seq = this.snapshot?.seq ?? 0;
    for (const file of this.logs.slice()) {
      yield* this.readLog(file, seq);
      if (file.lastSeq > seq) seq = file.lastSeq;
    }
    this.scanned = true;
    this.logBytes = this.logs.reduce((n, f) => n + f.size - LOG_HEADER, 0);
  }

  private async *readLog(file: LogFile, seq: number): AsyncGenerator<LogBatch> {
    const path = join(this.dir, file.name);
    const end = fs.fstatSync(file.fd).size;
    const r = new SequentialReader(file.fd, end);
    const header = await r.read(LOG_HEADER);
    const h = view(header);
    if (header.length < LOG_HEADER || h.getUint32(0, true) !== LOG_MAGIC || h.getUint32(4, true) !== FORMAT_VERSION) {
      throw new Error(`${path} is not a Lodis log (version ${FORMAT_VERSION})`);
    }
    file.size = LOG_HEADER;
    file.lastSeq = 0;
    while (r.pos < end) {
      const at = r.pos;
      const head = await r.read(FRAME_HEADER);
      const f = view(head);
      if (head.length < FRAME_HEADER || crc32(head, 0, 20) !== f.getUint32(20, true)) {
        // A header cut short, or garbage: its sequence numbers cannot be trusted.
        const rest = head.length < FRAME_HEADER ? head : concat(head, await r.read(GARBAGE_SHOWN - FRAME_HEADER));
        yield { firstSeq: seq + 1, lastSeq: seq + 1, bytes: rest.slice() };
        break;
      }
      const [length, firstSeq, lastSeq] = [f.getUint32(0, true), f.getFloat64(4, true), f.getFloat64(12, true)];
      const bytes = (await r.read(length)).slice();
      yield { firstSeq, lastSeq, bytes };
      if (bytes.length < length) break;
      file.size = r.pos;
      if (lastSeq > file.lastSeq) file.lastSeq = lastSeq;
      if (lastSeq > seq) seq = lastSeq;
    }
    if (file.size < end) {
      fs.ftruncateSync(file.fd, file.size);
      await fdatasync(file.fd);
    }
  }

  /** Before writing: the log read to its end, if load's caller did not (sizes, torn tails). */
  private ensureScanned(): Promise<void> {
    if (this.scanned) return Promise.resolve();
    return (this.scanning ??= (async () => {
      for await (const _ of this.readLogs());
    })());
  }

  // ---- checkpoints ----

  private async writeSnapshot(name: string, seq: number, chunks: AsyncIterable<Uint8Array>): Promise<void> {
    const fd = fs.openSync(join(this.dir, name), 'wx');
    try {
      const header = new Uint8Array(SNAPSHOT_HEADER);
      const h = view(header);
      h.setUint32(0, SNAPSHOT_MAGIC, true);
      h.setUint32(4, FORMAT_VERSION, true);
      h.setFloat64(8, seq, true);
      await writeAll(fd, header, 0);
      let pos = SNAPSHOT_HEADER;
      let count = 0;
      for await (const chunk of chunks) {
        if (this.closing) throw new ClosedError(this.dir);
        await writeAll(fd, u32(chunk.length), pos);
        await writeAll(fd, chunk, pos + 4);
        pos += 4 + chunk.length;
        this.step(`chunk ${count++}`);
      }
      const endMark = new Uint8Array(8);
      view(endMark).setUint32(0, SNAPSHOT_END, true);
      view(endMark).setUint32(4, count, true);
      await writeAll(fd, endMark, pos);
      await fdatasync(fd);
    } finally {
      fs.closeSync(fd);
    }
    await this.fsyncDir();
  }

  /**
   * The batches past `seq` that the old logs hold, in a log of their own, or null (the engine
   * never checkpoints before a batch it has appended: this is for other callers).
   */
  private async carryOver(oldLogs: LogFile[], seq: number): Promise<LogFile | null> {
    if (!oldLogs.some((f) => f.lastSeq > seq)) return null;
    const log = await this.createLog();
    try {
      for (const old of oldLogs) {
        if (old.lastSeq <= seq) continue;
        const r = new SequentialReader(old.fd, old.size, LOG_HEADER);
        while (r.pos < old.size) {
          const head = await r.read(FRAME_HEADER);
          const body = await r.read(view(head).getUint32(0, true));
          if (view(head).getFloat64(12, true) <= seq) continue;
          writeAllSync(log.fd, concat(head, body), log.size);
          log.size += head.length + body.length;
          log.lastSeq = Math.max(log.lastSeq, view(head).getFloat64(12, true));
        }
      }
      await fdatasync(log.fd);
      return log;
    } catch (e) {
      closeAndUnlink(this.dir, log);
      throw e;
    }
  }

  /** After a switch: the files nothing names any more. */
  private async dropFiles(logs: LogFile[], snapshot: Manifest['snapshot']): Promise<void> {
    // Appends and a background fdatasync may still be using their descriptors.
    await this.tail;
    await this.fsyncing;
    for (const f of logs) if (!this.logs.includes(f)) closeAndUnlink(this.dir, f);
    if (snapshot !== null) unlinkQuietly(join(this.dir, snapshot.name));
  }

  // ---- files ----

  private newName(kind: 'snapshot' | 'log'): string {
    return `lodis.${this.nextId++}.${kind}`;
  }

  /** A new, empty log: its header fsynced, and the directory (before a manifest may name it). */
  private async createLog(): Promise<LogFile> {
    const name = this.newName('log');
    const fd = fs.openSync(join(this.dir, name), 'wx+');
    const log: LogFile = { name, fd, size: LOG_HEADER, lastSeq: 0, unsynced: false, failed: null };
    try {
      const header = new Uint8Array(LOG_HEADER);
      view(header).setUint32(0, LOG_MAGIC, true);
      view(header).setUint32(4, FORMAT_VERSION, true);
      writeAllSync(fd, header, 0);
      await fdatasync(fd);
      await this.fsyncDir();
      return log;
    } catch (e) {
      closeAndUnlink(this.dir, log);
      throw e;
    }
  }

  /**
   * Replaces the manifest: lodis.manifest.tmp written and fsynced, renamed over lodis.manifest,
   * the directory fsynced. `renamed` runs as soon as the rename is done (from then on a load reads
   * the new manifest, even if the directory's fsync fails).
   */
  private async writeManifest(m: Manifest, step: 'new log' | 'switch' | null, renamed?: () => void): Promise<void> {
    const lines = ['lodis-manifest 1'];
    if (m.snapshot !== null) lines.push(`snapshot ${m.snapshot.name} seq ${m.snapshot.seq}`);
    for (const log of m.logs) lines.push(`log ${log}`);
    const tmp = join(this.dir, MANIFEST_TMP);
    try {
      const fd = fs.openSync(tmp, 'w');
      try {
        writeAllSync(fd, new TextEncoder().encode(lines.join('\n') + '\n'), 0);
        await fdatasync(fd);
      } finally {
        fs.closeSync(fd);
      }
      if (step !== null) this.step(`manifest.tmp written (${step})`);
      fs.renameSync(tmp, join(this.dir, MANIFEST));
    } catch (e) {
      unlinkQuietly(tmp);
      throw e;
    }
    renamed?.();
    await this.fsyncDir();
  }

  private readManifest(): Manifest | null {
    const path = join(this.dir, MANIFEST);
    let text: string;
    try {
      text = fs.readFileSync(path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw e;
    }
    const bad = (why: string) => new Error(`${path}: ${why}`);
    const lines = text.split('\n');
    if (lines.pop() !== '' || lines[0] !== 'lodis-manifest 1') throw bad('not a Lodis manifest (version 1)');
    const m: Manifest = { snapshot: null, logs: [] };
    for (const line of lines.slice(1)) {
      const words = line.split(' ');
      const name = words[1] ?? '';
      if (!DATA_FILE.test(name)) throw bad(`bad line "${line}"`);
      if (words[0] === 'snapshot' && words.length === 4 && words[2] === 'seq' && m.snapshot === null && m.logs.length === 0) {
        const seq = Number(words[3]);
        if (!Number.isSafeInteger(seq) || seq < 0 || !name.endsWith('.snapshot')) throw bad(`bad line "${line}"`);
        m.snapshot = { name, seq };
      } else if (words[0] === 'log' && words.length === 2 && name.endsWith('.log')) m.logs.push(name);
      else throw bad(`bad line "${line}"`);
    }
    if (m.logs.length === 0) throw bad('names no log');
    return m;
  }

  /**
   * Deletes what the manifest does not name: the files of an interrupted checkpoint, the old files
   * of one that switched, a manifest.tmp. With no manifest, data files are refused rather than
   * deleted (unless they are empty logs: a first load that stopped before its manifest).
   */
  private collectOrphans(m: Manifest | null): void {
    const named = new Set(m === null ? [] : [...m.logs, ...(m.snapshot ? [m.snapshot.name] : [])]);
    for (const name of fs.readdirSync(this.dir)) {
      const data = DATA_FILE.exec(name);
      if (data !== null) this.nextId = Math.max(this.nextId, Number(data[1]) + 1);
      if (data !== null && !named.has(name)) {
        const path = join(this.dir, name);
        if (m === null && (data[2] === 'snapshot' || fs.statSync(path).size > LOG_HEADER)) {
          throw new Error(`${path} is there but ${MANIFEST} is not: restore the manifest, or move the lodis.* files away`);
        }
        unlinkQuietly(path);
      } else if (name === MANIFEST_TMP) unlinkQuietly(join(this.dir, name));
    }
  }

  /** Makes renames and new files durable (a no-op where directories cannot be opened: Windows). */
  private async fsyncDir(): Promise<void> {
    let fd: number;
    try {
      fd = fs.openSync(this.dir, 'r');
    } catch (e) {
      if (['EISDIR', 'EPERM', 'EACCES'].includes((e as NodeJS.ErrnoException).code ?? '')) return;
      throw e;
    }
    try {
      await fsync(fd);
    } catch (e) {
      if (!['EINVAL', 'EBADF', 'EPERM'].includes((e as NodeJS.ErrnoException).code ?? '')) throw e;
    } finally {
      fs.closeSync(fd);
    }
  }

  private async closeFiles(): Promise<void> {
    await this.stopBackgroundFsync();
    for (const f of this.logs) {
      try {
        fs.closeSync(f.fd);
      } catch {
        // already closed
      }
    }
    this.logs = [];
    this.current = null;
    this.open = false;
  }

  // ---- the lock ----

  /** lodis.lock, made by link(2) from a file already holding the pid (never seen empty). */
  private acquireLock(): void {
    const lock = join(this.dir, LOCK);
    const tmp = join(this.dir, `${LOCK}.${process.pid}`);
    for (const name of fs.readdirSync(this.dir)) {
      const m = LOCK_TMP.exec(name);
      if (m !== null && Number(m[1]) !== process.pid && !processAlive(Number(m[1]))) unlinkQuietly(join(this.dir, name));
    }
    fs.writeFileSync(tmp, `${process.pid}\n`);
    try {
      for (let attempt = 0; ; attempt++) {
        try {
          fs.linkSync(tmp, lock);
          this.lockHeld = true;
          return;
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        }
        let holder: number;
        try {
          holder = Number.parseInt(fs.readFileSync(lock, 'utf8'), 10);
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue; // released meanwhile
          throw e;
        }
        if (processAlive(holder) || attempt > 0) throw new DirLockedError(this.dir, holder);
        unlinkQuietly(lock); // stale: its process is gone
      }
    } finally {
      unlinkQuietly(tmp);
    }
  }

  private releaseLock(): void {
    if (!this.lockHeld) return;
    this.lockHeld = false;
    unlinkQuietly(join(this.dir, LOCK));
  }

  private live(): void {
    if (!this.open || this.closing) throw new ClosedError(this.dir);
  }

  private step(step: FileStep): void {
    this.hooks?.step?.(step);
  }
}

// ---- helpers -----------------------------------------------------------------------------------

function encodeFrame(batch: LogBatch): Uint8Array {
  const frame = new Uint8Array(FRAME_HEADER + batch.bytes.length);
  const v = view(frame);
  v.setUint32(0, batch.bytes.length, true);
  v.setFloat64(4, batch.firstSeq, true);
  v.setFloat64(12, batch.lastSeq, true);
  v.setUint32(20, crc32(frame, 0, 20), true);
  frame.set(batch.bytes, FRAME_HEADER);
  return frame;
}

/** Reads a file front to back a MB at a time (a log of small frames in few reads). */
class SequentialReader {
  private buf = new Uint8Array(0);
  private at = 0;

  constructor(
    private readonly fd: number,
    private readonly end: number,
    /** The offset of the next byte read() returns. */
    public pos = 0,
  ) {}

  /** The next `n` bytes, or all that is left before `end` when fewer (a view: slice to keep it). */
  async read(n: number): Promise<Uint8Array> {
    const want = Math.min(n, this.end - this.pos);
    if (this.buf.length - this.at < want) {
      const kept = this.buf.subarray(this.at);
      const size = Math.min(Math.max(want, READ_AHEAD), this.end - this.pos);
      const next = new Uint8Array(size);
      next.set(kept);
      const filled = kept.length + (await readInto(this.fd, next, kept.length, this.pos + kept.length));
      this.buf = next.subarray(0, filled);
      this.at = 0;
    }
    const out = this.buf.subarray(this.at, this.at + Math.min(want, this.buf.length - this.at));
    this.at += out.length;
    this.pos += out.length;
    return out;
  }
}

/** Fills buf from `from` with the file's bytes at `pos`; returns how many (fewer at the end of the file). */
async function readInto(fd: number, buf: Uint8Array, from: number, pos: number): Promise<number> {
  let n = 0;
  while (from + n < buf.length) {
    const got = await new Promise<number>((resolve, reject) =>
      fs.read(fd, buf, from + n, buf.length - from - n, pos + n, (e, bytes) => (e ? reject(e) : resolve(bytes))),
    );
    if (got === 0) break;
    n += got;
  }
  return n;
}

async function readAt(fd: number, length: number, pos: number): Promise<Uint8Array> {
  const buf = new Uint8Array(length);
  return buf.subarray(0, await readInto(fd, buf, 0, pos));
}

/** write(2) in the event loop, as Redis writes its AOF buffer: to the page cache, a few µs. */
function writeAllSync(fd: number, buf: Uint8Array, pos: number): void {
  for (let n = 0; n < buf.length; ) n += fs.writeSync(fd, buf, n, buf.length - n, pos + n);
}

/** For snapshot chunks (a MB each), off the event loop. */
async function writeAll(fd: number, buf: Uint8Array, pos: number): Promise<void> {
  for (let n = 0; n < buf.length; ) {
    n += await new Promise<number>((resolve, reject) =>
      fs.write(fd, buf, n, buf.length - n, pos + n, (e, written) => (e ? reject(e) : resolve(written))),
    );
  }
}

const fdatasync = (fd: number) => new Promise<void>((resolve, reject) => fs.fdatasync(fd, (e) => (e ? reject(e) : resolve())));
const fsync = (fd: number) => new Promise<void>((resolve, reject) => fs.fsync(fd, (e) => (e ? reject(e) : resolve())));

function processAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // Only "no such process" says it is gone: EPERM is someone else's live process, and where
    // the check itself is not allowed (Deno without --allow-run) the lock counts as held.
    return (e as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

function closeAndUnlink(dir: string, f: LogFile): void {
  try {
    fs.closeSync(f.fd);
  } catch {
    // already closed
  }
  unlinkQuietly(join(dir, f.name));
}

function unlinkQuietly(path: string): void {
  try {
    fs.unlinkSync(path);
  } catch {
    // gone already, or left for the next load to collect
  }
}

function view(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

function u32(n: number): Uint8Array {
  const b = new Uint8Array(4);
  view(b).setUint32(0, n, true);
  return b;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

function noop(): void {}
