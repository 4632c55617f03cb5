/**
 * Rate limiter — the guide's `if redis.incr(key) == 1: redis.expire(key, 60)`, made safe, next to
 * the exact version: 5 requests per 10 s per user, every request checked by both.
 *
 *   fixed window    MULTI · INCR ratelimit:fixed:<user> · EXPIRE ratelimit:fixed:<user> 10 NX · EXEC
 *                   allowed while the count is ≤ 5. One MULTI, and NX, so the window's expiry is set
 *                   once, by its first request, and never lost (the guide's two calls leave a counter
 *                   without expiry if the client dies in between).
 *   sliding window  MULTI · ZREMRANGEBYSCORE ratelimit:sliding:<user> -inf <now-10000>
 *                         · ZADD ratelimit:sliding:<user> <now> <unique member> · ZCARD · PEXPIRE … 10000 · EXEC
 *                   allowed while ZCARD is ≤ 5; a refused request takes its member back (ZREM), so
 *                   only allowed requests count.
 *
 * Keys (per user):
 *   ratelimit:fixed:<user>     string — the current window's counter, expiring with the window
 *   ratelimit:sliding:<user>   zset   — the allowed requests of the last 10 s, scored by time (ms)
 *   ratelimit:log:<user>       list   — the last 120 requests, newest first (LPUSH + LTRIM), for the timelines
 *   ratelimit:stats:<user>     hash   — allowed / refused counts of each limiter (HINCRBY)
 * Commands: INCR, EXPIRE NX, MULTI/EXEC, ZREMRANGEBYSCORE, ZADD, ZCARD, PEXPIRE, ZREM, ZRANGE, PEXPIRETIME,
 * LPUSH, LTRIM, LRANGE, HINCRBY, HGETALL, DEL.
 *
 * Across tabs: the limits are keyed by user, not by tab, so every tab of the same user shares them;
 * the counts and timelines are read from the store, again on every `watchKeys('ratelimit:*')`
 * change (any tab's request, a window's expiry) while the panel is on screen, and when it comes on
 * screen. Between changes the view only moves its clock (5 frames a second, while on screen): the
 * window's end (PEXPIRETIME) and the requests' times are absolute.
 */
import { act, card, every, formatCount, h, replace, svg } from '../dom.js';
import { coalesced } from '../live.js';
import type { Panel } from '../panel.js';
import './ratelimit.css';

const LIMIT = 5;
const WINDOW_SECONDS = 10;
const WINDOW_MS = WINDOW_SECONDS * 1000;
const LOG_CAP = 120;
const BURST = 10;
const USERS = ['alice', 'bob', 'carol'] as const;
/** The timelines show the last 30 s, and 6 s ahead (where the fixed window ends). */
const PAST_MS = 30_000;
const FUTURE_MS = 6_000;

const keysOf = (user: string) => ({
  fixed: `ratelimit:fixed:${user}`,
  sliding: `ratelimit:sliding:${user}`,
  log: `ratelimit:log:${user}`,
  stats: `ratelimit:stats:${user}`,
});

type LimiterId = 'fixed' | 'sliding';

/** A request as the log keeps it: when, from which tab, and what each limiter answered. */
interface LoggedRequest {
  t: number;
  tab: string;
  fixed: boolean;
  sliding: boolean;
}

/** What the store holds for the user, read on every change. */
interface Snapshot {
  user: string;
  fixedCount: number;
  /** PEXPIRETIME of the fixed window's counter: when the window ends (ms), or ≤ 0 when none is open. */
  fixedEndsAt: number;
  slidingTimes: number[];
  log: LoggedRequest[];
  stats: Record<string, string>;
}

/** A command as redis-cli shows it, with its reply (a transaction's commands get theirs from EXEC). */
function cmdLine(command: string, reply: string, queued = false): HTMLElement {
  return h('div', { class: queued ? 'ratelimit-cmd ratelimit-cmd-queued' : 'ratelimit-cmd' }, command, reply && h('span', { class: 'ratelimit-cmd-reply', text: reply }));
}

function verdict(comparison: string, ok: boolean): HTMLElement {
  return h('div', { class: `ratelimit-verdict ${ok ? 'ok' : 'error'}` }, `${comparison}: `, h('strong', { text: ok ? '✓ allowed' : '✗ refused' }));
}

const seconds = (ms: number) => `${(Math.max(0, ms) / 1000).toFixed(1)} s`;

/** One limiter's card: counts, the window, a timeline and the commands of this tab's last request. */
function limiterView(id: LimiterId, title: string, subtitle: string, explain: string) {
  const stat = (label: string, what: string) => {
    const value = h('div', { class: 'ratelimit-stat-value', testid: `ratelimit-${id}-${what}`, text: '–' });
    return { el: h('div', { class: 'ratelimit-stat' }, value, h('div', { class: 'stat-label', text: label })), value };
  };
  const allowed = stat('allowed', 'allowed');
  const refused = stat('refused', 'refused');
  const used = stat('in the window', 'used');
  const clock = stat(id === 'fixed' ? 'resets in' : 'slot frees in', 'reset');
  const last = h('span', { class: 'badge', testid: `ratelimit-${id}-last`, text: 'no request yet' });
  const barFill = h('span', {});
  const timeline = h('div', { class: 'ratelimit-timeline', testid: `ratelimit-${id}-timeline` });
  const commands = h('div', { class: 'ratelimit-cmds', testid: `ratelimit-${id}-commands` }, h('span', { class: 'faint', text: 'Send a request to see the commands it runs.' }));
  const el = h(
    'section',
    { class: `card ratelimit-limiter ratelimit-${id}`, testid: `ratelimit-${id}` },
    h('div', { class: 'ratelimit-limiter-head' }, h('div', {}, h('h3', { class: 'card-title', text: title }), h('div', { class: 'mono small faint', text: subtitle })), last),
    h('div', { class: 'ratelimit-stats' }, allowed.el, refused.el, used.el, clock.el),
    h('div', { class: 'bar ratelimit-bar' }, barFill),
    timeline,
    commands,
    h('p', { class: 'muted small ratelimit-explain', text: explain }),
  );
  return { el, allowed, refused, used, clock, last, barFill, timeline, commands };
}
type LimiterView = ReturnType<typeof limiterView>;

/** Dots of the requests along time (green allowed, red refused), the window shaded, `now` marked. */
function drawTimeline(into: HTMLElement, requests: { t: number; ok: boolean }[], now: number, shade: [number, number] | null): void {
  const width = into.clientWidth;
  if (width === 0) return; // not on screen
  const height = 112;
  const base = height - 22;
  const from = now - PAST_MS;
  const span = PAST_MS + FUTURE_MS;
  const x = (t: number) => ((t - from) / span) * width;
  const parts: SVGElement[] = [svg('line', { x1: 0, y1: base + 1, x2: width, y2: base + 1, class: 'ratelimit-axis' })];
  if (shade) {
    const x1 = Math.max(0, x(shade[0]));
    const x2 = Math.min(width, x(shade[1]));
    if (x2 > x1) parts.push(svg('rect', { x: x1, y: 4, width: x2 - x1, height: base - 3, rx: 4, class: 'ratelimit-shade' }));
  }
  for (const s of [-30, -20, -10]) {
    const tx = x(now + s * 1000);
    parts.push(svg('line', { x1: tx, y1: base + 1, x2: tx, y2: base + 5, class: 'ratelimit-axis' }));
    parts.push(svg('text', { x: tx, y: height - 6, 'text-anchor': s === -30 ? 'start' : 'middle', class: 'ratelimit-tick' }, `${s} s`));
  }
  const nowX = x(now);
  parts.push(svg('line', { x1: nowX, y1: 2, x2: nowX, y2: base + 5, class: 'ratelimit-now' }));
  parts.push(svg('text', { x: nowX, y: height - 6, 'text-anchor': 'middle', class: 'ratelimit-tick ratelimit-tick-now' }, 'now'));
  // Requests in the same 10 px column stack up, oldest at the bottom (a burst is a column); a
  // column full to the top goes on in the next one.
  const column = 10;
  const step = 8;
  const perColumn = Math.floor((base - 6) / step);
  const levels = new Map<number, number>();
  for (const r of [...requests].sort((a, b) => a.t - b.t)) {
    const cx = x(r.t);
    if (cx < 0 || cx > width) continue;
    const col = Math.round(cx / column);
    const level = levels.get(col) ?? 0;
    levels.set(col, level + 1);
    const dx = Math.floor(level / perColumn) * step;
    const cy = base - 5 - (level % perColumn) * step;
    parts.push(svg('circle', { cx: col * column + dx, cy, r: 3.5, class: r.ok ? 'ratelimit-dot ratelimit-dot-ok' : 'ratelimit-dot ratelimit-dot-no', 'data-ok': String(r.ok) }));
  }
  replace(into, svg('svg', { width, height, viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': 'recent requests' }, ...parts));
}

export const ratelimitPanel: Panel = {
  id: 'ratelimit',
  title: 'Rate limiter',
  group: 'Use cases',
  icon: '◔',
  summary: `Two limiters, ${LIMIT} requests per ${WINDOW_SECONDS} s per user, side by side: a fixed window (INCR + EXPIRE NX) and a sliding window (a sorted set of timestamps). Every tab shares the user's limit.`,
  commands: ['INCR', 'EXPIRE NX', 'MULTI', 'EXEC', 'ZREMRANGEBYSCORE', 'ZADD', 'ZCARD', 'PEXPIRE', 'ZREM', 'LPUSH', 'LTRIM', 'HINCRBY'],
  mount(body, ctx) {
    const redis = ctx.redis;
    const userSelect = h('select', { class: 'select', testid: 'ratelimit-user' }, ...USERS.map((u) => h('option', { attrs: { value: u }, text: u })));
    const sendBtn = h('button', { class: 'btn btn-primary', testid: 'ratelimit-send' }, 'Send request');
    const burstBtn = h('button', { class: 'btn', testid: 'ratelimit-burst' }, `Burst ×${BURST}`);
    const resetBtn = h('button', { class: 'btn btn-ghost btn-danger', testid: 'ratelimit-reset' }, 'Reset');
    const keyNote = h('code', { class: 'faint small' });

    const fixed = limiterView(
      'fixed',
      'Fixed window',
      `INCR + EXPIRE ${WINDOW_SECONDS} NX`,
      `One counter per user and window: cheap, but the window starts with its first request — ${LIMIT} requests at the end of one window and ${LIMIT} at the start of the next pass within a second.`,
    );
    const sliding = limiterView(
      'sliding',
      'Sliding window',
      'a sorted set of request times',
      `Counts the requests of the last ${WINDOW_SECONDS} s at every moment: exact, at the cost of one member per allowed request (at most ${LIMIT}).`,
    );

    body.append(
      card(
        'Requests',
        h('div', { class: 'row ratelimit-controls' }, h('label', { class: 'ratelimit-user' }, 'User', userSelect), sendBtn, burstBtn, h('span', { class: 'spacer' }), resetBtn),
        h(
          'p',
          { class: 'muted small ratelimit-intro' },
          `Every request goes through both limiters: ${LIMIT} requests per ${WINDOW_SECONDS} s. The keys are the user's, not the tab's — `,
          h('a', { attrs: { href: '#ratelimit', target: '_blank', rel: 'noopener' }, text: 'open another tab' }),
          ' and its requests count against the same limit. ',
          keyNote,
        ),
      ),
      h('div', { class: 'grid-2 ratelimit-limiters' }, fixed.el, sliding.el),
    );

    let snapshot: Snapshot | null = null;
    const user = () => userSelect.value;

    const refresh = coalesced(async () => {
      const u = user();
      const k = keysOf(u);
      const [count, endsAt, zset, log, stats] = await Promise.all([
        redis.get(k.fixed),
        redis.pexpiretime(k.fixed),
        redis.zrange(k.sliding, 0, -1, { withScores: true }),
        redis.lrange(k.log, 0, LOG_CAP - 1),
        redis.hgetall(k.stats),
      ]);
      if (u !== user()) return; // the user changed meanwhile: a newer refresh follows
      const slidingTimes: number[] = [];
      for (let i = 1; i < zset.length; i += 2) slidingTimes.push(Number(zset[i]));
      const requests: LoggedRequest[] = [];
      for (const entry of log) {
        try {
          requests.push(JSON.parse(entry) as LoggedRequest);
        } catch {
          // not one of ours: skip it
        }
      }
      snapshot = { user: u, fixedCount: Number(count ?? 0), fixedEndsAt: endsAt, slidingTimes, log: requests, stats: stats ?? {} };
      render();
    });

    const showCounts = (view: LimiterView, id: LimiterId, s: Snapshot) => {
      view.allowed.value.textContent = formatCount(Number(s.stats[`${id}_allowed`] ?? 0));
      view.refused.value.textContent = formatCount(Number(s.stats[`${id}_refused`] ?? 0));
    };

    function render(): void {
      const s = snapshot;
      if (!s) return;
      const now = Date.now();
      showCounts(fixed, 'fixed', s);
      showCounts(sliding, 'sliding', s);

      // Fixed window: the counter while its key lives (the store expires it at PEXPIRETIME).
      const fixedOpen = s.fixedEndsAt > now;
      const fixedUsed = fixedOpen ? Math.min(s.fixedCount, LIMIT) : 0;
      fixed.used.value.textContent = `${fixedUsed} / ${LIMIT}`;
      fixed.clock.value.textContent = fixedOpen ? seconds(s.fixedEndsAt - now) : '–';
      fixed.barFill.style.width = `${(fixedUsed / LIMIT) * 100}%`;
      fixed.el.classList.toggle('ratelimit-full', fixedUsed >= LIMIT);
      drawTimeline(
        fixed.timeline,
        s.log.map((r) => ({ t: r.t, ok: r.fixed })).reverse(),
        now,
        fixedOpen ? [s.fixedEndsAt - WINDOW_MS, s.fixedEndsAt] : null,
      );

      // Sliding window: the members younger than the window (older ones go at the next request).
      const inWindow = s.slidingTimes.filter((t) => t > now - WINDOW_MS).sort((a, b) => a - b);
      const slidingUsed = Math.min(inWindow.length, LIMIT);
      sliding.used.value.textContent = `${slidingUsed} / ${LIMIT}`;
      sliding.clock.value.textContent = inWindow.length >= LIMIT ? seconds(inWindow[inWindow.length - LIMIT]! + WINDOW_MS - now) : 'free now';
      sliding.barFill.style.width = `${(slidingUsed / LIMIT) * 100}%`;
      sliding.el.classList.toggle('ratelimit-full', slidingUsed >= LIMIT);
      drawTimeline(
        sliding.timeline,
        s.log.map((r) => ({ t: r.t, ok: r.sliding })).reverse(),
        now,
        [now - WINDOW_MS, now],
      );
    }

    const showLast = (view: LimiterView, ok: boolean) => {
      view.last.className = ok ? 'badge badge-green' : 'badge badge-red';
      view.last.textContent = ok ? '✓ allowed' : '✗ refused (429)';
    };

    let seq = 0;
    /** One request of the user, through both limiters; then logged for the timelines. */
    const request = async (burst?: { index: number; of: number }): Promise<void> => {
      const k = keysOf(user());
      const now = Date.now();
      const member = `${now}:${ctx.tab.name}:${++seq}`;
      const [fixedReplies, slidingReplies] = await Promise.all([
        redis.multi().incr(k.fixed).expire(k.fixed, WINDOW_SECONDS, 'NX').exec(),
        redis
          .multi()
          .zremrangebyscore(k.sliding, '-inf', now - WINDOW_MS)
          .zadd(k.sliding, { score: now, member })
          .zcard(k.sliding)
          .pexpire(k.sliding, WINDOW_MS)
          .exec(),
      ]);
      const [count, expireSet] = fixedReplies!;
      const [trimmed, added, inWindow, pexpired] = slidingReplies!;
      const fixedOk = Number(count) <= LIMIT;
      const slidingOk = inWindow <= LIMIT;
      // Over the limit: take the request back out, so that refused requests do not hold the window.
      const taken = slidingOk ? null : await redis.zrem(k.sliding, member);
      await redis
        .multi()
        .lpush(k.log, JSON.stringify({ t: now, tab: ctx.tab.name, fixed: fixedOk, sliding: slidingOk } satisfies LoggedRequest))
        .ltrim(k.log, 0, LOG_CAP - 1)
        .hincrby(k.stats, fixedOk ? 'fixed_allowed' : 'fixed_refused', 1)
        .hincrby(k.stats, slidingOk ? 'sliding_allowed' : 'sliding_refused', 1)
        .exec();

      const which = burst ? `# request ${burst.index} of a burst of ${burst.of}` : '';
      showLast(fixed, fixedOk);
      replace(
        fixed.commands,
        which && h('div', { class: 'faint', text: which }),
        cmdLine('MULTI', ''),
        cmdLine(`INCR ${k.fixed}`, `→ (integer) ${String(count)}`, true),
        cmdLine(`EXPIRE ${k.fixed} ${WINDOW_SECONDS} NX`, `→ (integer) ${expireSet}`, true),
        cmdLine('EXEC', ''),
        verdict(`${String(count)} ${fixedOk ? '≤' : '>'} ${LIMIT}`, fixedOk),
      );
      showLast(sliding, slidingOk);
      replace(
        sliding.commands,
        which && h('div', { class: 'faint', text: which }),
        cmdLine('MULTI', ''),
        cmdLine(`ZREMRANGEBYSCORE ${k.sliding} -inf ${now - WINDOW_MS}`, `→ (integer) ${trimmed}`, true),
        cmdLine(`ZADD ${k.sliding} ${now} ${member}`, `→ (integer) ${String(added)}`, true),
        cmdLine(`ZCARD ${k.sliding}`, `→ (integer) ${inWindow}`, true),
        cmdLine(`PEXPIRE ${k.sliding} ${WINDOW_MS}`, `→ (integer) ${pexpired}`, true),
        cmdLine('EXEC', ''),
        taken !== null && cmdLine(`ZREM ${k.sliding} ${member}`, `→ (integer) ${taken}`),
        verdict(`${inWindow} ${slidingOk ? '≤' : '>'} ${LIMIT}`, slidingOk),
      );
    };

    sendBtn.addEventListener(
      'click',
      act(ctx, () => request()),
    );
    burstBtn.addEventListener(
      'click',
      act(ctx, async () => {
        burstBtn.disabled = true;
        try {
          // All at once, as a burst arrives: each MULTI runs whole, in the order they reach the store.
          await Promise.all(Array.from({ length: BURST }, (_, i) => request({ index: i + 1, of: BURST })));
        } finally {
          burstBtn.disabled = false;
        }
      }),
    );
    resetBtn.addEventListener(
      'click',
      act(ctx, async () => {
        const k = keysOf(user());
        const n = await redis.del(k.fixed, k.sliding, k.log, k.stats);
        for (const view of [fixed, sliding]) {
          view.last.className = 'badge';
          view.last.textContent = 'no request yet';
          replace(view.commands, cmdLine(`DEL ${k.fixed} ${k.sliding} ${k.log} ${k.stats}`, `→ (integer) ${n}`));
        }
      }),
    );
    const showKeys = () => {
      const k = keysOf(user());
      keyNote.textContent = `${k.fixed} · ${k.sliding}`;
    };
    // Redraw at once when a timeline's width changes (the next frame would draw at the old width).
    const resized = new ResizeObserver(() => render());
    resized.observe(fixed.timeline);
    resized.observe(sliding.timeline);
    userSelect.addEventListener('change', () => {
      showKeys();
      refresh();
    });
    showKeys();

    redis.watchKeys('ratelimit:*', ({ key }) => {
      if (key.endsWith(`:${user()}`) && ctx.visible()) refresh(); // off screen: read again when shown
    });
    every(200, render, ctx.visible);
    void redis.ready.then(refresh, () => {});
    return {
      shown: () => {
        refresh();
        render();
      },
    };
  },
};
