/**
 * The request encoder and the incremental reply parser, on bytes recorded from a real
 * redis-server (started here on a free port): a script of commands is written as one pipeline on
 * a plain socket, its reply stream kept whole, then fed to the parser whole, cut at every byte,
 * and in small random pieces — the replies must come out the same every time. RESP3 replies
 * (HELLO 3, DEBUG PROTOCOL) must decode as the same replies do in RESP2.
 */
import net from 'node:net';
import { ReplyError, type CommandArg, type DecodedBuffer } from '@lodis/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CommandWriter, encodeCommand, ProtocolError, ReplyParser } from './resp.js';
import { startRedisServer, type TestRedisServer } from './test/redis-server.js';

let server: TestRedisServer;
beforeAll(async () => {
  server = await startRedisServer(0, ['--enable-debug-command', 'yes']);
});
afterAll(() => server.stop());

/** Send `script` as one pipeline on a fresh socket; the raw reply stream once every reply is in. */
async function record(script: CommandArg[][], replies = script.length): Promise<Buffer> {
  const sock = net.connect(server.port, '127.0.0.1');
  const chunks: Buffer[] = [];
  let count = 0;
  const counter = new ReplyParser(() => count++);
  await new Promise<void>((resolve, reject) => {
    sock.on('data', (c: Buffer) => {
      chunks.push(c);
      counter.feed(c);
      if (count === replies) resolve();
    });
    sock.on('error', reject);
    sock.write(Buffer.concat(script.map((a) => encodeCommand(a))));
  });
  sock.destroy();
  return Buffer.concat(chunks);
}

type Out = { reply: DecodedBuffer; push: boolean }[];

function parseChunks(chunks: Buffer[], buffers = false): Out {
  const out: Out = [];
  const p = new ReplyParser((reply, push) => out.push({ reply, push }));
  p.buffers = buffers;
  for (const c of chunks) p.feed(c);
  return out;
}

/** Deterministic pieces of 1..max bytes. */
function pieces(b: Buffer, max: number, seed: number): Buffer[] {
  const out: Buffer[] = [];
  let x = seed;
  for (let i = 0; i < b.length; ) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    const n = 1 + (x % max);
    out.push(b.subarray(i, i + n));
    i += n;
  }
  return out;
}

const SCRIPT: CommandArg[][] = [
  ['FLUSHALL'],
  ['SET', 'k', 'héllo\r\nwörld'],
  ['GET', 'k'],
  ['GET', 'missing'],
  ['SET', 'empty', ''],
  ['GET', 'empty'],
  ['SET', 'bin', new Uint8Array([0, 13, 10, 255, 0xc3])],
  ['GET', 'bin'],
  ['INCRBY', 'n', '-9223372036854775807'],
  ['INCRBY', 'm', 9007199254740991],
  ['RPUSH', 'l', 'a', '', 'c'],
  ['LRANGE', 'l', 0, -1],
  ['LRANGE', 'none', 0, -1],
  ['XADD', 's', '1-1', 'f', 'v'],
  ['XRANGE', 's', '-', '+'],
  ['MULTI'],
  ['INCR', 'c'],
  ['LPUSH', 'c', 'x'],
  ['GET', 'c'],
  ['EXEC'],
  ['BLPOP', 'none', 0.01],
  ['NOSUCHCOMMAND'],
  ['ZADD', 'z', 1.5, 'a'],
  ['ZRANGE', 'z', 0, -1, 'WITHSCORES'],
];

describe('ReplyParser on a recorded stream', () => {
  let stream: Buffer;
  let whole: Out;
  beforeAll(async () => {
    stream = await record(SCRIPT);
    whole = parseChunks([stream]);
  });

  it('decodes each reply', () => {
    expect(whole.length).toBe(SCRIPT.length);
    const r = whole.map((x) => x.reply);
    expect(r[2]).toBe('héllo\r\nwörld');
    expect(r[3]).toBeNull();
    expect(r[5]).toBe('');
    expect(r[7]).toBe(Buffer.from([0, 13, 10, 255, 0xc3]).toString('utf8'));
    expect(r[8]).toBe(-9223372036854775807n);
    expect(r[9]).toBe(9007199254740991);
    expect(r[11]).toEqual(['a', '', 'c']);
    expect(r[12]).toEqual([]);
    expect(r[14]).toEqual([['1-1', ['f', 'v']]]);
    expect(r[19]).toEqual([1, expect.any(ReplyError), '1']);
    expect(((r[19] as DecodedBuffer[])[1] as ReplyError).message).toBe('WRONGTYPE Operation against a key holding the wrong kind of value');
    expect(r[20]).toBeNull(); // the null array
    expect(r[21]).toBeInstanceOf(ReplyError);
    expect(r[23]).toEqual(['a', '1.5']);
    expect(whole.every((x) => !x.push)).toBe(true);
  });

  it('gives the same replies when the stream is cut at any byte', () => {
    for (let i = 1; i < stream.length; i++) {
      expect(parseChunks([stream.subarray(0, i), stream.subarray(i)]), `cut at ${i}`).toEqual(whole);
    }
  });

  it('gives the same replies from pieces of 1 to 7 bytes, and byte by byte', () => {
    for (let seed = 1; seed <= 20; seed++) expect(parseChunks(pieces(stream, 7, seed))).toEqual(whole);
    expect(parseChunks(pieces(stream, 1, 1))).toEqual(whole);
  });

  it('bulk strings as fresh bytes with buffers', () => {
    const bytes = parseChunks(pieces(stream, 5, 3), true).map((x) => x.reply);
    expect(bytes[7]).toEqual(new Uint8Array([0, 13, 10, 255, 0xc3]));
    expect(bytes[7]).not.toBeInstanceOf(Buffer);
    expect(bytes[0]).toBe('OK'); // status replies stay text
    expect(bytes[11]).toEqual([new Uint8Array([97]), new Uint8Array(0), new Uint8Array([99])]);
  });

  it('a bulk string of 4 MiB in 64 KiB chunks is gathered once', async () => {
    const big = Buffer.alloc(4 << 20, 'x');
    const s = await record([['SET', 'big', big], ['GET', 'big']]);
    const out = parseChunks(pieces(s, 65536, 7));
    expect(out.map((x) => x.reply)).toEqual(['OK', big.toString()]);
  });

  it('a stream that is not RESP is a ProtocolError', () => {
    expect(() => parseChunks([Buffer.from('+OK\r\n?what\r\n')])).toThrow(ProtocolError);
    expect(() => parseChunks([Buffer.from('*x\r\n')])).toThrow(ProtocolError);
  });
});

describe('RESP3 replies decode as the same replies in RESP2', () => {
  const TYPES = ['string', 'integer', 'double', 'bignum', 'null', 'array', 'set', 'map', 'attrib', 'verbatim', 'true', 'false'];

  it('DEBUG PROTOCOL <type>, and HGETALL / SMEMBERS / ZSCORE', async () => {
    const common: CommandArg[][] = [
      ...TYPES.map((t) => ['DEBUG', 'PROTOCOL', t]),
      ['FLUSHALL'],
      ['HSET', 'h', 'f', 'v'],
      ['HGETALL', 'h'],
      ['SADD', 'st', 'm'],
      ['SMEMBERS', 'st'],
      ['ZADD', 'z', 2.5, 'a'],
      ['ZSCORE', 'z', 'a'],
    ];
    const resp2 = parseChunks(pieces(await record(common), 3, 1)).map((x) => x.reply);
    const resp3 = parseChunks(pieces(await record([['HELLO', 3], ...common]), 3, 2)).map((x) => x.reply);
    expect(resp3.slice(1)).toEqual(resp2);
  });

  it('a push is reported as a push, apart from the reply that follows it', async () => {
    const s = await record([['HELLO', 3], ['DEBUG', 'PROTOCOL', 'push']], 3);
    const out = parseChunks(pieces(s, 2, 5)).slice(1);
    expect(out).toEqual([
      { reply: ['server-cpu-usage', 42], push: true },
      { reply: 'Some real reply following the push reply', push: false },
    ]);
  });
});

describe('CommandWriter', () => {
  it('writes RESP multibulk: text as UTF-8, numbers as the store sends them, bytes as they are', () => {
    const w = new CommandWriter();
    w.write(['SET', 'ké', new Uint8Array([0, 255])]);
    w.write(['X', 1.5, -0, NaN, Infinity, -Infinity, 12n, '']);
    expect(w.take().toString('latin1')).toBe(
      '*3\r\n$3\r\nSET\r\n$3\r\nk\xc3\xa9\r\n$2\r\n\x00\xff\r\n' + '*8\r\n$1\r\nX\r\n$3\r\n1.5\r\n$1\r\n0\r\n$3\r\nnan\r\n$4\r\n+inf\r\n$4\r\n-inf\r\n$2\r\n12\r\n$0\r\n\r\n',
    );
    expect(w.length).toBe(0);
  });

  it('a lone surrogate goes as U+FFFD, long and non-ASCII text is measured in bytes', () => {
    const long = 'ä'.repeat(100_000);
    const b = encodeCommand(['\ud800', long]);
    expect(b.toString('latin1')).toBe(`*2\r\n$3\r\n\xef\xbf\xbd\r\n$200000\r\n${Buffer.from(long).toString('latin1')}\r\n`);
  });

  it('a bad argument is a TypeError', () => {
    expect(() => encodeCommand(['GET', null as unknown as string])).toThrow(TypeError);
  });
});
