/**
 * Paths into a RESP2 reply, for comparisons that leave some elements out or let them differ by a
 * tolerance: clock readings (XPENDING's idle times, XINFO's delivery and seen times) and what
 * only Redis' own allocator shapes (XINFO STREAM's radix-tree-nodes). Used by the transcripts'
 * `!skip` and `!near` (transcript.ts) and by the differential run's policies (fuzz/compare.ts).
 *
 * A path is steps separated by dots, applied from the top of the reply:
 *   `2`       the element at index 2 of an array
 *   `*`       every element of an array
 *   `idle`    the value of the key "idle" in an array read as a RESP2 map (keys at even indexes)
 * e.g. `*.2` is the third element of every row, `groups.*.consumers.*.seen-time` a consumer's
 * seen time in XINFO STREAM … FULL.
 */
import { bulkPayload, replyEnd, splitArrayElements } from './resp.js';

interface Node {
  raw: string;
  /** The elements of an array reply (null for anything else, a null array included). */
  items: Node[] | null;
}

function tree(raw: string): Node {
  const els = raw[0] === '*' ? splitArrayElements(raw) : null;
  return { raw, items: els === null ? null : els.map(tree) };
}

function select(node: Node, steps: readonly string[], out: Set<Node>): void {
  if (steps.length === 0) {
    out.add(node);
    return;
  }
  const items = node.items;
  if (items === null) return;
  const [step, ...rest] = steps as [string, ...string[]];
  if (step === '*') for (const it of items) select(it, rest, out);
  else if (/^[0-9]+$/.test(step)) {
    const it = items[Number(step)];
    if (it !== undefined) select(it, rest, out);
  } else {
    for (let i = 0; i + 1 < items.length; i += 2) {
      if (items[i]!.raw[0] === '$' && bulkPayload(items[i]!.raw) === step) select(items[i + 1]!, rest, out);
    }
  }
}

/**
 * The reply with the elements at `paths` replaced by a placeholder, and those elements' raw
 * replies in reply order. A reply that is not well-formed RESP is returned as is.
 */
export function pickPaths(raw: string, paths: readonly string[]): { masked: string; picked: string[] } {
  if (replyEnd(raw, 0) !== raw.length) return { masked: raw, picked: [] };
  const root = tree(raw);
  const chosen = new Set<Node>();
  for (const p of paths) select(root, p.split('.'), chosen);
  const picked: string[] = [];
  const write = (n: Node): string => {
    if (chosen.has(n)) {
      picked.push(n.raw);
      return '\u0000?';
    }
    return n.items === null ? n.raw : `*${n.items.length}\r\n${n.items.map(write).join('')}`;
  };
  return { masked: write(root), picked };
}

/** How a reply is compared apart from its exact bytes. */
export interface Looseness {
  /** Elements not compared at all. */
  readonly skip?: readonly string[];
  /** Integer elements that may differ by up to `within`. */
  readonly near?: { readonly within: bigint; readonly paths: readonly string[] };
}

/** Null when `a` and `b` agree under `loose`, else a short reason. */
export function compareLoosely(loose: Looseness, a: string, b: string): string | null {
  if (a === b) return null;
  const skip = loose.skip ?? [];
  const near = loose.near?.paths ?? [];
  const pa = pickPaths(a, [...skip, ...near]);
  const pb = pickPaths(b, [...skip, ...near]);
  if (pa.masked !== pb.masked || pa.picked.length !== pb.picked.length) return 'differ';
  if (!near.length) return null;
  // Only the near paths' elements are compared: pick them again, without the skipped ones.
  const na = pickPaths(a, near).picked;
  const nb = pickPaths(b, near).picked;
  if (na.length !== nb.length) return 'differ';
  for (let i = 0; i < na.length; i++) {
    const x = na[i]!;
    const y = nb[i]!;
    if (x === y) continue;
    if (x[0] !== ':' || y[0] !== ':') return 'differ';
    const d = BigInt(x.slice(1, -2)) - BigInt(y.slice(1, -2));
    if ((d < 0n ? -d : d) > loose.near!.within) return `differ by ${d < 0n ? -d : d} (tolerance ${loose.near!.within})`;
  }
  return null;
}
