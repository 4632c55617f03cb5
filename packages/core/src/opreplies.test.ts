/**
 * Exactly-once resends (opreplies.ts): a forwarded write's reply is logged with its effects and
 * kept in snapshots, so a store reopened from the same persistence — a new leader — answers the
 * resent command from the table and does not apply it again.
 */
import { describe, expect, it } from 'vitest';
import {
  decodeBatch,
  decodeStoredReply,
  DoubleReply,
  encodeBatch,
  encodeStoredReply,
  LocalTransport,
  MapReply,
  MemoryPersistence,
  NULL_ARRAY,
  OpReplies,
  openStore,
  ReplyError,
  Status,
  type Reply,
  type Store,
} from './index.js';
import { BinaryReplyError } from './errors.js';

const origin = 'tab-1f3a';

function sendOp(store: Store, argv: string[], n: number): Promise<unknown> {
  return (store as unknown as { transport: LocalTransport }).transport.sendOp(argv, origin, n, false);
}

describe('stored replies', () => {
  it('round-trip every reply kind', () => {
    const replies: Reply[] = [
      null,
      NULL_ARRAY,
      42,
      -1.5,
      2n ** 63n - 1n,
      'héllo',
      new Uint8Array([0, 255, 13, 10]),
      new Status('OK'),
      new ReplyError('WRONGTYPE Operation against a key holding the wrong kind of value'),
      new BinaryReplyError('ERR \xff'),
      [1, 'a', [null, new Status('QUEUED')]],
      new DoubleReply(1.5, '1.5'),
      new MapReply(['k', 1]),
    ];
    for (const r of replies) expect(decodeStoredReply(encodeStoredReply(r))).toEqual(r);
  });

  it('travel in a log batch next to the ops, with their origins listed once', () => {
    const acks = [
      { origin, n: 7, reply: encodeStoredReply(3) },
      { origin: 'tab-2', n: 1, reply: encodeStoredReply(new Status('OK')) },
      { origin, n: 8, reply: encodeStoredReply(4) },
    ];
    const bytes = encodeBatch(5, [{ db: 0, argv: ['INCR', 'n'] }], acks);
    expect(decodeBatch(bytes)).toEqual({ firstSeq: 5, ops: [{ db: 0, argv: ['INCR', 'n'] }], acks });
  });
});

describe('a resend after a leader change', () => {
  it('is answered from the log, not applied again', async () => {
    const p = new MemoryPersistence();
    const a = await openStore({ persistence: p, activeExpire: false });
    expect(await sendOp(a, ['INCR', 'n'], 1)).toBe(1);
    expect(await sendOp(a, ['INCR', 'n'], 2)).toBe(2);
    expect(await sendOp(a, ['GET', 'n'], 3)).toBe('2'); // a read: not recorded
    await a.close();

    const b = await openStore({ persistence: p, activeExpire: false });
    expect(await sendOp(b, ['INCR', 'n'], 2)).toBe(2); // the resend
    expect(await sendOp(b, ['INCR', 'n'], 4)).toBe(3); // a new op
    expect(await b.call('GET', 'n')).toBe('3');
    expect(b.engine.opReplies.size).toBe(3);
    await b.close();
  });

  it('is answered from a snapshot after compaction', async () => {
    const p = new MemoryPersistence();
    const a = await openStore({ persistence: p, activeExpire: false });
    expect(await sendOp(a, ['APPEND', 's', 'x'], 1)).toBe(1);
    expect(await a.call('BGREWRITEAOF')).toBe('Background append only file rewriting started');
    await a.flush();
    while (a.engine.snapshotInProgress !== null) await new Promise((r) => setTimeout(r, 1));
    expect(p.storedBatches.length).toBe(0);
    await a.close();

    const b = await openStore({ persistence: p, activeExpire: false });
    expect(await sendOp(b, ['APPEND', 's', 'x'], 1)).toBe(1);
    expect(await b.call('GET', 's')).toBe('x');
    await b.close();
  });

  it('does not record a write that changed nothing', async () => {
    const p = new MemoryPersistence();
    const a = await openStore({ persistence: p, activeExpire: false });
    await a.call('SET', 's', 'x');
    await expect(sendOp(a, ['INCR', 's'], 1)).rejects.toThrow(/not an integer/);
    expect(a.engine.opReplies.size).toBe(0);
    await a.close();
  });
});

describe('the table', () => {
  it('keeps at least the last `capacity` replies, dropping the oldest first', () => {
    const t = new OpReplies(4);
    for (let n = 1; n <= 9; n++) t.set(origin, n, encodeStoredReply(n));
    for (let n = 6; n <= 9; n++) expect(t.get(origin, n)).toBe(n);
    expect(t.get(origin, 1)).toBeUndefined();
    expect(t.size).toBeLessThanOrEqual(8);
    expect([...t.entries()].map(([, n]) => n)).toEqual([...Array(t.size)].map((_, i) => 10 - t.size + i));
  });
});
