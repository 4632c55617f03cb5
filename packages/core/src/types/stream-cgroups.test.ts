import { describe, expect, it } from 'vitest';
import { createStore } from '../index.js';
import type { Arg } from '../sds.js';
import { dumpKeyspace, errorText, fakeTime, setupStore, T0 } from '../test-helpers.js';
import { streamRadixTreeNodes } from './stream-cgroups.js';
import { StreamObject } from './stream.js';

const WRONGTYPE = 'WRONGTYPE Operation against a key holding the wrong kind of value';
const NOKEY_XGROUP =
  'ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.';

const setup = () => setupStore((event, key) => `${event}:${key}`);
const text = (argv: Arg[]) => argv.map((a) => (typeof a === 'string' ? a : Buffer.from(a).toString())).join(' ');

/** A stream `s` with entries 1-1 … n-1 (field f, value v<i>) and a group g at 0. */
function withEntries(n: number) {
  const t = setup();
  for (let i = 1; i <= n; i++) t.run('XADD', 's', `${i}-1`, 'f', `v${i}`);
  t.run('XGROUP', 'CREATE', 's', 'g', '0');
  t.log.length = 0;
  t.events.length = 0;
  return t;
}

describe('XGROUP', () => {
  it('checks options, then the type, then the key, then the group, then the subcommand arguments', () => {
    const { run } = setup();
    expect(errorText(run('XGROUP', 'CREATE', 's', 'g', '$'))).toBe(NOKEY_XGROUP);
    expect(errorText(run('XGROUP', 'CREATE', 's', 'g', '$', 'foo'))).toBe(
      "ERR unknown subcommand or wrong number of arguments for 'CREATE'. Try XGROUP HELP.",
    );
    run('SET', 'str', 'v');
    expect(errorText(run('xgroup', 'create', 'str', 'g', '$', 'foo'))).toBe(
      "ERR unknown subcommand or wrong number of arguments for 'create'. Try XGROUP HELP.",
    );
    expect(errorText(run('XGROUP', 'CREATE', 'str', 'g', '$'))).toBe(WRONGTYPE);
    expect(errorText(run('XGROUP', 'CREATE', 's', 'g', '$', 'ENTRIESREAD', '-2'))).toBe('ERR value for ENTRIESREAD must be positive or -1');
    expect(errorText(run('XGROUP', 'CREATE', 's', 'g', '$', 'ENTRIESREAD', 'x'))).toBe('ERR value is not an integer or out of range');
    expect(errorText(run('XGROUP', 'CREATE', 's', 'g', '$', 'ENTRIESREAD'))).toMatch(/^ERR unknown subcommand/);
    // MKSTREAM creates the stream only once nothing can fail.
    expect(errorText(run('XGROUP', 'CREATE', 's', 'g', 'bad', 'MKSTREAM'))).toBe('ERR Invalid stream ID specified as stream command argument');
    expect(errorText(run('XGROUP', 'CREATE', 's', 'g', '+', 'MKSTREAM'))).toBe('ERR Invalid stream ID specified as stream command argument');
    expect(errorText(run('XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM', 'MKSTREAM', 'MKSTREAM', 'MKSTREAM'))).toMatch(/^ERR unknown subcommand/);
    expect(run('EXISTS', 's')).toBe(0);
    expect(errorText(run('XGROUP', 'SETID', 's', 'g', '0'))).toBe(NOKEY_XGROUP);
    expect(errorText(run('XGROUP', 'SETID', 's', 'g', '0', 'MKSTREAM'))).toMatch(/^ERR unknown subcommand .*'SETID'/);
    expect(errorText(run('XGROUP', 'DESTROY', 's', 'g'))).toBe(NOKEY_XGROUP);
    expect(errorText(run('XGROUP', 'CREATECONSUMER', 's', 'g', 'c'))).toBe(NOKEY_XGROUP);
    expect(errorText(run('XGROUP', 'DESTROY', 's'))).toBe("ERR wrong number of arguments for 'xgroup|destroy' command");
    expect(errorText(run('XGROUP', 'FOO', 's'))).toBe("ERR unknown subcommand 'FOO'. Try XGROUP HELP.");

    expect(run('XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM')).toBe('OK');
    expect(run('TYPE', 's')).toBe('stream');
    expect(errorText(run('XGROUP', 'CREATE', 's', 'g', '0'))).toBe('BUSYGROUP Consumer Group name already exists');
    expect(errorText(run('XGROUP', 'SETID', 's', 'nope', '0'))).toBe("NOGROUP No such consumer group 'nope' for key name 's'");
    expect(errorText(run('XGROUP', 'DELCONSUMER', 's', 'nope', 'c'))).toBe("NOGROUP No such consumer group 'nope' for key name 's'");
    expect(run('XGROUP', 'DESTROY', 's', 'nope')).toBe(0);
    // The key and group are checked before the arguments of SETID.
    expect(errorText(run('XGROUP', 'SETID', 's', 'g', '0', 'ENTRIESREAD', '1', 'ENTRIESREAD', '2'))).toMatch(/^ERR unknown subcommand .*'SETID'/);
    expect(errorText(run('XGROUP', 'SETID', 's', 'g', 'x'))).toBe('ERR Invalid stream ID specified as stream command argument');
    // SETID takes - and + (not CREATE).
    expect(run('XGROUP', 'SETID', 's', 'g', '+')).toBe('OK');
    expect(run('XINFO', 'GROUPS', 's')).toEqual([
      ['name', 'g', 'consumers', 0, 'pending', 0, 'last-delivered-id', '18446744073709551615-18446744073709551615', 'entries-read', null, 'lag', 0],
    ]);
  });

  it('CREATE with $ or an ID and ENTRIESREAD; SETID resets entries-read unless given; events and log', () => {
    const { run, events, log } = setup();
    run('XADD', 's', '5-1', 'f', 'v');
    events.length = 0;
    log.length = 0;
    expect(run('XGROUP', 'CREATE', 's', 'a', '$')).toBe('OK');
    expect(run('XGROUP', 'CREATE', 's', 'b', '3', 'ENTRIESREAD', '0')).toBe('OK');
    expect(run('XGROUP', 'CREATE', 'new', 'c', '$', 'mkstream', 'entriesread', '7')).toBe('OK');
    expect(run('XGROUP', 'SETID', 's', 'b', '$')).toBe('OK');
    expect(run('XGROUP', 'SETID', 's', 'a', '1', 'ENTRIESREAD', '-1')).toBe('OK');
    const groups = run('XINFO', 'GROUPS', 's') as unknown[][];
    expect(groups.map((g) => [g[1], g[7], g[9]])).toEqual([
      ['a', '1-0', null],
      ['b', '5-1', null],
    ]);
    expect((run('XINFO', 'GROUPS', 'new') as unknown[][])[0]).toEqual([
      'name', 'c', 'consumers', 0, 'pending', 0, 'last-delivered-id', '0-0', 'entries-read', 7, 'lag', 0,
    ]);
    expect(events).toEqual(['xgroup-create:s', 'xgroup-create:s', 'new:new', 'xgroup-create:new', 'xgroup-setid:s', 'xgroup-setid:s']);
    expect(log.map(([, ...argv]) => text(argv))).toEqual([
      'XGROUP CREATE s a $',
      'XGROUP CREATE s b 3 ENTRIESREAD 0',
      'XGROUP CREATE new c $ mkstream entriesread 7',
      'XGROUP SETID s b $',
      'XGROUP SETID s a 1 ENTRIESREAD -1',
    ]);
  });

  it('CREATECONSUMER, DELCONSUMER (reply: its pending count, which leaves the group PEL) and DESTROY', () => {
    const { run, events, log } = withEntries(3);
    run('XREADGROUP', 'GROUP', 'g', 'alice', 'COUNT', '2', 'STREAMS', 's', '>');
    run('XREADGROUP', 'GROUP', 'g', 'bob', 'STREAMS', 's', '>');
    log.length = 0;
    expect(run('XPENDING', 's', 'g')).toEqual([3, '1-1', '3-1', [['alice', '2'], ['bob', '1']]]);
    expect(run('XGROUP', 'CREATECONSUMER', 's', 'g', 'carol')).toBe(1);
    expect(run('XGROUP', 'CREATECONSUMER', 's', 'g', 'carol')).toBe(0);
    expect(run('XGROUP', 'DELCONSUMER', 's', 'g', 'alice')).toBe(2);
    expect(run('XGROUP', 'DELCONSUMER', 's', 'g', 'alice')).toBe(0);
    expect(run('XPENDING', 's', 'g')).toEqual([1, '3-1', '3-1', [['bob', '1']]]);
    expect(run('XGROUP', 'DELCONSUMER', 's', 'g', 'carol')).toBe(0);
    expect(run('XINFO', 'CONSUMERS', 's', 'g')).toEqual([['name', 'bob', 'pending', 1, 'idle', 0]]);
    expect(run('XGROUP', 'DESTROY', 's', 'g')).toBe(1);
    expect(run('XGROUP', 'DESTROY', 's', 'g')).toBe(0);
    expect(run('XINFO', 'GROUPS', 's')).toEqual([]);
    expect(events.filter((e) => e.startsWith('xgroup'))).toEqual([
      'xgroup-createconsumer:s',
      'xgroup-createconsumer:s',
      'xgroup-createconsumer:s',
      'xgroup-delconsumer:s',
      'xgroup-delconsumer:s',
      'xgroup-destroy:s',
    ]);
    // What changed nothing is not logged.
    expect(log.map(([, ...argv]) => text(argv))).toEqual([
      'XGROUP CREATECONSUMER s g carol',
      'XGROUP DELCONSUMER s g alice',
      'XGROUP DELCONSUMER s g carol',
      'XGROUP DESTROY s g',
    ]);
  });

  it('HELP', () => {
    const { run } = setup();
    const help = run('XGROUP', 'HELP') as string[];
    expect(help[0]).toBe('XGROUP <subcommand> [<arg> [value] [opt] ...]. Subcommands are:');
    expect(help).toHaveLength(17);
    expect(help.slice(-2)).toEqual(['HELP', '    Prints this help.']);
    expect((run('XINFO', 'HELP') as string[]).slice(1, 7)).toEqual([
      'CONSUMERS <key> <groupname>',
      '    Show consumers of <groupname>.',
      'GROUPS <key>',
      '    Show the stream consumer groups.',
      'STREAM <key> [FULL [COUNT <count>]',
      '    Show information about the stream.',
    ]);
  });
});

describe('XACK and XPENDING', () => {
  it('XPENDING lists by range, idle time, count and consumer; XACK drops from both PELs', () => {
    const { run, advance, log } = withEntries(5);
    run('XREADGROUP', 'GROUP', 'g', 'alice', 'COUNT', '3', 'STREAMS', 's', '>');
    advance(1000);
    run('XREADGROUP', 'GROUP', 'g', 'bob', 'STREAMS', 's', '>');
    advance(500);
    expect(run('XPENDING', 's', 'g', '-', '+', '10')).toEqual([
      ['1-1', 'alice', 1500, 1],
      ['2-1', 'alice', 1500, 1],
      ['3-1', 'alice', 1500, 1],
      ['4-1', 'bob', 500, 1],
      ['5-1', 'bob', 500, 1],
    ]);
    expect(run('XPENDING', 's', 'g', 'IDLE', '1000', '-', '+', '2')).toEqual([
      ['1-1', 'alice', 1500, 1],
      ['2-1', 'alice', 1500, 1],
    ]);
    expect(run('XPENDING', 's', 'g', 'idle', '501', '3', '+', '10')).toEqual([['3-1', 'alice', 1500, 1]]);
    expect(run('XPENDING', 's', 'g', '(1-1', '(3-1', '10')).toEqual([['2-1', 'alice', 1500, 1]]);
    expect(run('XPENDING', 's', 'g', '4', '4', '10')).toEqual([['4-1', 'bob', 500, 1]]); // end 4 is 4-18446744073709551615
    expect(run('XPENDING', 's', 'g', '-', '+', '10', 'bob')).toEqual([
      ['4-1', 'bob', 500, 1],
      ['5-1', 'bob', 500, 1],
    ]);
    expect(run('XPENDING', 's', 'g', '-', '+', '10', 'bob', 'ignored', 'too')).toHaveLength(2);
    expect(run('XPENDING', 's', 'g', '-', '+', '10', 'nobody')).toEqual([]);
    expect(run('XPENDING', 's', 'g', '-', '+', '0')).toEqual([]);
    expect(run('XPENDING', 's', 'g', '-', '+', '-5')).toEqual([]);
    expect(run('XPENDING', 's', 'g', '-', '+', '9223372036854775807')).toHaveLength(5);

    expect(run('XACK', 's', 'g', '1-1', '4-1', '4-1', '9-9')).toBe(2);
    expect(errorText(run('XACK', 's', 'g', '2-1', '+'))).toBe('ERR Invalid stream ID specified as stream command argument');
    expect(run('XACK', 'nokey', 'g', 'not-an-id')).toBe(0);
    expect(run('XACK', 's', 'nogroup', 'not-an-id')).toBe(0);
    expect(run('XPENDING', 's', 'g')).toEqual([3, '2-1', '5-1', [['alice', '2'], ['bob', '1']]]);
    expect(run('XPENDING', 's', 'g', '-', '+', '10', 'bob')).toEqual([['5-1', 'bob', 500, 1]]);
    expect(run('XACK', 's', 'g', '2', '3-1', '5-1')).toBe(2); // "2" is 2-0
    expect(run('XPENDING', 's', 'g')).toEqual([1, '2-1', '2-1', [['alice', '1']]]);
    expect(log.map(([, ...argv]) => text(argv)).filter((l) => l.startsWith('XACK'))).toEqual([
      'XACK s g 1-1 4-1 4-1 9-9',
      'XACK s g 2 3-1 5-1',
    ]);
  });

  it('XPENDING errors, in Redis order', () => {
    const { run } = withEntries(1);
    run('SET', 'str', 'v');
    const e = (...argv: Arg[]) => errorText(run('XPENDING', ...argv));
    expect(e('s', 'g', '-')).toBe('ERR syntax error');
    expect(e('s', 'g', '-', '+')).toBe('ERR syntax error');
    expect(e('s', 'g', 'IDLE', 'x', '-', '+')).toBe('ERR value is not an integer or out of range');
    expect(e('s', 'g', 'IDLE', '10', '-', '+')).toBe('ERR syntax error');
    expect(e('s', 'g', '-', '+', '1', 'c', 'x', 'y', 'z')).toBe('ERR syntax error');
    expect(e('nokey', 'g', 'x', '+', 'bad')).toBe('ERR value is not an integer or out of range');
    expect(e('nokey', 'g', 'x', '+', '1')).toBe('ERR Invalid stream ID specified as stream command argument');
    expect(e('nokey', 'g', '(-', '+', '1')).toBe('ERR Invalid stream ID specified as stream command argument');
    expect(e('s', 'g', '(18446744073709551615-18446744073709551615', '+', '1')).toBe('ERR invalid start ID for the interval');
    expect(e('s', 'g', '-', '(0-0', '1')).toBe('ERR invalid end ID for the interval');
    expect(e('str', 'g', '-', '+', '1')).toBe(WRONGTYPE);
    expect(e('str', 'g')).toBe(WRONGTYPE);
    expect(e('nokey', 'g')).toBe("NOGROUP No such key 'nokey' or consumer group 'g'");
    expect(e('s', 'nogroup', '-', '+', '1')).toBe("NOGROUP No such key 's' or consumer group 'nogroup'");
    expect(run('XPENDING', 's', 'g')).toEqual([0, null, null, null]);
  });

  it('acks a 100k-entry PEL one ID at a time, from the middle out', () => {
    const { run, store } = setup();
    const n = 100_000;
    for (let i = 1; i <= n; i++) store.execute('XADD', 's', `${i}-0`, 'f', 'v');
    run('XGROUP', 'CREATE', 's', 'g', '0');
    run('XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 's', '>');
    expect((run('XPENDING', 's', 'g') as unknown[])[0]).toBe(n);
    // Middle out, then the ends: each XACK one ID.
    for (let i = 0; i < n / 2; i++) {
      store.execute('XACK', 's', 'g', `${n / 2 + i + 1}-0`);
      store.execute('XACK', 's', 'g', `${n / 2 - i}-0`);
    }
    expect(run('XPENDING', 's', 'g')).toEqual([0, null, null, null]);
  });
});

describe('XCLAIM', () => {
  it('claims entries idle long enough; IDLE, TIME, RETRYCOUNT, JUSTID, FORCE; logs one XCLAIM per entry', () => {
    const { run, advance, log, now, events } = withEntries(4);
    run('XREADGROUP', 'GROUP', 'g', 'alice', 'COUNT', '3', 'STREAMS', 's', '>');
    advance(100);
    log.length = 0;
    events.length = 0;
    expect(run('XCLAIM', 's', 'g', 'bob', '200', '1-1')).toEqual([]);
    expect(log).toEqual([]);
    expect(run('XCLAIM', 's', 'g', 'bob', '50', '1-1')).toEqual([['1-1', ['f', 'v1']]]);
    expect(events).toEqual(['xgroup-createconsumer:s']);
    expect(run('XPENDING', 's', 'g', '-', '+', '10', 'bob')).toEqual([['1-1', 'bob', 0, 2]]);
    expect(run('XCLAIM', 's', 'g', 'carol', '0', '2-1', 'JUSTID')).toEqual(['2-1']);
    expect(run('XCLAIM', 's', 'g', 'carol', '0', '3-1', 'IDLE', '5000', 'RETRYCOUNT', '7')).toEqual([['3-1', ['f', 'v3']]]);
    // Not pending: FORCE creates the entry (delivery count 1, then this delivery).
    expect(run('XCLAIM', 's', 'g', 'dave', '0', '4-1')).toEqual([]);
    expect(run('XCLAIM', 's', 'g', 'dave', '0', '4-1', 'FORCE', 'TIME', String(now() + 60_000))).toEqual([['4-1', ['f', 'v4']]]);
    expect(run('XPENDING', 's', 'g', '-', '+', '10')).toEqual([
      ['1-1', 'bob', 0, 2],
      ['2-1', 'carol', 0, 1],
      ['3-1', 'carol', 5000, 7],
      ['4-1', 'dave', 0, 2],
    ]);
    const t = String(now());
    expect(log.map(([, ...argv]) => text(argv))).toEqual([
      `XCLAIM s g bob 0 1-1 TIME ${t} RETRYCOUNT 2 FORCE JUSTID LASTID 3-1`,
      `XCLAIM s g carol 0 2-1 TIME ${t} RETRYCOUNT 1 FORCE JUSTID LASTID 3-1`,
      `XCLAIM s g carol 0 3-1 TIME ${now() - 5000} RETRYCOUNT 7 FORCE JUSTID LASTID 3-1`,
      `XCLAIM s g dave 0 4-1 TIME ${t} RETRYCOUNT 2 FORCE JUSTID LASTID 3-1`,
    ]);
    // IDLE beyond now, negative, and TIME before the epoch mean now.
    advance(10);
    run('XCLAIM', 's', 'g', 'bob', '0', '1-1', 'IDLE', String(now() + 1), 'JUSTID');
    run('XCLAIM', 's', 'g', 'bob', '0', '2-1', 'IDLE', '-5', 'JUSTID');
    run('XCLAIM', 's', 'g', 'bob', '0', '3-1', 'TIME', '-1', 'JUSTID', 'RETRYCOUNT', '-3');
    expect(run('XPENDING', 's', 'g', '-', '3', '10')).toEqual([
      ['1-1', 'bob', 0, 2],
      ['2-1', 'bob', 0, 1],
      ['3-1', 'bob', 0, 7],
    ]);
  });

  it('drops pending entries whose entry was deleted, LASTID moves the group on', () => {
    const { run, log } = withEntries(3);
    run('XREADGROUP', 'GROUP', 'g', 'alice', 'STREAMS', 's', '>');
    run('XDEL', 's', '2-1');
    log.length = 0;
    expect(run('XCLAIM', 's', 'g', 'bob', '0', '2-1', '3', '3-1', 'JUSTID', 'LASTID', '9-0')).toEqual(['3-1']);
    expect(run('XPENDING', 's', 'g')).toEqual([2, '1-1', '3-1', [['alice', '1'], ['bob', '1']]]);
    expect(log.map(([, ...argv]) => text(argv))).toEqual([
      `XCLAIM s g alice 0 2-1 TIME ${T0} RETRYCOUNT 1 FORCE JUSTID LASTID 9-0`,
      `XCLAIM s g bob 0 3-1 TIME ${T0} RETRYCOUNT 1 FORCE JUSTID LASTID 9-0`,
    ]);
    // LASTID alone (nothing claimed) is logged as XGROUP SETID.
    log.length = 0;
    expect(run('XCLAIM', 's', 'g', 'bob', '0', '7-7', 'LASTID', '10-0')).toEqual([]);
    expect(run('XCLAIM', 's', 'g', 'bob', '0', '7-7', 'LASTID', '5-0')).toEqual([]);
    expect(log.map(([, ...argv]) => text(argv))).toEqual(['XGROUP SETID s g 10-0 ENTRIESREAD 3']);
    expect((run('XINFO', 'GROUPS', 's') as unknown[][])[0]![7]).toBe('10-0');
  });

  it('errors, in Redis order', () => {
    const { run } = withEntries(2);
    run('SET', 'str', 'v');
    const e = (...argv: Arg[]) => errorText(run('XCLAIM', ...argv));
    expect(e('nokey', 'g', 'c', 'x', '1-1')).toBe("NOGROUP No such key 'nokey' or consumer group 'g'");
    expect(e('str', 'g', 'c', 'x', '1-1')).toBe(WRONGTYPE);
    expect(e('s', 'g', 'c', 'x', '1-1')).toBe('ERR Invalid min-idle-time argument for XCLAIM');
    expect(e('s', 'g', 'c', '0', '1-1', 'foo')).toBe("ERR Unrecognized XCLAIM option 'foo'");
    expect(e('s', 'g', 'c', '0', '1-1', 'idle')).toBe("ERR Unrecognized XCLAIM option 'idle'");
    expect(e('s', 'g', 'c', '0', '1-1', 'JUSTID', '2-1')).toBe("ERR Unrecognized XCLAIM option '2-1'");
    expect(e('s', 'g', 'c', '0', '1-1', 'IDLE', 'x')).toBe('ERR Invalid IDLE option argument for XCLAIM');
    expect(e('s', 'g', 'c', '0', '1-1', 'TIME', '1.5')).toBe('ERR Invalid TIME option argument for XCLAIM');
    expect(e('s', 'g', 'c', '0', '1-1', 'RETRYCOUNT', '')).toBe('ERR Invalid RETRYCOUNT option argument for XCLAIM');
    expect(e('s', 'g', 'c', '0', '1-1', 'LASTID', '+')).toBe('ERR Invalid stream ID specified as stream command argument');
    expect(run('XCLAIM', 's', 'g', 'c', '0', 'FORCE')).toEqual([]);
    expect(run('XINFO', 'CONSUMERS', 's', 'g')).toEqual([]);
  });
});

describe('XAUTOCLAIM', () => {
  it('scans the PEL from a cursor: COUNT, deleted entries, the attempts bound, JUSTID', () => {
    const { run, advance, log } = withEntries(30);
    run('XREADGROUP', 'GROUP', 'g', 'alice', 'STREAMS', 's', '>');
    run('XDEL', 's', '2-1', '4-1');
    advance(100);
    log.length = 0;
    expect(run('XAUTOCLAIM', 's', 'g', 'bob', '50', '0', 'COUNT', '2')).toEqual([
      '3-1',
      [['1-1', ['f', 'v1']]],
      ['2-1'],
    ]);
    expect(log.map(([, ...argv]) => text(argv))).toEqual([
      `XCLAIM s g bob 0 1-1 TIME ${T0 + 100} RETRYCOUNT 2 FORCE JUSTID LASTID 30-1`,
      `XCLAIM s g alice 0 2-1 TIME ${T0} RETRYCOUNT 1 FORCE JUSTID LASTID 30-1`,
    ]);
    // A deleted entry counts against COUNT.
    expect(run('XAUTOCLAIM', 's', 'g', 'bob', '50', '(2-1', 'COUNT', '2', 'JUSTID')).toEqual(['5-1', ['3-1'], ['4-1']]);
    // Nothing idle enough: COUNT 1 looks at 10 entries, and the cursor is the 11th.
    expect(run('XAUTOCLAIM', 's', 'g', 'carol', '1000', '6-1', 'COUNT', '1')).toEqual(['16-1', [], []]);
    expect(run('XAUTOCLAIM', 's', 'g', 'carol', '0', '29-1')).toEqual(['0-0', [['29-1', ['f', 'v29']], ['30-1', ['f', 'v30']]], []]);
    expect(run('XPENDING', 's', 'g', '-', '+', '3', 'bob')).toEqual([
      ['1-1', 'bob', 0, 2],
      ['3-1', 'bob', 0, 1], // JUSTID: not counted as a delivery
    ]);
    expect(run('XINFO', 'CONSUMERS', 's', 'g')).toEqual([
      ['name', 'alice', 'pending', 24, 'idle', 100],
      ['name', 'bob', 'pending', 2, 'idle', 0],
      ['name', 'carol', 'pending', 2, 'idle', 0],
    ]);
  });

  it('errors, in Redis order', () => {
    const { run } = withEntries(1);
    run('SET', 'str', 'v');
    const e = (...argv: Arg[]) => errorText(run('XAUTOCLAIM', ...argv));
    expect(e('nokey', 'g', 'c', 'x', '0')).toBe('ERR Invalid min-idle-time argument for XAUTOCLAIM');
    expect(e('nokey', 'g', 'c', '0', 'x')).toBe('ERR Invalid stream ID specified as stream command argument');
    expect(e('nokey', 'g', 'c', '0', '(18446744073709551615-18446744073709551615')).toBe('ERR invalid start ID for the interval');
    expect(e('nokey', 'g', 'c', '0', '0', 'COUNT', '0')).toBe('ERR COUNT must be > 0');
    expect(e('nokey', 'g', 'c', '0', '0', 'COUNT', 'x')).toBe('ERR COUNT must be > 0');
    expect(e('nokey', 'g', 'c', '0', '0', 'COUNT', '576460752303423488')).toBe('ERR COUNT must be > 0');
    expect(e('nokey', 'g', 'c', '0', '0', 'COUNT')).toBe('ERR syntax error');
    expect(e('str', 'g', 'c', '0', '0', 'COUNT', '576460752303423487')).toBe(WRONGTYPE);
    expect(e('nokey', 'g', 'c', '0', '0', 'COUNT', '576460752303423487')).toBe("NOGROUP No such key 'nokey' or consumer group 'g'");
    expect(e('s', 'g', 'c', '0', '0', 'COUNT', '576460752303423487')).toBe(
      'ERR Insufficient memory, failed allocating transient memory, COUNT too high.',
    );
    expect(run('XAUTOCLAIM', 's', 'g', 'c', '0', '0', 'COUNT', '1000000000', 'JUSTID')).toEqual(['0-0', [], []]);
  });
});

describe('XINFO', () => {
  it('STREAM, STREAM FULL [COUNT], GROUPS and CONSUMERS', () => {
    const { run, advance } = withEntries(3);
    expect(run('XINFO', 'STREAM', 's')).toEqual([
      'length', 3, 'radix-tree-keys', 1, 'radix-tree-nodes', 2, 'last-generated-id', '3-1', 'max-deleted-entry-id', '0-0',
      'entries-added', 3, 'recorded-first-entry-id', '1-1', 'groups', 1,
      'first-entry', ['1-1', ['f', 'v1']], 'last-entry', ['3-1', ['f', 'v3']],
    ]);
    run('XREADGROUP', 'GROUP', 'g', 'alice', 'COUNT', '2', 'STREAMS', 's', '>');
    advance(7);
    run('XREADGROUP', 'GROUP', 'g', 'bob', 'STREAMS', 's', '0'); // bob's (empty) history: seen now
    expect(run('XINFO', 'STREAM', 's', 'FULL', 'COUNT', '1')).toEqual([
      'length', 3, 'radix-tree-keys', 1, 'radix-tree-nodes', 2, 'last-generated-id', '3-1', 'max-deleted-entry-id', '0-0',
      'entries-added', 3, 'recorded-first-entry-id', '1-1',
      'entries', [['1-1', ['f', 'v1']]],
      'groups', [[
        'name', 'g', 'last-delivered-id', '2-1', 'entries-read', 2, 'lag', 1, 'pel-count', 2,
        'pending', [['1-1', 'alice', T0, 1]],
        'consumers', [
          ['name', 'alice', 'seen-time', T0, 'pel-count', 2, 'pending', [['1-1', T0, 1]]],
          ['name', 'bob', 'seen-time', T0 + 7, 'pel-count', 0, 'pending', []],
        ],
      ]],
    ]);
    const full = run('XINFO', 'STREAM', 's', 'FULL') as unknown[];
    expect(full[15]).toHaveLength(3);
    expect((run('XINFO', 'STREAM', 's', 'FULL', 'COUNT', '0') as unknown[])[15]).toHaveLength(3);
    expect((run('XINFO', 'STREAM', 's', 'FULL', 'COUNT', '-1') as unknown[])[15]).toHaveLength(3);
    advance(5);
    expect(run('XINFO', 'CONSUMERS', 's', 'g')).toEqual([
      ['name', 'alice', 'pending', 2, 'idle', 12],
      ['name', 'bob', 'pending', 0, 'idle', 5],
    ]);
    expect(run('XINFO', 'GROUPS', 's')).toEqual([
      ['name', 'g', 'consumers', 2, 'pending', 2, 'last-delivered-id', '2-1', 'entries-read', 2, 'lag', 1],
    ]);

    run('SET', 'str', 'v');
    const e = (...argv: Arg[]) => errorText(run('XINFO', ...argv));
    expect(e('STREAM', 'nokey', 'bad')).toBe('ERR no such key');
    expect(e('STREAM', 'str')).toBe(WRONGTYPE);
    expect(e('STREAM', 's', 'FULL', 'COUNT')).toBe("ERR unknown subcommand or wrong number of arguments for 'STREAM'. Try XINFO HELP.");
    expect(e('stream', 's', 'FOO')).toBe("ERR unknown subcommand or wrong number of arguments for 'stream'. Try XINFO HELP.");
    expect(e('STREAM', 's', 'FULL', 'LIMIT', '1')).toMatch(/^ERR unknown subcommand/);
    expect(e('STREAM', 's', 'FULL', 'COUNT', 'x')).toBe('ERR value is not an integer or out of range');
    expect(e('CONSUMERS', 's', 'nope')).toBe("NOGROUP No such consumer group 'nope' for key name 's'");
    expect(e('GROUPS', 's', 'x')).toBe("ERR wrong number of arguments for 'xinfo|groups' command");
    expect(e('HELP', 'x')).toBe("ERR wrong number of arguments for 'xinfo|help' command");
  });

  it('GROUPS: entries-read and lag as Redis 7.0 computes them around tombstones', () => {
    const { run } = setup();
    const info = (g: string) => {
      const groups = run('XINFO', 'GROUPS', 's') as unknown[][];
      const row = groups.find((r) => r[1] === g)!;
      return [row[9], row[11]];
    };
    run('XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM');
    expect(info('g')).toEqual([null, 0]); // a stream never written
    for (let i = 1; i <= 5; i++) run('XADD', 's', `${i}-0`, 'f', 'v');
    expect(info('g')).toEqual([null, 5]); // 0-0 is before the first entry: estimated
    run('XREADGROUP', 'GROUP', 'g', 'c', 'COUNT', '2', 'STREAMS', 's', '>');
    expect(info('g')).toEqual([2, 3]);
    run('XDEL', 's', '4-0'); // a tombstone after the group's last ID
    expect(info('g')).toEqual([2, null]);
    run('XREADGROUP', 'GROUP', 'g', 'c', 'COUNT', '1', 'STREAMS', 's', '>');
    expect(info('g')).toEqual([null, null]); // the counter is re-estimated for 3-0: unknown
    run('XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 's', '>');
    expect(info('g')).toEqual([5, 0]); // at the last ID: entries-added
    run('XGROUP', 'CREATE', 's', 'h', '0');
    expect(info('h')).toEqual([null, null]); // tombstones ahead, before the first entry
    run('XGROUP', 'CREATE', 's', 'k', '2-0', 'ENTRIESREAD', '2');
    expect(info('k')).toEqual([2, null]);
    run('XTRIM', 's', 'MINID', '5');
    expect(info('h')).toEqual([null, 1]); // the tombstone is before the first entry now
    expect(info('k')).toEqual([2, 3]);
    run('XGROUP', 'SETID', 's', 'h', '5-0');
    expect(info('h')).toEqual([null, 0]); // the last ID: entries-added
  });
});

describe('blocking', () => {
  it('XGROUP DESTROY wakes the XREADGROUP sessions blocked on the group with -NOGROUP', async () => {
    const time = fakeTime();
    const store = createStore({ clock: time.clock, timers: time.timers, activeExpire: false });
    store.execute('XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM');
    store.execute('XGROUP', 'CREATE', 's', 'other', '$');
    const p1 = store.connect().call('XREADGROUP', 'GROUP', 'g', 'c1', 'BLOCK', '0', 'STREAMS', 's', '>');
    const p2 = store.connect().call('XREADGROUP', 'GROUP', 'other', 'c2', 'BLOCK', '0', 'STREAMS', 's', '>');
    expect(store.engine.blocking.count).toBe(2);
    expect(store.execute('XGROUP', 'DESTROY', 's', 'g')).toBe(1);
    await expect(p1).rejects.toThrow('NOGROUP the consumer group this client was blocked on no longer exists');
    expect(store.engine.blocking.count).toBe(1);
    store.execute('XADD', 's', '1-1', 'f', 'v');
    expect(await p2).toEqual([['s', [['1-1', ['f', 'v']]]]]);
  });
});

describe('replay', () => {
  it('the log rebuilds the same groups, PELs, delivery counts and times', () => {
    const { run, store, log, advance } = setup();
    for (let i = 1; i <= 40; i++) run('XADD', 's', `${i}-1`, 'f', `v${i}`);
    run('XGROUP', 'CREATE', 's', 'g', '0');
    run('XGROUP', 'CREATE', 's', 'h', '$');
    run('XREADGROUP', 'GROUP', 'g', 'alice', 'COUNT', '10', 'STREAMS', 's', '>');
    advance(250);
    run('XREADGROUP', 'GROUP', 'g', 'bob', 'COUNT', '10', 'STREAMS', 's', '>');
    run('XREADGROUP', 'GROUP', 'g', 'nack', 'COUNT', '5', 'NOACK', 'STREAMS', 's', '>');
    advance(1000);
    run('XREADGROUP', 'GROUP', 'g', 'alice', 'STREAMS', 's', '0'); // history: delivery counts up
    run('XACK', 's', 'g', '3-1', '12-1');
    run('XCLAIM', 's', 'g', 'carol', '500', '1-1', '2-1', '15-1', 'IDLE', '20');
    run('XCLAIM', 's', 'g', 'carol', '0', '33-1', 'FORCE', 'RETRYCOUNT', '9');
    run('XDEL', 's', '5-1', '6-1', '16-1');
    advance(40);
    run('XAUTOCLAIM', 's', 'g', 'dave', '100', '0', 'COUNT', '6');
    run('XCLAIM', 's', 'g', 'dave', '0', '6-1', 'LASTID', '38-1');
    run('XGROUP', 'CREATECONSUMER', 's', 'h', 'idle');
    run('XGROUP', 'DELCONSUMER', 's', 'g', 'bob');
    run('XGROUP', 'SETID', 's', 'h', '20-1', 'ENTRIESREAD', '20');
    const replay = createStore({ clock: () => T0 + 999_999, activeExpire: false });
    for (const [db, ...argv] of log) {
      replay.execute('SELECT', db);
      replay.execute(...argv);
    }
    // Everything but the consumers' seen times, which Redis does not log either.
    const full = (st: typeof store) => JSON.stringify(st.execute('XINFO', 'STREAM', 's', 'FULL', 'COUNT', '0')).replace(/"seen-time",\d+/g, '');
    expect(full(replay)).toBe(full(store));
    expect(dumpKeyspace(replay.engine)).toEqual(dumpKeyspace(store.engine));
  });
});

describe('radix-tree-nodes', () => {
  it('counts the nodes of the rax of the master IDs as Redis 7.0 lays it out', () => {
    const { store, run } = setup();
    const keysAndNodes = (key: string) => {
      const info = run('XINFO', 'STREAM', key) as unknown[];
      return [info[3], info[5]];
    };
    expect(streamRadixTreeNodes(new StreamObject())).toBe(1); // the empty root
    run('XGROUP', 'CREATE', 'e', 'g', '$', 'MKSTREAM');
    expect(keysAndNodes('e')).toEqual([0, 1]);
    for (let i = 1; i <= 250; i++) store.execute('XADD', 'a', `${i}-1`, 'f', 'v');
    expect(keysAndNodes('a')).toEqual([3, 8]);
    for (let i = 1; i <= 3000; i++) store.execute('XADD', 'b', `${i * 100000}-${i % 3}`, 'f', String(i));
    expect(keysAndNodes('b')).toEqual([30, 74]);
    for (let i = 101; i <= 200; i++) store.execute('XDEL', 'b', `${i * 100000}-${i % 3}`);
    expect(run('XTRIM', 'b', 'MAXLEN', '~', '2500')).toBe(400);
    expect(keysAndNodes('b')).toEqual([25, 61]);
    run('XADD', 'c', '18446744073709551615-0', 'f', 'v');
    run('XADD', 'c', '18446744073709551615-18446744073709551615', 'f', 'v');
    expect(keysAndNodes('c')).toEqual([1, 2]);
  });
});
