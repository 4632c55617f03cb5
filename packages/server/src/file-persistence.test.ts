import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore, type LogTruncation, type Store, type StoreOptions } from '@lodis/core';
import {
  ClosedError,
  DirLockedError,
  FilePersistence,
  type AppendFsync,
  type FilePersistenceOptions,
  type FileStep,
} from './file-persistence.js';
import { batch, batches, chunks, expected, loadAll } from '../../core/src/persistence-testkit.js';
import { commandStream, dumpKeyspace, T0 } from '../../core/src/test-helpers.js';

const text = new TextEncoder();
const MODES: AppendFsync[] = ['always', 'everysec', 'no'];

// --- fixtures ------------------------------------------------------------------------------------

const dirs: string[] = [];
const opened: FilePersistence[] = [];

function tempDir(): string {
  const dir = fs.mkdtempSync(join(tmpdir(), 'lodis-file-'));
  dirs.push(dir);
  return dir;
}

function open(dir: string, options: Partial<FilePersistenceOptions> = {}): FilePersistence {
  const p = new FilePersistence({ dir, appendfsync: 'no', ...options });
  opened.push(p);
  return p;
}

afterEach(async () => {
  for (const p of opened.splice(0)) await p.close().catch(() => {});
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** The directory's files, the lock left out. */
const files = (dir: string) => fs.readdirSync(dir).filter((f) => f !== 'lodis.lock').sort();
const manifest = (dir: string) => fs.readFileSync(join(dir, 'lodis.manifest'), 'utf8');
/** The log file appends go to: the last one the manifest names. */
const currentLog = (dir: string) => join(dir, /log (\S+)\n$/.exec(manifest(dir))![1]!);

/** A copy of `dir` as a crash would leave it: the crashed process (and so its lock) is gone. */
function crashCopy(dir: string): string {
  const copy = tempDir();
  fs.cpSync(dir, copy, { recursive: true });
  fs.rmSync(join(copy, 'lodis.lock'), { force: true });
  return copy;
}

async function* withAppends(label: string, count: number, between: (i: number) => Promise<void>): AsyncIterable<Uint8Array> {
  for (let i = 0; i < count; i++) {
    yield text.encode(`${label}${i}`);
    await between(i);
  }
}

// --- the Persistence contract --------------------------------------------------------------------

describe('FilePersistence', () => {
  it('starts empty: a manifest naming one empty log, and the lock', async () => {
    const dir = tempDir();
    expect(await loadAll(open(dir))).toEqual({ snapshot: null, log: [] });
    expect(files(dir)).toEqual(['lodis.1.log', 'lodis.manifest']);
    expect(manifest(dir)).toBe('lodis-manifest 1\nlog lodis.1.log\n');
    expect(fs.readFileSync(join(dir, 'lodis.lock'), 'utf8')).toBe(`${process.pid}\n`);
  });

  it('creates a missing directory', async () => {
    const dir = join(tempDir(), 'a', 'b');
    await open(dir).load();
    expect(files(dir)).toEqual(['lodis.1.log', 'lodis.manifest']);
  });

  for (const appendfsync of MODES) {
    it(`loads many batches back, in order (appendfsync ${appendfsync})`, async () => {
      const dir = tempDir();
      const a = open(dir, { appendfsync });
      await a.load();
      const written = batches(1, 2000); // 1000 batches
      for (const b of written) await a.append(b);
      expect(a.logSize()).toBe(written.reduce((n, b) => n + 24 + b.bytes.length, 0));
      await a.close();
      const b = open(dir);
      expect(await loadAll(b)).toEqual(expected(0, [], written));
      expect(b.logSize()).toBe(a.logSize());
    });
  }

  it('stores a view into a larger buffer as its own bytes', async () => {
    const dir = tempDir();
    const a = open(dir);
    await a.load();
    const big = new Uint8Array(1 << 16);
    big.set(text.encode('batch'), 100);
    await a.append({ firstSeq: 1, lastSeq: 1, bytes: big.subarray(100, 105) });
    await a.close();
    expect((await loadAll(open(dir))).log).toEqual(['1-1:batch']);
  });

  it('checkpoint writes a new snapshot, trims the log and deletes the old files', async () => {
    const dir = tempDir();
    const a = open(dir);
    await a.load();
    const written = batches(1, 40);
    for (const b of written.slice(0, 10)) await a.append(b);
    await a.checkpoint(20, chunks('A', 2));
    expect(files(dir)).toEqual(['lodis.2.log', 'lodis.3.snapshot', 'lodis.manifest']);
    expect(manifest(dir)).toBe('lodis-manifest 1\nsnapshot lodis.3.snapshot seq 20\nlog lodis.2.log\n');
    for (const b of written.slice(10)) await a.append(b);
    expect(a.logSize()).toBe(written.slice(10).reduce((n, b) => n + 24 + b.bytes.length, 0));

    await a.checkpoint(30, chunks('B', 3));
    expect(files(dir)).toEqual(['lodis.4.log', 'lodis.5.snapshot', 'lodis.6.log', 'lodis.manifest']);
    expect(manifest(dir)).toBe('lodis-manifest 1\nsnapshot lodis.5.snapshot seq 30\nlog lodis.6.log\nlog lodis.4.log\n');
    expect(a.logSize()).toBe(written.slice(15).reduce((n, b) => n + 24 + b.bytes.length, 0));
    await a.close();
    expect(await loadAll(open(dir))).toEqual(expected(30, ['B0', 'B1', 'B2'], written));
  });

  it('checkpoint keeps a batch that reaches past its seq', async () => {
    const dir = tempDir();
    const a = open(dir);
    await a.load();
    for (const b of batches(1, 10)) await a.append(b); // 1-2, 3-4 … 9-10
    await a.checkpoint(5, chunks('S', 1)); // 5-6 straddles: the engine never does this, but stay safe
    await a.append(batch(11));
    await a.close();
    expect(await loadAll(open(dir))).toEqual(expected(5, ['S0'], batches(1, 12)));
  });

  it('refuses a checkpoint older than the active snapshot', async () => {
    const dir = tempDir();
    const a = open(dir);
    await a.load();
    await a.checkpoint(20, chunks('A', 1));
    await expect(a.checkpoint(10, chunks('B', 1))).rejects.toThrow(/older than the active snapshot/);
    await a.close();
    expect((await loadAll(open(dir))).snapshot).toEqual({ seq: 20, chunks: ['A0'] });
  });

  it('keeps the batches appended while a snapshot streams: up to its seq in the old log, after it in the new one', async () => {
    const dir = tempDir();
    const a = open(dir);
    await a.load();
    for (const b of batches(1, 10)) await a.append(b);
    // As the engine does: the batch sealed at the checkpoint (11-12) lands while the snapshot
    // streams, and so do later ones, in order.
    const late = batches(11, 30);
    let next = 0;
    const sealed = a.append(late[next++]!);
    await a.checkpoint(
      12,
      withAppends('C', 4, async () => {
        await a.append(late[next++]!);
        await a.append(late[next++]!);
      }),
    );
    await sealed;
    expect(next).toBe(9);
    const all = [...batches(1, 10), ...late.slice(0, next)];
    expect(await loadAll(open(crashCopy(dir)))).toEqual(expected(12, ['C0', 'C1', 'C2', 'C3'], all));
    await a.close();
    expect(await loadAll(open(dir))).toEqual(expected(12, ['C0', 'C1', 'C2', 'C3'], all));
  });

  it('reads the snapshot chunk by chunk (1 MB chunks)', async () => {
    const dir = tempDir();
    const a = open(dir);
    await a.load();
    const mb = (fill: number) => new Uint8Array(1 << 20).fill(fill);
    async function* big() {
      for (let i = 0; i < 3; i++) yield mb(i + 1);
    }
    await a.checkpoint(7, big());
    await a.close();
    const state = await open(dir).load();
    const sizes: number[] = [];
    for await (const c of state.snapshot!.chunks) sizes.push(c.length, c[0]!, c[c.length - 1]!);
    expect(sizes).toEqual([1 << 20, 1, 1, 1 << 20, 2, 2, 1 << 20, 3, 3]);
  });

  it('refuses writes before load and after close', async () => {
    const dir = tempDir();
    const a = open(dir);
    expect(() => a.append(batch(1))).toThrow(ClosedError);
    await a.load();
    await a.append(batch(1));
    await a.close();
    expect(() => a.append(batch(3))).toThrow(ClosedError);
    await expect(a.checkpoint(2, chunks('A', 1))).rejects.toThrow(ClosedError);
    // and it can load again
    expect((await loadAll(a)).log).toEqual(['1-2:ops 1..2']);
  });

  it('loads again on the same instance, reading what it wrote', async () => {
    const dir = tempDir();
    const a = open(dir);
    await a.load();
    await a.append(batch(1));
    await a.checkpoint(2, chunks('A', 1));
    await a.append(batch(3));
    expect(await loadAll(a)).toEqual(expected(2, ['A0'], batches(1, 4)));
    await a.append(batch(5));
    expect(await loadAll(a)).toEqual(expected(2, ['A0'], batches(1, 6)));
  });

  it('refuses a manifest it cannot read, and data files without a manifest', async () => {
    const dir = tempDir();
    const a = open(dir);
    await a.load();
    await a.append(batch(1));
    await a.close();
    const good = manifest(dir);
    fs.writeFileSync(join(dir, 'lodis.manifest'), 'lodis-manifest 1\nlog ../etc/passwd\n');
    await expect(open(dir).load()).rejects.toThrow(/lodis.manifest: bad line "log ..\/etc\/passwd"/);
    fs.writeFileSync(join(dir, 'lodis.manifest'), 'lodis-manifest 1\nlog lodis.9.log\n');
    await expect(open(dir).load()).rejects.toThrow(/names lodis.9.log, which is missing/);
    fs.rmSync(join(dir, 'lodis.manifest'));
    await expect(open(dir).load()).rejects.toThrow(/lodis.1.log is there but lodis.manifest is not/);
    expect(files(dir)).toEqual(['lodis.1.log']); // nothing deleted, and no lock left behind
    expect(fs.existsSync(join(dir, 'lodis.lock'))).toBe(false);
    fs.writeFileSync(join(dir, 'lodis.manifest'), good);
    expect((await loadAll(open(dir))).log).toEqual(['1-2:ops 1..2']);
  });
});

// --- one writer per directory --------------------------------------------------------------------

describe('the lock', () => {
  it('refuses a second FilePersistence on the same dir while the first is open', async () => {
    const dir = tempDir();
    const first = open(dir);
    await first.load();
    const second = open(dir);
    const refused = await second.load().catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(DirLockedError);
    expect((refused as DirLockedError).pid).toBe(process.pid);
    expect((refused as Error).message).toBe(
      `${dir} is in use by process ${process.pid} (${join(dir, 'lodis.lock')}): one writer per directory. ` +
        'If no such process writes there any more, delete the lock file.',
    );
    await expect(openStore({ persistence: open(dir) })).rejects.toThrow(DirLockedError);
    await first.append(batch(1)); // the first one is unaffected
    await first.close();
    expect(fs.existsSync(join(dir, 'lodis.lock'))).toBe(false);
    expect((await loadAll(second)).log).toEqual(['1-2:ops 1..2']);
  });

  it('takes over a stale lock, whose process is gone', async () => {
    const dir = tempDir();
    const gone = spawnSync(process.execPath, ['-e', '0']).pid!;
    fs.writeFileSync(join(dir, 'lodis.lock'), `${gone}\n`);
    fs.writeFileSync(join(dir, `lodis.lock.${gone}`), `${gone}\n`); // a takeover it left half done
    await open(dir).load();
    expect(fs.readFileSync(join(dir, 'lodis.lock'), 'utf8')).toBe(`${process.pid}\n`);
    expect(fs.readdirSync(dir).sort()).toEqual(['lodis.1.log', 'lodis.lock', 'lodis.manifest']);
  });
});

// --- torn and corrupted tails --------------------------------------------------------------------

describe('a torn last frame', () => {
  /** Batches 1..10 in the log; returns where the last frame (9-10) starts and ends. */
  async function fiveFrames(dir: string): Promise<{ start: number; end: number; log: string }> {
    const a = open(dir);
    await a.load();
    for (const b of batches(1, 8)) await a.append(b);
    const log = currentLog(dir);
    const start = fs.statSync(log).size;
    await a.append(batch(9));
    await a.close();
    return { start, end: fs.statSync(log).size, log };
  }

  it('is handed to core as it is, cut off the file before anything is appended, and never read again', async () => {
    const dir = tempDir();
    const { start, end, log } = await fiveFrames(dir);
    expect(end - start).toBe(24 + batch(9).bytes.length);
    for (let cut = start; cut < end; cut++) {
      const copy = crashCopy(dir);
      const torn = join(copy, log.slice(dir.length + 1));
      fs.truncateSync(torn, cut);
      const a = open(copy);
      const loaded = await loadAll(a);
      const before = expected(0, [], batches(1, 8)).log;
      if (cut === start) expect(loaded.log).toEqual(before); // nothing of it was written
      else if (cut < start + 24) expect(loaded.log).toEqual([...before, `9-9:${new TextDecoder().decode(fs.readFileSync(join(dir, log.slice(dir.length + 1))).subarray(start, cut))}`]);
      else expect(loaded.log).toEqual([...before, `9-10:${'ops 9..10'.slice(0, cut - start - 24)}`]);
      expect({ cut, size: fs.statSync(torn).size }).toEqual({ cut, size: start });
      await a.append(batch(9));
      await a.close();
      expect({ cut, log: (await loadAll(open(copy))).log }).toEqual({ cut, log: expected(0, [], batches(1, 10)).log });
    }
  });

  it('is cut off even when it is garbage after the last frame (zeros from a crash)', async () => {
    const dir = tempDir();
    const { end, log } = await fiveFrames(dir);
    fs.appendFileSync(log, new Uint8Array(4096));
    const a = open(dir);
    const loaded = await loadAll(a);
    expect(loaded.log.length).toBe(6);
    expect(loaded.log[5]).toMatch(/^11-11:/); // no sequence numbers to trust: the op after the last
    expect(fs.statSync(log).size).toBe(end);
  });

  /** A store with five batches of writes; the state after each, and where the last frame is. */
  async function fiveBatches(dir: string) {
    const store = await openStore({ persistence: open(dir), clock: () => T0, activeExpire: false });
    const states = [dumpKeyspace(store.engine)];
    let start = 0;
    for (let i = 0; i < 5; i++) {
      start = fs.statSync(currentLog(dir)).size;
      await Promise.all([store.set(`k${i}`, `v${i}`), store.incr('n'), store.call('APPEND', 'log', `${i},`)]);
      states.push(dumpKeyspace(store.engine));
    }
    await store.close();
    return { states, start, end: fs.statSync(currentLog(dir)).size, log: currentLog(dir).slice(dir.length + 1) };
  }

  async function reopenDamaged(copy: string, states: ReturnType<typeof dumpKeyspace>[], what: unknown): Promise<LogTruncation[]> {
    const reports: LogTruncation[] = [];
    const options: StoreOptions = { persistence: open(copy), clock: () => T0, activeExpire: false, onLogTruncated: (t) => reports.push(t) };
    const store = await openStore(options);
    expect({ what, state: dumpKeyspace(store.engine) }).toEqual({ what, state: states[4] });
    // New writes go on, after a checkpoint that removed the dropped record.
    expect(await store.set('after', 'x')).toBe('OK');
    const state = dumpKeyspace(store.engine);
    await store.close();
    const again: LogTruncation[] = [];
    const reopened = await openStore({ ...options, persistence: open(copy), onLogTruncated: (t) => again.push(t) });
    expect({ what, state: dumpKeyspace(reopened.engine), again }).toEqual({ what, state, again: [] });
    await reopened.close();
    return reports;
  }

  it('cut at every byte offset: a store opens with everything before it and reports the drop', async () => {
    const dir = tempDir();
    const { states, start, end, log } = await fiveBatches(dir);
    for (let cut = start; cut < end; cut++) {
      const copy = crashCopy(dir);
      fs.truncateSync(join(copy, log), cut);
      const reports = await reopenDamaged(copy, states, { cut });
      expect({ cut, reports }).toEqual({ cut, reports: cut === start ? [] : [{ batches: 1, firstSeq: expect.any(Number), lastSeq: expect.any(Number), reason: expect.any(String) }] });
    }
  });

  it('with one bit flipped, in any byte: a store opens with everything before it and reports the drop', async () => {
    const dir = tempDir();
    const { states, start, end, log } = await fiveBatches(dir);
    for (let at = start; at < end; at++) {
      const copy = crashCopy(dir);
      const bytes = fs.readFileSync(join(copy, log));
      bytes[at]! ^= 1 << (at % 8);
      fs.writeFileSync(join(copy, log), bytes);
      const reports = await reopenDamaged(copy, states, { at });
      expect({ at, reports: reports.length }).toEqual({ at, reports: 1 });
    }
  });
});

// --- checkpoints interrupted ---------------------------------------------------------------------

describe('a checkpoint interrupted at any step', () => {
  const before = batches(11, 30);
  const oldState = expected(10, ['A0', 'A1'], before);
  const newState = expected(20, ['B0', 'B1', 'B2'], before);

  /** Snapshot A at 10, batches 11..30; then a checkpoint to B at 20 with `fault` armed. */
  async function run(dir: string, fault: (step: FileStep) => void): Promise<{ p: FilePersistence; error: unknown }> {
    let armed = false;
    const p = open(dir, { hooks: { step: (s) => armed && fault(s) } });
    await p.load();
    await p.checkpoint(10, chunks('A', 2));
    for (const b of before) await p.append(b);
    armed = true;
    const error = await p.checkpoint(20, chunks('B', 3)).then(
      () => null,
      (e: unknown) => e,
    );
    armed = false;
    return { p, error };
  }

  async function steps(): Promise<FileStep[]> {
    const seen: FileStep[] = [];
    expect((await run(tempDir(), (s) => seen.push(s))).error).toBe(null);
    return seen;
  }

  it('goes through these steps', async () => {
    expect(await steps()).toEqual([
      'begin',
      'new log created',
      'manifest.tmp written (new log)',
      'new log added',
      'chunk 0',
      'chunk 1',
      'chunk 2',
      'snapshot written',
      'carried over', // batches 21..30, appended before the checkpoint began (the engine never does)
      'manifest.tmp written (switch)',
      'switched',
    ]);
  });

  it('a crash at any step leaves the old snapshot and the full log, or the new snapshot and the trimmed log', async () => {
    for (const at of await steps()) {
      const dir = tempDir();
      let crashed: string | null = null;
      const { p } = await run(dir, (s) => {
        if (s === at) crashed = crashCopy(dir);
      });
      await p.close();
      const q = open(crashed!);
      const state = await loadAll(q);
      expect({ at, state }).toEqual({ at, state: at === 'switched' ? newState : oldState });
      // No orphan left: only what the manifest names.
      const named = [...manifest(crashed!).matchAll(/(lodis\.\d+\.\w+)/g)].map((m) => m[1]);
      expect({ at, files: files(crashed!) }).toEqual({ at, files: [...named, 'lodis.manifest'].sort() });
      // And it goes on: append, checkpoint again, reopen.
      await q.append(batch(31));
      await q.checkpoint(32, chunks('C', 2));
      await q.append(batch(33));
      await q.close();
      expect({ at, state: await loadAll(open(crashed!)) }).toEqual({ at, state: expected(32, ['C0', 'C1'], batches(31, 34)) });
    }
  });

  it('a failure at any step leaves what a load reads as it was, or switched, and the writer goes on', async () => {
    for (const at of await steps()) {
      const dir = tempDir();
      const { p, error } = await run(dir, (s) => {
        if (s === at) throw new Error(`failed at ${at}`);
      });
      expect({ at, error: (error as Error).message }).toEqual({ at, error: `failed at ${at}` });
      const switched = at === 'switched';
      expect({ at, state: await loadAll(open(crashCopy(dir))) }).toEqual({ at, state: switched ? newState : oldState });
      // Nothing but what the manifest names (the failed checkpoint cleaned up after itself).
      const named = [...manifest(dir).matchAll(/(lodis\.\d+\.\w+)/g)].map((m) => m[1]);
      expect({ at, files: files(dir) }).toEqual({ at, files: [...named, 'lodis.manifest'].sort() });
      await p.append(batch(31));
      await p.checkpoint(32, chunks('C', 2));
      await p.append(batch(33));
      await p.close();
      expect({ at, state: await loadAll(open(dir)) }).toEqual({ at, state: expected(32, ['C0', 'C1'], batches(31, 34)) });
    }
  });

  it('batches appended during an interrupted checkpoint survive it', async () => {
    const dir = tempDir();
    const p = open(dir, {
      hooks: {
        step: (s) => {
          if (s === 'snapshot written') throw new Error('disk full');
        },
      },
    });
    await p.load();
    for (const b of batches(1, 10)) await p.append(b);
    const late = batches(11, 20);
    let next = 0;
    const stream = withAppends('X', 3, async () => {
      await p.append(late[next++]!);
    });
    await expect(p.checkpoint(10, stream)).rejects.toThrow('disk full');
    await p.append(late[next++]!);
    await p.close();
    expect(await loadAll(open(dir))).toEqual(expected(0, [], [...batches(1, 10), ...late.slice(0, next)]));
  });
});

// --- failed writes -------------------------------------------------------------------------------

describe('a failed write', () => {
  it('is cut off the file, rejects, and leaves the log loadable', async () => {
    const dir = tempDir();
    let fail: FileStep | null = null;
    const p = open(dir, {
      appendfsync: 'always',
      hooks: {
        step: (s) => {
          if (s === fail) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
        },
      },
    });
    await p.load();
    await p.append(batch(1));
    fail = 'append';
    await expect(p.append(batch(3))).rejects.toThrow(/ENOSPC/);
    fail = null;
    await p.append(batch(3));
    expect(await loadAll(open(crashCopy(dir)))).toEqual(expected(0, [], batches(1, 4)));
  });

  it('a failed fdatasync makes its log unusable; the store refuses writes (MISCONF) until a checkpoint moves to a new log', async () => {
    for (const appendfsync of ['always', 'everysec'] as const) {
      const dir = tempDir();
      let fail = false;
      const p = open(dir, {
        appendfsync,
        hooks: {
          step: (s) => {
            if (fail && s === 'fsync') throw Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' });
          },
        },
      });
      const store = await openStore({ persistence: p, activeExpire: false, retryDelayMs: 10 });
      await store.set('a', '1');
      await new Promise((r) => setTimeout(r, 1100)); // everysec: the first background fsync has run
      fail = true;
      const first = await store.set('b', '2').then(String, (e: Error) => e.message);
      if (appendfsync === 'everysec') {
        expect(first).toBe('OK'); // acknowledged at write(2); the background fdatasync fails later
        await new Promise((r) => setTimeout(r, 1100));
        fail = false;
        expect(await store.set('c', '3').then(String, (e: Error) => e.message)).toMatch(/^MISCONF Errors writing to .*: Error: EIO: i\/o error, fdatasync$/);
      } else {
        expect(first).toMatch(/^MISCONF Errors writing to .*: Error: EIO: i\/o error, fdatasync$/);
        fail = false;
      }
      // The retry (a checkpoint) writes everything to new files; writes are accepted again.
      for (let i = 0; (await store.set('d', '4').catch(() => null)) !== 'OK'; i++) {
        expect(i).toBeLessThan(100);
        await new Promise((r) => setTimeout(r, 20));
      }
      const state = dumpKeyspace(store.engine);
      await store.close();
      const reopened = await openStore({ persistence: open(dir), activeExpire: false });
      expect({ appendfsync, state: dumpKeyspace(reopened.engine) }).toEqual({ appendfsync, state });
      await reopened.close();
    }
  });
});

// --- a store over files --------------------------------------------------------------------------

type Stream = ReturnType<typeof commandStream>;

const persistenceInfo = async (store: Store) => String(await store.call('INFO', 'persistence'));

/** Run `n` commands in bursts, half through the synchronous path and half through call(); the clock moves. */
async function drive(store: Store, stream: Stream, n: number, clock: { now: number }): Promise<void> {
  const { rng } = stream;
  for (let i = 0; i < n; ) {
    const burst = rng.int(1, 40);
    const replies: Promise<unknown>[] = [];
    for (let j = 0; j < burst && i < n; j++, i++) {
      clock.now += rng.int(0, 40);
      const argv = stream.next();
      if (rng.chance(0.5)) store.execute(...argv);
      else replies.push(store.call(...argv).catch(() => null));
      if (rng.chance(0.01)) store.activeExpireCycle();
    }
    await Promise.all(replies);
    if (rng.chance(0.3)) await new Promise((r) => setImmediate(r)); // a running snapshot takes a step
  }
  await store.flush();
}

describe('a store over FilePersistence', () => {
  for (const [seed, appendfsync] of [[1, 'always'], [2, 'everysec'], [3, 'no']] as const) {
    it(`reopens identical after writes of every type, from the log alone (seed ${seed}, appendfsync ${appendfsync})`, async () => {
      const dir = tempDir();
      const clock = { now: T0 };
      const options = { clock: () => clock.now, activeExpire: false, compaction: { auto: false } } as const;
      const store = await openStore({ ...options, persistence: open(dir, { appendfsync }) });
      await drive(store, commandStream(seed, T0), 2500, clock);
      const state = dumpKeyspace(store.engine);
      expect(state.flat().length).toBeGreaterThan(50);
      await store.close();
      expect(files(dir)).toEqual(['lodis.1.log', 'lodis.manifest']);
      const reopened = await openStore({ ...options, persistence: open(dir, { appendfsync }) });
      expect(dumpKeyspace(reopened.engine)).toEqual(state);
      await reopened.close();
    });
  }

  for (const seed of [11, 12, 13]) {
    it(`reopens identical after checkpoints taken while the stream writes (seed ${seed})`, async () => {
      const dir = tempDir();
      const clock = { now: T0 };
      const options: StoreOptions = {
        clock: () => clock.now,
        activeExpire: false,
        compaction: { minLogBytes: 3000, factor: 1 },
        snapshot: { stepKeys: 3, chunkBytes: 300 },
      };
      const stream = commandStream(seed, T0);
      const store = await openStore({ ...options, persistence: open(dir, { appendfsync: 'everysec' }) });
      for (let round = 0; round < 12; round++) {
        await drive(store, stream, 200, clock);
        const pick = stream.rng.int(0, 3);
        if (pick === 0) await store.call('BGREWRITEAOF').catch(() => null);
        else if (pick === 1) await store.call('BGSAVE', 'SCHEDULE').catch(() => null);
        // a crash now: the directory as it is loads to what was durable (here: everything written)
        if (round % 4 === 3) {
          const expectedState = dumpKeyspace(store.engine);
          const copy = await openStore({ ...options, persistence: open(crashCopy(dir)) });
          expect({ round, state: dumpKeyspace(copy.engine) }).toEqual({ round, state: expectedState });
          await copy.close();
        }
      }
      while (/_in_progress:1/.test(await persistenceInfo(store))) await new Promise((r) => setImmediate(r));
      await store.flush();
      const info = await persistenceInfo(store);
      expect(Number(/aof_rewrites:(\d+)/.exec(info)![1]) + Number(/rdb_saves:(\d+)/.exec(info)![1])).toBeGreaterThanOrEqual(2);
      const state = dumpKeyspace(store.engine);
      await store.close();
      expect(manifest(dir)).toMatch(/^lodis-manifest 1\nsnapshot lodis\.\d+\.snapshot seq \d+\nlog lodis\.\d+\.log\n$/);
      const reopened = await openStore({ ...options, persistence: open(dir) });
      expect(dumpKeyspace(reopened.engine)).toEqual(state);
      await reopened.close();
    });
  }

  it('INFO persistence and automatic compaction see the log size', async () => {
    const dir = tempDir();
    const store = await openStore({ persistence: open(dir), activeExpire: false, compaction: { minLogBytes: 20_000 } });
    for (let i = 0; i < 60; i++) await store.set(`k${i % 5}`, 'x'.repeat(1000));
    await store.flush();
    while (/aof_rewrite_in_progress:1/.test(await persistenceInfo(store))) await new Promise((r) => setTimeout(r, 5));
    const info = await persistenceInfo(store);
    expect(Number(/aof_rewrites:(\d+)/.exec(info)![1])).toBeGreaterThan(0);
    // What the log files hold since the snapshot, headers left out.
    const logs = [...manifest(dir).matchAll(/^log (\S+)$/gm)].map((m) => fs.statSync(join(dir, m[1]!)).size - 8);
    expect(Number(/lodis_log_size:(\d+)/.exec(info)![1])).toBe(logs.reduce((a, b) => a + b, 0));
    expect(Number(/aof_base_size:(\d+)/.exec(info)![1])).toBeGreaterThan(5000);
    await store.close();
  });
});

// --- a real crash --------------------------------------------------------------------------------

const repo = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * A child process that INCRs (four sessions at once, so batches group several) and prints each
 * acknowledged value; checkpoints run often (a small compaction threshold), so the kill may come
 * in the middle of one.
 */
function crashChild(dir: string, appendfsync: AppendFsync): string {
  const script = join(dir, '..', `child-${appendfsync}.mts`);
  const core = join(repo, 'packages/core/src/index.ts');
  const files = join(repo, 'packages/server/src/file-persistence.ts');
  fs.writeFileSync(
    script,
    `import { openStore } from ${JSON.stringify(core)};
import { FilePersistence } from ${JSON.stringify(files)};
const persistence = new FilePersistence({ dir: ${JSON.stringify(dir)}, appendfsync: ${JSON.stringify(appendfsync)} });
const store = await openStore({ persistence, compaction: { minLogBytes: 8192 } });
process.stdout.on('error', () => process.exit(1)); // the test is gone
process.stdout.write('ready ' + (await store.get('counter') ?? 0) + '\\n');
const worker = async (s: ReturnType<typeof store.connect>) => {
  // The next INCR once the ack is in the pipe: what the kernel holds there reaches the test.
  for (;;) {
    const n = await s.incr('counter');
    await new Promise((r) => process.stdout.write(n + '\\n', r));
  }
};
for (let i = 0; i < 4; i++) void worker(i === 0 ? store : store.connect());
`,
  );
  return script;
}

async function runAndKill(dir: string, appendfsync: AppendFsync, ms: number): Promise<{ start: number; acked: number }> {
  // node itself (tsx as a loader), not the tsx launcher: the kill must reach the process that writes.
  const child = spawn(process.execPath, ['--import', 'tsx', crashChild(dir, appendfsync)], { cwd: repo, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  let start = -1;
  let acked = 0;
  const exited = new Promise((r) => child.once('close', r)); // and stdout read to its end
  const killed = new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the child exited (${code}) before it was killed`)));
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const lines = out.split('\n');
      out = lines.pop()!;
      for (const line of lines) {
        if (line.startsWith('ready ')) {
          start = Number(line.slice(6));
          setTimeout(() => {
            child.kill('SIGKILL');
            resolve();
          }, ms);
        } else acked = Math.max(acked, Number(line));
      }
    });
  });
  try {
    await killed;
  } finally {
    child.kill('SIGKILL');
    await exited;
  }
  return { start, acked };
}

describe('a process killed (SIGKILL) while it writes', () => {
  // A killed process loses nothing write(2) took (the OS still has it), so in every mode each
  // acknowledged INCR survives; what everysec and no may lose is an OS crash's or power loss's.
  for (const appendfsync of MODES) {
    it(`keeps every acknowledged INCR (appendfsync ${appendfsync}), killed twice`, async () => {
      const dir = join(tempDir(), 'data');
      let previous = 0;
      for (let round = 0; round < 2; round++) {
        const { start, acked } = await runAndKill(dir, appendfsync, 400);
        expect(start).toBe(previous); // what the last round acknowledged, at least, was there
        expect(acked).toBeGreaterThan(start + 50);
        const store = await openStore({ persistence: open(dir), activeExpire: false });
        const counter = Number(await store.get('counter'));
        expect(counter).toBeGreaterThanOrEqual(acked); // every acknowledged one
        // at most what the four sessions had in flight: an INCR each, and an ack on its way
        expect(counter).toBeLessThanOrEqual(acked + 8);
        await store.close();
        previous = counter;
      }
    }, 30_000);
  }
});

// --- throughput (printed, never asserted) ----------------------------------------------------------

describe('throughput', () => {
  it('awaited INCRs/s and pipelined SETs/s through a store, per appendfsync', async () => {
    const rows: string[] = [];
    for (const appendfsync of MODES) {
      const dir = tempDir();
      const store = await openStore({ persistence: open(dir, { appendfsync }), activeExpire: false });
      let n = 0;
      let t0 = performance.now();
      while (performance.now() - t0 < 500) {
        await store.incr('counter');
        n++;
      }
      const incrs = n / ((performance.now() - t0) / 1000);
      n = 0;
      t0 = performance.now();
      const value = 'x'.repeat(64);
      while (performance.now() - t0 < 500) {
        const sets: Promise<unknown>[] = [];
        for (let i = 0; i < 1000; i++) sets.push(store.set(`key:${(n + i) % 10_000}`, value));
        await Promise.all(sets);
        n += 1000;
      }
      const setsPerSec = n / ((performance.now() - t0) / 1000);
      await store.close();
      rows.push(`${appendfsync.padEnd(9)} ${Math.round(incrs).toString().padStart(9)} ${Math.round(setsPerSec).toString().padStart(12)}`);
    }
    console.log(['appendfsync  INCR/s (awaited)  SET/s (1000 per tick)', ...rows].join('\n'));
  }, 30_000);
});
