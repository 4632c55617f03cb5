/**
 * Sorted sets (t_zset.c): BZMPOP BZPOPMAX BZPOPMIN ZADD ZCARD ZCOUNT ZDIFF ZDIFFSTORE ZINCRBY
 * ZINTER ZINTERCARD ZINTERSTORE ZLEXCOUNT ZMPOP ZMSCORE ZPOPMAX ZPOPMIN ZRANDMEMBER ZRANGE
 * ZRANGEBYLEX ZRANGEBYSCORE ZRANGESTORE ZRANK ZREM ZREMRANGEBYLEX ZREMRANGEBYRANK
 * ZREMRANGEBYSCORE ZREVRANGE ZREVRANGEBYLEX ZREVRANGEBYSCORE ZREVRANK ZSCAN ZSCORE ZUNION
 * ZUNIONSTORE.
 *
 * A sorted set is Redis' pair of structures: a Map from member to score (ZSCORE, ZMSCORE and
 * membership in O(1); its live iterator serves ZSCAN, scan.ts) and an order-statistics index of
 * the (score, member) pairs in Redis' order — by score, ties by member bytes (memcmp, a shorter
 * prefix first). Redis' index is a skiplist; here it is a B+tree (ZIndex below) whose leaves hold
 * up to LEAF_MAX pairs in two parallel arrays and whose inner nodes keep each child's element
 * count: insertion, removal, rank and the start of a range are O(log n), a range of m is
 * O(log n + m) along the linked leaves. The zsl* names of t_zset.c mark the same operations.
 *
 * Members are kept as byte strings (one char per byte, sds.ts argLatin1), so JS string order is
 * memcmp order, and replies give back the same bytes (text when they are ASCII).
 *
 * Redis 7.0 keeps a small sorted set as a listpack (at most zset-max-listpack-entries = 128
 * members of at most zset-max-listpack-value = 64 bytes) and converts it to a skiplist for good
 * once a limit is passed. Lodis tracks the encoding (a flag) for what it changes in replies: ZSCAN
 * of a listpack returns the whole set in one call with cursor 0 and prints scores as the listpack
 * stores them; a listpack stores an integral score as an integer, so -0 becomes 0; and the lex
 * range commands walk a listpack from its ends, which differs from a skiplist's descent when
 * scores differ (an ordering Redis leaves unspecified).
 *
 * The blocking pops parse everything, then serve themselves as their non-blocking twin (logged
 * as ZPOPMIN/ZPOPMAX, as Redis propagates them) or block on their keys (blocked.ts).
 */
import { blockForKeys, getTimeoutFromArg } from '../blocked.js';
import type { Client } from '../client.js';
import type { CommandHandlers } from '../commands.js';
import { doubleReplyText, listpackScoreText, string2d, strtodRangeBound } from '../double.js';
import {
  countPositiveErr,
  limitNegativeErr,
  minMaxNotFloatErr,
  minMaxNotLexErr,
  mustBePositiveErr,
  notFloatErr,
  notIntegerErr,
  numkeysErr,
  randomReplyTooLargeErr,
  rangeLongErr,
  scoreNanErr,
  syntaxErr,
  valueOutOfRangeErr,
  weightNotFloatErr,
  wrongTypeErr,
  zaddGtLtNxErr,
  zaddIncrPairsErr,
  zaddNxXxErr,
  zrangeLimitRankErr,
  zrangeWithscoresLexErr,
  zsetNumkeysErr,
} from '../errors.js';
import { parseScanOptions, scanReply } from '../keyspace.js';
import { NOTIFY_GENERIC, NOTIFY_ZSET } from '../notify.js';
import { asType, isString, type RedisObject, type TypedObject } from '../object.js';
import { DoubleReply, NULL_ARRAY, type Reply } from '../reply.js';
import type { ByteReader, ByteWriter } from '../rio.js';
import { parseScanCursor, ScanCursors } from '../scan.js';
import {
  argLatin1,
  BINARY_MARK,
  keyLatin1,
  latin1ToBytes,
  toKey,
  utf8DecodeStrict,
  type Arg,
  type KeyString,
} from '../sds.js';
import { LLONG_MAX, LLONG_MIN, string2ll, stringmatchlen, type Int64 } from '../util.js';
import type { SetObject } from './set.js';

/** zset-max-listpack-entries (Redis' default; Lodis has no CONFIG SET for it). */
export const ZSET_MAX_LISTPACK_ENTRIES = 128;
/** zset-max-listpack-value: the longest member (bytes) a listpack sorted set holds. */
export const ZSET_MAX_LISTPACK_VALUE = 64;

/**
 * The most elements one ZRANDMEMBER reply may hold. Redis streams a reply of any size; Lodis
 * builds a reply in memory and refuses one larger than this (as HRANDFIELD and SRANDMEMBER).
 */
export const ZRANDMEMBER_MAX_REPLY = 1 << 24;

// ---- the order-statistics index (Redis' zskiplist) ---------------------------------------------

/** Pairs per leaf: a split makes two of LEAF_MAX/2; a leaf below LEAF_MIN merges or borrows. */
const LEAF_MAX = 128;
const LEAF_MIN = 32;
/** Pairs per leaf when an index is built from sorted pairs (room for inserts before a split). */
const LEAF_FILL = 96;
/** Children per inner node, likewise. */
const INNER_MAX = 64;
const INNER_MIN = 16;
const INNER_FILL = 48;

/** An empty array that holds unboxed doubles (V8 keeps the elements kind of an emptied array). */
function doubleArray(): number[] {
  const a = [0.5];
  a.pop();
  return a;
}

export class ZLeaf {
  members: string[] = [];
  scores: number[] = doubleArray();
  prev: ZLeaf | null = null;
  next: ZLeaf | null = null;
}

/**
 * An inner node: child i holds counts[i] pairs, all at or above the separator (sepScores[i],
 * sepMembers[i]) and below separator i+1. Separator 0 is unused (the parent's bounds apply). A
 * separator stays valid when pairs are removed, so removals never update it.
 */
export class ZInner {
  children: ZNode[] = [];
  counts: number[] = [];
  sepScores: number[] = doubleArray();
  sepMembers: string[] = [];
}

export type ZNode = ZLeaf | ZInner;

/** (s1, m1) < (s2, m2) in Redis' order. -0 and 0 are the same score. */
function pairLess(s1: number, m1: string, s2: number, m2: string): boolean {
  return s1 < s2 || (s1 === s2 && m1 < m2);
}

/**
 * The child of `node` whose range holds the pair: the last separator at or below it. Scores are
 * compared first; a separator's member is read only on a tie (one array, one cache line, less).
 */
function childFor(node: ZInner, s: number, m: string): number {
  const ss = node.sepScores;
  let lo = 1;
  let hi = ss.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const x = ss[mid]!;
    if (s < x || (s === x && m < node.sepMembers[mid]!)) hi = mid;
    else lo = mid + 1;
  }
  return lo - 1;
}

/** The first index of `leaf` whose pair is at or above (s, m). */
function leafLowerBound(leaf: ZLeaf, s: number, m: string): number {
  const ss = leaf.scores;
  let lo = 0;
  let hi = ss.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const x = ss[mid]!;
    if (x < s || (x === s && leaf.members[mid]! < m)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function sum(a: readonly number[]): number {
  let t = 0;
  for (let i = 0; i < a.length; i++) t += a[i]!;
  return t;
}

/**
 * A place in the index: a leaf and an index in it (null: past the end), and its rank. The index
 * methods that find a place write it here rather than allocate one.
 */
export interface ZPos {
  leaf: ZLeaf | null;
  i: number;
  rank: number;
}

const POS: ZPos = { leaf: null, i: 0, rank: 0 };

/** What ZIndex.seek looks for: `before` holds for the pairs before the place sought. */
export interface SeekTest {
  before(s: number, m: string): boolean;
}

/** The inner nodes (and child indexes) from the root down to the leaf of the last descent. */
const PATH_NODES: ZInner[] = [];
const PATH_IDX: number[] = [];

/**
 * The (score, member) pairs in order: Redis' zskiplist, as a B+tree with subtree counts (see the
 * top of this file). Every method trusts its caller: a pair inserted is not there yet, a pair
 * deleted is there.
 */
export class ZIndex {
  root: ZNode;
  /** Inner levels above the leaves (0: the root is a leaf). */
  height = 0;
  length = 0;
  head: ZLeaf;
  tail: ZLeaf;

  constructor() {
    const leaf = new ZLeaf();
    this.root = this.head = this.tail = leaf;
  }

  /** An index of these pairs, already in order (snapshots, COPY, results built whole). */
  static fromSorted(members: readonly string[], scores: readonly number[]): ZIndex {
    const t = new ZIndex();
    const n = members.length;
    t.length = n;
    if (n === 0) return t;
    // Leaves as evenly filled as LEAF_FILL allows.
    const nLeaves = Math.ceil(n / LEAF_FILL);
    let level: ZNode[] = [];
    let counts: number[] = [];
    let firstS: number[] = [];
    let firstM: string[] = [];
    let prev: ZLeaf | null = null;
    for (let k = 0; k < nLeaves; k++) {
      const a = Math.floor((k * n) / nLeaves);
      const b = Math.floor(((k + 1) * n) / nLeaves);
      const leaf = new ZLeaf();
      leaf.members = members.slice(a, b);
      const sc = doubleArray();
      for (let j = a; j < b; j++) sc.push(scores[j]!);
      leaf.scores = sc;
      leaf.prev = prev;
      if (prev !== null) prev.next = leaf;
      prev = leaf;
      level.push(leaf);
      counts.push(b - a);
      firstS.push(scores[a]!);
      firstM.push(members[a]!);
    }
    t.head = level[0] as ZLeaf;
    t.tail = prev!;
    while (level.length > 1) {
      const m = level.length;
      const groups = Math.ceil(m / INNER_FILL);
      const up: ZNode[] = [];
      const upCounts: number[] = [];
      const upS: number[] = [];
      const upM: string[] = [];
      for (let k = 0; k < groups; k++) {
        const a = Math.floor((k * m) / groups);
        const b = Math.floor(((k + 1) * m) / groups);
        const node = new ZInner();
        node.children = level.slice(a, b);
        node.counts = counts.slice(a, b);
        for (let j = a; j < b; j++) {
          node.sepScores.push(firstS[j]!);
          node.sepMembers.push(firstM[j]!);
        }
        up.push(node);
        upCounts.push(sum(node.counts));
        upS.push(firstS[a]!);
        upM.push(firstM[a]!);
      }
      level = up;
      counts = upCounts;
      firstS = upS;
      firstM = upM;
      t.height++;
    }
    t.root = level[0]!;
    return t;
  }

  /** zslInsert: add a pair that is not in the index. */
  insert(s: number, m: string): void {
    let node = this.root;
    let d = 0;
    for (let h = this.height; h > 0; h--) {
      const inner = node as ZInner;
      const i = childFor(inner, s, m);
      inner.counts[i] = inner.counts[i]! + 1;
      PATH_NODES[d] = inner;
      PATH_IDX[d] = i;
      d++;
      node = inner.children[i]!;
    }
    const leaf = node as ZLeaf;
    const p = leafLowerBound(leaf, s, m);
    const mm = leaf.members;
    // splice moves the elements with one memmove (and one write barrier pass): faster than a loop.
    if (p === mm.length) {
      mm.push(m);
      leaf.scores.push(s);
    } else {
      mm.splice(p, 0, m);
      leaf.scores.splice(p, 0, s);
    }
    this.length++;
    if (mm.length > LEAF_MAX) this.splitLeaf(leaf, d);
  }

  /** zslDelete: remove a pair that is in the index. */
  delete(s: number, m: string): void {
    let node = this.root;
    let d = 0;
    for (let h = this.height; h > 0; h--) {
      const inner = node as ZInner;
      const i = childFor(inner, s, m);
      inner.counts[i] = inner.counts[i]! - 1;
      PATH_NODES[d] = inner;
      PATH_IDX[d] = i;
      d++;
      node = inner.children[i]!;
    }
    const leaf = node as ZLeaf;
    const p = leafLowerBound(leaf, s, m);
    const mm = leaf.members;
    if (p === mm.length - 1) {
      mm.pop();
      leaf.scores.pop();
    } else {
      mm.splice(p, 1);
      leaf.scores.splice(p, 1);
    }
    this.length--;
    if (mm.length < LEAF_MIN && d > 0) this.fixLeaf(leaf, d);
  }

  /** zslGetRank, 0-based: the rank of a pair that is in the index. */
  rank(s: number, m: string): number {
    let node = this.root;
    let r = 0;
    for (let h = this.height; h > 0; h--) {
      const inner = node as ZInner;
      const i = childFor(inner, s, m);
      const counts = inner.counts;
      for (let k = 0; k < i; k++) r += counts[k]!;
      node = inner.children[i]!;
    }
    return r + leafLowerBound(node as ZLeaf, s, m);
  }

  /** zslGetElementByRank (0-based, 0 <= r < length): its place. */
  seekRank(r: number): ZPos {
    POS.rank = r;
    if (r === 0) {
      POS.leaf = this.head;
      POS.i = 0;
      return POS;
    }
    if (r === this.length - 1) {
      POS.leaf = this.tail;
      POS.i = this.tail.members.length - 1;
      return POS;
    }
    let node = this.root;
    for (let h = this.height; h > 0; h--) {
      const inner = node as ZInner;
      const counts = inner.counts;
      let i = 0;
      while (r >= counts[i]!) r -= counts[i++]!;
      node = inner.children[i]!;
    }
    POS.leaf = node as ZLeaf;
    POS.i = r;
    return POS;
  }

  /**
   * The place of the first pair for which `test.before` is false (true for a prefix of the
   * pairs, false for the rest), or past the end. For a test that is not monotonic (lex bounds
   * over mixed scores) it is some place, as a skiplist's descent finds some node.
   */
  seek(test: SeekTest): ZPos {
    let node = this.root;
    let r = 0;
    for (let h = this.height; h > 0; h--) {
      const inner = node as ZInner;
      const ss = inner.sepScores;
      const sm = inner.sepMembers;
      let lo = 1;
      let hi = ss.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (test.before(ss[mid]!, sm[mid]!)) lo = mid + 1;
        else hi = mid;
      }
      const i = lo - 1;
      const counts = inner.counts;
      for (let k = 0; k < i; k++) r += counts[k]!;
      node = inner.children[i]!;
    }
    const leaf = node as ZLeaf;
    const ss = leaf.scores;
    const sm = leaf.members;
    let lo = 0;
    let hi = ss.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (test.before(ss[mid]!, sm[mid]!)) lo = mid + 1;
      else hi = mid;
    }
    POS.rank = r + lo;
    if (lo < ss.length) {
      POS.leaf = leaf;
      POS.i = lo;
    } else {
      POS.leaf = leaf.next;
      POS.i = 0;
    }
    return POS;
  }

  /**
   * Remove the pairs of ranks start..start+count-1 (zslDeleteRangeByRank). A small range is
   * removed pair by pair (O(count · log n)); a large one rebuilds the index from what remains
   * (O(n), at most 4 · count).
   */
  deleteRange(start: number, count: number): void {
    if (count === 0) return;
    if (count * 4 < this.length) {
      for (let k = 0; k < count; k++) {
        const p = this.seekRank(start);
        const leaf = p.leaf!;
        this.delete(leaf.scores[p.i]!, leaf.members[p.i]!);
      }
      return;
    }
    const members: string[] = [];
    const scores: number[] = doubleArray();
    let r = 0;
    for (let leaf: ZLeaf | null = this.head; leaf !== null; leaf = leaf.next) {
      const mm = leaf.members;
      const ss = leaf.scores;
      for (let i = 0; i < mm.length; i++, r++) {
        if (r >= start && r < start + count) continue;
        members.push(mm[i]!);
        scores.push(ss[i]!);
      }
    }
    const t = ZIndex.fromSorted(members, scores);
    this.root = t.root;
    this.height = t.height;
    this.length = t.length;
    this.head = t.head;
    this.tail = t.tail;
  }

  // -- rebalancing --------------------------------------------------------------------------

  private splitLeaf(leaf: ZLeaf, d: number): void {
    const half = leaf.members.length >>> 1;
    const right = new ZLeaf();
    right.members = leaf.members.slice(half);
    right.scores = leaf.scores.slice(half);
    leaf.members.length = half;
    leaf.scores.length = half;
    right.next = leaf.next;
    if (right.next !== null) right.next.prev = right;
    else this.tail = right;
    right.prev = leaf;
    leaf.next = right;
    this.addChild(d, leaf, half, right, right.members.length, right.scores[0]!, right.members[0]!);
  }

  private splitInner(node: ZInner, d: number): void {
    const half = node.children.length >>> 1;
    const right = new ZInner();
    right.children = node.children.splice(half);
    right.counts = node.counts.splice(half);
    right.sepScores = node.sepScores.splice(half);
    right.sepMembers = node.sepMembers.splice(half);
    this.addChild(d, node, sum(node.counts), right, sum(right.counts), right.sepScores[0]!, right.sepMembers[0]!);
  }

  /** `left` (at depth d, on the path) was split: `right` goes after it in its parent. */
  private addChild(d: number, left: ZNode, leftCount: number, right: ZNode, rightCount: number, sepS: number, sepM: string): void {
    if (d === 0) {
      const root = new ZInner();
      root.children.push(left, right);
      root.counts.push(leftCount, rightCount);
      root.sepScores.push(0, sepS);
      root.sepMembers.push('', sepM);
      this.root = root;
      this.height++;
      return;
    }
    const parent = PATH_NODES[d - 1]!;
    const i = PATH_IDX[d - 1]!;
    parent.counts[i] = leftCount;
    parent.children.splice(i + 1, 0, right);
    parent.counts.splice(i + 1, 0, rightCount);
    parent.sepScores.splice(i + 1, 0, sepS);
    parent.sepMembers.splice(i + 1, 0, sepM);
    if (parent.children.length > INNER_MAX) this.splitInner(parent, d - 1);
  }

  private unlinkLeaf(leaf: ZLeaf): void {
    if (leaf.prev !== null) leaf.prev.next = leaf.next;
    else this.head = leaf.next!;
    if (leaf.next !== null) leaf.next.prev = leaf.prev;
    else this.tail = leaf.prev!;
    leaf.prev = leaf.next = null;
  }

  /** A leaf at depth d (on the path) fell below LEAF_MIN: merge it with a sibling or borrow from one. */
  private fixLeaf(leaf: ZLeaf, d: number): void {
    const parent = PATH_NODES[d - 1]!;
    const i = PATH_IDX[d - 1]!;
    if (leaf.members.length === 0) {
      this.unlinkLeaf(leaf);
      removeChild(parent, i);
      this.fixInner(d - 1);
      return;
    }
    if (parent.children.length === 1) return;
    const li = i + 1 < parent.children.length ? i : i - 1;
    const left = parent.children[li] as ZLeaf;
    const right = parent.children[li + 1] as ZLeaf;
    const total = left.members.length + right.members.length;
    if (total <= LEAF_MAX) {
      for (let k = 0; k < right.members.length; k++) {
        left.members.push(right.members[k]!);
        left.scores.push(right.scores[k]!);
      }
      parent.counts[li] = total;
      this.unlinkLeaf(right);
      removeChild(parent, li + 1);
      this.fixInner(d - 1);
      return;
    }
    const want = total >>> 1;
    if (left.members.length < want) {
      const k = want - left.members.length;
      for (let j = 0; j < k; j++) {
        left.members.push(right.members[j]!);
        left.scores.push(right.scores[j]!);
      }
      right.members.splice(0, k);
      right.scores.splice(0, k);
    } else {
      const k = left.members.length - want;
      right.members.unshift(...left.members.splice(want, k));
      right.scores.unshift(...left.scores.splice(want, k));
    }
    parent.counts[li] = left.members.length;
    parent.counts[li + 1] = right.members.length;
    parent.sepScores[li + 1] = right.scores[0]!;
    parent.sepMembers[li + 1] = right.members[0]!;
  }

  /** The inner node at depth d (on the path) lost a child: collapse the root, merge or borrow. */
  private fixInner(d: number): void {
    const node = PATH_NODES[d]!;
    if (d === 0) {
      if (node.children.length === 1) {
        this.root = node.children[0]!;
        this.height--;
      }
      return;
    }
    if (node.children.length >= INNER_MIN) return;
    const parent = PATH_NODES[d - 1]!;
    const i = PATH_IDX[d - 1]!;
    if (parent.children.length === 1) return;
    const li = i + 1 < parent.children.length ? i : i - 1;
    const left = parent.children[li] as ZInner;
    const right = parent.children[li + 1] as ZInner;
    const total = left.children.length + right.children.length;
    if (total <= INNER_MAX) {
      // Right's first child is bounded by the parent's separator for right.
      left.children.push(...right.children);
      left.counts.push(...right.counts);
      left.sepScores.push(parent.sepScores[li + 1]!);
      left.sepMembers.push(parent.sepMembers[li + 1]!);
      for (let k = 1; k < right.sepScores.length; k++) {
        left.sepScores.push(right.sepScores[k]!);
        left.sepMembers.push(right.sepMembers[k]!);
      }
      parent.counts[li] = parent.counts[li]! + parent.counts[li + 1]!;
      removeChild(parent, li + 1);
      this.fixInner(d - 1);
      return;
    }
    const want = total >>> 1;
    while (left.children.length < want) {
      left.children.push(right.children.shift()!);
      left.counts.push(right.counts.shift()!);
      left.sepScores.push(parent.sepScores[li + 1]!);
      left.sepMembers.push(parent.sepMembers[li + 1]!);
      right.sepScores.shift();
      right.sepMembers.shift();
      parent.sepScores[li + 1] = right.sepScores[0]!;
      parent.sepMembers[li + 1] = right.sepMembers[0]!;
    }
    while (left.children.length > want) {
      right.children.unshift(left.children.pop()!);
      right.counts.unshift(left.counts.pop()!);
      right.sepScores[0] = parent.sepScores[li + 1]!;
      right.sepMembers[0] = parent.sepMembers[li + 1]!;
      right.sepScores.unshift(0);
      right.sepMembers.unshift('');
      parent.sepScores[li + 1] = left.sepScores.pop()!;
      parent.sepMembers[li + 1] = left.sepMembers.pop()!;
    }
    parent.counts[li] = sum(left.counts);
    parent.counts[li + 1] = sum(right.counts);
  }
}

/**
 * Check every invariant of an index (tests): order, counts, separators, links, balance. Throws on a
 * violation. A function rather than a method, so that bundles leave it out.
 */
export function checkZIndex(t: ZIndex): void {
  const leaves: ZLeaf[] = [];
  const walk = (node: ZNode, h: number, lo: [number, string] | null, hi: [number, string] | null): number => {
    if (h === 0) {
      const leaf = node as ZLeaf;
      if (leaf.members.length !== leaf.scores.length) throw new Error('leaf arrays differ in length');
      if (leaf.members.length > LEAF_MAX) throw new Error('leaf too full');
      if (node !== t.root && leaf.members.length === 0) throw new Error('empty leaf');
      for (let i = 0; i < leaf.members.length; i++) {
        const s = leaf.scores[i]!;
        const m = leaf.members[i]!;
        if (i > 0 && !pairLess(leaf.scores[i - 1]!, leaf.members[i - 1]!, s, m)) throw new Error('leaf out of order');
        if (lo !== null && pairLess(s, m, lo[0], lo[1])) throw new Error('pair below its separator');
        if (hi !== null && !pairLess(s, m, hi[0], hi[1])) throw new Error('pair at or above the next separator');
      }
      leaves.push(leaf);
      return leaf.members.length;
    }
    const inner = node as ZInner;
    const n = inner.children.length;
    if (n === 0 || n > INNER_MAX) throw new Error(`inner node with ${n} children`);
    if (inner.counts.length !== n || inner.sepScores.length !== n || inner.sepMembers.length !== n) throw new Error('inner arrays differ in length');
    let total = 0;
    for (let i = 0; i < n; i++) {
      const clo: [number, string] | null = i === 0 ? lo : [inner.sepScores[i]!, inner.sepMembers[i]!];
      const chi: [number, string] | null = i + 1 < n ? [inner.sepScores[i + 1]!, inner.sepMembers[i + 1]!] : hi;
      const c = walk(inner.children[i]!, h - 1, clo, chi);
      if (c !== inner.counts[i]) throw new Error(`count ${inner.counts[i]} for a subtree of ${c}`);
      total += c;
    }
    return total;
  };
  const n = walk(t.root, t.height, null, null);
  if (n !== t.length) throw new Error(`length ${t.length}, ${n} pairs`);
  if (leaves[0] !== t.head || leaves[leaves.length - 1] !== t.tail) throw new Error('head or tail');
  for (let i = 0; i < leaves.length; i++) {
    if (leaves[i]!.prev !== (leaves[i - 1] ?? null) || leaves[i]!.next !== (leaves[i + 1] ?? null)) throw new Error('leaf links');
  }
}

function removeChild(parent: ZInner, i: number): void {
  parent.children.splice(i, 1);
  parent.counts.splice(i, 1);
  parent.sepScores.splice(i, 1);
  parent.sepMembers.splice(i, 1);
}

/** The place before `p` (a place found by ZIndex): its leaf and index, or a null leaf at the start. */
function stepBack(z: ZSetObject, p: ZPos): ZPos {
  p.rank--;
  if (p.leaf === null) {
    p.leaf = z.zsl.length === 0 ? null : z.zsl.tail;
    p.i = p.leaf === null ? 0 : p.leaf.members.length - 1;
  } else if (p.i > 0) {
    p.i--;
  } else {
    p.leaf = p.leaf.prev;
    p.i = p.leaf === null ? 0 : p.leaf.members.length - 1;
  }
  return p;
}

// ---- the sorted set ----------------------------------------------------------------------------

const NON_ASCII_BYTE = /[\x80-\xff]/;

/** The sorted set (Redis' OBJ_ZSET): see the top of this file. */
export class ZSetObject implements TypedObject {
  readonly type = 'zset';
  /** member → score (Redis' zset->dict), in insertion order: ZSCAN walks it. */
  readonly dict: Map<string, number>;
  /** The pairs in order (Redis' zset->zsl). */
  zsl: ZIndex;
  /** Redis would keep this sorted set as a listpack (OBJ_ENCODING_LISTPACK); false once converted. */
  listpack: boolean;
  /** Every member is ASCII: replies send members as they are, with no check. */
  ascii = true;
  /** ZSCAN's live cursors (made on first use; only a skiplist is scanned in steps). */
  private cursors: ScanCursors<string> | null = null;

  constructor(listpack = true, dict = new Map<string, number>(), zsl = new ZIndex()) {
    this.listpack = listpack;
    this.dict = dict;
    this.zsl = zsl;
  }

  /** A sorted set of these pairs, in any order, with the given encoding (tests). */
  static from(pairs: Iterable<readonly [member: string, score: number]>, listpack = true): ZSetObject {
    const z = new ZSetObject(listpack);
    for (const [m, s] of pairs) {
      z.remove(m);
      z.insert(m, s);
    }
    return z;
  }

  /** A sorted set of these pairs, already in order and distinct (results, snapshots, COPY). */
  static fromSorted(members: string[], scores: number[], listpack: boolean): ZSetObject {
    if (listpack) for (let i = 0; i < scores.length; i++) if (scores[i] === 0) scores[i] = 0; // -0 → 0
    const dict = new Map<string, number>();
    let ascii = true;
    for (let i = 0; i < members.length; i++) {
      const m = members[i]!;
      dict.set(m, scores[i]!);
      if (ascii && NON_ASCII_BYTE.test(m)) ascii = false;
    }
    const z = new ZSetObject(listpack, dict, ZIndex.fromSorted(members, scores));
    z.ascii = ascii;
    return z;
  }

  /** zsetLength */
  get length(): number {
    return this.dict.size;
  }

  /** zsetScore: the member's score, or undefined. */
  score(member: string): number | undefined {
    return this.dict.get(member);
  }

  /**
   * Add a member that is not there (`ascii`: the caller knows it is ASCII). A listpack stores an
   * integral score as an integer: -0 as 0.
   */
  insert(member: string, score: number, ascii = false): void {
    if (this.listpack && score === 0) score = 0;
    this.dict.set(member, score);
    this.zsl.insert(score, member);
    if (this.ascii && !ascii && NON_ASCII_BYTE.test(member)) this.ascii = false;
  }

  /** zslUpdateScore: give a member (with score `cur`) a new score. */
  update(member: string, cur: number, score: number): void {
    if (this.listpack && score === 0) score = 0;
    this.zsl.delete(cur, member);
    this.zsl.insert(score, member);
    this.dict.set(member, score);
  }

  /** zsetDel: true when the member was there. */
  remove(member: string): boolean {
    const s = this.dict.get(member);
    if (s === undefined) return false;
    this.dict.delete(member);
    this.zsl.delete(s, member);
    return true;
  }

  /** zsetRank (0-based, from the lowest score or, `reverse`, from the highest), or -1. */
  rank(member: string, reverse: boolean): number {
    const s = this.dict.get(member);
    if (s === undefined) return -1;
    const r = this.zsl.rank(s, member);
    return reverse ? this.dict.size - 1 - r : r;
  }

  /** Remove the pairs of ranks start..start+count-1 (both from the lowest). */
  deleteRangeByRank(start: number, count: number): void {
    if (count === 0) return;
    const p = this.zsl.seekRank(start);
    let leaf = p.leaf!;
    let i = p.i;
    for (let k = 0; k < count; k++) {
      this.dict.delete(leaf.members[i]!);
      if (++i === leaf.members.length && k + 1 < count) {
        leaf = leaf.next!;
        i = 0;
      }
    }
    this.zsl.deleteRange(start, count);
  }

  /** ZSCAN's live cursors. */
  scanCursors(): ScanCursors<string> {
    return (this.cursors ??= new ScanCursors<string>());
  }

  /** Every pair in order: fn(member, score) (dumps, snapshots, tests). */
  forEach(fn: (member: string, score: number) => void): void {
    for (let leaf: ZLeaf | null = this.zsl.head; leaf !== null; leaf = leaf.next) {
      const mm = leaf.members;
      const ss = leaf.scores;
      for (let i = 0; i < mm.length; i++) fn(mm[i]!, ss[i]!);
    }
  }

  /** zsetDup (COPY): the same pairs and encoding. */
  dup(): ZSetObject {
    const members: string[] = [];
    const scores: number[] = doubleArray();
    this.forEach((m, s) => {
      members.push(m);
      scores.push(s);
    });
    const z = new ZSetObject(this.listpack, new Map(this.dict), ZIndex.fromSorted(members, scores));
    z.ascii = this.ascii;
    return z;
  }
}

// ---- what SORT needs (sort.c) -------------------------------------------------------------------

/** zsetLength: the number of members. */
export function zsetLength(z: ZSetObject): number {
  return z.length;
}

/**
 * The members of ranks start..stop (inclusive; clamped to 0..length-1), in score order, or from
 * the highest score when `reverse` (ranks count from that end then), as sort.c walks the skiplist
 * from zslGetElementByRank: fn(member, score) for each, the member as a canonical KeyString
 * (sds.ts). O(log n + (stop - start)).
 */
export function zsetRangeByRank(
  z: ZSetObject,
  start: number,
  stop: number,
  reverse: boolean,
  fn: (member: KeyString, score: number) => void,
): void {
  const n = z.length;
  if (start < 0) start = 0;
  if (stop >= n) stop = n - 1;
  if (start > stop) return;
  const p = z.zsl.seekRank(reverse ? n - 1 - start : start);
  let leaf = p.leaf!;
  let i = p.i;
  for (let k = start; k <= stop; k++) {
    fn(memberKey(leaf.members[i]!), leaf.scores[i]!);
    if (reverse) {
      if (--i < 0 && leaf.prev !== null) {
        leaf = leaf.prev;
        i = leaf.members.length - 1;
      }
    } else if (++i === leaf.members.length && leaf.next !== null) {
      leaf = leaf.next;
      i = 0;
    }
  }
}

/**
 * zsetConvert(zobj, OBJ_ENCODING_SKIPLIST): SORT converts the sorted set it sorts, for good. The
 * caller has already called db.beforeInPlaceWrite(key) (a snapshot may be running).
 *
 * Returns whether Redis' conversion leaves errno at ERANGE: it reads every score of the listpack
 * back with strtod (zzlGetScore), and the text of a subnormal score (0 < |score| < 2^-1022) is
 * read with ERANGE — which sort.c then sees after its own strtod calls, and fails ("One or more
 * scores can't be converted into double"). False when it was a skiplist already.
 */
export function zsetConvertToSkiplist(z: ZSetObject): boolean {
  if (!z.listpack) return false;
  z.listpack = false;
  let erange = false;
  z.forEach((_m, s) => {
    if (s !== 0 && s > -2.2250738585072014e-308 && s < 2.2250738585072014e-308) erange = true;
  });
  return erange;
}

// ---- member bytes ------------------------------------------------------------------------------

/** Whether the last toMember result was ASCII (its bytes are the string's chars). */
let memberIsAscii = true;

/** A member argument as the byte string the sorted set keeps (memberIsAscii tells whether it is ASCII). */
function toMember(a: Arg): string {
  if (typeof a === 'string' && a.length <= 64) {
    let i = 0;
    while (i < a.length && a.charCodeAt(i) < 0x80) i++;
    if (i === a.length) {
      memberIsAscii = true;
      return a;
    }
  }
  const m = argLatin1(a);
  memberIsAscii = !NON_ASCII_BYTE.test(m);
  return m;
}

/** A member as a reply: the string itself when ASCII, else its bytes. */
function memberReply(z: ZSetObject, m: string): string | Uint8Array {
  return z.ascii || !NON_ASCII_BYTE.test(m) ? m : latin1ToBytes(m);
}

/** A byte string (a member) as a canonical KeyString (sds.ts). */
export function memberKey(m: string): KeyString {
  if (!NON_ASCII_BYTE.test(m)) return m;
  return utf8DecodeStrict(latin1ToBytes(m)) ?? BINARY_MARK + m;
}

/** A reply member (a byte string) without a sorted set at hand. */
function bytesReply(m: string): string | Uint8Array {
  return NON_ASCII_BYTE.test(m) ? latin1ToBytes(m) : m;
}

/** addReplyDouble: a bulk string in RESP2, a double in RESP3. */
function scoreReply(c: Client, d: number): Reply {
  const text = doubleReplyText(d);
  return c.resp === 2 ? text : new DoubleReply(d, text);
}

// ---- snapshot codec (rdb.ts OBJECT_CODECS, code 6) ----------------------------------------------

/**
 * varint(length · 2 + listpack), then each pair in order: the member's bytes (varint length, then
 * the bytes) and the score as a little-endian double. The encoding is kept as it was.
 */
export function writeZSetObject(w: ByteWriter, z: ZSetObject): void {
  w.varint(z.length * 2 + (z.listpack ? 1 : 0));
  z.forEach((m, s) => {
    const n = m.length;
    w.varint(n);
    w.ensure(n);
    const b = w.buf;
    let pos = w.pos;
    for (let i = 0; i < n; i++) b[pos++] = m.charCodeAt(i);
    w.pos = pos;
    w.f64(s);
  });
}

export function readZSetObject(r: ByteReader): ZSetObject {
  const header = r.varint();
  const n = Math.floor(header / 2);
  const members: string[] = [];
  const scores: number[] = doubleArray();
  for (let k = 0; k < n; k++) {
    members.push(r.latin1(r.varint()));
    scores.push(r.f64());
  }
  return ZSetObject.fromSorted(members, scores, header % 2 === 1);
}

// ---- argument parsing --------------------------------------------------------------------------

/** strcasecmp(arg, name) === 0: the argument as a C string (cut at its first NUL), ASCII case folded. */
function optionIs(a: Arg, lowerName: string): boolean {
  let s = argLatin1(a);
  const nul = s.indexOf('\0');
  if (nul >= 0) s = s.slice(0, nul);
  return s.length === lowerName.length && s.toLowerCase() === lowerName;
}

/**
 * getDoubleFromObjectOrReply: string2d's rules, "value is not a valid float" or `makeErr`. A
 * string with a non-ASCII char is refused either way, so it need not be turned into bytes first.
 */
function parseDouble(a: Arg, makeErr: () => Error = notFloatErr): number {
  const v = string2d(typeof a === 'string' ? a : argLatin1(a));
  if (v === null) throw makeErr();
  return v;
}

/** An int64 as a number, clamped to ±(2^53-1): ranks, offsets and counts that large all mean "huge". */
function clampInt64(v: Int64): number {
  return typeof v === 'number' ? v : v > 0n ? Number.MAX_SAFE_INTEGER : -Number.MAX_SAFE_INTEGER;
}

/** getLongFromObjectOrReply: "value is not an integer or out of range" (or `makeErr`), clamped. */
function parseLong(a: Arg, makeErr: () => Error = notIntegerErr): number {
  const v = string2ll(argLatin1(a));
  if (v === null) throw makeErr();
  return clampInt64(v);
}

/** getRangeLongFromObjectOrReply(min, LONG_MAX) with one message for every failure. */
function parseRangeLong(a: Arg, min: number, makeErr: () => Error): number {
  const v = parseLong(a, makeErr);
  if (v < min) throw makeErr();
  return v;
}

/**
 * A range of pairs: `within(s, m, reverse)` tells whether a pair is still in range when walking
 * up (at or below max) or down (at or above min) from inside it.
 */
interface PairRange {
  within(s: number, m: string, reverse: boolean): boolean;
}

/** A score range (zrangespec): min and max, each inclusive or exclusive. */
class ScoreRange implements PairRange {
  constructor(
    readonly min: number,
    readonly max: number,
    readonly minex: boolean,
    readonly maxex: boolean,
  ) {}

  /** zslValueGteMin */
  gteMin(s: number): boolean {
    return this.minex ? s > this.min : s >= this.min;
  }

  /** zslValueLteMax */
  lteMax(s: number): boolean {
    return this.maxex ? s < this.max : s <= this.max;
  }

  within(s: number, _m: string, reverse: boolean): boolean {
    return reverse ? this.gteMin(s) : this.lteMax(s);
  }
}

/** zslParseRange: `(1.5`, `1.5`, `inf`, `-inf` … or "min or max is not a float". */
function parseScoreRange(minArg: Arg, maxArg: Arg): ScoreRange {
  const min = argLatin1(minArg);
  const max = argLatin1(maxArg);
  const minex = min.charCodeAt(0) === 40; /* '(' */
  const maxex = max.charCodeAt(0) === 40;
  const lo = strtodRangeBound(minex ? min.slice(1) : min);
  const hi = strtodRangeBound(maxex ? max.slice(1) : max);
  if (lo === null || hi === null) throw minMaxNotFloatErr();
  return new ScoreRange(lo, hi, minex, maxex);
}

/** The pairs with a score below x (or at or below it, `orEqual`). */
class ScoreBefore implements SeekTest {
  constructor(
    readonly x: number,
    readonly orEqual: boolean,
  ) {}

  before(s: number): boolean {
    return this.orEqual ? s <= this.x : s < this.x;
  }
}

/** A lex range bound (zslParseLexRangeItem): `-` (-1), `+` (1), or a string (0), inclusive or not. */
interface LexBound {
  kind: -1 | 0 | 1;
  value: string;
  ex: boolean;
}

class LexRange implements PairRange {
  constructor(
    readonly min: LexBound,
    readonly max: LexBound,
  ) {}

  within(_s: number, m: string, reverse: boolean): boolean {
    return reverse ? lexGteMin(m, this) : lexLteMax(m, this);
  }
}

/** The pairs whose member is below min (zslLexValueGteMin fails). */
class LexBelowMin implements SeekTest {
  constructor(readonly r: LexRange) {}

  before(_s: number, m: string): boolean {
    return !lexGteMin(m, this.r);
  }
}

/** The pairs whose member is at or below max. */
class LexUpToMax implements SeekTest {
  constructor(readonly r: LexRange) {}

  before(_s: number, m: string): boolean {
    return lexLteMax(m, this.r);
  }
}

function parseLexBound(a: Arg): LexBound {
  const s = argLatin1(a);
  switch (s.charCodeAt(0)) {
    case 43 /* '+' */:
      if (s.length > 1 && s.charCodeAt(1) !== 0) break;
      return { kind: 1, value: '', ex: true };
    case 45 /* '-' */:
      if (s.length > 1 && s.charCodeAt(1) !== 0) break;
      return { kind: -1, value: '', ex: true };
    case 40 /* '(' */:
      return { kind: 0, value: s.slice(1), ex: true };
    case 91 /* '[' */:
      return { kind: 0, value: s.slice(1), ex: false };
  }
  throw minMaxNotLexErr();
}

/** zslParseLexRange, or "min or max not valid string range item". */
function parseLexRange(minArg: Arg, maxArg: Arg): LexRange {
  return new LexRange(parseLexBound(minArg), parseLexBound(maxArg));
}

/** sdscmplex(value, bound): a member against a bound (`-` below everything, `+` above). */
function cmpLex(value: string, b: LexBound): number {
  if (b.kind !== 0) return -b.kind;
  return value < b.value ? -1 : value > b.value ? 1 : 0;
}

function lexGteMin(m: string, r: LexRange): boolean {
  const c = cmpLex(m, r.min);
  return r.min.ex ? c > 0 : c >= 0;
}

function lexLteMax(m: string, r: LexRange): boolean {
  const c = cmpLex(m, r.max);
  return r.max.ex ? c < 0 : c <= 0;
}

/** The range can hold nothing (zslIsInLexRange's first test: min above max, or equal and one exclusive). */
function lexRangeEmpty(r: LexRange): boolean {
  const a = r.min;
  const b = r.max;
  let cmp: number;
  if (a.kind === b.kind && a.kind !== 0) cmp = 0;
  else if (a.kind === -1 || b.kind === 1) cmp = -1;
  else if (a.kind === 1 || b.kind === -1) cmp = 1;
  else cmp = a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
  return cmp > 0 || (cmp === 0 && (a.ex || b.ex));
}

// ---- finding ranges ----------------------------------------------------------------------------

/** zslFirstInRange: the first pair with a score in the range (its place and rank), or null. */
function firstInRange(z: ZSetObject, r: ScoreRange): ZPos | null {
  const p = z.zsl.seek(new ScoreBefore(r.min, r.minex));
  if (p.leaf === null || !r.lteMax(p.leaf.scores[p.i]!)) return null;
  return p;
}

/** zslLastInRange: the last pair with a score in the range, or null. */
function lastInRange(z: ZSetObject, r: ScoreRange): ZPos | null {
  const p = stepBack(z, z.zsl.seek(new ScoreBefore(r.max, !r.maxex)));
  if (p.leaf === null || !r.gteMin(p.leaf.scores[p.i]!)) return null;
  return p;
}

/**
 * zslFirstInLexRange / zzlFirstInLexRange: the first pair whose member is in the range, or null.
 * A listpack is walked from its head to the first member at or above min, which must then be at
 * or below max; a skiplist is descended by the same test. Both agree when every score is equal.
 */
function firstInLexRange(z: ZSetObject, r: LexRange): ZPos | null {
  if (!lexInRange(z, r)) return null;
  if (z.listpack) {
    let rank = 0;
    for (let leaf: ZLeaf | null = z.zsl.head; leaf !== null; leaf = leaf.next) {
      const mm = leaf.members;
      for (let i = 0; i < mm.length; i++, rank++) {
        if (!lexGteMin(mm[i]!, r)) continue;
        if (!lexLteMax(mm[i]!, r)) return null;
        POS.leaf = leaf;
        POS.i = i;
        POS.rank = rank;
        return POS;
      }
    }
    return null;
  }
  const p = z.zsl.seek(new LexBelowMin(r));
  if (p.leaf === null || !lexLteMax(p.leaf.members[p.i]!, r)) return null;
  return p;
}

/** zslLastInLexRange / zzlLastInLexRange: the last pair whose member is in the range, or null. */
function lastInLexRange(z: ZSetObject, r: LexRange): ZPos | null {
  if (!lexInRange(z, r)) return null;
  if (z.listpack) {
    let rank = z.length - 1;
    for (let leaf: ZLeaf | null = z.zsl.tail; leaf !== null; leaf = leaf.prev) {
      const mm = leaf.members;
      for (let i = mm.length - 1; i >= 0; i--, rank--) {
        if (!lexLteMax(mm[i]!, r)) continue;
        if (!lexGteMin(mm[i]!, r)) return null;
        POS.leaf = leaf;
        POS.i = i;
        POS.rank = rank;
        return POS;
      }
    }
    return null;
  }
  const p = stepBack(z, z.zsl.seek(new LexUpToMax(r)));
  if (p.leaf === null || !lexGteMin(p.leaf.members[p.i]!, r)) return null;
  return p;
}

/** zslIsInLexRange: the range is not empty, the last member is at or above min, the first at or below max. */
function lexInRange(z: ZSetObject, r: LexRange): boolean {
  if (lexRangeEmpty(r) || z.length === 0) return false;
  const tail = z.zsl.tail;
  if (!lexGteMin(tail.members[tail.members.length - 1]!, r)) return false;
  return lexLteMax(z.zsl.head.members[0]!, r);
}

// ---- helpers -----------------------------------------------------------------------------------

/** checkType for sorted sets: the sorted set, undefined for no key, or WRONGTYPE. */
function zsetOf(o: RedisObject | undefined): ZSetObject | undefined {
  return asType<ZSetObject>(o, 'zset');
}

/** A member and its score in a WITHSCORES reply: flat in RESP2, a pair in RESP3. */
function pushPair(c: Client, out: Reply[], member: string | Uint8Array, score: number): void {
  if (c.resp === 2) out.push(member, doubleReplyText(score));
  else out.push([member, new DoubleReply(score, doubleReplyText(score))]);
}

/**
 * The end of every *STORE command (zrangeResultFinalizeStore, zunionInterDiffGenericCommand):
 * `result` becomes the value of `dstKey` (its TTL dropped), or `dstKey` is deleted when the
 * result is empty. Replies with the result's size.
 */
function storeResult(c: Client, dstKey: KeyString, result: ZSetObject, event: string): Reply {
  const db = c.db;
  if (result.length > 0) {
    db.lookupKeyWrite(dstKey); // setKey's lookup: an expired destination is deleted first
    db.setKey(dstKey, result);
    c.engine.notifyKeyspaceEvent(NOTIFY_ZSET, event, dstKey, db.id);
    c.engine.dirty++;
    return result.length;
  }
  if (db.dbDelete(dstKey)) {
    c.engine.signalModifiedKey(db, dstKey);
    c.engine.notifyKeyspaceEvent(NOTIFY_GENERIC, 'del', dstKey, db.id);
    c.engine.dirty++;
  }
  return 0;
}

// ---- ZADD ZINCRBY ------------------------------------------------------------------------------

const ZADD_IN_INCR = 1;
const ZADD_IN_NX = 2;
const ZADD_IN_XX = 4;
const ZADD_IN_GT = 8;
const ZADD_IN_LT = 16;

const ZADD_OUT_NOP = 1;
const ZADD_OUT_NAN = 2;
const ZADD_OUT_ADDED = 4;
const ZADD_OUT_UPDATED = 8;

/** zsetAdd's new score (the increment's result with INCR), in a field V8 updates in place. */
const zaddOut = { newScore: 0.5 };

/**
 * zsetAdd: add a member or update its score, as the flags say; returns the ZADD_OUT_* flags.
 * A listpack turns into a skiplist when the member is new and would make it too long or is too
 * long itself.
 */
function zsetAdd(z: ZSetObject, score: number, member: string, flags: number, ascii = false): number {
  const cur = z.dict.get(member);
  if (cur !== undefined) {
    if (flags & ZADD_IN_NX) return ZADD_OUT_NOP;
    if (flags & ZADD_IN_INCR) {
      score += cur;
      if (Number.isNaN(score)) return ZADD_OUT_NAN;
    }
    if ((flags & ZADD_IN_LT && score >= cur) || (flags & ZADD_IN_GT && score <= cur)) return ZADD_OUT_NOP;
    zaddOut.newScore = score;
    if (score !== cur) {
      z.update(member, cur, score);
      return ZADD_OUT_UPDATED;
    }
    return 0;
  }
  if (flags & ZADD_IN_XX) return ZADD_OUT_NOP;
  if (z.listpack && (z.length + 1 > ZSET_MAX_LISTPACK_ENTRIES || member.length > ZSET_MAX_LISTPACK_VALUE)) z.listpack = false;
  z.insert(member, score, ascii);
  zaddOut.newScore = score;
  return ZADD_OUT_ADDED;
}

/** ZADD's options by name (0: CH). */
const ZADD_OPTIONS = new Map<string, number>([
  ['nx', ZADD_IN_NX],
  ['xx', ZADD_IN_XX],
  ['ch', 0],
  ['incr', ZADD_IN_INCR],
  ['gt', ZADD_IN_GT],
  ['lt', ZADD_IN_LT],
]);

/** An option name as strcasecmp sees it: the argument as a C string (cut at its first NUL), lower case (ASCII). */
function optionName(a: Arg): string {
  if (typeof a === 'string' && a.length <= 4) {
    // The common case (a score or a short option) without regex or copies.
    const c = a.charCodeAt(0);
    if ((c >= 48 && c <= 57) || c === 45 || c === 43 || c === 46) return '';
  }
  let s = argLatin1(a);
  const nul = s.indexOf('\0');
  if (nul >= 0) s = s.slice(0, nul);
  return s.length > 4 ? '' : s.toLowerCase();
}

/** zaddGenericCommand: ZADD and ZINCRBY (which is ZADD with INCR set). */
function zaddGenericCommand(c: Client, argv: Arg[], inFlags: number): Reply {
  let flags = inFlags;
  let ch = false;
  let scoreidx = 2;
  for (; scoreidx < argv.length; scoreidx++) {
    const opt = ZADD_OPTIONS.get(optionName(argv[scoreidx]!));
    if (opt === undefined) break;
    if (opt === 0) ch = true;
    else flags |= opt;
  }
  const incr = (flags & ZADD_IN_INCR) !== 0;
  const nx = (flags & ZADD_IN_NX) !== 0;
  const xx = (flags & ZADD_IN_XX) !== 0;
  const gt = (flags & ZADD_IN_GT) !== 0;
  const lt = (flags & ZADD_IN_LT) !== 0;
  let elements = argv.length - scoreidx;
  if (elements % 2 !== 0 || elements === 0) throw syntaxErr();
  elements /= 2;
  if (nx && xx) throw zaddNxXxErr();
  if ((gt && nx) || (lt && nx) || (gt && lt)) throw zaddGtLtNxErr();
  if (incr && elements > 1) throw zaddIncrPairsErr();
  // Every score is parsed before anything changes: the command runs whole or not at all.
  const first = parseDouble(argv[scoreidx]!);
  let scores: number[] | null = null;
  if (elements > 1) {
    scores = new Array<number>(elements);
    scores[0] = first;
    for (let j = 1; j < elements; j++) scores[j] = parseDouble(argv[scoreidx + j * 2]!);
  }

  const db = c.db;
  const key = toKey(argv[1]!);
  let z = zsetOf(db.lookupKeyWrite(key));
  let added = 0;
  let updated = 0;
  let processed = 0;
  let score = 0;
  if (z === undefined) {
    if (xx) return incr ? null : 0; // no key + XX: nothing to do
    z = new ZSetObject(toMember(argv[scoreidx + 1]!).length <= ZSET_MAX_LISTPACK_VALUE);
    db.dbAdd(key, z);
  }
  let nanError = false;
  for (let j = 0; j < elements; j++) {
    const m = toMember(argv[scoreidx + 1 + j * 2]!);
    const ret = zsetAdd(z, scores === null ? first : scores[j]!, m, flags, memberIsAscii);
    if (ret & ZADD_OUT_NAN) {
      nanError = true;
      break;
    }
    if (ret & ZADD_OUT_ADDED) added++;
    if (ret & ZADD_OUT_UPDATED) updated++;
    if (!(ret & ZADD_OUT_NOP)) processed++;
    score = zaddOut.newScore;
  }
  if (!nanError) c.engine.dirty += added + updated;
  if (added || updated) {
    c.engine.signalModifiedKey(db, key);
    c.engine.notifyKeyspaceEvent(NOTIFY_ZSET, incr ? 'zincr' : 'zadd', key, db.id);
  }
  if (nanError) throw scoreNanErr();
  if (incr) return processed ? scoreReply(c, score) : null;
  return ch ? added + updated : added;
}

/** ZADD key [NX|XX] [GT|LT] [CH] [INCR] score member [score member ...] */
function zaddCommand(c: Client, argv: Arg[]): Reply {
  return zaddGenericCommand(c, argv, 0);
}

/** ZINCRBY key increment member */
function zincrbyCommand(c: Client, argv: Arg[]): Reply {
  return zaddGenericCommand(c, argv, ZADD_IN_INCR);
}

// ---- ZREM ZREMRANGEBY* -------------------------------------------------------------------------

/** ZREM key member [member ...] */
function zremCommand(c: Client, argv: Arg[]): Reply {
  const db = c.db;
  const key = toKey(argv[1]!);
  const z = zsetOf(db.lookupKeyWrite(key));
  if (z === undefined) return 0;
  let deleted = 0;
  let keyremoved = false;
  for (let j = 2; j < argv.length; j++) {
    if (z.remove(toMember(argv[j]!))) deleted++;
    if (z.length === 0) {
      db.dbDelete(key);
      keyremoved = true;
      break;
    }
  }
  if (deleted) {
    c.engine.notifyKeyspaceEvent(NOTIFY_ZSET, 'zrem', key, db.id);
    if (keyremoved) c.engine.notifyKeyspaceEvent(NOTIFY_GENERIC, 'del', key, db.id);
    c.engine.signalModifiedKey(db, key);
    c.engine.dirty += deleted;
  }
  return deleted;
}

const ZRANGE_RANK = 1;
const ZRANGE_SCORE = 2;
const ZRANGE_LEX = 3;

/** zremrangeGenericCommand: ZREMRANGEBYRANK, ZREMRANGEBYSCORE, ZREMRANGEBYLEX. */
function zremrangeGenericCommand(c: Client, argv: Arg[], rangetype: number): Reply {
  let start = 0;
  let end = 0;
  let range: ScoreRange | null = null;
  let lexrange: LexRange | null = null;
  let event: string;
  if (rangetype === ZRANGE_RANK) {
    event = 'zremrangebyrank';
    start = parseLong(argv[2]!);
    end = parseLong(argv[3]!);
  } else if (rangetype === ZRANGE_SCORE) {
    event = 'zremrangebyscore';
    range = parseScoreRange(argv[2]!, argv[3]!);
  } else {
    event = 'zremrangebylex';
    lexrange = parseLexRange(argv[2]!, argv[3]!);
  }
  const db = c.db;
  const key = toKey(argv[1]!);
  const z = zsetOf(db.lookupKeyWrite(key));
  if (z === undefined) return 0;
  const llen = z.length;
  let first: number;
  let count: number;
  if (rangetype === ZRANGE_RANK) {
    if (start < 0) start = llen + start;
    if (end < 0) end = llen + end;
    if (start < 0) start = 0;
    if (start > end || start >= llen) return 0;
    if (end >= llen) end = llen - 1;
    first = start;
    count = end - start + 1;
  } else if (range !== null) {
    // zslDeleteRangeByScore: from the first pair at or above min, while at or below max.
    const p = z.zsl.seek(new ScoreBefore(range.min, range.minex));
    first = p.rank;
    count = p.leaf === null ? 0 : countWhile(p, range);
  } else {
    // zslDeleteRangeByLex / zzlDeleteRangeByLex: the same from the first member at or above min.
    const lr = lexrange!;
    let p: ZPos | null;
    if (z.listpack) p = firstInLexRange(z, lr);
    else {
      p = z.zsl.seek(new LexBelowMin(lr));
      if (p.leaf === null) p = null;
    }
    first = p === null ? 0 : p.rank;
    count = p === null ? 0 : countWhile(p, lr);
  }
  let keyremoved = false;
  if (count === llen) {
    db.dbDelete(key);
    keyremoved = true;
  } else {
    z.deleteRangeByRank(first, count);
  }
  if (count) {
    c.engine.signalModifiedKey(db, key);
    c.engine.notifyKeyspaceEvent(NOTIFY_ZSET, event, key, db.id);
    if (keyremoved) c.engine.notifyKeyspaceEvent(NOTIFY_GENERIC, 'del', key, db.id);
  }
  c.engine.dirty += count;
  return count;
}

/** How many pairs from `p` up are within `r` (at or below its max), consecutively. */
function countWhile(p: ZPos, r: PairRange): number {
  let n = 0;
  for (let leaf = p.leaf, i = p.i; leaf !== null; leaf = leaf.next, i = 0) {
    const mm = leaf.members;
    const ss = leaf.scores;
    for (; i < mm.length; i++, n++) if (!r.within(ss[i]!, mm[i]!, false)) return n;
  }
  return n;
}

/** ZREMRANGEBYRANK key start stop */
function zremrangebyrankCommand(c: Client, argv: Arg[]): Reply {
  return zremrangeGenericCommand(c, argv, ZRANGE_RANK);
}

/** ZREMRANGEBYSCORE key min max */
function zremrangebyscoreCommand(c: Client, argv: Arg[]): Reply {
  return zremrangeGenericCommand(c, argv, ZRANGE_SCORE);
}

/** ZREMRANGEBYLEX key min max */
function zremrangebylexCommand(c: Client, argv: Arg[]): Reply {
  return zremrangeGenericCommand(c, argv, ZRANGE_LEX);
}

// ---- ZUNION ZINTER ZDIFF and their STOREs, ZINTERCARD ------------------------------------------

const SET_OP_UNION = 0;
const SET_OP_DIFF = 1;
const SET_OP_INTER = 2;

const AGGR_SUM = 1;
const AGGR_MIN = 2;
const AGGR_MAX = 3;

/** One input of a set operation (zsetopsrc): a sorted set, a set (every score 1), or nothing. */
interface OpSource {
  z: ZSetObject | null;
  s: SetObject | null;
  weight: number;
}

function srcLength(src: OpSource): number {
  return src.z !== null ? src.z.length : src.s !== null ? src.s.size : 0;
}

/** zuiNext over a whole input: fn(member, score). A sorted set is walked from its highest score, as Redis does. */
function srcForEach(src: OpSource, fn: (m: string, s: number) => boolean | void): void {
  if (src.z !== null) {
    for (let leaf: ZLeaf | null = src.z.zsl.tail; leaf !== null; leaf = leaf.prev) {
      const mm = leaf.members;
      const ss = leaf.scores;
      for (let i = mm.length - 1; i >= 0; i--) if (fn(mm[i]!, ss[i]!) === false) return;
    }
  } else if (src.s !== null) {
    for (const k of src.s.keys()) if (fn(keyLatin1(k), 1) === false) return;
  }
}

/** zuiFind: the member's score in the input, or undefined. */
function srcFind(src: OpSource, m: string): number | undefined {
  if (src.z !== null) return src.z.dict.get(m);
  if (src.s !== null) return src.s.has(memberKey(m)) ? 1 : undefined;
  return undefined;
}

/** zunionInterAggregate */
function aggregate(target: number, val: number, how: number): number {
  if (how === AGGR_SUM) {
    const r = target + val;
    // +inf and -inf add up to NaN: Redis' convention makes that 0.
    return Number.isNaN(r) ? 0 : r;
  }
  if (how === AGGR_MIN) return val < target ? val : target;
  return val > target ? val : target;
}

/**
 * zunionInterDiffGenericCommand: ZUNION ZINTER ZDIFF ZUNIONSTORE ZINTERSTORE ZDIFFSTORE
 * ZINTERCARD. `numkeysIndex` is where numkeys is (1, or 2 after a destination).
 */
function zunionInterDiffGenericCommand(
  c: Client,
  argv: Arg[],
  dstKey: KeyString | null,
  numkeysIndex: number,
  op: number,
  cardinalityOnly: boolean,
): Reply {
  const fullname = typeof argv[0] === 'string' ? argv[0].toLowerCase() : argLatin1(argv[0]!).toLowerCase();
  const setnum = parseLong(argv[numkeysIndex]!);
  if (setnum < 1) throw zsetNumkeysErr(fullname);
  if (setnum > argv.length - (numkeysIndex + 1)) throw syntaxErr();
  const db = c.db;
  const src: OpSource[] = [];
  let j = numkeysIndex + 1;
  for (let i = 0; i < setnum; i++, j++) {
    const o = db.lookupKeyRead(toKey(argv[j]!));
    const entry: OpSource = { z: null, s: null, weight: 1 };
    if (o !== undefined) {
      if (isString(o) || (o.type !== 'zset' && o.type !== 'set')) throw wrongTypeErr();
      if (o.type === 'zset') entry.z = o as ZSetObject;
      else entry.s = o as SetObject;
    }
    src.push(entry);
  }
  let aggr = AGGR_SUM;
  let withscores = false;
  let limit = 0;
  while (j < argv.length) {
    const remaining = argv.length - j;
    const opt = argv[j]!;
    if (op !== SET_OP_DIFF && !cardinalityOnly && remaining >= setnum + 1 && optionIs(opt, 'weights')) {
      j++;
      for (let i = 0; i < setnum; i++, j++) src[i]!.weight = parseDouble(argv[j]!, weightNotFloatErr);
    } else if (op !== SET_OP_DIFF && !cardinalityOnly && remaining >= 2 && optionIs(opt, 'aggregate')) {
      j++;
      const how = argv[j]!;
      if (optionIs(how, 'sum')) aggr = AGGR_SUM;
      else if (optionIs(how, 'min')) aggr = AGGR_MIN;
      else if (optionIs(how, 'max')) aggr = AGGR_MAX;
      else throw syntaxErr();
      j++;
    } else if (remaining >= 1 && dstKey === null && !cardinalityOnly && optionIs(opt, 'withscores')) {
      j++;
      withscores = true;
    } else if (cardinalityOnly && remaining >= 2 && optionIs(opt, 'limit')) {
      j++;
      limit = parseRangeLong(argv[j]!, 0, limitNegativeErr);
      j++;
    } else {
      throw syntaxErr();
    }
  }
  // Smallest input first (a stable sort, as glibc's qsort is for arrays this small).
  if (op !== SET_OP_DIFF) src.sort((a, b) => srcLength(a) - srcLength(b));

  // The result as pairs; `members` in no order until sorted below.
  const members: string[] = [];
  const scores: number[] = doubleArray();
  let cardinality = 0;
  if (op === SET_OP_INTER) {
    const first = src[0]!;
    if (srcLength(first) > 0) {
      srcForEach(first, (m, s) => {
        let score = first.weight * s;
        if (Number.isNaN(score)) score = 0;
        for (let k = 1; k < src.length; k++) {
          const other = src[k]!;
          const v = other === first || (other.z !== null && other.z === first.z) || (other.s !== null && other.s === first.s) ? s : srcFind(other, m);
          if (v === undefined) return true;
          score = aggregate(score, v * other.weight, aggr);
        }
        if (cardinalityOnly) {
          cardinality++;
          if (limit && cardinality >= limit) return false;
        } else {
          members.push(m);
          scores.push(score);
        }
        return true;
      });
    }
  } else if (op === SET_OP_UNION) {
    const acc = new Map<string, number>();
    for (const input of src) {
      if (srcLength(input) === 0) continue;
      srcForEach(input, (m, s) => {
        let score = input.weight * s;
        if (Number.isNaN(score)) score = 0;
        const cur = acc.get(m);
        acc.set(m, cur === undefined ? score : aggregate(cur, score, aggr));
      });
    }
    for (const [m, s] of acc) {
      members.push(m);
      scores.push(s);
    }
  } else {
    zdiff(src, members, scores);
  }
  if (cardinalityOnly) return cardinality;

  // The result sorted set (Redis builds a skiplist): pairs in order.
  const order = sortPairs(members, scores);
  if (dstKey !== null) {
    const sm: string[] = [];
    const ss: number[] = doubleArray();
    let maxlen = 0;
    for (const k of order) {
      sm.push(members[k]!);
      ss.push(scores[k]!);
      if (members[k]!.length > maxlen) maxlen = members[k]!.length;
    }
    // zsetConvertToListpackIfNeeded
    const listpack = sm.length <= ZSET_MAX_LISTPACK_ENTRIES && maxlen <= ZSET_MAX_LISTPACK_VALUE;
    const event = op === SET_OP_UNION ? 'zunionstore' : op === SET_OP_INTER ? 'zinterstore' : 'zdiffstore';
    return storeResult(c, dstKey, ZSetObject.fromSorted(sm, ss, listpack), event);
  }
  const out: Reply[] = [];
  for (const k of order) {
    const m = bytesReply(members[k]!);
    if (withscores) pushPair(c, out, m, scores[k]!);
    else out.push(m);
  }
  return out;
}

/** The indexes of the pairs in Redis' order (score, then member bytes). */
function sortPairs(members: readonly string[], scores: readonly number[]): number[] {
  const order = Array.from({ length: members.length }, (_, i) => i);
  order.sort((a, b) => {
    const sa = scores[a]!;
    const sb = scores[b]!;
    if (sa < sb) return -1;
    if (sa > sb) return 1;
    const ma = members[a]!;
    const mb = members[b]!;
    return ma < mb ? -1 : ma > mb ? 1 : 0;
  });
  return order;
}

/**
 * zdiff: the members of the first input in none of the others, with their first-input scores.
 * Redis picks one of two algorithms by an estimate of their work; both give this result (and
 * nothing when the first key is also given later).
 */
function zdiff(src: OpSource[], members: string[], scores: number[]): void {
  const first = src[0]!;
  if (srcLength(first) === 0) return;
  for (let k = 1; k < src.length; k++) {
    const o = src[k]!;
    if ((first.z !== null && o.z === first.z) || (first.s !== null && o.s === first.s)) return;
  }
  const others = src.slice(1).filter((o) => srcLength(o) > 0);
  srcForEach(first, (m, s) => {
    for (const o of others) if (srcFind(o, m) !== undefined) return;
    members.push(m);
    scores.push(s);
  });
}

/** ZUNIONSTORE destination numkeys key [key ...] [WEIGHTS weight ...] [AGGREGATE SUM|MIN|MAX] */
function zunionstoreCommand(c: Client, argv: Arg[]): Reply {
  return zunionInterDiffGenericCommand(c, argv, toKey(argv[1]!), 2, SET_OP_UNION, false);
}

/** ZINTERSTORE destination numkeys key [key ...] [WEIGHTS weight ...] [AGGREGATE SUM|MIN|MAX] */
function zinterstoreCommand(c: Client, argv: Arg[]): Reply {
  return zunionInterDiffGenericCommand(c, argv, toKey(argv[1]!), 2, SET_OP_INTER, false);
}

/** ZDIFFSTORE destination numkeys key [key ...] */
function zdiffstoreCommand(c: Client, argv: Arg[]): Reply {
  return zunionInterDiffGenericCommand(c, argv, toKey(argv[1]!), 2, SET_OP_DIFF, false);
}

/** ZUNION numkeys key [key ...] [WEIGHTS weight ...] [AGGREGATE SUM|MIN|MAX] [WITHSCORES] */
function zunionCommand(c: Client, argv: Arg[]): Reply {
  return zunionInterDiffGenericCommand(c, argv, null, 1, SET_OP_UNION, false);
}

/** ZINTER numkeys key [key ...] [WEIGHTS weight ...] [AGGREGATE SUM|MIN|MAX] [WITHSCORES] */
function zinterCommand(c: Client, argv: Arg[]): Reply {
  return zunionInterDiffGenericCommand(c, argv, null, 1, SET_OP_INTER, false);
}

/** ZINTERCARD numkeys key [key ...] [LIMIT limit] */
function zintercardCommand(c: Client, argv: Arg[]): Reply {
  return zunionInterDiffGenericCommand(c, argv, null, 1, SET_OP_INTER, true);
}

/** ZDIFF numkeys key [key ...] [WITHSCORES] */
function zdiffCommand(c: Client, argv: Arg[]): Reply {
  return zunionInterDiffGenericCommand(c, argv, null, 1, SET_OP_DIFF, false);
}

// ---- ZRANGE and its family ---------------------------------------------------------------------

/**
 * Where a range's pairs go (zrange_result_handler): into a reply, or into a new sorted set
 * (ZRANGESTORE). `length` is known in advance for a rank range (-1 otherwise).
 */
interface RangeSink {
  begin(length: number): void;
  emit(z: ZSetObject, member: string, score: number): void;
  finalize(count: number): Reply;
}

/** zrangeResultHandler for a client: members, with their scores when asked. */
class ClientSink implements RangeSink {
  private readonly out: Reply[] = [];

  constructor(
    private readonly c: Client,
    private readonly withscores: boolean,
  ) {}

  begin(): void {}

  emit(z: ZSetObject, m: string, s: number): void {
    const member = z.ascii ? m : memberReply(z, m);
    if (!this.withscores) this.out.push(member);
    else if (this.c.resp === 2) this.out.push(member, doubleReplyText(s));
    else this.out.push([member, new DoubleReply(s, doubleReplyText(s))]);
  }

  finalize(): Reply {
    return this.out;
  }
}

/**
 * zrangeResultHandler for ZRANGESTORE: the pairs go into a new sorted set, added one by one as
 * Redis does: it starts as a listpack (a skiplist for a rank range of more than 128) and turns
 * into a skiplist when the 129th pair or a member longer than 64 bytes comes; the pairs added
 * while it is a listpack have their score stored as a listpack stores it (-0 as 0).
 */
class StoreSink implements RangeSink {
  private readonly members: string[] = [];
  private readonly scores: number[] = doubleArray();
  private listpack = true;

  constructor(
    private readonly c: Client,
    private readonly dstKey: KeyString,
  ) {}

  begin(length: number): void {
    if (length > ZSET_MAX_LISTPACK_ENTRIES) this.listpack = false;
  }

  emit(_z: ZSetObject, m: string, s: number): void {
    if (this.listpack && (this.members.length + 1 > ZSET_MAX_LISTPACK_ENTRIES || m.length > ZSET_MAX_LISTPACK_VALUE)) {
      this.listpack = false; // zsetConvert: the pairs so far keep the scores the listpack gave them
    }
    this.members.push(m);
    this.scores.push(this.listpack && s === 0 ? 0 : s);
  }

  finalize(count: number): Reply {
    if (count === 0) return storeResult(this.c, this.dstKey, new ZSetObject(), 'zrangestore');
    const order = sortPairs(this.members, this.scores);
    const sm: string[] = [];
    const ss = doubleArray();
    for (const k of order) {
      sm.push(this.members[k]!);
      ss.push(this.scores[k]!);
    }
    const z = ZSetObject.fromSorted(sm, ss, false);
    z.listpack = this.listpack;
    return storeResult(this.c, this.dstKey, z, 'zrangestore');
  }
}

/** genericZrangebyrankCommand: ZRANGE, ZREVRANGE (and ZRANGESTORE) by rank. */
function zrangeByRank(sink: RangeSink, z: ZSetObject, start: number, end: number, reverse: boolean): Reply {
  const llen = z.length;
  if (start < 0) start = llen + start;
  if (end < 0) end = llen + end;
  if (start < 0) start = 0;
  if (start > end || start >= llen) {
    sink.begin(0);
    return sink.finalize(0);
  }
  if (end >= llen) end = llen - 1;
  const rangelen = end - start + 1;
  sink.begin(rangelen);
  const p = z.zsl.seekRank(reverse ? llen - 1 - start : start);
  emitPairs(sink, z, p.leaf, p.i, rangelen, reverse, null);
  return sink.finalize(rangelen);
}

/**
 * Emit up to `limit` pairs (negative: no limit) from (leaf, i) towards the higher scores (or the
 * lower, `reverse`), stopping at the first pair not within `range` (when given). Returns how many.
 */
function emitPairs(sink: RangeSink, z: ZSetObject, leaf: ZLeaf | null, i: number, limit: number, reverse: boolean, range: PairRange | null): number {
  let count = 0;
  while (leaf !== null && limit-- !== 0) {
    const s = leaf.scores[i]!;
    const m = leaf.members[i]!;
    if (range !== null && !range.within(s, m, reverse)) break;
    count++;
    sink.emit(z, m, s);
    if (reverse) {
      if (--i < 0) {
        leaf = leaf.prev;
        i = leaf === null ? 0 : leaf.members.length - 1;
      }
    } else if (++i === leaf.members.length) {
      leaf = leaf.next;
      i = 0;
    }
  }
  return count;
}

/**
 * The pairs from `p` on (towards the higher scores, or the lower, `reverse`): skip `offset`, then
 * emit at most `limit` (negative: no limit) while they are within `range`.
 */
function emitFrom(sink: RangeSink, z: ZSetObject, p: ZPos | null, offset: number, limit: number, reverse: boolean, range: PairRange): Reply {
  sink.begin(-1);
  if (p === null || offset < 0) return sink.finalize(0); // a negative offset walks off the end in Redis
  let leaf = p.leaf;
  let i = p.i;
  if (offset > 0) {
    // Skip `offset` pairs by rank rather than one by one.
    const rank = reverse ? p.rank - offset : p.rank + offset;
    if (rank < 0 || rank >= z.length) return sink.finalize(0);
    const q = z.zsl.seekRank(rank);
    leaf = q.leaf;
    i = q.i;
  }
  return sink.finalize(emitPairs(sink, z, leaf, i, limit, reverse, range));
}

/** genericZrangebyscoreCommand */
function zrangeByScore(sink: RangeSink, z: ZSetObject, r: ScoreRange, offset: number, limit: number, reverse: boolean): Reply {
  if (offset > 0 && offset >= z.length) {
    sink.begin(-1);
    return sink.finalize(0);
  }
  const p = reverse ? lastInRange(z, r) : firstInRange(z, r);
  return emitFrom(sink, z, p, offset, limit, reverse, r);
}

/** genericZrangebylexCommand */
function zrangeByLex(sink: RangeSink, z: ZSetObject, r: LexRange, offset: number, limit: number, reverse: boolean): Reply {
  const p = reverse ? lastInLexRange(z, r) : firstInLexRange(z, r);
  return emitFrom(sink, z, p, offset, limit, reverse, r);
}

/**
 * zrangeGenericCommand: ZRANGE, ZRANGESTORE and the older ZREVRANGE, Z[REV]RANGEBYSCORE,
 * Z[REV]RANGEBYLEX, which fix the range type and direction. `argcStart` is the source key's index.
 */
function zrangeGenericCommand(c: Client, argv: Arg[], argcStart: number, dstKey: KeyString | null, fixedType: number, fixedReverse: boolean | null): Reply {
  let rangetype = fixedType;
  let reverse = fixedReverse;
  let withscores = false;
  let offset = 0;
  let limit = -1;
  for (let j = argcStart + 3; j < argv.length; j++) {
    const leftargs = argv.length - j - 1;
    const a = argv[j]!;
    if (dstKey === null && optionIs(a, 'withscores')) {
      withscores = true;
    } else if (optionIs(a, 'limit') && leftargs >= 2) {
      offset = parseLong(argv[j + 1]!);
      limit = parseLong(argv[j + 2]!);
      j += 2;
    } else if (reverse === null && optionIs(a, 'rev')) {
      reverse = true;
    } else if (rangetype === 0 && optionIs(a, 'bylex')) {
      rangetype = ZRANGE_LEX;
    } else if (rangetype === 0 && optionIs(a, 'byscore')) {
      rangetype = ZRANGE_SCORE;
    } else {
      throw syntaxErr();
    }
  }
  if (reverse === null) reverse = false;
  if (rangetype === 0) rangetype = ZRANGE_RANK;
  if (limit !== -1 && rangetype === ZRANGE_RANK) throw zrangeLimitRankErr();
  if (withscores && rangetype === ZRANGE_LEX) throw zrangeWithscoresLexErr();
  let minidx = argcStart + 1;
  let maxidx = argcStart + 2;
  if (reverse && rangetype !== ZRANGE_RANK) [minidx, maxidx] = [maxidx, minidx]; // given as max, min

  let start = 0;
  let end = 0;
  let range: ScoreRange | null = null;
  let lexrange: LexRange | null = null;
  if (rangetype === ZRANGE_RANK) {
    start = parseLong(argv[minidx]!);
    end = parseLong(argv[maxidx]!);
  } else if (rangetype === ZRANGE_SCORE) {
    range = parseScoreRange(argv[minidx]!, argv[maxidx]!);
  } else {
    lexrange = parseLexRange(argv[minidx]!, argv[maxidx]!);
  }

  const sink = dstKey !== null ? new StoreSink(c, dstKey) : new ClientSink(c, withscores);
  const z = zsetOf(c.db.lookupKeyRead(toKey(argv[argcStart]!)));
  if (z === undefined) {
    sink.begin(-1);
    return sink.finalize(0);
  }
  if (rangetype === ZRANGE_RANK) return zrangeByRank(sink, z, start, end, reverse);
  if (range !== null) return zrangeByScore(sink, z, range, offset, limit, reverse);
  return zrangeByLex(sink, z, lexrange!, offset, limit, reverse);
}

/** ZRANGE key start stop [BYSCORE|BYLEX] [REV] [LIMIT offset count] [WITHSCORES] */
function zrangeCommand(c: Client, argv: Arg[]): Reply {
  return zrangeGenericCommand(c, argv, 1, null, 0, null);
}

/** ZRANGESTORE dst src min max [BYSCORE|BYLEX] [REV] [LIMIT offset count] */
function zrangestoreCommand(c: Client, argv: Arg[]): Reply {
  return zrangeGenericCommand(c, argv, 2, toKey(argv[1]!), 0, null);
}

/** ZREVRANGE key start stop [WITHSCORES] */
function zrevrangeCommand(c: Client, argv: Arg[]): Reply {
  return zrangeGenericCommand(c, argv, 1, null, ZRANGE_RANK, true);
}

/** ZRANGEBYSCORE key min max [WITHSCORES] [LIMIT offset count] */
function zrangebyscoreCommand(c: Client, argv: Arg[]): Reply {
  return zrangeGenericCommand(c, argv, 1, null, ZRANGE_SCORE, false);
}

/** ZREVRANGEBYSCORE key max min [WITHSCORES] [LIMIT offset count] */
function zrevrangebyscoreCommand(c: Client, argv: Arg[]): Reply {
  return zrangeGenericCommand(c, argv, 1, null, ZRANGE_SCORE, true);
}

/** ZRANGEBYLEX key min max [LIMIT offset count] */
function zrangebylexCommand(c: Client, argv: Arg[]): Reply {
  return zrangeGenericCommand(c, argv, 1, null, ZRANGE_LEX, false);
}

/** ZREVRANGEBYLEX key max min [LIMIT offset count] */
function zrevrangebylexCommand(c: Client, argv: Arg[]): Reply {
  return zrangeGenericCommand(c, argv, 1, null, ZRANGE_LEX, true);
}

// ---- ZCOUNT ZLEXCOUNT ZCARD ZSCORE ZMSCORE ZRANK ZREVRANK ---------------------------------------

/** ZCOUNT key min max */
function zcountCommand(c: Client, argv: Arg[]): Reply {
  const range = parseScoreRange(argv[2]!, argv[3]!);
  const z = zsetOf(c.db.lookupKeyRead(toKey(argv[1]!)));
  if (z === undefined) return 0;
  const first = firstInRange(z, range);
  if (first === null) return 0;
  const r1 = first.rank;
  const last = lastInRange(z, range);
  return last === null ? z.length - r1 : last.rank - r1 + 1;
}

/** ZLEXCOUNT key min max */
function zlexcountCommand(c: Client, argv: Arg[]): Reply {
  const range = parseLexRange(argv[2]!, argv[3]!);
  const z = zsetOf(c.db.lookupKeyRead(toKey(argv[1]!)));
  if (z === undefined) return 0;
  const first = firstInLexRange(z, range);
  if (first === null) return 0;
  // A listpack counts the members from the first while they are at or below max; a skiplist
  // subtracts ranks (the same when every score is equal).
  if (z.listpack) return countWhile(first, range);
  const r1 = first.rank;
  const last = lastInLexRange(z, range);
  return last === null ? z.length - r1 : last.rank - r1 + 1;
}

/** ZCARD key */
function zcardCommand(c: Client, argv: Arg[]): Reply {
  return zsetOf(c.db.lookupKeyRead(toKey(argv[1]!)))?.length ?? 0;
}

/** ZSCORE key member */
function zscoreCommand(c: Client, argv: Arg[]): Reply {
  const z = zsetOf(c.db.lookupKeyRead(toKey(argv[1]!)));
  if (z === undefined) return null;
  const s = z.score(toMember(argv[2]!));
  return s === undefined ? null : scoreReply(c, s);
}

/** ZMSCORE key member [member ...] — a missing key is an empty sorted set. */
function zmscoreCommand(c: Client, argv: Arg[]): Reply {
  const z = zsetOf(c.db.lookupKeyRead(toKey(argv[1]!)));
  const out = new Array<Reply>(argv.length - 2);
  for (let j = 2; j < argv.length; j++) {
    const s = z?.score(toMember(argv[j]!));
    out[j - 2] = s === undefined ? null : scoreReply(c, s);
  }
  return out;
}

/** zrankGenericCommand: ZRANK and ZREVRANK. */
function zrankGenericCommand(c: Client, argv: Arg[], reverse: boolean): Reply {
  const z = zsetOf(c.db.lookupKeyRead(toKey(argv[1]!)));
  if (z === undefined) return null;
  const r = z.rank(toMember(argv[2]!), reverse);
  return r < 0 ? null : r;
}

/** ZRANK key member */
function zrankCommand(c: Client, argv: Arg[]): Reply {
  return zrankGenericCommand(c, argv, false);
}

/** ZREVRANK key member */
function zrevrankCommand(c: Client, argv: Arg[]): Reply {
  return zrankGenericCommand(c, argv, true);
}

// ---- ZSCAN -------------------------------------------------------------------------------------

/**
 * ZSCAN key cursor [MATCH pattern] [COUNT count] — the cursor is checked first, then the key (a
 * missing one replies an empty page before any option is read), then the options. A listpack is
 * returned whole with cursor 0, its scores as the listpack stores them; a skiplist is walked COUNT
 * members a call (a member and its score are one element).
 */
function zscanCommand(c: Client, argv: Arg[]): Reply {
  const cursor = parseScanCursor(argv[2]!);
  const z = zsetOf(c.db.lookupKeyRead(toKey(argv[1]!)));
  if (z === undefined) return scanReply(0, []);
  const { count, pattern } = parseScanOptions(argv, 3, false);
  const out: Reply[] = [];
  if (z.listpack) {
    z.forEach((m, s) => {
      if (pattern === null || stringmatchlen(pattern, m)) out.push(memberReply(z, m), listpackScoreText(s));
    });
    return scanReply(0, out);
  }
  const visit = (m: string): void => {
    if (pattern === null || stringmatchlen(pattern, m)) out.push(memberReply(z, m), doubleReplyText(z.dict.get(m)!));
  };
  const next = z.scanCursors().step(cursor, count, () => z.dict.keys(), visit, (m) => z.dict.has(m), c.engine.now);
  return scanReply(next, out);
}

// ---- ZPOPMIN ZPOPMAX ZMPOP and the blocking pops ----------------------------------------------

const ZSET_MIN = 0;
const ZSET_MAX = 1;

/**
 * Pop up to `count` pairs from one end of `z` (at `key`), with events, deletion of an emptied
 * set, WATCH and dirty. The reply's pairs, in popping order: flat, or each in an array (`nested`).
 */
function zpopPairs(c: Client, z: ZSetObject, key: KeyString, where: number, count: number, nested: boolean): Reply[] {
  const db = c.db;
  const n = Math.min(count, z.length);
  const start = where === ZSET_MAX ? z.length - n : 0;
  const p = z.zsl.seekRank(where === ZSET_MAX ? z.length - 1 : 0);
  let leaf = p.leaf!;
  let i = p.i;
  const out: Reply[] = [];
  for (let k = 0; k < n; k++) {
    const m = memberReply(z, leaf.members[i]!);
    const s = scoreReply(c, leaf.scores[i]!);
    if (nested) out.push([m, s]);
    else out.push(m, s);
    if (where === ZSET_MAX) {
      if (--i < 0 && leaf.prev !== null) {
        leaf = leaf.prev;
        i = leaf.members.length - 1;
      }
    } else if (++i === leaf.members.length && leaf.next !== null) {
      leaf = leaf.next;
      i = 0;
    }
  }
  c.engine.dirty += n;
  c.engine.notifyKeyspaceEvent(NOTIFY_ZSET, where === ZSET_MAX ? 'zpopmax' : 'zpopmin', key, db.id);
  c.engine.signalModifiedKey(db, key);
  if (n === z.length) {
    db.dbDelete(key);
    c.engine.notifyKeyspaceEvent(NOTIFY_GENERIC, 'del', key, db.id);
  } else {
    z.deleteRangeByRank(start, n);
  }
  return out;
}

/**
 * genericZpopCommand: pop from the first of `keys` that exists (WRONGTYPE if it is not a sorted
 * set). `count` -1 is a plain single pop. `emitkey` puts the key in the reply; `nested` pairs
 * the member and score in arrays (ZMPOP, RESP3). `nilWhenEmpty`: a null array (else an empty
 * array) when no key exists.
 */
function genericZpopCommand(
  c: Client,
  keys: readonly Arg[],
  where: number,
  emitkey: boolean,
  count: number,
  nested: boolean,
  nilWhenEmpty: boolean,
): Reply {
  const db = c.db;
  let z: ZSetObject | undefined;
  let keyArg: Arg | undefined;
  for (const k of keys) {
    const o = db.lookupKeyWrite(toKey(k));
    if (o === undefined) continue;
    z = zsetOf(o);
    keyArg = k;
    break;
  }
  if (z === undefined) return nilWhenEmpty ? NULL_ARRAY : [];
  if (count === 0) return [];
  return zpopReply(c, z, keyArg!, where, emitkey, count === -1 ? 1 : count, nested);
}

/** Pop from `z` and build genericZpopCommand's reply. */
function zpopReply(c: Client, z: ZSetObject, keyArg: Arg, where: number, emitkey: boolean, count: number, nested: boolean): Reply {
  const pairs = zpopPairs(c, z, toKey(keyArg), where, count, nested);
  if (!emitkey) return pairs;
  if (nested) return [keyArg, pairs];
  pairs.unshift(keyArg);
  return pairs;
}

/** zpopMinMaxCommand: ZPOPMIN/ZPOPMAX key [count] */
function zpopMinMaxCommand(c: Client, argv: Arg[], where: number): Reply {
  if (argv.length > 3) throw syntaxErr();
  const count = argv.length === 3 ? parseRangeLong(argv[2]!, 0, mustBePositiveErr) : -1;
  // RESP3 nests the pairs when a count was given.
  const nested = c.resp > 2 && count !== -1;
  return genericZpopCommand(c, [argv[1]!], where, false, count, nested, false);
}

/** ZPOPMIN key [count] */
function zpopminCommand(c: Client, argv: Arg[]): Reply {
  return zpopMinMaxCommand(c, argv, ZSET_MIN);
}

/** ZPOPMAX key [count] */
function zpopmaxCommand(c: Client, argv: Arg[]): Reply {
  return zpopMinMaxCommand(c, argv, ZSET_MAX);
}

/** The timeout reply of a blocked sorted set command (replyToBlockedClientTimedOut). */
const ZSET_TIMEOUT_REPLY = NULL_ARRAY;

/**
 * blockingGenericZpopCommand: BZPOPMIN, BZPOPMAX, BZMPOP once their arguments are parsed. Serve
 * from the first key holding a sorted set (logged as ZPOPMIN/ZPOPMAX key, or with the count
 * popped for BZMPOP), or block on the keys.
 *
 * A blocked command run again (blocked.ts: `c.blocked.argv` is this argv) skips keys of another
 * type: Redis 7.0 serves a blocked client from the key that became ready without looking at its
 * other keys.
 */
function blockingGenericZpopCommand(c: Client, argv: Arg[], keys: Arg[], where: number, timeoutArg: Arg, count: number, nested: boolean): Reply {
  const deadline = getTimeoutFromArg(c, timeoutArg, 'seconds');
  const db = c.db;
  const reprocessing = c.blocked !== null && c.blocked.argv === argv;
  for (const k of keys) {
    const key = toKey(k);
    const o = db.lookupKeyWrite(key);
    if (o === undefined) continue;
    if (reprocessing && (isString(o) || o.type !== 'zset')) continue;
    const z = zsetOf(o)!;
    const llen = z.length;
    if (llen === 0) continue;
    const reply = zpopReply(c, z, k, where, true, count === -1 ? 1 : count, nested);
    const name = where === ZSET_MAX ? 'ZPOPMAX' : 'ZPOPMIN';
    c.rewriteArgv(count === -1 ? [name, k] : [name, k, String(Math.min(count, llen))]);
    return reply;
  }
  return blockForKeys(c, keys.map(toKey), deadline, ZSET_TIMEOUT_REPLY, 'zset');
}

/** BZPOPMIN key [key ...] timeout */
function bzpopminCommand(c: Client, argv: Arg[]): Reply {
  return blockingGenericZpopCommand(c, argv, argv.slice(1, -1), ZSET_MIN, argv[argv.length - 1]!, -1, false);
}

/** BZPOPMAX key [key ...] timeout */
function bzpopmaxCommand(c: Client, argv: Arg[]): Reply {
  return blockingGenericZpopCommand(c, argv, argv.slice(1, -1), ZSET_MAX, argv[argv.length - 1]!, -1, false);
}

/**
 * zmpopGenericCommand: ZMPOP numkeys key [key ...] MIN|MAX [COUNT count], and BZMPOP, whose
 * arguments start one later (after the timeout). ZMPOP is logged as ZPOPMIN/ZPOPMAX key n.
 */
function zmpopGenericCommand(c: Client, argv: Arg[], numkeysIdx: number, block: boolean): Reply {
  const numkeys = parseRangeLong(argv[numkeysIdx]!, 1, numkeysErr);
  const whereIdx = numkeysIdx + numkeys + 1;
  if (whereIdx >= argv.length) throw syntaxErr();
  let where: number;
  if (optionIs(argv[whereIdx]!, 'min')) where = ZSET_MIN;
  else if (optionIs(argv[whereIdx]!, 'max')) where = ZSET_MAX;
  else throw syntaxErr();
  let count = -1;
  for (let j = whereIdx + 1; j < argv.length; j++) {
    const moreargs = argv.length - 1 - j;
    if (count === -1 && optionIs(argv[j]!, 'count') && moreargs) {
      j++;
      count = parseRangeLong(argv[j]!, 1, countPositiveErr);
    } else {
      throw syntaxErr();
    }
  }
  if (count === -1) count = 1;
  const keys = argv.slice(numkeysIdx + 1, whereIdx);
  if (block) return blockingGenericZpopCommand(c, argv, keys, where, argv[1]!, count, true);
  const db = c.db;
  for (const k of keys) {
    const o = db.lookupKeyWrite(toKey(k));
    if (o === undefined) continue;
    const z = zsetOf(o)!;
    const llen = z.length;
    const reply = zpopReply(c, z, k, where, true, count, true);
    c.rewriteArgv([where === ZSET_MAX ? 'ZPOPMAX' : 'ZPOPMIN', k, String(Math.min(count, llen))]);
    return reply;
  }
  return NULL_ARRAY;
}

/** ZMPOP numkeys key [key ...] MIN|MAX [COUNT count] */
function zmpopCommand(c: Client, argv: Arg[]): Reply {
  return zmpopGenericCommand(c, argv, 1, false);
}

/** BZMPOP timeout numkeys key [key ...] MIN|MAX [COUNT count] */
function bzmpopCommand(c: Client, argv: Arg[]): Reply {
  return zmpopGenericCommand(c, argv, 2, true);
}

// ---- ZRANDMEMBER -------------------------------------------------------------------------------

/** One member (and its score) of a ZRANDMEMBER reply: flat in RESP2, a pair in RESP3. */
function pushRandom(c: Client, out: Reply[], z: ZSetObject, m: string, s: number, withscores: boolean): void {
  const member = memberReply(z, m);
  if (!withscores) out.push(member);
  else pushPair(c, out, member, s);
}

/** The member of rank `r` (and its score) into a ZRANDMEMBER reply. */
function pushRandomRank(c: Client, out: Reply[], z: ZSetObject, r: number, withscores: boolean): void {
  const p = z.zsl.seekRank(r);
  pushRandom(c, out, z, p.leaf!.members[p.i]!, p.leaf!.scores[p.i]!, withscores);
}

/** zrandmemberWithCountCommand */
function zrandmemberWithCount(c: Client, keyArg: Arg, l: number, withscores: boolean): Reply {
  const z = zsetOf(c.db.lookupKeyRead(toKey(keyArg)));
  if (z === undefined) return [];
  const size = z.length;
  const uniq = l >= 0;
  const count = Math.abs(l);
  if (count === 0) return [];
  const random = c.engine.random;
  const out: Reply[] = [];
  // CASE 1: a negative count: that many independent picks, repeats allowed.
  if (!uniq || count === 1) {
    if (count * (withscores && c.resp === 2 ? 2 : 1) > ZRANDMEMBER_MAX_REPLY) throw randomReplyTooLargeErr(ZRANDMEMBER_MAX_REPLY);
    for (let k = 0; k < count; k++) pushRandomRank(c, out, z, Math.floor(random() * size), withscores);
    return out;
  }
  // CASE 2: as many members as the set has, or more: the whole set, from the highest score (zuiNext's order).
  if (count >= size) {
    for (let leaf: ZLeaf | null = z.zsl.tail; leaf !== null; leaf = leaf.prev) {
      for (let i = leaf.members.length - 1; i >= 0; i--) pushRandom(c, out, z, leaf.members[i]!, leaf.scores[i]!, withscores);
    }
    return out;
  }
  // CASES 3 and 4: `count` distinct members, uniformly (Floyd's sampling: O(count · log n)).
  const picked = new Set<number>();
  for (let j = size - count; j < size; j++) {
    const t = Math.floor(random() * (j + 1));
    picked.add(picked.has(t) ? j : t);
  }
  for (const r of picked) pushRandomRank(c, out, z, r, withscores);
  return out;
}

/** LONG_MAX / 2: WITHSCORES counts beyond ± this are refused ("value is out of range"). */
const LONG_MAX_HALF = LLONG_MAX / 2n;

/** ZRANDMEMBER key [count [WITHSCORES]] */
function zrandmemberCommand(c: Client, argv: Arg[]): Reply {
  if (argv.length >= 3) {
    // getRangeLongFromObjectOrReply(-LONG_MAX, LONG_MAX), then the syntax, then WITHSCORES' range.
    const v = string2ll(argLatin1(argv[2]!));
    if (v === null) throw notIntegerErr();
    if (v === LLONG_MIN) throw rangeLongErr(String(-LLONG_MAX), String(LLONG_MAX));
    if (argv.length > 4 || (argv.length === 4 && !optionIs(argv[3]!, 'withscores'))) throw syntaxErr();
    const withscores = argv.length === 4;
    if (withscores && typeof v === 'bigint' && (v < -LONG_MAX_HALF || v > LONG_MAX_HALF)) throw valueOutOfRangeErr();
    return zrandmemberWithCount(c, argv[1]!, clampInt64(v), withscores);
  }
  const z = zsetOf(c.db.lookupKeyRead(toKey(argv[1]!)));
  if (z === undefined) return null;
  const p = z.zsl.seekRank(Math.floor(c.engine.random() * z.length));
  return memberReply(z, p.leaf!.members[p.i]!);
}

export const zsetCommands: CommandHandlers = {
  bzmpop: bzmpopCommand,
  bzpopmax: bzpopmaxCommand,
  bzpopmin: bzpopminCommand,
  zadd: zaddCommand,
  zcard: zcardCommand,
  zcount: zcountCommand,
  zdiff: zdiffCommand,
  zdiffstore: zdiffstoreCommand,
  zincrby: zincrbyCommand,
  zinter: zinterCommand,
  zintercard: zintercardCommand,
  zinterstore: zinterstoreCommand,
  zlexcount: zlexcountCommand,
  zmpop: zmpopCommand,
  zmscore: zmscoreCommand,
  zpopmax: zpopmaxCommand,
  zpopmin: zpopminCommand,
  zrandmember: zrandmemberCommand,
  zrange: zrangeCommand,
  zrangebylex: zrangebylexCommand,
  zrangebyscore: zrangebyscoreCommand,
  zrangestore: zrangestoreCommand,
  zrank: zrankCommand,
  zrem: zremCommand,
  zremrangebylex: zremrangebylexCommand,
  zremrangebyrank: zremrangebyrankCommand,
  zremrangebyscore: zremrangebyscoreCommand,
  zrevrange: zrevrangeCommand,
  zrevrangebylex: zrevrangebylexCommand,
  zrevrangebyscore: zrevrangebyscoreCommand,
  zrevrank: zrevrankCommand,
  zscan: zscanCommand,
  zscore: zscoreCommand,
  zunion: zunionCommand,
  zunionstore: zunionstoreCommand,
};
