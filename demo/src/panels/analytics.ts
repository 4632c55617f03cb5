/**
 * Real-time analytics — the guide's "unique user counting" and "user online status":
 *
 * Unique visitors, two ways side by side. "Simulate visits" draws visitor ids with repeats (a
 * returning audience) from a seeded PRNG in the page and adds each batch to a HyperLogLog (PFADD)
 * and to a set (SADD): PFCOUNT against SCARD, the HLL's error, and MEMORY USAGE of each — the HLL
 * stays at 12 KB whatever the count, the set grows with every new visitor.
 *
 * Daily online users with bitmaps: one bitmap per day, bit = user id (SETBIT). "Simulate a week"
 * fills the last 7 days for N users; "I'm online today" sets this tab's user's bit (a stable id
 * per tab name). BITCOUNT per day is the bar chart; BITOP AND over the 7 days is "online every
 * day", BITOP OR "online any day"; BITOP AND of day 1 with day N is the retention line.
 *
 * Keys:
 *   analytics:visits               string, visits simulated so far (INCRBY; also the PRNG's seed)
 *   analytics:visitors:hll         HyperLogLog of visitor ids (PFADD, PFCOUNT)
 *   analytics:visitors:set         set of the same ids (SADD, SCARD)
 *   analytics:online:<yyyy-mm-dd>  bitmap of the users online that day (SETBIT, BITCOUNT, GETBIT)
 *   analytics:online:all-week      BITOP AND of the last 7 days
 *   analytics:online:any-day       BITOP OR of the last 7 days
 *   analytics:retention:day-<n>    BITOP AND of day 1 and day n (n = 2…7)
 * The BITOP results are written by the actions that change the days (never by a render: a render
 * that wrote would wake every tab's watch, its own included, for ever).
 *
 * Across tabs: every view is rebuilt from those keys on any change in any tab
 * (`watchKeys('analytics:*')`), at most once per animation frame, only while on screen; a reload
 * shows the same numbers.
 */
import { act, card, formatBytes, formatCount, h, replace, stat, svg } from '../dom.js';
import { liveView } from '../live.js';
import type { DemoContext, Panel } from '../panel.js';
import './analytics.css';

const VISITS = 'analytics:visits';
const HLL = 'analytics:visitors:hll';
const SET = 'analytics:visitors:set';
const ONLINE_PREFIX = 'analytics:online:';
const ALL_WEEK = 'analytics:online:all-week';
const ANY_DAY = 'analytics:online:any-day';
const retentionKey = (n: number) => `analytics:retention:day-${n}`;

/** Elements per PFADD/SADD, SETBITs per pipeline. */
const BATCH = 1000;
const SETBITS_PER_PIPELINE = 2000;
const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** mulberry32: a small seeded PRNG, so a simulation from the same state draws the same visitors. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pad2 = (n: number) => String(n).padStart(2, '0');
/** A local date as the day keys spell it: `2025-06-10`. */
const isoDay = (d: Date) => `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())}`;

/** The last 7 days, oldest first, today last. */
function lastWeek(): Date[] {
  const now = new Date();
  return Array.from({ length: 7 }, (_, i) => new Date(now.getFullYear(), now.getMonth(), now.getDate() - 6 + i));
}
const dayKey = (d: Date) => `${ONLINE_PREFIX}${isoDay(d)}`;

/** This tab's user id, stable for its name: `tab-3f2a` → 0x3f2a (another name: a hash of it, below 65536). */
function tabUserId(name: string): number {
  const m = /^tab-([0-9a-f]{4})$/.exec(name);
  if (m) return parseInt(m[1]!, 16);
  let x = 0;
  for (const c of name) x = (Math.imul(x, 31) + c.charCodeAt(0)) >>> 0;
  return x & 0xffff;
}

/** `1.2k`, `35k` for axis labels. */
function compact(n: number): string {
  if (n < 1000) return String(n);
  if (n < 10_000) return `${(n / 1000).toFixed(n % 1000 === 0 ? 0 : 1)}k`;
  return `${Math.round(n / 1000)}k`;
}

/** A round axis maximum ≥ max, with 4 or 5 steps. */
function niceAxis(max: number): { top: number; step: number } {
  if (max <= 0) return { top: 4, step: 1 };
  const raw = max / 4;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw)!;
  const stepInt = Math.max(1, step);
  return { top: Math.ceil(max / stepInt) * stepInt, step: stepInt };
}

interface WeekData {
  days: Date[];
  counts: number[];
  allWeek: number;
  anyDay: number;
  /** Day 1's users online on day n (index n-1; index 0 is day 1 itself). */
  retained: number[];
  /** This tab's user's bit on each day. */
  mine: number[];
  /** STRLEN of today's bitmap. */
  todayBytes: number;
}

export const analyticsPanel: Panel = {
  id: 'analytics',
  title: 'Real-time analytics',
  group: 'Use cases',
  icon: '▤',
  summary:
    'Unique visitors counted by a 12 KB HyperLogLog next to an exact set, and daily online users as one bit per user per day — counted, combined and charted with BITCOUNT and BITOP.',
  commands: ['PFADD', 'PFCOUNT', 'SADD', 'SCARD', 'MEMORY USAGE', 'INCRBY', 'SETBIT', 'GETBIT', 'BITCOUNT', 'BITOP', 'STRLEN', 'SCAN', 'DEL'],
  mount(body, ctx) {
    const { redis } = ctx;
    const me = tabUserId(ctx.tab.name);

    const lastCommand = h('code', { class: 'analytics-last-cmd analytics-last-empty', testid: 'analytics-last', text: '(none yet from this tab)' });
    const lastReply = h('span', { class: 'analytics-last-reply muted' });
    const showCommand = (cmd: string, reply = '') => {
      lastCommand.classList.remove('analytics-last-empty');
      lastCommand.textContent = cmd;
      lastReply.textContent = reply ? `→ ${reply}` : '';
    };

    // ==== unique visitors ====================================================================
    const visitsSelect = h(
      'select',
      { class: 'select', testid: 'analytics-visits-count' },
      ...[1_000, 10_000, 20_000, 50_000, 100_000].map((n) => h('option', { attrs: { value: n, selected: n === 20_000 }, text: `${formatCount(n)} visits` })),
    );
    const audienceSelect = h(
      'select',
      { class: 'select', testid: 'analytics-audience' },
      ...[2_000, 15_000, 50_000, 200_000].map((n) => h('option', { attrs: { value: n, selected: n === 15_000 }, text: `from ${formatCount(n)} people` })),
    );
    const simulateVisits = h('button', { class: 'btn btn-primary', testid: 'analytics-simulate-visits' }, 'Simulate visits');
    const clearVisits = h('button', { class: 'btn btn-danger btn-ghost', testid: 'analytics-clear-visits' }, 'Clear');

    const visits = stat('visits · INCRBY', 'analytics-visits', '0');
    const hllCount = stat('unique · PFCOUNT', 'analytics-pfcount', '0');
    const setCount = stat('unique · SCARD', 'analytics-scard', '0');
    const error = stat('HyperLogLog error', 'analytics-error', '–');
    const hllBar = h('span', { class: 'analytics-mem-fill analytics-mem-hll' });
    const setBar = h('span', { class: 'analytics-mem-fill analytics-mem-set' });
    const hllBytes = h('span', { class: 'analytics-mem-value', testid: 'analytics-hll-memory', text: '–' });
    const setBytes = h('span', { class: 'analytics-mem-value', testid: 'analytics-set-memory', text: '–' });
    const memNote = h('p', { class: 'small muted analytics-mem-note', testid: 'analytics-mem-note' });
    const memRow = (label: string, key: string, fill: HTMLElement, value: HTMLElement) =>
      h(
        'div',
        { class: 'analytics-mem-row' },
        h('div', { class: 'analytics-mem-label' }, h('span', { text: label }), h('code', { class: 'faint', text: `MEMORY USAGE ${key}` })),
        h('div', { class: 'analytics-mem-track' }, fill),
        value,
      );

    simulateVisits.addEventListener(
      'click',
      act(ctx, async () => {
        const n = Number(visitsSelect.value);
        const audience = Number(audienceSelect.value);
        simulateVisits.disabled = true;
        try {
          // Seeded by the visits so far: the same store state draws the same visitors.
          const before = Number((await redis.get(VISITS)) ?? 0);
          const random = prng(before * 2654435761 + audience);
          const ids: string[] = [];
          for (let i = 0; i < n; i++) ids.push(`visitor-${Math.floor(random() * audience)}`);
          const pipe = redis.pipeline();
          for (let i = 0; i < n; i += BATCH) {
            const batch = ids.slice(i, i + BATCH);
            pipe.pfadd(HLL, ...batch).sadd(SET, batch[0]!, ...batch.slice(1));
          }
          pipe.incrby(VISITS, n);
          const replies = await pipe.exec();
          showCommand(
            `PFADD ${HLL} visitor-… ×${Math.ceil(n / BATCH)} · SADD ${SET} visitor-… ×${Math.ceil(n / BATCH)} · INCRBY ${VISITS} ${n}`,
            `(integer) ${String(replies[replies.length - 1])}`,
          );
        } finally {
          simulateVisits.disabled = false;
        }
      }),
    );
    clearVisits.addEventListener(
      'click',
      act(ctx, async () => {
        const n = await redis.del(VISITS, HLL, SET);
        showCommand(`DEL ${VISITS} ${HLL} ${SET}`, `(integer) ${n}`);
      }),
    );

    const renderVisitors = async () => {
      const [v, pf, sc, hllMem, setMem] = (await redis
        .pipeline()
        .get(VISITS)
        .pfcount(HLL)
        .scard(SET)
        .call('MEMORY', 'USAGE', HLL)
        .call('MEMORY', 'USAGE', SET)
        .exec()) as [string | null, number, number, number | null, number | null];
      visits.set(formatCount(Number(v ?? 0)));
      hllCount.set(formatCount(pf));
      setCount.set(formatCount(sc));
      const err = sc > 0 ? ((pf - sc) / sc) * 100 : NaN;
      error.set(Number.isFinite(err) ? `${err >= 0 ? '+' : '−'}${Math.abs(err).toFixed(2)} %` : '–');
      hllBytes.textContent = hllMem === null ? '–' : formatBytes(hllMem);
      setBytes.textContent = setMem === null ? '–' : formatBytes(setMem);
      const max = Math.max(hllMem ?? 0, setMem ?? 0, 1);
      hllBar.style.width = `${Math.max(hllMem ? 1 : 0, ((hllMem ?? 0) / max) * 100)}%`;
      setBar.style.width = `${Math.max(setMem ? 1 : 0, ((setMem ?? 0) / max) * 100)}%`;
      memNote.textContent =
        hllMem && setMem
          ? `The set holds every id: ${formatBytes(setMem)}, ${(setMem / hllMem).toFixed(setMem / hllMem < 10 ? 1 : 0)}× the HyperLogLog. The HyperLogLog never holds more than 12 KB of registers (16,384 of 6 bits) whatever the count, for a standard error of 0.81 %.`
          : 'Simulate visits to compare: the set keeps every id, the HyperLogLog only 16,384 small registers.';
    };

    // ==== daily online users ===================================================================
    const usersSelect = h(
      'select',
      { class: 'select', testid: 'analytics-week-users' },
      ...[1_000, 5_000, 20_000].map((n) => h('option', { attrs: { value: n, selected: n === 5_000 }, text: `${formatCount(n)} users` })),
    );
    const simulateWeek = h('button', { class: 'btn btn-primary', testid: 'analytics-simulate-week' }, 'Simulate a week');
    const onlineToday = h('button', { class: 'btn', testid: 'analytics-online-today' }, 'I’m online today');
    const clearWeek = h('button', { class: 'btn btn-danger btn-ghost', testid: 'analytics-clear-week' }, 'Clear');
    const weekProgress = h('span', { style: { width: '0%' } });
    const weekBar = h('div', { class: 'bar analytics-progress', testid: 'analytics-week-progress', attrs: { hidden: true } }, weekProgress);
    const chartBox = h('div', { class: 'analytics-chart', testid: 'analytics-chart' });
    const retentionBox = h('div', { class: 'analytics-chart analytics-retention', testid: 'analytics-retention' });
    const allWeek = stat('online every day · BITOP AND', 'analytics-all-week', '0');
    const anyDay = stat('online any day · BITOP OR', 'analytics-any-day', '0');
    const todayBytes = h('p', { class: 'small muted', testid: 'analytics-day-bytes' });
    const meBits = h('div', { class: 'analytics-me-bits', testid: 'analytics-me-bits' });
    const meStatus = h('div', { class: 'analytics-me', testid: 'analytics-me', attrs: { 'data-user': me } });

    /** BITOP over the week, in one MULTI so every tab's render sees the results of the same days. */
    const combineWeek = async () => {
      const keys = lastWeek().map(dayKey);
      const tx = redis.multi().bitop('and', ALL_WEEK, keys[0]!, ...keys.slice(1)).bitop('or', ANY_DAY, keys[0]!, ...keys.slice(1));
      for (let n = 2; n <= 7; n++) tx.bitop('and', retentionKey(n), keys[0]!, keys[n - 1]!);
      await tx.exec();
    };

    simulateWeek.addEventListener(
      'click',
      act(ctx, async () => {
        const users = Number(usersSelect.value);
        const days = lastWeek();
        simulateWeek.disabled = onlineToday.disabled = true;
        weekBar.hidden = false;
        weekProgress.style.width = '0%';
        try {
          await redis.del(...days.map(dayKey)); // a fresh week
          // Each user has an engagement of their own (a little lower at weekends); most were there
          // before the week, some join during it, and every day a few leave for good.
          const random = prng(Math.floor(Math.random() * 2 ** 32));
          const setbits: [key: string, user: number][] = [];
          for (let u = 0; u < users; u++) {
            const engagement = 0.15 + 0.8 * random() ** 1.5;
            const joins = random() < 0.75 ? 0 : 1 + Math.floor(random() * 6);
            let gone = false;
            days.forEach((d, i) => {
              if (i < joins || gone) return;
              if (i > joins && random() < 0.08) gone = true;
              const weekend = d.getDay() === 0 || d.getDay() === 6 ? 0.75 : 1;
              if (!gone && random() < engagement * weekend) setbits.push([dayKey(d), u]);
            });
          }
          for (let i = 0; i < setbits.length; i += SETBITS_PER_PIPELINE) {
            const pipe = redis.pipeline();
            for (const [key, user] of setbits.slice(i, i + SETBITS_PER_PIPELINE)) pipe.setbit(key, user, 1);
            await pipe.exec();
            weekProgress.style.width = `${(100 * Math.min(setbits.length, i + SETBITS_PER_PIPELINE)) / setbits.length}%`;
          }
          await combineWeek();
          showCommand(`SETBIT ${ONLINE_PREFIX}<day> <user> 1 ×${formatCount(setbits.length)} · BITOP AND|OR …`, `${formatCount(users)} users over 7 days`);
        } finally {
          simulateWeek.disabled = onlineToday.disabled = false;
          weekBar.hidden = true;
        }
      }),
    );
    onlineToday.addEventListener(
      'click',
      act(ctx, async () => {
        const key = dayKey(new Date());
        const previous = await redis.setbit(key, me, 1);
        await combineWeek();
        showCommand(`SETBIT ${key} ${me} 1`, `(integer) ${previous}${previous === 1 ? ' · already online today' : ''}`);
      }),
    );
    clearWeek.addEventListener(
      'click',
      act(ctx, async () => {
        const keys: string[] = [];
        for (const match of [`${ONLINE_PREFIX}*`, 'analytics:retention:*']) {
          let cursor = '0';
          do {
            const [next, found] = await redis.scan(cursor, { match, count: 200 });
            keys.push(...found);
            cursor = next;
          } while (cursor !== '0');
        }
        const n = keys.length > 0 ? await redis.del(...keys) : 0;
        showCommand(`SCAN 0 MATCH ${ONLINE_PREFIX}* · DEL …`, `(integer) ${n}`);
      }),
    );

    // ---- the charts: hand-made SVG at the box's own width, so text stays legible on a phone ----
    let week: WeekData | null = null;

    const drawBars = (w: WeekData) => {
      const width = Math.max(280, chartBox.clientWidth);
      const narrow = width < 480;
      const height = narrow ? 210 : 250;
      const m = { left: 44, right: 8, top: 22, bottom: 40 };
      const plotW = width - m.left - m.right;
      const plotH = height - m.top - m.bottom;
      const { top, step } = niceAxis(Math.max(...w.counts));
      const y = (v: number) => m.top + plotH - (v / top) * plotH;
      const band = plotW / 7;
      const barW = Math.min(56, band * 0.62);
      const today = isoDay(new Date());
      const root = svg('svg', { width, height, viewBox: `0 0 ${width} ${height}`, class: 'analytics-svg', role: 'img', 'aria-label': 'Users online per day, BITCOUNT of each day’s bitmap' });
      for (let v = 0; v <= top; v += step) {
        root.append(
          svg('line', { x1: m.left, x2: width - m.right, y1: y(v), y2: y(v), class: v === 0 ? 'analytics-axis' : 'analytics-grid' }),
          svg('text', { x: m.left - 8, y: y(v) + 4, 'text-anchor': 'end', class: 'analytics-tick' }, compact(v)),
        );
      }
      w.days.forEach((d, i) => {
        const count = w.counts[i]!;
        const day = isoDay(d);
        const cx = m.left + band * i + band / 2;
        const barH = Math.max(count > 0 ? 1 : 0, plotH - (y(count) - m.top));
        root.append(
          svg(
            'g',
            { class: `analytics-day${day === today ? ' analytics-today' : ''}`, 'data-testid': 'analytics-day', 'data-day': day, 'data-count': count },
            svg('title', {}, `${WEEKDAYS[d.getDay()]} ${day}: ${formatCount(count)} users online — BITCOUNT ${ONLINE_PREFIX}${day}`),
            svg('rect', { x: cx - barW / 2, y: m.top + plotH - barH, width: barW, height: barH, rx: 3, class: 'analytics-bar' }),
            svg('text', { x: cx, y: y(count) - 6, 'text-anchor': 'middle', class: 'analytics-value', 'data-testid': 'analytics-day-count' }, narrow ? compact(count) : formatCount(count)),
            svg('text', { x: cx, y: height - m.bottom + 16, 'text-anchor': 'middle', class: 'analytics-xlabel' }, day === today ? 'today' : WEEKDAYS[d.getDay()]!),
            svg('text', { x: cx, y: height - m.bottom + 30, 'text-anchor': 'middle', class: 'analytics-xsub' }, day.slice(5)),
          ),
        );
      });
      replace(chartBox, root);
    };

    const drawRetention = (w: WeekData) => {
      const width = Math.max(260, retentionBox.clientWidth);
      const height = 200;
      const m = { left: 40, right: 24, top: 26, bottom: 30 };
      const plotW = width - m.left - m.right;
      const plotH = height - m.top - m.bottom;
      const base = w.counts[0]!;
      const pct = w.retained.map((r) => (base > 0 ? (r / base) * 100 : 0));
      const x = (i: number) => m.left + (plotW / 6) * i;
      const y = (p: number) => m.top + plotH - (p / 100) * plotH;
      const root = svg('svg', { width, height, viewBox: `0 0 ${width} ${height}`, class: 'analytics-svg', role: 'img', 'aria-label': 'Retention: users of day 1 online on day N' });
      for (const p of [0, 25, 50, 75, 100]) {
        root.append(
          svg('line', { x1: m.left, x2: width - m.right, y1: y(p), y2: y(p), class: p === 0 ? 'analytics-axis' : 'analytics-grid' }),
          svg('text', { x: m.left - 6, y: y(p) + 4, 'text-anchor': 'end', class: 'analytics-tick' }, `${p}%`),
        );
      }
      if (base > 0) {
        const points = pct.map((p, i) => `${x(i)},${y(p)}`).join(' ');
        root.append(
          svg('polygon', { points: `${x(0)},${y(0)} ${points} ${x(6)},${y(0)}`, class: 'analytics-area' }),
          svg('polyline', { points, class: 'analytics-line' }),
        );
      }
      pct.forEach((p, i) => {
        const label = i === 0 ? `${formatCount(base)} users online on day 1 (${isoDay(w.days[0]!)})` : `${formatCount(w.retained[i]!)} of them online on day ${i + 1} (${isoDay(w.days[i]!)}) — BITCOUNT ${retentionKey(i + 1)}`;
        root.append(
          svg(
            'g',
            { class: 'analytics-point', 'data-testid': 'analytics-retention-point', 'data-retained': w.retained[i]! },
            svg('title', {}, label),
            base > 0 ? svg('circle', { cx: x(i), cy: y(p), r: 3.5 }) : svg('g'),
            base > 0 && i > 0 && (i % 2 === 0 || width > 360) ? svg('text', { x: x(i), y: y(p) - 8, 'text-anchor': 'middle', class: 'analytics-value' }, `${Math.round(p)}%`) : svg('g'),
            svg('text', { x: x(i), y: height - 10, 'text-anchor': 'middle', class: 'analytics-xlabel' }, `day ${i + 1}`),
          ),
        );
      });
      replace(retentionBox, root);
    };

    const drawWeek = () => {
      if (!week) return;
      drawBars(week);
      drawRetention(week);
      allWeek.set(formatCount(week.allWeek));
      anyDay.set(formatCount(week.anyDay));
      const today = isoDay(new Date());
      todayBytes.textContent = `Today’s bitmap: ${formatBytes(week.todayBytes)} (STRLEN) — one bit per user id, the highest id setting its length.`;
      replace(
        meBits,
        ...week.days.map((d, i) =>
          h('span', { class: `analytics-bit${week!.mine[i] ? ' analytics-bit-on' : ''}`, title: `GETBIT ${dayKey(d)} ${me} → ${week!.mine[i]}` }, h('span', { class: 'analytics-bit-day', text: isoDay(d) === today ? 'today' : WEEKDAYS[d.getDay()]! }), h('span', { class: 'analytics-bit-value', text: String(week!.mine[i]) })),
        ),
      );
      const on = week.mine[6] === 1;
      meStatus.dataset.online = String(on);
      replace(meStatus, h('span', { class: `badge ${on ? 'badge-green' : 'badge'}`, text: on ? '✓ online today' : 'not online today' }), ' ', h('span', { class: 'muted', text: `user #${me} (${ctx.tab.name})` }));
    };
    new ResizeObserver(() => drawWeek()).observe(chartBox);

    const renderWeek = async () => {
      const days = lastWeek();
      const keys = days.map(dayKey);
      const pipe = redis.pipeline();
      for (const k of keys) pipe.bitcount(k);
      pipe.bitcount(ALL_WEEK).bitcount(ANY_DAY);
      for (let n = 2; n <= 7; n++) pipe.bitcount(retentionKey(n));
      for (const k of keys) pipe.getbit(k, me);
      pipe.strlen(keys[6]!);
      const r = (await pipe.exec()) as number[];
      const counts = r.slice(0, 7);
      week = { days, counts, allWeek: r[7]!, anyDay: r[8]!, retained: [counts[0]!, ...r.slice(9, 15)], mine: r.slice(15, 22), todayBytes: r[22]! };
      drawWeek();
    };

    const refresh = liveView(ctx, 'analytics:*', async () => {
      await Promise.all([renderVisitors(), renderWeek()]);
    });

    body.append(
      h(
        'div',
        { class: 'grid' },
        card(
          'Unique visitors · HyperLogLog vs set',
          h('div', { class: 'row' }, visitsSelect, audienceSelect, simulateVisits, h('span', { class: 'spacer' }), clearVisits),
          h('div', { class: 'stats analytics-stats' }, visits.el, hllCount.el, setCount.el, error.el),
          h('div', { class: 'analytics-mem' }, memRow('HyperLogLog', HLL, hllBar, hllBytes), memRow('Set', SET, setBar, setBytes)),
          memNote,
        ),
        card(
          'Daily online users · one bitmap per day',
          h('div', { class: 'row' }, usersSelect, simulateWeek, onlineToday, h('span', { class: 'spacer' }), clearWeek),
          weekBar,
          chartBox,
          todayBytes,
        ),
        h(
          'div',
          { class: 'grid-2' },
          card('Across the week · BITOP', h('div', { class: 'stats' }, allWeek.el, anyDay.el), h('div', { class: 'analytics-you' }, h('div', { class: 'small faint', text: 'You · GETBIT per day' }), meBits, meStatus)),
          card('Retention · BITOP AND day 1, day N', retentionBox),
        ),
        h('div', { class: 'analytics-last' }, h('span', { class: 'faint small', text: 'last command ' }), lastCommand, ' ', lastReply),
      ),
    );

    return { shown: refresh };
  },
};
