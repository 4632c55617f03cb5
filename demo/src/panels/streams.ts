/**
 * Stream chat: a chat room kept in a Redis stream, with a consumer group doing work on it — the
 * guide's "Redis Streams: consumer groups, IDs, and ACKs".
 *
 * Two ways of reading one stream, side by side:
 * - The chat: every tab shows every message. XADD appends; the history is XREVRANGE when the page
 *   opens, then a blocking `XREAD BLOCK 0 STREAMS streams:chat <last id>` on a session of its own
 *   (`redis.connect()`) brings each new entry. Nothing is lost on reload: the stream is the history.
 * - The work: the consumer group `chat-processors` ("moderation"). The issue's "a consumer group per
 *   tab" is read as Redis means consumer groups to be used: ONE group, in which EACH TAB IS A
 *   CONSUMER named after the tab (`tab-3f2a`). `XREADGROUP GROUP chat-processors tab-3f2a BLOCK 0
 *   STREAMS streams:chat >` (its own session too) hands every new entry to exactly one tab; the entry
 *   stays in the group's pending entries list (PEL), under that tab, until the tab has "processed" it
 *   (a short delay) and acknowledged it: MULTI, HSET streams:handled <id> <tab>, XACK, EXEC. A tab can
 *   hold its entries pending (to watch them stay there), or ack one by one. A tab that is closed
 *   leaves its entries pending under its name; any other tab's "Claim stuck messages" runs XAUTOCLAIM
 *   with a min-idle time and takes them over (the claims are logged, with whom they came from).
 *
 * Keys:
 *   streams:chat     stream  the chat: fields `from` (tab name) and `text`; XADD … MAXLEN ~ 1000
 *                            group `chat-processors`, one consumer per tab
 *   streams:handled  hash    entry id → the tab that processed and acknowledged it (the ids trimmed
 *                            from the stream are dropped from it now and then)
 *   streams:claims   list    the latest XAUTOCLAIMs that claimed something, JSON, newest first (20 kept)
 *   streams:hold     set     the tabs holding their entries pending (no automatic XACK)
 * Nothing is created before the first message is sent: a tab starts its loops once `streams:chat`
 * exists (a key watch tells it), so a store where nobody chatted holds none of these keys.
 *
 * Commands: XADD, XRANGE/XREVRANGE, XREAD BLOCK, XGROUP CREATE/DELCONSUMER, XREADGROUP, XPENDING
 * (extended, with IDLE and a consumer), XACK, XAUTOCLAIM, XINFO GROUPS/CONSUMERS, XLEN, MULTI/EXEC,
 * and HSET/HMGET, LPUSH/LTRIM/LRANGE, SADD/SREM/SISMEMBER for the keys above.
 *
 * Across tabs: the stream and the group live in the store, shared; each tab's two blocked sessions
 * are resent to the new leader after a leader change, so the chat and the work go on. The group's
 * numbers (idle times grow by themselves) are polled while the panel is on screen, and refreshed at
 * once on a change of `streams:*` (a key watch).
 */
import { act, every, formatCount, h, replace, stat } from '../dom.js';
import type { DemoContext, Panel } from '../panel.js';
import type { StreamEntry, XInfoConsumer, XInfoGroup, XPendingEntry } from '@lodis/core';
import { senderColour } from './pubsub.js';
import './streams.css';

const STREAM_KEY = 'streams:chat';
const GROUP = 'chat-processors';
const HANDLED_KEY = 'streams:handled';
const CLAIMS_KEY = 'streams:claims';
const HOLD_KEY = 'streams:hold';
/** XADD's trimming: about this many entries kept (`MAXLEN ~`: whole nodes only, cheap). */
const MAX_LEN = 1000;
/** Messages shown (the newest). */
const HISTORY = 200;
/** How long a tab "processes" an entry before its XACK: long enough to see it pending. */
const PROCESS_MS = 1200;
/** XAUTOCLAIM's default min-idle: well past PROCESS_MS, so a live tab's entries are never taken. */
const DEFAULT_MIN_IDLE = 5000;
const CLAIMS_KEPT = 20;
/** Acknowledgements between two trims of `streams:handled`. */
const TRIM_HANDLED_EVERY = 50;

interface ChatMessage {
  id: string;
  from: string;
  text: string;
}

interface ClaimRecord {
  at: number;
  by: string;
  from: Record<string, number>;
  ids: string[];
}

/** An entry's flat [field, value, …] as a chat message. */
function toMessage([id, fv]: StreamEntry): ChatMessage {
  const f: Record<string, string> = {};
  for (let i = 0; i + 1 < fv.length; i += 2) f[fv[i]!] = fv[i + 1]!;
  return { id, from: f.from ?? '', text: f.text ?? fv.join(' ') };
}

/** Stream ids in Redis' order: by milliseconds, then by sequence. */
function compareIds(a: string, b: string): number {
  const [am, as] = a.split('-').map(Number) as [number, number];
  const [bm, bs] = b.split('-').map(Number) as [number, number];
  return am - bm || as - bs;
}

/** The ms part of a stream id: when XADD added it. */
const idTime = (id: string) => Number(id.split('-')[0]);
const clock = (t: number) => new Date(t).toLocaleTimeString('en-GB', { hour12: false });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const errText = (e: unknown) => (e instanceof Error ? e.message : String(e));

function formatIdle(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms < 3_600_000) return `${Math.floor(ms / 60_000)}m ${String(Math.floor(ms / 1000) % 60).padStart(2, '0')}s`;
  return `${Math.floor(ms / 3_600_000)}h ${String(Math.floor(ms / 60_000) % 60).padStart(2, '0')}m`;
}

/** Set a text only when it changed (no needless DOM writes on each refresh). */
function setText(el: Element, text: string): void {
  if (el.textContent !== text) el.textContent = text;
}

/**
 * Keep a table body's rows in step with `items`, by key: a row is made once and updated in place,
 * so a button in it stays put while the numbers around it change every second. With no items, one
 * row says `emptyText`.
 */
function syncRows<T>(
  tbody: HTMLTableSectionElement,
  items: readonly T[],
  key: (item: T) => string,
  make: (item: T) => HTMLTableRowElement,
  update: (row: HTMLTableRowElement, item: T) => void,
  emptyText: string,
): void {
  const existing = new Map<string, HTMLTableRowElement>();
  for (const row of [...tbody.rows]) {
    if (row.dataset.key !== undefined) existing.set(row.dataset.key, row);
    else row.remove();
  }
  const wanted: HTMLTableRowElement[] = [];
  for (const item of items) {
    const k = key(item);
    let row = existing.get(k);
    if (row) existing.delete(k);
    else {
      row = make(item);
      row.dataset.key = k;
    }
    update(row, item);
    wanted.push(row);
  }
  for (const row of existing.values()) row.remove();
  wanted.forEach((row, i) => {
    if (tbody.rows[i] !== row) tbody.insertBefore(row, tbody.rows[i] ?? null);
  });
  if (wanted.length === 0) {
    const cols = tbody.closest('table')?.tHead?.rows[0]?.cells.length ?? 1;
    tbody.append(h('tr', {}, h('td', { class: 'empty', attrs: { colspan: cols }, text: emptyText })));
  }
}

export const streamsPanel: Panel = {
  id: 'streams',
  title: 'Stream chat',
  group: 'Use cases',
  icon: '≋',
  summary:
    'A chat kept in a stream — history that survives reloads — and a consumer group in which every tab is a consumer: each message handed to one tab, pending until acknowledged, claimed from a closed tab with XAUTOCLAIM.',
  commands: ['XADD', 'XREVRANGE', 'XREAD', 'XGROUP', 'XREADGROUP', 'XPENDING', 'XACK', 'XAUTOCLAIM', 'XINFO'],
  mount(body, ctx) {
    return mountStreams(body, ctx);
  },
};

function mountStreams(body: HTMLElement, ctx: DemoContext) {
  const { redis, tab } = ctx;
  const me = tab.name;

  // ---- state -------------------------------------------------------------------------------------
  const messages = new Map<string, ChatMessage>();
  /** The id the live XREAD continues after. */
  let lastId = '0-0';
  let started = false;
  let groupReady = false;
  let held = false;

  // ---- view --------------------------------------------------------------------------------------
  const history = h('ol', { class: 'streams-history', testid: 'streams-history', attrs: { 'aria-live': 'polite' } });
  /** Each shown message's status line (pending at / handled by), by id. */
  const statusEls = new Map<string, HTMLElement>();
  const textInput = h('input', { class: 'input streams-text', testid: 'streams-text', attrs: { placeholder: 'Write to the room…', maxlength: 500, 'aria-label': 'Message' } });
  const sendButton = h('button', { class: 'btn btn-primary', testid: 'streams-send', text: 'Send' });
  const lastCommand = h('div', { class: 'streams-last mono', testid: 'streams-last-command', text: '—' });
  const readerState = h('span', { class: 'badge', testid: 'streams-reader', title: 'the live feed: XREAD BLOCK 0 on a session of its own', text: 'not reading yet' });

  const holdBox = h('input', { testid: 'streams-hold', attrs: { type: 'checkbox' } });
  const pendingBody = h('tbody', { testid: 'streams-pending' });
  const pendingCount = h('span', { class: 'badge', testid: 'streams-pending-count', text: '0' });
  const ackAll = h('button', { class: 'btn btn-sm', testid: 'streams-ack-all', text: 'Ack all' });
  /** What this tab did as a consumer: deliveries, XACKs, hold — newest first. */
  const consumerLog = h('ul', { class: 'log streams-consumer-log', testid: 'streams-consumer-log' }, h('li', { class: 'faint', text: 'Waiting for the first message.' }));
  const groupCommand = h('div', { class: 'mono small streams-group-command', testid: 'streams-group-command' });

  const lengthStat = stat('entries (XLEN)', 'streams-length');
  const pendingStat = stat('pending in group', 'streams-group-pending');
  const lagStat = stat('lag', 'streams-group-lag');
  const lastDeliveredStat = stat('last-delivered-id', 'streams-group-last');
  const consumersBody = h('tbody', { testid: 'streams-consumers' });

  const minIdleInput = h('input', { class: 'input mono streams-minidle', testid: 'streams-min-idle', attrs: { type: 'number', min: 0, step: 500, value: DEFAULT_MIN_IDLE, 'aria-label': 'min-idle-time in ms' } });
  const claimButton = h('button', { class: 'btn btn-primary', testid: 'streams-claim', text: 'Claim stuck messages' });
  const claimable = h('div', { class: 'small streams-claimable', testid: 'streams-claimable' });
  const claimResult = h('div', { class: 'mono small streams-claim-result', testid: 'streams-claim-result' });
  const claimsLog = h('ul', { class: 'log streams-claims', testid: 'streams-claims' });

  const showCommand = (text: string) => (lastCommand.textContent = text);
  function logConsumer(text: string): void {
    consumerLog.querySelector('.faint:only-child')?.remove();
    consumerLog.prepend(h('li', {}, h('span', { class: 't', text: clock(Date.now()) }), text));
    while (consumerLog.children.length > 6) consumerLog.lastElementChild!.remove();
  }

  // ---- the chat: XADD, history, live XREAD ---------------------------------------------------------

  /** XGROUP CREATE … $ MKSTREAM, once: the group exists before the first message it should see. */
  async function ensureGroup(): Promise<void> {
    if (groupReady) return;
    try {
      await redis.xgroup(STREAM_KEY, { type: 'CREATE', group: GROUP, id: '$', options: { MKSTREAM: true } });
    } catch (e) {
      if (!errText(e).startsWith('BUSYGROUP')) throw e;
    }
    groupReady = true;
  }

  async function send(): Promise<void> {
    const text = textInput.value.trim();
    if (!text) return;
    await ensureGroup();
    const id = await redis.xadd(STREAM_KEY, '*', { from: me, text }, { trim: { type: 'MAXLEN', comparison: '~', threshold: MAX_LEN } });
    textInput.value = '';
    textInput.focus();
    showCommand(`XADD ${STREAM_KEY} MAXLEN ~ ${MAX_LEN} * from ${me} text ${JSON.stringify(text)} → "${id}"`);
    start();
  }

  /** Add entries to the history, kept in id order (the first XREAD and XREVRANGE can interleave at start). */
  function addMessages(entries: ChatMessage[]): void {
    let outOfOrder = false;
    for (const m of entries) {
      if (messages.has(m.id)) continue;
      if (messages.size && compareIds(m.id, lastId) < 0) outOfOrder = true;
      else lastId = m.id;
      messages.set(m.id, m);
    }
    if (outOfOrder) {
      const sorted = [...messages.values()].sort((x, y) => compareIds(x.id, y.id));
      messages.clear();
      for (const m of sorted) messages.set(m.id, m);
    }
    while (messages.size > HISTORY) messages.delete(messages.keys().next().value!);
    renderHistory();
  }

  async function loadHistory(): Promise<void> {
    const newest = await redis.xrevrange(STREAM_KEY, '+', '-', HISTORY);
    const entries = Object.entries(newest)
      .reverse()
      .map(([id, f]) => ({ id, from: f.from ?? '', text: f.text ?? '' }));
    addMessages(entries);
  }

  /** The live feed: XREAD BLOCK 0 on a session of its own, from the last id shown. */
  async function readLoop(): Promise<void> {
    const reader = redis.connect();
    for (;;) {
      try {
        readerState.textContent = 'XREAD BLOCK 0 …';
        const reply = await reader.xread(STREAM_KEY, lastId, { blockMS: 0, count: 100 });
        for (const [, entries] of reply ?? []) addMessages(entries.map(toMessage));
        requestRefresh();
      } catch {
        readerState.textContent = 'XREAD retrying';
        await sleep(1000); // the store closing with the page, or a leader change seen as an error
      }
    }
  }

  // ---- the work: XREADGROUP, processing, XACK -----------------------------------------------------

  /** This tab as a consumer of the group: XREADGROUP … BLOCK 0 … > on a session of its own. */
  async function consumeLoop(): Promise<void> {
    const consumer = redis.connect();
    for (;;) {
      try {
        await ensureGroup();
        const reply = await consumer.xreadgroup(GROUP, me, STREAM_KEY, '>', { count: 20, blockMS: 0 });
        const ids = (reply ?? []).flatMap(([, entries]) => entries.map(([id]) => id));
        if (ids.length) {
          logConsumer(`XREADGROUP … > → ${ids.join(' ')}`);
          scheduleProcessing();
          requestRefresh();
        }
      } catch (e) {
        // NOGROUP: the stream was deleted (from the CLI, the key browser); make the group again.
        if (errText(e).startsWith('NOGROUP')) groupReady = false;
        await sleep(1000);
      }
    }
  }

  let processTimer: ReturnType<typeof setTimeout> | null = null;
  function scheduleProcessing(delay = PROCESS_MS): void {
    if (processTimer !== null) return;
    processTimer = setTimeout(() => {
      processTimer = null;
      // Try again later, unless the stream (and so the group) is gone: the next delivery reschedules.
      void processOwnPending().catch((e: unknown) => !errText(e).startsWith('NOGROUP') && scheduleProcessing());
    }, delay);
  }

  /**
   * "Moderation": this tab's pending entries that it has held for PROCESS_MS are processed and
   * acknowledged. Reads the PEL rather than remembering deliveries, so that after a reload (same
   * consumer name) or a claim the same code finishes what this tab holds.
   */
  async function processOwnPending(): Promise<void> {
    await holdKnown;
    if (held) return;
    const mine = await redis.xpending(STREAM_KEY, GROUP, '-', '+', 100, { consumer: me });
    const due = mine.filter(([, , idle]) => idle >= PROCESS_MS).map(([id]) => id);
    if (due.length) await acknowledge(due);
    const waiting = mine.filter(([, , idle]) => idle < PROCESS_MS);
    if (waiting.length) scheduleProcessing(Math.max(50, PROCESS_MS - Math.max(...waiting.map(([, , idle]) => idle))));
    else if (mine.length === 100) scheduleProcessing(0);
  }

  /** Record who handled the entries and XACK them, in one transaction. */
  async function acknowledge(ids: string[]): Promise<void> {
    if (!ids.length) return;
    const handled = Object.fromEntries(ids.map((id) => [id, me]));
    const replies = await redis.multi().hset(HANDLED_KEY, handled).xack(STREAM_KEY, GROUP, ids).exec();
    logConsumer(`XACK ${ids.join(' ')} → ${replies?.[1] ?? '?'}`);
    requestRefresh();
    acksSinceTrim += ids.length;
    if (acksSinceTrim >= TRIM_HANDLED_EVERY) {
      acksSinceTrim = 0;
      await trimHandled();
    }
  }

  /**
   * `streams:handled` follows the stream's trimming (MAXLEN ~ 1000): the records of entries trimmed
   * away are dropped, so the hash does not grow for ever.
   */
  let acksSinceTrim = 0;
  async function trimHandled(): Promise<void> {
    if ((await redis.hlen(HANDLED_KEY)) <= MAX_LEN * 1.5) return;
    const [first] = Object.keys(await redis.xrange(STREAM_KEY, '-', '+', 1));
    if (!first) return;
    const gone = (await redis.hkeys(HANDLED_KEY)).filter((id) => compareIds(id, first) < 0);
    if (gone.length) await redis.hdel(HANDLED_KEY, ...gone);
  }

  async function setHold(on: boolean): Promise<void> {
    held = on;
    if (on) await redis.sadd(HOLD_KEY, me);
    else await redis.srem(HOLD_KEY, me);
    logConsumer(on ? 'holding: no automatic XACK' : 'released: processing and XACK again');
    if (!on) scheduleProcessing(0);
    requestRefresh();
  }

  // ---- XAUTOCLAIM ---------------------------------------------------------------------------------

  async function claim(): Promise<void> {
    const minIdle = Math.max(0, Math.floor(Number(minIdleInput.value) || 0));
    await ensureGroup();
    // Who holds what now: XAUTOCLAIM's reply does not say whom it took the entries from.
    const before = await redis.xpending(STREAM_KEY, GROUP, '-', '+', 1000, { idleTime: minIdle });
    const owner = new Map(before.map(([id, consumer]) => [id, consumer]));
    const ids: string[] = [];
    const deleted: string[] = [];
    let cursor = '0-0';
    for (let round = 0; round < 20; round++) {
      const [next, entries, gone] = await redis.xautoclaim(STREAM_KEY, GROUP, me, minIdle, cursor, { count: 100 });
      ids.push(...entries.map(([id]) => id));
      deleted.push(...gone);
      cursor = next;
      if (cursor === '0-0') break;
    }
    const from: Record<string, number> = {};
    for (const id of ids) {
      const c = owner.get(id) ?? '?';
      from[c] = (from[c] ?? 0) + 1;
    }
    const cmd = `XAUTOCLAIM ${STREAM_KEY} ${GROUP} ${me} ${minIdle} 0-0 COUNT 100`;
    if (ids.length) {
      const record: ClaimRecord = { at: Date.now(), by: me, from, ids };
      await redis.multi().lpush(CLAIMS_KEY, JSON.stringify(record)).ltrim(CLAIMS_KEY, 0, CLAIMS_KEPT - 1).exec();
      scheduleProcessing();
    }
    replace(
      claimResult,
      h('span', { class: 'faint', text: cmd }),
      h('br'),
      ids.length
        ? h('span', { class: 'ok', text: `→ claimed ${ids.length}: ${describeFrom(from)}` })
        : h('span', { class: 'muted', text: `→ nothing idle for ${minIdle} ms or more` }),
      deleted.length ? h('span', { class: 'warn', text: ` · ${deleted.length} deleted from the stream, dropped from the PEL` }) : null,
    );
    requestRefresh();
  }

  const describeFrom = (from: Record<string, number>) =>
    Object.entries(from)
      .map(([c, n]) => `${n} from ${c}`)
      .join(', ');

  async function delConsumer(name: string): Promise<void> {
    const dropped = await redis.xgroup(STREAM_KEY, { type: 'DELCONSUMER', group: GROUP, consumer: name });
    groupCommand.textContent = `XGROUP DELCONSUMER ${STREAM_KEY} ${GROUP} ${name} → (integer) ${dropped}`;
    requestRefresh();
  }

  // ---- the group's state: XINFO, XPENDING ---------------------------------------------------------

  let refreshTimer: ReturnType<typeof setTimeout> | null = null;
  /** A refresh soon, once for a burst of changes. */
  function requestRefresh(): void {
    if (refreshTimer !== null || !ctx.visible()) return;
    refreshTimer = setTimeout(() => {
      refreshTimer = null;
      void refresh().catch(() => {});
    }, 60);
  }

  async function refresh(): Promise<void> {
    if (!(await redis.exists(STREAM_KEY))) {
      renderGroup(null, [], [], [], 0, []);
      return;
    }
    const shown = [...messages.keys()];
    let groups: XInfoGroup[] = [];
    let consumers: XInfoConsumer[] = [];
    let pending: XPendingEntry[] = [];
    const [length, handled, claims, groupList] = await Promise.all([
      redis.xlen(STREAM_KEY),
      shown.length ? redis.hmget(HANDLED_KEY, ...shown) : Promise.resolve(null),
      redis.lrange(CLAIMS_KEY, 0, CLAIMS_KEPT - 1),
      redis.xinfo(STREAM_KEY, { type: 'GROUPS' }),
    ]);
    groups = groupList;
    const group = groups.find((g) => g.name === GROUP) ?? null;
    if (group) {
      [consumers, pending] = await Promise.all([
        redis.xinfo(STREAM_KEY, { type: 'CONSUMERS', group: GROUP }),
        redis.xpending(STREAM_KEY, GROUP, '-', '+', 1000),
      ]);
    }
    renderGroup(group, consumers, pending, claims, length, shown.map((id) => (handled as Record<string, string | null> | null)?.[id] ?? null));
  }

  // ---- rendering ---------------------------------------------------------------------------------

  function renderHistory(): void {
    statusEls.clear();
    if (messages.size === 0) {
      replace(history, h('li', { class: 'empty streams-empty', text: 'No message yet. Send the first one: it is kept in the stream, for every tab and every reload.' }));
      return;
    }
    replace(
      history,
      ...[...messages.values()].map((m) => {
        const status = h('span', { class: 'streams-status', testid: 'streams-message-status' });
        statusEls.set(m.id, status);
        return h(
          'li',
          { class: `streams-message${m.from === me ? ' streams-mine' : ''}`, testid: 'streams-message', attrs: { 'data-id': m.id } },
          h(
            'div',
            { class: 'streams-meta' },
            h('span', { class: 'streams-from', style: { color: m.from ? senderColour(m.from) : 'var(--muted)' }, text: m.from || 'unknown' }),
            m.from === me && h('span', { class: 'faint', text: '(you)' }),
            h('span', { class: 'faint mono', text: clock(idTime(m.id)) }),
            h('span', { class: 'spacer' }),
            status,
          ),
          h('div', { class: 'streams-body', text: m.text }),
          h('div', { class: 'streams-id mono', text: m.id }),
        );
      }),
    );
    history.scrollTop = history.scrollHeight;
  }

  function renderGroup(group: XInfoGroup | null, consumers: XInfoConsumer[], pending: XPendingEntry[], claims: string[], length: number, handledBy: (string | null)[]): void {
    lengthStat.set(formatCount(length));
    pendingStat.set(group ? group.pending : '–');
    lagStat.set(group ? (group.lag === null ? 'n/a' : String(group.lag)) : '–');
    lastDeliveredStat.set(group ? group['last-delivered-id'] : '–');

    // Each message's place in the group: pending at a consumer, or handled by one.
    const pendingAt = new Map(pending.map(([id, consumer, idle]) => [id, { consumer, idle }]));
    [...messages.keys()].forEach((id, i) => {
      const el = statusEls.get(id);
      if (!el) return;
      const p = pendingAt.get(id);
      const by = handledBy[i];
      const [kind, text] = p ? ['yellow', `◔ pending · ${p.consumer}`] : by ? ['green', `✓ ${by}`] : ['', ''];
      if (el.textContent === text) return;
      replace(el, text && h('span', { class: `badge badge-${kind}`, title: p ? 'in the PEL: delivered, not yet acknowledged' : 'processed and XACKed', text }));
    });

    // This tab's pending entries.
    const mine = pending.filter(([, consumer]) => consumer === me);
    pendingCount.textContent = String(mine.length);
    ackAll.disabled = mine.length === 0;
    syncRows(
      pendingBody,
      mine,
      ([id]) => id,
      ([id]) =>
        h(
          'tr',
          { testid: 'streams-pending-row', attrs: { 'data-id': id } },
          h('td', {}, h('div', { class: 'mono', text: id }), h('div', { class: 'muted small streams-pending-text' })),
          h('td', { class: 'num' }),
          h('td', { class: 'num' }),
          h('td', { class: 'num' }, h('button', { class: 'btn btn-sm', testid: `streams-ack-${id}`, title: `XACK ${STREAM_KEY} ${GROUP} ${id}`, text: 'XACK', on: { click: act(ctx, () => acknowledge([id])) } })),
        ),
      (row, [id, , idle, deliveries]) => {
        setText(row.querySelector('.streams-pending-text')!, messages.get(id)?.text ?? '(not shown)');
        setText(row.cells[1]!, formatIdle(idle));
        setText(row.cells[2]!, String(deliveries));
      },
      held ? 'Nothing pending: new entries will stay here until acknowledged.' : 'Nothing pending: entries handed to this tab are acknowledged after a moment.',
    );

    // The consumers.
    const minIdle = Math.max(0, Number(minIdleInput.value) || 0);
    syncRows(
      consumersBody,
      consumers,
      (c) => c.name,
      (c) =>
        h(
          'tr',
          { testid: 'streams-consumer-row', attrs: { 'data-name': c.name } },
          h('td', {}),
          h('td', { class: 'num', testid: `streams-consumer-pending-${c.name}` }),
          h('td', { class: 'num' }),
          h('td', { class: 'num' }),
        ),
      (row, c) => {
        const stuck = c.pending > 0 && c.idle >= minIdle && c.name !== me;
        const removable = c.name !== me && c.pending === 0;
        const look = `${stuck}/${removable}`;
        if (row.dataset.look !== look) {
          row.dataset.look = look;
          replace(
            row.cells[0]!,
            h('span', { class: 'mono', style: { color: senderColour(c.name) }, text: c.name }),
            c.name === me && h('span', { class: 'badge badge-blue streams-tag', text: 'this tab' }),
            stuck && h('span', { class: 'badge badge-yellow streams-tag', title: `pending entries idle ≥ ${formatIdle(minIdle)}: claimable`, text: 'stuck' }),
          );
          replace(
            row.cells[3]!,
            removable &&
              h('button', {
                class: 'btn btn-sm btn-ghost',
                testid: `streams-delconsumer-${c.name}`,
                title: `XGROUP DELCONSUMER ${STREAM_KEY} ${GROUP} ${c.name}`,
                text: 'Remove',
                on: { click: act(ctx, () => delConsumer(c.name)) },
              }),
          );
        }
        setText(row.cells[1]!, String(c.pending));
        setText(row.cells[2]!, formatIdle(c.idle));
      },
      group ? 'No consumer yet.' : 'The group is made with the first message.',
    );

    // What a claim would take now.
    const stuck = pending.filter(([, , idle]) => idle >= minIdle);
    const owners = new Map<string, number>();
    for (const [, c] of stuck) owners.set(c, (owners.get(c) ?? 0) + 1);
    replace(
      claimable,
      stuck.length
        ? h('span', { class: 'warn', text: `${stuck.length} entr${stuck.length === 1 ? 'y' : 'ies'} idle ≥ ${formatIdle(minIdle)}: ${[...owners].map(([c, n]) => `${n} at ${c}`).join(', ')}` })
        : h('span', { class: 'muted', text: `No entry idle ≥ ${formatIdle(minIdle)}.` }),
    );

    // The claims log.
    const records = claims.flatMap((c) => {
      try {
        return [JSON.parse(c) as ClaimRecord];
      } catch {
        return [];
      }
    });
    replace(
      claimsLog,
      ...(records.length
        ? records.map((r) =>
            h(
              'li',
              { testid: 'streams-claim-record' },
              h('span', { class: 't', text: clock(r.at) }),
              h('span', { style: { color: senderColour(r.by) }, text: r.by }),
              ` claimed ${r.ids.length}: ${describeFrom(r.from)}`,
            ),
          )
        : [h('li', { class: 'faint', text: 'No claim yet.' })]),
    );
  }

  // ---- layout ------------------------------------------------------------------------------------

  sendButton.addEventListener('click', act(ctx, send));
  textInput.addEventListener('keydown', (e) => e.key === 'Enter' && sendButton.click());
  holdBox.addEventListener('change', act(ctx, () => setHold(holdBox.checked)));
  ackAll.addEventListener(
    'click',
    act(ctx, async () => acknowledge((await redis.xpending(STREAM_KEY, GROUP, '-', '+', 1000, { consumer: me })).map(([id]) => id))),
  );
  claimButton.addEventListener('click', act(ctx, claim));
  minIdleInput.addEventListener('input', () => requestRefresh());

  body.append(
    h(
      'div',
      { class: 'streams-note', testid: 'streams-note' },
      h('strong', { text: 'Two readers of one stream. ' }),
      'The chat is read with ',
      h('code', { text: 'XREAD' }),
      ': every tab sees every message, and the stream is the history. The work is a consumer group, ',
      h('code', { text: GROUP }),
      ', in which every tab is a consumer named after the tab (this one is ',
      h('code', { text: me }),
      '): ',
      h('code', { text: 'XREADGROUP … >' }),
      ' hands each new message to one tab, which holds it pending, processes it and acknowledges it with ',
      h('code', { text: 'XACK' }),
      '. Close a tab that holds entries, and another claims them with ',
      h('code', { text: 'XAUTOCLAIM' }),
      '.',
    ),
    h(
      'div',
      { class: 'streams-grid' },
      h(
        'section',
        { class: 'card streams-chat' },
        h('h3', { class: 'card-title streams-title' }, 'Room ', h('code', { class: 'streams-key', text: STREAM_KEY }), readerState),
        history,
        h('div', { class: 'streams-composer' }, textInput, sendButton),
        h('div', { class: 'streams-lastline' }, h('span', { class: 'faint small', text: 'last: ' }), lastCommand),
      ),
      h(
        'div',
        { class: 'streams-side' },
        h(
          'section',
          { class: 'card' },
          h('h3', { class: 'card-title streams-title' }, 'Consumer ', h('code', { class: 'streams-key', text: me }), pendingCount),
          h(
            'label',
            { class: 'streams-hold' },
            holdBox,
            h('span', {}, 'Hold entries pending ', h('span', { class: 'muted', text: '(no automatic XACK: watch them wait, ack by hand)' })),
          ),
          h(
            'div',
            { class: 'table-wrap' },
            h(
              'table',
              { class: 'data streams-pending-table' },
              h('thead', {}, h('tr', {}, h('th', { title: 'XPENDING streams:chat chat-processors - + 100 ' + me, text: 'Pending entry' }), h('th', { class: 'num', text: 'idle' }), h('th', { class: 'num', text: 'sent' }), h('th', { class: 'num' }, ackAll))),
              pendingBody,
            ),
          ),
          consumerLog,
        ),
        h(
          'section',
          { class: 'card' },
          h('h3', { class: 'card-title', text: 'Claim stuck messages' }),
          h(
            'p',
            { class: 'muted small streams-p' },
            'Entries pending longer than the min-idle time belong to a tab that is gone (or holding them): ',
            h('code', { text: 'XAUTOCLAIM' }),
            ' moves them to this tab, which processes them.',
          ),
          h('div', { class: 'row streams-claim-row' }, h('label', { class: 'field' }, 'min-idle-time (ms)', minIdleInput), claimButton),
          claimable,
          claimResult,
          claimsLog,
        ),
      ),
    ),
    h(
      'section',
      { class: 'card streams-group' },
      h('h3', { class: 'card-title' }, 'Group ', h('code', { class: 'streams-key', text: GROUP }), h('span', { class: 'faint streams-cmd', text: ' XINFO GROUPS · XINFO CONSUMERS' })),
      h('div', { class: 'stats' }, lengthStat.el, pendingStat.el, lagStat.el, lastDeliveredStat.el),
      h(
        'div',
        { class: 'table-wrap streams-consumers' },
        h(
          'table',
          { class: 'data' },
          h('thead', {}, h('tr', {}, h('th', { text: 'consumer' }), h('th', { class: 'num', text: 'pending' }), h('th', { class: 'num', text: 'idle' }), h('th', { class: 'num' }))),
          consumersBody,
        ),
      ),
      groupCommand,
    ),
  );
  renderHistory();
  renderGroup(null, [], [], [], 0, []);

  // ---- start -------------------------------------------------------------------------------------

  /** The loops, once the stream exists. */
  function start(): void {
    if (started) return;
    started = true;
    void readLoop();
    void consumeLoop();
    scheduleProcessing(0); // what this consumer held before a reload
    requestRefresh();
  }

  // Whether this tab holds its entries (kept across reloads); nothing is processed before it is known.
  const holdKnown = redis.sismember(HOLD_KEY, me).then(
    (v) => {
      held = v === 1;
      holdBox.checked = held;
    },
    () => {},
  );

  redis.watchKeys('streams:*', (change) => {
    if (change.key === STREAM_KEY && change.event === 'del') {
      // Deleted (from the CLI, the key browser): so is the group. The next message makes both again.
      groupReady = false;
      messages.clear();
      lastId = '0-0';
      renderHistory();
    } else if (change.key === STREAM_KEY && !started) start();
    requestRefresh();
  });

  void (async () => {
    const exists = await redis.exists(STREAM_KEY);
    if (exists) {
      await loadHistory();
      start();
    }
    body.dataset.started = 'true';
  })().catch((e: unknown) => ctx.toast(`Stream chat: ${errText(e)}`, 'error'));

  every(1000, refresh, ctx.visible);
  return { shown: () => void refresh().catch(() => {}) };
}
