/**
 * How a reply is compared, read from Redis' own command metadata (command-info.ts, recorded from
 * COMMAND INFO): a command tipped `nondeterministic_output` is compared by shape (or with a
 * tolerance where the difference is only the clock), `nondeterministic_output_order` as a
 * multiset; everything else byte for byte. Errors are always compared exactly.
 */
import { COMMAND_INFO, type CommandInfoData } from '../../packages/core/src/command-info.js';
import { compareLoosely, type Looseness } from '../reply-paths.js';
import { splitArrayElements } from '../resp.js';

export type Policy =
  | { kind: 'exact' }
  | { kind: 'unordered'; rows?: number }
  | { kind: 'shape' }
  | { kind: 'tolerance'; within: bigint; why: string }
  /** Exact but for the elements at some paths (reply-paths.ts): skipped, or integers within a tolerance. */
  | { kind: 'loose'; loose: Looseness; why: string }
  /** EXEC's array: element i by elements[i] (the policy of the i-th queued command); a null or an error exactly. */
  | { kind: 'exec'; elements: readonly Policy[] };

/** Clock readings in stream replies: ms apart by how far apart the two servers ran the commands. */
const STREAM_CLOCK = 1000n;

/** full name (`container|sub`) → tips */
const TIPS = new Map<string, readonly string[]>();
const CONTAINERS = new Set<string>();
const walk = (info: CommandInfoData): void => {
  TIPS.set(info[0], info[7]);
  if (info[9].length) CONTAINERS.add(info[0]);
  info[9].forEach(walk);
};
COMMAND_INFO.forEach(walk);

/**
 * Where the tip alone says too little. TTL-like replies differ only by how far apart the two
 * servers ran the command: compare within a tolerance rather than by shape. EXPIRETIME and
 * PEXPIRETIME carry no tip in Redis 7.0, but a relative EXPIRE makes their reply depend on the
 * clock too; PUBSUB CHANNELS lists a dict in hash order without saying so.
 */
const REFINE: Record<string, Policy> = {
  ttl: { kind: 'tolerance', within: 1n, why: 'seconds left, clocks of two servers' },
  pttl: { kind: 'tolerance', within: 1000n, why: 'ms left, clocks of two servers' },
  expiretime: { kind: 'tolerance', within: 1n, why: 'deadline set relative to each server clock' },
  pexpiretime: { kind: 'tolerance', within: 1000n, why: 'deadline set relative to each server clock' },
  'pubsub|channels': { kind: 'unordered' },
  // Streams: the tips mark these nondeterministic for their clock readings and `*` ids. The
  // generator (gen-streams.ts) keeps ids and claims determined, so only idle and delivery times
  // (compared within a tolerance) are left; XADD with `*` gets a plan of its own.
  xadd: { kind: 'exact' },
  xtrim: { kind: 'exact' },
  xclaim: { kind: 'exact' },
  xautoclaim: { kind: 'exact' },
  xpending: { kind: 'loose', loose: { near: { within: STREAM_CLOCK, paths: ['*.2'] } }, why: 'idle ms, clocks of two servers' },
  'xinfo|consumers': { kind: 'loose', loose: { near: { within: STREAM_CLOCK, paths: ['*.idle'] } }, why: 'idle ms, clocks of two servers' },
  'xinfo|stream': {
    kind: 'loose',
    loose: {
      near: {
        within: STREAM_CLOCK,
        paths: ['groups.*.pending.*.2', 'groups.*.consumers.*.seen-time', 'groups.*.consumers.*.pending.*.1'],
      },
    },
    why: 'delivery and seen times (FULL), clocks of two servers',
  },
};

/** The full name a command line resolves to (`pubsub|numsub`), as Redis' lookupCommand would. */
export function fullName(argv: readonly (string | Uint8Array)[]): string {
  const name = typeof argv[0] === 'string' ? argv[0].toLowerCase() : '';
  if (CONTAINERS.has(name) && argv.length > 1 && typeof argv[1] === 'string') {
    const sub = `${name}|${argv[1].toLowerCase()}`;
    if (TIPS.has(sub)) return sub;
  }
  return name;
}

const POLICIES = new Map<string, Policy>();
export function policyOf(fullname: string): Policy {
  let p = POLICIES.get(fullname);
  if (p) return p;
  const tips = TIPS.get(fullname) ?? [];
  p =
    REFINE[fullname] ??
    (tips.includes('nondeterministic_output')
      ? { kind: 'shape' }
      : tips.includes('nondeterministic_output_order')
        ? { kind: 'unordered' }
        : { kind: 'exact' });
  POLICIES.set(fullname, p);
  return p;
}

/** The shape of a reply: its type byte, and for an array its length and its elements' type bytes. */
function shape(raw: string): string {
  if (raw[0] !== '*') return raw[0]!;
  const els = splitArrayElements(raw);
  return els === null ? '*-1' : `*${els.length}[${els.map((e) => e[0]).join('')}]`;
}

/** Null when the replies agree under the command's policy, else a short reason. */
export function compareReplies(policy: Policy, redis: string, lodis: string): string | null {
  if (redis === lodis) return null;
  if (redis[0] === '-' || lodis[0] === '-') return 'differ';
  switch (policy.kind) {
    case 'exact':
      return 'differ';
    case 'shape':
      return shape(redis) === shape(lodis) ? null : `shape ${shape(redis)} vs ${shape(lodis)}`;
    case 'unordered': {
      const a = splitArrayElements(redis);
      const b = splitArrayElements(lodis);
      if (a === null || b === null) return 'differ';
      // `rows` consecutive elements make one item (SORT … GET a GET b replies [a, b] per element).
      const n = policy.rows ?? 1;
      const items = (els: string[]): string[] =>
        n === 1 ? els : Array.from({ length: Math.ceil(els.length / n) }, (_, i) => els.slice(i * n, i * n + n).join(''));
      return items(a).sort().join('') === items(b).sort().join('') ? null : 'differ (as multisets)';
    }
    case 'loose':
      return compareLoosely(policy.loose, redis, lodis);
    case 'exec': {
      const a = splitArrayElements(redis);
      const b = splitArrayElements(lodis);
      if (a === null || b === null) return 'differ';
      if (a.length !== b.length) return `${a.length} vs ${b.length} elements`;
      for (let i = 0; i < a.length; i++) {
        const why = compareReplies(policy.elements[i] ?? { kind: 'exact' }, a[i]!, b[i]!);
        if (why !== null) return `element ${i + 1}: ${why}`;
      }
      return null;
    }
    case 'tolerance': {
      if (redis[0] !== ':' || lodis[0] !== ':') return 'differ';
      const a = BigInt(redis.slice(1, -2));
      const b = BigInt(lodis.slice(1, -2));
      if (a < 0n || b < 0n) return 'differ';
      const d = a > b ? a - b : b - a;
      return d <= policy.within ? null : `differ by ${d} (tolerance ${policy.within}: ${policy.why})`;
    }
  }
}

// ---- subscriber streams -----------------------------------------------------------------------

/**
 * Redis 7.0 walks its pattern dict in hash order (seeded at random per process) when it delivers
 * one PUBLISH to pattern subscribers, so the pmessages one publish sends to one client come in no
 * defined order: sort each run of consecutive pmessages for the same channel and payload.
 */
export function normalizePmessageRuns(replies: string[]): string[] {
  const out = replies.slice();
  const tail = (raw: string): string | null => {
    const els = raw.startsWith('*4\r\n$8\r\npmessage\r\n') ? splitArrayElements(raw) : null;
    return els ? els[2]! + els[3]! : null;
  };
  for (let i = 0; i < out.length; ) {
    const t = tail(out[i]!);
    let j = i + 1;
    if (t !== null) while (j < out.length && tail(out[j]!) === t) j++;
    if (j - i > 1) out.splice(i, j - i, ...out.slice(i, j).sort());
    i = j;
  }
  return out;
}

/**
 * UNSUBSCRIBE and PUNSUBSCRIBE with no argument walk the client's own dict in hash order: their
 * replies name the channels in no defined order, while the counts still go down one by one.
 * Put the names in sorted order and leave the counts where they are.
 */
export function normalizeUnsubscribeAll(replies: string[]): string[] {
  const parsed = replies.map((r) => splitArrayElements(r));
  const names = parsed.filter((e) => e?.length === 3).map((e) => e![1]!).sort();
  let n = 0;
  return replies.map((r, i) => {
    const e = parsed[i];
    return e?.length === 3 ? `*3\r\n${e[0]}${names[n++]}${e[2]}` : r;
  });
}
