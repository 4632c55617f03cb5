import { describe, expect, it } from 'vitest';
import { ByteReader, ByteWriter, crc32, ShortReadError } from './rio.js';

describe('rio', () => {
  it('computes the standard CRC-32', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
    const b = new TextEncoder().encode('xx123456789yy');
    expect(crc32(b, 2, 11)).toBe(0xcbf43926);
  });

  it('reads back what it writes', () => {
    const w = new ByteWriter(4);
    const ints = [0, 1, 127, 128, 300, 2 ** 31, 2 ** 32 + 5, Number.MAX_SAFE_INTEGER];
    for (const v of ints) w.varint(v);
    const i64s = [0, -1, 1, -(2 ** 32), 2 ** 40 + 3, -(2 ** 53) + 1, Number.MAX_SAFE_INTEGER, 9223372036854775807n, -9223372036854775808n];
    for (const v of i64s) w.i64(v);
    w.taggedText('héllo 日本 😀', 1);
    w.taggedText('ascii', 0);
    w.taggedBytes(Uint8Array.from([0, 255, 128]), 1);
    w.f64(-0.5);
    const r = new ByteReader(w.result());
    for (const v of ints) expect(r.varint()).toBe(v);
    for (const v of i64s) expect(r.i64()).toBe(v);
    let t = r.tag();
    expect(t.flag).toBe(1);
    expect(r.text(t.length)).toBe('héllo 日本 😀');
    t = r.tag();
    expect([t.flag, r.text(t.length)]).toEqual([0, 'ascii']);
    t = r.tag();
    expect(r.bytes(t.length)).toEqual(Uint8Array.from([0, 255, 128]));
    expect(r.f64()).toBe(-0.5);
    expect(r.remaining).toBe(0);
    expect(() => r.u8()).toThrow(ShortReadError);
  });
});
