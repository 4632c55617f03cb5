/**
 * Protected mode, next to redis-server: both listen on 127.0.0.1 and on this machine's
 * non-loopback address; a peer connecting from that address gets what redis-server sends it —
 * the `-DENIED …` text and a closed connection while no password is set, an ordinary session
 * once `requirepass` is set or `protected-mode` is `no`. Skipped on a machine with no
 * non-loopback IPv4 address.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nonLoopbackAddress, sleep, startLodis, startRedisServer, type RunningServer } from './servers.js';

const host = nonLoopbackAddress();

/** Connect from `from` to `to`:port, send `input`, and collect what comes back until the server closes or 1 s of quiet. */
function exchange(port: number, to: string, from: string, input: string): Promise<{ reply: string; closed: boolean }> {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ port, host: to, localAddress: from });
    let reply = '';
    let quiet: NodeJS.Timeout | undefined;
    const done = (closed: boolean) => {
      clearTimeout(quiet);
      sock.destroy();
      resolve({ reply, closed });
    };
    const arm = () => {
      clearTimeout(quiet);
      quiet = setTimeout(() => done(false), 1000);
    };
    sock.on('connect', () => {
      sock.write(input);
      arm();
    });
    sock.on('data', (d) => {
      reply += d.toString('latin1');
      arm();
    });
    sock.on('close', () => done(true));
    sock.on('error', (e: NodeJS.ErrnoException) => (e.code === 'ECONNRESET' ? done(true) : reject(e)));
  });
}

async function scenario(port: number, addr: string) {
  const admin = (input: string) => exchange(port, '127.0.0.1', '127.0.0.1', input);
  const outside = (input: string) => exchange(port, addr, addr, input);
  const out: Record<string, unknown> = {};
  out.loopback = await admin('PING\r\n');
  out.outsideDenied = await outside('PING\r\n');
  out.outsideInline = await outside('SET k v\r\nGET k\r\n');
  out.setPassword = await admin('CONFIG SET requirepass s3cret\r\n');
  out.outsideWithPassword = await outside('PING\r\nAUTH s3cret\r\nPING\r\nQUIT\r\n');
  out.unsetPassword = await admin('AUTH s3cret\r\nCONFIG SET requirepass ""\r\n');
  out.protectedOff = await admin('CONFIG SET protected-mode no\r\nCONFIG GET protected-mode\r\n');
  out.outsideUnprotected = await outside('PING\r\nQUIT\r\n');
  out.protectedOn = await admin('CONFIG SET protected-mode yes\r\n');
  out.outsideAgain = await outside('PING\r\n');
  out.rejected = /rejected_connections:(\d+)/.exec((await admin('INFO stats\r\n')).reply)?.[1];
  return out;
}

describe.skipIf(host === undefined)(`protected mode (peer ${host ?? 'none: no non-loopback address'})`, () => {
  let redis: RunningServer;
  let lodis: RunningServer;
  beforeAll(async () => {
    [redis, lodis] = await Promise.all([startRedisServer(['--bind', '127.0.0.1', host!]), startLodis({ bind: `127.0.0.1 ${host!}` })]);
  }, 60_000);
  afterAll(async () => {
    await Promise.all([redis?.stop(), Promise.race([lodis?.stop(), sleep(3000)])]);
  });

  it('a non-loopback peer is refused until a password is set or protected-mode is no', async () => {
    const want = await scenario(redis.port, host!);
    expect((want.outsideDenied as { reply: string }).reply).toMatch(/^-DENIED Redis is running in protected mode/);
    const got = await scenario(lodis.port, host!);
    expect(got).toEqual(want);
  }, 60_000);

  it('frees the refused connections (the server then closes at once)', async () => {
    const closed = await Promise.race([lodis.stop().then(() => true), sleep(3000).then(() => false)]);
    expect(closed, 'server.close() still pending after 3 s: a refused connection was never freed').toBe(true);
  });
});
