/**
 * Core's typed-API suite through this client against lodis-server (@lodis/server, started here on
 * a free port): what api-suite.test.ts runs against redis-server, with the same expectations.
 */
import { startServer, type LodisServer } from '@lodis/server';
import { afterAll, beforeAll } from 'vitest';
import { typedApiSuite } from '../../core/src/api/api-suite.js';
import { createClient, type RedisClient } from './index.js';

let server: LodisServer;
beforeAll(async () => {
  server = await startServer({ port: 0 });
});
afterAll(() => server.close());

function suiteSession(client: RedisClient) {
  return { client, close: () => client.close(), connect: async () => suiteSession(client.connect()) };
}

typedApiSuite('redis-client → lodis-server', async () => suiteSession(createClient({ port: server.port })));
