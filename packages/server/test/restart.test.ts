/**
 * A restart keeps every acknowledged write: `lodis-server --appendonly yes --dir D` (the child
 * process users run) takes writes from four ioredis connections, 64 in flight each — SET of a new
 * key, INCR, RPUSH, XADD with an explicit id — and is stopped in the middle of them: SIGKILL (a
 * crash) with appendfsync always and everysec (a process crash loses nothing that write(2)
 * accepted), SIGTERM (a clean shutdown) with everysec and no. Started again on the same dir, it
 * must hold every write whose reply a client received: each acknowledged key, each counter at
 * least at its highest acknowledged value, each list and stream with every acknowledged element,
 * in order. (Writes applied but not acknowledged may or may not be there, as with Redis.)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { freePort, sleep, spawnLodis } from './servers.js';

const WRITERS = 4;
const IN_FLIGHT = 64;

interface Acked {
  keys: number[];
  incr: number;
  rpush: number;
  xadd: number[];
}

/** Write until the connection fails; what was acknowledged. */
async function writer(port: number, w: number, stop: { now: boolean }): Promise<Acked> {
  const c = new Redis({ port, host: '127.0.0.1', retryStrategy: () => null, maxRetriesPerRequest: 0, enableOfflineQueue: false, lazyConnect: true });
  c.on('error', () => {});
  await c.connect();
  const acked: Acked = { keys: [], incr: 0, rpush: 0, xadd: [] };
  const ignore = () => {};
  try {
    for (let n = 0; !stop.now && c.status === 'ready'; n += IN_FLIGHT / 4) {
      const batch: Promise<unknown>[] = [];
      for (let i = n; i < n + IN_FLIGHT / 4; i++) {
        batch.push(c.set(`w${w}:key:${i}`, `value-${i}`).then(() => void acked.keys.push(i), ignore));
        batch.push(c.incr(`w${w}:counter`).then((v) => void (acked.incr = Math.max(acked.incr, v)), ignore));
        batch.push(c.rpush(`w${w}:list`, String(i)).then((len) => void (acked.rpush = Math.max(acked.rpush, len)), ignore));
        batch.push(c.xadd(`w${w}:stream`, `${i + 1}-0`, 'i', String(i)).then(() => void acked.xadd.push(i), ignore));
      }
      await Promise.all(batch);
    }
  } finally {
    c.disconnect();
  }
  return acked;
}

/** What of `acked` the restarted server lacks (empty: nothing). */
async function missing(port: number, w: number, acked: Acked): Promise<string[]> {
  const c = new Redis({ port, host: '127.0.0.1', lazyConnect: true });
  await c.connect();
  const lost: string[] = [];
  try {
    for (let i = 0; i < acked.keys.length; i += 1000) {
      const ks = acked.keys.slice(i, i + 1000);
      const vs = await c.mget(...ks.map((k) => `w${w}:key:${k}`));
      ks.forEach((k, j) => {
        if (vs[j] !== `value-${k}`) lost.push(`w${w}:key:${k} = ${vs[j]}`);
      });
    }
    const counter = Number(await c.get(`w${w}:counter`));
    if (counter < acked.incr) lost.push(`w${w}:counter = ${counter} < ${acked.incr} acknowledged`);
    const list = await c.lrange(`w${w}:list`, 0, acked.rpush - 1);
    if (list.length < acked.rpush) lost.push(`w${w}:list has ${list.length} < ${acked.rpush} acknowledged`);
    const firstWrong = list.findIndex((v, i) => v !== String(i));
    if (firstWrong !== -1) lost.push(`w${w}:list[${firstWrong}] = ${list[firstWrong]}`);
    const ids = new Set((await c.xrange(`w${w}:stream`, '-', '+')).map(([id]) => id));
    const lostIds = acked.xadd.filter((i) => !ids.has(`${i + 1}-0`));
    if (lostIds.length) lost.push(`w${w}:stream lacks ${lostIds.length} acknowledged entries, from ${lostIds[0]! + 1}-0`);
  } finally {
    c.disconnect();
  }
  return lost;
}

const CASES = [
  { appendfsync: 'always', signal: 'SIGKILL' },
  { appendfsync: 'everysec', signal: 'SIGKILL' },
  { appendfsync: 'everysec', signal: 'SIGTERM' },
  { appendfsync: 'no', signal: 'SIGTERM' },
] as const;

describe('lodis-server --appendonly yes: a restart keeps every acknowledged write', () => {
  for (const { appendfsync, signal } of CASES) {
    it(`appendfsync ${appendfsync}, stopped by ${signal} during the writes`, async () => {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'lodis-restart-'));
      const port = await freePort();
      const args = ['--appendonly', 'yes', '--dir', dir, '--appendfsync', appendfsync];
      try {
        const first = await spawnLodis(args, port);
        const stop = { now: false };
        const writers = Promise.all(Array.from({ length: WRITERS }, (_, w) => writer(port, w, stop)));
        writers.catch(() => {}); // awaited below
        await sleep(1500);
        first.proc.kill(signal);
        const exited = await Promise.race([first.exit.then(() => true), sleep(15_000).then(() => false)]);
        if (!exited) first.proc.kill('SIGKILL');
        stop.now = true;
        const acked = await writers;
        expect(exited, `lodis-server did not exit within 15 s of ${signal}:\n${first.output()}`).toBe(true);
        const total = acked.reduce((a, x) => a + x.keys.length + x.incr + x.rpush + x.xadd.length, 0);
        expect(total, 'no write was acknowledged before the stop').toBeGreaterThan(0);

        const second = await spawnLodis(args, port);
        try {
          const lost = (await Promise.all(acked.map((a, w) => missing(port, w, a)))).flat();
          expect(lost, `${total} acknowledged writes; lost:`).toEqual([]);
        } finally {
          await second.stop();
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }, 90_000);
  }
});
