/**
 * Lists (t_list.c): BLMOVE BLMPOP BLPOP BRPOP BRPOPLPUSH LINDEX LINSERT LLEN LMOVE LMPOP LPOP
 * LPOS LPUSH LPUSHX LRANGE LREM LSET LTRIM RPOP RPOPLPUSH RPUSH RPUSHX.
 *
 * A list is a quicklist: a doubly linked list of nodes, each a small array of at most
 * LIST_NODE_MAX elements. Pushes and pops at either end are O(1) (they touch one small array);
 * LINDEX, LSET, LRANGE, LINSERT and LTRIM walk nodes — not elements — from the nearer end, as
 * Redis walks its quicklist; LREM and LPOS scan from the end they start at. Nodes that shrink are
 * merged with a neighbour, so nodes stay reasonably full whatever is removed.
 *
 * Elements are binary-safe and kept as they were pushed (sds.ts): text (a JS string standing for
 * its UTF-8 bytes) or bytes (Uint8Array). Lists never modify an element in place, so elements are
 * shared freely with replies and between lists (LMOVE). LPOS, LREM and LINSERT compare bytes.
 *
 * The blocking commands parse everything, then try to serve themselves exactly as their
 * non-blocking twin (same reply, events, and logged effect: BLPOP served is logged as LPOP …);
 * when every key is missing they block (blocked.ts) and are run again when a key becomes a list.
 */
import { blockForKeys, getTimeoutFromArg } from '../blocked.js';
import type { Client } from '../client.js';
import type { CommandHandlers } from '../commands.js';
import {
  countPositiveErr,
  lposCountNegativeErr,
  lposMaxlenNegativeErr,
  lposRankZeroErr,
  mustBePositiveErr,
  noSuchKeyErr,
  notIntegerErr,
  numkeysErr,
  outOfRangeErr,
  syntaxErr,
  wrongArityErr,
} from '../errors.js';
import type { RedisDb } from '../keyspace.js';
import { NOTIFY_GENERIC, NOTIFY_LIST } from '../notify.js';
import { asType, isString, type TypedObject } from '../object.js';
import { NULL_ARRAY, OK, type Reply } from '../reply.js';
import { argBytes, argLatin1, toKey, utf8DecodeStrict, type Arg, type KeyString } from '../sds.js';
import type { ByteReader, ByteWriter } from '../rio.js';
import { LLONG_MIN, string2ll, type Int64 } from '../util.js';

/** A list element: text or bytes, as pushed. */
export type ListElement = string | Uint8Array;

/**
 * Elements per quicklist node. Redis bounds a node by bytes (list-max-listpack-size -2: 8 KB);
 * a count keeps every node operation a small array operation.
 */
export const LIST_NODE_MAX = 128;

class ListNode {
  prev: ListNode | null = null;
  next: ListNode | null = null;
  constructor(public items: ListElement[]) {}
}

/** The quicklist (quicklist.c): see the top of this file. */
export class ListObject implements TypedObject {
  readonly type = 'list';
  private head: ListNode | null = null;
  private tail: ListNode | null = null;
  /** Number of elements (quicklist->count). */
  length = 0;

  /** A list of these elements, in order (snapshot loading, tests). */
  static from(elements: Iterable<ListElement>): ListObject {
    const l = new ListObject();
    for (const e of elements) l.pushTail(e);
    return l;
  }

  /** Number of nodes (for tests of the structure). */
  get nodeCount(): number {
    let n = 0;
    for (let x = this.head; x !== null; x = x.next) n++;
    return n;
  }

  pushHead(v: ListElement): void {
    const h = this.head;
    if (h !== null && h.items.length < LIST_NODE_MAX) h.items.unshift(v);
    else this.linkBefore(new ListNode([v]), h);
    this.length++;
  }

  pushTail(v: ListElement): void {
    const t = this.tail;
    if (t !== null && t.items.length < LIST_NODE_MAX) t.items.push(v);
    else this.linkAfter(new ListNode([v]), t);
    this.length++;
  }

  popHead(): ListElement | undefined {
    const h = this.head;
    if (h === null) return undefined;
    const v = h.items.shift()!;
    this.length--;
    if (h.items.length === 0) this.unlink(h);
    return v;
  }

  popTail(): ListElement | undefined {
    const t = this.tail;
    if (t === null) return undefined;
    const v = t.items.pop()!;
    this.length--;
    if (t.items.length === 0) this.unlink(t);
    return v;
  }

  /** Remove the first `n` elements (n <= length) and return them, head first. */
  popHeadMany(n: number): ListElement[] {
    const out: ListElement[] = [];
    while (n > 0) {
      const h = this.head!;
      if (h.items.length <= n) {
        for (const e of h.items) out.push(e);
        n -= h.items.length;
        this.length -= h.items.length;
        this.unlink(h);
      } else {
        for (const e of h.items.splice(0, n)) out.push(e);
        this.length -= n;
        n = 0;
      }
    }
    return out;
  }

  /** Remove the last `n` elements (n <= length) and return them, tail first (as RPOP count replies). */
  popTailMany(n: number): ListElement[] {
    const out: ListElement[] = [];
    while (n > 0) {
      const t = this.tail!;
      const items = t.items;
      const take = Math.min(n, items.length);
      for (let i = items.length - 1; i >= items.length - take; i--) out.push(items[i]!);
      if (take === items.length) this.unlink(t);
      else items.length -= take;
      this.length -= take;
      n -= take;
    }
    return out;
  }

  /** Drop the first `n` elements (LTRIM): whole nodes are unlinked, not visited. */
  trimHead(n: number): void {
    this.length -= n;
    while (n > 0) {
      const h = this.head!;
      if (h.items.length <= n) {
        n -= h.items.length;
        this.unlink(h);
      } else {
        h.items.splice(0, n);
        n = 0;
      }
    }
  }

  /** Drop the last `n` elements (LTRIM). */
  trimTail(n: number): void {
    this.length -= n;
    while (n > 0) {
      const t = this.tail!;
      if (t.items.length <= n) {
        n -= t.items.length;
        this.unlink(t);
      } else {
        t.items.length -= n;
        n = 0;
      }
    }
  }

  /** The element at `index` (0 <= index < length), found from the nearer end. */
  get(index: number): ListElement {
    const [node, i] = this.locate(index);
    return node.items[i]!;
  }

  /** Replace the element at `index` (0 <= index < length). */
  set(index: number, v: ListElement): void {
    const [node, i] = this.locate(index);
    node.items[i] = v;
  }

  /** `count` elements from `start` towards the tail (0 <= start, start + count <= length). */
  range(start: number, count: number): ListElement[] {
    const out = new Array<ListElement>(count);
    if (count === 0) return out;
    let [node, i] = this.locate(start);
    for (let k = 0; k < count; k++) {
      if (i === node.items.length) {
        node = node.next!;
        i = 0;
      }
      out[k] = node.items[i++]!;
    }
    return out;
  }

  /** `count` elements from `end` towards the head, in that order (end < length, count <= end + 1). */
  rangeReverse(end: number, count: number): ListElement[] {
    const out = new Array<ListElement>(count);
    if (count === 0) return out;
    let [node, i] = this.locate(end);
    for (let k = 0; k < count; k++) {
      if (i < 0) {
        node = node.prev!;
        i = node.items.length - 1;
      }
      out[k] = node.items[i--]!;
    }
    return out;
  }

  /**
   * Visit elements from the head (or from the tail) with their index from that end, until `fn`
   * returns true or `max` elements were visited.
   */
  scan(fromTail: boolean, max: number, fn: (e: ListElement, i: number) => boolean): void {
    let i = 0;
    if (!fromTail) {
      for (let n = this.head; n !== null; n = n.next) {
        for (const e of n.items) {
          if (i >= max || fn(e, i)) return;
          i++;
        }
      }
    } else {
      for (let n = this.tail; n !== null; n = n.prev) {
        const items = n.items;
        for (let k = items.length - 1; k >= 0; k--) {
          if (i >= max || fn(items[k]!, i)) return;
          i++;
        }
      }
    }
  }

  /** Every element, head to tail (snapshots, dumps). */
  forEach(fn: (e: ListElement) => void): void {
    for (let n = this.head; n !== null; n = n.next) for (const e of n.items) fn(e);
  }

  /** The elements as an array (tests and dumps only: commands never copy a whole list to read it). */
  toArray(): ListElement[] {
    const out: ListElement[] = [];
    this.forEach((e) => out.push(e));
    return out;
  }

  /**
   * LINSERT: insert `v` before (or after) the first element from the head that `match`es.
   * False when no element matches.
   */
  insertAtPivot(match: (e: ListElement) => boolean, v: ListElement, after: boolean): boolean {
    for (let n = this.head; n !== null; n = n.next) {
      const i = n.items.findIndex(match);
      if (i < 0) continue;
      this.insertInNode(n, after ? i + 1 : i, v);
      return true;
    }
    return false;
  }

  /**
   * LREM: remove elements that `match`, at most `limit` of them (0: all), scanning from the head
   * (or from the tail). Returns how many were removed.
   */
  removeMatching(match: (e: ListElement) => boolean, limit: number, fromTail: boolean): number {
    let removed = 0;
    for (let n = fromTail ? this.tail : this.head; n !== null && (limit === 0 || removed < limit); ) {
      const next = fromTail ? n.prev : n.next;
      const items = n.items;
      const before = removed;
      if (!fromTail) {
        let w = 0;
        for (let r = 0; r < items.length; r++) {
          const e = items[r]!;
          if ((limit === 0 || removed < limit) && match(e)) removed++;
          else items[w++] = e;
        }
        items.length = w;
      } else {
        let w = items.length - 1;
        for (let r = items.length - 1; r >= 0; r--) {
          const e = items[r]!;
          if ((limit === 0 || removed < limit) && match(e)) removed++;
          else items[w--] = e;
        }
        items.splice(0, w + 1);
      }
      if (removed !== before) {
        this.length -= removed - before;
        if (items.length === 0) this.unlink(n);
        // Merge into the neighbour already scanned, so no element is looked at twice.
        else this.mergeInto(n, fromTail ? n.next : n.prev);
      }
      n = next;
    }
    return removed;
  }

  dup(): ListObject {
    const l = new ListObject();
    for (let n = this.head; n !== null; n = n.next) l.linkAfter(new ListNode(n.items.slice()), l.tail);
    l.length = this.length;
    return l;
  }

  /** The node holding `index` and the offset in it, walking from the nearer end. */
  private locate(index: number): [ListNode, number] {
    if (index < this.length >>> 1) {
      let n = this.head!;
      while (index >= n.items.length) {
        index -= n.items.length;
        n = n.next!;
      }
      return [n, index];
    }
    let back = this.length - 1 - index;
    let n = this.tail!;
    while (back >= n.items.length) {
      back -= n.items.length;
      n = n.prev!;
    }
    return [n, n.items.length - 1 - back];
  }

  /** Insert at offset `i` of `n` (0..items.length), splitting a full node in two (_quicklistSplitNode). */
  private insertInNode(n: ListNode, i: number, v: ListElement): void {
    if (n.items.length >= LIST_NODE_MAX) {
      const half = n.items.length >>> 1;
      const right = new ListNode(n.items.splice(half));
      this.linkAfter(right, n);
      if (i > half) {
        n = right;
        i -= half;
      }
    }
    n.items.splice(i, 0, v);
    this.length++;
  }

  /** Move the elements of `n` into its neighbour `into` when both fit in one node (_quicklistMergeNodes). */
  private mergeInto(n: ListNode, into: ListNode | null): void {
    if (into === null || n.items.length + into.items.length > LIST_NODE_MAX) return;
    if (into === n.prev) for (const e of n.items) into.items.push(e);
    else into.items.unshift(...n.items);
    this.unlink(n);
  }

  private linkAfter(n: ListNode, at: ListNode | null): void {
    if (at === null) {
      // An empty list, or in front of the head.
      n.next = this.head;
      if (this.head !== null) this.head.prev = n;
      this.head = n;
      if (this.tail === null) this.tail = n;
      return;
    }
    n.prev = at;
    n.next = at.next;
    if (at.next !== null) at.next.prev = n;
    else this.tail = n;
    at.next = n;
  }

  private linkBefore(n: ListNode, at: ListNode | null): void {
    if (at === null) {
      this.linkAfter(n, this.tail);
      return;
    }
    n.next = at;
    n.prev = at.prev;
    if (at.prev !== null) at.prev.next = n;
    else this.head = n;
    at.prev = n;
  }

  private unlink(n: ListNode): void {
    if (n.prev !== null) n.prev.next = n.next;
    else this.head = n.next;
    if (n.next !== null) n.next.prev = n.prev;
    else this.tail = n.prev;
    n.prev = n.next = null;
  }
}

// ---- snapshot codec (rdb.ts OBJECT_CODECS, code 3) ------------------------------------------------

/** varint(length), then each element as tagged bytes: flag 0 text, flag 1 bytes (representation kept). */
export function writeListObject(w: ByteWriter, o: ListObject): void {
  w.varint(o.length);
  o.forEach((e) => (typeof e === 'string' ? w.taggedText(e, 0) : w.taggedBytes(e, 1)));
}

export function readListObject(r: ByteReader): ListObject {
  const l = new ListObject();
  for (let n = r.varint(); n > 0; n--) {
    const { length, flag } = r.tag();
    l.pushTail(flag ? r.bytes(length) : r.text(length));
  }
  return l;
}

// ---- helpers ---------------------------------------------------------------------------------

const LIST_HEAD = 0;
const LIST_TAIL = 1;
type Where = typeof LIST_HEAD | typeof LIST_TAIL;

/** An argument as the element it pushes. Byte arguments are private copies made by the front. */
function toElement(a: Arg): ListElement {
  return a;
}

/**
 * A predicate comparing elements with `a` by bytes (quicklistCompare). Text compares as text,
 * bytes as bytes; an element and an argument of different kinds are equal only when the bytes
 * are valid UTF-8 spelling the same text.
 */
export function elementMatcher(a: Arg): (e: ListElement) => boolean {
  const text = typeof a === 'string' ? a : utf8DecodeStrict(a);
  let bytes: Uint8Array | null = typeof a === 'string' ? null : a;
  return (e) => {
    if (typeof e === 'string') return e === text;
    const b = (bytes ??= argBytes(a));
    if (b.length !== e.length) return false;
    for (let i = 0; i < b.length; i++) if (b[i] !== e[i]) return false;
    return true;
  };
}

/**
 * An option as strcasecmp sees it: the argument as a C string (cut at its first NUL), lower
 * case (ASCII only).
 */
function optionName(a: Arg): string {
  let s = argLatin1(a);
  const nul = s.indexOf('\0');
  if (nul >= 0) s = s.slice(0, nul);
  return s.toLowerCase();
}

/**
 * getLongFromObjectOrReply: an argument as a long (int64). Indexes and counts past 2^53 are
 * clamped to ±(2^53-1): lists are far shorter, so they behave the same. `msg` replaces the
 * default error.
 */
function parseLong(a: Arg, msg?: () => Error): number {
  const v = string2ll(argLatin1(a));
  if (v === null) throw msg ? msg() : notIntegerErr();
  return clamp(v);
}

function clamp(v: Int64): number {
  return typeof v === 'number' ? v : v > 0n ? Number.MAX_SAFE_INTEGER : Number.MIN_SAFE_INTEGER;
}

/** getRangeLongFromObjectOrReply with a message for both failures. */
function parseRangeLong(a: Arg, min: number, msg: () => Error): number {
  const v = parseLong(a, msg);
  if (v < min) throw msg();
  return v;
}

/** getListPositionFromObjectOrReply: LEFT or RIGHT. */
function parseWhere(a: Arg): Where {
  const s = optionName(a);
  if (s === 'right') return LIST_TAIL;
  if (s === 'left') return LIST_HEAD;
  throw syntaxErr();
}

function listOf(o: ReturnType<RedisDb['lookupKeyRead']>): ListObject | undefined {
  return asType<ListObject>(o, 'list');
}

/** listElementsRemoved: events, deletion of an emptied list, WATCH, dirty. */
function listElementsRemoved(c: Client, key: KeyString, where: Where, o: ListObject, count: number): void {
  const db = c.db;
  c.engine.notifyKeyspaceEvent(NOTIFY_LIST, where === LIST_HEAD ? 'lpop' : 'rpop', key, db.id);
  if (o.length === 0) {
    db.dbDelete(key);
    c.engine.notifyKeyspaceEvent(NOTIFY_GENERIC, 'del', key, db.id);
  }
  c.engine.signalModifiedKey(db, key);
  c.engine.dirty += count;
}

/** Pop up to `count` elements from one end: head first for LEFT, tail first for RIGHT. */
function popRange(o: ListObject, where: Where, count: number): ListElement[] {
  const n = Math.min(count, o.length);
  return where === LIST_HEAD ? o.popHeadMany(n) : o.popTailMany(n);
}

/**
 * listPopRangeAndReplyWithKey, for LMPOP and BLMPOP: [key, [elements]], logged as
 * `[LR]POP key n` (n: what was popped).
 */
function popRangeWithKey(c: Client, o: ListObject, keyArg: Arg, key: KeyString, where: Where, count: number): Reply {
  const elements = popRange(o, where, count);
  listElementsRemoved(c, key, where, o, elements.length);
  c.rewriteArgv([where === LIST_HEAD ? 'LPOP' : 'RPOP', keyArg, String(elements.length)]);
  return [keyArg, elements];
}

// ---- push ------------------------------------------------------------------------------------

/** pushGenericCommand: LPUSH RPUSH LPUSHX RPUSHX (`xx`: only onto an existing list). */
function pushGenericCommand(c: Client, argv: Arg[], where: Where, xx: boolean): Reply {
  const db = c.db;
  const key = toKey(argv[1]!);
  let o = listOf(db.lookupKeyWrite(key));
  if (o === undefined) {
    if (xx) return 0;
    o = new ListObject();
    db.dbAdd(key, o);
  }
  for (let j = 2; j < argv.length; j++) {
    if (where === LIST_HEAD) o.pushHead(toElement(argv[j]!));
    else o.pushTail(toElement(argv[j]!));
  }
  c.engine.dirty += argv.length - 2;
  c.engine.signalModifiedKey(db, key);
  c.engine.notifyKeyspaceEvent(NOTIFY_LIST, where === LIST_HEAD ? 'lpush' : 'rpush', key, db.id);
  return o.length;
}

/** LPUSH key element [element ...] */
function lpushCommand(c: Client, argv: Arg[]): Reply {
  return pushGenericCommand(c, argv, LIST_HEAD, false);
}

/** RPUSH key element [element ...] */
function rpushCommand(c: Client, argv: Arg[]): Reply {
  return pushGenericCommand(c, argv, LIST_TAIL, false);
}

/** LPUSHX key element [element ...] */
function lpushxCommand(c: Client, argv: Arg[]): Reply {
  return pushGenericCommand(c, argv, LIST_HEAD, true);
}

/** RPUSHX key element [element ...] */
function rpushxCommand(c: Client, argv: Arg[]): Reply {
  return pushGenericCommand(c, argv, LIST_TAIL, true);
}

// ---- reads and in-place edits ----------------------------------------------------------------

/** LINSERT key BEFORE|AFTER pivot element — the new length, -1 without the pivot, 0 without the key. */
function linsertCommand(c: Client, argv: Arg[]): Reply {
  const opt = optionName(argv[2]!);
  let after: boolean;
  if (opt === 'after') after = true;
  else if (opt === 'before') after = false;
  else throw syntaxErr();
  const db = c.db;
  const key = toKey(argv[1]!);
  const o = listOf(db.lookupKeyWrite(key));
  if (o === undefined) return 0;
  if (!o.insertAtPivot(elementMatcher(argv[3]!), toElement(argv[4]!), after)) return -1;
  c.engine.signalModifiedKey(db, key);
  c.engine.notifyKeyspaceEvent(NOTIFY_LIST, 'linsert', key, db.id);
  c.engine.dirty++;
  return o.length;
}

/** LLEN key */
function llenCommand(c: Client, argv: Arg[]): Reply {
  return listOf(c.db.lookupKeyRead(toKey(argv[1]!)))?.length ?? 0;
}

/** The list index `index` (negative from the tail) as an offset from the head, or -1 when out of range. */
function listIndex(o: ListObject, index: number): number {
  const i = index < 0 ? o.length + index : index;
  return i >= 0 && i < o.length ? i : -1;
}

/** LINDEX key index — the key is looked up before the index is parsed, as in Redis. */
function lindexCommand(c: Client, argv: Arg[]): Reply {
  const o = listOf(c.db.lookupKeyRead(toKey(argv[1]!)));
  if (o === undefined) return null;
  const i = listIndex(o, parseLong(argv[2]!));
  return i < 0 ? null : o.get(i);
}

/** LSET key index element */
function lsetCommand(c: Client, argv: Arg[]): Reply {
  const db = c.db;
  const key = toKey(argv[1]!);
  const o = listOf(db.lookupKeyWrite(key));
  if (o === undefined) throw noSuchKeyErr();
  const i = listIndex(o, parseLong(argv[2]!));
  if (i < 0) throw outOfRangeErr();
  o.set(i, toElement(argv[3]!));
  c.engine.signalModifiedKey(db, key);
  c.engine.notifyKeyspaceEvent(NOTIFY_LIST, 'lset', key, db.id);
  c.engine.dirty++;
  return OK;
}

/**
 * addListRangeReply: elements `start..end` (inclusive; negative from the tail), reversed when
 * `reverse`. Walks from the nearer end to the range, then along it.
 */
function listRangeReply(o: ListObject, start: number, end: number, reverse: boolean): Reply {
  const llen = o.length;
  if (start < 0) start = llen + start;
  if (end < 0) end = llen + end;
  if (start < 0) start = 0;
  if (start > end || start >= llen) return [];
  if (end >= llen) end = llen - 1;
  const n = end - start + 1;
  return reverse ? o.rangeReverse(end, n) : o.range(start, n);
}

/** LRANGE key start stop */
function lrangeCommand(c: Client, argv: Arg[]): Reply {
  const start = parseLong(argv[2]!);
  const end = parseLong(argv[3]!);
  const o = listOf(c.db.lookupKeyRead(toKey(argv[1]!)));
  if (o === undefined) return [];
  return listRangeReply(o, start, end, false);
}

/** LTRIM key start stop — "ltrim" is notified even when nothing was removed, as in Redis. */
function ltrimCommand(c: Client, argv: Arg[]): Reply {
  let start = parseLong(argv[2]!);
  let end = parseLong(argv[3]!);
  const db = c.db;
  const key = toKey(argv[1]!);
  const o = listOf(db.lookupKeyWrite(key));
  if (o === undefined) return OK;
  const llen = o.length;
  if (start < 0) start = llen + start;
  if (end < 0) end = llen + end;
  if (start < 0) start = 0;
  let ltrim: number;
  let rtrim: number;
  if (start > end || start >= llen) {
    ltrim = llen;
    rtrim = 0;
  } else {
    if (end >= llen) end = llen - 1;
    ltrim = start;
    rtrim = llen - end - 1;
  }
  o.trimHead(ltrim);
  o.trimTail(rtrim);
  c.engine.notifyKeyspaceEvent(NOTIFY_LIST, 'ltrim', key, db.id);
  if (o.length === 0) {
    db.dbDelete(key);
    c.engine.notifyKeyspaceEvent(NOTIFY_GENERIC, 'del', key, db.id);
  }
  c.engine.signalModifiedKey(db, key);
  c.engine.dirty += ltrim + rtrim;
  return OK;
}

/** LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len] */
function lposCommand(c: Client, argv: Arg[]): Reply {
  let rank = 1;
  // RANK -9223372036854775808: Redis' `rank = -rank` overflows and leaves it negative, so the first
  // match from the tail is returned, and with COUNT every match (`matches-rank+1 >= count` never holds).
  let rankMin = false;
  let count = -1; // not given
  let maxlen = 0;
  for (let j = 3; j < argv.length; j++) {
    const opt = optionName(argv[j]!);
    const moreargs = argv.length - 1 - j;
    if (opt === 'rank' && moreargs) {
      j++;
      const v = string2ll(argLatin1(argv[j]!));
      if (v === null) throw notIntegerErr();
      if (v === 0) throw lposRankZeroErr();
      rankMin = v === LLONG_MIN;
      rank = clamp(v);
    } else if (opt === 'count' && moreargs) {
      j++;
      count = parseRangeLong(argv[j]!, 0, lposCountNegativeErr);
    } else if (opt === 'maxlen' && moreargs) {
      j++;
      maxlen = parseRangeLong(argv[j]!, 0, lposMaxlenNegativeErr);
    } else {
      throw syntaxErr();
    }
  }
  const fromTail = rank < 0;
  if (fromTail) rank = rankMin ? 1 : -rank;
  const o = listOf(c.db.lookupKeyRead(toKey(argv[1]!)));
  if (o === undefined) return count !== -1 ? [] : null;
  const match = elementMatcher(argv[2]!);
  const llen = o.length;
  const indexOf = (i: number): number => (fromTail ? llen - i - 1 : i);
  if (count === -1) {
    let found: number | null = null;
    let matches = 0;
    o.scan(fromTail, maxlen === 0 ? Infinity : maxlen, (e, i) => {
      if (!match(e) || ++matches < rank) return false;
      found = indexOf(i);
      return true;
    });
    return found;
  }
  const out: number[] = [];
  let matches = 0;
  const limit = rankMin ? 0 : count;
  o.scan(fromTail, maxlen === 0 ? Infinity : maxlen, (e, i) => {
    if (!match(e) || ++matches < rank) return false;
    out.push(indexOf(i));
    return limit !== 0 && matches - rank + 1 >= limit;
  });
  return out;
}

/** LREM key count element — count > 0 from the head, < 0 from the tail, 0 all. */
function lremCommand(c: Client, argv: Arg[]): Reply {
  const toremove = parseLong(argv[2]!);
  const db = c.db;
  const key = toKey(argv[1]!);
  const o = listOf(db.lookupKeyWrite(key));
  if (o === undefined) return 0;
  const removed = o.removeMatching(elementMatcher(argv[3]!), Math.abs(toremove), toremove < 0);
  if (removed) {
    c.engine.signalModifiedKey(db, key);
    c.engine.notifyKeyspaceEvent(NOTIFY_LIST, 'lrem', key, db.id);
  }
  if (o.length === 0) {
    db.dbDelete(key);
    c.engine.notifyKeyspaceEvent(NOTIFY_GENERIC, 'del', key, db.id);
  }
  c.engine.dirty += removed;
  return removed;
}

// ---- pops ------------------------------------------------------------------------------------

/** popGenericCommand: LPOP and RPOP, with an optional count. */
function popGenericCommand(c: Client, argv: Arg[], where: Where): Reply {
  if (argv.length > 3) throw wrongArityErr(where === LIST_HEAD ? 'lpop' : 'rpop');
  const hascount = argv.length === 3;
  const count = hascount ? parseRangeLong(argv[2]!, 0, mustBePositiveErr) : 0;
  const db = c.db;
  const key = toKey(argv[1]!);
  const o = listOf(db.lookupKeyWrite(key));
  if (o === undefined) return hascount ? NULL_ARRAY : null;
  if (hascount && count === 0) return [];
  if (!hascount) {
    const value = where === LIST_HEAD ? o.popHead()! : o.popTail()!;
    listElementsRemoved(c, key, where, o, 1);
    return value;
  }
  const elements = popRange(o, where, count);
  listElementsRemoved(c, key, where, o, elements.length);
  return elements;
}

/** LPOP key [count] */
function lpopCommand(c: Client, argv: Arg[]): Reply {
  return popGenericCommand(c, argv, LIST_HEAD);
}

/** RPOP key [count] */
function rpopCommand(c: Client, argv: Arg[]): Reply {
  return popGenericCommand(c, argv, LIST_TAIL);
}

/**
 * mpopGenericCommand (LMPOP), and blockingPopGenericCommand's serving part (BLPOP, BRPOP,
 * BLMPOP): pop from the first key holding a list. `count` -1: one element, replied as
 * [key, element] and logged as `[LR]POP key`; otherwise up to `count`, as [key, [elements]],
 * logged as `[LR]POP key n`. Undefined when every key is missing.
 *
 * A blocked command run again (blocked.ts: `c.blocked.argv` is this argv) skips keys of another
 * type: Redis 7.0 serves a blocked client from the key that became ready without looking at its
 * other keys.
 */
function serveListPop(c: Client, argv: Arg[], keys: readonly Arg[], where: Where, count: number): Reply | undefined {
  const db = c.db;
  const reprocessing = c.blocked !== null && c.blocked.argv === argv;
  for (const keyArg of keys) {
    const key = toKey(keyArg);
    const v = db.lookupKeyWrite(key);
    if (v === undefined) continue;
    if (reprocessing && (isString(v) || v.type !== 'list')) continue;
    const o = listOf(v)!;
    if (o.length === 0) continue;
    if (count !== -1) return popRangeWithKey(c, o, keyArg, key, where, count);
    const value = where === LIST_HEAD ? o.popHead()! : o.popTail()!;
    listElementsRemoved(c, key, where, o, 1);
    c.rewriteArgv([where === LIST_HEAD ? 'LPOP' : 'RPOP', keyArg]);
    return [keyArg, value];
  }
  return undefined;
}

/** The timeout reply of a blocked list command (replyToBlockedClientTimedOut: a null array for every list command). */
const LIST_TIMEOUT_REPLY = NULL_ARRAY;

/** blockingPopGenericCommand: BLPOP, BRPOP, BLMPOP once their arguments are parsed. */
function blockingPopGenericCommand(c: Client, argv: Arg[], keys: Arg[], where: Where, timeoutArg: Arg, count: number): Reply {
  const deadline = getTimeoutFromArg(c, timeoutArg, 'seconds');
  const served = serveListPop(c, argv, keys, where, count);
  if (served !== undefined) return served;
  return blockForKeys(c, keys.map(toKey), deadline, LIST_TIMEOUT_REPLY, 'list');
}

/** BLPOP key [key ...] timeout */
function blpopCommand(c: Client, argv: Arg[]): Reply {
  return blockingPopGenericCommand(c, argv, argv.slice(1, -1), LIST_HEAD, argv[argv.length - 1]!, -1);
}

/** BRPOP key [key ...] timeout */
function brpopCommand(c: Client, argv: Arg[]): Reply {
  return blockingPopGenericCommand(c, argv, argv.slice(1, -1), LIST_TAIL, argv[argv.length - 1]!, -1);
}

/**
 * lmpopGenericCommand: LMPOP numkeys key [key ...] LEFT|RIGHT [COUNT count], and BLMPOP, whose
 * arguments start one later (after the timeout).
 */
function lmpopGenericCommand(c: Client, argv: Arg[], numkeysIdx: number, block: boolean): Reply {
  const numkeys = parseRangeLong(argv[numkeysIdx]!, 1, numkeysErr);
  const whereIdx = numkeysIdx + numkeys + 1;
  if (whereIdx >= argv.length) throw syntaxErr();
  const where = parseWhere(argv[whereIdx]!);
  let count = -1;
  for (let j = whereIdx + 1; j < argv.length; j++) {
    const moreargs = argv.length - 1 - j;
    if (count === -1 && optionName(argv[j]!) === 'count' && moreargs) {
      j++;
      count = parseRangeLong(argv[j]!, 1, countPositiveErr);
    } else {
      throw syntaxErr();
    }
  }
  if (count === -1) count = 1;
  const keys = argv.slice(numkeysIdx + 1, whereIdx);
  if (block) return blockingPopGenericCommand(c, argv, keys, where, argv[1]!, count);
  return serveListPop(c, argv, keys, where, count) ?? NULL_ARRAY;
}

/** LMPOP numkeys key [key ...] LEFT|RIGHT [COUNT count] */
function lmpopCommand(c: Client, argv: Arg[]): Reply {
  return lmpopGenericCommand(c, argv, 1, false);
}

/** BLMPOP timeout numkeys key [key ...] LEFT|RIGHT [COUNT count] */
function blmpopCommand(c: Client, argv: Arg[]): Reply {
  return lmpopGenericCommand(c, argv, 2, true);
}

// ---- moves -----------------------------------------------------------------------------------

/**
 * lmoveGenericCommand: pop from argv[1], push onto argv[2] (created if missing). The
 * destination's type is checked before anything moves. BLMOVE and BRPOPLPUSH log what they
 * did as LMOVE and RPOPLPUSH.
 */
function lmoveGenericCommand(c: Client, argv: Arg[], wherefrom: Where, whereto: Where, logAs: Arg[] | null): Reply {
  const db = c.db;
  const src = toKey(argv[1]!);
  const sobj = listOf(db.lookupKeyWrite(src));
  if (sobj === undefined || sobj.length === 0) return null;
  const dst = toKey(argv[2]!);
  let dobj = listOf(db.lookupKeyWrite(dst));
  const value = wherefrom === LIST_HEAD ? sobj.popHead()! : sobj.popTail()!;
  // lmoveHandlePush
  if (dobj === undefined) {
    dobj = new ListObject();
    db.dbAdd(dst, dobj);
  }
  c.engine.signalModifiedKey(db, dst);
  if (whereto === LIST_HEAD) dobj.pushHead(value);
  else dobj.pushTail(value);
  c.engine.notifyKeyspaceEvent(NOTIFY_LIST, whereto === LIST_HEAD ? 'lpush' : 'rpush', dst, db.id);
  c.engine.notifyKeyspaceEvent(NOTIFY_LIST, wherefrom === LIST_HEAD ? 'lpop' : 'rpop', src, db.id);
  if (sobj.length === 0) {
    db.dbDelete(src);
    c.engine.notifyKeyspaceEvent(NOTIFY_GENERIC, 'del', src, db.id);
  }
  c.engine.signalModifiedKey(db, src);
  c.engine.dirty++;
  if (logAs !== null) c.rewriteArgv(logAs);
  return value;
}

/** LMOVE source destination LEFT|RIGHT LEFT|RIGHT */
function lmoveCommand(c: Client, argv: Arg[]): Reply {
  const wherefrom = parseWhere(argv[3]!);
  const whereto = parseWhere(argv[4]!);
  return lmoveGenericCommand(c, argv, wherefrom, whereto, null);
}

/** RPOPLPUSH source destination */
function rpoplpushCommand(c: Client, argv: Arg[]): Reply {
  return lmoveGenericCommand(c, argv, LIST_TAIL, LIST_HEAD, null);
}

/**
 * blmoveGenericCommand: serve as LMOVE when the source holds a list, else block on it. Inside
 * MULTI Redis replies a null bulk at once; a timeout replies a null array.
 */
function blmoveGenericCommand(c: Client, argv: Arg[], wherefrom: Where, whereto: Where, deadline: number, logAs: Arg[]): Reply {
  const src = toKey(argv[1]!);
  const o = listOf(c.db.lookupKeyWrite(src));
  if (o === undefined) {
    if (c.denyBlocking) return null; // inside EXEC: a null bulk, where a timeout gives a null array
    return blockForKeys(c, [src], deadline, LIST_TIMEOUT_REPLY, 'list');
  }
  return lmoveGenericCommand(c, argv, wherefrom, whereto, logAs);
}

/** BLMOVE source destination LEFT|RIGHT LEFT|RIGHT timeout */
function blmoveCommand(c: Client, argv: Arg[]): Reply {
  const wherefrom = parseWhere(argv[3]!);
  const whereto = parseWhere(argv[4]!);
  const deadline = getTimeoutFromArg(c, argv[5]!, 'seconds');
  return blmoveGenericCommand(c, argv, wherefrom, whereto, deadline, ['LMOVE', argv[1]!, argv[2]!, argv[3]!, argv[4]!]);
}

/** BRPOPLPUSH source destination timeout */
function brpoplpushCommand(c: Client, argv: Arg[]): Reply {
  const deadline = getTimeoutFromArg(c, argv[3]!, 'seconds');
  return blmoveGenericCommand(c, argv, LIST_TAIL, LIST_HEAD, deadline, ['RPOPLPUSH', argv[1]!, argv[2]!]);
}

export const listCommands: CommandHandlers = {
  blmove: blmoveCommand,
  blmpop: blmpopCommand,
  blpop: blpopCommand,
  brpop: brpopCommand,
  brpoplpush: brpoplpushCommand,
  lindex: lindexCommand,
  linsert: linsertCommand,
  llen: llenCommand,
  lmove: lmoveCommand,
  lmpop: lmpopCommand,
  lpop: lpopCommand,
  lpos: lposCommand,
  lpush: lpushCommand,
  lpushx: lpushxCommand,
  lrange: lrangeCommand,
  lrem: lremCommand,
  lset: lsetCommand,
  ltrim: ltrimCommand,
  rpop: rpopCommand,
  rpoplpush: rpoplpushCommand,
  rpush: rpushCommand,
  rpushx: rpushxCommand,
};
