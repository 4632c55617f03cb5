/**
 * Every transcript again, this time through lodis-server and a real socket: the same steps and
 * the same recorded bytes as transcripts.test.ts, but each command goes out as RESP over TCP
 * (redis-client.ts) and each reply is what the server's parser, connection loop and reply writer
 * made of it — pipelining, pushes between replies, blocked replies arriving later.
 *
 * The server runs in this process, on a store whose clock the replay sets to the recorded times
 * (as the in-process run does), so idle times, TTLs and blocking timeouts see the time that passed
 * while recording, not the few milliseconds this run takes.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkBlockedTimeouts } from '../packages/core/src/blocked.js';
import { startServer } from '../packages/server/src/index.js';
import { RedisConnection } from './redis-client.js';
import { splitReplies } from './resp.js';
import { parseTranscript, sameReply, showResp, type Recording } from './transcript.js';

const dir = new URL('.', import.meta.url).pathname;
const names = readdirSync(join(dir, 'transcripts'))
  .filter((f) => f.endsWith('.txt'))
  .map((f) => basename(f, '.txt'));

/**
 * Transcripts that cannot run over a socket, and why. (None today: every step of every transcript
 * is a command, a push read or a clock move, all of which work through the server.)
 */
const NOT_OVER_TCP: Record<string, string> = {};

/** How long a reply that the recording has may take to arrive before the step is failed. */
const REPLY_WAIT_MS = 2_000;
/** How long a command may take before the replay takes it for blocked and moves the clock on. */
const BLOCKED_WAIT_MS = 100;
/** How long a `!push` that the recording has as '' (nothing came) waits for something to come. */
const NO_PUSH_WAIT_MS = 50;

/** The next reply on `c`, or null when none comes within `ms`. */
async function nextOrNull(c: RedisConnection, ms: number): Promise<string | null> {
  try {
    return await c.next(ms);
  } catch (e) {
    // Nothing came, or the server closed the connection (what came before it was read).
    if (/timed out|connection closed/.test((e as Error).message)) return null;
    throw e;
  }
}

/** A few turns of the event loop: bytes the server wrote in the same batch reach the client. */
async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
}

/**
 * Node only (npm test): `test:deno` and `test:bun` also collect this folder. The server on Deno
 * and Bun is tested by packages/server/test/runtimes.test.ts; here, a transcript's blocked
 * command is timed out by stepping the store's clock and reading what arrives within a short
 * quiet window, which Deno's sockets did not always meet (one XREAD BLOCK timeout arrived after
 * the next step had been sent).
 */
const NOT_NODE = 'Deno' in globalThis || 'Bun' in globalThis;

describe('transcripts recorded from redis-server, replayed through lodis-server over TCP', () => {
  for (const name of names) {
    const recordedPath = join(dir, 'recorded', `${name}.json`);
    const skip = NOT_OVER_TCP[name];
    it.skipIf(skip !== undefined || NOT_NODE)(name, async () => {
      expect(existsSync(recordedPath), `${name} has no recording: npm run record -- ${name}`).toBe(true);
      const rec = JSON.parse(readFileSync(recordedPath, 'utf8')) as Recording;
      const { steps, hash, server: settings } = parseTranscript(join(dir, 'transcripts', `${name}.txt`));
      expect(rec.transcript, `${name}.txt changed since it was recorded: npm run record -- ${name}`).toBe(hash);

      // The start of a minute, as in the in-process run (LFU counters decay by whole minutes).
      let now = Math.floor(Date.now() / 60_000) * 60_000;
      // `!server` settings: the server starts with them, as the recording's did.
      const server = await startServer({ port: 0, config: settings, storeOptions: { clock: () => now, activeExpire: false } });
      const engine = server.store.engine;
      const conns = new Map<number, RedisConnection>();
      const conn = async (n: number) => {
        let c = conns.get(n);
        if (!c) conns.set(n, (c = await RedisConnection.connect(server.port)));
        return c;
      };
      const failures: string[] = [];
      try {
        let r = 0;
        const start = now;
        for (const [i, step] of steps.entries()) {
          const recorded = rec.clock?.[i];
          if (recorded !== undefined && start + recorded > now) {
            now = start + recorded;
            checkBlockedTimeouts(engine);
          }
          if (step.kind === 'sleep') {
            if (recorded === undefined) now += step.ms;
            checkBlockedTimeouts(engine);
            continue;
          }
          const c = await conn(step.conn);
          if (step.kind === 'command' && step.block) {
            // Its reply comes now or when it is served or times out; a later !push reads it.
            c.write(step.argv);
            await settle();
            continue;
          }
          const expected = rec.replies[r++] ?? '';
          let actual: string;
          let same: boolean;
          if (step.kind === 'push') {
            actual = (await nextOrNull(c, expected === '' ? NO_PUSH_WAIT_MS : REPLY_WAIT_MS)) ?? '';
            same = actual === expected;
          } else {
            // The command's reply and the pushes that came before it on this connection: as many
            // replies as the recording has, then whatever else already arrived.
            c.write(step.argv);
            const want = expected === '' ? 1 : splitReplies(expected).length;
            const got: string[] = [];
            while (got.length < want) {
              let x = await nextOrNull(c, BLOCKED_WAIT_MS);
              // Not answered: a command that blocks until its timeout (BLPOP k 0.01, WAIT 1 50),
              // which while recording had answered by the time the next step ran. The clock moves
              // to then (or, in a recording without times, on by doubling steps) until it answers.
              const later = rec.clock?.[i + 1];
              for (let step = 10; x === null && step <= 10_000; step *= 2) {
                now = later !== undefined && start + later > now ? start + later : now + step;
                checkBlockedTimeouts(engine);
                x = await nextOrNull(c, 20);
              }
              if (x === null) x = await nextOrNull(c, REPLY_WAIT_MS);
              if (x === null) break;
              got.push(x);
            }
            await settle();
            while (c.pending > 0) got.push((await c.next())!);
            actual = got.join('');
            same = sameReply(step, actual, expected);
            if (got.length === 0) {
              // The server did not answer: what follows would only wait for it too.
              failures.push(`${name}.txt:${step.line}: ${step.text}\n    redis: ${showResp(expected)}\n    lodis: no reply in ${REPLY_WAIT_MS} ms; replay stopped`);
              break;
            }
          }
          if (!same) {
            failures.push(`${name}.txt:${step.line}: ${step.text}\n    redis: ${showResp(expected)}\n    lodis: ${showResp(actual)}`);
          }
        }
      } finally {
        for (const c of conns.values()) c.close();
        await server.close();
      }
      expect(failures, `${failures.length} of ${rec.replies.length} replies differ`).toEqual([]);
    }, 120_000);
  }
});
