/**
 * Record transcripts against a real redis-server:
 *   npm run record -- strings keys     # conformance/transcripts/<name>.txt → recorded/<name>.json
 *   npm run record                      # every transcript
 * Starts a throwaway redis-server (REDIS_SERVER overrides the binary) on a free loopback port.
 */
import { readdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { RedisConnection, startRedis } from './redis-client.js';
import { parseRaw } from './resp.js';
import { parseTranscript, type Recording } from './transcript.js';

const dir = new URL('.', import.meta.url).pathname;
const QUIET_MS = 30; // a command's replies are complete when the socket has been quiet this long

const names = process.argv.slice(2).length
  ? process.argv.slice(2)
  : readdirSync(join(dir, 'transcripts'))
      .filter((f) => f.endsWith('.txt'))
      .map((f) => basename(f, '.txt'));

const shared = await startRedis();
try {
  for (const name of names) {
    const { steps, hash, server: settings } = parseTranscript(join(dir, 'transcripts', `${name}.txt`));
    // A transcript with `!server` settings gets a server of its own, started with them.
    const own = Object.keys(settings).length !== 0 ? await startRedis(settings) : null;
    const server = own ?? shared;
    const admin = await RedisConnection.connect(server.port);
    await admin.send(['FLUSHALL']);
    const info = parseRaw(await admin.send(['INFO', 'server'])) as string;
    admin.close();
    const conns = new Map<number, RedisConnection>();
    const conn = async (n: number) => {
      let c = conns.get(n);
      if (!c) conns.set(n, (c = await RedisConnection.connect(server.port)));
      return c;
    };
    const replies: string[] = [];
    const clock: number[] = [];
    const t0 = performance.now();
    const at = (): number => Math.round(performance.now() - t0);
    for (const step of steps) {
      if (step.kind === 'sleep') {
        await new Promise((r) => setTimeout(r, step.ms));
        clock.push(at());
        continue;
      }
      const c = await conn(step.conn);
      clock.push(at());
      if (step.kind === 'push') replies.push(await c.nextWithin(1000));
      else if (step.block) {
        // Its reply (now, or when it is served or times out) stays in the inbox for a later !push.
        c.write(step.argv);
        await new Promise((r) => setTimeout(r, QUIET_MS));
      } else replies.push(await c.sendAndDrain(step.argv, QUIET_MS));
    }
    for (const c of conns.values()) c.close();
    own?.stop();
    const rec: Recording = { redis: /redis_version:(\S+)/.exec(info)![1]!, transcript: hash, replies, clock };
    writeFileSync(join(dir, 'recorded', `${name}.json`), JSON.stringify(rec, null, 1) + '\n');
    console.log(`recorded ${name}: ${replies.length} replies from redis ${rec.redis}`);
  }
} finally {
  shared.stop();
}
