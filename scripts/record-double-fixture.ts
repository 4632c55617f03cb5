/**
 * Records packages/core/src/double.fixture.json from a real redis-server: for seeded strings, how
 * Redis reads them as a score (string2d: `ZADD`) and as a range bound (zslParseRange's strtod:
 * `ZCOUNT`), and how it prints the score back — addReplyDouble's `%.17g` (`ZSCORE` of a skiplist)
 * and a listpack's stored text (`ZSCAN` of a small sorted set). double.test.ts replays every case
 * on Lodis' double.ts and compares.
 *
 *   npx tsx scripts/record-double-fixture.ts                           # a throwaway redis-server
 *   REDIS_PORT=6399 REDIS_DB=1 npx tsx scripts/record-double-fixture.ts # a running one (keys dfx*)
 */
import { writeFileSync } from 'node:fs';
import { mulberry32 } from '../conformance/fuzz/rng.js';
import { RedisConnection, startRedis } from '../conformance/redis-client.js';
import { parseRaw } from '../conformance/resp.js';

/**
 * [input, zscore, zscan, zcount]: the string; ZSCORE's reply after `ZADD <skiplist> input m` (or
 * ZADD's error, prefixed with '-'); the listpack's score text ZSCAN shows ('-' when ZADD failed);
 * and `ZCOUNT dfxr input +inf` on a set holding the scores -inf 0 inf (or the error).
 */
export type DoubleCase = [input: string, zscore: string, zscan: string, zcount: string];

export interface DoubleFixture {
  redis: string;
  cases: DoubleCase[];
}

const SPECIAL = [
  'inf', '-inf', '+inf', 'INF', 'Infinity', '-infinity', 'infinit', 'nan', '-nan', 'NaN', 'nan(1)', ' 1', '1 ', '\t1',
  '1e', '1e+', '0x', '0x1p', '.', '', '-', '+', '(', '-0', '0', '-0.0', '+0', '1e400', '-1e400', '1e-400', '2e-324',
  '2.5e-324', '4.9e-324', '5e-324', '2.2250738585072014e-308', '2.2250738585072011e-308', '1.7976931348623157e308',
  '1.7976931348623158e308', '1.7976931348623159e308', '0.1', '0.2', '0.3', '1e17', '1e16', '1e15', '1e21', '1e22',
  '123456789012345678', '9007199254740993', '9007199254740992', '4611686018427387904', '4611686018427387905',
  '-4611686018427387904', '9223372036854775807', '2.98023223876953125e-8', '1125899906842624.25', '1e-5', '1e-4',
  '0.0001', '0.00001', '0x10', '0x1p-3', '0X1.8P1', '0x1p-1074', '0x1p-1075', '0x1.8p-1075', '0x1p1023', '0x1p1024',
  '0x.8', '+.5', '5.', '-.5e1', '00.5', '1_000', '1,5', 'abc', '1\u0000', '1\u0000x', '3.0e3', '1E+2',
];

function generateCases(seed: number, count: number): string[] {
  const u32 = mulberry32(seed);
  const rand = () => u32() / 4294967296;
  const ri = (n: number) => Math.floor(rand() * n);
  const digits = (n: number) => Array.from({ length: n }, () => ri(10)).join('');
  const hexDigits = (n: number) => Array.from({ length: n }, () => ri(16).toString(16)).join('');
  const bits = new DataView(new ArrayBuffer(8));
  const num = (): string => {
    const sign = ['', '-', '+', ''][ri(4)]!;
    switch (ri(12)) {
      case 0: return sign + digits(1 + ri(4)) + '.' + digits(ri(6));
      case 1: return sign + '0.' + digits(1 + ri(25));
      case 2: return sign + digits(1 + ri(3)) + 'e' + (ri(2) ? '-' : '') + ri(330);
      case 3: return `${sign}0x${1 + ri(15)}.${hexDigits(ri(15))}p${ri(2) ? '-' : ''}${ri(1100)}`;
      case 4: return SPECIAL[ri(SPECIAL.length)]!;
      case 5: return sign + digits(1 + ri(22));
      case 6: return sign + digits(1 + ri(17)) + '.' + digits(1 + ri(12));
      case 7: {
        // Any double, written to round-trip, in one of JS' notations.
        bits.setUint32(0, u32());
        bits.setUint32(4, u32());
        const d = bits.getFloat64(0);
        if (!Number.isFinite(d)) return String(d);
        return [String(d), d.toPrecision(21), d.toExponential(19)][ri(3)]!;
      }
      case 8: return String(Math.floor(rand() * 2 ** 53) / 2 ** ri(30)); // halving: ties at 17 digits
      case 9: return String((2 ** 52 + Math.floor(rand() * 2 ** 52)) * 2 ** (ri(40) - 2));
      case 10: return sign + (rand() * 10 ** (ri(40) - 20)).toString();
      default: return sign + ri(1000) / 10 ** ri(6);
    }
  };
  const out = [...SPECIAL];
  for (let i = 0; i < count; i++) out.push(num());
  return out;
}

const LONG_MEMBER = 'x'.repeat(65); // a skiplist from the start: scores kept as they are (-0 too)

async function record(): Promise<void> {
  const port = process.env.REDIS_PORT ? Number(process.env.REDIS_PORT) : undefined;
  const server = port === undefined ? await startRedis() : null;
  const conn = await RedisConnection.connect(port ?? server!.port);
  const text = (raw: string): string => {
    const v = parseRaw(raw);
    return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : `-${(v as { error: string }).error}`;
  };
  try {
    if (process.env.REDIS_DB) await conn.send(['SELECT', process.env.REDIS_DB]);
    const info = parseRaw(await conn.send(['INFO', 'server'])) as string;
    await conn.pipeline([['DEL', 'dfxr'], ['ZADD', 'dfxr', '-inf', 'a', '0', 'b', 'inf', 'c']]);
    const cases: DoubleCase[] = [];
    for (const s of generateCases(20261, 3000)) {
      const r = await conn.pipeline([
        ['DEL', 'dfxs', 'dfxl'],
        ['ZADD', 'dfxs', s, LONG_MEMBER],
        ['ZSCORE', 'dfxs', LONG_MEMBER],
        ['ZADD', 'dfxl', s, 'm'],
        ['ZSCAN', 'dfxl', '0'],
        ['ZCOUNT', 'dfxr', s, '+inf'],
      ]);
      const added = text(r[1]!);
      const zscore = added.startsWith('-') ? added : text(r[2]!);
      const scan = parseRaw(r[4]!);
      const page = Array.isArray(scan) ? (scan[1] as string[]) : [];
      const zscan = page.length === 2 ? page[1]! : '-';
      cases.push([s, zscore, zscan, text(r[5]!)]);
    }
    await conn.send(['DEL', 'dfxr', 'dfxs', 'dfxl']);
    const fixture: DoubleFixture = { redis: /redis_version:(\S+)/.exec(info)![1]!, cases };
    const path = new URL('../packages/core/src/double.fixture.json', import.meta.url);
    writeFileSync(path, JSON.stringify(fixture).replace(/\],\[/g, '],\n[') + '\n');
    console.log(`recorded ${cases.length} score cases from redis ${fixture.redis}`);
  } finally {
    conn.close();
    server?.stop();
  }
}

// Recording only when run as a script (the test imports the types from here).
if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) await record();
