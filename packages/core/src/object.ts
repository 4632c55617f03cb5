/**
 * Redis objects (object.c): what a key holds. String values are stored unboxed (see sds.ts);
 * every other type is an object whose `type` names its Redis type, defined in `types/`.
 */
import { wrongTypeErr } from './errors.js';
import type { StringValue } from './sds.js';

export type ObjectType = 'string' | 'list' | 'set' | 'zset' | 'hash' | 'stream';

export interface TypedObject {
  readonly type: Exclude<ObjectType, 'string'>;
  /** A deep copy sharing nothing mutable with this one (COPY: listTypeDup, setTypeDup, zsetDup …). */
  dup(): TypedObject;
}

export type RedisObject = StringValue | TypedObject;

export function isString(o: RedisObject): o is StringValue {
  return typeof o === 'string' || typeof o === 'number' || o instanceof Uint8Array;
}

/** TYPE's answer for a value. */
export function objectType(o: RedisObject): ObjectType {
  return isString(o) ? 'string' : o.type;
}

/** checkType: the value as a string, or WRONGTYPE. `undefined` (no key) passes through. */
export function asString(o: RedisObject | undefined): StringValue | undefined {
  if (o === undefined || isString(o)) return o;
  throw wrongTypeErr();
}

/** checkType for the other types: the value when it has the type, or WRONGTYPE. */
export function asType<T extends TypedObject>(o: RedisObject | undefined, type: T['type']): T | undefined {
  if (o === undefined) return undefined;
  if (!isString(o) && o.type === type) return o as T;
  throw wrongTypeErr();
}

/** A deep copy of a value (COPY). Text and integers are immutable; bytes may be modified in place. */
export function dupObject(o: RedisObject): RedisObject {
  if (o instanceof Uint8Array) return o.slice();
  return isString(o) ? o : o.dup();
}
