/** Reply shapers shared by the typed methods. */
import type { Decoded } from '../reply.js';

/** A flat [field, value, …] array as an object (null for an empty or missing reply). */
export function flatToObject(r: Decoded): Record<string, string> | null {
  const a = r as string[] | null;
  if (!a || a.length === 0) return null;
  const o: Record<string, string> = Object.create(null);
  for (let i = 0; i < a.length; i += 2) o[a[i]!] = a[i + 1]!;
  return o;
}

/** A Redis float reply ('1.5', 'inf', '-inf') as a number; null stays null. */
export function toFloat(r: Decoded): number | null {
  if (r === null) return null;
  const s = String(r);
  if (s === 'inf' || s === '+inf') return Infinity;
  if (s === '-inf') return -Infinity;
  return Number(s);
}
