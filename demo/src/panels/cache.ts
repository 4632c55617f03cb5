/**
 * Cache — the guide's `redis.set("user:123", json.dumps(user_data), ex=3600)`: a slow API (a made-up
 * `fetchUser(id)` that answers after ~800 ms) read through Redis, cache-aside:
 *
 *   GET cache:user:<id>                       → the JSON: a hit, served in a few ms
 *   (nil) → fetchUser(id); SET cache:user:<id> <json> EX <ttl>   → a miss, ~800 ms
 *
 * Keys:
 *   cache:user:<id>   string — the API's JSON reply, with the TTL chosen (EX)
 *   cache:stats       hash   — `hits` and `misses` (HINCRBY), shared by every tab, kept across reloads
 *
 * Commands: GET, SET … EX, HINCRBY, HGETALL, SCAN MATCH, TTL, PEXPIRETIME, DEL.
 *
 * Across tabs: everything shown is read from the store. `watchKeys('cache:*')` re-reads the counters
 * and (while the panel is on screen) the entries when any tab fetches, invalidates or flushes, and
 * when a key expires (the store's active expiry deletes it: an `expired` event); while the panel is
 * on screen the entries' TTLs are re-read every second (TTL and PEXPIRETIME from the store, so the
 * countdown is Redis' own clock, not a page timer).
 */
import { act, card, every, formatCount, formatTtl, h, replace, stat } from '../dom.js';
import { coalesced } from '../live.js';
import type { Panel } from '../panel.js';
import './cache.css';

const STATS_KEY = 'cache:stats';
const ENTRY_PREFIX = 'cache:user:';
const entryKey = (id: number) => `${ENTRY_PREFIX}${id}`;

/** How long the made-up API takes to answer: what a cache hit saves. */
const API_LATENCY_MS = 800;

const USERS: readonly { id: number; name: string }[] = [
  { id: 123, name: 'Ada Lovelace' },
  { id: 7, name: 'Grace Hopper' },
  { id: 42, name: 'Alan Turing' },
  { id: 1001, name: 'Katherine Johnson' },
  { id: 2048, name: 'Edsger Dijkstra' },
];

const TTLS: readonly { seconds: number; label: string }[] = [
  { seconds: 5, label: '5 s' },
  { seconds: 30, label: '30 s' },
  { seconds: 300, label: '5 min' },
  { seconds: 3600, label: '1 h' },
];

interface User {
  id: number;
  name: string;
  email: string;
  plan: string;
  country: string;
  orders: number;
  member_since: string;
}

/** The slow backend the cache is in front of: the same user for the same id, after ~800 ms. */
async function fetchUser(id: number): Promise<User> {
  await new Promise((r) => setTimeout(r, API_LATENCY_MS));
  const name = USERS.find((u) => u.id === id)?.name ?? `User ${id}`;
  const seed = (id * 2654435761) >>> 0;
  const plans = ['free', 'pro', 'team', 'enterprise'];
  const countries = ['GB', 'US', 'FR', 'DE', 'JP', 'BR', 'IN'];
  return {
    id,
    name,
    email: `${name.split(' ')[0]!.toLowerCase()}@example.com`,
    plan: plans[seed % plans.length]!,
    country: countries[(seed >>> 4) % countries.length]!,
    orders: (seed >>> 8) % 200,
    member_since: `${2015 + ((seed >>> 12) % 9)}-${String(1 + ((seed >>> 16) % 12)).padStart(2, '0')}-${String(1 + ((seed >>> 20) % 28)).padStart(2, '0')}`,
  };
}

/** A command as redis-cli shows it, with its reply (and how long it took). */
function cmdLine(command: string, reply: string, note = ''): HTMLElement {
  return h('div', { class: 'cache-cmd' }, command, h('span', { class: 'cache-cmd-reply', text: `→ ${reply}` }), note && h('span', { class: 'cache-cmd-note', text: note }));
}

const short = (s: string, n = 48) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

export const cachePanel: Panel = {
  id: 'cache',
  title: 'Cache',
  group: 'Use cases',
  icon: '⚡',
  summary: 'A slow API read through Redis (cache-aside): GET first, on a miss call the API and SET … EX. Hits, misses and TTLs are shared by every tab.',
  commands: ['GET', 'SET … EX', 'HINCRBY', 'HGETALL', 'SCAN', 'TTL', 'PEXPIRETIME', 'DEL'],
  mount(body, ctx) {
    // ---- fetch through the cache ----------------------------------------------------------------
    const userSelect = h('select', { class: 'select', testid: 'cache-user' }, ...USERS.map((u) => h('option', { attrs: { value: u.id }, text: `user:${u.id} · ${u.name}` })));
    const ttlSelect = h('select', { class: 'select', testid: 'cache-ttl' }, ...TTLS.map((t) => h('option', { attrs: { value: t.seconds }, text: t.label })));
    ttlSelect.value = '30';
    const fetchBtn = h('button', { class: 'btn btn-primary', testid: 'cache-fetch' }, 'Fetch user');

    const badge = h('span', { class: 'badge', testid: 'cache-badge', text: '—' });
    const timing = h('span', { class: 'cache-timing', testid: 'cache-timing', text: '' });
    const source = h('span', { class: 'muted small', testid: 'cache-source', text: 'Pick a user and fetch it: the first read goes to the slow API.' });
    const value = h('pre', { class: 'block cache-value', testid: 'cache-value', text: '' });
    value.hidden = true;
    const commands = h('div', { class: 'cache-cmds', testid: 'cache-commands' });

    const fetchThroughCache = async (): Promise<void> => {
      const id = Number(userSelect.value);
      const ttl = Number(ttlSelect.value);
      const key = entryKey(id);
      fetchBtn.disabled = true;
      badge.className = 'badge badge-blue';
      badge.textContent = '…';
      timing.textContent = '';
      source.textContent = `GET ${key}`;
      try {
        const t0 = performance.now();
        const cached = await ctx.redis.get(key);
        if (cached !== null) {
          const ms = performance.now() - t0;
          const hits = await ctx.redis.hincrby(STATS_KEY, 'hits', 1);
          badge.className = 'badge badge-green';
          badge.textContent = 'HIT';
          timing.textContent = `${ms.toFixed(1)} ms`;
          source.textContent = `served from Redis — the API would have taken ~${API_LATENCY_MS} ms`;
          value.textContent = JSON.stringify(JSON.parse(cached), null, 2);
          replace(commands, cmdLine(`GET ${key}`, short(`"${cached}"`, 40), `${ms.toFixed(1)} ms`), cmdLine(`HINCRBY ${STATS_KEY} hits 1`, `(integer) ${String(hits)}`));
        } else {
          const tGet = performance.now() - t0;
          source.textContent = `miss — calling fetchUser(${id})…`;
          const user = await fetchUser(id);
          const tApi = performance.now() - t0 - tGet;
          const json = JSON.stringify(user);
          const ok = await ctx.redis.set(key, json, { ex: ttl });
          const ms = performance.now() - t0;
          const misses = await ctx.redis.hincrby(STATS_KEY, 'misses', 1);
          badge.className = 'badge badge-yellow';
          badge.textContent = 'MISS';
          timing.textContent = `${ms.toFixed(0)} ms`;
          source.textContent = `from the slow API, now cached for ${formatTtl(ttl)}`;
          value.textContent = JSON.stringify(user, null, 2);
          replace(
            commands,
            cmdLine(`GET ${key}`, '(nil)', `${tGet.toFixed(1)} ms`),
            cmdLine(`fetchUser(${id})`, 'the API’s reply', `${tApi.toFixed(0)} ms`),
            cmdLine(`SET ${key} '${short(json, 28)}' EX ${ttl}`, String(ok)),
            cmdLine(`HINCRBY ${STATS_KEY} misses 1`, `(integer) ${String(misses)}`),
          );
        }
        value.hidden = false;
      } finally {
        fetchBtn.disabled = false;
      }
    };
    fetchBtn.addEventListener('click', act(ctx, fetchThroughCache));

    const fetchCard = card(
      'Read through the cache',
      h(
        'div',
        { class: 'cache-controls' },
        h('label', { class: 'field cache-field-user' }, 'User', userSelect),
        h('label', { class: 'field cache-field-ttl' }, 'TTL (EX)', ttlSelect),
        fetchBtn,
      ),
      h('div', { class: 'cache-result', testid: 'cache-result' }, h('div', { class: 'row' }, badge, timing), source, commands, value),
    );

    // ---- hit ratio --------------------------------------------------------------------------------
    const hits = stat('hits', 'cache-hits', 0);
    const misses = stat('misses', 'cache-misses', 0);
    const ratio = stat('hit ratio', 'cache-ratio', '–');
    const ratioBar = h('span', { style: { width: '0%' } });
    const resetBtn = h('button', { class: 'btn btn-sm btn-ghost', testid: 'cache-reset' }, 'Reset counters');
    resetBtn.addEventListener(
      'click',
      act(ctx, async () => {
        await ctx.redis.del(STATS_KEY);
      }),
    );
    const statsCard = card(
      'Hit ratio',
      h('div', { class: 'stats' }, hits.el, misses.el, ratio.el),
      h('div', { class: 'bar cache-ratio-bar', testid: 'cache-ratio-bar' }, ratioBar),
      h(
        'p',
        { class: 'muted small' },
        'Counted in the hash ',
        h('code', { text: STATS_KEY }),
        ' with ',
        h('code', { text: 'HINCRBY' }),
        ': every tab adds to the same counters, and they survive a reload.',
      ),
      h('div', { class: 'row' }, h('code', { class: 'faint', text: `HGETALL ${STATS_KEY}` }), h('span', { class: 'spacer' }), resetBtn),
    );

    const refreshStats = coalesced(async () => {
      const s = (await ctx.redis.hgetall(STATS_KEY)) ?? {};
      const nHits = Number(s.hits ?? 0);
      const nMisses = Number(s.misses ?? 0);
      const total = nHits + nMisses;
      hits.set(formatCount(nHits));
      misses.set(formatCount(nMisses));
      ratio.set(total === 0 ? '–' : `${Math.round((nHits / total) * 100)}%`);
      ratioBar.style.width = total === 0 ? '0%' : `${(nHits / total) * 100}%`;
      ratioBar.parentElement!.classList.toggle('is-empty', total === 0);
    });

    // ---- the cached entries -------------------------------------------------------------------------
    const flushBtn = h('button', { class: 'btn btn-sm btn-danger', testid: 'cache-flush' }, 'Flush cache');
    const count = h('span', { class: 'badge', testid: 'cache-count', text: '0 keys' });
    const tbody = h('tbody', { testid: 'cache-entries' });
    const empty = h('p', { class: 'empty', testid: 'cache-empty', text: 'Nothing cached: fetch a user.' });
    const table = h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { class: 'data cache-table' },
        h('thead', {}, h('tr', {}, h('th', { text: 'key' }), h('th', { class: 'cache-col-value', text: 'value' }), h('th', { class: 'num', text: 'TTL' }), h('th', { class: 'cache-col-expires', text: 'expires at' }), h('th', {}))),
        tbody,
      ),
    );
    const entriesCard = card(
      'Cached entries',
      h(
        'div',
        { class: 'row cache-entries-head' },
        count,
        h('span', { class: 'muted small', text: 'SCAN 0 MATCH cache:user:* · TTL and PEXPIRETIME of each, every second' }),
        h('span', { class: 'spacer' }),
        flushBtn,
      ),
      table,
      empty,
    );

    interface Row {
      tr: HTMLTableRowElement;
      value: HTMLElement;
      ttl: HTMLElement;
      expires: HTMLElement;
    }
    const rows = new Map<string, Row>();

    const rowFor = (key: string): Row => {
      let row = rows.get(key);
      if (row) return row;
      const id = key.slice(ENTRY_PREFIX.length);
      const value = h('td', { class: 'cache-col-value' });
      const ttl = h('td', { class: 'num', testid: `cache-ttl-${id}` });
      const expires = h('td', { class: 'cache-col-expires mono faint' });
      const invalidate = h('button', { class: 'btn btn-sm btn-ghost', testid: `cache-invalidate-${id}`, title: `DEL ${key}` }, 'Invalidate');
      invalidate.addEventListener(
        'click',
        act(ctx, async () => {
          const n = await ctx.redis.del(key);
          replace(commands, cmdLine(`DEL ${key}`, `(integer) ${n}`));
        }),
      );
      const tr = h('tr', { testid: `cache-entry-${id}` }, h('td', { class: 'mono', text: key }), value, ttl, expires, h('td', { class: 'cache-col-action' }, invalidate));
      row = { tr, value, ttl, expires };
      rows.set(key, row);
      return row;
    };

    /** Every key matching the pattern, by SCAN (never KEYS: it would block a real server). */
    const scanAll = async (match: string): Promise<string[]> => {
      const keys: string[] = [];
      let cursor = '0';
      do {
        const [next, batch] = await ctx.redis.scan(cursor, { match, count: 100 });
        keys.push(...batch);
        cursor = next;
      } while (cursor !== '0');
      return keys;
    };

    const refreshEntries = coalesced(async () => {
      const keys = (await scanAll(`${ENTRY_PREFIX}*`)).sort();
      const details = await Promise.all(keys.map((k) => Promise.all([ctx.redis.get(k), ctx.redis.ttl(k), ctx.redis.pexpiretime(k)])));
      const live = new Set<string>();
      keys.forEach((key, i) => {
        const [json, ttl, expiresAt] = details[i]!;
        if (json === null || ttl === -2) return; // expired between SCAN and GET
        live.add(key);
        const row = rowFor(key);
        let name = '';
        try {
          name = (JSON.parse(json) as Partial<User>).name ?? '';
        } catch {
          name = short(json, 24);
        }
        row.value.textContent = name;
        row.value.title = json;
        row.ttl.textContent = formatTtl(ttl);
        row.ttl.classList.toggle('warn', ttl >= 0 && ttl <= 5);
        row.expires.textContent = expiresAt > 0 ? new Date(expiresAt).toLocaleTimeString('en-GB') : '—';
      });
      for (const [key, row] of rows) {
        if (!live.has(key)) {
          row.tr.remove();
          rows.delete(key);
        }
      }
      [...live].forEach((key) => tbody.append(rows.get(key)!.tr)); // in key order
      count.textContent = `${live.size} ${live.size === 1 ? 'key' : 'keys'}`;
      empty.hidden = live.size > 0;
      table.hidden = live.size === 0;
    });

    flushBtn.addEventListener(
      'click',
      act(ctx, async () => {
        const keys = await scanAll(`${ENTRY_PREFIX}*`);
        const n = keys.length > 0 ? await ctx.redis.del(...keys) : 0;
        replace(commands, cmdLine(`SCAN 0 MATCH ${ENTRY_PREFIX}*`, `${keys.length} keys`), cmdLine(`DEL ${keys.length > 0 ? short(keys.join(' '), 60) : '…'}`, `(integer) ${n}`));
      }),
    );

    const recipeCard = card(
      'Cache-aside',
      h(
        'pre',
        { class: 'block cache-recipe' },
        h('span', { class: 'faint', text: '# cache-aside: Redis first, API on a miss\n' }),
        'value = GET cache:user:<id>\n',
        'if value is nil:\n',
        '    value = fetchUser(id)  ',
        h('span', { class: 'faint', text: `# ~${API_LATENCY_MS} ms\n` }),
        '    SET cache:user:<id> value EX <ttl>',
      ),
      h(
        'p',
        { class: 'muted small' },
        'The guide’s line, ',
        h('code', { text: 'redis.set("user:123", json.dumps(user_data), ex=3600)' }),
        ', is the SET of a miss. The TTL bounds how stale a value can be: pick 5 s and watch the entry expire, and the next read miss again.',
      ),
    );

    body.append(h('div', { class: 'grid-2 cache-top' }, fetchCard, h('div', { class: 'cache-side' }, statsCard, recipeCard)), entriesCard);

    // Off screen only the counters follow (cheap); the table is read again when the panel shows.
    ctx.redis.watchKeys('cache:*', ({ key }) => {
      if (key === STATS_KEY) refreshStats();
      else if (ctx.visible()) refreshEntries();
    });
    every(1000, refreshEntries, ctx.visible);
    const refreshAll = (): void => {
      refreshStats();
      refreshEntries();
    };
    void ctx.redis.ready.then(refreshAll, () => {});
    return { shown: refreshAll };
  },
};
