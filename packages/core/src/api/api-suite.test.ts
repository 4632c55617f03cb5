/**
 * The typed-API suite (api-suite.ts) on the in-process store: the store itself, and sessions it
 * opens with `connect()` (for what sessions change: blocking, pub/sub, transactions, SELECT).
 * api-suite.redis.test.ts runs the same suite against a real redis-server.
 */
import type { EngineTimers } from '../blocked.js';
import { createStore, type Store } from '../store.js';
import { typedApiSuite, type SuiteSession } from './api-suite.js';

/**
 * The timers that time blocked sessions out (a BLPOP's timeout), given explicitly: by default
 * createStore() sets none on Cloudflare Workers (workerd runs this file too), and unrefs Node's,
 * which Deno's test runner takes for an event loop with nothing left to do.
 */
const timers: EngineTimers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as never),
};

/** A session of `store` (a `connect()` session closes alone; the store itself stops its timers too). */
function session(store: Store, client: Store = store.connect()): SuiteSession {
  return { client, close: () => client.close(), connect: async () => session(store) };
}

typedApiSuite('createStore()', async () => {
  const store = createStore({ timers });
  return session(store, store);
});

typedApiSuite(
  'store.connect() sessions',
  async () => {
    const store = createStore({ timers });
    const s = session(store);
    return { ...s, close: async () => (await s.close(), await store.close()) };
  },
  { families: ['keys', 'lists', 'zsets', 'streams', 'pubsub', 'pipelines'] },
);
