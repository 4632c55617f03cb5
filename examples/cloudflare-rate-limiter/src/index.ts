/**
 * A rate limiter Worker on Lodis: one LodisObject per client IP (the limiters of different
 * clients never contend), two classic Redis recipes over the typed client:
 *
 *   GET /fixed     fixed window:   MULTI; INCR rl:<window>; EXPIRE rl:<window> <secs> NX; EXEC
 *   GET /sliding   sliding window: MULTI; ZREMRANGEBYSCORE (older than the window); ZADD now;
 *                                  ZCARD; PEXPIRE; EXEC — a refused request is taken out again
 *
 * 200 with X-RateLimit-Remaining while under LIMIT requests per WINDOW_SECONDS, else 429 with
 * Retry-After.
 */
import { LodisObject, lodisClient, type LodisClient, type LodisStub } from '@lodis/cloudflare';

export { LodisObject };

interface Env {
  LODIS: { idFromName(name: string): unknown; get(id: unknown): LodisStub };
  LIMIT: string;
  WINDOW_SECONDS: string;
}

interface Verdict {
  allowed: boolean;
  remaining: number;
  /** Seconds until a request would be allowed again. */
  retryAfter: number;
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const { pathname } = new URL(request.url);
    if (pathname !== '/fixed' && pathname !== '/sliding') return new Response('try /fixed or /sliding\n', { status: 404 });
    const ip = request.headers.get('cf-connecting-ip') ?? 'unknown';
    const redis = lodisClient(env.LODIS.get(env.LODIS.idFromName(ip)));
    const limit = Number(env.LIMIT);
    const windowMs = Number(env.WINDOW_SECONDS) * 1000;
    const limiter = pathname === '/fixed' ? fixedWindow : slidingWindow;
    const v = await limiter(redis, limit, windowMs, Date.now());
    const headers = { 'X-RateLimit-Limit': String(limit), 'X-RateLimit-Remaining': String(v.remaining) };
    if (v.allowed) return new Response(`ok (${pathname.slice(1)} window, ${v.remaining} left)\n`, { headers });
    return new Response('too many requests\n', { status: 429, headers: { ...headers, 'Retry-After': String(v.retryAfter) } });
  },
};

/** Counts requests per window aligned to the clock; the key expires with its window. */
async function fixedWindow(redis: LodisClient, limit: number, windowMs: number, now: number): Promise<Verdict> {
  const start = now - (now % windowMs);
  const key = `rl:fixed:${start}`;
  const [count] = (await redis.multi().incr(key).pexpire(key, windowMs, 'NX').exec()) as [number, number];
  const retryAfter = Math.ceil((start + windowMs - now) / 1000);
  return { allowed: count <= limit, remaining: Math.max(0, limit - count), retryAfter };
}

/** Keeps each request's time in a sorted set and counts those within the last window. */
async function slidingWindow(redis: LodisClient, limit: number, windowMs: number, now: number): Promise<Verdict> {
  const key = 'rl:sliding';
  const member = `${now}:${crypto.randomUUID()}`;
  const [, , count, , oldest] = (await redis
    .multi()
    .zremrangebyscore(key, 0, now - windowMs)
    .zadd(key, { score: now, member })
    .zcard(key)
    .pexpire(key, windowMs)
    .zrange(key, 0, 0, { withScores: true })
    .exec()) as [number, number, number, number, (string | number)[]];
  if (count <= limit) return { allowed: true, remaining: limit - count, retryAfter: 0 };
  await redis.zrem(key, member); // a refused request does not hold a slot
  const oldestAt = Number(oldest[1] ?? now);
  return { allowed: false, remaining: 0, retryAfter: Math.max(1, Math.ceil((oldestAt + windowMs - now) / 1000)) };
}
