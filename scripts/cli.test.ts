/**
 * The prompt end to end: sessions piped into the real redis-cli (packages/core/src/redis-cli.fixture.json) are
 * piped into `scripts/cli.ts`, which must print the same bytes, raw and with --no-raw.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

interface Fixture {
  redisCli: string;
  sessions: { name: string; input: string; tty: string; raw: string }[];
  pubsub: { name: string; tty: string }[];
}

const fixture = JSON.parse(
  readFileSync(new URL('../packages/core/src/redis-cli.fixture.json', import.meta.url), 'utf8'),
) as Fixture;
const root = fileURLToPath(new URL('..', import.meta.url));

function cli(args: string[], input: string): string {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/cli.ts', ...args], {
    cwd: root,
    input: Buffer.from(input, 'utf8'),
    env: { ...process.env, FAKETTY: '' },
    timeout: 30_000,
  });
  if (r.status !== 0) throw new Error(`cli exited ${r.status}: ${r.stderr.toString()}`);
  return r.stdout.toString('latin1');
}

describe(`piped sessions print as ${fixture.redisCli} prints them`, () => {
  for (const s of fixture.sessions) {
    it(`${s.name} (to a pipe)`, () => {
      expect(cli([], s.input)).toBe(s.raw);
    }, 30_000);
    it(`${s.name} (--no-raw)`, () => {
      expect(cli(['--no-raw'], s.input)).toBe(s.tty);
    }, 30_000);
  }
});

describe('the in-process prompt', () => {
  it('delivers a PUBLISH from one session to a SUBSCRIBE in another, as redis-cli shows it', () => {
    // The recorded run: redis-cli subscribed to lodis:c1 lodis:c2 while another client published
    // three messages to lodis:c2. Here session 2 publishes; its replies are "(integer) 1" lines.
    const input =
      'SUBSCRIBE lodis:c1 lodis:c2\n:conn 2\n' +
      'PUBLISH lodis:c2 hello\nPUBLISH lodis:c2 "two\\nlines \u2713"\nPUBLISH lodis:c2 "\\xff\\x00\\""\n';
    const out = cli(['--no-raw'], input);
    const recorded = fixture.pubsub.find((p) => p.name === 'subscribe')!.tty;
    expect(out.split('\n').filter((l) => l !== '(integer) 1').join('\n')).toBe(recorded);
    expect(out.split('\n').filter((l) => l === '(integer) 1')).toHaveLength(3);
  }, 30_000);

  it('runs one command from the command line', () => {
    expect(cli(['ECHO', 'hi'], '')).toBe('hi\n');
  }, 30_000);
});
