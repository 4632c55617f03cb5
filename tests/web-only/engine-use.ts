/**
 * What a cache or a queue does with the engine — timers (active expiry, blocking timeouts, group
 * commit), transactions, reactive keys, pub/sub, a persistence round trip — checked step by step.
 * Loaded by no-node.ts once Node's globals are gone; throws on the first difference.
 */
import { createStore, MemoryPersistence, openStore } from '../../packages/core/src/index.js';

function check(what: string, got: unknown, want: unknown): void {
  if (JSON.stringify(got) !== JSON.stringify(want)) throw new Error(`${what}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
}
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

// The default store: real clock, active expiry on the runtime's timers.
const redis = createStore();
await redis.set('page:/', '<html>', { px: 30 });
await redis.set('keep', '1');
// The active cycle runs 10 times a second: the key goes without being read (DBSIZE reads none).
for (const deadline = Date.now() + 5000; (await redis.call('DBSIZE')) !== 1 && Date.now() < deadline; ) await sleep(10);
check('DBSIZE after the active cycle', await redis.call('DBSIZE'), 1);
check('INFO expired_keys', /expired_keys:1\r\n/.test(String(await redis.call('INFO', 'stats'))), true);

// A blocking pop times out on the engine's timers, and is served by another session.
const worker = redis.connect();
check('BLPOP timeout', await worker.call('BLPOP', 'jobs', '0.05'), null);
const popped = worker.call('BLPOP', 'jobs', 0);
await redis.rpush('jobs', 'j1');
check('BLPOP served', await popped, ['jobs', 'j1']);

// Transactions, reactive keys, pub/sub.
const changes: string[] = [];
const stop = redis.watchKeys('cart:*', ({ key, event }) => changes.push(`${event} ${key}`));
check('MULTI', await redis.multi().hset('cart:1', { sku: 2 }).expire('cart:1', 60).exec(), [1, 1]);
await sleep(0);
stop();
check('watchKeys', changes, ['hset cart:1', 'expire cart:1']);
const sub = await redis.subscribe('news');
check('PUBLISH', await redis.connect().publish('news', 'hello'), 1);
for await (const { channel, message } of sub) {
  check('message', [channel, message], ['news', 'hello']);
  break;
}
await redis.close();

// Persistence: group-committed log, a checkpoint written a key per step (each step yields to the
// event loop: without setImmediate, through a MessageChannel), reopen.
const persistence = new MemoryPersistence();
const a = await openStore({ persistence, snapshot: { stepKeys: 1 } });
await a.zadd('board', { score: 10, member: 'ada' }, { score: 7, member: 'bob' });
await a.call('BGSAVE');
await a.incrby('visits', 3);
while (/rdb_bgsave_in_progress:1/.test(String(await a.call('INFO', 'persistence')))) await sleep(1);
await a.close();
const b = await openStore({ persistence });
check('reopened', [await b.zrange('board', 0, -1, { withScores: true }), await b.get('visits')], [['bob', 7, 'ada', 10], '3']);
await b.close();

