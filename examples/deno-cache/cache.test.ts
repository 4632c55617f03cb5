// deno test --allow-net --allow-env --allow-run --allow-read (or: npx deno task test)
import { startCache } from './main.ts';
import { cacheTtl } from './cache.ts';

function assertEquals(actual: unknown, expected: unknown, what = ''): void {
  const [a, e] = [JSON.stringify(actual), JSON.stringify(expected)];
  if (a !== e) throw new Error(`${what}: expected ${e}, got ${a}`);
}

async function get(url: string) {
  const started = performance.now();
  const res = await fetch(url);
  const body = await res.json();
  return { res, body, ms: performance.now() - started, cache: res.headers.get('x-cache'), ttl: res.headers.get('x-cache-ttl') };
}

Deno.test('MISS, then HIT until the TTL runs out, then MISS again', async () => {
  const cache = startCache({ port: 0, upstreamDelayMs: 200 });
  try {
    const first = await get(`${cache.url}/time`); // the upstream says max-age=1
    assertEquals([first.res.status, first.cache, first.ttl], [200, 'MISS', '1'], 'first');
    if (first.ms < 200) throw new Error(`a miss waits for the upstream, took ${first.ms} ms`);

    const second = await get(`${cache.url}/time`);
    assertEquals([second.cache, second.body], ['HIT', first.body], 'second');
    assertEquals(second.res.headers.get('content-type'), 'application/json', 'content-type');
    assertEquals(cache.origin!.requests, 1, 'upstream requests');

    await new Promise((resolve) => setTimeout(resolve, 1100));
    const third = await get(`${cache.url}/time`);
    assertEquals(third.cache, 'MISS', 'after the TTL');
    assertEquals(third.body.reading, 2, 'a new upstream reading');
  } finally {
    await cache.shutdown();
  }
});

Deno.test('TTLs: max-age, the default, no-store; concurrent misses share one upstream fetch', async () => {
  const cache = startCache({ port: 0, upstreamDelayMs: 50, defaultTtl: 7 });
  try {
    const burst = await Promise.all(Array.from({ length: 5 }, () => get(`${cache.url}/weather/oslo`)));
    assertEquals(burst.map((r) => r.cache), ['MISS', 'MISS', 'MISS', 'MISS', 'MISS'], 'burst');
    assertEquals(cache.origin!.requests, 1, 'one upstream fetch for the burst');
    const hit = await get(`${cache.url}/weather/oslo`);
    assertEquals([hit.cache, hit.ttl, hit.body.reading], ['HIT', '10', 1], 'max-age=10');

    assertEquals((await get(`${cache.url}/quote`)).ttl, '7', 'default TTL');
    const [a, b] = [await get(`${cache.url}/account`), await get(`${cache.url}/account`)];
    assertEquals([a.cache, b.cache, b.body.reading], ['BYPASS', 'BYPASS', 4], 'no-store');

    const stats = await (await fetch(`${cache.url}/admin/stats`)).json();
    assertEquals([stats.hits, stats.misses, stats.upstreamFetches], [1, 8, 4], 'stats');
    // The two cached answers have a TTL; the stats hash has none.
    assertEquals([stats.keyspace.db0.keys, stats.keyspace.db0.expires], [3, 2], 'keyspace');
  } finally {
    await cache.shutdown();
  }
});

Deno.test('an upstream that cannot be reached gives 502, and nothing is cached', async () => {
  const cache = startCache({ port: 0, upstream: 'http://127.0.0.1:9' }); // discard port: refused
  try {
    const res = await fetch(`${cache.url}/weather/paris`);
    assertEquals([res.status, res.headers.get('x-cache')], [502, 'MISS'], 'unreachable');
    await res.body?.cancel();
  } finally {
    await cache.shutdown();
  }
});

Deno.test('cacheTtl reads Cache-Control', () => {
  assertEquals(
    [cacheTtl('public, max-age=60', 30), cacheTtl(null, 30), cacheTtl('no-store', 30), cacheTtl('max-age=0', 30)],
    [60, 30, 0, 0],
  );
});

Deno.test('main.ts runs as the README says', async () => {
  const child = new Deno.Command(Deno.execPath(), {
    args: ['run', '--allow-net', '--allow-env', 'main.ts'],
    cwd: new URL('.', import.meta.url),
    env: { PORT: '0' },
    stdout: 'piped',
    stderr: 'inherit',
  }).spawn();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  try {
    let out = '';
    while (!/listening on (\S+)/.test(out)) {
      const { value, done } = await lines.read();
      if (done) throw new Error(`main.ts exited: ${out}`);
      out += value;
    }
    const url = /listening on (\S+)/.exec(out)![1]!;
    assertEquals([(await get(`${url}/weather/rome`)).cache, (await get(`${url}/weather/rome`)).cache], ['MISS', 'HIT']);
  } finally {
    child.kill('SIGINT');
    await lines.cancel();
    assertEquals((await child.status).code, 0, 'exit code after SIGINT');
  }
});
