/**
 * The system `redis-cli` (7.0) driving lodis-server and redis-server with the same scripts: piped
 * commands in every output format (raw, `--no-raw`, `--csv`, `--json`, `-3` RESP3), commands on
 * the command line (`-x`, `-r`, `-n`, `-e`, `-a`), `--pipe` mass insertion, `--scan`, `--bigkeys`,
 * and a `SUBSCRIBE` session. Each case's stdout, stderr and exit code from lodis-server must equal
 * redis-server's, after these normalisations (where Redis prints what cannot match):
 *
 *   - the server's port in redis-cli's own messages becomes PORT;
 *   - `--scan`'s keys are sorted (SCAN's order is its hash table's);
 *   - `--bigkeys`: its progress lines ("Biggest string found so far …", in SCAN's order) are
 *     left out; the summary (biggest key of each type, counts, averages) is compared;
 *   - HELLO's `id` (a connection counter) becomes ID.
 */
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bothServers, type RunningServer } from './servers.js';

interface Run {
  stdout: string;
  stderr: string;
  code: number | null;
}

/** `redis-cli -p port …args` with `input` on stdin; killed after `ms` (its output so far kept). */
function cli(port: number, args: string[], input = '', ms = 30_000): Promise<Run> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.env.REDIS_CLI ?? 'redis-cli', ['-p', String(port), ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString('latin1')));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString('latin1')));
    const timer = setTimeout(() => p.kill('SIGKILL'), ms);
    p.on('error', reject);
    p.on('close', (code) => {
      clearTimeout(timer);
      resolve({ stdout, stderr, code });
    });
    p.stdin.on('error', () => {});
    p.stdin.end(input);
  });
}

const portless = (port: number) => (s: string) => s.split(String(port)).join('PORT');

interface Case {
  name: string;
  /** Commands piped to a plain `redis-cli` first (after FLUSHALL); their output is not compared. */
  setup?: string;
  args: string[];
  input?: string;
  /** Rewrites stdout before comparing. */
  normalise?: (stdout: string) => string;
  /** Run this instead of `cli(port, args, input)`. */
  run?: (port: number) => Promise<Run>;
}

const DATA = [
  'SET greeting "hello world"',
  'SET n 41',
  'RPUSH list a b "c d" ""',
  'HSET h name lodis version 7 empty ""',
  'SADD s 3 1 2',
  'ZADD z 1.5 one 2 two -inf low',
  'XADD st 1-1 f v g w',
  'SET bin "\\x00\\xff\\r\\n"',
  'SET utf8 "h\\xc3\\xa9llo \\xe2\\x9c\\x93"',
  'PFADD hll a b c',
  'SETBIT bits 5 1',
].join('\n');

const QUERIES = [
  'GET greeting',
  'INCR n',
  'INCRBYFLOAT n 0.5',
  'LRANGE list 0 -1',
  'HGETALL h',
  'HGET h nosuch',
  'SMEMBERS s',
  'ZRANGE z 0 -1 WITHSCORES',
  'ZSCORE z one',
  'XRANGE st - +',
  'GET bin',
  'GET utf8',
  'STRLEN utf8',
  'PFCOUNT hll',
  'GET bits',
  'EXISTS greeting nosuch',
  'TYPE z',
  'LPUSH greeting x',
  'NOSUCHCMD a b',
  'GET',
  'SET k v EX 0',
  'MULTI',
  'INCR n',
  'GET n',
  'EXEC',
  'CONFIG GET maxmemory-policy',
  'XINFO GROUPS st',
  'ECHO "quoted \\"inner\\" \\t tab"',
  "ECHO 'single quoted'",
  'PING',
  'SELECT 3',
  'DBSIZE',
  'SELECT 0',
  'DBSIZE',
  'DEL greeting list',
  'OBJECT ENCODING s',
  'HELLO 2',
].join('\n');

/** HELLO's connection id, as ID, in every output format (`id\n12`, `8) (integer) 12`, `"id",12`, `"id" => (integer) 12`, `"id":12`). */
const helloId = (s: string) => s.replace(/(\bid"?(?:\n\s*\d+\)|,|\s=>|:|\n| )\s*(?:\(integer\) )?)\d+/g, '$1ID');

const MASS = Array.from({ length: 100_000 }, (_, i) => {
  const k = `key:${i}`;
  const v = `value:${i}`;
  return `*3\r\n$3\r\nSET\r\n$${k.length}\r\n${k}\r\n$${v.length}\r\n${v}\r\n`;
}).join('');

const MASS_WITH_ERRORS = ['*3\r\n$5\r\nRPUSH\r\n$1\r\nl\r\n$1\r\nx\r\n', '*2\r\n$4\r\nINCR\r\n$1\r\nl\r\n', '*2\r\n$4\r\nINCR\r\n$1\r\nc\r\n', '*1\r\n$4\r\nNOPE\r\n'].join('').repeat(2500);

const cases: Case[] = [
  { name: 'piped commands, raw output (the default off a tty)', setup: DATA, args: [], input: QUERIES, normalise: helloId },
  { name: 'piped commands, --no-raw', setup: DATA, args: ['--no-raw'], input: QUERIES, normalise: helloId },
  { name: 'piped commands, --csv', setup: DATA, args: ['--csv'], input: QUERIES, normalise: helloId },
  { name: 'piped commands, -3 (RESP3) --no-raw', setup: DATA, args: ['-3', '--no-raw'], input: QUERIES.replace('HELLO 2', 'HELLO 3'), normalise: helloId },
  { name: 'piped commands, -3 raw', setup: DATA, args: ['-3'], input: QUERIES.replace('HELLO 2', 'HELLO 3'), normalise: helloId },
  { name: 'piped commands, --json (RESP3)', setup: DATA, args: ['--json'], input: QUERIES.replace('HELLO 2', 'HELLO 3'), normalise: helloId },
  { name: 'piped commands, -2 --json', setup: DATA, args: ['-2', '--json'], input: QUERIES, normalise: helloId },
  { name: 'piped commands, --quoted-input', setup: DATA, args: ['--quoted-input', '--no-raw'], input: 'SET "a\\x00b" "\\xff"\nGET "a\\x00b"\nSTRLEN "a\\x00b"\n' },
  { name: 'a command on the command line, --no-raw', setup: DATA, args: ['--no-raw', 'LRANGE', 'list', '0', '-1'] },
  { name: 'a command on the command line, raw, -d and -D delimiters', setup: DATA, args: ['-d', ',', '-D', ';', 'HGETALL', 'h'] },
  { name: 'an error on the command line, with -e (exit code 1)', setup: DATA, args: ['-e', 'LPUSH', 'greeting', 'x'] },
  { name: 'an error on the command line, without -e', setup: DATA, args: ['--no-raw', 'INCR', 'greeting'] },
  { name: '-x: the last argument from stdin', args: ['-x', 'SET', 'fromstdin'], input: 'line one\nline two\n\x00\xff', run: undefined },
  { name: '-r 5 INCR', args: ['-r', '5', 'INCR', 'c'] },
  { name: '-n 5 (SELECT) then DBSIZE', setup: DATA, args: ['-n', '5', 'DBSIZE'] },
  { name: 'RESP3 types with -3 --no-raw (DEBUG PROTOCOL)', args: ['-3', '--no-raw'], input: ['string', 'integer', 'double', 'bignum', 'null', 'array', 'set', 'map', 'attrib', 'push', 'verbatim', 'true', 'false'].map((t) => `DEBUG PROTOCOL ${t}`).join('\n') },
  {
    name: '--pipe: 100,000 SETs of mass insertion',
    args: ['--pipe'],
    input: MASS,
    run: async (port) => {
      const r = await cli(port, ['--pipe'], MASS, 60_000);
      const after = await cli(port, ['--no-raw'], 'DBSIZE\nGET key:99999\n');
      return { ...r, stdout: r.stdout + after.stdout };
    },
  },
  { name: '--pipe with error replies counted', args: ['--pipe'], input: MASS_WITH_ERRORS },
  {
    name: '--scan --pattern (keys sorted)',
    setup: Array.from({ length: 300 }, (_, i) => `SET user:${i} x`).join('\n') + '\nSET other 1',
    args: ['--scan', '--pattern', 'user:1*'],
    normalise: (s) => s.split('\n').sort().join('\n'),
  },
  {
    name: '--scan --count, no pattern (keys sorted)',
    setup: Array.from({ length: 50 }, (_, i) => `SET k${i} x`).join('\n'),
    args: ['--scan', '--count', '7'],
    normalise: (s) => s.split('\n').sort().join('\n'),
  },
  {
    name: '--bigkeys (its summary)',
    setup: [
      DATA,
      'RPUSH biglist ' + Array.from({ length: 200 }, (_, i) => `e${i}`).join(' '),
      'HSET bighash ' + Array.from({ length: 50 }, (_, i) => `f${i} v`).join(' '),
      'SET bigstr ' + 'x'.repeat(1000),
    ].join('\n'),
    args: ['--bigkeys'],
    // The progress lines ("[00.00%] Biggest string found so far …") follow SCAN's order: left out.
    normalise: (s) =>
      s
        .split('\n')
        .filter((l) => !/^\[\d+\.\d+%\] /.test(l))
        .join('\n'),
  },
  {
    name: '-a with requirepass (AUTH), the warning, and a wrong password',
    args: [],
    run: async (port) => {
      await cli(port, [], 'CONFIG SET requirepass s3cret\n');
      const noauth = await cli(port, ['--no-raw', 'GET', 'k']);
      const wrong = await cli(port, ['-a', 'nope', '--no-raw', 'GET', 'k']);
      const ok = await cli(port, ['-a', 's3cret', '--no-raw', 'SET', 'k', 'v']);
      const user = await cli(port, ['--user', 'default', '--pass', 's3cret', '--no-auth-warning', 'GET', 'k']);
      const reset = await cli(port, ['-a', 's3cret', '--no-auth-warning', 'CONFIG', 'SET', 'requirepass', '']);
      const all = [noauth, wrong, ok, user, reset];
      return { stdout: all.map((r) => r.stdout).join('---\n'), stderr: all.map((r) => r.stderr).join('---\n'), code: all.reduce((a, r) => a * 10 + (r.code ?? 9), 0) };
    },
  },
  ...([2, 3] as const).map(
    (resp): Case => ({
      name: `SUBSCRIBE and PSUBSCRIBE sessions (RESP${resp}), messages from another redis-cli`,
      args: [],
      run: async (port) => {
        const sub = cli(port, [`-${resp}`, '--no-raw', 'SUBSCRIBE', 'ch', 'other'], '', 3000);
        const psub = cli(port, [`-${resp}`, 'PSUBSCRIBE', 'c*'], '', 3000);
        let counts = '';
        for (let i = 0; i < 100; i++) {
          counts = (await cli(port, ['PUBSUB', 'NUMSUB', 'ch'])).stdout + (await cli(port, ['PUBSUB', 'NUMPAT'])).stdout;
          if (counts === 'ch\n1\n1\n') break;
          await new Promise((r) => setTimeout(r, 20));
        }
        const pub = await cli(port, [], 'PUBLISH ch hello\nPUBLISH ch "two words"\nPUBLISH nosuch x\nPUBLISH other "\\x00\\xff"\n');
        const [s, p] = await Promise.all([sub, psub]);
        return { stdout: `${counts}--- pub\n${pub.stdout}--- sub\n${s.stdout}--- psub\n${p.stdout}`, stderr: s.stderr + p.stderr, code: pub.code };
      },
    }),
  ),
  { name: 'QUIT from a piped session', args: ['--no-raw'], input: 'SET a 1\nQUIT\n' },
  { name: 'INFO keyspace', setup: DATA + '\nSET e v EX 1000\nSELECT 2\nSET x 1', args: ['INFO', 'keyspace'], normalise: (s) => s.replace(/avg_ttl=\d+/g, 'avg_ttl=N') },
];

let redis: RunningServer;
let lodis: RunningServer;
bothServers((r, l) => ([redis, lodis] = [r, l]));

async function runCase(port: number, c: Case): Promise<Run> {
  await cli(port, ['FLUSHALL']);
  if (c.setup) await cli(port, [], c.setup);
  const r = c.run ? await c.run(port) : await cli(port, c.args, c.input ?? '');
  const norm = portless(port);
  return { stdout: (c.normalise ?? ((s) => s))(norm(r.stdout)), stderr: norm(r.stderr), code: r.code };
}

describe('redis-cli', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const want = await runCase(redis.port, c);
      expect(want.stdout + want.stderr, 'redis-server gave nothing to compare').not.toBe('');
      const got = await runCase(lodis.port, c);
      expect(got).toEqual(want);
    }, 90_000);
  }
});
