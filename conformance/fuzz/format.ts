/**
 * Printing for the differential run: arguments and raw replies as readable, escaped text, and
 * commands in the transcript syntax (conformance/README.md) so a divergence can be pasted into a
 * transcript and recorded.
 */
export type Arg = string | Uint8Array;

/** An argument's bytes as a byte string (one char per byte). */
export function argBytes(a: Arg): string {
  return typeof a === 'string' ? Buffer.from(a, 'utf8').toString('latin1') : Buffer.from(a).toString('latin1');
}

const ESC: Record<string, string> = { '"': '\\"', '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\x07': '\\a', '\b': '\\b' };

/** A byte string quoted as redis-cli (and the transcripts) read it. */
export function quote(bytes: string): string {
  if (bytes.length && /^[\x21-\x7e]*$/.test(bytes) && !/["'\\]/.test(bytes)) return bytes;
  let s = '"';
  for (const ch of bytes) {
    const c = ch.charCodeAt(0);
    s += ESC[ch] ?? (c >= 0x20 && c < 0x7f ? ch : `\\x${c.toString(16).padStart(2, '0')}`);
  }
  return s + '"';
}

/** A command line in transcript syntax. */
export function commandLine(argv: readonly Arg[], max = 300): string {
  const s = argv.map((a) => quote(argBytes(a))).join(' ');
  return s.length > max ? `${s.slice(0, max)}… (${s.length} chars)` : s;
}

/** A raw RESP2 reply, escaped on one line. */
export function showRaw(raw: string, max = 400): string {
  let s = '';
  for (const ch of raw) {
    const c = ch.charCodeAt(0);
    s += ch === '\r' ? '\\r' : ch === '\n' ? '\\n' : ch === '\\' ? '\\\\' : c >= 0x20 && c < 0x7f ? ch : `\\x${c.toString(16).padStart(2, '0')}`;
    if (s.length > max) return `${s}… (${raw.length} bytes)`;
  }
  return s;
}

/** End of the reply starting at `pos` of a complete byte string. */
function skip(raw: string, pos: number): number {
  const nl = raw.indexOf('\r\n', pos);
  const t = raw[pos];
  if (t === '+' || t === '-' || t === ':') return nl + 2;
  const n = Number(raw.slice(pos + 1, nl));
  if (t === '$') return n < 0 ? nl + 2 : nl + 2 + n + 2;
  let p = nl + 2;
  for (let i = 0; i < n; i++) p = skip(raw, p);
  return p;
}

/** The raw elements of an array reply; null for a null array or a non-array. */
export function splitArrayElements(raw: string): string[] | null {
  if (raw[0] !== '*') return null;
  const nl = raw.indexOf('\r\n');
  const n = Number(raw.slice(1, nl));
  if (n < 0) return null;
  const out: string[] = [];
  let p = nl + 2;
  for (let i = 0; i < n; i++) {
    const e = skip(raw, p);
    out.push(raw.slice(p, e));
    p = e;
  }
  return out;
}

/** The payload of a bulk string reply (a byte string), or null. */
export function bulkPayload(raw: string): string | null {
  if (raw[0] !== '$') return null;
  const nl = raw.indexOf('\r\n');
  const n = Number(raw.slice(1, nl));
  return n < 0 ? null : raw.slice(nl + 2, nl + 2 + n);
}
