/**
 * redis-cli's formatting against what the real redis-cli printed (redis-cli.fixture.json,
 * recorded by scripts/record-cli-fixtures.ts): each reply's bytes, parsed into a Lodis Reply, must print
 * as redis-cli printed it, in a terminal and to a pipe.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  decodeReplyBuffer,
  DoubleReply,
  MapReply,
  MultiReply,
  NULL_ARRAY,
  PushReply,
  ReplyError,
  SetReply,
  Status,
  type Reply,
} from './index.js';
import {
  commandArg,
  formatLodisReply,
  formatReply,
  formatReplyTTY,
  fromDecodedBuffer,
  READING_MESSAGES,
  repr,
  splitArgs,
  textOfBytes,
} from './redis-cli.js';

interface Fixture {
  redisCli: string;
  replies: { name: string; argv: string[]; resp3: boolean; resp: string; tty: string; raw: string }[];
  lines: { line: string; prefix: string; tty: string }[];
  pubsub: { name: string; argv: string[]; resp: string[]; tty: string; raw: string }[];
}

const fixture = JSON.parse(
  readFileSync(new URL('./redis-cli.fixture.json', import.meta.url), 'utf8'),
) as Fixture;

const utf8 = new TextDecoder();
const bytesOf = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));

/** A recorded reply (RESP2 or RESP3 bytes, one char per byte) as the Lodis Reply that sends it. */
function parseResp(raw: string): Reply {
  let pos = 0;
  const read = (): Reply => {
    const nl = raw.indexOf('\r\n', pos);
    const type = raw[pos];
    const line = raw.slice(pos + 1, nl);
    pos = nl + 2;
    switch (type) {
      case '+':
        return new Status(utf8.decode(bytesOf(line)));
      case '-':
        return new ReplyError(utf8.decode(bytesOf(line)));
      case ':': {
        const n = BigInt(line);
        return n >= Number.MIN_SAFE_INTEGER && n <= Number.MAX_SAFE_INTEGER ? Number(n) : n;
      }
      case ',':
        return new DoubleReply(Number(line), line);
      case '_':
        return null;
      case '$': {
        if (Number(line) < 0) return null;
        const s = raw.slice(pos, pos + Number(line));
        pos += s.length + 2;
        return bytesOf(s);
      }
    }
    const n = Number(line);
    if (n < 0) return NULL_ARRAY;
    const items: Reply[] = [];
    for (let i = 0; i < (type === '%' ? 2 * n : n); i++) items.push(read());
    if (type === '*') return items;
    if (type === '%') return new MapReply(items);
    if (type === '~') return new SetReply(items);
    if (type === '>') return new PushReply(items);
    throw new Error(`unexpected RESP type ${type}`);
  };
  return read();
}

/** The same reply with bulk strings as JS strings where they are UTF-8, as handlers often return them. */
function asText(r: Reply): Reply {
  if (r instanceof Uint8Array) {
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(r);
    } catch {
      return r;
    }
  }
  if (Array.isArray(r)) return r.map(asText);
  return r;
}

describe(`replies print as ${fixture.redisCli} prints them`, () => {
  for (const c of fixture.replies) {
    it(`${c.name}: ${c.argv.join(' ').slice(0, 60)}`, () => {
      const reply = parseResp(c.resp);
      const resp = c.resp3 ? 3 : 2;
      expect(formatLodisReply(reply, 'tty', resp)).toBe(c.tty);
      expect(formatLodisReply(reply, 'raw', resp)).toBe(c.raw);
      expect(formatLodisReply(asText(reply), 'tty', resp)).toBe(c.tty);
      expect(formatLodisReply(asText(reply), 'raw', resp)).toBe(c.raw);
    });
  }
});

describe('pub/sub prints as redis-cli prints it', () => {
  for (const c of fixture.pubsub) {
    it(`${c.name}: ${c.argv.join(' ')}`, () => {
      const replies = c.resp.map(parseResp);
      expect(READING_MESSAGES + replies.map((r) => formatLodisReply(r, 'tty')).join('')).toBe(c.tty);
      expect(replies.map((r) => formatLodisReply(r, 'raw')).join('')).toBe(c.raw);
      // Pushed messages reach the prompt through transport.onPush(listener, true).
      const pushed = replies.map((r) => fromDecodedBuffer(decodeReplyBuffer(r)));
      expect(READING_MESSAGES + pushed.map((r) => formatReply(r, 'tty')).join('')).toBe(c.tty);
      expect(pushed.map((r) => formatReply(r, 'raw')).join('')).toBe(c.raw);
    });
  }

  it('SUBSCRIBE a b answers once per channel (a MultiReply)', () => {
    const [a, b] = fixture.pubsub[0]!.resp.slice(0, 2).map(parseResp);
    expect(formatLodisReply(new MultiReply([a!, b!]), 'tty')).toBe(
      formatLodisReply(a!, 'tty') + formatLodisReply(b!, 'tty'),
    );
  });
});

describe('lines split as redis-cli splits them', () => {
  for (const c of fixture.lines) {
    it(JSON.stringify(c.line), () => {
      const args = splitArgs(c.prefix + c.line);
      const printed =
        args === null
          ? 'Invalid argument(s)\n'
          : formatReplyTTY({ type: 'array', elements: args.slice(3).map((str) => ({ type: 'string', str })) });
      expect(printed).toBe(c.tty);
    });
  }
});

describe('Lodis replies with no recorded counterpart', () => {
  it('a DoubleReply is a bulk string in RESP2 and (double) in RESP3', () => {
    const d = new DoubleReply(1.5, '1.5');
    expect(formatLodisReply(d, 'tty', 2)).toBe('"1.5"\n');
    expect(formatLodisReply(d, 'tty', 3)).toBe('(double) 1.5\n');
    expect(formatLodisReply(d, 'raw', 3)).toBe('1.5\n');
  });

  it('integers past 2^53 print exactly', () => {
    expect(formatLodisReply(2n ** 63n - 1n, 'tty')).toBe('(integer) 9223372036854775807\n');
  });

  it('repr escapes as sdscatrepr', () => {
    expect(repr('a"b\\c\n\x00\x7f\xff')).toBe('"a\\"b\\\\c\\n\\x00\\x7f\\xff"');
  });
});

describe('typed bytes to command arguments and back', () => {
  it('commandArg: ASCII and UTF-8 as text, anything else as bytes', () => {
    expect(commandArg('abc')).toBe('abc');
    expect(commandArg(splitArgs('"h\\xc3\\xa9llo"')![0]!)).toBe('héllo');
    expect(commandArg(splitArgs('"\\xff\\x00a"')![0]!)).toEqual(Uint8Array.of(0xff, 0, 0x61));
  });

  it('textOfBytes shows UTF-8 as a terminal does', () => {
    expect(textOfBytes(formatLodisReply(new ReplyError("ERR unknown command 'héllo'"), 'tty'))).toBe(
      "(error) ERR unknown command 'héllo'\n",
    );
    expect(textOfBytes('\xff')).toBe('\ufffd');
  });
});
