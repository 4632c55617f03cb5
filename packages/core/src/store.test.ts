import { describe, expect, it } from 'vitest';
import { createStore, ReplyError } from './index.js';

describe('store', () => {
  it('runs commands through call and the typed API', async () => {
    const r = createStore();
    expect(await r.call('SET', 'k', 'héllo')).toBe('OK');
    expect(await r.get('k')).toBe('héllo');
    expect(await r.callBuffer('GET', 'k')).toEqual(new TextEncoder().encode('héllo'));
    expect(await r.call('PING')).toBe('PONG');
    r.close();
  });

  it('rejects unknown commands and wrong arity with Redis text', async () => {
    const r = createStore();
    await expect(r.call('nosuch', 'a', 'b')).rejects.toThrow(
      new ReplyError("ERR unknown command 'nosuch', with args beginning with: 'a' 'b' "),
    );
    await expect(r.call('GET')).rejects.toThrow("ERR wrong number of arguments for 'get' command");
    await expect(r.call('COMMAND', 'nope')).rejects.toThrow("ERR unknown subcommand 'nope'. Try COMMAND HELP.");
    r.close();
  });
});
