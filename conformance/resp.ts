/**
 * RESP as the conformance tools see it: commands encoded as a client sends them, and replies kept
 * as byte strings (one char per byte, as they came off the wire) so they compare exactly with
 * Lodis' `encodeResp2`. Replies are RESP2 except in the redis-cli recordings (HELLO 3), so
 * `replyEnd` also knows RESP3's types.
 */

export type Arg = string | Uint8Array;
/** A reply's RESP bytes, one char per byte. */
export type RawReply = string;
export type Parsed = string | number | bigint | null | { error: string } | { status: string } | Parsed[];

export function encodeCommand(argv: readonly Arg[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${argv.length}\r\n`)];
  for (const a of argv) {
    const b = typeof a === 'string' ? Buffer.from(a, 'utf8') : Buffer.from(a);
    parts.push(Buffer.from(`$${b.length}\r\n`), b, Buffer.from('\r\n'));
  }
  return Buffer.concat(parts);
}

/** End of the reply that starts at `pos` in `raw`, or -1 when it is not complete yet. */
export function replyEnd(raw: RawReply, pos: number): number {
  const nl = raw.indexOf('\r\n', pos);
  if (nl < 0) return -1;
  const type = raw[pos]!;
  switch (type) {
    case '+':
    case '-':
    case ':':
    case ',':
    case '_':
    case '#':
    case '(':
      return nl + 2;
    case '$':
    case '=':
    case '!': {
      const n = Number(raw.slice(pos + 1, nl));
      if (n < 0) return nl + 2;
      const end = nl + 2 + n + 2;
      return raw.length >= end ? end : -1;
    }
    case '*':
    case '~':
    case '>':
    case '%':
    case '|': {
      const n = Number(raw.slice(pos + 1, nl));
      const count = n < 0 ? 0 : type === '%' || type === '|' ? 2 * n : n;
      let p = nl + 2;
      for (let i = 0; i < count; i++) if ((p = replyEnd(raw, p)) < 0) return -1;
      return type === '|' ? replyEnd(raw, p) : p; // attributes come before the reply they annotate
    }
  }
  throw new Error(`bad RESP type ${JSON.stringify(type)} at ${pos}`);
}

/** Split a byte string holding several replies in a row into one string per reply. */
export function splitReplies(raw: RawReply): RawReply[] {
  const out: RawReply[] = [];
  for (let off = 0; off < raw.length; ) {
    const end = replyEnd(raw, off);
    if (end < 0) throw new Error('incomplete reply');
    out.push(raw.slice(off, end));
    off = end;
  }
  return out;
}

/** The raw elements of an array reply; null for a null array, an incomplete one or a non-array. */
export function splitArrayElements(raw: RawReply): RawReply[] | null {
  if (raw[0] !== '*') return null;
  const nl = raw.indexOf('\r\n');
  const n = Number(raw.slice(1, nl));
  if (n < 0) return null;
  const out: RawReply[] = [];
  let p = nl + 2;
  for (let i = 0; i < n; i++) {
    const e = replyEnd(raw, p);
    if (e < 0) return null;
    out.push(raw.slice(p, e));
    p = e;
  }
  return out;
}

/** The payload of a bulk string reply (a byte string), or null. */
export function bulkPayload(raw: RawReply): string | null {
  if (raw[0] !== '$') return null;
  const nl = raw.indexOf('\r\n');
  const n = Number(raw.slice(1, nl));
  return n < 0 ? null : raw.slice(nl + 2, nl + 2 + n);
}

/** An array reply's bulk payloads (one char per byte), or null when it is not an array of bulk strings. */
export function bulkStrings(raw: RawReply): string[] | null {
  const els = splitArrayElements(raw);
  if (els === null) return null;
  const out: string[] = [];
  for (const e of els) {
    const p = bulkPayload(e);
    if (p === null) return null;
    out.push(p);
  }
  return out;
}

/** A RESP2 reply as values: bulk strings decoded as UTF-8, integers past 2^53 as bigints. */
export function parseRaw(raw: RawReply): Parsed {
  let pos = 0;
  const read = (): Parsed => {
    const nl = raw.indexOf('\r\n', pos);
    const type = raw[pos];
    const line = raw.slice(pos + 1, nl);
    pos = nl + 2;
    if (type === '+') return { status: line };
    if (type === '-') return { error: line };
    if (type === ':') {
      const n = BigInt(line);
      return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
    }
    const n = Number(line);
    if (type === '$') {
      if (n < 0) return null;
      const s = raw.slice(pos, pos + n);
      pos += n + 2;
      return Buffer.from(s, 'latin1').toString('utf8');
    }
    if (n < 0) return null;
    const arr: Parsed[] = [];
    for (let i = 0; i < n; i++) arr.push(read());
    return arr;
  };
  return read();
}
