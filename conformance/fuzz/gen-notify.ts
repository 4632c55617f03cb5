/**
 * Keyspace notifications in the differential run (notify.c): CONFIG SET notify-keyspace-events
 * with realistic flag strings (and a few Redis refuses), CONFIG GET of it, and what the driver
 * needs to compare event streams.
 *
 * The driver (differential.ts) keeps a session on each side PSUBSCRIBEd to KEYSPACE_PATTERN and
 * compares everything it received, in order, at the end of every round. `expired` events are
 * left out of every comparison (isExpiredEvent): Redis' active expiry deletes keys in the
 * background, at moments that differ from Lodis', so they fire at different points of the
 * stream (and some only on one side before the round ends). Every other event comes from a
 * command, in the order the commands ran, which is the same on both sides.
 */
import type { CommandSpec } from './generators.js';
import { bulkPayload, splitArrayElements } from '../resp.js';

export const KEYSPACE_PATTERN = '__key*__:*';

/** The flags the run starts with on both sides (everything but key misses and new keys). */
export const INITIAL_FLAGS = 'KEA';

/** Flag strings CONFIG SET tries, with weights: mostly broad sets, so events keep flowing. */
const FLAGS: readonly (readonly [number, string])[] = [
  [12, 'KEA'],
  [4, 'AKE'],
  [3, 'AKEmn'],
  [3, 'KEAmnd'],
  [2, 'Eg$lshzxetd'],
  [2, 'Kg$lshzxetd'],
  [1, 'Kx'],
  [1, 'Ex'],
  [1, 'Kl'],
  [1, 'El'],
  [1, 'Kh$'],
  [1, 'Ez'],
  [1, 'Kst'],
  [1, 'Egd'],
  [1, 'KEm'],
  [1, 'KEn'],
  [1, 'KEg'],
  [1, 'A'], // no K or E: nothing is delivered
  [1, 'K'],
  [1, 'gE$'],
  [1, 'AAKKE'],
  [1, ''], // off
  // Refused: an unknown class character (they are case-sensitive).
  [0.5, 'KEAq'],
  [0.5, 'kea'],
  [0.3, 'KE A'],
  [0.3, 'X'],
];

export const NOTIFY_COMMANDS: readonly CommandSpec[] = [
  {
    name: 'CONFIG',
    family: 'server',
    weight: 0.4,
    argv: (g) => ['CONFIG', 'SET', g.chance(0.9) ? 'notify-keyspace-events' : 'NOTIFY-KEYSPACE-EVENTS', g.rng.weighted(FLAGS)],
  },
  { name: 'CONFIG', family: 'server', weight: 0.1, argv: () => ['CONFIG', 'GET', 'notify-keyspace-events'] },
];

/** A (p)message reply that carries an `expired` event (either channel kind). */
export function isExpiredEvent(raw: string): boolean {
  const m = messageOf(raw);
  if (m === null || m[0] === null) return false;
  const [channel, payload] = m;
  return /^__keyevent@[0-9]+__:expired$/.test(channel) || (channel.startsWith('__keyspace@') && payload === 'expired');
}

/** The channel and payload of a (p)message reply, or null. */
function messageOf(raw: string): [string | null, string | null] | null {
  if (raw.startsWith('*4\r\n$8\r\npmessage\r\n')) {
    const els = splitArrayElements(raw);
    if (els?.length === 4) return [bulkPayload(els[2]!), bulkPayload(els[3]!)];
  } else if (raw.startsWith('*3\r\n$7\r\nmessage\r\n')) {
    const els = splitArrayElements(raw);
    if (els?.length === 3) return [bulkPayload(els[1]!), bulkPayload(els[2]!)];
  }
  return null;
}

export const isKeymiss = (raw: string): boolean => {
  const m = messageOf(raw);
  return m !== null && m[0] !== null && (/^__keyevent@[0-9]+__:keymiss$/.test(m[0]) || (m[0].startsWith('__keyspace@') && m[1] === 'keymiss'));
};

/**
 * SORT … BY/GET looks its pattern keys up in the order of the sorted key's elements, which for a
 * set is hash order (and for tied scores, that order again): the key misses it fires come in no
 * defined order. Each run of consecutive keymiss events is compared as a multiset (sorted here).
 */
export function normalizeKeymissRuns(replies: string[]): string[] {
  const out = replies.slice();
  for (let i = 0; i < out.length; ) {
    let j = i;
    while (j < out.length && isKeymiss(out[j]!)) j++;
    if (j - i > 1) out.splice(i, j - i, ...out.slice(i, j).sort());
    i = Math.max(j, i + 1);
  }
  return out;
}
