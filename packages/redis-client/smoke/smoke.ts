/**
 * The client in Deno and Bun (through their node:net): SET/GET, binary bytes, a pipeline, pub/sub
 * and a blocking pop against a redis-server this script starts on a free port. Prints one line
 * per check and `smoke: ok`; exits 1 on the first failure.
 *
 *   npx deno run -A --config packages/redis-client/smoke/deno.json packages/redis-client/smoke/smoke.ts
 *   npx bun packages/redis-client/smoke/smoke.ts
 *   npx tsx packages/redis-client/smoke/smoke.ts
 */
import { createClient } from '../src/index.ts';
import { startRedisServer } from '../src/test/redis-server.ts';

const runtime = 'Deno' in globalThis ? 'deno' : 'Bun' in globalThis ? 'bun' : 'node';

function check(what: string, got: unknown, expected: unknown): void {
  const ok = JSON.stringify(got, (_k, v) => (v instanceof Uint8Array ? [...v] : typeof v === 'bigint' ? `${v}n` : v)) ===
    JSON.stringify(expected, (_k, v) => (v instanceof Uint8Array ? [...v] : typeof v === 'bigint' ? `${v}n` : v));
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${runtime}: ${what}`);
  if (!ok) {
    console.log('  got      ', got);
    console.log('  expected ', expected);
    throw new Error(`smoke: ${what} failed`);
  }
}

const server = await startRedisServer();
const redis = createClient({ url: `redis://127.0.0.1:${server.port}/1` });
try {
  check('SET / GET', [await redis.set('k', 'héllo'), await redis.get('k')], ['OK', 'héllo']);
  await redis.set('bin', new Uint8Array([0, 255, 13, 10]));
  check('bytes', await redis.callBuffer('GET', 'bin'), new Uint8Array([0, 255, 13, 10]));
  check('integer past 2^53', await redis.incrby('n', '9007199254740993'), 9007199254740993n);
  check('pipeline', await redis.pipeline().incr('c').incr('c').get('c').exec(), [1, 2, '2']);
  await expectError('error text', redis.lpush('k', 'x'), 'WRONGTYPE Operation against a key holding the wrong kind of value');

  const sub = await redis.subscribe('news');
  check('publish', await redis.publish('news', 'hi'), 1);
  check('message', (await sub.next()).value, { channel: 'news', message: 'hi' });
  await sub.unsubscribe();

  const worker = redis.connect();
  const popped = worker.blpop('jobs', 5);
  await new Promise((r) => setTimeout(r, 20));
  await redis.rpush('jobs', 'j1');
  check('blocking pop', await popped, ['jobs', 'j1']);
  console.log(`smoke: ok (${runtime})`);
} finally {
  await redis.quit();
  await server.stop();
}

async function expectError(what: string, p: Promise<unknown>, text: string): Promise<void> {
  try {
    await p;
    check(what, 'no error', text);
  } catch (e) {
    check(what, (e as Error).message, text);
  }
}
