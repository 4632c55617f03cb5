import type { VerbatimReply } from './reply.js';
import { describe, expect, it } from 'vitest';
import { bytesToHuman } from './info.js';
import { createStore } from './index.js';
import { T0 } from './test-helpers.js';

const info = (store: ReturnType<typeof createStore>, ...sections: string[]): Record<string, string> =>
  Object.fromEntries(
    ((store.execute('INFO', ...sections) as VerbatimReply).text)
      .split('\r\n')
      .filter((l) => l && !l.startsWith('#'))
      .map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1)]),
  );
const sections = (text: string) => text.match(/^# \w+/gm);

describe('INFO', () => {
  it('prints the default sections, all, everything and any list of names in Redis order', () => {
    const store = createStore({ clock: () => T0, activeExpire: false });
    const dflt = ['# Server', '# Clients', '# Memory', '# Persistence', '# Stats', '# Replication', '# CPU', '# Modules', '# Errorstats', '# Cluster', '# Keyspace'];
    expect(sections((store.execute('INFO') as VerbatimReply).text)).toEqual(dflt);
    expect(sections((store.execute('INFO', 'default') as VerbatimReply).text)).toEqual(dflt);
    const all = [...dflt.slice(0, 8), '# Commandstats', '# Errorstats', '# Latencystats', '# Cluster', '# Keyspace'];
    expect(sections((store.execute('INFO', 'all') as VerbatimReply).text)).toEqual(all);
    expect(sections((store.execute('INFO', 'EVERYTHING') as VerbatimReply).text)).toEqual(all);
    expect(sections((store.execute('INFO', 'keyspace', 'Server', 'module_list') as VerbatimReply).text)).toEqual(['# Server', '# Modules', '# Keyspace']);
    expect((store.execute('INFO', 'nosuch') as VerbatimReply).text).toBe('');
  });

  it('reads the memory estimate and eviction count when the engine has them', () => {
    const store = createStore({ clock: () => T0, activeExpire: false });
    const e = store.engine as unknown as { usedMemory?: () => number; stat: { evictedKeys?: number } };
    const own = e.usedMemory;
    e.usedMemory = () => 2048;
    e.stat.evictedKeys = 7;
    store.execute('CONFIG', 'SET', 'maxmemory', '1mb', 'maxmemory-policy', 'allkeys-lru');
    expect(info(store, 'memory')).toMatchObject({
      used_memory: '2048',
      used_memory_human: '2.00K',
      used_memory_peak: '2048',
      maxmemory: '1048576',
      maxmemory_human: '1.00M',
      maxmemory_policy: 'allkeys-lru',
      mem_allocator: 'libc',
    });
    expect(info(store, 'stats').evicted_keys).toBe('7');
    e.usedMemory = own;
  });

  it('counts hits, misses, commands, rejected and failed calls, errors by code', () => {
    const store = createStore({ clock: () => T0, activeExpire: false });
    store.execute('SET', 'k', 'v');
    store.execute('GET', 'k');
    store.execute('GET', 'nosuch');
    store.execute('LPUSH', 'k', 'x');
    store.execute('GET');
    store.execute('NOSUCH');
    store.execute('CONFIG', 'NOSUCH');
    expect(info(store, 'stats')).toMatchObject({ keyspace_hits: '1', keyspace_misses: '1', total_commands_processed: '4', total_error_replies: '4' });
    expect(info(store, 'errorstats')).toEqual({ errorstat_ERR: 'count=3', errorstat_WRONGTYPE: 'count=1' });
    expect(info(store, 'commandstats')).toEqual({
      cmdstat_get: 'calls=2,usec=0,usec_per_call=0.00,rejected_calls=1,failed_calls=0',
      cmdstat_info: 'calls=2,usec=0,usec_per_call=0.00,rejected_calls=0,failed_calls=0',
      cmdstat_lpush: 'calls=1,usec=0,usec_per_call=0.00,rejected_calls=0,failed_calls=1',
      cmdstat_set: 'calls=1,usec=0,usec_per_call=0.00,rejected_calls=0,failed_calls=0',
    });
  });

  it('prints byte counts as bytesToHuman does', () => {
    expect(bytesToHuman(0)).toBe('0B');
    expect(bytesToHuman(1023)).toBe('1023B');
    expect(bytesToHuman(1024)).toBe('1.00K');
    expect(bytesToHuman(1536 * 1024)).toBe('1.50M');
    expect(bytesToHuman(3 * 1024 ** 3)).toBe('3.00G');
  });
});
