import { describe, expect, it } from 'vitest';
import { CONFIG_INFO } from './config-info.js';
import { configSetInternal, memtoull } from './config.js';
import { createStore, decodeReply, MapReply, ReplyError, type Reply } from './index.js';
import { NOTIFY_ALL, NOTIFY_KEYEVENT, NOTIFY_KEYSPACE, NOTIFY_NEW } from './notify.js';
import { T0 } from './test-helpers.js';

function setup() {
  const store = createStore({ clock: () => T0, activeExpire: false });
  const run = (...argv: string[]): unknown => {
    const r = store.execute(...argv);
    return r instanceof ReplyError ? r : decodeReply(r);
  };
  /** CONFIG GET as an object. */
  const get = (...patterns: string[]): Record<string, string> => {
    const flat = run('CONFIG', 'GET', ...patterns) as string[];
    return Object.fromEntries(Array.from({ length: flat.length / 2 }, (_, i) => [flat[2 * i]!, flat[2 * i + 1]!]));
  };
  return { store, engine: store.engine, run, get };
}

const message = (r: unknown) => (r as ReplyError).message;

describe('CONFIG GET', () => {
  it('reports every name and alias a Redis 7.0.15 reports, and the hidden ones by exact name only', () => {
    const { get } = setup();
    const all = get('*');
    const names = CONFIG_INFO.flatMap((i) => (i.flags.includes('hidden') ? [] : [i.name, ...(i.alias ? [i.alias] : [])]));
    expect(Object.keys(all).sort()).toEqual(names.sort());
    expect(Object.keys(all)).toHaveLength(192);
    expect(get('key-load-delay')).toEqual({ 'key-load-delay': '0' });
    expect(get('key-load*')).toEqual({});
  });

  it('answers with the defaults of a fresh server (Lodis: no port, no save points)', () => {
    const { get } = setup();
    expect(get('maxmemory', 'maxmemory-policy', 'hz', 'databases', 'appendfsync', 'port', 'save')).toEqual({
      maxmemory: '0',
      'maxmemory-policy': 'noeviction',
      hz: '10',
      databases: '16',
      appendfsync: 'everysec',
      port: '0',
      save: '',
    });
    expect(createStore({ databases: 4 }).execute('CONFIG', 'GET', 'databases')).toEqual(new MapReply(['databases', '4']));
  });

  it('replies in the table order, a RESP3 map, an exact name as it was given', () => {
    const { run, store } = setup();
    expect(run('CONFIG', 'GET', 'HZ', 'hz', 'nosuch')).toEqual(['HZ', '10']);
    expect(run('CONFIG', 'GET', 'slave-read-only', 'replica-read-only')).toEqual(['replica-read-only', 'yes', 'slave-read-only', 'yes']);
    expect(store.execute('CONFIG', 'GET', 'lfu-*')).toBeInstanceOf(MapReply);
  });
});

describe('CONFIG SET', () => {
  it('stores what the engine acts on in its typed fields', () => {
    const { run, engine } = setup();
    expect(run('CONFIG', 'SET', 'maxmemory', '100mb', 'maxmemory-policy', 'ALLKEYS-LFU', 'maxmemory-samples', '10')).toBe('OK');
    expect(run('CONFIG', 'SET', 'maxmemory-eviction-tenacity', '50', 'lfu-log-factor', '20', 'lfu-decay-time', '5')).toBe('OK');
    expect(engine.config).toMatchObject({
      maxmemory: 100 * 1024 * 1024,
      maxmemoryPolicy: 'allkeys-lfu',
      maxmemorySamples: 10,
      maxmemoryEvictionTenacity: 50,
      lfuLogFactor: 20,
      lfuDecayTime: 5,
    });
    run('CONFIG', 'SET', 'hz', '1000');
    expect(engine.config.hz).toBe(500); // updateHZ caps it
    run('CONFIG', 'SET', 'notify-keyspace-events', 'KEA');
    expect(engine.notifyKeyspaceEventsFlags).toBe(NOTIFY_KEYSPACE | NOTIFY_KEYEVENT | NOTIFY_ALL);
    run('CONFIG', 'SET', 'notify-keyspace-events', 'KEAn');
    expect(engine.notifyKeyspaceEventsFlags & NOTIFY_NEW).toBe(NOTIFY_NEW);
  });

  it('reads back the typed fields when code sets them directly', () => {
    const { get, engine } = setup();
    engine.config.maxmemory = 12345;
    engine.config.maxmemoryPolicy = 'volatile-ttl';
    engine.notifyKeyspaceEventsFlags = NOTIFY_KEYEVENT | NOTIFY_ALL;
    expect(get('maxmemory', 'maxmemory-policy', 'notify-keyspace-events')).toEqual({
      maxmemory: '12345',
      'maxmemory-policy': 'volatile-ttl',
      'notify-keyspace-events': 'AE',
    });
  });

  it('keeps maxmemory exact past 2^53', () => {
    const { run, get, engine } = setup();
    run('CONFIG', 'SET', 'maxmemory', '18446744073709551615');
    expect(get('maxmemory')).toEqual({ maxmemory: '18446744073709551615' });
    expect(engine.config.maxmemory).toBe(2 ** 64);
  });

  it('sets all pairs or none, with the first error in Redis order', () => {
    const { run, get, engine } = setup();
    run('CONFIG', 'SET', 'maxmemory', '1mb');
    expect(message(run('CONFIG', 'SET', 'maxmemory', '2mb', 'hz', 'abc'))).toBe(
      "ERR CONFIG SET failed (possibly related to argument 'hz') - argument couldn't be parsed into an integer",
    );
    expect(engine.config.maxmemory).toBe(1024 * 1024);
    expect(message(run('CONFIG', 'SET', 'daemonize', 'yes', 'nosuch', '1'))).toBe(
      "ERR CONFIG SET failed (possibly related to argument 'daemonize') - can't set immutable config",
    );
    expect(message(run('CONFIG', 'SET', 'nosuch', '1', 'daemonize', 'yes'))).toBe(
      "ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'",
    );
    expect(message(run('CONFIG', 'SET', 'dir', '/tmp'))).toBe("ERR CONFIG SET failed (possibly related to argument 'dir') - can't set protected config");
    expect(message(run('CONFIG', 'SET', 'hz', '5', 'HZ', '6'))).toBe("ERR CONFIG SET failed (possibly related to argument 'HZ') - duplicate parameter");
    expect(message(run('CONFIG', 'SET', 'hz', '5', 'maxmemory'))).toBe('ERR syntax error');
    // An alias and its name are two settings; the last one wins.
    expect(run('CONFIG', 'SET', 'replica-read-only', 'no', 'slave-read-only', 'yes')).toBe('OK');
    expect(get('replica-read-only')).toEqual({ 'replica-read-only': 'yes' });
  });

  it('round-trips every modifiable setting through its own CONFIG GET value', () => {
    const { run, get } = setup();
    for (const info of CONFIG_INFO) {
      if (info.flags.includes('immutable') || info.flags.includes('protected')) continue;
      const value = Object.values(get(info.name))[0]!;
      expect([info.name, run('CONFIG', 'SET', info.name, value)]).toEqual([info.name, 'OK']);
      expect(get(info.name)).toEqual({ [info.name]: value });
    }
  });

  it('parses memory values as memtoull does', () => {
    expect(memtoull('1gb')).toBe(1073741824n);
    expect(memtoull('1G')).toBe(1000000000n);
    expect(memtoull('5k')).toBe(5000n);
    expect(memtoull('5KB')).toBe(5120n);
    expect(memtoull('')).toBe(0n);
    expect(memtoull('mb')).toBe(0n);
    expect(memtoull('-1')).toBeNull();
    expect(memtoull('1.5gb')).toBeNull();
    expect(memtoull(' 1')).toBeNull();
    expect(memtoull('99999999999999999999')).toBe(18446744073709551615n);
    expect(memtoull('20000000000gb')).toBe(3028092406290448384n); // wraps, as in C
  });

  it('lets a front set immutable settings at start (configSetInternal), not the database count', () => {
    const { engine, get } = setup();
    configSetInternal(engine, { port: '6380', daemonize: 'yes', dir: '/data' });
    expect(get('port', 'daemonize', 'dir')).toEqual({ port: '6380', daemonize: 'yes', dir: '/data' });
    expect(() => configSetInternal(engine, { databases: '4' })).toThrow(/createStore's `databases` option/);
    expect(() => configSetInternal(engine, { hz: 'x' })).toThrow(/argument couldn't be parsed into an integer/);
  });

  it('answers REWRITE as a server without a config file, RESETSTAT and HELP as Redis', () => {
    const { run } = setup();
    expect(message(run('CONFIG', 'REWRITE'))).toBe('ERR The server is running without a config file');
    run('SET', 'k', 'v');
    run('GET', 'k');
    run('GET', 'nosuch');
    expect(run('CONFIG', 'RESETSTAT')).toBe('OK');
    expect(run('INFO', 'stats')).toMatch(/keyspace_hits:0\r\nkeyspace_misses:0\r\n/);
    expect(run('INFO', 'stats')).toMatch(/total_commands_processed:2\r\n/);
    expect((run('CONFIG', 'HELP') as string[])[0]).toBe('CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:');
  });
});

describe('notify-keyspace-events', () => {
  it('publishes only the classes configured', () => {
    const { store, run } = setup();
    const sub = store.connect();
    const got: Reply[] = [];
    sub.onPushReply((m) => got.push(m));
    sub.execute('PSUBSCRIBE', '__key*__:*');
    got.length = 0;
    run('CONFIG', 'SET', 'notify-keyspace-events', 'E$');
    run('SET', 'k', 'v');
    run('DEL', 'k');
    run('CONFIG', 'SET', 'notify-keyspace-events', 'Kg');
    run('SET', 'k', 'v');
    run('DEL', 'k');
    expect(got.map((m) => decodeReply(m))).toEqual([
      ['pmessage', '__key*__:*', '__keyevent@0__:set', 'k'],
      ['pmessage', '__key*__:*', '__keyspace@0__:k', 'del'],
    ]);
  });
});
