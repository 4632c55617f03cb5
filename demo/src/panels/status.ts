/**
 * Store status: the store as an operator sees it, from the tab this panel is in.
 *
 * - Tabs: which tab leads (the holder of the Web Lock `lodis:lodis-demo`), its epoch (the term
 *   persisted in IndexedDB, bumped by every new leader: what fences an old one), this tab's role,
 *   the leader changes this tab has seen (`leadership()` through tab.ts), and every tab that has
 *   opened the store (the hash `demo:tabs`: worker id → tab name, written by each tab at start).
 * - Persistence (INFO persistence): the durability mode, the command log's size (`aof_current_size`
 *   = snapshot + log batches) and the snapshot's (`aof_base_size`), the last save, the changes
 *   since it, the rewrites done. "Compact now" is BGREWRITEAOF: a snapshot written copy-on-write
 *   while commands run, after which the log batches it covers are dropped; SAVE is the same
 *   checkpoint, replying once the snapshot is durable (in Lodis both are Redis 7's multi-part AOF
 *   rewrite: there is no separate RDB file).
 * - Server: INFO memory, stats, clients, server, keyspace; and an INFO viewer (a section, parsed
 *   into a filterable table, or the raw text).
 * - The benchmark (../bench.ts): round trips and pipelined throughput of this tab's store against
 *   an in-page Map and a plain postMessage worker; the last result is `demo:bench:last`.
 *
 * Keys: `demo:tabs` (read), `demo:bench:last` (the last benchmark, JSON), `bench:*` (during a run
 * only). Commands: INFO, BGREWRITEAOF, SAVE, LASTSAVE, HGETALL, and the benchmark's SET, GET, INCR,
 * ZADD, LPUSH, SCAN, UNLINK.
 *
 * Across tabs: INFO has no change events, so the figures are polled once a second while the panel
 * is on screen (every tab asks the same leader: they show the same numbers); the benchmark result
 * is watched (`watchKeys('demo:bench:last')`), so a run in one tab shows in every tab.
 */
import { BENCH_LAST_KEY, parseBenchResult, runBenchmark, type BenchResult, type BenchRow } from '../bench.js';
import { act, card, every, formatAgo, formatBytes, formatCount, h, replace, stat } from '../dom.js';
import type { DemoContext, Panel } from '../panel.js';
import { DURABILITY, STORE_NAME } from '../store-config.js';
import { leaderView, TABS_KEY } from '../tab.js';
import './status.css';

const INFO_SECTIONS = ['server', 'clients', 'memory', 'persistence', 'stats', 'keyspace', 'commandstats', 'errorstats', 'all'] as const;

/** One `field:value` line of INFO, with the `# Section` it is under. */
interface InfoField {
  readonly section: string;
  readonly key: string;
  readonly value: string;
}

/** INFO's text as fields, in order. */
function parseInfo(text: string): InfoField[] {
  const out: InfoField[] = [];
  let section = '';
  for (const line of text.split(/\r?\n/)) {
    if (line.startsWith('# ')) section = line.slice(2).trim();
    else {
      const colon = line.indexOf(':');
      if (colon > 0) out.push({ section, key: line.slice(0, colon), value: line.slice(colon + 1) });
    }
  }
  return out;
}

/** `keys=3,expires=1,avg_ttl=0` → { keys: '3', … } (keyspace and commandstats values). */
function parseSubfields(value: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of value.split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) out[part.slice(0, eq)] = part.slice(eq + 1);
  }
  return out;
}

async function info(ctx: DemoContext, ...sections: string[]): Promise<Map<string, string>> {
  const text = String(await ctx.redis.call('INFO', ...sections));
  return new Map(parseInfo(text).map((f) => [f.key, f.value]));
}

/** `45s`, `12m 05s`, `3h 12m`, `2d 4h`. */
function formatUptime(s: number): string {
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  return `${Math.floor(s / 86400)}d ${Math.floor((s % 86400) / 3600)}h`;
}

/** µs with three significant digits: `0.08 µs`, `85.2 µs`, `1.93 ms`. */
function formatUs(us: number): string {
  if (us >= 100_000) return `${(us / 1000).toFixed(0)} ms`;
  if (us >= 10_000) return `${(us / 1000).toFixed(1)} ms`;
  if (us >= 1000) return `${(us / 1000).toFixed(2)} ms`;
  if (us >= 100) return `${us.toFixed(0)} µs`;
  if (us >= 10) return `${us.toFixed(1)} µs`;
  if (us >= 0.1) return `${us.toFixed(2)} µs`;
  return `${us.toPrecision(2)} µs`;
}

/** `1.25M/s`, `48.3k/s`, `950/s`. */
function formatRate(perSec: number): string {
  if (perSec >= 1e6) return `${(perSec / 1e6).toFixed(2)}M/s`;
  if (perSec >= 1e3) return `${(perSec / 1e3).toFixed(perSec >= 1e5 ? 0 : 1)}k/s`;
  return `${perSec.toFixed(0)}/s`;
}

/** A field name with a line-break opportunity after each `_` (narrow screens break `used_memory_` there, not mid-word). */
function breakable(name: string): (string | HTMLElement)[] {
  return name.split(/(?<=_)/).flatMap((part, i) => (i === 0 ? [part] : [h('wbr'), part]));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export const statusPanel: Panel = {
  id: 'status',
  title: 'Store status',
  group: 'Tools',
  icon: '⚙',
  summary: 'Which tab leads the store, how it persists (command log, snapshots, compaction), what INFO reports — and a benchmark of this tab’s round trips against plain baselines.',
  commands: ['INFO', 'BGREWRITEAOF', 'SAVE', 'LASTSAVE', 'HGETALL', 'SET', 'GET', 'INCR', 'ZADD', 'LPUSH', 'SCAN', 'UNLINK'],
  mount(body, ctx) {
    // ---- tabs ----------------------------------------------------------------------------------
    const leader = stat('leading tab', 'status-leader');
    const epoch = stat('epoch (term)', 'status-epoch');
    const role = stat('this tab', 'status-role');
    const changes = stat('leader changes seen', 'status-changes');
    const tabsList = h('ul', { class: 'status-tabs', testid: 'status-tabs' });
    const workerId = h('span', { class: 'mono', testid: 'status-worker', text: '–' });
    const tabsCard = card(
      'Tabs',
      h('div', { class: 'stats' }, leader.el, epoch.el),
      h('div', { class: 'stats status-stats-gap' }, role.el, changes.el),
      h(
        'dl',
        { class: 'status-facts' },
        h('dt', { text: 'Store' }),
        h('dd', {}, h('span', { class: 'mono', text: STORE_NAME })),
        h('dt', { text: 'Web Lock, IndexedDB' }),
        h('dd', {}, h('span', { class: 'mono', text: `lodis:${STORE_NAME}` })),
        h('dt', { text: 'This tab’s worker' }),
        h('dd', {}, workerId),
      ),
      h('div', { class: 'status-subtitle' }, 'Tabs that have opened the store', h('code', { class: 'faint', text: `HGETALL ${TABS_KEY}` })),
      tabsList,
      h(
        'p',
        { class: 'muted small status-note' },
        'Every tab starts a worker, and the workers queue for the Web Lock. Its holder leads: it bumps the epoch in IndexedDB (an older leader can no longer write), runs the engine and writes the log; the others forward their commands to it. Close the leading tab and the next in the queue takes over. Closed tabs stay listed: the hash is a history.',
      ),
    );

    // ---- persistence ---------------------------------------------------------------------------
    const aofSize = stat('AOF size (snapshot + log)', 'status-aof-size');
    const baseSize = stat('snapshot (base) size', 'status-base-size');
    const dirty = stat('changes since last save', 'status-dirty');
    const durability = stat('durability', 'status-durability', DURABILITY);
    const lastSave = h('span', { class: 'mono', testid: 'status-last-save', text: '–' });
    const rewrites = h('span', { class: 'mono', testid: 'status-rewrites', text: '–' });
    const saves = h('span', { class: 'mono', testid: 'status-saves', text: '–' });
    const compactBtn = h('button', { class: 'btn btn-primary', testid: 'status-compact', text: 'Compact now' });
    const saveBtn = h('button', { class: 'btn', testid: 'status-save', text: 'SAVE' });
    const persistLog = h('ul', { class: 'log status-persist-log', testid: 'status-persist-log' }, h('li', { class: 'faint', text: 'BGREWRITEAOF and SAVE replies show here.' }));
    const persistCard = card(
      'Persistence',
      h('div', { class: 'stats' }, aofSize.el, baseSize.el),
      h('div', { class: 'stats status-stats-gap' }, dirty.el, durability.el),
      h(
        'dl',
        { class: 'status-facts' },
        h('dt', { text: 'Last save', title: 'rdb_last_save_time (LASTSAVE): the last checkpoint, or when this leader started if none since' }),
        h('dd', {}, lastSave),
        h('dt', { text: 'Rewrites (BGREWRITEAOF)' }),
        h('dd', {}, rewrites),
        h('dt', { text: 'Saves (SAVE, BGSAVE)' }),
        h('dd', {}, saves),
      ),
      h('div', { class: 'row' }, compactBtn, saveBtn),
      persistLog,
      h(
        'p',
        { class: 'muted small status-note' },
        'Each write is appended to the command log in IndexedDB before its reply (durability ',
        h('code', { text: DURABILITY }),
        '). A rewrite writes a snapshot of memory while commands keep running, then drops the log it covers — Redis 7’s multi-part AOF. SAVE does the same and replies once the snapshot is durable.',
      ),
    );

    // ---- server --------------------------------------------------------------------------------
    const usedMemory = stat('used memory', 'status-used-memory');
    const commands = stat('commands processed', 'status-commands');
    const clients = stat('connected clients', 'status-clients');
    const uptime = stat('uptime of this leader', 'status-uptime');
    const keyspaceBody = h('tbody');
    const keyspaceTable = h(
      'table',
      { class: 'data', testid: 'status-keyspace' },
      h('thead', {}, h('tr', {}, h('th', { text: 'Database' }), h('th', { class: 'num', text: 'Keys' }), h('th', { class: 'num', text: 'With a TTL' }))),
      keyspaceBody,
    );
    const serverCard = card(
      'Server',
      h('div', { class: 'stats' }, usedMemory.el, commands.el, clients.el, uptime.el),
      h('div', { class: 'status-subtitle' }, 'Keys per database', h('code', { class: 'faint', text: 'INFO keyspace' })),
      h('div', { class: 'table-wrap' }, keyspaceTable),
    );

    // ---- benchmark -----------------------------------------------------------------------------
    const benchBtn = h('button', { class: 'btn btn-primary', testid: 'status-bench-run', text: '▶ Run benchmark' });
    const benchBar = h('span', { style: { width: '0%' } });
    const benchStep = h('span', { class: 'mono small', testid: 'status-bench-step' });
    const benchProgress = h('div', { class: 'status-bench-progress', testid: 'status-bench-progress', attrs: { hidden: true } }, h('div', { class: 'bar' }, benchBar), benchStep);
    const benchResult = h('div', { class: 'status-bench-result', testid: 'status-bench-result' }, h('p', { class: 'empty', text: 'No run yet: the last result is kept in the store and shown to every tab.' }));
    const benchCard = card(
      'Benchmark',
      h(
        'p',
        { class: 'muted status-lead' },
        'Round trips of this tab to the store — one awaited command at a time, and 500 in flight (sent to the worker in one message) — next to two baselines measured in the same run: a ',
        h('code', { text: 'Map' }),
        ' in this page, and a plain worker answering one ',
        h('code', { text: 'postMessage' }),
        ' per operation. About 5–10 s; keys ',
        h('code', { text: 'bench:*' }),
        ', deleted afterwards.',
      ),
      h('div', { class: 'row' }, benchBtn, benchProgress),
      benchResult,
    );
    benchCard.classList.add('status-bench');

    // ---- INFO viewer ---------------------------------------------------------------------------
    const sectionSelect = h(
      'select',
      { class: 'select', testid: 'status-info-section', attrs: { 'aria-label': 'INFO section' } },
      ...INFO_SECTIONS.map((s) => h('option', { attrs: { value: s }, text: s })),
    );
    const filterInput = h('input', { class: 'input', testid: 'status-info-filter', attrs: { type: 'search', placeholder: 'filter fields', 'aria-label': 'Filter fields' } });
    const rawToggle = h('input', { testid: 'status-info-raw', attrs: { type: 'checkbox' } });
    const refreshBtn = h('button', { class: 'btn btn-ghost btn-sm', testid: 'status-info-refresh', text: '↻ Refresh' });
    const infoCommand = h('code', { class: 'status-info-command', testid: 'status-info-command', text: 'INFO server' });
    const infoCount = h('span', { class: 'muted small', testid: 'status-info-count' });
    const infoBody = h('tbody');
    const infoTable = h('table', { class: 'data status-info-table', testid: 'status-info-table' }, h('thead', {}, h('tr', {}, h('th', { text: 'Field' }), h('th', { text: 'Value' }))), infoBody);
    const infoTableWrap = h('div', { class: 'table-wrap status-info-scroll' }, infoTable);
    const infoRaw = h('pre', { class: 'block', testid: 'status-info-text', attrs: { hidden: true } });
    const infoCard = card(
      'INFO',
      h(
        'div',
        { class: 'row status-info-controls' },
        h('label', { class: 'field' }, 'Section', sectionSelect),
        h('label', { class: 'field status-info-filter' }, 'Filter', filterInput),
        h('label', { class: 'status-check' }, rawToggle, 'raw text'),
        h('span', { class: 'spacer' }),
        refreshBtn,
      ),
      h('div', { class: 'row status-info-meta' }, infoCommand, infoCount),
      infoTableWrap,
      infoRaw,
    );

    infoCard.classList.add('status-info');
    body.append(h('div', { class: 'grid-2' }, tabsCard, persistCard), h('div', { class: 'status-stack' }, serverCard, benchCard, infoCard));

    // ---- refreshing ----------------------------------------------------------------------------
    let benchRunning = false;

    const refreshTabs = async () => {
      // Before the store is open this worker knows no leader yet (leadership() says term 0).
      await ctx.redis.ready;
      const [view, l, tabs] = await Promise.all([leaderView(ctx.redis, ctx.tab), ctx.redis.leadership(), ctx.redis.hgetall(TABS_KEY)]);
      leader.set(view.leader);
      epoch.set(view.epoch);
      role.set(view.role === 'single' ? 'single tab' : view.role);
      changes.set(view.changes);
      workerId.textContent = l.tab;
      const leaderId = l.role === 'follower' ? l.leader : l.tab;
      // One row per tab name: a reload gives the tab a new worker (a new id) under the same name.
      const byName = new Map<string, string[]>();
      for (const [id, name] of Object.entries(tabs ?? {})) byName.set(name, [...(byName.get(name) ?? []), id]);
      const rank = (name: string) => (name === view.leader ? 0 : name === ctx.tab.name ? 1 : 2);
      const names = [...byName.keys()].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
      replace(
        tabsList,
        ...names.map((name) => {
          const ids = byName.get(name)!;
          const leads = leaderId !== null && ids.includes(leaderId);
          return h(
            'li',
            { testid: 'status-tab', attrs: { 'data-name': name, 'data-leader': leads } },
            h('span', { class: 'mono status-tab-name', text: name }),
            leads && h('span', { class: 'badge badge-green', text: 'leader' }),
            name === ctx.tab.name && h('span', { class: 'badge badge-blue', text: 'this tab' }),
            h('span', { class: 'spacer' }),
            h('span', { class: 'faint small mono', text: ids.length === 1 ? `worker ${ids[0]!.slice(0, 8)}` : `${ids.length} workers (reloads)` }),
          );
        }),
      );
      if (names.length === 0) replace(tabsList, h('li', { class: 'empty', text: 'No tab has registered yet.' }));
    };

    const refreshStats = async () => {
      const i = await info(ctx, 'server', 'clients', 'memory', 'persistence', 'stats', 'keyspace');
      const num = (k: string) => Number(i.get(k) ?? 0);
      const setBytes = (s: { el: HTMLElement; set(v: string): void }, bytes: number) => {
        s.set(formatBytes(bytes));
        s.el.querySelector<HTMLElement>('.stat-value')!.dataset.bytes = String(bytes);
      };
      setBytes(aofSize, num('aof_current_size'));
      setBytes(baseSize, num('aof_base_size'));
      dirty.set(formatCount(num('rdb_changes_since_last_save')));
      const saved = num('rdb_last_save_time');
      lastSave.dataset.unix = String(saved);
      lastSave.textContent = `${new Date(saved * 1000).toLocaleTimeString()} · ${formatAgo(Date.now() - saved * 1000)}`;
      const rewriting = num('aof_rewrite_in_progress') === 1;
      rewrites.dataset.count = String(num('aof_rewrites'));
      rewrites.textContent = `${num('aof_rewrites')} done · ${rewriting ? `in progress (${num('aof_current_rewrite_time_sec')} s)` : num('aof_rewrite_scheduled') ? 'scheduled' : 'none running'}`;
      saves.dataset.count = String(num('rdb_saves'));
      saves.textContent = `${num('rdb_saves')} done · last status ${i.get('rdb_last_bgsave_status') ?? '–'}`;
      usedMemory.set(i.get('used_memory_human') ?? '–');
      commands.set(formatCount(num('total_commands_processed')));
      clients.set(num('connected_clients'));
      uptime.set(formatUptime(num('uptime_in_seconds')));
      const dbs = [...i.entries()].filter(([k]) => /^db\d+$/.test(k));
      replace(
        keyspaceBody,
        ...dbs.map(([db, v]) => {
          const f = parseSubfields(v);
          return h(
            'tr',
            { testid: `status-keyspace-${db}`, attrs: { 'data-keys': f.keys ?? '0' } },
            h('td', { class: 'mono', text: db }),
            h('td', { class: 'num', text: formatCount(Number(f.keys ?? 0)) }),
            h('td', { class: 'num', text: formatCount(Number(f.expires ?? 0)) }),
          );
        }),
      );
      if (dbs.length === 0) replace(keyspaceBody, h('tr', {}, h('td', { class: 'empty', attrs: { colspan: 3 }, text: 'Every database is empty.' })));
    };

    const refresh = async () => {
      if (benchRunning) return; // keep the benchmark's measurement to its own commands
      await Promise.all([refreshTabs(), refreshStats()]);
    };

    // ---- persistence actions -------------------------------------------------------------------
    const logLine = (text: string, kind: '' | 'ok' | 'error' | 'cmd' = '') => {
      persistLog.querySelector('.faint')?.remove();
      const li = h('li', { class: kind === 'cmd' ? '' : kind }, h('span', { class: 't', text: new Date().toLocaleTimeString() }), kind === 'cmd' ? h('span', { class: 'status-cmd', text: `> ${text}` }) : text);
      persistLog.append(li);
      while (persistLog.children.length > 12) persistLog.firstElementChild!.remove();
      persistLog.scrollTop = persistLog.scrollHeight;
    };

    compactBtn.addEventListener(
      'click',
      act(ctx, async () => {
        compactBtn.disabled = true;
        try {
          const before = await info(ctx, 'persistence');
          const sizeBefore = Number(before.get('aof_current_size'));
          const rewritesBefore = Number(before.get('aof_rewrites'));
          logLine('BGREWRITEAOF', 'cmd');
          const reply = String(await ctx.redis.call('BGREWRITEAOF'));
          logLine(reply);
          // The rewrite is done once it has started (the count grows: a "scheduled" one starts
          // after the running checkpoint) and none runs or waits any more.
          const deadline = Date.now() + 60_000;
          let after = before;
          for (;;) {
            after = await info(ctx, 'persistence');
            const started = Number(after.get('aof_rewrites')) > rewritesBefore;
            if (started && after.get('aof_rewrite_in_progress') === '0' && after.get('aof_rewrite_scheduled') === '0') break;
            if (Date.now() > deadline) throw new Error('BGREWRITEAOF: still running after 60 s (a leader change restarts the counters)');
            await sleep(100);
          }
          const sizeAfter = Number(after.get('aof_current_size'));
          if (after.get('aof_last_bgrewrite_status') !== 'ok') logLine(`rewrite failed: aof_last_bgrewrite_status:${after.get('aof_last_bgrewrite_status')}`, 'error');
          else logLine(`rewrite done: AOF ${formatBytes(sizeBefore)} → ${formatBytes(sizeAfter)} (snapshot ${formatBytes(Number(after.get('aof_base_size')))})`, 'ok');
          persistLog.dataset.before = String(sizeBefore);
          persistLog.dataset.after = String(sizeAfter);
          await refresh();
        } finally {
          compactBtn.disabled = false;
        }
      }),
    );

    saveBtn.addEventListener(
      'click',
      act(ctx, async () => {
        saveBtn.disabled = true;
        try {
          logLine('SAVE', 'cmd');
          const t0 = performance.now();
          const reply = String(await ctx.redis.call('SAVE'));
          logLine(`${reply} — snapshot durable in ${Math.round(performance.now() - t0)} ms`, 'ok');
          logLine('LASTSAVE', 'cmd');
          const at = Number(await ctx.redis.call('LASTSAVE'));
          logLine(`(integer) ${at} — ${new Date(at * 1000).toLocaleTimeString()}`);
          await refresh();
        } finally {
          saveBtn.disabled = false;
        }
      }),
    );

    // ---- INFO viewer ---------------------------------------------------------------------------
    let infoText = '';
    const renderInfo = () => {
      const raw = rawToggle.checked;
      infoTableWrap.hidden = raw;
      infoRaw.hidden = !raw;
      infoRaw.textContent = infoText;
      const needle = filterInput.value.trim().toLowerCase();
      const fields = parseInfo(infoText);
      const shown = fields.filter((f) => !needle || f.key.toLowerCase().includes(needle) || f.value.toLowerCase().includes(needle));
      const rows: HTMLElement[] = [];
      let section = '';
      const several = new Set(fields.map((f) => f.section)).size > 1;
      for (const f of shown) {
        if (several && f.section !== section) {
          section = f.section;
          rows.push(h('tr', { class: 'status-info-section' }, h('td', { attrs: { colspan: 2 }, text: `# ${section}` })));
        }
        rows.push(h('tr', { testid: 'status-info-row', attrs: { 'data-key': f.key } }, h('td', { class: 'mono' }, ...breakable(f.key)), h('td', { class: 'mono', text: f.value })));
      }
      replace(infoBody, ...rows);
      if (shown.length === 0) infoBody.append(h('tr', {}, h('td', { class: 'empty', attrs: { colspan: 2 }, text: fields.length ? 'No field matches the filter.' : 'This section is empty.' })));
      infoCount.textContent = needle ? `${shown.length} of ${fields.length} fields` : `${fields.length} fields`;
    };
    const loadInfo = async () => {
      const section = sectionSelect.value;
      const text = String(await ctx.redis.call('INFO', section));
      if (section !== sectionSelect.value) return; // a later choice won
      infoText = text;
      infoCommand.textContent = `INFO ${section}`;
      infoCard.dataset.section = section;
      renderInfo();
    };
    sectionSelect.addEventListener('change', act(ctx, loadInfo));
    refreshBtn.addEventListener('click', act(ctx, loadInfo));
    filterInput.addEventListener('input', renderInfo);
    rawToggle.addEventListener('change', renderInfo);

    // ---- benchmark -----------------------------------------------------------------------------
    const renderBench = (r: BenchResult | null) => {
      if (r === null) return;
      const row = (b: BenchRow) =>
        h(
          'tr',
          { testid: 'status-bench-row', attrs: { 'data-name': b.name, 'data-front': b.front } },
          h(
            'td',
            {},
            h('div', { class: b.front === 'lodis' ? 'status-bench-name mono' : 'status-bench-name', text: b.name }),
            h('div', { class: 'faint small status-bench-op' }, h('span', { class: 'mono', text: b.op }), b.batch > 1 && ` · timed in runs of ${b.batch}`),
          ),
          h('td', { class: 'num', attrs: { 'data-value': b.p50Us } }, formatUs(b.p50Us)),
          h('td', { class: 'num', attrs: { 'data-value': b.p99Us } }, formatUs(b.p99Us)),
          h('td', { class: 'num', attrs: { 'data-value': b.opsPerSec } }, formatRate(b.opsPerSec)),
        );
      const lodis = r.rows.filter((b) => b.front === 'lodis');
      const baselines = r.rows.filter((b) => b.front !== 'lodis');
      const path =
        r.role === 'follower'
          ? `${r.tab} followed ${r.leader}: page → ${r.tab}’s worker → ${r.leader}’s worker (BroadcastChannel, the engine) and back.`
          : `${r.tab} led the store: page → its worker (the engine) and back.`;
      replace(
        benchResult,
        h(
          'div',
          { class: 'table-wrap' },
          h(
            'table',
            { class: 'data status-bench-table', testid: 'status-bench-table' },
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                h('th', { text: 'Operation', attrs: { rowspan: 2 } }),
                h('th', { class: 'num status-bench-group', text: 'One awaited', attrs: { colspan: 2 } }),
                h('th', { class: 'num', text: 'Pipelined', attrs: { rowspan: 2 } }),
              ),
              h('tr', {}, h('th', { class: 'num', text: 'p50' }), h('th', { class: 'num', text: 'p99' })),
            ),
            h('tbody', {}, ...lodis.map(row)),
            h('tbody', { class: 'status-bench-baselines' }, h('tr', { class: 'status-info-section' }, h('td', { attrs: { colspan: 4 }, text: 'Baselines, same run' })), ...baselines.map(row)),
          ),
        ),
        h(
          'dl',
          { class: 'status-facts status-bench-facts', testid: 'status-bench-note' },
          h('dt', { text: 'Path' }),
          h('dd', { text: path }),
          h('dt', { text: 'Durability' }),
          h('dd', { text: `${r.durability}: a write replies once committed to IndexedDB; 500 pipelined writes share one commit.` }),
          h('dt', { text: 'Machine' }),
          h('dd', { text: `${r.cores} logical cores · ${r.browser}` }),
          h('dt', { text: 'Run' }),
          h('dd', { text: `${new Date(r.at).toLocaleString()} · ${(r.ms / 1000).toFixed(1)} s` }),
          h('dt', { text: 'Timing' }),
          h('dd', { text: 'An operation below the clock’s 0.1 ms grain is timed as a run of awaited operations; the sample is the run’s mean.' }),
        ),
      );
      benchResult.dataset.at = String(r.at);
    };
    const loadBench = async () => renderBench(parseBenchResult(await ctx.redis.get(BENCH_LAST_KEY)));
    ctx.redis.watchKeys(BENCH_LAST_KEY, () => void loadBench().catch(() => {}));
    void loadBench().catch(() => {});

    benchBtn.addEventListener(
      'click',
      act(ctx, async () => {
        benchBtn.disabled = true;
        benchRunning = true;
        benchProgress.hidden = false;
        benchCard.dataset.running = 'true';
        try {
          const view = await leaderView(ctx.redis, ctx.tab);
          const result = await runBenchmark(ctx.redis, {
            tab: ctx.tab.name,
            role: view.role,
            leader: view.leader,
            durability: DURABILITY,
            onProgress: (step, fraction) => {
              benchStep.textContent = step;
              benchBar.style.width = `${Math.round(fraction * 100)}%`;
            },
          });
          renderBench(result);
        } finally {
          benchRunning = false;
          benchBtn.disabled = false;
          benchProgress.hidden = true;
          delete benchCard.dataset.running;
        }
      }),
    );

    every(1000, refresh, ctx.visible);
    every(2000, () => (benchRunning ? undefined : loadInfo()), ctx.visible);
    return {
      shown: () => {
        void refresh().catch(() => {});
        void loadInfo().catch(() => {});
      },
    };
  },
};
