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
