/**
 * A Deno HTTP cache on Lodis: `Deno.serve` in front of a slow upstream, answers kept in an
 * in-process store with TTLs (cache.ts). Without UPSTREAM it starts its own fake one (upstream.ts).
 *
 *   npx deno task start            # PORT (default 8000), UPSTREAM (a base URL), CACHE_TTL (default 30)
 *   curl -i localhost:8000/weather/paris    # x-cache: MISS (300 ms), then HIT for 10 s
 */
import { createStore } from '@lodis/core';
import { cacheHandler } from './cache.ts';
import { serveUpstream, type Upstream } from './upstream.ts';

export interface CacheServerOptions {
  port?: number;
  hostname?: string;
  /** Origin base URL; without it a fake slow upstream is started on a free port. */
  upstream?: string;
  defaultTtl?: number;
  /** The fake upstream's delay, in ms. */
  upstreamDelayMs?: number;
}

export interface CacheServer {
  readonly url: string;
  /** The fake upstream, when one was started. */
  readonly origin: Upstream | null;
  shutdown(): Promise<void>;
}

export function startCache(options: CacheServerOptions = {}): CacheServer {
  const origin = options.upstream ? null : serveUpstream({ delayMs: options.upstreamDelayMs ?? 300 });
  const redis = createStore();
  const handler = cacheHandler(redis, { upstream: options.upstream ?? origin!.url, defaultTtl: options.defaultTtl ?? 30 });
  const server = Deno.serve({ port: options.port ?? 8000, hostname: options.hostname ?? '127.0.0.1', onListen() {} }, handler);
  return {
    url: `http://${server.addr.hostname}:${server.addr.port}`,
    origin,
    async shutdown() {
      await server.shutdown();
      await origin?.shutdown();
      await redis.close();
    },
  };
}

if (import.meta.main) {
  const env = (name: string) => Deno.env.get(name) || undefined;
  const cache = startCache({ port: Number(env('PORT') ?? 8000), upstream: env('UPSTREAM'), defaultTtl: Number(env('CACHE_TTL') ?? 30) });
  console.log(`Lodis cache listening on ${cache.url} (upstream: ${cache.origin ? `fake, ${cache.origin.url}` : env('UPSTREAM')})`);
  console.log(`  try: curl -i ${cache.url}/weather/paris   (then again; ${cache.url}/admin/stats)`);
  Deno.addSignalListener('SIGINT', () => void cache.shutdown().then(() => Deno.exit(0)));
}
