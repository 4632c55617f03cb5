/**
 * lodis-server through real client libraries — ioredis 5 (RESP2) and node-redis 6 (RESP2 and
 * RESP3) — next to a real redis-server 7.0: every scenario (scenarios.ts) runs on both servers
 * through the same library, and what lodis-server gives must equal what redis-server gave.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ioredisKind, nodeRedisKind } from './clients.js';
import { runScenario, sharedScenarios } from './scenarios.js';
import { bothServers, type RunningServer } from './servers.js';

const kinds = [ioredisKind(), nodeRedisKind(2), nodeRedisKind(3)];

let redis: RunningServer;
let lodis: RunningServer;
bothServers((r, l) => ([redis, lodis] = [r, l]));

describe.each(kinds)('$name', (kind) => {
  for (const scenario of sharedScenarios) {
    it(scenario.name, async () => {
      const want = await runScenario(redis.port, kind, scenario);
      const got = await runScenario(lodis.port, kind, scenario);
      expect(got).toEqual(want);
    }, 60_000);
  }
});
