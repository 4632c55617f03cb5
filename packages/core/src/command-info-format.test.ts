import { describe, expect, it } from 'vitest';
import { decodeCommandInfo, encodeCommandInfo } from './command-info-format.js';
import { COMMAND_INFO } from './command-info.js';
import { decodeConfigInfo, encodeConfigInfo } from './config-info-format.js';
import { CONFIG_INFO } from './config-info.js';

// The generators check that each recorded table decodes to exactly what Redis replied; these
// check the decoders on entries copied from redis-server 7.0.15's replies.
describe('the compact command and settings tables', () => {
  const info = (name: string) => COMMAND_INFO.find((e) => e[0] === name)!;

  it('decodes COMMAND INFO entries as Redis replies them', () => {
    expect(info('get')).toEqual(
      ['get', 2, ['+readonly', '+fast'], 1, 1, 1, ['+@read', '+@string', '+@fast'], [],
        [['flags', ['+RO', '+access'], 'begin_search', ['type', 'index', 'spec', ['index', 1]], 'find_keys', ['type', 'range', 'spec', ['lastkey', 0, 'keystep', 1, 'limit', 0]]]], []],
    );
    // Keyword search, a find-keys limit, derived @slow and @blocking after the explicit @stream.
    expect(info('xread')).toEqual(
      ['xread', -4, ['+readonly', '+blocking', '+movablekeys'], 0, 0, 0, ['+@read', '+@stream', '+@slow', '+@blocking'], [],
        [['flags', ['+RO', '+access'], 'begin_search', ['type', 'keyword', 'spec', ['keyword', 'STREAMS', 'startfrom', 1]], 'find_keys', ['type', 'range', 'spec', ['lastkey', -1, 'keystep', 1, 'limit', 2]]]], []],
    );
    // Notes, unknown key specs, explicit categories around the derived ones.
    expect(info('sort')[6]).toEqual(['+@write', '+@set', '+@sortedset', '+@list', '+@slow', '+@dangerous']);
    expect(info('sort')[8][1]).toEqual(
      ['notes', "For the optional BY/GET keyword. It is marked 'unknown' because the key names derive from the content of the key we sort",
        'flags', ['+RO', '+access'], 'begin_search', ['type', 'unknown', 'spec', []], 'find_keys', ['type', 'unknown', 'spec', []]],
    );
  });

  it('puts subcommands inside their containers', () => {
    const config = info('config');
    expect(config[9].map((s) => s[0])).toContain('config|get');
    expect(COMMAND_INFO.some((e) => e[0].includes('|'))).toBe(false);
  });

  it('decodes settings with their bounds, formats, enum values and defaults', () => {
    const setting = (name: string) => CONFIG_INFO.find((i) => i.name === name)!;
    expect(setting('maxmemory')).toEqual({
      name: 'maxmemory', alias: null, type: 'numeric', flags: [], default: '0',
      numericType: 'ulong-long', lower: '0', upper: '18446744073709551615', format: ['memory'], valid: null,
    });
    expect(setting('save')).toEqual({ name: 'save', alias: null, type: 'special', flags: ['multi-arg'], default: '3600 1 300 100 60 10000' });
    expect(setting('oom-score-adj').values).toEqual([['no', 0], ['yes', 1], ['relative', 1], ['absolute', 2]]);
  });

  it('encodes back to text that decodes to the same entries (what the generators check)', () => {
    expect(decodeCommandInfo(...encodeCommandInfo(COMMAND_INFO))).toEqual(COMMAND_INFO);
    expect(decodeConfigInfo(encodeConfigInfo(CONFIG_INFO))).toEqual(CONFIG_INFO);
  });
});
