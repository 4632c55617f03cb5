/**
 * The wire between a Worker and a LodisObject (types and the reply encoding only; the mechanism is
 * in lodis-object.ts and client.ts). Upstash's REST shapes, so they read familiar:
 *
 *   POST /  ["SET","k","v"]                       → {"result":"OK"}          (400 with {"error":…})
 *   POST /  [["MULTI"],["INCR","n"],["EXEC"]]     → [{"result":"OK"},{"result":"QUEUED"},{"result":[1]}]
 *
 * A batch runs in one turn on one session, so nothing of another request runs in between. The
 * header `Lodis-Session: <id>` keeps a session (a Redis connection: WATCH, MULTI, SELECT …) across
 * requests until `QUIT`. Integers beyond 2^53 travel as strings; a nested error (in EXEC's reply)
 * as `{"error": "<Redis' error text>"}`.
 */
import { ReplyError, type Decoded } from '@lodis/core';

/** One command: its name then its arguments. */
export type WireCommand = (string | number)[];
/** A reply on the wire; errors inside arrays keep their place. */
export type WireValue = string | number | null | WireValue[] | { error: string };
export type WireReply = { result: WireValue } | { error: string };

export const SESSION_HEADER = 'Lodis-Session';

export function toWire(reply: Decoded): WireValue {
  if (reply instanceof ReplyError) return { error: reply.message };
  if (Array.isArray(reply)) return reply.map(toWire);
  if (typeof reply === 'bigint') return String(reply);
  return reply;
}

export function fromWire(value: WireValue): Decoded {
  if (Array.isArray(value)) return value.map(fromWire);
  if (value !== null && typeof value === 'object') return new ReplyError(value.error);
  return value;
}

/** A command as JSON carries it, or null when `x` is not one. */
export function isWireCommand(x: unknown): x is WireCommand {
  return Array.isArray(x) && x.length > 0 && x.every((a) => typeof a === 'string' || typeof a === 'number');
}
