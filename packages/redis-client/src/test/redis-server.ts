/**
 * A redis-server for this package's tests, started and stopped by the test itself: on a given
 * port (this package's 6413) or a free one, with no persistence, restartable on the same port
 * (reconnection tests). `REDIS_SERVER` names another binary.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';

export interface TestRedisServer {
  readonly port: number;
  /** Stop the server (SIGKILL: as abrupt as a crash), and resolve once its port is free. */
  stop(): Promise<void>;
  /** Start it again on the same port. */
  start(): Promise<void>;
}

export async function startRedisServer(port = 0, extraArgs: string[] = []): Promise<TestRedisServer> {
  const p = port || (await freePort());
  let proc: ChildProcess | null = null;
  const server: TestRedisServer = {
    port: p,
    async start() {
      if (await canConnect(p)) throw new Error(`port ${p} is taken: another server would answer the tests (set REDIS_CLIENT_TEST_PORT)`);
      const bin = process.env.REDIS_SERVER ?? 'redis-server';
      const child = spawn(bin, ['--port', String(p), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...extraArgs], { stdio: 'ignore' });
      proc = child;
      for (let i = 0; i < 200; i++) {
        if (child.exitCode !== null) break;
        if (await canConnect(p)) return;
        await new Promise((r) => setTimeout(r, 25));
      }
      child.kill('SIGKILL');
      throw new Error(`redis-server did not start on port ${p} (is it installed, is the port free? set REDIS_SERVER)`);
    },
    async stop() {
      const child = proc;
      proc = null;
      if (child === null || child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await exited;
    },
  };
  await server.start();
  return server;
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
    srv.once('error', reject);
  });
}
