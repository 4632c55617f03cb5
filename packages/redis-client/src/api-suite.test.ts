/**
 * Core's typed-API suite (packages/core/src/api/api-suite.ts) through this client against a real
 * redis-server, started here on a free port: the same tests the in-process store passes.
 * api-suite.lodis-server.test.ts runs it against lodis-server; the results must be the same.
 */
import { afterAll, beforeAll } from 'vitest';
import { typedApiSuite } from '../../core/src/api/api-suite.js';
import { createClient, type RedisClient } from './index.js';
import { startRedisServer, type TestRedisServer } from './test/redis-server.js';

let server: TestRedisServer;
beforeAll(async () => {
  server = await startRedisServer();
});
afterAll(() => server.stop());

/** A suite session: a client; its `connect()` sessions are more connections of it. */
function suiteSession(client: RedisClient) {
  return { client, close: () => client.close(), connect: async () => suiteSession(client.connect()) };
}

typedApiSuite('redis-client → redis-server', async () => suiteSession(createClient({ port: server.port })));
