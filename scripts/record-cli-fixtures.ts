/**
 * Record what the real redis-cli prints, for packages/core/src/redis-cli.test.ts and scripts/cli.test.ts:
 *   npx tsx scripts/record-cli-fixtures.ts               # a throwaway redis-server on a free port
 *   REDIS_PORT=6399 npx tsx scripts/record-cli-fixtures.ts   # an existing server (db 7 is used)
 * Writes packages/core/src/redis-cli.fixture.json. For each case it records the reply's protocol bytes (over
 * a socket), what `redis-cli` prints in a terminal (run in a pseudo-TTY with `script`) and what it
 * prints to a pipe. Needs redis-server, redis-cli and util-linux `script`. Never edit the output.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RedisConnection, startRedis } from '../conformance/redis-client.js';
import type { Arg } from '../conformance/resp.js';

const DB = '7';
const out = join(new URL('.', import.meta.url).pathname, '..', 'packages', 'core', 'src', 'redis-cli.fixture.json');

const bytes = (...b: number[]) => Uint8Array.from(b);
const allBytes = Uint8Array.from({ length: 256 }, (_, i) => i);

/** A reply to display: `argv` is typed on redis-cli's command line after `setup` ran. */
interface ReplyCase {
  name: string;
  setup?: Arg[][];
  argv: string[];
  resp3?: boolean;
}

const xadds = (key: string, n: number, pairs: number): Arg[][] =>
  Array.from({ length: n }, (_, i) => [
    'XADD',
    key,
    `${i + 1}-0`,
    ...Array.from({ length: pairs }, (_, j) => [`f${j}`, `v${i}.${j}`]).flat(),
  ]);

const REPLY_CASES: ReplyCase[] = [
  { name: 'status OK', argv: ['SET', 'k', 'v'] },
  { name: 'status PONG', argv: ['PING'] },
  { name: 'status TYPE', setup: [['SET', 'k', 'v']], argv: ['TYPE', 'k'] },
  { name: 'bulk', setup: [['SET', 'k', 'hello world']], argv: ['GET', 'k'] },
  { name: 'bulk empty', setup: [['SET', 'k', '']], argv: ['GET', 'k'] },
  { name: 'bulk escapes', setup: [['SET', 'k', 'q" b\\ n\n r\r t\t a\x07 b\b e\x1b del\x7f']], argv: ['GET', 'k'] },
  { name: 'bulk every byte', setup: [['SET', 'k', allBytes]], argv: ['GET', 'k'] },
  { name: 'bulk utf-8', setup: [['SET', 'k', 'héllo wörld ✓ 日本 🎉']], argv: ['GET', 'k'] },
  { name: 'bulk nul', setup: [['SET', 'k', bytes(0x61, 0, 0x62)]], argv: ['GET', 'k'] },
  { name: 'bulk multi-line echo', argv: ['ECHO', 'line one\nline two'] },
  { name: 'bulk float', setup: [['SET', 'f', '1.1']], argv: ['INCRBYFLOAT', 'f', '2.2'] },
  { name: 'nil', argv: ['GET', 'missing'] },
  { name: 'null array', argv: ['BLPOP', 'missing', '0.01'] },
  { name: 'integer', argv: ['INCR', 'counter'] },
  { name: 'integer zero', argv: ['EXISTS', 'missing'] },
  { name: 'integer min', setup: [['SET', 'n', '-9223372036854775807']], argv: ['DECR', 'n'] },
  { name: 'integer max', setup: [['SET', 'n', '9223372036854775806']], argv: ['INCR', 'n'] },
  { name: 'error unknown command', argv: ['FOO', 'bar', 'baz'] },
  { name: 'error unknown command utf-8', argv: ['héllo', 'wörld'] },
  { name: 'error arity', argv: ['GET'] },
  { name: 'error wrongtype', setup: [['RPUSH', 'l', 'a']], argv: ['GET', 'l'] },
  { name: 'error not integer', setup: [['SET', 'k', 'abc']], argv: ['INCR', 'k'] },
  { name: 'empty array', argv: ['KEYS', 'nomatch*'] },
  { name: 'array', setup: [['RPUSH', 'l', 'a', 'b', 'c']], argv: ['LRANGE', 'l', '0', '-1'] },
  {
    name: 'array of 10',
    setup: [['RPUSH', 'l', ...Array.from({ length: 10 }, (_, i) => `item${i}`)]],
    argv: ['LRANGE', 'l', '0', '-1'],
  },
  {
    name: 'array of 105',
    setup: [['RPUSH', 'l', ...Array.from({ length: 105 }, (_, i) => String(i * 7))]],
    argv: ['LRANGE', 'l', '0', '-1'],
  },
  { name: 'array with nils', setup: [['SET', 'a', '1'], ['SET', 'c', '3']], argv: ['MGET', 'a', 'b', 'c'] },
  { name: 'array flat hash', setup: [['HSET', 'h', 'name', 'Ada', 'age', '36']], argv: ['HGETALL', 'h'] },
  {
    name: 'array withscores',
    setup: [['ZADD', 'z', '1.5', 'a', '2', 'b', 'inf', 'c']],
    argv: ['ZRANGE', 'z', '0', '-1', 'WITHSCORES'],
  },
  { name: 'nested stream', setup: xadds('s', 2, 2), argv: ['XRANGE', 's', '-', '+'] },
  { name: 'nested 12 entries', setup: xadds('s', 12, 1), argv: ['XRANGE', 's', '-', '+'] },
  { name: 'nested wide entries', setup: xadds('s', 3, 6), argv: ['XRANGE', 's', '-', '+'] },
  { name: 'nested command info', argv: ['COMMAND', 'INFO', 'get', 'nosuchcommand'] },
  {
    name: 'nested mixed (eval)',
    argv: ['EVAL', "return {1,'a',{err='ERR boom'},{ok='FINE'},false,{},{'x',{'y',{'z'}}},-3}", '0'],
  },
  {
    name: 'nested 11 with arrays (eval)',
    argv: ['EVAL', "local t = {} for i = 1, 11 do t[i] = {i, {'a', 'b'}} end return t", '0'],
  },
  { name: 'resp3 map', setup: [['HSET', 'h', 'name', 'Ada', 'age', '36']], argv: ['HGETALL', 'h'], resp3: true },
  { name: 'resp3 empty map', argv: ['HGETALL', 'missing'], resp3: true },
  { name: 'resp3 set', setup: [['SADD', 's', '3', '1', '2']], argv: ['SMEMBERS', 's'], resp3: true },
  { name: 'resp3 empty set', argv: ['SMEMBERS', 'missing'], resp3: true },
  { name: 'resp3 double', setup: [['ZADD', 'z', '1.5', 'a']], argv: ['ZSCORE', 'z', 'a'], resp3: true },
  { name: 'resp3 null', argv: ['GET', 'missing'], resp3: true },
  {
    name: 'resp3 withscores',
    setup: [['ZADD', 'z', '1.5', 'a', '2', 'b']],
    argv: ['ZRANGE', 'z', '0', '-1', 'WITHSCORES'],
    resp3: true,
  },
  { name: 'resp3 map with multi-line values', setup: xadds('s', 2, 2), argv: ['XINFO', 'STREAM', 's'], resp3: true },
  {
    name: 'resp3 map of 11',
    setup: [['HSET', 'h', ...Array.from({ length: 11 }, (_, i) => [`field${i}`, `${i}`]).flat()]],
    argv: ['HGETALL', 'h'],
    resp3: true,
  },
];

/** Lines typed at the prompt: recorded as the arguments redis-cli makes of `EVAL "return ARGV" 0 <line>`. */
const LINE_PREFIX = 'EVAL "return ARGV" 0 ';
const LINES = [
  'a b c',
  '   leading   and trailing   ',
  '"a b" c',
  `'a b' "c d"`,
  '"esc \\n\\r\\t\\b\\a \\" \\\\ \\q \\x41\\x4a \\x4 \\xzz \\xFf"',
  `'single \\' \\n \\x41 "'`,
  'a"b c" d',
  'a"b c"d',
  '"foo"bar',
  "'foo'bar",
  '"unterminated',
  "'unterminated",
  '"trailing backslash\\',
  '""',
  `'' ""`,
  'tab\\there back\\\\slash',
  'real\ttab\tseparated',
  '"\\xff\\x00\\x80"',
  '"héllo" ünï ✓',
  "it's",
  'a "b"\t"c"',
];

/** Whole sessions piped into redis-cli, to check scripts/cli.ts end to end (commands Lodis has today). */
const SESSIONS = [
  {
    name: 'strings',
    input: [
      'SET a 1',
      'GET a',
      'GET nokey',
      'SET b "two\\nlines \\xff"',
      'GET b',
      'ECHO "héllo"',
      'PING',
      'PING "x y"',
      '',
      '   ',
      'GET',
      'FOO bar',
      'SET "unbalanced',
      '"foo"bar',
      '3 PING',
      '0 PING',
      'quit',
      'GET a',
    ].join('\n') + '\n',
  },
];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
/** A pseudo-terminal turns \n into \r\n; nothing else redis-cli prints has a bare \r. */
const fromPty = (s: string) => s.replace(/\r\n/g, '\n');

const own = process.env.REDIS_PORT ? null : await startRedis();
const port = own ? own.port : Number(process.env.REDIS_PORT);
const cliArgs = (resp3 = false) => ['-p', String(port), '-n', DB, ...(resp3 ? ['-3'] : [])];
const version = execFileSync('redis-cli', ['--version'], { encoding: 'utf8' }).trim();

async function fresh(setup: Arg[][] = []): Promise<void> {
  const c = await RedisConnection.connect(port);
  await c.send(['SELECT', DB]);
  await c.send(['FLUSHDB']);
  for (const cmd of setup) await c.send(cmd);
  c.close();
}

/** redis-cli in a pseudo-terminal (`script`), as a user sees it. */
function runTTY(args: string[]): string {
  const cmd = ['redis-cli', ...args].map(shellQuote).join(' ');
  const r = spawnSync('script', ['-qec', cmd, '/dev/null'], { stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.status !== 0) throw new Error(`script failed: ${r.stderr.toString()}`);
  return fromPty(r.stdout.toString('latin1'));
}

/** redis-cli writing to a pipe, with `input` on stdin. */
function runPipe(args: string[], input = ''): string {
  const r = spawnSync('redis-cli', args, { input: Buffer.from(input, 'utf8') });
  if (r.status !== 0) throw new Error(`redis-cli failed: ${r.stderr.toString()}`);
  return r.stdout.toString('latin1');
}

try {
  const replies = [];
  for (const c of REPLY_CASES) {
    await fresh(c.setup);
    const conn = await RedisConnection.connect(port);
    await conn.send(['SELECT', DB]);
    if (c.resp3) await conn.send(['HELLO', '3']);
    const resp = await conn.send(c.argv);
    conn.close();
    await fresh(c.setup);
    const tty = runTTY([...cliArgs(c.resp3), ...c.argv]);
    await fresh(c.setup);
    const raw = runPipe([...cliArgs(c.resp3), ...c.argv]);
    // --no-raw (formatted output to a pipe) is what the line and session recordings use: check
    // here that it prints what the terminal shows.
    await fresh(c.setup);
    const noRaw = runPipe(['--no-raw', ...cliArgs(c.resp3), ...c.argv]);
    if (noRaw !== tty) throw new Error(`${c.name}: --no-raw differs from the terminal`);
    replies.push({ name: c.name, argv: c.argv, resp3: c.resp3 ?? false, resp, tty, raw });
  }

  const lines = [];
  for (const line of LINES) {
    const tty = runPipe(['--no-raw', ...cliArgs()], LINE_PREFIX + line + '\n');
    lines.push({ line, prefix: LINE_PREFIX, tty });
  }

  const sessions = [];
  for (const s of SESSIONS) {
    await fresh();
    const tty = runPipe(['--no-raw', ...cliArgs()], s.input);
    await fresh();
    const raw = runPipe(cliArgs(), s.input);
    sessions.push({ ...s, tty, raw });
  }

  const pubsub = [];
  for (const c of [
    { name: 'subscribe', argv: ['SUBSCRIBE', 'lodis:c1', 'lodis:c2'], channel: 'lodis:c2' },
    { name: 'psubscribe', argv: ['PSUBSCRIBE', 'lodis:*'], channel: 'lodis:news' },
    { name: 'subscribe error', argv: ['SUBSCRIBE'], channel: null },
  ]) {
    const messages: Arg[] = ['hello', 'two\nlines ✓', bytes(0xff, 0, 0x22)];
    // The replies' bytes: subscribe on one connection, publish from another.
    const sub = await RedisConnection.connect(port);
    const pub = await RedisConnection.connect(port);
    const resp: string[] = [];
    sub.write(c.argv);
    resp.push(await sub.next());
    if (c.channel) {
      for (let i = 1; i < c.argv.length - 1; i++) resp.push(await sub.next());
      for (const m of messages) {
        await pub.send(['PUBLISH', c.channel, m]);
        resp.push(await sub.next());
      }
    }
    sub.close();
    pub.close();
    const watch = async (cmd: string, args: string[]) => {
      const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'ignore'] });
      const closed = new Promise((r) => child.once('close', r));
      let text = '';
      child.stdout.on('data', (d: Buffer) => (text += d.toString('latin1')));
      const quiet = async () => {
        for (let last = -1; last !== text.length; ) {
          last = text.length;
          await sleep(300);
        }
      };
      await quiet();
      if (c.channel) {
        const p = await RedisConnection.connect(port);
        for (const m of messages) await p.send(['PUBLISH', c.channel, m]);
        p.close();
        await quiet();
      }
      child.kill('SIGTERM');
      await closed;
      return text;
    };
    const tty = fromPty(await watch('script', ['-qec', ['redis-cli', ...cliArgs(), ...c.argv].map(shellQuote).join(' '), '/dev/null']));
    const raw = await watch('redis-cli', [...cliArgs(), ...c.argv]);
    pubsub.push({ name: c.name, argv: c.argv, resp, tty, raw });
  }

  await fresh(); // leave db 7 empty
  mkdirSync(join(out, '..'), { recursive: true });
  writeFileSync(out, JSON.stringify({ redisCli: version, replies, lines, sessions, pubsub }, null, 1) + '\n');
  console.log(
    `recorded ${replies.length} replies, ${lines.length} lines, ${sessions.length} sessions, ${pubsub.length} pub/sub runs from ${version}`,
  );
} finally {
  own?.stop();
}
