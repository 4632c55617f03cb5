/**
 * Replays every transcript on a fresh Lodis store and compares each reply, byte for byte in
 * RESP2, with what redis-server replied when the transcript was recorded (npm run record).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkBlockedTimeouts } from '../packages/core/src/blocked.js';
import { configSetInternal } from '../packages/core/src/config.js';
import { createStore, encodeResp2, type Reply, type Store } from '../packages/core/src/index.js';
import { clientOf } from './fuzz/lodis-probe.js';
import { parseTranscript, sameReply, showResp, type Recording } from './transcript.js';

const dir = new URL('.', import.meta.url).pathname;
const names = readdirSync(join(dir, 'transcripts'))
  .filter((f) => f.endsWith('.txt'))
  .map((f) => basename(f, '.txt'));

describe('transcripts recorded from redis-server', () => {
  for (const name of names) {
    const recordedPath = join(dir, 'recorded', `${name}.json`);
    it(name, async () => {
      expect(existsSync(recordedPath), `${name} has no recording: npm run record -- ${name}`).toBe(true);
      const rec = JSON.parse(readFileSync(recordedPath, 'utf8')) as Recording;
      const { steps, hash, server } = parseTranscript(join(dir, 'transcripts', `${name}.txt`));
      expect(rec.transcript, `${name}.txt changed since it was recorded: npm run record -- ${name}`).toBe(hash);

      // The start of a minute: LFU counters decay by whole minutes of the clock (OBJECT FREQ), and a
      // transcript started in a minute's last milliseconds would see one go by.
      let now = Math.floor(Date.now() / 60_000) * 60_000;
      const root = createStore({ clock: () => now, activeExpire: false });
      configSetInternal(root.engine, server); // the `!server` settings, as the recording server started with them
      const conns = new Map<number, { store: Store; pushes: Reply[] }>();
      const conn = (n: number) => {
        let c = conns.get(n);
        if (!c) {
          const store = n === 1 ? root : root.connect();
          const pushes: Reply[] = [];
          store.onPushReply((m) => pushes.push(m));
          conns.set(n, (c = { store, pushes }));
        }
        return c;
      };
      const failures: string[] = [];
      let r = 0;
      /** Replies of !block commands still deferred (blocked); they join their connection's pushes. */
      let deferred = 0;
      const start = now;
      for (const [i, step] of steps.entries()) {
        const recorded = rec.clock?.[i];
        if (recorded !== undefined && start + recorded > now) {
          now = start + recorded; // the time that had passed at this step while recording
          checkBlockedTimeouts(root.engine);
        }
        if (deferred) await new Promise((res) => setImmediate(res)); // let served or timed-out replies land
        if (step.kind === 'sleep') {
          if (recorded === undefined) now += step.ms;
          checkBlockedTimeouts(root.engine); // a blocked command whose deadline passed times out, as it did while recording
          continue;
        }
        const c = conn(step.conn);
        if (step.kind === 'command' && step.block) {
          const reply = c.store.execute(...step.argv);
          const client = clientOf(c.store);
          const later = client.deferredReply;
          client.deferredReply = null;
          if (later === null) c.pushes.push(reply);
          else {
            deferred++;
            void later.then((x) => {
              deferred--;
              c.pushes.push(x);
            });
          }
          continue;
        }
        const expected = rec.replies[r++] ?? '';
        let actual: string;
        let same: boolean;
        if (step.kind === 'push') {
          const m = c.pushes.shift();
          actual = m === undefined ? '' : encodeResp2(m);
          same = actual === expected;
        } else {
          const reply = c.store.execute(...step.argv);
          actual = c.pushes.splice(0).map(encodeResp2).join('') + encodeResp2(reply);
          same = sameReply(step, actual, expected);
        }
        if (!same) {
          failures.push(`${name}.txt:${step.line}: ${step.text}\n    redis: ${showResp(expected)}\n    lodis: ${showResp(actual)}`);
        }
      }
      root.close();
      expect(failures, `${failures.length} of ${rec.replies.length} replies differ`).toEqual([]);
    });
  }
});
