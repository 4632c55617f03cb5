/**
 * How the state check reads a collection's whole value on both sides, as one canonical string
 * per key (state.ts compares them). Strings are read with GET; every other type adds an entry
 * here when it lands: the command that reads it from redis-server, how to turn that reply into
 * the canonical form, and the same form from Lodis' object. Unordered types (sets, hash fields)
 * sort in the canonical form; ordered ones (lists, sorted sets, streams) keep their order.
 */
import type { TypedObject } from '../../packages/core/src/object.js';
import type { Arg } from './values.js';

export interface TypeValueReader {
  /** The command reading the whole value from redis-server (e.g. LRANGE key 0 -1). */
  redisRead(key: Buffer): Arg[];
  /** The canonical form from that command's raw RESP2 reply. */
  fromRedis(raw: string): string;
  /** The canonical form from Lodis' value. */
  fromLodis(value: TypedObject): string;
}

/** By Redis type name (TYPE's reply). */
export const TYPE_VALUE_READERS: Partial<Record<string, TypeValueReader>> = {};
