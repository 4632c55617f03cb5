/**
 * Sessions — session storage with a sliding expiry, as a web server keeps it in Redis: the session
 * is a hash, its token is the cookie, and each request pushes the expiry back.
 *
 *   log in          HSET session:<token> user ada created <ms> lastSeen <ms> views 0 page /login window 60
 *                   EXPIRE session:<token> 60                  (one MULTI)
 *   visit a page    EXPIRE session:<token> 60                  → 0: the session is gone (logged out)
 *                   HINCRBY session:<token> views 1 · HSET … lastSeen <ms> page /docs   (one MULTI)
 *   log out         DEL session:<token>
 *   all sessions    SCAN 0 MATCH session:* COUNT 100 (never KEYS), then HGETALL and TTL of each
 *
 * Keys: `session:<token>` — a hash (user, created, lastSeen, views, page, window in seconds) with a
 * TTL of `window` seconds, renewed by every visit.
 * Commands: HSET, EXPIRE, HINCRBY, MULTI/EXEC, HGETALL, HGET, TTL, DEL, SCAN.
 *
 * Across tabs: this browser's token lives in localStorage (`lodis-demo-session`), shared by every tab
 * of the origin like a cookie: a log in or log out in one tab reaches the others by the `storage`
 * event, and every change of a session (a visit, an expiry, a DEL) by `watchKeys('session:*')`. A
 * tab whose session hash is gone — expired or deleted — forgets the token and shows the log-in form
 * by itself. While the panel is on screen, the TTLs are re-read every second.
 */
import { act, card, every, formatAgo, formatTtl, h, replace } from '../dom.js';
import { coalesced } from '../live.js';
import type { Panel } from '../panel.js';
import './sessions.css';

/** Where this browser keeps its session token: localStorage is shared by every tab, like a cookie. */
const TOKEN_STORAGE = 'lodis-demo-session';
const SESSION_PREFIX = 'session:';
const sessionKey = (token: string) => `${SESSION_PREFIX}${token}`;

const WINDOWS: readonly { seconds: number; label: string }[] = [
  { seconds: 10, label: '10 s' },
  { seconds: 60, label: '60 s' },
  { seconds: 300, label: '5 min' },
];
const PAGES = ['home', 'pricing', 'docs'] as const;
const VISITORS = ['grace', 'alan', 'barbara', 'linus', 'margaret', 'ken', 'edsger', 'frances'];
/** The visitors' sessions (other browsers, made up) last longer, so the table has company. */
const VISITOR_WINDOW = 180;

interface Session {
  user: string;
  created: number;
  lastSeen: number;
  views: number;
  page: string;
  window: number;
}

function parseSession(hash: Record<string, string>): Session {
  return {
    user: hash.user ?? '?',
    created: Number(hash.created ?? 0),
    lastSeen: Number(hash.lastSeen ?? 0),
    views: Number(hash.views ?? 0),
    page: hash.page ?? '',
    window: Number(hash.window ?? 60),
  };
}

/** 16 hex digits: what a session cookie would carry (unguessable in a real app: use 128 bits). */
function newToken(): string {
  return [...crypto.getRandomValues(new Uint8Array(8))].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** A command as redis-cli shows it, with its reply (a transaction's commands, indented, get theirs from EXEC). */
function cmdLine(command: string, reply: string, { note = '', queued = false } = {}): HTMLElement {
  return h(
    'div',
    { class: queued ? 'sessions-cmd sessions-cmd-queued' : 'sessions-cmd' },
    command,
    reply && h('span', { class: 'sessions-cmd-reply', text: `→ ${reply}` }),
    note && h('span', { class: 'sessions-cmd-note', text: note }),
  );
}

export const sessionsPanel: Panel = {
  id: 'sessions',
  title: 'Sessions',
  group: 'Use cases',
  icon: '◉',
  summary: 'A session in a hash with a sliding expiry: log in, and every visit runs EXPIRE again. The token is shared by every tab, like a cookie.',
  commands: ['HSET', 'EXPIRE', 'HINCRBY', 'MULTI', 'HGETALL', 'TTL', 'DEL', 'SCAN'],
  mount(body, ctx) {
    const redis = ctx.redis;
    const commands = h('div', { class: 'sessions-cmds', testid: 'sessions-commands' }, h('span', { class: 'faint', text: 'The commands of your last action show here.' }));

    // ---- this browser: logged out ----------------------------------------------------------------
    const userInput = h('input', { class: 'input', testid: 'sessions-user', attrs: { value: 'ada', maxlength: 32, autocomplete: 'off', spellcheck: 'false' } });
    const windowSelect = h('select', { class: 'select', testid: 'sessions-window' }, ...WINDOWS.map((w) => h('option', { attrs: { value: w.seconds }, text: w.label })));
    windowSelect.value = '60';
    const loginBtn = h('button', { class: 'btn btn-primary', testid: 'sessions-login', attrs: { type: 'submit' } }, 'Log in');
    const goneNote = h('p', { class: 'sessions-gone', testid: 'sessions-gone' });
    goneNote.hidden = true;
    const loginForm = h(
      'form',
      { class: 'sessions-login' },
      h('div', { class: 'row sessions-login-row' }, h('label', { class: 'field sessions-user-field' }, 'User name', userInput), h('label', { class: 'field' }, 'Sliding expiry', windowSelect), loginBtn),
    );
    const loggedOut = h(
      'div',
      { testid: 'sessions-logged-out' },
      goneNote,
      loginForm,
      h('p', { class: 'muted small' }, 'Logging in creates the hash ', h('code', { text: 'session:<token>' }), ' with an expiry, and keeps the token in localStorage — every tab of this browser is then logged in.'),
    );

    // ---- this browser: logged in ------------------------------------------------------------------
    const who = h('span', { class: 'sessions-who', testid: 'sessions-current-user' });
    const tokenText = h('code', { class: 'sessions-token', testid: 'sessions-token' });
    const ttlText = h('span', { class: 'sessions-ttl', testid: 'sessions-ttl' });
    const ttlBar = h('span', {});
    const windowText = h('span', { class: 'muted small' });
    const views = h('span', { testid: 'sessions-views' });
    const created = h('span', {});
    const lastSeen = h('span', {});
    const page = h('span', { class: 'mono' });
    const logoutBtn = h('button', { class: 'btn btn-danger', testid: 'sessions-logout' }, 'Log out');
    const visitBtns = PAGES.map((p) => h('button', { class: 'btn', testid: `sessions-visit-${p}`, title: `a request for /${p}: EXPIRE, HINCRBY, HSET` }, `Visit /${p}`));
    const loggedIn = h(
      'div',
      { testid: 'sessions-logged-in' },
      h('div', { class: 'sessions-head' }, h('div', { class: 'sessions-avatar', attrs: { 'aria-hidden': 'true' } }), h('div', { class: 'sessions-id' }, who, tokenText)),
      h('div', { class: 'sessions-ttl-row' }, h('span', { class: 'muted small', text: 'TTL' }), ttlText, windowText),
      h('div', { class: 'bar sessions-ttl-bar', testid: 'sessions-ttl-bar' }, ttlBar),
      h(
        'dl',
        { class: 'sessions-facts' },
        h('div', {}, h('dt', { text: 'views' }), h('dd', {}, views)),
        h('div', {}, h('dt', { text: 'last page' }), h('dd', {}, page)),
        h('div', {}, h('dt', { text: 'last seen' }), h('dd', {}, lastSeen)),
        h('div', {}, h('dt', { text: 'logged in' }), h('dd', {}, created)),
      ),
      h('div', { class: 'row' }, ...visitBtns, h('span', { class: 'spacer' }), logoutBtn),
    );
    loggedIn.hidden = true;

    const statusBadge = h('span', { class: 'badge', testid: 'sessions-status', text: '…' });
    const meCard = h(
      'section',
      { class: 'card' },
      h('div', { class: 'row sessions-card-head' }, h('h3', { class: 'card-title', text: 'This browser' }), h('span', { class: 'spacer' }), statusBadge),
      loggedOut,
      loggedIn,
    );

    // ---- every live session --------------------------------------------------------------------
    const count = h('span', { class: 'badge', testid: 'sessions-count', text: '0 sessions' });
    const addVisitorBtn = h('button', { class: 'btn btn-sm', testid: 'sessions-add-visitor', title: 'a session of another browser' }, '+ Another visitor');
    const tbody = h('tbody', { testid: 'sessions-table' });
    const empty = h('p', { class: 'empty', text: 'No live session.' });
    const table = h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { class: 'data sessions-table' },
        h(
          'thead',
          {},
          h('tr', {}, h('th', { text: 'user' }), h('th', { class: 'sessions-col-token', text: 'token' }), h('th', { class: 'num', text: 'views' }), h('th', { class: 'sessions-col-page', text: 'page' }), h('th', { class: 'sessions-col-seen', text: 'last seen' }), h('th', { class: 'num', text: 'TTL' }), h('th', {})),
        ),
        tbody,
      ),
    );
    const allCard = card(
      'Live sessions',
      h('div', { class: 'row sessions-all-head' }, count, h('code', { class: 'faint small', text: 'SCAN 0 MATCH session:* COUNT 100' }), h('span', { class: 'spacer' }), addVisitorBtn),
      table,
      empty,
    );

    body.append(h('div', { class: 'grid-2 sessions-top' }, meCard, card('Last commands', commands, h('p', { class: 'muted small sessions-explain' }, 'A visit runs ', h('code', { text: 'EXPIRE' }), ' first: its reply says whether the session is still there (1) or expired (0), and it pushes the expiry back to the full window — the TTL jumps back up. Only then is the hash updated, so a visit never brings an expired session back.'))), allCard);

    // ---- reading the store ----------------------------------------------------------------------
    const myToken = (): string | null => localStorage.getItem(TOKEN_STORAGE);
    /** Forget the token, unless another tab has meanwhile logged in with a new one. */
    const forgetToken = (token: string): void => {
      if (myToken() === token) localStorage.removeItem(TOKEN_STORAGE);
    };

    let shownToken: string | null = null;
    const refreshMe = coalesced(async () => {
      const token = myToken();
      if (token === null) {
        showLoggedOut(null);
        return;
      }
      const key = sessionKey(token);
      const [hash, ttl] = await Promise.all([redis.hgetall(key), redis.ttl(key)]);
      if (hash === null || ttl === -2) {
        forgetToken(token);
        showLoggedOut(token);
        return;
      }
      const s = parseSession(hash);
      const now = Date.now();
      shownToken = token;
      loggedOut.hidden = true;
      loggedIn.hidden = false;
      statusBadge.className = 'badge badge-green';
      statusBadge.textContent = 'Logged in';
      who.textContent = s.user;
      tokenText.textContent = key;
      ttlText.textContent = formatTtl(ttl);
      ttlText.classList.toggle('warn', ttl >= 0 && ttl <= Math.min(10, s.window / 3));
      ttlBar.style.width = `${Math.max(0, Math.min(1, ttl / s.window)) * 100}%`;
      windowText.textContent = `of a ${formatTtl(s.window)} sliding window`;
      views.textContent = String(s.views);
      page.textContent = s.page;
      lastSeen.textContent = formatAgo(now - s.lastSeen);
      created.textContent = formatAgo(now - s.created);
    });

    function showLoggedOut(goneToken: string | null): void {
      if (goneToken !== null || shownToken !== null) {
        const t = goneToken ?? shownToken;
        goneNote.hidden = false;
        replace(goneNote, 'The session ', h('code', { text: sessionKey(t!) }), ' has ended (logged out, or expired): log in again.');
      }
      shownToken = null;
      loggedIn.hidden = true;
      loggedOut.hidden = false;
      statusBadge.className = 'badge';
      statusBadge.textContent = 'Logged out';
    }

    /** Every session key, by SCAN: KEYS would stop a real server while it walks the whole keyspace. */
    const scanSessions = async (): Promise<string[]> => {
      const keys: string[] = [];
      let cursor = '0';
      do {
        const [next, batch] = await redis.scan(cursor, { match: `${SESSION_PREFIX}*`, count: 100 });
        keys.push(...batch);
        cursor = next;
      } while (cursor !== '0');
      return keys;
    };

    interface Row {
      tr: HTMLTableRowElement;
      user: HTMLElement;
      views: HTMLElement;
      page: HTMLElement;
      seen: HTMLElement;
      ttl: HTMLElement;
      lastSeen: number;
    }
    const rows = new Map<string, Row>();
    const rowFor = (key: string): Row => {
      let row = rows.get(key);
      if (row) return row;
      const token = key.slice(SESSION_PREFIX.length);
      const revoke = h('button', { class: 'btn btn-sm btn-ghost btn-danger', testid: `sessions-revoke-${token}`, title: `DEL ${key}` }, 'Revoke');
      revoke.addEventListener(
        'click',
        act(ctx, async () => {
          const n = await redis.del(key);
          replace(commands, cmdLine(`DEL ${key}`, `(integer) ${n}`, { note: 'revoked: that browser is logged out' }));
        }),
      );
      row = {
        tr: h('tr', { testid: `sessions-row-${token}` }),
        user: h('td', { class: 'sessions-col-user' }),
        views: h('td', { class: 'num' }),
        page: h('td', { class: 'sessions-col-page mono' }),
        seen: h('td', { class: 'sessions-col-seen muted' }),
        ttl: h('td', { class: 'num', testid: `sessions-row-ttl-${token}` }),
        lastSeen: 0,
      };
      row.tr.append(row.user, h('td', { class: 'sessions-col-token mono faint', text: token.slice(0, 8) }), row.views, row.page, row.seen, row.ttl, h('td', { class: 'sessions-col-action' }, revoke));
      rows.set(key, row);
      return row;
    };

    const refreshAll = coalesced(async () => {
      const keys = await scanSessions();
      const found = await Promise.all(keys.map((k) => Promise.all([redis.hgetall(k), redis.ttl(k)])));
      const mine = myToken();
      const now = Date.now();
      const live: { key: string; s: Session; ttl: number }[] = [];
      keys.forEach((key, i) => {
        const [hash, ttl] = found[i]!;
        if (hash !== null && ttl !== -2) live.push({ key, s: parseSession(hash), ttl });
      });
      live.sort((a, b) => b.s.lastSeen - a.s.lastSeen || a.key.localeCompare(b.key));
      const liveKeys = new Set(live.map((l) => l.key));
      for (const [key, row] of rows) {
        if (!liveKeys.has(key)) {
          row.tr.remove();
          rows.delete(key);
        }
      }
      for (const { key, s, ttl } of live) {
        const row = rowFor(key);
        const isMine = mine !== null && key === sessionKey(mine);
        replace(row.user, s.user, isMine && h('span', { class: 'badge badge-blue sessions-you', text: 'this browser' }));
        row.tr.classList.toggle('sessions-mine', isMine);
        row.views.textContent = String(s.views);
        row.page.textContent = s.page;
        row.seen.textContent = formatAgo(now - s.lastSeen);
        row.ttl.textContent = formatTtl(ttl);
        row.ttl.classList.toggle('warn', ttl >= 0 && ttl <= 10);
        tbody.append(row.tr);
      }
      count.textContent = `${live.length} ${live.length === 1 ? 'session' : 'sessions'}`;
      table.hidden = live.length === 0;
      empty.hidden = live.length > 0;
    });

    const refresh = (): void => {
      refreshMe();
      refreshAll();
    };

    // ---- actions ----------------------------------------------------------------------------------
    loginForm.addEventListener('submit', (ev) => ev.preventDefault());
    loginBtn.addEventListener(
      'click',
      act(ctx, async () => {
        const user = userInput.value.trim() || 'ada';
        const slidingTtl = Number(windowSelect.value);
        const token = newToken();
        const key = sessionKey(token);
        const now = Date.now();
        loginBtn.disabled = true;
        try {
          const fields = { user, created: now, lastSeen: now, views: 0, page: '/login', window: slidingTtl };
          const [added, expiring] = (await redis.multi().hset(key, fields).expire(key, slidingTtl).exec())!;
          // The hash exists before the token is shared: a tab that sees the token finds its session.
          localStorage.setItem(TOKEN_STORAGE, token);
          goneNote.hidden = true;
          replace(
            commands,
            cmdLine('MULTI', ''),
            cmdLine(`HSET ${key} user ${user} created ${now} lastSeen ${now} views 0 page /login window ${slidingTtl}`, `(integer) ${added}`, { queued: true }),
            cmdLine(`EXPIRE ${key} ${slidingTtl}`, `(integer) ${expiring}`, { queued: true }),
            cmdLine('EXEC', ''),
          );
        } finally {
          loginBtn.disabled = false;
        }
        refresh();
      }),
    );

    visitBtns.forEach((btn, i) => {
      const path = `/${PAGES[i]}`;
      btn.addEventListener(
        'click',
        act(ctx, async () => {
          const token = myToken();
          if (token === null) return refresh();
          const key = sessionKey(token);
          const [before, windowField] = await Promise.all([redis.ttl(key), redis.hget(key, 'window')]);
          const slidingTtl = Number(windowField ?? 60);
          // EXPIRE answers 0 when the key is gone: then the session has ended, and HINCRBY must not
          // bring back a hash without its user.
          const alive = await redis.expire(key, slidingTtl);
          if (alive === 0) {
            replace(commands, cmdLine(`EXPIRE ${key} ${slidingTtl}`, '(integer) 0', { note: 'the session is gone: logged out' }));
            forgetToken(token);
            return refresh();
          }
          const now = Date.now();
          const [viewsNow, fieldsAdded] = (await redis.multi().hincrby(key, 'views', 1).hset(key, { lastSeen: now, page: path }).exec())!;
          replace(
            commands,
            cmdLine(`TTL ${key}`, `(integer) ${before}`),
            cmdLine(`EXPIRE ${key} ${slidingTtl}`, '(integer) 1', { note: `TTL ${before} s → ${slidingTtl} s` }),
            cmdLine('MULTI', ''),
            cmdLine(`HINCRBY ${key} views 1`, `(integer) ${String(viewsNow)}`, { queued: true }),
            cmdLine(`HSET ${key} lastSeen ${now} page ${path}`, `(integer) ${fieldsAdded}`, { queued: true }),
            cmdLine('EXEC', ''),
          );
          refresh();
        }),
      );
    });

    logoutBtn.addEventListener(
      'click',
      act(ctx, async () => {
        const token = myToken();
        if (token !== null) {
          const key = sessionKey(token);
          const n = await redis.del(key);
          forgetToken(token);
          replace(commands, cmdLine(`DEL ${key}`, `(integer) ${n}`, { note: 'and the token is forgotten (localStorage): every tab is logged out' }));
        }
        goneNote.hidden = true;
        shownToken = null;
        refresh();
      }),
    );

    addVisitorBtn.addEventListener(
      'click',
      act(ctx, async () => {
        const user = VISITORS[Math.floor(Math.random() * VISITORS.length)]!;
        const key = sessionKey(newToken());
        const now = Date.now();
        const visits = 1 + Math.floor(Math.random() * 12);
        const path = `/${PAGES[Math.floor(Math.random() * PAGES.length)]!}`;
        const [added, expiring] = (await redis
          .multi()
          .hset(key, { user, created: now - visits * 7000, lastSeen: now, views: visits, page: path, window: VISITOR_WINDOW })
          .expire(key, VISITOR_WINDOW)
          .exec())!;
        replace(
          commands,
          h('div', { class: 'faint', text: '# another browser’s session' }),
          cmdLine('MULTI', ''),
          cmdLine(`HSET ${key} user ${user} … views ${visits} page ${path} window ${VISITOR_WINDOW}`, `(integer) ${added}`, { queued: true }),
          cmdLine(`EXPIRE ${key} ${VISITOR_WINDOW}`, `(integer) ${expiring}`, { queued: true }),
          cmdLine('EXEC', ''),
        );
      }),
    );

    // ---- live across tabs -----------------------------------------------------------------------
    addEventListener('storage', (ev) => {
      if (ev.key === TOKEN_STORAGE || ev.key === null) {
        if (ev.newValue !== null) goneNote.hidden = true;
        refresh();
      }
    });
    // This browser's session is followed even off screen (an expiry logs the tab out); the table of
    // every session only while it is seen.
    redis.watchKeys(`${SESSION_PREFIX}*`, () => (ctx.visible() ? refresh() : refreshMe()));
    every(1000, refresh, ctx.visible);
    void redis.ready.then(refresh, () => {});
    return { shown: refresh };
  },
};
