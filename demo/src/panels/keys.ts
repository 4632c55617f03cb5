/**
 * Key browser: every key of the store, as a Redis GUI shows them. SCAN with a MATCH pattern, an
 * optional TYPE filter and a COUNT, "Load more" from the cursor it returned (never KEYS: SCAN is
 * how you walk a keyspace without blocking it); each row has its type, TTL and MEMORY USAGE,
 * fetched for the rows shown in one pipeline. A database selector SELECTs on the panel's own
 * connection (`ctx.redis.connect()`), so the rest of the page stays in db 0.
 *
 * Choose a key to open its viewer, one per type, each reading only a page of the value:
 * string (GET; edit with SET … KEEPTTL), list (LRANGE paged; LPUSH/RPUSH, LSET, LREM), hash (HSCAN;
 * HSET, HDEL), set (SSCAN; SADD, SREM), sorted set (ZRANGE … WITHSCORES paged; ZADD, ZADD XX to edit
 * a score, ZREM), stream (XREVRANGE paged, newest first; XADD, XDEL), HyperLogLog (a string that
 * starts with `HYLL`: PFCOUNT, PFADD) and bitmap (a string that is not text: its first bytes as a
 * grid of bits, BITCOUNT, SETBIT on a click). Values that are not text are shown escaped as
 * redis-cli shows them (`"\xff\x00"`). For any key: EXPIRE / PERSIST, RENAME, DEL (confirmed);
 * "New key" creates one of any type.
 *
 * Keys: none of its own — it shows whatever is in the store. What it is looking at (db, pattern,
 * filter, selected key) is this tab's view, kept in sessionStorage `lodis-demo:keys-view` so a
 * reload shows the same thing. Across tabs: the viewer watches its key (`watchKeys` on that exact
 * name, in its db) and reloads when any tab changes it; the TTL counts down while shown.
 */
import { byteStringOf, repr } from '@lodis/core/redis-cli';
import type { CommandArg, DecodedBuffer } from '@lodis/core';
import type { WorkerClient } from '@lodis/web-worker';
import { act, every, formatBytes, formatCount, formatTtl, h, replace } from '../dom.js';
import type { DemoContext, Panel } from '../panel.js';
import './keys.css';

const VIEW_KEY = 'lodis-demo:keys-view';
const TYPES = ['string', 'list', 'hash', 'set', 'zset', 'stream'] as const;
/** What the viewer shows a key as: its TYPE, with strings told apart by their content. */
type Kind = (typeof TYPES)[number] | 'hyperloglog' | 'bitmap';
const KIND_BADGE: Record<string, string> = {
  string: 'badge-blue',
  list: 'badge-yellow',
  hash: 'badge-green',
  set: 'keys-badge-purple',
  zset: 'badge-red',
  stream: 'keys-badge-cyan',
  hyperloglog: 'keys-badge-purple',
  bitmap: 'keys-badge-cyan',
};
/** Items per page in the list, sorted set and stream viewers. */
const PAGE = 20;
/** How many bytes of a bitmap the grid shows. */
const GRID_BYTES = 32;
/** How many SCAN calls one click may make to fill a page of results. */
const SCAN_CALLS = 16;

/** A key name: text, or bytes when it is not UTF-8. */
type Key = string | Uint8Array;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Bytes as text when they are UTF-8 without control characters (other than tab and newlines). */
function asText(b: Uint8Array): string | null {
  try {
    const s = utf8.decode(b);
    // eslint-disable-next-line no-control-regex
    return /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/.test(s) ? null : s;
  } catch {
    return null;
  }
}

/** How a value reads: itself when it is text, else escaped as redis-cli prints it. */
function show(b: Uint8Array): string {
  return asText(b) ?? repr(byteStringOf(b));
}

function keyOf(b: Uint8Array): Key {
  try {
    return utf8.decode(b);
  } catch {
    return b;
  }
}

const keyText = (k: Key) => (typeof k === 'string' ? k : repr(byteStringOf(k)));
const sameKey = (a: Key, b: Key) => keyText(a) === keyText(b) && typeof a === typeof b;
/** A command line as the panel shows it ("last command"): arguments with spaces quoted. */
const commandLine = (argv: CommandArg[]) =>
  argv
    .map((a) => {
      const t = a instanceof Uint8Array ? asText(a) : String(a);
      if (t === null) return repr(byteStringOf(a as Uint8Array));
      return t === '' || /[\s"'\\]/.test(t) ? JSON.stringify(t) : t;
    })
    .join(' ');

/** A glob matching exactly this key (watchKeys takes a pattern). */
function exactPattern(k: Key): Key {
  if (typeof k === 'string') return k.replace(/[*?[\]\\]/g, '\\$&');
  const out: number[] = [];
  for (const c of k) {
    if (c === 0x2a || c === 0x3f || c === 0x5b || c === 0x5d || c === 0x5c) out.push(0x5c);
    out.push(c);
  }
  return Uint8Array.from(out);
}

const bytes = (r: DecodedBuffer): Uint8Array => (r instanceof Uint8Array ? r : new TextEncoder().encode(String(r)));
const text = (r: DecodedBuffer): string => (r instanceof Uint8Array ? new TextDecoder().decode(r) : String(r));
const list = (r: DecodedBuffer): DecodedBuffer[] => (Array.isArray(r) ? r : []);

interface Row {
  key: Key;
  el: HTMLTableRowElement;
  type: HTMLElement;
  ttl: HTMLElement;
  memory: HTMLElement;
}

interface View {
  db: number;
  pattern: string;
  type: string;
  count: number;
  selected: string | null;
}

function loadView(): View {
  const fallback: View = { db: 0, pattern: '*', type: '', count: 100, selected: null };
  try {
    return { ...fallback, ...(JSON.parse(sessionStorage.getItem(VIEW_KEY) ?? '{}') as Partial<View>) };
  } catch {
    return fallback;
  }
}

export const keysPanel: Panel = {
  id: 'keys',
  title: 'Key browser',
  group: 'Tools',
  icon: '⌕',
  summary: 'Every key of the store: SCAN by pattern and type, then view and edit any value — strings, lists, hashes, sets, sorted sets, streams, HyperLogLogs and bitmaps.',
  commands: ['SCAN', 'TYPE', 'PTTL', 'MEMORY USAGE', 'SELECT', 'GET', 'LRANGE', 'HSCAN', 'SSCAN', 'ZRANGE', 'XREVRANGE', 'PFCOUNT', 'BITCOUNT', 'SETBIT', 'EXPIRE', 'PERSIST', 'RENAME', 'DEL'],
  mount(body, ctx) {
    return mountKeys(body, ctx);
  },
};

function mountKeys(body: HTMLElement, ctx: DemoContext) {
  const view = loadView();
  const saveView = () => sessionStorage.setItem(VIEW_KEY, JSON.stringify(view));
  /** The panel's own connection: SELECT here moves only the key browser. */
  const conn: WorkerClient = ctx.redis.connect();
  let connDb = 0;
  const useDb = async () => {
    if (connDb !== view.db) {
      await conn.call('SELECT', view.db);
      connDb = view.db;
    }
  };

  const lastCommand = h('code', { class: 'keys-last', testid: 'keys-last', text: '–' });
  /** Run one command on the panel's connection (bulk replies as bytes). */
  const run = async (...argv: CommandArg[]): Promise<DecodedBuffer> => {
    await useDb();
    return conn.callBuffer(...argv);
  };
  /** Run one the user asked for (a SCAN, a write), shown as the last command; the viewer's reads are not. */
  const runShown = (...argv: CommandArg[]): Promise<DecodedBuffer> => {
    lastCommand.textContent = commandLine(argv);
    return run(...argv);
  };

  // ---- the key list -----------------------------------------------------------------------------
  const patternInput = h('input', { class: 'input mono', testid: 'keys-pattern', attrs: { value: view.pattern, placeholder: 'MATCH pattern', 'aria-label': 'MATCH pattern' } });
  const typeSelect = h(
    'select',
    { class: 'select', testid: 'keys-type', attrs: { 'aria-label': 'TYPE' } },
    h('option', { attrs: { value: '' }, text: 'any type' }),
    ...TYPES.map((t) => h('option', { attrs: { value: t }, text: t })),
  );
  typeSelect.value = view.type;
  const countSelect = h('select', { class: 'select', testid: 'keys-count', attrs: { 'aria-label': 'COUNT' } }, ...[10, 100, 1000].map((n) => h('option', { attrs: { value: n }, text: `COUNT ${n}` })));
  countSelect.value = String(view.count);
  const dbSelect = h('select', { class: 'select', testid: 'keys-db', attrs: { 'aria-label': 'database' } }, ...Array.from({ length: 16 }, (_, i) => h('option', { attrs: { value: i }, text: `db ${i}` })));
  dbSelect.value = String(view.db);

  const tbody = h('tbody');
  const table = h(
    'table',
    { class: 'data keys-table', testid: 'keys-table' },
    h('thead', {}, h('tr', {}, h('th', { text: 'Key' }), h('th', { text: 'Type' }), h('th', { class: 'num', text: 'TTL' }), h('th', { class: 'num keys-col-mem', text: 'Memory' }))),
    tbody,
  );
  const listNote = h('span', { class: 'muted small', testid: 'keys-found' });
  const moreBtn = h('button', { class: 'btn btn-sm', testid: 'keys-more', text: 'Load more' });
  const rows: Row[] = [];
  let cursor = '0';
  let scanned = false;

  const badge = (kind: string) => h('span', { class: `badge ${KIND_BADGE[kind] ?? ''}`, text: kind });

  /** TYPE, PTTL and MEMORY USAGE of rows, in one pipeline. */
  async function fillRows(target: Row[]): Promise<void> {
    if (target.length === 0) return;
    await useDb();
    const p = conn.pipeline();
    for (const r of target) p.call('TYPE', r.key).call('PTTL', r.key).call('MEMORY', 'USAGE', r.key);
    const res = await p.exec({ keepErrors: true });
    target.forEach((r, i) => {
      const [type, pttl, mem] = [res[i * 3], res[i * 3 + 1], res[i * 3 + 2]] as { result?: unknown }[];
      const t = String(type?.result ?? 'none');
      replace(r.type, t === 'none' ? h('span', { class: 'faint', text: 'gone' }) : badge(t));
      r.ttl.textContent = typeof pttl?.result === 'number' ? ttlText(pttl.result) : '–';
      r.memory.textContent = typeof mem?.result === 'number' ? formatBytes(mem.result) : '–';
      r.el.classList.toggle('keys-gone', t === 'none');
    });
  }

  const ttlText = (pttl: number) => (pttl < 0 ? (pttl === -1 ? '∞' : '–') : formatTtl(Math.ceil(pttl / 1000)));

  function addRow(key: Key, first = false): Row {
    const type = h('td', {}, h('span', { class: 'faint', text: '…' }));
    const ttl = h('td', { class: 'num' });
    const memory = h('td', { class: 'num keys-col-mem' });
    const el = h('tr', { class: 'keys-row', testid: 'keys-row' }, h('td', { class: 'keys-rowname' }, keyText(key)), type, ttl, memory);
    el.dataset.key = keyText(key);
    const row: Row = { key, el, type, ttl, memory };
    el.addEventListener('click', () => select(key));
    if (first) {
      tbody.prepend(el);
      rows.unshift(row);
    } else {
      tbody.append(el);
      rows.push(row);
    }
    if (selected !== null && sameKey(selected, key)) el.classList.add('selected');
    return row;
  }

  const scanArgs = (): CommandArg[] => {
    const argv: CommandArg[] = ['SCAN', cursor, 'MATCH', view.pattern || '*', 'COUNT', view.count];
    if (view.type) argv.push('TYPE', view.type);
    return argv;
  };

  /**
   * SCAN from the cursor until a page of keys is in (or the keyspace is walked). Scans run one at
   * a time; on the list, `data-scans` counts those done and `data-pending` those to come (what a
   * test waits on).
   */
  let scanning: Promise<void> = Promise.resolve();
  let scansDone = 0;
  let scansPending = 0;
  function scan(reset: boolean): Promise<void> {
    listCard.dataset.pending = String(++scansPending);
    const next = scanning.catch(() => {}).then(() => scanOnce(reset));
    scanning = next.finally(() => {
      listCard.dataset.scans = String(++scansDone);
      listCard.dataset.pending = String(--scansPending);
    });
    return next;
  }

  async function scanOnce(reset: boolean): Promise<void> {
    if (reset) {
      cursor = '0';
      rows.length = 0;
      tbody.replaceChildren();
    }
    const added: Row[] = [];
    for (let calls = 0; calls < SCAN_CALLS; calls++) {
      const [next, keys] = list(await runShown(...scanArgs()));
      cursor = text(next!);
      for (const k of list(keys!)) {
        const key = keyOf(bytes(k));
        if (!rows.some((r) => sameKey(r.key, key))) added.push(addRow(key));
      }
      if (cursor === '0' || added.length >= Math.min(view.count, 100)) break;
    }
    scanned = true;
    moreBtn.hidden = cursor === '0';
    listNote.textContent = `${formatCount(rows.length)} key${rows.length === 1 ? '' : 's'}${cursor === '0' ? ' · scan complete' : ` · cursor ${cursor}`}`;
    if (rows.length === 0) tbody.append(h('tr', {}, h('td', { class: 'empty', attrs: { colspan: 4 }, text: 'No key matches.' })));
    await fillRows(added);
  }

  const scanNow = act(ctx, async () => {
    view.pattern = patternInput.value;
    view.type = typeSelect.value;
    view.count = Number(countSelect.value);
    saveView();
    await scan(true);
  });
  patternInput.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') scanNow();
  });
  typeSelect.addEventListener('change', scanNow);
  countSelect.addEventListener('change', scanNow);
  dbSelect.addEventListener(
    'change',
    act(ctx, async () => {
      view.db = Number(dbSelect.value);
      view.selected = null;
      saveView();
      await useDb();
      lastCommand.textContent = `SELECT ${view.db}`;
      closeViewer();
      await scan(true);
    }),
  );
  moreBtn.addEventListener('click', act(ctx, () => scan(false)));

  const listCard = h(
    'section',
    { class: 'card keys-list', testid: 'keys-list' },
    h('div', { class: 'keys-card-head' }, h('h3', { class: 'card-title', text: 'Keys' }), h('span', { class: 'spacer' }), h('button', { class: 'btn btn-sm btn-primary', testid: 'keys-new', text: '+ New key', on: { click: () => openCreate() } })),
    h('div', { class: 'keys-search' }, patternInput, h('button', { class: 'btn', testid: 'keys-scan', text: 'Scan', on: { click: scanNow } })),
    h('div', { class: 'keys-filters' }, typeSelect, countSelect, dbSelect),
    h('div', { class: 'table-wrap keys-table-wrap' }, table),
    h('div', { class: 'row keys-list-foot' }, listNote, h('span', { class: 'spacer' }), moreBtn),
  );

  // ---- the viewer -------------------------------------------------------------------------------
  let selected: Key | null = null;
  let stopWatch: (() => void) | null = null;
  /** Paging of the open key (reset when another key is chosen). */
  let page = 0;
  let streamPages: string[] = ['+'];
  let scanCursor = '0';
  let confirmDelete = false;

  const viewerCard = h('section', { class: 'card keys-viewer', testid: 'keys-viewer' });
  /** The list and the viewer; on a phone, one at a time (`keys-open`: the viewer, with a way back). */
  const layout = h('div', { class: 'keys-layout' });
  const backToList = () =>
    h('button', {
      class: 'btn btn-sm btn-ghost keys-back',
      testid: 'keys-back',
      text: '‹ Keys',
      on: {
        click: () => {
          view.selected = null;
          saveView();
          closeViewer();
        },
      },
    });

  function closeViewer(): void {
    stopWatch?.();
    stopWatch = null;
    selected = null;
    rendered = null;
    layout.classList.remove('keys-open');
    for (const r of rows) r.el.classList.remove('selected');
    replace(viewerCard, h('div', { class: 'keys-placeholder' }, h('div', { class: 'keys-placeholder-icon', text: '⌕' }), h('p', { text: 'Choose a key to see its value, or create one.' })));
  }

  function select(key: Key): void {
    stopWatch?.();
    selected = key;
    page = 0;
    streamPages = ['+'];
    scanCursor = '0';
    confirmDelete = false;
    drafts = new Map();
    rendered = null;
    view.selected = typeof key === 'string' ? key : null;
    saveView();
    for (const r of rows) r.el.classList.toggle('selected', sameKey(r.key, key));
    layout.classList.add('keys-open');
    // Any tab's change to this key (in this db) reloads the viewer.
    stopWatch = ctx.redis.watchKeys(exactPattern(key), () => scheduleReload(), { db: view.db });
    void loadViewer().catch((e: unknown) => ctx.toast(String(e instanceof Error ? e.message : e), 'error'));
  }

  let reloadTimer: ReturnType<typeof setTimeout> | null = null;
  function scheduleReload(): void {
    if (reloadTimer !== null) return;
    reloadTimer = setTimeout(() => {
      reloadTimer = null;
      void loadViewer().catch((e: unknown) => ctx.toast(String(e instanceof Error ? e.message : e), 'error'));
    }, 30);
  }

  /** After one of the viewer's own writes: reload now (the watch would too, a moment later). */
  const write = async (argv: CommandArg[], done: string[] = []): Promise<DecodedBuffer> => {
    const r = await runShown(...argv);
    for (const id of done) drafts.delete(id);
    await loadViewer();
    return r;
  };

  /**
   * What the user typed into the viewer and has not saved, by input: the viewer is rebuilt whenever
   * its key changes (in any tab), and a half-typed value must survive that.
   */
  let drafts = new Map<string, string>();
  function draft<E extends HTMLInputElement | HTMLTextAreaElement>(id: string, input: E, loaded = ''): E {
    input.dataset.draft = id;
    input.defaultValue = loaded; // in the markup, so that a changed value is a changed view
    input.value = drafts.get(id) ?? loaded;
    input.addEventListener('input', () => drafts.set(id, input.value));
    return input;
  }

  const ttlEl = h('span', { class: 'mono', testid: 'keys-ttl' });

  const memoryEl = h('span', { class: 'mono', testid: 'keys-memory' });
  const encodingEl = h('span', { class: 'mono', testid: 'keys-encoding' });
  /** What the viewer shows (key, kind, content): a reload that finds the same leaves the DOM alone. */
  let rendered: string | null = null;
  /** Reloads in flight, as `data-loading` (what a test waits on). */
  let loading = 0;

  async function loadViewer(): Promise<void> {
    viewerCard.dataset.loading = String(++loading);
    try {
      await reloadViewer();
    } finally {
      viewerCard.dataset.loading = String(--loading);
    }
  }

  async function reloadViewer(): Promise<void> {
    const key = selected;
    if (key === null) return;
    await useDb();
    const [type, pttl, mem, enc] = await conn.pipeline().call('TYPE', key).call('PTTL', key).call('MEMORY', 'USAGE', key).call('OBJECT', 'ENCODING', key).exec({ keepErrors: true });
    if (selected !== key) return;
    const t = String(type?.result ?? 'none');
    const row = rows.find((r) => sameKey(r.key, key));
    if (row) void fillRows([row]).catch(() => {});
    if (t === 'none') {
      rendered = null;
      replace(
        viewerCard,
        h('div', { class: 'keys-head' }, backToList(), h('h3', { class: 'keys-name', testid: 'keys-name', text: keyText(key) }), h('span', { class: 'badge', testid: 'keys-kind', text: 'gone' })),
        h('p', { class: 'empty', testid: 'keys-gone', text: 'This key does not exist (any more): deleted, renamed or expired.' }),
      );
      return;
    }
    let kind: Kind = t as Kind;
    let value: Uint8Array | null = null;
    if (t === 'string') {
      value = bytes(await run('GETRANGE', key, 0, 4095));
      if (value.length >= 4 && byteStringOf(value.subarray(0, 4)) === 'HYLL') kind = 'hyperloglog';
      else if (asText(value) === null) kind = 'bitmap';
    }
    if (selected !== key) return;
    const content = await viewerBody(kind, key, value);
    if (selected !== key) return;

    ttlEl.textContent = typeof pttl?.result === 'number' ? (pttl.result === -1 ? 'no expiry' : ttlText(pttl.result)) : '–';
    memoryEl.textContent = typeof mem?.result === 'number' ? formatBytes(mem.result) : '–';
    encodingEl.textContent = String(enc?.result ?? '–');
    const signature = `${keyText(key)}\n${kind}\n${content.innerHTML}`;
    if (signature === rendered) {
      // Same content: inputs whose draft was saved go back to the value shown.
      for (const el of viewerCard.querySelectorAll<HTMLInputElement | HTMLTextAreaElement>('[data-draft]')) {
        if (!drafts.has(el.dataset.draft!) && el !== document.activeElement) el.value = el.defaultValue;
      }
      return;
    }
    rendered = signature;
    const focused = (document.activeElement as HTMLElement | null)?.dataset.draft;
    replace(
      viewerCard,
      h('div', { class: 'keys-head' }, backToList(), h('h3', { class: 'keys-name', testid: 'keys-name', text: keyText(key) }), h('span', { class: `badge ${KIND_BADGE[kind] ?? ''}`, testid: 'keys-kind', text: kind })),
      h(
        'div',
        { class: 'keys-meta' },
        h('span', {}, h('span', { class: 'muted', text: 'TTL ' }), ttlEl),
        h('span', {}, h('span', { class: 'muted', text: 'memory ' }), memoryEl),
        h('span', {}, h('span', { class: 'muted', text: 'encoding ' }), encodingEl),
      ),
      keyActions(key),
      content,
    );
    // A change from another tab while typing: the typing goes on in the new input.
    if (focused !== undefined) viewerCard.querySelector<HTMLElement>(`[data-draft="${CSS.escape(focused)}"]`)?.focus();
  }

  // ---- TTL, rename, delete ----------------------------------------------------------------------
  function keyActions(key: Key): HTMLElement {
    const ttlInput = draft('ttl', h('input', { class: 'input mono keys-num', testid: 'keys-ttl-input', attrs: { type: 'number', min: 1, placeholder: 'seconds', 'aria-label': 'TTL in seconds' } }));
    const renameInput = draft('rename', h('input', { class: 'input mono', testid: 'keys-rename-input', attrs: { placeholder: 'new name', 'aria-label': 'new name' } }), typeof key === 'string' ? key : '');
    const expire = act(ctx, async () => {
      if (!ttlInput.value) throw new Error('Type a TTL in seconds');
      await write(['EXPIRE', key, ttlInput.value], ['ttl']);
    });
    const rename = act(ctx, async () => {
      const to = renameInput.value;
      if (to === '' || to === keyText(key)) return;
      await runShown('RENAME', key, to);
      const row = rows.find((r) => sameKey(r.key, key));
      if (row) {
        row.key = to;
        row.el.dataset.key = to;
        row.el.firstChild!.textContent = to;
      }
      select(to);
    });
    const del = h('button', { class: 'btn btn-sm btn-danger', testid: confirmDelete ? 'keys-delete-confirm' : 'keys-delete', text: confirmDelete ? 'Confirm DEL' : 'Delete' });
    del.addEventListener(
      'click',
      act(ctx, async () => {
        if (!confirmDelete) {
          confirmDelete = true;
          del.textContent = 'Confirm DEL';
          del.dataset.testid = 'keys-delete-confirm';
          del.classList.add('btn-primary');
          setTimeout(() => {
            if (!del.isConnected || !confirmDelete) return;
            confirmDelete = false;
            del.textContent = 'Delete';
            del.dataset.testid = 'keys-delete';
            del.classList.remove('btn-primary');
          }, 5000);
          return;
        }
        confirmDelete = false;
        await runShown('DEL', key);
        const i = rows.findIndex((r) => sameKey(r.key, key));
        if (i >= 0) rows.splice(i, 1)[0]!.el.remove();
        closeViewer();
        ctx.toast(`Deleted ${keyText(key)}`);
      }),
    );
    return h(
      'div',
      { class: 'keys-actions' },
      h(
        'div',
        { class: 'keys-action' },
        ttlInput,
        h('button', { class: 'btn btn-sm', testid: 'keys-expire', text: 'EXPIRE', on: { click: expire } }),
        h('button', { class: 'btn btn-sm btn-ghost', testid: 'keys-persist', text: 'PERSIST', on: { click: act(ctx, () => write(['PERSIST', key])) } }),
      ),
      h('div', { class: 'keys-action keys-action-grow' }, renameInput, h('button', { class: 'btn btn-sm', testid: 'keys-rename', text: 'RENAME', on: { click: rename } })),
      del,
    );
  }

  // ---- one viewer per type ----------------------------------------------------------------------
  async function viewerBody(kind: Kind, key: Key, value: Uint8Array | null): Promise<HTMLElement> {
    switch (kind) {
      case 'string':
        return stringViewer(key, value!);
      case 'hyperloglog':
        return hllViewer(key);
      case 'bitmap':
        return bitmapViewer(key, value!);
      case 'list':
        return listViewer(key);
      case 'hash':
        return hashViewer(key);
      case 'set':
        return setViewer(key);
      case 'zset':
        return zsetViewer(key);
      case 'stream':
        return streamViewer(key);
    }
  }

  const section = (title: string, ...children: (Node | string | false | null)[]) => h('div', { class: 'keys-section' }, h('div', { class: 'keys-section-title', text: title }), ...children);
  const stats = (...items: [string, string | number, string][]) =>
    h('div', { class: 'stats keys-stats' }, ...items.map(([label, v, testid]) => h('div', { class: 'stat' }, h('div', { class: 'stat-value', testid, text: typeof v === 'number' ? formatCount(v) : v }), h('div', { class: 'stat-label', text: label }))));

  async function stringViewer(key: Key, head: Uint8Array): Promise<HTMLElement> {
    const len = Number(await run('STRLEN', key));
    const full = len > head.length;
    const area = draft('string', h('textarea', { class: 'input keys-textarea', testid: 'keys-string-value', attrs: { rows: 6, spellcheck: 'false', 'aria-label': 'value' } }), asText(head) ?? '');
    const save = act(ctx, () => write(['SET', key, area.value, 'KEEPTTL'], ['string']));
    return h(
      'div',
      {},
      stats(['bytes (STRLEN)', len, 'keys-strlen']),
      section(
        'Value',
        area,
        h(
          'div',
          { class: 'row' },
          h('button', { class: 'btn btn-primary btn-sm', testid: 'keys-string-save', text: 'Save', on: { click: save } }),
          h('span', { class: 'muted small', text: 'SET … KEEPTTL keeps the TTL' }),
          full && h('span', { class: 'warn small', text: `showing the first ${head.length} of ${formatCount(len)} bytes: saving replaces the whole value` }),
        ),
      ),
    );
  }

  async function hllViewer(key: Key): Promise<HTMLElement> {
    const [count, size] = [Number(await run('PFCOUNT', key)), Number(await run('STRLEN', key))];
    const input = draft('hll', h('input', { class: 'input mono', testid: 'keys-hll-input', attrs: { placeholder: 'elements, space-separated', 'aria-label': 'elements' } }));
    const add = act(ctx, async () => {
      const els = input.value.split(/\s+/).filter(Boolean);
      if (els.length === 0) throw new Error('Type an element to add');
      await write(['PFADD', key, ...els], ['hll']);
    });
    return h(
      'div',
      {},
      stats(['distinct elements (PFCOUNT)', count, 'keys-hll-count'], ['bytes', size, 'keys-strlen']),
      h('p', { class: 'muted small', text: 'A HyperLogLog is a string (it starts with "HYLL"): an estimate of how many distinct elements were added, in at most 12 KB, with a standard error of 0.81%.' }),
      section('PFADD', h('div', { class: 'row' }, input, h('button', { class: 'btn btn-sm btn-primary', testid: 'keys-hll-add', text: 'PFADD', on: { click: add } }))),
    );
  }

  async function bitmapViewer(key: Key, head: Uint8Array): Promise<HTMLElement> {
    const [count, len] = [Number(await run('BITCOUNT', key)), Number(await run('STRLEN', key))];
    const shown = head.subarray(0, GRID_BYTES);
    const grid = h('div', { class: 'keys-bits', testid: 'keys-bits' });
    for (let byte = 0; byte < Math.max(shown.length, 1); byte += 2) {
      grid.append(h('span', { class: 'keys-bits-offset', text: String(byte * 8) }));
      for (let i = byte * 8; i < (byte + 2) * 8; i++) {
        if (i % 16 === 8) grid.append(h('span', { class: 'keys-bits-gap' }));
        const b = shown[i >> 3];
        if (b === undefined) {
          grid.append(h('span'));
          continue;
        }
        // Bit 0 is the most significant bit of byte 0, as SETBIT/GETBIT number them.
        const on = (b >> (7 - (i & 7))) & 1;
        grid.append(
          h('button', {
            class: `keys-bit${on ? ' on' : ''}`,
            testid: `keys-bit-${i}`,
            title: `SETBIT ${keyText(key)} ${i} ${on ? 0 : 1}`,
            attrs: { 'aria-pressed': on ? 'true' : 'false' },
            on: { click: act(ctx, () => write(['SETBIT', key, i, on ? 0 : 1])) },
          }),
        );
      }
    }
    const offset = draft('offset', h('input', { class: 'input mono keys-num', testid: 'keys-bit-offset', attrs: { type: 'number', min: 0, placeholder: 'offset', 'aria-label': 'bit offset' } }));
    return h(
      'div',
      {},
      stats(['bits set (BITCOUNT)', count, 'keys-bitcount'], ['bytes', len, 'keys-strlen']),
      section('Value (not text: escaped)', h('pre', { class: 'block keys-escaped', testid: 'keys-escaped', text: repr(byteStringOf(head.subarray(0, 256))) + (len > 256 ? ' …' : '') })),
      section(
        `Bits${len > GRID_BYTES ? ` (the first ${GRID_BYTES} of ${formatCount(len)} bytes)` : ''} — click one to flip it with SETBIT`,
        grid,
        h(
          'div',
          { class: 'row' },
          offset,
          h('button', { class: 'btn btn-sm', testid: 'keys-setbit-1', text: 'SETBIT … 1', on: { click: act(ctx, () => write(['SETBIT', key, offset.value || '0', 1])) } }),
          h('button', { class: 'btn btn-sm btn-ghost', testid: 'keys-setbit-0', text: 'SETBIT … 0', on: { click: act(ctx, () => write(['SETBIT', key, offset.value || '0', 0])) } }),
        ),
      ),
    );
  }

  /** A row of a collection: its label (index, field, member, id), its value, its actions. */
  function itemRow(label: string, value: Node | string, ...actions: (Node | false)[]): HTMLTableRowElement {
    return h('tr', { testid: 'keys-item' }, h('td', { class: 'keys-item-label mono', text: label }), h('td', { class: 'keys-item-value' }, value), h('td', { class: 'keys-item-actions' }, ...actions));
  }

  /** An editable value (text), or the escaped bytes (not editable) with its save button. */
  function editable(id: string, v: Uint8Array, save: (value: string) => Promise<unknown>): [Node, Node | false] {
    const t = asText(v);
    if (t === null) return [h('span', { class: 'mono', text: show(v) }), false];
    const input = draft(id, h('input', { class: 'input mono keys-item-input', testid: 'keys-item-value', attrs: { 'aria-label': 'value' } }), t);
    const btn = h('button', { class: 'btn btn-sm', testid: 'keys-item-save', text: 'Save', on: { click: act(ctx, () => save(input.value)) } });
    input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') btn.click();
    });
    return [input, btn];
  }

  const removeBtn = (fn: () => Promise<unknown>) => h('button', { class: 'btn btn-sm btn-ghost btn-danger', testid: 'keys-item-remove', title: 'remove', text: '✗', on: { click: act(ctx, fn) } });

  const itemsTable = (rowsEl: HTMLElement[], empty: string) =>
    h('div', { class: 'table-wrap' }, h('table', { class: 'data keys-items' }, h('tbody', {}, ...(rowsEl.length ? rowsEl : [h('tr', {}, h('td', { class: 'empty', text: empty }))]))));

  function pager(total: number, onPage: (p: number) => void): HTMLElement {
    const from = page * PAGE;
    return h(
      'div',
      { class: 'row keys-pager' },
      h('span', { class: 'muted small', testid: 'keys-page', text: total === 0 ? 'empty' : `${formatCount(from + 1)}–${formatCount(Math.min(total, from + PAGE))} of ${formatCount(total)}` }),
      h('span', { class: 'spacer' }),
      h('button', { class: 'btn btn-sm', testid: 'keys-page-prev', text: '‹ Prev', attrs: { disabled: page === 0 }, on: { click: () => onPage(page - 1) } }),
      h('button', { class: 'btn btn-sm', testid: 'keys-page-next', text: 'Next ›', attrs: { disabled: from + PAGE >= total }, on: { click: () => onPage(page + 1) } }),
    );
  }

  const goPage = (p: number) => {
    page = Math.max(0, p);
    void loadViewer().catch((e: unknown) => ctx.toast(String(e instanceof Error ? e.message : e), 'error'));
  };

  const addForm = (...children: (Node | false)[]) => section('Add', h('div', { class: 'row keys-add' }, ...children));
  const addInput = (testid: string, placeholder: string, cls = '') => draft(testid, h('input', { class: `input mono ${cls}`, testid, attrs: { placeholder, 'aria-label': placeholder } }));
  const ADDED = ['keys-add-field', 'keys-add-value'];

  async function listViewer(key: Key): Promise<HTMLElement> {
    const len = Number(await run('LLEN', key));
    if (page * PAGE >= len && page > 0) page = Math.max(0, Math.ceil(len / PAGE) - 1);
    const items = list(await run('LRANGE', key, page * PAGE, page * PAGE + PAGE - 1)).map(bytes);
    const trs = items.map((v, i) => {
      const index = page * PAGE + i;
      const id = `item:${index}`;
      const [value, save] = editable(id, v, (nv) => write(['LSET', key, index, nv], [id]));
      return itemRow(String(index), value, save, removeBtn(() => write(['LREM', key, 1, v])));
    });
    const input = addInput('keys-add-value', 'element', 'keys-grow');
    const push = (cmd: 'LPUSH' | 'RPUSH') =>
      act(ctx, async () => {
        await write([cmd, key, input.value], ADDED);
      });
    return h(
      'div',
      {},
      stats(['elements (LLEN)', len, 'keys-len']),
      section('LRANGE', itemsTable(trs, 'empty'), pager(len, goPage)),
      addForm(input, h('button', { class: 'btn btn-sm btn-primary', testid: 'keys-lpush', text: 'LPUSH', on: { click: push('LPUSH') } }), h('button', { class: 'btn btn-sm btn-primary', testid: 'keys-rpush', text: 'RPUSH', on: { click: push('RPUSH') } })),
    );
  }

  async function hashViewer(key: Key): Promise<HTMLElement> {
    const len = Number(await run('HLEN', key));
    const [next, flat] = list(await run('HSCAN', key, scanCursor, 'COUNT', 50));
    const pairs = list(flat!).map(bytes);
    const trs: HTMLTableRowElement[] = [];
    for (let i = 0; i < pairs.length; i += 2) {
      const field = pairs[i]!;
      const id = `item:${show(field)}`;
      const [value, save] = editable(id, pairs[i + 1]!, (nv) => write(['HSET', key, field, nv], [id]));
      trs.push(itemRow(show(field), value, save, removeBtn(() => write(['HDEL', key, field]))));
    }
    const nextCursor = text(next!);
    const field = addInput('keys-add-field', 'field');
    const value = addInput('keys-add-value', 'value', 'keys-grow');
    return h(
      'div',
      {},
      stats(['fields (HLEN)', len, 'keys-len']),
      section(
        `HSCAN ${scanCursor}`,
        itemsTable(trs, 'empty'),
        scanPager(nextCursor),
      ),
      addForm(field, value, h('button', { class: 'btn btn-sm btn-primary', testid: 'keys-add', text: 'HSET', on: { click: act(ctx, () => write(['HSET', key, field.value, value.value], ADDED)) } })),
    );
  }

  /** The pager of a SCAN-family viewer (HSCAN, SSCAN): where the cursor is, back to the start, next. */
  function scanPager(nextCursor: string): HTMLElement {
    return h(
      'div',
      { class: 'row keys-pager' },
      h('span', { class: 'muted small', text: nextCursor === '0' ? 'scan complete' : `next cursor ${nextCursor}` }),
      h('span', { class: 'spacer' }),
      scanCursor !== '0' && h('button', { class: 'btn btn-sm', text: 'From the start', on: { click: () => ((scanCursor = '0'), goPage(0)) } }),
      nextCursor !== '0' && h('button', { class: 'btn btn-sm', testid: 'keys-page-next', text: 'Next ›', on: { click: () => ((scanCursor = nextCursor), goPage(0)) } }),
    );
  }

  async function setViewer(key: Key): Promise<HTMLElement> {
    const len = Number(await run('SCARD', key));
    const [next, members] = list(await run('SSCAN', key, scanCursor, 'COUNT', 50));
    const trs = list(members!)
      .map(bytes)
      .map((m) => itemRow(show(m), '', removeBtn(() => write(['SREM', key, m]))));
    const nextCursor = text(next!);
    const member = addInput('keys-add-value', 'member', 'keys-grow');
    return h(
      'div',
      {},
      stats(['members (SCARD)', len, 'keys-len']),
      section(
        `SSCAN ${scanCursor}`,
        itemsTable(trs, 'empty'),
        scanPager(nextCursor),
      ),
      addForm(member, h('button', { class: 'btn btn-sm btn-primary', testid: 'keys-add', text: 'SADD', on: { click: act(ctx, () => write(['SADD', key, member.value], ADDED)) } })),
    );
  }

  async function zsetViewer(key: Key): Promise<HTMLElement> {
    const len = Number(await run('ZCARD', key));
    if (page * PAGE >= len && page > 0) page = Math.max(0, Math.ceil(len / PAGE) - 1);
    const flat = list(await run('ZRANGE', key, page * PAGE, page * PAGE + PAGE - 1, 'WITHSCORES')).map(bytes);
    const trs: HTMLTableRowElement[] = [];
    for (let i = 0; i < flat.length; i += 2) {
      const member = flat[i]!;
      const id = `item:${show(member)}`;
      const score = draft(id, h('input', { class: 'input mono keys-score', testid: 'keys-item-value', attrs: { 'aria-label': 'score' } }), text(flat[i + 1]!));
      const save = h('button', { class: 'btn btn-sm', testid: 'keys-item-save', text: 'Save', on: { click: act(ctx, () => write(['ZADD', key, 'XX', score.value, member], [id])) } });
      score.addEventListener('keydown', (e) => {
        if (e.key === 'Enter') save.click();
      });
      const tr = itemRow(show(member), score, save, removeBtn(() => write(['ZREM', key, member])));
      tr.firstElementChild!.before(h('td', { class: 'keys-rank mono faint', text: String(page * PAGE + i / 2) }));
      trs.push(tr);
    }
    const score = addInput('keys-add-field', 'score', 'keys-num');
    const member = addInput('keys-add-value', 'member', 'keys-grow');
    return h(
      'div',
      {},
      stats(['members (ZCARD)', len, 'keys-len']),
      section('ZRANGE … WITHSCORES (rank · member · score)', itemsTable(trs, 'empty'), pager(len, goPage)),
      addForm(score, member, h('button', { class: 'btn btn-sm btn-primary', testid: 'keys-add', text: 'ZADD', on: { click: act(ctx, () => write(['ZADD', key, score.value, member.value], ADDED)) } })),
    );
  }

  async function streamViewer(key: Key): Promise<HTMLElement> {
    const len = Number(await run('XLEN', key));
    const end = streamPages[page] ?? '+';
    const entries = list(await run('XREVRANGE', key, end, '-', 'COUNT', PAGE));
    const trs = entries.map((e) => {
      const [idRaw, fieldsRaw] = list(e);
      const id = text(idRaw!);
      const fv = list(fieldsRaw!).map(bytes);
      const fields = h('div', { class: 'keys-fields' });
      for (let i = 0; i < fv.length; i += 2) fields.append(h('span', { class: 'keys-field' }, h('span', { class: 'muted', text: show(fv[i]!) }), ' ', show(fv[i + 1]!)));
      return itemRow(id, fields, removeBtn(() => write(['XDEL', key, id])));
    });
    const last = entries.length ? text(list(entries[entries.length - 1]!)[0]!) : null;
    const older = () => {
      streamPages[page + 1] = `(${last}`;
      goPage(page + 1);
    };
    const field = addInput('keys-add-field', 'field');
    const value = addInput('keys-add-value', 'value', 'keys-grow');
    return h(
      'div',
      {},
      stats(['entries (XLEN)', len, 'keys-len']),
      section(
        `XREVRANGE ${end} - COUNT ${PAGE} (newest first)`,
        itemsTable(trs, 'empty'),
        h(
          'div',
          { class: 'row keys-pager' },
          h('span', { class: 'muted small', testid: 'keys-page', text: `page ${page + 1}` }),
          h('span', { class: 'spacer' }),
          h('button', { class: 'btn btn-sm', testid: 'keys-page-prev', text: '‹ Newer', attrs: { disabled: page === 0 }, on: { click: () => goPage(page - 1) } }),
          h('button', { class: 'btn btn-sm', testid: 'keys-page-next', text: 'Older ›', attrs: { disabled: entries.length < PAGE || last === null }, on: { click: older } }),
        ),
      ),
      addForm(field, value, h('button', { class: 'btn btn-sm btn-primary', testid: 'keys-add', text: 'XADD *', on: { click: act(ctx, () => write(['XADD', key, '*', field.value, value.value], ADDED)) } })),
    );
  }

  // ---- creating a key ---------------------------------------------------------------------------
  const CREATE: Record<string, { label: string; field?: string; value: string; argv: (k: string, f: string, v: string) => CommandArg[] }> = {
    string: { label: 'string', value: 'value', argv: (k, _f, v) => ['SET', k, v, 'NX'] },
    list: { label: 'list', value: 'first element', argv: (k, _f, v) => ['RPUSH', k, v] },
    hash: { label: 'hash', field: 'field', value: 'value', argv: (k, f, v) => ['HSET', k, f, v] },
    set: { label: 'set', value: 'member', argv: (k, _f, v) => ['SADD', k, v] },
    zset: { label: 'sorted set', field: 'score', value: 'member', argv: (k, f, v) => ['ZADD', k, f || '0', v] },
    stream: { label: 'stream', field: 'field', value: 'value', argv: (k, f, v) => ['XADD', k, '*', f, v] },
    hyperloglog: { label: 'HyperLogLog', value: 'elements, space-separated', argv: (k, _f, v) => ['PFADD', k, ...v.split(/\s+/).filter(Boolean)] },
    bitmap: { label: 'bitmap', value: 'bit offset to set', argv: (k, _f, v) => ['SETBIT', k, v || '0', 1] },
  };
  const createType = h('select', { class: 'select', testid: 'keys-create-type', attrs: { 'aria-label': 'type' } }, ...Object.entries(CREATE).map(([k, c]) => h('option', { attrs: { value: k }, text: c.label })));
  const createKey = h('input', { class: 'input mono', testid: 'keys-create-key', attrs: { placeholder: 'key name', 'aria-label': 'key name' } });
  const createField = h('input', { class: 'input mono', testid: 'keys-create-field', attrs: { 'aria-label': 'field' } });
  const createValue = h('input', { class: 'input mono', testid: 'keys-create-value', attrs: { 'aria-label': 'value' } });
  const createCommand = h('code', { class: 'keys-create-command', testid: 'keys-create-command' });
  const syncCreate = () => {
    const c = CREATE[createType.value]!;
    createField.hidden = c.field === undefined;
    createField.placeholder = c.field ?? '';
    createValue.placeholder = c.value;
    createCommand.textContent = commandLine(c.argv(createKey.value || 'key', createField.value || (c.field ?? ''), createValue.value || c.value));
  };
  for (const el of [createType, createKey, createField, createValue]) el.addEventListener('input', syncCreate);
  const createCard = h(
    'section',
    { class: 'card keys-create', testid: 'keys-create', attrs: { hidden: true } },
    h('div', { class: 'keys-card-head' }, h('h3', { class: 'card-title', text: 'New key' }), h('span', { class: 'spacer' }), h('button', { class: 'btn btn-sm btn-ghost', text: 'Cancel', on: { click: () => (createCard.hidden = true) } })),
    h(
      'div',
      { class: 'keys-create-form' },
      createType,
      createKey,
      createField,
      createValue,
      h(
        'button',
        {
          class: 'btn btn-primary',
          testid: 'keys-create-submit',
          text: 'Create',
          on: {
            click: act(ctx, async () => {
              const name = createKey.value;
              if (name === '') throw new Error('Type a key name');
              if (Number(await run('EXISTS', name)) > 0) throw new Error(`${name} already exists`);
              await runShown(...CREATE[createType.value]!.argv(name, createField.value, createValue.value));
              createCard.hidden = true;
              createKey.value = createField.value = createValue.value = '';
              const row = rows.find((r) => sameKey(r.key, name)) ?? addRow(name, true);
              void fillRows([row]).catch(() => {});
              select(name);
            }),
          },
        },
      ),
    ),
    h('div', { class: 'muted small' }, 'Runs ', createCommand),
  );
  function openCreate(): void {
    createCard.hidden = false;
    syncCreate();
    createKey.focus();
  }

  body.append(
    h('div', { class: 'keys-lastline' }, h('span', { class: 'muted small', text: 'last command' }), lastCommand),
    createCard,
    layout,
  );
  layout.append(listCard, viewerCard);
  closeViewer();

  // The TTL of the open key counts down while the panel is on screen.
  every(
    1000,
    async () => {
      if (selected === null) return;
      const key = selected;
      await useDb();
      const pttl = await conn.pttl(key);
      if (selected === key && pttl >= 0) ttlEl.textContent = ttlText(pttl);
    },
    ctx.visible,
  );

  return {
    shown() {
      if (scanned) return;
      void (async () => {
        await scan(true);
        if (view.selected !== null && selected === null) select(view.selected);
      })().catch((e: unknown) => ctx.toast(String(e instanceof Error ? e.message : e), 'error'));
    },
  };
}
