/**
 * Stopping a server that has clients: `server.close()` (what the CLI runs on SIGINT/SIGTERM, as
 * redis-server's shutdown) closes every connection and resolves; it does not wait for the
 * clients to leave first. A client connected over SIGTERM of the `lodis-server` process is in
 * restart.test.ts.
 */
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { startServer } from '@lodis/server';
import { sleep } from './servers.js';

describe('LodisServer.close()', () => {
  it('closes the connections of idle, subscribed and blocked clients, and resolves', async () => {
    const server = await startServer({ port: 0 });
    const socks = await Promise.all(
      ['PING\r\n', 'SUBSCRIBE ch\r\n', 'BLPOP nosuch 0\r\n'].map(
        (req) =>
          new Promise<net.Socket>((resolve) => {
            const s = net.connect(server.port, '127.0.0.1', () => {
              s.write(req);
              resolve(s);
            });
          }),
      ),
    );
    const closed = socks.map((s) => new Promise<boolean>((r) => s.once('close', () => r(true))));
    await sleep(100);
    const done = await Promise.race([server.close().then(() => true), sleep(3000).then(() => false)]);
    for (const s of socks) s.destroy();
    expect(done, 'close() still pending 3 s after it was called').toBe(true);
    expect(await Promise.all(closed)).toEqual([true, true, true]);
  });

  it('frees the connection of a peer it refused (over maxclients), so close() resolves', async () => {
    const server = await startServer({ port: 0, config: { maxclients: '1' } });
    const connect = () =>
      new Promise<{ sock: net.Socket; reply: Promise<string> }>((resolve) => {
        const sock = net.connect(server.port, '127.0.0.1', () => {
          sock.write('PING\r\n');
          let got = '';
          const reply = new Promise<string>((r) => {
            sock.on('data', (d) => (got += d.toString()));
            sock.on('close', () => r(got));
            setTimeout(() => r(got), 1000);
          });
          resolve({ sock, reply });
        });
      });
    const first = await connect();
    const second = await connect();
    expect(await second.reply).toBe('-ERR max number of clients reached\r\n');
    second.sock.destroy();
    first.sock.destroy();
    await sleep(100);
    const done = await Promise.race([server.close().then(() => true), sleep(3000).then(() => false)]);
    expect(done, 'close() still pending 3 s after it was called: the refused socket was never freed').toBe(true);
  });
});
