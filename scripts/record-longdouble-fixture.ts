/**
 * Records packages/core/src/longdouble.fixture.json from a real redis-server: for seeded pairs
 * (stored value, increment), what `SET k <value>` + `INCRBYFLOAT k <increment>` replies —
 * Redis' 80-bit long double parsing (strtold), addition and `%.17Lf` formatting, errors included.
 * longdouble.test.ts replays every case on Lodis' emulation and compares.
 *
 *   npx tsx scripts/record-longdouble-fixture.ts                           # a throwaway redis-server
 *   REDIS_PORT=6399 REDIS_DB=1 npx tsx scripts/record-longdouble-fixture.ts # a running one (key ldfx)
 */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { mulberry32 } from '../conformance/fuzz/rng.js';
import { RedisConnection, startRedis } from '../conformance/redis-client.js';
import { parseRaw } from '../conformance/resp.js';

/**
 * [value, increment, reply]: the value SET first (null: the key does not exist), the increment,
 * and INCRBYFLOAT's bulk reply or its error text prefixed with '-'. A reply longer than
 * LONG_REPLY chars (results near 1e4932 have ~4950 digits) is kept as `sha256:<hex>`.
 */
export type LongDoubleCase = [value: string | null, increment: string, reply: string];

export interface LongDoubleFixture {
  redis: string;
  cases: LongDoubleCase[];
}

export const LONG_REPLY = 120;

/** A reply as the fixture keeps it. */
export function fixtureReply(reply: string): string {
  return reply.length > LONG_REPLY ? `sha256:${createHash('sha256').update(reply).digest('hex')}` : reply;
}

const SPECIAL = [
  'inf', '-inf', '+inf', 'Infinity', 'nan', '-nan', ' 1', '1 ', '1e', '1e+', '0x', '.', '', '-', '+',
  '1.5e4932', '1.18e4932', '1.19e4932', '-1.19e4932', '1e-4951', '3.6e-4951', '1e-4952', '1e-5000',
  '0e-5000', '-0', '0', '-0.0', '0x1p16383', '0x1.fffffffffffffffep16383', '0x1p16384', '0x1p-16445',
  '0x1p-16446', '0x1.8p-16446', '0x1p-16382', '0x0.0000000000000001p-16382', '9223372036854775807',
  '-9223372036854775808', '18446744073709551615', '18446744073709551616', '0.1', '0.2', '0.3', '1e308',
  '1.7976931348623157e308', '4.9e-324', '2.2250738585072014e-308', '0.000003814697265625',
  '0.000000000000000005', '0.000000000000000015', '0.000000000000000025', '1e-17', '5e-18', '1.5e-17',
  '0x1.0000000000000001p0', '0x1.00000000000000008p0', '0x1.00000000000000018p0', '0xffffffffffffffff',
  '0x1ffffffffffffffff', '3.0e3', '5.0e3', '00012', '5.', '.5', '0X1.8P1', '1,5', 'abc', '1\x00',
];

function generateCases(seed: number, count: number): { value: string | null; increment: string }[] {
  const u32 = mulberry32(seed);
  const rand = () => u32() / 4294967296;
  const ri = (n: number) => Math.floor(rand() * n);
  const digits = (n: number) => Array.from({ length: n }, () => ri(10)).join('');
  const hexDigits = (n: number) => Array.from({ length: n }, () => ri(16).toString(16)).join('');
  const num = (): string => {
    const sign = ['', '-', '+', ''][ri(4)]!;
    switch (ri(13)) {
      case 0: return sign + digits(1 + ri(3)) + '.' + digits(ri(5));
      case 1: return sign + '0.' + digits(1 + ri(25));
      case 2: return sign + digits(1 + ri(3)) + 'e' + (ri(2) ? '-' : '') + ri(4960);
      case 3: return sign + '.' + digits(1 + ri(4)) + 'E' + (ri(2) ? '-' : '+') + ri(40);
      case 4: return `${sign}0x${1 + ri(15)}.${hexDigits(ri(18))}p${ri(2) ? '-' : ''}${ri(3) === 0 ? ri(16450) : ri(80)}`;
      case 5: return SPECIAL[ri(SPECIAL.length)]!;
      case 6: return sign + digits(1 + ri(30));
      case 7: return sign + digits(1 + ri(20)) + '.' + digits(1 + ri(20));
      case 8: return sign + '1' + '0'.repeat(ri(30)) + '1' + 'e-' + ri(60);
      case 9: return sign + '0.' + '0'.repeat(ri(40)) + digits(1 + ri(20));
      case 10: return sign + digits(1 + ri(4)) + 'e' + (ri(2) ? '-' : '') + ri(40);
      case 11: return sign + ri(1000) / 10 ** ri(6);
      default: return sign + (rand() * 10 ** ri(30)).toString();
    }
  };
  const out: { value: string | null; increment: string }[] = [];
  for (const s of SPECIAL) out.push({ value: null, increment: s }, { value: s, increment: '1' });
  for (let i = 0; i < count; i++) out.push({ value: ri(5) === 0 ? null : num(), increment: num() });
  return out;
}

async function record(): Promise<void> {
  const port = process.env.REDIS_PORT ? Number(process.env.REDIS_PORT) : undefined;
  const server = port === undefined ? await startRedis() : null;
  const conn = await RedisConnection.connect(port ?? server!.port);
  try {
    if (process.env.REDIS_DB) await conn.send(['SELECT', process.env.REDIS_DB]);
    const info = parseRaw(await conn.send(['INFO', 'server'])) as string;
    const cases: LongDoubleCase[] = [];
    for (const c of generateCases(20260, 2500)) {
      const cmds: string[][] = [['DEL', 'ldfx']];
      if (c.value !== null) cmds.push(['SET', 'ldfx', c.value]);
      cmds.push(['INCRBYFLOAT', 'ldfx', c.increment]);
      const raw = (await conn.pipeline(cmds)).at(-1)!;
      const parsed = parseRaw(raw);
      const reply = typeof parsed === 'string' ? parsed : `-${(parsed as { error: string }).error}`;
      cases.push([c.value, c.increment, fixtureReply(reply)]);
    }
    await conn.send(['DEL', 'ldfx']);
    const fixture: LongDoubleFixture = { redis: /redis_version:(\S+)/.exec(info)![1]!, cases };
    const path = new URL('../packages/core/src/longdouble.fixture.json', import.meta.url);
    writeFileSync(path, JSON.stringify(fixture).replace(/\],\[/g, '],\n[') + '\n');
    console.log(`recorded ${cases.length} INCRBYFLOAT cases from redis ${fixture.redis}`);
  } finally {
    conn.close();
    server?.stop();
  }
}

// Recording only when run as a script (the test imports fixtureReply from here).
if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) await record();
