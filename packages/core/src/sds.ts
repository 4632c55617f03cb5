/**
 * Binary-safe strings (Redis' sds), as Lodis keeps them in JavaScript.
 *
 * - A command argument (`Arg`) is a JS string — meaning its UTF-8 encoding — or raw bytes.
 * - A string value (`StringValue`, Redis' OBJ_STRING) is one of three encodings:
 *   `string` (text: the UTF-8 encoding of a well-formed JS string), `number` (an integer in the
 *   safe range, Redis' OBJ_ENCODING_INT) or `Uint8Array` (raw bytes, used for binary data and for
 *   values that bit and byte commands modify in place).
 * - A key, hash field or set member is a canonical JS string (`KeyString`): the text itself when
 *   the bytes are valid UTF-8, otherwise BINARY_MARK followed by one char per byte. The mark is a
 *   lone surrogate, which no well-formed string (all that reach the engine) contains, so the two
 *   forms never collide and equal bytes always map to the same Map key.
 *
 * Lengths and offsets are always in bytes: `STRLEN héllo` is 6.
 */
export type Arg = string | Uint8Array;
export type StringValue = string | number | Uint8Array;
export type KeyString = string;

export const BINARY_MARK = '\uDC00';

const encoder = new TextEncoder();
const strictDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const lossyDecoder = new TextDecoder('utf-8', { ignoreBOM: true });

// Chars below 0x80 are one byte each; a string of them needs no conversion.
const NON_ASCII = /[^\x00-\x7f]/;

export function isAscii(s: string): boolean {
  return !NON_ASCII.test(s);
}

/** The number of bytes in the UTF-8 encoding of a well-formed string. */
export function utf8Length(s: string): number {
  let n = s.length;
  if (!NON_ASCII.test(s)) return n;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) {
      if (c < 0x800) n += 1;
      else if (c >= 0xd800 && c <= 0xdbff) {
        n += 2; // a surrogate pair: 2 UTF-16 units, 4 bytes
        i++;
      } else n += 2;
    }
  }
  return n;
}

export function utf8Encode(s: string): Uint8Array {
  return encoder.encode(s);
}

/** Bytes to text, replacing invalid sequences with U+FFFD (what a RESP client does). */
export function utf8DecodeLossy(b: Uint8Array): string {
  return lossyDecoder.decode(b);
}

/** Bytes to text when they are valid UTF-8, else null. */
export function utf8DecodeStrict(b: Uint8Array): string | null {
  try {
    return strictDecoder.decode(b);
  } catch {
    return null;
  }
}

/** One char per byte ("binary string"), for byte-wise matching and parsing. */
export function bytesToLatin1(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i += 8192) {
    s += String.fromCharCode.apply(null, b.subarray(i, i + 8192) as unknown as number[]);
  }
  return s;
}

export function latin1ToBytes(s: string): Uint8Array {
  const b = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) b[i] = s.charCodeAt(i);
  return b;
}

// ---- string values -------------------------------------------------------------------------

export function valueLength(v: StringValue): number {
  if (typeof v === 'string') return utf8Length(v);
  if (typeof v === 'number') return intLength(v);
  return v.length;
}

function intLength(n: number): number {
  return String(n).length;
}

/** The bytes of a value. May return the stored array itself: callers that modify must copy. */
export function valueBytes(v: StringValue): Uint8Array {
  if (typeof v === 'string') return encoder.encode(v);
  if (typeof v === 'number') return encoder.encode(String(v));
  return v;
}

/** The value as a JS string (text values and integers as they are; bytes decoded lossily). */
export function valueText(v: StringValue): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  return lossyDecoder.decode(v);
}

/** The value as a byte string (one char per byte), for parsers that work on bytes. */
export function valueLatin1(v: StringValue): string {
  if (typeof v === 'number') return String(v);
  if (typeof v === 'string') return NON_ASCII.test(v) ? bytesToLatin1(encoder.encode(v)) : v;
  return bytesToLatin1(v);
}

/** An argument as a stored value. Byte arguments are copied by the front before they get here. */
export function argToValue(a: Arg): StringValue {
  return a;
}

export function valuesEqual(a: StringValue, b: StringValue): boolean {
  if (typeof a === typeof b && !(a instanceof Uint8Array)) return a === b;
  const x = valueBytes(a);
  const y = valueBytes(b);
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

// ---- arguments -----------------------------------------------------------------------------

/** An argument as text, for option names and numbers (bytes read one char per byte). */
export function argLatin1(a: Arg): string {
  return typeof a === 'string' ? (NON_ASCII.test(a) ? bytesToLatin1(encoder.encode(a)) : a) : bytesToLatin1(a);
}

/** Case-insensitive comparison of an argument with an ASCII option name given in lower case. */
export function argIs(a: Arg, lowerName: string): boolean {
  if (typeof a !== 'string') a = bytesToLatin1(a);
  return a.length === lowerName.length && a.toLowerCase() === lowerName;
}

export function argBytes(a: Arg): Uint8Array {
  return typeof a === 'string' ? encoder.encode(a) : a;
}

export function argLength(a: Arg): number {
  return typeof a === 'string' ? utf8Length(a) : a.length;
}

// ---- keys, fields, members -----------------------------------------------------------------

/** The canonical Map key for an argument's bytes. */
export function toKey(a: Arg): KeyString {
  if (typeof a === 'string') return a;
  return utf8DecodeStrict(a) ?? BINARY_MARK + bytesToLatin1(a);
}

/** A canonical key back as a reply: text, or bytes when it was not valid UTF-8. */
export function keyReply(k: KeyString): string | Uint8Array {
  return k.charCodeAt(0) === 0xdc00 ? latin1ToBytes(k.slice(1)) : k;
}

/** A canonical key as a byte string (one char per byte), for glob matching. */
export function keyLatin1(k: KeyString): string {
  if (k.charCodeAt(0) === 0xdc00) return k.slice(1);
  return NON_ASCII.test(k) ? bytesToLatin1(encoder.encode(k)) : k;
}

export function keyBytes(k: KeyString): Uint8Array {
  return k.charCodeAt(0) === 0xdc00 ? latin1ToBytes(k.slice(1)) : encoder.encode(k);
}

/** A canonical key as a stored value (COPY of a key name, SORT … GET #, etc.). */
export function keyToValue(k: KeyString): StringValue {
  return k.charCodeAt(0) === 0xdc00 ? latin1ToBytes(k.slice(1)) : k;
}

/** A stored value as a canonical key (a string value used as a key or a member). */
export function valueToKey(v: StringValue): KeyString {
  if (typeof v === 'number') return String(v);
  return toKey(v);
}

// ---- values modified in place --------------------------------------------------------------

/** server.proto_max_bulk_len (512 MB): the largest string a command may create. */
export const PROTO_MAX_BULK_LEN = 512 * 1024 * 1024;

/**
 * Byte values that may be modified in place (Redis' refcount-1 raw sds, see dbUnshareStringValue).
 * Any other Uint8Array value is treated as immutable: it may be an argument, a reply, or shared by
 * two keys. Code that hands a stored Uint8Array somewhere it can be seen later (a reply kept by
 * the caller, COPY, another key) must call `shareBytes` on it first (or copy it).
 */
const ownedBytes = new WeakSet<Uint8Array>();

/** Mark an array this module created, and will store, as modifiable in place. */
export function ownBytes(b: Uint8Array): Uint8Array {
  ownedBytes.add(b);
  return b;
}

/** The value is a byte array that may be modified in place. */
export function isOwnedBytes(v: StringValue): boolean {
  return v instanceof Uint8Array && ownedBytes.has(v);
}

/** The value is about to be shared: nobody may modify it in place any more. */
export function shareBytes<T extends StringValue>(v: T): T {
  if (v instanceof Uint8Array) ownedBytes.delete(v);
  return v;
}

/** sdsMakeRoomFor's greedy policy: double below 1 MB, then grow by 1 MB. */
function greedyCapacity(len: number): number {
  return len < 1024 * 1024 ? len * 2 : len + 1024 * 1024;
}

/**
 * dbUnshareStringValue + sdsgrowzero: the value as an owned byte array of at least `minLength`
 * bytes, zero padded. An owned array long enough is returned as is; one that must grow keeps its
 * bytes in a larger buffer (amortised O(1) growth) and is returned as a view of the new length.
 * The caller stores the result when it is not `v` (dbOverwrite).
 */
export function unshareBytes(v: StringValue, minLength: number): Uint8Array {
  if (v instanceof Uint8Array && ownedBytes.has(v)) {
    if (v.length >= minLength) return v;
    const buf = v.buffer;
    if (v.byteOffset + minLength <= buf.byteLength) {
      const grown = new Uint8Array(buf, v.byteOffset, minLength);
      grown.fill(0, v.length);
      ownedBytes.delete(v);
      return ownBytes(grown);
    }
    const grown = new Uint8Array(new ArrayBuffer(greedyCapacity(minLength)), 0, minLength);
    grown.set(v);
    ownedBytes.delete(v);
    return ownBytes(grown);
  }
  const bytes = valueBytes(v);
  if (bytes.length >= minLength && bytes !== v) return ownBytes(bytes); // freshly encoded: ours
  const out =
    bytes.length >= minLength
      ? new Uint8Array(bytes.length)
      : new Uint8Array(new ArrayBuffer(greedyCapacity(minLength)), 0, minLength);
  out.set(bytes);
  return ownBytes(out);
}
