/** Error replies across the boundary: ReplyError ⇄ `{ err }` (protocol.ts: WireReply). */
import { ReplyError, type Decoded, type DecodedBuffer } from '@lodis/core';
import type { WireError, WireReply } from './protocol.js';

/** A reply as the worker sends it: every ReplyError, nested ones included, as `{ err }`. */
export function toWire(r: DecodedBuffer): WireReply {
  if (r instanceof ReplyError) return { err: r.message };
  if (Array.isArray(r)) return r.map(toWire);
  return r;
}

/** A rejection as the worker sends it (a ReplyError's text; anything else as an ERR). */
export function errorToWire(e: unknown): WireError {
  if (e instanceof ReplyError) return { err: e.message };
  return { err: `ERR ${e instanceof Error ? e.message : String(e)}` };
}

export function isWireError(r: WireReply): r is WireError {
  return typeof r === 'object' && r !== null && !Array.isArray(r) && !(r instanceof Uint8Array);
}

/** A reply as the page hands it on: `{ err }` back to ReplyError; bulk bytes to text unless `buffers`. */
export function fromWire(r: WireReply, buffers: boolean): DecodedBuffer {
  if (typeof r !== 'object' || r === null) return r;
  if (r instanceof Uint8Array) return buffers ? r : utf8.decode(r);
  if (Array.isArray(r)) return r.map((x) => fromWire(x, buffers));
  return new ReplyError(r.err);
}

/** Lossy, as decodeReply is: invalid UTF-8 becomes U+FFFD. */
const utf8 = new TextDecoder();

export type { Decoded };
