/**
 * The reply stream of one connection, byte for byte against redis-server: replies in request
 * order when one of them waits (a blocked BLPOP, a write waiting for the log), pushes where Redis
 * puts them, QUIT and CLIENT KILL ending the stream, inline and multibulk requests mixed, a
 * request split across packets at every byte.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryPersistence, type LogBatch } from '@lodis/core';
import { startServer, type LodisServer } from '@lodis/server';
import { startRedisServer, type RunningServer } from './servers.js';

/** A step of a conversation: bytes to send on a connection (0 or 1), or a pause. */
type Step = { conn?: 0 | 1; send: string } | { wait: number };

/** Run `steps` on two connections; what connection 0 received, and whether it was closed. */
async function converse(port: number, steps: Step[], quietMs = 150): Promise<{ bytes: string; closed: boolean }> {
  const socks = [net.connect(port, '127.0.0.1'), net.connect(port, '127.0.0.1')];
  await Promise.all(socks.map((s) => new Promise<void>((r) => s.once('connect', () => r()))));
  let bytes = '';
  let closed = false;
  let last = Date.now();
  socks[0]!.on('data', (d: Buffer) => {
    bytes += d.toString('latin1');
    last = Date.now();
  });
  socks[0]!.on('close', () => (closed = true));
  socks[1]!.on('data', () => {});
  for (const step of steps) {
    if ('wait' in step) await new Promise((r) => setTimeout(r, step.wait));
    else socks[step.conn ?? 0]!.write(Buffer.from(step.send, 'latin1'));
  }
  while (!closed && Date.now() - last < quietMs) await new Promise((r) => setTimeout(r, 20));
  for (const s of socks) s.destroy();
  return { bytes, closed };
}

const cmd = (...args: string[]) => `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a, 'latin1')}\r\n${a}\r\n`).join('')}`;

/** A log that takes its time to make each batch durable (appendfsync always on a slow disk). */
class SlowPersistence extends MemoryPersistence {
  override async append(batch: LogBatch): Promise<void> {
    await new Promise((r) => setTimeout(r, 15));
    return super.append(batch);
  }
}

let redis: RunningServer;
let lodis: LodisServer;
let durable: LodisServer;

beforeAll(async () => {
  redis = await startRedisServer(['--appendonly', 'yes', '--appendfsync', 'always', '--dir', '/tmp']);
  lodis = await startServer({ port: 0 });
  durable = await startServer({ port: 0, persistence: new SlowPersistence() });
});
afterAll(async () => {
  await redis?.stop();
  await lodis?.close();
  await durable?.close();
});

async function same(steps: Step[], flush = true): Promise<{ bytes: string; closed: boolean }> {
  const reset: Step[] = flush ? [{ send: cmd('FLUSHALL') }, { wait: 50 }] : [];
  const want = await converse(redis.port, [...reset, ...steps]);
  for (const server of [lodis, durable]) {
    const got = await converse(server.port, [...reset, ...steps]);
    expect(got, `lodis${server === durable ? ' (slow log)' : ''}`).toEqual(want);
  }
  return want;
}

describe('one connection’s reply stream, as redis-server sends it', () => {
  it('a blocked BLPOP holds back the replies pipelined after it until another connection pushes', async () => {
    const r = await same([
      { send: cmd('BLPOP', 'q', '0') + cmd('PING') + cmd('SET', 'a', '1') },
      { wait: 100 },
      { conn: 1, send: cmd('LPUSH', 'q', 'job') },
      { wait: 100 },
      { send: cmd('GET', 'a') },
    ]);
    expect(r.bytes).toContain('+PONG');
  });

  it('writes waiting for the log keep their place among reads', async () => {
    await same([{ send: cmd('SET', 'a', '1') + cmd('GET', 'a') + cmd('INCR', 'n') + cmd('GET', 'nope') + cmd('INCR', 'n') + cmd('GET', 'n') }]);
  });

  it('RESP3: a message published by the subscriber itself comes before its PUBLISH reply', async () => {
    // HELLO's own reply carries the connection id, which differs: compare what follows it.
    const steps: Step[] = [{ send: cmd('SUBSCRIBE', 'ch') + cmd('PUBLISH', 'ch', 'hi') + cmd('PING') + cmd('UNSUBSCRIBE') }];
    const after = async (port: number) => {
      const { bytes } = await converse(port, [{ send: cmd('HELLO', '3') }, { wait: 80 }, ...steps]);
      return bytes.slice(bytes.indexOf('>'));
    };
    expect(await after(lodis.port)).toEqual(await after(redis.port));
    expect(await after(durable.port)).toEqual(await after(redis.port));
  });

  it('RESP2 subscribed mode: messages from another connection between the replies', async () => {
    await same([
      { send: cmd('SUBSCRIBE', 'a', 'b') + cmd('PSUBSCRIBE', 'c*') },
      { wait: 50 },
      { conn: 1, send: cmd('PUBLISH', 'a', 'x') + cmd('PUBLISH', 'cat', 'y') },
      { wait: 50 },
      // (UNSUBSCRIBE with no channel goes in Redis' dict order, which a random hash seed decides.)
      { send: cmd('PING') + cmd('GET', 'k') + cmd('UNSUBSCRIBE', 'b', 'a') + cmd('PUNSUBSCRIBE') + cmd('PING') },
    ]);
  });

  it('QUIT answers OK, runs nothing after it and closes', async () => {
    const r = await same([{ send: cmd('SET', 'a', '1') + cmd('QUIT') + cmd('SET', 'a', '2') }]);
    expect(r.closed).toBe(true);
    const check = await converse(lodis.port, [{ send: cmd('GET', 'a') }]);
    expect(check.bytes).toBe('$1\r\n1\r\n');
  });

  it('inline and multibulk requests mixed in one packet', async () => {
    await same([{ send: 'PING\r\n' + cmd('SET', 'k', 'v w') + 'GET k\r\nSET k2 "a\\x41 b"\n\r\nGET k2\r\n   \r\nECHO \'it\\\'s\'\r\n' }]);
  });

  it('a pipeline split at every byte gives the same replies', async () => {
    const all = cmd('SET', 'k', 'héllo') + 'PING\r\n' + cmd('GET', 'k') + cmd('RPUSH', 'l', 'a', 'b') + cmd('LRANGE', 'l', '0', '-1');
    const steps: Step[] = [];
    for (const ch of all) steps.push({ send: ch }, { wait: 1 });
    await same(steps);
  });

  it('MULTI with a BLPOP inside answers at once; EXEC replies in order with the log', async () => {
    await same([{ send: cmd('MULTI') + cmd('BLPOP', 'q', '0') + cmd('SET', 'a', '1') + cmd('INCR', 'a') + cmd('EXEC') + cmd('GET', 'a') }]);
  });

  it('CLIENT KILL of its own connection replies, then closes', async () => {
    const r = await same([{ send: cmd('CLIENT', 'KILL', 'SKIPME', 'no', 'TYPE', 'normal') + cmd('PING') }]);
    expect(r.closed).toBe(true);
  });
});
