/**
 * A stand-in for a slow origin: a small JSON API on localhost that takes `delayMs` to answer each
 * request, and says how long its answers may be cached (`Cache-Control`), as a real one would.
 *
 *   GET /weather/<city>  max-age=10  (a reading that changes every request: its `reading` counts them)
 *   GET /time            max-age=1
 *   GET /quote           no Cache-Control: the cache's default TTL applies
 *   GET /account         no-store: never cached
 */

export interface UpstreamOptions {
  port?: number;
  hostname?: string;
  /** How long each answer takes, in ms. Default 300. */
  delayMs?: number;
}

export interface Upstream {
  readonly url: string;
  /** Requests answered so far. */
  readonly requests: number;
  shutdown(): Promise<void>;
}

export function serveUpstream(options: UpstreamOptions = {}): Upstream {
  const delayMs = options.delayMs ?? 300;
  let requests = 0;
  const server = Deno.serve(
    { port: options.port ?? 0, hostname: options.hostname ?? '127.0.0.1', onListen() {} },
    async (req) => {
      const reading = ++requests;
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      const path = new URL(req.url).pathname;
      const city = /^\/weather\/([\w-]+)$/.exec(path)?.[1];
      if (city) return json({ city, tempC: 12 + (reading % 7), reading, at: new Date().toISOString() }, 'max-age=10');
      if (path === '/time') return json({ now: new Date().toISOString(), reading }, 'max-age=1');
      if (path === '/quote') return json({ quote: 'Simplicity is prerequisite for reliability.', reading }, null);
      if (path === '/account') return json({ balance: 42, reading }, 'no-store');
      return json({ error: 'not found' }, null, 404);
    },
  );
  return {
    url: `http://${server.addr.hostname}:${server.addr.port}`,
    get requests() {
      return requests;
    },
    shutdown: () => server.shutdown(),
  };
}

function json(body: unknown, cacheControl: string | null, status = 200): Response {
  const headers = new Headers({ 'content-type': 'application/json' });
  if (cacheControl) headers.set('cache-control', cacheControl);
  return new Response(JSON.stringify(body), { status, headers });
}
