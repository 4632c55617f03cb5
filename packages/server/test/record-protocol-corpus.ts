/**
 * Record what redis-server replies to each input of protocol-corpus.ts, and whether it closes:
 *   npx tsx packages/server/test/record-protocol-corpus.ts    # → protocol-corpus.recorded.json
 * Starts a throwaway redis-server (REDIS_SERVER overrides the binary) on a free loopback port.
 */
import { writeFileSync } from 'node:fs';
import { RedisConnection, startRedis } from '../../../conformance/redis-client.js';
import { parseRaw } from '../../../conformance/resp.js';
import { exchange, inputHash, PROTOCOL_CORPUS, QUIET_MS, type RecordedCorpus } from './protocol-corpus.js';

const server = await startRedis();
try {
  const admin = await RedisConnection.connect(server.port);
  const info = parseRaw(await admin.send(['INFO', 'server'])) as string;
  admin.close();
  const entries = await Promise.all(
    PROTOCOL_CORPUS.map(async (e) => ({ name: e.name, input: inputHash(e.input), ...(await exchange(server.port, e.input, QUIET_MS)) })),
  );
  const rec: RecordedCorpus = { redis: /redis_version:(\S+)/.exec(info)![1]!, entries };
  writeFileSync(new URL('./protocol-corpus.recorded.json', import.meta.url), JSON.stringify(rec, null, 1) + '\n');
  console.log(`recorded ${entries.length} replies from redis ${rec.redis}`);
} finally {
  server.stop();
}
