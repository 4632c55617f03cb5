/**
 * The stream generators' own parts, checked without a server: the state reader (both of its
 * readings agree, and it sees what the state check must see), where XADD takes its id, the plans
 * that keep `*` and far ids from making the two sides differ, and the loose comparison of replies
 * that carry clock readings.
 */
import { describe, expect, it } from 'vitest';
import { createStore, encodeResp2 } from '../../packages/core/src/index.js';
import type { StreamObject } from '../../packages/core/src/types/stream.js';
import { compareReplies, policyOf } from './compare.js';
import { FUTURE_MS, STREAM_COMMANDS, starPlan, xaddIdIndex } from './gen-streams.js';
import { TYPE_VALUE_READERS, type StreamState } from './type-values.js';
import { Gen } from './values.js';
import { Rng } from './rng.js';

const reader = TYPE_VALUE_READERS.stream!;

function populated() {
  const store = createStore({ activeExpire: false });
  const run = (...argv: (string | Uint8Array)[]) => store.execute(...argv);
  run('XADD', 's', '1-0', 'f', 'a');
  run('XADD', 's', '2-0', 'f', '12', 'g', Uint8Array.of(0xff, 0));
  run('XADD', 's', '3-5', 'é', 'x'.repeat(300));
  run('XDEL', 's', '2-0');
  run('XGROUP', 'CREATE', 's', 'g', '0');
  run('XGROUP', 'CREATE', 's', Uint8Array.of(0xff), '$', 'ENTRIESREAD', '9223372036854775807');
  run('XREADGROUP', 'GROUP', 'g', 'b', 'COUNT', '1', 'STREAMS', 's', '>');
  run('XREADGROUP', 'GROUP', 'g', 'a', 'STREAMS', 's', '>');
  run('XCLAIM', 's', 'g', 'a', '0', '1-0', 'RETRYCOUNT', '9223372036854775807', 'JUSTID');
  run('XREADGROUP', 'GROUP', 'g', 'a', 'STREAMS', 's', '0');
  run('XGROUP', 'CREATECONSUMER', 's', 'g', '');
  const value = () => store.engine.dbs[0]!.dict.get('s') as StreamObject;
  return { store, run, value };
}

describe('the stream state reader', () => {
  it("reads Redis' XINFO STREAM … FULL COUNT 0 as it reads Lodis' structure", () => {
    const { run, value } = populated();
    const full = encodeResp2(run('XINFO', 'STREAM', 's', 'FULL', 'COUNT', '0'));
    expect(reader.redisRead(Buffer.from('s'))).toEqual(['XINFO', 'STREAM', Buffer.from('s'), 'FULL', 'COUNT', '0']);
    expect(reader.fromRedis(full)).toBe(reader.fromLodis(value()));
  });

  it('holds the counters, entries, groups in byte order, PELs with counts as Redis prints them, not the times', () => {
    const { value } = populated();
    const state = JSON.parse(reader.fromLodis(value())) as StreamState;
    expect(state).toMatchObject({ length: 2, radixTreeKeys: 1, lastId: '3-5', maxDeletedEntryId: '2-0', entriesAdded: '3', firstId: '1-0' });
    expect(state.entries.map(([id]) => id)).toEqual(['1-0', '3-5']);
    expect(state.entries[1]![1]).toEqual(['\xc3\xa9', 'x'.repeat(300)]);
    expect(state.groups.map((g) => g.name)).toEqual(['g', '\xff']);
    expect(state.groups[1]!.entriesRead).toBe('9223372036854775807');
    expect(state.groups[0]!.entriesRead).toBe('3');
    // 1-0: RETRYCOUNT 2^63-1, then delivered again from a's history: 2^63 reads as a long long.
    expect(state.groups[0]!.pel).toEqual([['1-0', 'a', '-9223372036854775808'], ['3-5', 'a', '2']]);
    expect(state.groups[0]!.consumers).toEqual([['', []], ['a', ['1-0', '3-5']], ['b', []]]);
    expect(JSON.stringify(state)).not.toMatch(/time/);
  });

  it('changes with what the state check must catch: a delivery count, a consumer, an entry, a node', () => {
    const { run, value } = populated();
    const before = reader.fromLodis(value());
    const cg = [...value().cgroups.values()][0]!;
    const [, nack] = cg.pel.first()!;
    nack.deliveryCount = 7;
    expect(reader.fromLodis(value())).not.toBe(before);
    run('XCLAIM', 's', 'g', 'b', '0', '3-5', 'JUSTID');
    const claimed = reader.fromLodis(value());
    run('XADD', 's', '4-0', 'f', 'y'.repeat(4000));
    const added = JSON.parse(reader.fromLodis(value())) as StreamState;
    expect(added.radixTreeKeys).toBe(2);
    expect(JSON.stringify(added)).not.toBe(claimed);
  });
});

describe('XADD with `*`', () => {
  it('finds the id where Redis does: after MAXLEN/MINID [=|~] n, LIMIT n and NOMKSTREAM', () => {
    expect(xaddIdIndex(['XADD', 'k', '*', 'f', 'v'])).toBe(2);
    expect(xaddIdIndex(['XADD', 'k', 'MAXLEN', '~', '10', 'LIMIT', '5', 'nomkstream', '*', 'f', 'v'])).toBe(8);
    expect(xaddIdIndex(['XADD', 'k', 'minid', '=', '1-0', '5-*', 'f', 'v'])).toBe(5);
    expect(xaddIdIndex(['XADD', 'k', 'MAXLEN', '~', '*', 'f'])).toBe(5); // ~ is the count's marker, * its value
    expect(xaddIdIndex(['XADD', 'k', 'MAXLEN'])).toBe(2); // no more arguments: MAXLEN is taken as the id
  });

  it('is made determined: a stream a day ahead as is, another moved there first, a new one by shape', () => {
    const { value, run } = populated();
    const v = (k: string | Uint8Array) => (k === 's' ? value() : undefined);
    expect(starPlan(['XADD', 's', 'MAXLEN', '1', '*', 'f', 'v'], v)).toEqual({ before: ['XSETID', 's', `${FUTURE_MS}-0`], settle: ['DEL', 's'] });
    expect(starPlan(['XADD', 'new', '*', 'f', 'v'], v)).toEqual({ policy: { kind: 'shape' }, settle: ['DEL', 'new'] });
    expect(starPlan(['XADD', 'new', 'NOMKSTREAM', '*', 'f', 'v'], v)).toBe(null);
    expect(starPlan(['XADD', 's', '5-*', 'f', 'v'], v)).toBe(null);
    run('XSETID', 's', `${FUTURE_MS}-0`);
    expect(starPlan(['XADD', 's', '*', 'f', 'v'], v)).toBe(null);
  });

  it('deletes a long-lived key given an id past the run\'s clocks (a mutated argument)', () => {
    const none = () => undefined;
    expect(starPlan(['XADD', 's0', '2147483647', 'f', 'v'], none)).toEqual({ settle: ['DEL', 's0'] });
    expect(starPlan(['XADD', 's0', '2147-1', 'f', 'v'], none)).toBe(null);
    expect(starPlan(['XADD', 's2', '2147483647', 'f', 'v'], none)).toBe(null);
    const xsetid = STREAM_COMMANDS.find((c) => c.name === 'XSETID')!.plan!;
    expect(xsetid(['XSETID', 's1', '18446744073709551615-0'], none)).toEqual({ settle: ['DEL', 's1'] });
  });
});

describe('replies with clock readings', () => {
  const bulk = (s: string) => `$${s.length}\r\n${s}\r\n`;
  const row = (id: string, c: string, idle: number, n: number) => `*4\r\n${bulk(id)}${bulk(c)}:${idle}\r\n:${n}\r\n`;

  it('XPENDING: idle times within a second, delivery counts exactly; the summary exactly', () => {
    const p = policyOf('xpending');
    expect(compareReplies(p, `*1\r\n${row('1-0', 'a', 10, 1)}`, `*1\r\n${row('1-0', 'a', 900, 1)}`)).toBeNull();
    expect(compareReplies(p, `*1\r\n${row('1-0', 'a', 10, 1)}`, `*1\r\n${row('1-0', 'a', 1500, 1)}`)).toMatch(/differ by 1490/);
    expect(compareReplies(p, `*1\r\n${row('1-0', 'a', 10, 1)}`, `*1\r\n${row('1-0', 'a', 10, 2)}`)).toBe('differ');
    const summary = (n: number) => `*4\r\n:${n}\r\n${bulk('1-0')}${bulk('1-0')}*1\r\n*2\r\n${bulk('a')}${bulk(String(n))}`;
    expect(compareReplies(p, summary(1), summary(1))).toBeNull();
    expect(compareReplies(p, summary(1), summary(2))).toBe('differ');
  });

  it('XINFO CONSUMERS and XINFO STREAM FULL: only the idle, delivery and seen times are loose', () => {
    const { run } = populated();
    const full = encodeResp2(run('XINFO', 'STREAM', 's', 'FULL'));
    const shifted = full.replace(/:(1[0-9]{12})\r\n/g, (_, t: string) => `:${Number(t) + 700}\r\n`);
    expect(shifted).not.toBe(full);
    expect(compareReplies(policyOf('xinfo|stream'), full, shifted)).toBeNull();
    expect(compareReplies(policyOf('xinfo|stream'), full, full.replace('pel-count\r\n:2', 'pel-count\r\n:3'))).toBe('differ');
    const consumers = encodeResp2(run('XINFO', 'CONSUMERS', 's', 'g'));
    expect(compareReplies(policyOf('xinfo|consumers'), consumers, consumers.replace(/idle\r\n:0/g, 'idle\r\n:999'))).toBeNull();
    expect(compareReplies(policyOf('xinfo|consumers'), consumers, consumers.replace('pending\r\n:2', 'pending\r\n:1'))).toBe('differ');
  });
});

describe('the generators', () => {
  it('keep each key\'s ids growing, so most XADDs to a key succeed in a row', () => {
    const g = new Gen(new Rng(7), 1_700_000_000);
    const xadd = STREAM_COMMANDS.find((c) => c.name === 'XADD')!;
    const store = createStore({ activeExpire: false });
    let ok = 0;
    for (let i = 0; i < 2000; i++) {
      const argv = ['XADD', ...xadd.args!(g)];
      if (argv[1] !== 's0') continue;
      const r = store.execute(...argv);
      if (typeof r === 'string') ok++;
    }
    expect(ok).toBeGreaterThan(200);
  });
});
