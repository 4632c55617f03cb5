import { describe, expect, it } from 'vitest';
import type { Client } from './client.js';
import { createStore, ReplyError, type Store } from './index.js';
import { encodeResp2, type Reply } from './reply.js';

/** A raw session: its replies and pushed messages in RESP2, as redis-server would send them. */
function session(store: Store) {
  const client: Client = store.engine.createClient();
  const pushes: string[] = [];
  client.onPush = (m: Reply) => pushes.push(encodeResp2(m));
  return {
    client,
    pushes,
    run: (...argv: (string | Uint8Array)[]) => encodeResp2(store.engine.processCommand(client, argv)),
    close: () => store.engine.freeClient(client),
  };
}

const arr = (...items: (string | number | null)[]) =>
  `*${items.length}\r\n` +
  items
    .map((x) => (x === null ? '$-1\r\n' : typeof x === 'number' ? `:${x}\r\n` : `$${Buffer.byteLength(x)}\r\n${x}\r\n`))
    .join('');

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('pub/sub commands', () => {
  it('confirms each channel with the running count, repeated ones included', () => {
    const store = createStore({ activeExpire: false });
    const s = session(store);
    expect(s.run('SUBSCRIBE', 'a', 'a', 'b')).toBe(
      arr('subscribe', 'a', 1) + arr('subscribe', 'a', 1) + arr('subscribe', 'b', 2),
    );
    expect(s.run('PSUBSCRIBE', 'n*')).toBe(arr('psubscribe', 'n*', 3));
    expect(s.run('UNSUBSCRIBE', 'a', 'zz')).toBe(arr('unsubscribe', 'a', 2) + arr('unsubscribe', 'zz', 2));
    expect(s.run('UNSUBSCRIBE')).toBe(arr('unsubscribe', 'b', 1));
    expect(s.run('UNSUBSCRIBE')).toBe(arr('unsubscribe', null, 1));
    expect(s.run('PUNSUBSCRIBE')).toBe(arr('punsubscribe', 'n*', 0));
    expect(s.run('PUNSUBSCRIBE')).toBe(arr('punsubscribe', null, 0));
    store.close();
  });

  it('delivers to channel and pattern subscribers; PUBLISH counts receivers', () => {
    const store = createStore({ activeExpire: false });
    const a = session(store);
    const b = session(store);
    const pub = session(store);
    expect(pub.run('PUBLISH', 'news', 'x')).toBe(':0\r\n');
    a.run('SUBSCRIBE', 'news');
    a.run('PSUBSCRIBE', 'n*');
    b.run('PSUBSCRIBE', 'n*', 'other*');
    expect(pub.run('PUBLISH', 'news', 'hello')).toBe(':3\r\n');
    expect(a.pushes).toEqual([arr('message', 'news', 'hello'), arr('pmessage', 'n*', 'news', 'hello')]);
    expect(b.pushes).toEqual([arr('pmessage', 'n*', 'news', 'hello')]);
    expect(pub.run('PUBLISH', 'nothing-here', 'x')).toBe(':2\r\n');
    expect(pub.run('PUBLISH', 'zzz', 'x')).toBe(':0\r\n');
    store.close();
  });

  it('keeps binary channels and payloads byte-exact', () => {
    const store = createStore({ activeExpire: false });
    const s = session(store);
    const pub = session(store);
    const chan = new Uint8Array([0xff, 0x00, 0x61]);
    const payload = new Uint8Array([0x80, 0x0d, 0x0a]);
    expect(s.run('SUBSCRIBE', chan)).toBe('*3\r\n$9\r\nsubscribe\r\n$3\r\n\xff\x00a\r\n:1\r\n');
    expect(pub.run('PUBLISH', chan, payload)).toBe(':1\r\n');
    expect(s.pushes).toEqual(['*3\r\n$7\r\nmessage\r\n$3\r\n\xff\x00a\r\n$3\r\n\x80\r\n\r\n']);
    expect(pub.run('PUBSUB', 'CHANNELS')).toBe('*1\r\n$3\r\n\xff\x00a\r\n');
    expect(pub.run('PUBSUB', 'NUMSUB', chan)).toBe('*2\r\n$3\r\n\xff\x00a\r\n:1\r\n');
    store.close();
  });

  it('answers PUBSUB CHANNELS, NUMSUB and NUMPAT', async () => {
    const store = createStore({ activeExpire: false });
    const a = session(store);
    const b = session(store);
    a.run('SUBSCRIBE', 'c1', 'c2');
    b.run('SUBSCRIBE', 'c1');
    a.run('PSUBSCRIBE', 'p*');
    b.run('PSUBSCRIBE', 'p*', 'q*');
    expect(((await store.call('PUBSUB', 'CHANNELS')) as string[]).sort()).toEqual(['c1', 'c2']);
    expect(await store.call('PUBSUB', 'CHANNELS', '*2')).toEqual(['c2']);
    expect(await store.call('PUBSUB', 'NUMSUB', 'c1', 'c2', 'c3')).toEqual(['c1', 2, 'c2', 1, 'c3', 0]);
    expect(await store.call('PUBSUB', 'NUMSUB')).toEqual([]);
    expect(await store.call('PUBSUB', 'NUMPAT')).toBe(2);
    expect(await store.pubsubNumsub('c1', 'zz')).toEqual({ c1: 2, zz: 0 });
    expect(await store.pubsubNumpat()).toBe(2);
    expect(await store.pubsubChannels('c1')).toEqual(['c1']);
    await expect(store.call('PUBSUB', 'CHANNELS', 'a', 'b')).rejects.toThrow(
      "ERR unknown subcommand or wrong number of arguments for 'CHANNELS'. Try PUBSUB HELP.",
    );
    await expect(store.call('PUBSUB', 'NUMPAT', 'x')).rejects.toThrow(
      "ERR wrong number of arguments for 'pubsub|numpat' command",
    );
    expect(((await store.call('PUBSUB', 'HELP')) as string[])[0]).toBe(
      'PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
    );
    // A freed client is gone from every channel and pattern.
    b.close();
    expect(await store.call('PUBSUB', 'NUMSUB', 'c1')).toEqual(['c1', 1]);
    expect(await store.call('PUBSUB', 'NUMPAT')).toBe(1);
    a.close();
    expect(await store.call('PUBSUB', 'CHANNELS')).toEqual([]);
    expect(await store.call('PUBSUB', 'NUMPAT')).toBe(0);
    expect(store.engine.pubsub.channels.size + store.engine.pubsub.patterns.size).toBe(0);
    store.close();
  });

  it('keeps shard channels apart: own counts, no pattern delivery', () => {
    const store = createStore({ activeExpire: false });
    const s = session(store);
    const pub = session(store);
    expect(s.run('SSUBSCRIBE', 's1')).toBe(arr('ssubscribe', 's1', 1));
    expect(s.run('GET', 'x')).toContain("Can't execute 'get'");
    s.run('PSUBSCRIBE', '*');
    expect(s.run('SSUBSCRIBE', 's2')).toBe(arr('ssubscribe', 's2', 2));
    expect(pub.run('SPUBLISH', 's1', 'yo')).toBe(':1\r\n');
    expect(pub.run('PUBLISH', 's1', 'no')).toBe(':1\r\n');
    expect(s.pushes).toEqual([arr('smessage', 's1', 'yo'), arr('pmessage', '*', 's1', 'no')]);
    expect(pub.run('PUBSUB', 'SHARDNUMSUB', 's1', 'x')).toBe('*4\r\n$2\r\ns1\r\n:1\r\n$1\r\nx\r\n:0\r\n');
    expect(s.run('PUNSUBSCRIBE')).toBe(arr('punsubscribe', '*', 0));
    expect(s.run('SUNSUBSCRIBE')).toBe(arr('sunsubscribe', 's1', 1) + arr('sunsubscribe', 's2', 0));
    expect(s.run('GET', 'x')).toBe('$-1\r\n');
    store.close();
  });
});

describe('the subscribed context (RESP2)', () => {
  it('refuses other commands and answers PING as ["pong", message]', async () => {
    const store = createStore({ activeExpire: false });
    const s = store.connect();
    expect(await s.call('PING')).toBe('PONG');
    await s.call('SUBSCRIBE', 'ch');
    await expect(s.call('GET', 'k')).rejects.toThrow(
      new ReplyError(
        "ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context",
      ),
    );
    await expect(s.call('PUBSUB', 'NUMPAT')).rejects.toThrow("Can't execute 'pubsub|numpat'");
    expect(await s.call('PING')).toEqual(['pong', '']);
    expect(await s.call('PING', 'hi')).toEqual(['pong', 'hi']);
    expect(await s.call('PSUBSCRIBE', 'x*')).toEqual([['psubscribe', 'x*', 2]]);
    await s.call('UNSUBSCRIBE');
    await expect(s.call('GET', 'k')).rejects.toThrow("Can't execute 'get'");
    await s.call('PUNSUBSCRIBE');
    expect(await s.call('GET', 'k')).toBe(null);
    expect(await s.call('PING')).toBe('PONG');
    store.close();
  });
});

describe('typed API in-process', () => {
  // Subscriptions as every front has them are in the typed-API suite (api/api-suite.ts).
  it('calls onMessage in a microtask after the publishing command, never inside it', async () => {
    const store = createStore({ activeExpire: false });
    const seen: unknown[] = [];
    const sub = await store.subscribe('bin', { buffers: true, onMessage: (m) => seen.push(m) });
    const published = store.publish('bin', new Uint8Array([0, 255]));
    expect(seen).toEqual([]); // not inside the PUBLISH
    expect(await published).toBe(1);
    expect(seen).toEqual([{ channel: 'bin', message: new Uint8Array([0, 255]) }]);
    await sub.unsubscribe();
    store.close();
  });

  it('takes engine-side publishes (keyspace events), and frees the session at once on unsubscribe', async () => {
    const store = createStore({ activeExpire: false });
    const sub = await store.subscribe('__proto__');
    expect(store.engine.pubsub.publish('__proto__', 42)).toBe(1);
    expect((await sub.next()).value).toEqual({ channel: '__proto__', message: '42' });
    await sub.unsubscribe();
    await tick();
    expect(Object.entries(await store.pubsubNumsub('__proto__'))).toEqual([['__proto__', 0]]);
    store.close();
  });
});
