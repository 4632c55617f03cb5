/**
 * lodis-server on Deno and Bun through their Node compatibility (node:net, node:fs): the CLI's
 * sources run by `deno run` and `bun`, driven from Node by ioredis — strings and bytes, a
 * pipeline, pub/sub across connections, a BLPOP served by another connection, MULTI/EXEC, and
 * `--appendonly yes` keeping what was written across a restart.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, ROOT, waitForPong } from './servers.js';

const CLI = path.join(ROOT, 'packages/server/src/cli.ts');
const BIN = path.join(ROOT, 'node_modules/.bin');
const RUNTIMES: Record<string, (args: string[]) => [string, string[]]> = {
  deno: (args) => [path.join(BIN, 'deno'), ['run', '-A', '--config', path.join(ROOT, 'packages/server/smoke/deno.json'), CLI, ...args]],
  bun: (args) => [path.join(BIN, 'bun'), [CLI, ...args]],
};

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function start(runtime: string, args: string[]): Promise<{ port: number; proc: ChildProcess; log: () => string }> {
  const port = await freePort();
  const [cmd, argv] = RUNTIMES[runtime]!(['--port', String(port), ...args]);
  const proc = spawn(cmd, argv, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  try {
    await waitForPong(port, '127.0.0.1', 60_000);
  } catch (e) {
    proc.kill('SIGKILL');
    throw new Error(`${runtime}: lodis-server did not start: ${(e as Error).message}\n${out}`);
  }
  return { port, proc, log: () => out };
}

function stop(proc: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  return new Promise((resolve) => {
    if (proc.exitCode !== null) return resolve();
    proc.once('exit', () => resolve());
    proc.kill(signal);
  });
}

describe.each(Object.keys(RUNTIMES))('lodis-server on %s', (runtime) => {
  it('serves strings, bytes, pipelines, pub/sub, blocking pops and transactions; appendonly survives a restart', { timeout: 120_000 }, async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), `lodis-${runtime}-`));
    dirs.push(dir);
    const server = await start(runtime, ['--dir', dir, '--appendonly', 'yes', '--appendfsync', 'always']);
    const a = new Redis({ port: server.port, lazyConnect: true });
    const b = new Redis({ port: server.port, lazyConnect: true });
    const sub = new Redis({ port: server.port, lazyConnect: true });
    await Promise.all([a.connect(), b.connect(), sub.connect()]);
    try {
      expect(await a.set('greeting', 'héllo')).toBe('OK');
      expect(await a.get('greeting')).toBe('héllo');
      const bytes = Buffer.from([0, 255, 13, 10, 128]);
      await a.set('bytes', bytes);
      expect(await a.getBuffer('bytes')).toEqual(bytes);

      const p = a.pipeline();
      for (let i = 0; i < 5000; i++) p.incr('n');
      const replies = (await p.exec())!;
      expect(replies.at(-1)).toEqual([null, 5000]);

      const got = new Promise<[string, string]>((resolve) => sub.on('message', (ch: string, msg: string) => resolve([ch, msg])));
      await sub.subscribe('news');
      expect(await a.publish('news', 'hi')).toBe(1);
      expect(await got).toEqual(['news', 'hi']);

      const popped = b.blpop('jobs', 0);
      await new Promise((r) => setTimeout(r, 100));
      await a.rpush('jobs', 'job-1');
      expect(await popped).toEqual(['jobs', 'job-1']);

      expect(await a.multi().set('t', '1').incr('t').exec()).toEqual([
        [null, 'OK'],
        [null, 2],
      ]);
    } finally {
      a.disconnect();
      b.disconnect();
      sub.disconnect();
    }
    await stop(server.proc);
    expect(server.log()).toContain('ready to exit');

    const again = await start(runtime, ['--dir', dir, '--appendonly', 'yes']);
    const c = new Redis({ port: again.port });
    try {
      expect(await c.mget('greeting', 'n', 't')).toEqual(['héllo', '5000', '2']);
      expect(await c.getBuffer('bytes')).toEqual(Buffer.from([0, 255, 13, 10, 128]));
    } finally {
      c.disconnect();
      await stop(again.proc, 'SIGKILL');
    }
  });
});
