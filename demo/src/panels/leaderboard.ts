/**
 * Leaderboard — the guide's `ZADD game_scores 100 user1` / `ZRANGE game_scores 0 -1 WITHSCORES`, as
 * a game would run it: players added with ZADD (its NX/XX/GT/LT/CH options on show), +1/+10/+100
 * per row with ZINCRBY, the top 10 with ZRANGE … REV WITHSCORES, a player's rank, score and
 * neighbours (ZREVRANK, ZSCORE, ZRANGE around the rank), the size with ZCARD — and a load of
 * 100,000 players to show that these queries stay instant at that size.
 *
 * Keys:
 *   leaderboard:scores  sorted set, member = player name, score = points
 *   leaderboard:bench   hash: the last "Load 100,000 players" (players, commands, ms, zcard) and
 *                       the query timings measured after it (top10_us, revrank_us, zincrby_us)
 *
 * Across tabs: every view is rebuilt from those keys whenever one changes in any tab
 * (`watchKeys('leaderboard:*')`), at most once per animation frame, and only while the panel is
 * on screen (it catches up when shown). A reload shows the same board: nothing lives in the page
 * but what the user is typing and the player being looked up.
 */
import { act, card, formatCount, h, replace, stat } from '../dom.js';
import { liveView } from '../live.js';
import type { DemoContext, Panel } from '../panel.js';
import './leaderboard.css';

const SCORES = 'leaderboard:scores';
const BENCH = 'leaderboard:bench';

/** The load: 100 ZADDs of 1000 pairs, sent as pipelines of 10 ZADDs with 3 pipelines in flight. */
const LOAD_PLAYERS = 100_000;
const PAIRS_PER_ZADD = 1000;
const ZADDS_PER_PIPELINE = 10;
const PIPELINES_IN_FLIGHT = 3;
/**
 * Round trips of each query timed after the load, one after the other; the mean is shown (a
 * browser's clock is coarsened to 0.1 ms, finer than one run can be read but not than 25).
 */
const TIMING_RUNS = 25;

type ZAddMode = '' | 'nx' | 'xx' | 'gt' | 'lt';
const MODES: { value: ZAddMode; label: string; why: string }[] = [
  { value: '', label: 'set the score', why: 'the same score' },
  { value: 'nx', label: 'NX · only add new players', why: 'NX: the player was already on the board' },
  { value: 'xx', label: 'XX · only update existing', why: 'XX: not on the board, or the same score' },
  { value: 'gt', label: 'GT · only raise a score', why: 'GT: the new score is not higher' },
  { value: 'lt', label: 'LT · only lower a score', why: 'LT: the new score is not lower' },
];

/** The loaded players are named as the guide's example: `ZADD game_scores 100 "user1"`. */
const loadedName = (i: number) => `user${i}`;

/** A score as a board shows it: integers with separators, floats (after ZINCRBY 0.5 …) to 2 places. */
function formatScore(n: number): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: 2 });
}

/** A round trip, in µs or ms. */
function formatMicros(us: number): string {
  if (!Number.isFinite(us)) return '–';
  return us < 1000 ? `${Math.round(us)} µs` : `${(us / 1000).toFixed(us < 10_000 ? 2 : 1)} ms`;
}

/** `[member, score, member, score …]` (WITHSCORES, as the typed API returns it) as pairs. */
function pairs(flat: (string | number)[]): { member: string; score: number }[] {
  const out: { member: string; score: number }[] = [];
  for (let i = 0; i < flat.length; i += 2) out.push({ member: String(flat[i]), score: Number(flat[i + 1]) });
  return out;
}

/** A reply as redis-cli prints it (for the "last command" line). */
function cliReply(r: unknown): string {
  if (r === null || r === undefined) return '(nil)';
  if (typeof r === 'number') return Number.isInteger(r) ? `(integer) ${r}` : `"${r}"`;
  return `"${String(r)}"`;
}

export const leaderboardPanel: Panel = {
  id: 'leaderboard',
  title: 'Leaderboard',
  group: 'Use cases',
  icon: '★',
  summary:
    'A sorted set as a game leaderboard: add players and bump scores, the top 10 and any player’s rank live in every tab — and still instant with 100,000 players.',
  commands: ['ZADD', 'ZINCRBY', 'ZRANGE', 'ZREVRANK', 'ZSCORE', 'ZCARD', 'ZRANDMEMBER', 'HSET', 'HGETALL', 'DEL'],
  mount(body, ctx) {
    const { redis } = ctx;

    // ---- the last command run from this tab ----
    const lastCommand = h('code', { class: 'leaderboard-last-cmd leaderboard-last-empty', testid: 'leaderboard-last', text: '(none yet from this tab)' });
    const lastReply = h('span', { class: 'leaderboard-last-reply muted' });
    const showCommand = (cmd: string, reply = '') => {
      lastCommand.classList.remove('leaderboard-last-empty');
      lastCommand.textContent = cmd;
      lastReply.textContent = reply ? `→ ${reply}` : '';
    };

    // ---- stats ----
    const players = stat('players · ZCARD', 'leaderboard-zcard', '0');
    const leader = stat('first place', 'leaderboard-leader', '–');
    const topScore = stat('top score', 'leaderboard-top-score', '–');

    // ---- a row of the board, with its ZINCRBY buttons ----
    const incr = (member: string, by: number) =>
      act(ctx, async () => {
        const score = await redis.zincrby(SCORES, by, member);
        showCommand(`ZINCRBY ${SCORES} ${by} ${member}`, `"${score}"`);
      });
    const incrButtons = (member: string) =>
      h(
        'div',
        { class: 'leaderboard-incr' },
        ...[1, 10, 100].map((by) =>
          h('button', { class: 'btn btn-sm', testid: `leaderboard-incr-${by}`, title: `ZINCRBY ${SCORES} ${by} ${member}`, on: { click: incr(member, by) } }, `+${by}`),
        ),
      );

    interface Row {
      tr: HTMLTableRowElement;
      rank: HTMLElement;
      score: HTMLElement;
    }
    const rowOf = (member: string): Row => {
      const rank = h('td', { class: 'num leaderboard-rank', testid: 'leaderboard-rank' });
      const score = h('td', { class: 'num leaderboard-score', testid: 'leaderboard-score' });
      const tr = h(
        'tr',
        { testid: 'leaderboard-row', attrs: { 'data-member': member } },
        rank,
        h('td', { class: 'leaderboard-name', testid: 'leaderboard-name', title: member, text: member }),
        score,
        h('td', { class: 'leaderboard-actions' }, incrButtons(member)),
      );
      return { tr, rank, score };
    };
    const flash = (tr: HTMLElement) => {
      tr.classList.remove('leaderboard-changed');
      void tr.offsetWidth; // restart the animation
      tr.classList.add('leaderboard-changed');
    };

    // ---- top 10: rows kept by member, so a button under the pointer survives a re-render ----
    const topBody = h('tbody');
    const topEmpty = h('p', { class: 'empty', testid: 'leaderboard-empty', text: 'The board is empty: add a player, or load 100,000.' });
    const topRows = new Map<string, Row>();
    let shownScores: Map<string, number> | null = null; // what the last render showed (null: nothing yet, no highlight)
    const renderTop = (top: { member: string; score: number }[]) => {
      const seen = new Set<string>();
      top.forEach(({ member, score }, i) => {
        seen.add(member);
        let row = topRows.get(member);
        if (!row) topRows.set(member, (row = rowOf(member)));
        row.rank.textContent = String(i + 1);
        row.score.textContent = formatScore(score);
        row.tr.dataset.score = String(score);
        row.tr.classList.toggle('leaderboard-first', i === 0);
        if (topBody.children[i] !== row.tr) topBody.insertBefore(row.tr, topBody.children[i] ?? null);
        if (shownScores && shownScores.get(member) !== score) flash(row.tr);
      });
      for (const [member, row] of topRows) {
        if (!seen.has(member)) {
          row.tr.remove();
          topRows.delete(member);
        }
      }
      shownScores = new Map(top.map((p) => [p.member, p.score]));
      topEmpty.hidden = top.length > 0;
      leader.set(top[0]?.member ?? '–');
      topScore.set(top[0] ? formatScore(top[0].score) : '–');
    };
    const topTable = h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { class: 'data leaderboard-table', testid: 'leaderboard-top' },
        h('thead', {}, h('tr', {}, h('th', { class: 'num', text: '#' }), h('th', { text: 'Player' }), h('th', { class: 'num', text: 'Score' }), h('th', { class: 'leaderboard-actions', text: 'ZINCRBY' }))),
        topBody,
      ),
    );

    // ---- add a player ----
    const nameInput = h('input', { class: 'input', testid: 'leaderboard-name-input', attrs: { placeholder: 'player name', maxlength: 40, autocomplete: 'off' } });
    const scoreInput = h('input', { class: 'input leaderboard-score-input', testid: 'leaderboard-score-input', attrs: { type: 'number', value: '100', step: 'any' } });
    const modeSelect = h('select', { class: 'select', testid: 'leaderboard-mode' }, ...MODES.map((m) => h('option', { attrs: { value: m.value }, text: m.label })));
    const chBox = h('input', { testid: 'leaderboard-ch', attrs: { type: 'checkbox' } });
    const zaddPreview = h('code', { class: 'leaderboard-preview' });
    const previewArgs = () => {
      const mode = modeSelect.value as ZAddMode;
      const name = nameInput.value.trim() || 'name';
      return [SCORES, mode.toUpperCase(), chBox.checked ? 'CH' : '', scoreInput.value || '0', name].filter(Boolean).join(' ');
    };
    const updatePreview = () => (zaddPreview.textContent = `ZADD ${previewArgs()}`);
    for (const el of [nameInput, scoreInput, modeSelect, chBox]) el.addEventListener('input', updatePreview);
    updatePreview();

    const addPlayer = act(ctx, async () => {
      const member = nameInput.value.trim();
      const score = Number(scoreInput.value);
      if (!member) throw new Error('Give the player a name.');
      if (scoreInput.value.trim() === '' || !Number.isFinite(score)) throw new Error('The score must be a number.');
      const mode = modeSelect.value as ZAddMode;
      const opts = { nx: mode === 'nx', xx: mode === 'xx', gt: mode === 'gt', lt: mode === 'lt', ch: chBox.checked };
      const n = mode || chBox.checked ? await redis.zadd(SCORES, opts, { score, member }) : await redis.zadd(SCORES, { score, member });
      // The reply counts new players, or with CH changed scores too: a 0 without CH may still be an update.
      let note: string;
      if (n === 1) note = chBox.checked ? 'added or changed' : 'added';
      else if (chBox.checked || mode === 'nx') note = `nothing changed · ${MODES.find((m) => m.value === mode)!.why}`;
      else note = 'no new player (a changed score is counted only with CH)';
      showCommand(`ZADD ${previewArgs()}`, `${cliReply(n)} · ${note}`);
      // Show where the player now stands.
      lookFor = member;
      findInput.value = member;
      await renderFind();
    });
    const addForm = h(
      'form',
      { class: 'leaderboard-form', on: { submit: (e) => (e.preventDefault(), addPlayer()) } },
      h('label', { class: 'field leaderboard-grow' }, 'Player', nameInput),
      h('label', { class: 'field' }, 'Score', scoreInput),
      h('label', { class: 'field' }, 'Option', modeSelect),
      h('label', { class: 'leaderboard-check', title: 'CH: count changed scores, not only new members' }, chBox, 'CH'),
      h('button', { class: 'btn btn-primary', testid: 'leaderboard-add', attrs: { type: 'submit' } }, 'ZADD'),
    );

    // ---- find a player ----
    let lookFor: string | null = null; // the player looked up: re-run on every change
    const findInput = h('input', { class: 'input leaderboard-grow', testid: 'leaderboard-find-input', attrs: { placeholder: 'player name, e.g. user4217', autocomplete: 'off' } });
    const findResult = h('div', { class: 'leaderboard-find-result', testid: 'leaderboard-find-result' }, h('p', { class: 'empty', text: 'Look up any player: rank, score and the players around them.' }));
    const renderFind = async () => {
      if (lookFor === null) return;
      const member = lookFor;
      const [rank, score] = await redis.pipeline().zrevrank(SCORES, member).zscore(SCORES, member).exec();
      if (rank === null || score === null) {
        replace(findResult, h('p', { class: 'muted', testid: 'leaderboard-find-missing' }, h('strong', { text: member }), ' is not on the board (ZREVRANK → (nil)).'));
        return;
      }
      const from = Math.max(0, rank - 2);
      const around = pairs(await redis.zrange(SCORES, from, rank + 2, { rev: true, withScores: true }));
      replace(
        findResult,
        h(
          'div',
          { class: 'stats leaderboard-find-stats' },
          h('div', { class: 'stat' }, h('div', { class: 'stat-value', testid: 'leaderboard-find-rank', text: `#${formatCount(rank + 1)}` }), h('div', { class: 'stat-label', text: `rank · ZREVRANK → ${rank}` })),
          h('div', { class: 'stat' }, h('div', { class: 'stat-value', testid: 'leaderboard-find-score', text: formatScore(score) }), h('div', { class: 'stat-label', text: 'score · ZSCORE' })),
        ),
        h('div', { class: 'small faint leaderboard-around' }, h('code', { text: `ZRANGE ${SCORES} ${from} ${rank + 2} REV WITHSCORES` })),
        h(
          'div',
          { class: 'table-wrap' },
          h(
            'table',
            { class: 'data leaderboard-table', testid: 'leaderboard-neighbours' },
            h(
              'tbody',
              {},
              ...around.map((p, i) => {
                const row = rowOf(p.member);
                row.rank.textContent = formatCount(from + i + 1);
                row.score.textContent = formatScore(p.score);
                if (p.member === member) row.tr.classList.add('leaderboard-me');
                return row.tr;
              }),
            ),
          ),
        ),
      );
    };
    const find = act(ctx, async () => {
      const member = findInput.value.trim();
      if (!member) throw new Error('Type a player’s name.');
      lookFor = member;
      showCommand(`ZREVRANK ${SCORES} ${member} · ZSCORE ${SCORES} ${member}`);
      await renderFind();
    });
    const findForm = h(
      'form',
      { class: 'row', on: { submit: (e) => (e.preventDefault(), find()) } },
      findInput,
      h('button', { class: 'btn', testid: 'leaderboard-find', attrs: { type: 'submit' } }, 'Find'),
    );

    // ---- 100,000 players, and the timings after ----
    const progress = h('span', { style: { width: '0%' } });
    const progressBar = h('div', { class: 'bar leaderboard-progress', testid: 'leaderboard-load-progress', attrs: { hidden: true } }, progress);
    const LOAD_PLAN = `${formatCount(LOAD_PLAYERS / PAIRS_PER_ZADD)} ZADDs of ${formatCount(PAIRS_PER_ZADD)} players each, ${ZADDS_PER_PIPELINE} per pipeline, ${PIPELINES_IN_FLIGHT} pipelines in flight.`;
    const loadStatus = h('div', { class: 'muted small leaderboard-load-status', testid: 'leaderboard-load-status', text: LOAD_PLAN });
    const timingNote = h('div', { class: 'faint small leaderboard-timing-note', testid: 'leaderboard-timing-note' });
    const loadMs = stat('to load · ZADD ×100', 'leaderboard-load-ms', '–');
    const top10Time = stat('top 10 · ZRANGE REV', 'leaderboard-time-top10', '–');
    const revrankTime = stat('rank · ZREVRANK', 'leaderboard-time-revrank', '–');
    const zincrbyTime = stat('bump · ZINCRBY', 'leaderboard-time-zincrby', '–');
    const loadButton = h('button', { class: 'btn btn-primary', testid: 'leaderboard-load' }, `Load ${formatCount(LOAD_PLAYERS)} players`);
    const measureButton = h('button', { class: 'btn', testid: 'leaderboard-measure', title: `${TIMING_RUNS} round trips of each, one after the other: the mean` }, 'Time the queries');
    const clearButton = h('button', { class: 'btn btn-danger', testid: 'leaderboard-clear' }, 'Clear');

    /** Time the three queries from this page: round trips through the worker (and the leader's tab, from a follower). */
    const measure = async () => {
      const card = await redis.zcard(SCORES);
      if (card === 0) throw new Error('The board is empty: nothing to time.');
      const members = await redis.zrandmember(SCORES, -TIMING_RUNS); // players on the board, picked at random
      const meanMicros = async (query: (member: string) => Promise<unknown>) => {
        const t = performance.now();
        for (const member of members) await query(member);
        return ((performance.now() - t) * 1000) / TIMING_RUNS;
      };
      const top10 = await meanMicros(() => redis.zrange(SCORES, 0, 9, { rev: true, withScores: true }));
      const revrank = await meanMicros((member) => redis.zrevrank(SCORES, member));
      const zincrby = await meanMicros((member) => redis.zincrby(SCORES, 1, member));
      const { role } = await redis.leadership();
      const measuredIn = role === 'follower' ? `${ctx.tab.name}, a follower (each command goes through the leader’s tab)` : `${ctx.tab.name}, the leader`;
      await redis.hset(BENCH, { top10_us: top10, revrank_us: revrank, zincrby_us: zincrby, measured_zcard: card, measured_in: measuredIn });
      showCommand(`ZRANGE ${SCORES} 0 9 REV WITHSCORES · ZREVRANK · ZINCRBY, ×${TIMING_RUNS} each`, `${formatMicros(top10)} · ${formatMicros(revrank)} · ${formatMicros(zincrby)} per call`);
    };

    const load = act(ctx, async () => {
      loadButton.disabled = measureButton.disabled = clearButton.disabled = true;
      progressBar.hidden = false;
      progress.style.width = '0%';
      try {
        const started = performance.now();
        const pipelines = LOAD_PLAYERS / PAIRS_PER_ZADD / ZADDS_PER_PIPELINE;
        let next = 0;
        let done = 0;
        const sendPipeline = async (p: number) => {
          const pipe = redis.pipeline();
          for (let z = 0; z < ZADDS_PER_PIPELINE; z++) {
            const first = (p * ZADDS_PER_PIPELINE + z) * PAIRS_PER_ZADD + 1;
            const members = [];
            // Scores skewed low, as real ones are: a few stars, a long tail.
            for (let i = first; i < first + PAIRS_PER_ZADD; i++) members.push({ score: Math.round(100_000 * Math.random() ** 3), member: loadedName(i) });
            pipe.zadd(SCORES, members[0]!, ...members.slice(1));
          }
          await pipe.exec();
          done++;
          progress.style.width = `${(100 * done) / pipelines}%`;
          loadStatus.textContent = `ZADD ${SCORES} … ×${done * ZADDS_PER_PIPELINE} · ${formatCount(done * ZADDS_PER_PIPELINE * PAIRS_PER_ZADD)} players sent`;
        };
        const worker = async () => {
          while (next < pipelines) await sendPipeline(next++);
        };
        await Promise.all(Array.from({ length: PIPELINES_IN_FLIGHT }, worker));
        const ms = performance.now() - started;
        const zcard = await redis.zcard(SCORES);
        await redis.hset(BENCH, { players: LOAD_PLAYERS, commands: LOAD_PLAYERS / PAIRS_PER_ZADD, ms, zcard, at: Date.now() });
        showCommand(`ZADD ${SCORES} <1000 pairs> ×${LOAD_PLAYERS / PAIRS_PER_ZADD} · ZCARD ${SCORES}`, `(integer) ${zcard}`);
        await measure();
      } finally {
        loadButton.disabled = measureButton.disabled = clearButton.disabled = false;
        progressBar.hidden = true;
      }
    });
    loadButton.addEventListener('click', load);
    measureButton.addEventListener(
      'click',
      act(ctx, async () => {
        measureButton.disabled = true;
        try {
          await measure();
        } finally {
          measureButton.disabled = false;
        }
      }),
    );
    clearButton.addEventListener(
      'click',
      act(ctx, async () => {
        const n = await redis.del(SCORES, BENCH);
        showCommand(`DEL ${SCORES} ${BENCH}`, cliReply(n));
      }),
    );

    const renderBench = (b: Record<string, string> | null) => {
      const num = (f: string) => (b?.[f] !== undefined ? Number(b[f]) : NaN);
      loadMs.set(Number.isFinite(num('ms')) ? `${(num('ms') / 1000).toFixed(2)} s` : '–');
      top10Time.set(formatMicros(num('top10_us')));
      revrankTime.set(formatMicros(num('revrank_us')));
      zincrbyTime.set(formatMicros(num('zincrby_us')));
      timingNote.textContent = Number.isFinite(num('top10_us'))
        ? `Each figure is the mean of ${TIMING_RUNS} round trips page → worker → page, one after the other, measured in ${b!.measured_in ?? 'a tab'} with ${formatCount(num('measured_zcard'))} players on the board.`
        : 'Load the players, or time the queries on the board as it is.';
      if (loadButton.disabled) return; // a load in progress writes its own status
      loadStatus.textContent = Number.isFinite(num('ms'))
        ? `Loaded ${formatCount(num('players'))} players with ${formatCount(num('commands'))} ZADDs in ${(num('ms') / 1000).toFixed(2)} s → ZCARD ${formatCount(num('zcard'))}.`
        : LOAD_PLAN;
    };

    // ---- the whole view, rebuilt from the store ----
    const render = async () => {
      const [top, zcard, bench] = await redis.pipeline().zrange(SCORES, 0, 9, { rev: true, withScores: true }).zcard(SCORES).hgetall(BENCH).exec();
      renderTop(pairs(top));
      players.set(formatCount(zcard));
      renderBench(bench as Record<string, string> | null);
      await renderFind();
    };
    const refresh = liveView(ctx, 'leaderboard:*', render);

    body.append(
      h(
        'div',
        { class: 'grid' },
        h('div', { class: 'stats' }, players.el, leader.el, topScore.el),
        h(
          'div',
          { class: 'grid-2 leaderboard-main' },
          card('Top 10 · ZRANGE … 0 9 REV WITHSCORES', topTable, topEmpty),
          h(
            'div',
            { class: 'grid' },
            card('Add a player · ZADD', addForm, h('div', { class: 'leaderboard-preview-row' }, zaddPreview)),
            card('Find a player · ZREVRANK · ZSCORE', findForm, findResult),
          ),
        ),
        card(
          `Scale · ${formatCount(LOAD_PLAYERS)} players`,
          h('div', { class: 'row' }, loadButton, measureButton, h('span', { class: 'spacer' }), clearButton),
          progressBar,
          loadStatus,
          h('div', { class: 'stats leaderboard-timings' }, loadMs.el, top10Time.el, revrankTime.el, zincrbyTime.el),
          timingNote,
        ),
        h('div', { class: 'leaderboard-last' }, h('span', { class: 'faint small', text: 'last command ' }), lastCommand, ' ', lastReply),
      ),
    );

    return { shown: refresh };
  },
};
