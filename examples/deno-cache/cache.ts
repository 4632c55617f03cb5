/**
 * The cache: GET responses of the upstream kept in a Lodis store with `SET key value EX ttl`, for
 * as long as the upstream's `Cache-Control: max-age` says (or `defaultTtl`), served from there
 * until Redis expires them. Hits and misses are counted in a hash (`HINCRBY cache:stats …`).
 *
 *   x-cache: HIT | MISS | BYPASS   where the answer came from (BYPASS: not cacheable)
 *   x-cache-ttl: <seconds>         what `TTL` says is left; `age` is how long it has been cached
 *   GET /admin/stats               hits, misses, upstream fetches, and `INFO keyspace`
 */
import type { Store } from '@lodis/core';

export interface CacheOptions {
  /** Base URL of the origin, e.g. `http://127.0.0.1:9000`. */
  upstream: string;
  /** TTL in seconds for answers without `max-age`. Default 30. */
  defaultTtl?: number;
}

/** What is stored under `cache:<path>`: the answer, and the TTL it was stored with. */
interface Entry {
  status: number;
  type: string;
  body: string;
  ttl: number;
}

const STATS = 'cache:stats';

export function cacheHandler(redis: Store, options: CacheOptions): (req: Request) => Promise<Response> {
  const defaultTtl = options.defaultTtl ?? 30;
  // Concurrent misses of one key wait for a single upstream fetch instead of each making one.
  const inflight = new Map<string, Promise<{ entry: Entry; ttl: number }>>();

  async function fetchUpstream(key: string, path: string): Promise<{ entry: Entry; ttl: number }> {
    await redis.hincrby(STATS, 'upstream_fetches', 1);
    const res = await fetch(new URL(path, options.upstream));
    const entry = { status: res.status, type: res.headers.get('content-type') ?? 'text/plain', body: await res.text(), ttl: 0 };
    const ttl = res.status === 200 ? cacheTtl(res.headers.get('cache-control'), defaultTtl) : 0;
    if (ttl > 0) await redis.set(key, JSON.stringify({ ...entry, ttl }), { ex: ttl });
    return { entry: { ...entry, ttl }, ttl };
  }

  return async (req) => {
    const url = new URL(req.url);
    if (url.pathname === '/admin/stats') return Response.json(await stats(redis));
    const path = url.pathname + url.search;
    if (req.method !== 'GET') return new Response('only GET is cached\n', { status: 405, headers: { allow: 'GET' } });

    const key = `cache:${path}`;
    const [cached, left] = (await redis.multi().get(key).ttl(key).exec()) as [string | null, number];
    if (cached !== null) {
      await redis.hincrby(STATS, 'hits', 1);
      const entry = JSON.parse(cached) as Entry;
      return answer(entry, 'HIT', Math.max(left, 0));
    }

    await redis.hincrby(STATS, 'misses', 1);
    let fetching = inflight.get(key);
    if (!fetching) {
      fetching = fetchUpstream(key, path).finally(() => inflight.delete(key));
      inflight.set(key, fetching);
    }
    try {
      const { entry, ttl } = await fetching;
      return answer(entry, ttl > 0 ? 'MISS' : 'BYPASS', ttl);
    } catch (error) {
      return new Response(`upstream unreachable: ${error}\n`, { status: 502, headers: { 'x-cache': 'MISS' } });
    }
  };
}

function answer(entry: Entry, source: 'HIT' | 'MISS' | 'BYPASS', left: number): Response {
  const headers = new Headers({ 'content-type': entry.type, 'x-cache': source });
  if (source !== 'BYPASS') {
    headers.set('x-cache-ttl', String(left));
    headers.set('age', String(Math.max(entry.ttl - left, 0)));
    headers.set('cache-control', `max-age=${left}`);
  } else {
    headers.set('cache-control', 'no-store');
  }
  return new Response(entry.body, { status: entry.status, headers });
}

/** Seconds to keep an answer: 0 for `no-store`/`private`/`no-cache`, `max-age` if given, else the default. */
export function cacheTtl(cacheControl: string | null, defaultTtl: number): number {
  const directives = (cacheControl ?? '').toLowerCase().split(',').map((d) => d.trim());
  if (directives.some((d) => d === 'no-store' || d === 'private' || d === 'no-cache')) return 0;
  const maxAge = directives.find((d) => d.startsWith('max-age='));
  return maxAge ? Math.max(0, Math.floor(Number(maxAge.slice(8))) || 0) : defaultTtl;
}

/** `HGETALL cache:stats` plus `INFO keyspace` (`db0:keys=3,expires=2,avg_ttl=…` as an object). */
async function stats(redis: Store) {
  const counters = (await redis.hgetall(STATS)) ?? {};
  const hits = Number(counters.hits ?? 0);
  const misses = Number(counters.misses ?? 0);
  const info = String(await redis.call('INFO', 'keyspace'));
  const keyspace: Record<string, Record<string, number>> = {};
  for (const [, db, fields] of info.matchAll(/^(db\d+):(.*)$/gm)) {
    keyspace[db!] = Object.fromEntries(fields!.trim().split(',').map((f) => f.split('=')).map(([k, v]) => [k!, Number(v)]));
  }
  return {
    hits,
    misses,
    hitRate: hits + misses ? Number((hits / (hits + misses)).toFixed(3)) : 0,
    upstreamFetches: Number(counters.upstream_fetches ?? 0),
    keyspace,
  };
}
