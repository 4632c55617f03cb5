/**
 * The rate limiter through its Worker (SELF.fetch → Worker → one LodisObject per IP), in workerd:
 * LIMIT 5 per 2-second window (vitest.config.ts), for each recipe.
 */
import { SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';

const WINDOW_MS = 2000;
let clients = 0;

function hit(path: string, ip: string): Promise<Response> {
  return SELF.fetch(`http://limiter${path}`, { headers: { 'cf-connecting-ip': ip } });
}

/** `n` requests one after the other: their statuses. */
async function burst(path: string, ip: string, n: number): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < n; i++) statuses.push((await hit(path, ip)).status);
  return statuses;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('fixed window', () => {
  it('allows LIMIT requests per window and per IP, then 429 with Retry-After', async () => {
    // Start early in a window, so that the burst does not straddle two.
    if (Date.now() % WINDOW_MS > WINDOW_MS / 2) await sleep(WINDOW_MS - (Date.now() % WINDOW_MS));
    const ip = `10.0.0.${++clients}`;
    expect(await burst('/fixed', ip, 5)).toEqual([200, 200, 200, 200, 200]);
    const refused = await hit('/fixed', ip);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('Retry-After'))).toBeGreaterThanOrEqual(1);
    expect(refused.headers.get('X-RateLimit-Remaining')).toBe('0');
    expect((await hit('/fixed', `10.0.0.${++clients}`)).status).toBe(200); // another IP, another object

    await sleep(WINDOW_MS - (Date.now() % WINDOW_MS) + 10);
    expect((await hit('/fixed', ip)).status).toBe(200); // a new window
  });

  it('counts concurrent requests exactly (INCR + EXPIRE in MULTI)', async () => {
    if (Date.now() % WINDOW_MS > WINDOW_MS / 2) await sleep(WINDOW_MS - (Date.now() % WINDOW_MS));
    const ip = `10.0.0.${++clients}`;
    const statuses = (await Promise.all(Array.from({ length: 20 }, () => hit('/fixed', ip)))).map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(15);
  });
});

describe('sliding window', () => {
  it('allows LIMIT requests in any window, refused ones not counted', async () => {
    const ip = `10.0.1.${++clients}`;
    expect(await burst('/sliding', ip, 7)).toEqual([200, 200, 200, 200, 200, 429, 429]);
    await sleep(WINDOW_MS + 50);
    // The five allowed ones have left the window; the refused ones were never in it.
    expect(await burst('/sliding', ip, 6)).toEqual([200, 200, 200, 200, 200, 429]);
  });

  it('answers 404 elsewhere', async () => {
    expect((await SELF.fetch('http://limiter/')).status).toBe(404);
  });
});
