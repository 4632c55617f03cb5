/**
 * The two servers the tests of this folder compare: a real redis-server 7.0 (the oracle, a child
 * process: `--save '' --appendonly no`) and lodis-server (in this process, or as the `npx
 * lodis-server` child process users run). Both listen on a free port of 127.0.0.1 unless told
 * otherwise, so test files running side by side do not collide.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, type ServerOptions } from '@lodis/server';
import { afterAll, beforeAll } from 'vitest';

export interface RunningServer {
  readonly name: 'redis' | 'lodis';
  readonly port: number;
  stop(): Promise<void>;
}

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const LODIS_BIN = path.join(ROOT, 'packages/server/bin/lodis-server.mjs');

/** A port nobody listens on now (the kernel's pick, released at once). */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, host, () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** Resolve once something on host:port answers PING with +PONG (a started server), or throw. */
export async function waitForPong(port: number, host = '127.0.0.1', ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const sock = net.connect(port, host);
      let got = '';
      const done = (v: boolean) => {
        sock.destroy();
        resolve(v);
      };
      sock.setTimeout(1000, () => done(false));
      sock.on('connect', () => sock.write('PING\r\n'));
      sock.on('data', (d) => {
        got += d.toString('latin1');
        if (got.includes('\r\n')) done(got.startsWith('+PONG'));
      });
      sock.on('error', () => done(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing answered PING on ${host}:${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function exited(proc: ChildProcess): Promise<void> {
  return proc.exitCode !== null || proc.signalCode !== null ? Promise.resolve() : new Promise((r) => proc.once('exit', () => r()));
}

/** redis-server 7.0 with no persistence; `args` are more `--name value` settings. */
export async function startRedisServer(args: string[] = [], port?: number): Promise<RunningServer> {
  const p = port ?? (await freePort());
  const bin = process.env.REDIS_SERVER ?? 'redis-server';
  const proc = spawn(bin, ['--port', String(p), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...args], { stdio: 'ignore' });
  try {
    await waitForPong(p);
  } catch (e) {
    proc.kill('SIGKILL');
    throw new Error(`redis-server did not start (is it installed? set REDIS_SERVER): ${(e as Error).message}`);
  }
  return {
    name: 'redis',
    port: p,
    stop: async () => {
      proc.kill('SIGKILL');
      await exited(proc);
    },
  };
}

/** lodis-server in this process (startServer), on a free port unless `options.port` says. */
export async function startLodis(options: ServerOptions = {}): Promise<RunningServer> {
  const server = await startServer({ port: 0, ...options });
  return { name: 'lodis', port: server.port, stop: () => server.close() };
}

export interface LodisProcess extends RunningServer {
  readonly proc: ChildProcess;
  /** What it printed so far (stdout and stderr). */
  output(): string;
  /** Resolves when the process has exited. */
  readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * `node packages/server/bin/lodis-server.mjs --port P …` as a child process: what `npx lodis-server`
 * runs, without npm's process in between, so a signal sent to it reaches the server itself.
 */
export async function spawnLodis(args: string[] = [], port?: number): Promise<LodisProcess> {
  const p = port ?? (await freePort());
  const proc = spawn(process.execPath, [LODIS_BIN, '--port', String(p), ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => proc.once('exit', (code, signal) => resolve({ code, signal })));
  try {
    await Promise.race([waitForPong(p, '127.0.0.1', 60_000), exit.then(() => Promise.reject(new Error('exited')))]);
  } catch (e) {
    proc.kill('SIGKILL');
    throw new Error(`lodis-server did not start: ${(e as Error).message}\n${out}`);
  }
  return {
    name: 'lodis',
    port: p,
    proc,
    exit,
    output: () => out,
    stop: async () => {
      proc.kill('SIGTERM');
      await exit;
    },
  };
}

/** The machine's first non-loopback IPv4 address, if it has one (for the protected-mode test). */
export function nonLoopbackAddress(): string | undefined {
  for (const addrs of Object.values(os.networkInterfaces())) {
    for (const a of addrs ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return undefined;
}

/** Resolve when `cond()` holds, polling; false if `ms` passed first. */
export async function until(cond: () => boolean | Promise<boolean>, ms = 5000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 5));
  }
  return true;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * redis-server and lodis-server for the tests of one file: started before them (handed to `use`),
 * stopped after them.
 */
export function bothServers(use: (redis: RunningServer, lodis: RunningServer) => void): void {
  let started: RunningServer[] = [];
  beforeAll(async () => {
    started = await Promise.all([startRedisServer(), startLodis()]);
    use(started[0]!, started[1]!);
  }, 60_000);
  afterAll(async () => {
    await Promise.all(started.map((s) => s.stop()));
  });
}
