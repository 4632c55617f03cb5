import { ReplyError } from '@lodis/core';
import { describe, expect, it } from 'vitest';
import { errorToWire, fromWire, isWireError, toWire } from './wire.js';

describe('replies across the worker boundary', () => {
  it('carries error values, nested ones included, as { err } and back as ReplyError', () => {
    const wire = toWire(['OK', new ReplyError('WRONGTYPE Operation against a key holding the wrong kind of value'), [1, null]]);
    expect(wire).toEqual(['OK', { err: 'WRONGTYPE Operation against a key holding the wrong kind of value' }, [1, null]]);
    const back = fromWire(structuredClone(wire), false) as unknown[];
    expect(back[1]).toBeInstanceOf(ReplyError);
    expect((back[1] as ReplyError).message).toBe('WRONGTYPE Operation against a key holding the wrong kind of value');
    expect(isWireError(toWire(new ReplyError('ERR x')))).toBe(true);
    expect(isWireError(new Uint8Array(1))).toBe(false);
  });

  it('turns bulk bytes into text unless buffers were asked for', () => {
    const bytes = new Uint8Array([104, 105, 0xff]);
    expect(fromWire([bytes], false)).toEqual(['hi\uFFFD']);
    expect(fromWire([bytes], true)).toEqual([bytes]);
    expect(fromWire(12n, false)).toBe(12n);
  });

  it('keeps a rejection’s Redis text, and makes anything else an ERR', () => {
    expect(errorToWire(new ReplyError('MISCONF boom'))).toEqual({ err: 'MISCONF boom' });
    expect(errorToWire(new Error('gone'))).toEqual({ err: 'ERR gone' });
  });
});
