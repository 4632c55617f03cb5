/**
 * CLI: redis-cli in the page. Type any command; the reply prints exactly as redis-cli 7.0 prints it
 * in a terminal (`@lodis/core/redis-cli`, the formatting `npm run cli` uses, tested against
 * recorded redis-cli output): `(integer) 1`, `1) "a"`, nested arrays indented, `(nil)`,
 * `(error) ERR …`, binary bytes as `"\xff"`.
 *
 * Like redis-cli it is one connection of its own (`ctx.redis.connect()`, a session of the store this
 * tab shares with every other tab): SELECT changes its prompt (`lodis[2]>`), MULTI queues until
 * EXEC (`lodis(TX)>`, `QUEUED`), SUBSCRIBE/PSUBSCRIBE put it in subscribed mode where pushed
 * messages print as they arrive — a PUBLISH from any tab — until UNSUBSCRIBE or Ctrl-C (which, as
 * in redis-cli, drops the connection: a new one is opened in the same db).
 *
 * The line editor is redis-cli's (linenoise): ↑/↓ history (kept in localStorage
 * `lodis-demo:cli-history`, as redis-cli keeps ~/.rediscli_history), Tab completes command names
 * (again to cycle, Esc to go back), the arguments still to type shown greyed after the cursor,
 * Ctrl-L or `clear` clears the screen, `help`, `help <command>`, `help @<group>`. The command names
 * and arities are the store's (COMMAND LIST, COMMAND INFO); the argument hints were recorded from
 * a real redis-server's COMMAND DOCS (scripts/record-command-docs.ts → command-docs.json) and are
 * cut as redis-cli's hintsCallback cuts them.
 *
 * Keys: only those the commands typed touch. Scrollback is the page's (a terminal's), not the store's.
 */
import {
  byteString,
  commandArg,
  formatReply,
  fromDecodedBuffer,
  READING_MESSAGES,
  splitArgs,
  textOfBytes,
  type CliReply,
} from '@lodis/core/redis-cli';
import type { DecodedBuffer, Transport } from '@lodis/core';
import type { WorkerClient } from '@lodis/web-worker';
import docsJson from '../command-docs.json?raw';
import { act, h } from '../dom.js';
import type { DemoContext, Panel } from '../panel.js';
import './cli.css';

const HISTORY_KEY = 'lodis-demo:cli-history';
const HINTS_KEY = 'lodis-demo:cli-hints';
/** linenoise's default history length in redis-cli. */
const HISTORY_MAX = 1000;

/** name (`SET`, `CONFIG GET`) → parameters, recorded from COMMAND DOCS. */
const DOCS = (JSON.parse(docsJson) as { redis: string; hints: Record<string, string> }).hints;

const SUBSCRIBE = new Set(['subscribe', 'psubscribe', 'ssubscribe']);
const UNSUBSCRIBE = new Set(['unsubscribe', 'punsubscribe', 'sunsubscribe']);
const isspace = (c: string) => c === ' ' || (c >= '\t' && c <= '\r');

/** One command of the store, as redis-cli keeps its help entries. */
interface HelpEntry {
  /** `SET`, `CONFIG GET`. */
  readonly full: string;
  /** Its words, upper case (`['CONFIG', 'GET']`). */
  readonly argv: readonly string[];
  /** What follows the name: `key value [NX|XX] …`. */
  readonly params: string;
  readonly arity: number;
  /** ACL categories without their `+` (`@write`, `@string`). */
  readonly groups: readonly string[];
}

/** COMMAND INFO's reply for one command: [name, arity, flags, first, last, step, categories, tips, keyspecs, subcommands]. */
type CommandInfo = [string, number, string[], number, number, number, string[], unknown, unknown, CommandInfo[]];

/**
 * The store's commands (COMMAND LIST: implemented ones, subcommands as `config|get`) with their
 * arity and groups (COMMAND INFO) and the recorded hints. A command the recording does not know
 * gets the hint redis-cli makes from arity alone (cliOldIntegrateHelp).
 */
async function loadHelp(redis: WorkerClient): Promise<HelpEntry[]> {
  const [list, infos] = await Promise.all([redis.call('COMMAND', 'LIST') as Promise<string[]>, redis.call('COMMAND', 'INFO') as Promise<CommandInfo[]>]);
  const info = new Map<string, CommandInfo>();
  const index = (i: CommandInfo) => {
    info.set(i[0], i);
    for (const sub of i[9] ?? []) index(sub);
  };
  infos.forEach(index);
  const entries: HelpEntry[] = [];
  for (const name of list) {
    const full = name.replace('|', ' ').toUpperCase();
    const i = info.get(name);
    const arity = i?.[1] ?? -1;
    let params = DOCS[full];
    if (params === undefined) {
      params = 'arg '.repeat(Math.max(0, Math.abs(arity) - 1 - (full.includes(' ') ? 1 : 0)));
      if (arity < 0) params += '...options...';
    }
    entries.push({ full, argv: full.split(' '), params, arity, groups: (i?.[6] ?? []).map((g) => g.replace(/^\+/, '')) });
  }
  // redis-cli sorts its help entries (helpEntryCompare: strcmp), which orders Tab's completions.
  return entries.sort((a, b) => (a.full < b.full ? -1 : a.full > b.full ? 1 : 0));
}

/**
 * hintsCallback: the longest help entry whose words start the line, its parameters less the
 * arguments already typed (up to the first optional one), with a space first unless the line
 * ends with one. Null when no command matches.
 */
function hintFor(entries: readonly HelpEntry[], buf: string): string | null {
  const argv = splitArgs(buf);
  if (argv === null || argv.length === 0) return null;
  const endspace = buf.length > 0 && isspace(buf[buf.length - 1]!);
  let entry: HelpEntry | null = null;
  let matchlen = 0;
  for (const e of entries) {
    if (e.argv.length > argv.length || e.argv.length <= matchlen) continue;
    if (e.argv.every((w, j) => w.toLowerCase() === argv[j]!.toLowerCase())) {
      matchlen = e.argv.length;
      entry = e;
    }
  }
  if (!entry) return null;
  let hint = entry.params;
  let toremove = argv.length - matchlen;
  while (toremove > 0 && hint.length) {
    if (hint[0] === '[') break;
    if (hint[0] === ' ') toremove--;
    hint = hint.slice(1);
  }
  return endspace ? hint : ' ' + hint;
}

/** completionCallback: every entry the line (or the topic after `help `) is a prefix of. */
function completionsFor(entries: readonly HelpEntry[], buf: string): string[] {
  let start = 0;
  let topics = entries.map((e) => e.full);
  if (buf.slice(0, 5).toLowerCase() === 'help ') {
    start = 5;
    while (start < buf.length && isspace(buf[start]!)) start++;
    topics = [...topics, ...groupsOf(entries)].sort();
  }
  const typed = buf.slice(start).toLowerCase();
  return topics.filter((t) => t.toLowerCase().startsWith(typed)).map((t) => buf.slice(0, start) + t);
}

function groupsOf(entries: readonly HelpEntry[]): string[] {
  return [...new Set(entries.flatMap((e) => e.groups))].sort();
}

/** The session's own transport, to read the messages pushed to it (redis-cli reads them off its socket). */
function transportOf(session: WorkerClient): Transport {
  return (session as unknown as { transport: Transport }).transport;
}

/** The replies of one command as redis-cli reads them: (P|S)(UN)SUBSCRIBE answers once per channel. */
function repliesOf(name: string, r: DecodedBuffer): CliReply[] {
  if ((SUBSCRIBE.has(name) || UNSUBSCRIBE.has(name)) && Array.isArray(r) && r.length > 0 && r.every(Array.isArray)) {
    return r.map(fromDecodedBuffer);
  }
  return [fromDecodedBuffer(r)];
}

function loadHistory(): string[] {
  try {
    const h = JSON.parse(localStorage.getItem(HISTORY_KEY) ?? '[]') as unknown;
    return Array.isArray(h) ? h.filter((x): x is string => typeof x === 'string').slice(-HISTORY_MAX) : [];
  } catch {
    return [];
  }
}

export const cliPanel: Panel = {
  id: 'cli',
  title: 'CLI',
  group: 'Tools',
  icon: '>_',
  summary: 'redis-cli in the page: any command on a connection of its own, replies printed exactly as redis-cli prints them, with history, hints and Tab completion.',
  commands: ['COMMAND LIST', 'COMMAND INFO', 'SELECT', 'MULTI', 'EXEC', 'SUBSCRIBE', 'PSUBSCRIBE', 'UNSUBSCRIBE'],
  mount(body, ctx) {
    return mountCli(body, ctx);
  },
};

function mountCli(body: HTMLElement, ctx: DemoContext) {
  // ---- the connection and what redis-cli tracks of it to draw its prompt ----------------------
  let conn = ctx.redis.connect();
  let db = 0;
  let inMulti = false;
  let preMultiDb = 0;
  let subscribed = false;
  /** Bumped by Ctrl-C: a reply still awaited for an older connection is not printed. */
  let generation = 0;
  let interrupt: (() => void) | null = null;

  const listen = (c: WorkerClient) =>
    transportOf(c).onPush((msg) => {
      if (c === conn) printPush(fromDecodedBuffer(msg as DecodedBuffer));
    }, true);
  listen(conn);

  /** Drop the connection (Ctrl-C, quit) and open another in the same db, as redis-cli reconnects. */
  const reconnect = async () => {
    generation++;
    interrupt?.();
    const old = conn;
    transportOf(old).onPush(null);
    void old.close();
    conn = ctx.redis.connect();
    listen(conn);
    inMulti = false;
    subscribed = false;
    if (db !== 0) {
      try {
        await conn.call('SELECT', db);
      } catch {
        db = 0;
      }
    }
    drawPrompt();
  };

  const promptText = () => `lodis${db !== 0 ? `[${db}]` : ''}${inMulti ? '(TX)' : ''}${subscribed ? '(subscribed mode)' : ''}> `;

  // ---- the terminal -----------------------------------------------------------------------------
  const screen = h('div', { class: 'cli-screen', testid: 'cli-screen', attrs: { role: 'log', 'aria-live': 'polite' } });
  const promptEl = h('span', { class: 'cli-prompt', testid: 'cli-prompt' });
  const input = h('input', {
    class: 'cli-input',
    testid: 'cli-input',
    attrs: { type: 'text', spellcheck: 'false', autocomplete: 'off', autocapitalize: 'off', 'aria-label': 'command' },
  });
  const hintEl = h('span', { class: 'cli-hint', testid: 'cli-hint' });
  const line = h('div', { class: 'cli-line' }, promptEl, input, hintEl);
  const term = h('div', { class: 'cli-term', testid: 'cli-term' }, screen, line);

  let hints: HelpEntry[] = [];
  let showHints = localStorage.getItem(HINTS_KEY) !== 'off';
  const drawPrompt = () => {
    promptEl.textContent = promptText();
    term.classList.toggle('cli-subscribed', subscribed);
  };

  const scrollDown = () => (term.scrollTop = term.scrollHeight);

  /** An output block: `text` is what redis-cli writes (a byte string), shown as a UTF-8 terminal shows it. */
  const out = (bytes: string, kind: 'reply' | 'push' | 'note', error = false): HTMLElement => {
    const pre = h('pre', {
      class: `cli-out cli-${kind}${error ? ' cli-error' : ''}`,
      testid: kind === 'note' ? 'cli-note' : `cli-${kind}`,
      text: textOfBytes(bytes),
    });
    screen.append(pre);
    return pre;
  };

  const echo = (prompt: string, typed: string) => {
    screen.append(h('div', { class: 'cli-echo', testid: 'cli-echo' }, h('span', { class: 'cli-prompt', text: prompt }), typed));
  };

  function printPush(r: CliReply): void {
    out(formatReply(r, 'tty'), 'push');
    scrollDown();
  }

  // ---- running a line (redis-cli's repl + cliSendCommand) ---------------------------------------
  const atoi = (s: string) => Number.parseInt(s, 10) || 0;

  async function sendCommand(argv: string[]): Promise<{ text: string; error: boolean } | null> {
    const name = argv[0]!.toLowerCase();
    const entering = SUBSCRIBE.has(name) && !subscribed;
    const c = conn;
    const gen = generation;
    let replies: CliReply[];
    try {
      const reply = await new Promise<DecodedBuffer>((resolve, reject) => {
        interrupt = () => reject(new Error('interrupted'));
        c.callBuffer(...argv.map(commandArg)).then(resolve, reject);
      });
      replies = repliesOf(name, reply);
    } catch (e) {
      if (gen !== generation) return null; // Ctrl-C: the reply will never be read
      // An error reply (ReplyError) carries Redis' text.
      replies = [{ type: 'error', str: byteString(e instanceof Error ? e.message : String(e)) }];
    } finally {
      interrupt = null;
    }
    if (gen !== generation) return null;
    let text = entering ? READING_MESSAGES : '';
    text += replies.map((r) => formatReply(r, 'tty')).join('');

    // What redis-cli learns from a reply to draw its prompt.
    const last = replies[replies.length - 1];
    const ok = last?.type !== 'error';
    if (name === 'select' && argv.length === 2 && ok) {
      db = atoi(argv[1]!);
    } else if (name === 'multi' && argv.length === 1 && ok) {
      inMulti = true;
      preMultiDb = db;
    } else if (name === 'exec' && argv.length === 1 && inMulti) {
      inMulti = false;
      if (!ok || last?.type === 'nil') db = preMultiDb;
    } else if (name === 'discard' && argv.length === 1 && ok) {
      inMulti = false;
      db = preMultiDb;
    } else if (name === 'reset' && argv.length === 1 && ok) {
      inMulti = false;
      db = 0;
      subscribed = false;
    }
    if (entering && ok) subscribed = true;
    if (subscribed && UNSUBSCRIBE.has(name) && last?.type === 'array') {
      const count = last.elements[2];
      if (count?.type === 'integer' && Number(count.integer) === 0) subscribed = false;
    }
    return { text, error: replies.length === 1 && !ok };
  }

  async function runLine(typed: string): Promise<void> {
    const prompt = promptText();
    echo(prompt, typed);
    scrollDown();
    const argv = splitArgs(typed);
    if (argv === null) {
      out('Invalid argument(s)\n', 'reply');
      return;
    }
    if (argv.length === 0) return;
    // "3 INCR a" runs INCR three times.
    let repeat = 1;
    if (argv.length > 1 && /^[\t\n\v\f\r ]*([+-]?\d+)?$/.test(argv[0]!)) {
      const n = Number(argv[0]!.trim() || '0');
      if (!(n > 0) || n > 2 ** 63 - 1) {
        out('Invalid redis-cli repeat command option value.\n', 'reply');
        return;
      }
      repeat = Math.min(n, 10_000);
      argv.shift();
    }
    const first = argv[0]!.toLowerCase();
    if (first === 'help' || first === '?') return help(argv.slice(1));
    if (argv.length === 1 && first === 'clear') return clearScreen();
    if (first === 'quit' || first === 'exit') {
      await reconnect();
      out('(the connection was closed; this page opened a new one)\n', 'note');
      return;
    }
    if (first === ':set' && argv.length === 2 && /^(no)?hints$/i.test(argv[1]!)) {
      showHints = !/^no/i.test(argv[1]!);
      localStorage.setItem(HINTS_KEY, showHints ? 'on' : 'off');
      return;
    }
    const start = performance.now();
    let text = '';
    let error = false;
    const pre = out('', 'reply');
    for (let i = 0; i < repeat; i++) {
      const r = await sendCommand(argv);
      if (r === null) break;
      text += r.text;
      error = r.error && repeat === 1;
      pre.textContent = textOfBytes(text);
      pre.classList.toggle('cli-error', error);
      drawPrompt();
      scrollDown();
    }
    if (text === '') pre.remove();
    // redis-cli prints how long a slow command took (shown apart from the reply).
    const elapsed = performance.now() - start;
    if (elapsed >= 500 && text !== '') screen.append(h('div', { class: 'cli-time', text: `(${(elapsed / 1000).toFixed(2)}s)` }));
  }

  // Lines run one after another, as redis-cli reads them; Enter while one runs queues the next.
  // `data-pending` counts the lines typed and not yet answered (what a test waits on).
  let queue: Promise<void> = Promise.resolve();
  let pending = 0;
  const submit = (typed: string) => {
    term.dataset.pending = String(++pending);
    queue = queue
      .then(() => runLine(typed))
      .catch((e: unknown) => void out(`(error) ${e instanceof Error ? e.message : String(e)}\n`, 'reply', true))
      .finally(() => {
        term.dataset.pending = String(--pending);
        drawPrompt();
        scrollDown();
      });
  };

  function clearScreen(): void {
    screen.replaceChildren();
  }

  // ---- help (cliOutputHelp, with the store's metadata) ------------------------------------------
  function help(args: string[]): void {
    const block = h('div', { class: 'cli-help', testid: 'cli-help' });
    const topic = args[0]?.toLowerCase();
    const entryBlock = (e: HelpEntry, withGroup: boolean) =>
      h(
        'div',
        { class: 'cli-help-entry' },
        h('div', {}, h('b', { text: e.full }), ' ', h('span', { class: 'cli-help-params', text: e.params })),
        h('div', {}, h('span', { class: 'cli-help-key', text: 'arity: ' }), String(e.arity)),
        withGroup && h('div', {}, h('span', { class: 'cli-help-key', text: 'group: ' }), e.groups.join(' ')),
      );
    if (topic === undefined) {
      block.append(
        h('div', { text: 'Lodis demo CLI: redis-cli on this page’s store (one store, shared by every tab of this origin)' }),
        h('div', { text: 'To get help about Redis commands type:' }),
        h('div', { text: '      "help @<group>" to get a list of commands in <group>' }),
        h('div', { text: '      "help <command>" for help on <command>' }),
        h('div', { text: '      "help <tab>" to get a list of possible help topics' }),
        h('div', { text: '      "clear" (or Ctrl-L) to clear the screen' }),
        h('div', { text: '      Ctrl-C to leave subscribed mode or give up on a blocked command' }),
        h('div', { text: ' ' }),
        h('div', { text: 'To set redis-cli preferences:' }),
        h('div', { text: '      ":set hints" enable online hints' }),
        h('div', { text: '      ":set nohints" disable online hints' }),
      );
    } else if (topic.startsWith('@')) {
      const list = hints.filter((e) => e.groups.includes(topic));
      if (list.length === 0) block.append(h('div', { text: `No command of the store is in ${topic}. Groups: ${groupsOf(hints).join(' ')}` }));
      for (const e of list) block.append(entryBlock(e, false));
    } else {
      const words = args.map((a) => a.toUpperCase());
      const list = hints.filter((e) => words.length <= e.argv.length && words.every((w, j) => w === e.argv[j]));
      if (list.length === 0) block.append(h('div', { text: `${args.join(' ').toUpperCase()} is not a command of this store (try "help @<group>")` }));
      for (const e of list) block.append(entryBlock(e, true));
    }
    screen.append(block);
  }

  // ---- the line editor (linenoise) --------------------------------------------------------------
  const history = loadHistory();
  /** Where ↑/↓ is in the history; history.length is the line being typed. */
  let historyAt = history.length;
  let draft = '';
  let completion: { original: string; list: string[]; i: number } | null = null;

  const refresh = () => {
    input.style.width = `calc(${Math.max(input.value.length, 0)}ch + 2px)`;
    const hint = showHints && input.selectionStart === input.value.length ? hintFor(hints, input.value) : null;
    hintEl.textContent = hint ?? '';
  };
  const setLine = (s: string) => {
    input.value = s;
    input.setSelectionRange(s.length, s.length);
    refresh();
  };

  const addHistory = (s: string) => {
    if (s === '' || history[history.length - 1] === s) return;
    history.push(s);
    if (history.length > HISTORY_MAX) history.splice(0, history.length - HISTORY_MAX);
    try {
      localStorage.setItem(HISTORY_KEY, JSON.stringify(history));
    } catch {
      // a full localStorage is not worth an error
    }
  };

  const beep = () => {
    line.classList.remove('cli-beep');
    void line.offsetWidth;
    line.classList.add('cli-beep');
  };

  const ctrlC = act(ctx, async () => {
    completion = null;
    if (interrupt !== null || subscribed) {
      // Leave subscribed mode, or give up on a blocked command: redis-cli drops the connection.
      echo(promptText(), `${input.value}^C`);
      setLine('');
      await reconnect();
    } else {
      echo(promptText(), `${input.value}^C`);
      setLine('');
    }
    scrollDown();
  });

  input.addEventListener('keydown', (e) => {
    if (completion !== null) {
      if (e.key === 'Tab') {
        e.preventDefault();
        completion.i = (completion.i + 1) % (completion.list.length + 1);
        if (completion.i === completion.list.length) beep();
        setLine(completion.list[completion.i] ?? completion.original);
        return;
      }
      if (e.key === 'Escape') {
        e.preventDefault();
        setLine(completion.original);
        completion = null;
        return;
      }
      completion = null; // any other key takes the completion shown and goes on
    }
    const ctrl = e.ctrlKey && !e.altKey && !e.metaKey;
    if (e.key === 'Enter') {
      e.preventDefault();
      const typed = input.value;
      addHistory(typed);
      historyAt = history.length;
      draft = '';
      setLine('');
      submit(typed);
    } else if (e.key === 'Tab') {
      e.preventDefault();
      const list = completionsFor(hints, input.value);
      if (list.length === 0) return beep();
      completion = { original: input.value, list, i: 0 };
      setLine(list[0]!);
    } else if (e.key === 'ArrowUp' || (ctrl && e.key === 'p')) {
      e.preventDefault();
      if (historyAt === 0) return;
      if (historyAt === history.length) draft = input.value;
      setLine(history[--historyAt]!);
    } else if (e.key === 'ArrowDown' || (ctrl && e.key === 'n')) {
      e.preventDefault();
      if (historyAt >= history.length) return;
      historyAt++;
      setLine(historyAt === history.length ? draft : history[historyAt]!);
    } else if (ctrl && e.key === 'l') {
      e.preventDefault();
      clearScreen();
    } else if (ctrl && e.key === 'c' && input.selectionStart === input.selectionEnd) {
      e.preventDefault();
      ctrlC();
    } else if (ctrl && e.key === 'u') {
      e.preventDefault();
      setLine('');
    }
  });
  input.addEventListener('input', refresh);
  input.addEventListener('keyup', refresh);
  input.addEventListener('click', refresh);
  // A click in the terminal types into it, unless text is being selected (to copy a reply).
  term.addEventListener('click', () => {
    if (!getSelection()?.toString()) input.focus();
  });

  // ---- the panel --------------------------------------------------------------------------------
  // Lines to try: the other panels' keys (the guide's use cases) are in this same store.
  const examples = ['SET greeting "h\\xc3\\xa9llo"', 'GET greeting', 'ZREVRANGE leaderboard:scores 0 4 WITHSCORES', 'XREVRANGE streams:chat + - COUNT 3', 'SUBSCRIBE chat:general', 'INFO keyspace'];
  const tryBar = h(
    'div',
    { class: 'cli-bar cli-try' },
    h('span', { class: 'muted small', text: 'Try' }),
    ...examples.map((ex) =>
      h('button', {
        class: 'btn btn-sm btn-ghost mono',
        text: ex,
        on: {
          click: () => {
            setLine(ex);
            input.focus();
          },
        },
      }),
    ),
  );
  const bar = h(
    'div',
    { class: 'cli-bar' },
    h('span', { class: 'muted small cli-keyhelp', text: 'Tab completes · ↑/↓ history · Ctrl-L clears · Ctrl-C leaves subscribed mode' }),
    h('span', { class: 'spacer' }),
    h('button', { class: 'btn btn-sm', testid: 'cli-ctrl-c', title: 'Ctrl-C: leave subscribed mode, give up on a blocked command', text: 'Ctrl-C', on: { click: () => ctrlC() } }),
    h('button', { class: 'btn btn-sm', testid: 'cli-clear', title: 'Ctrl-L', text: 'Clear', on: { click: () => clearScreen() } }),
  );
  body.append(bar, term, tryBar);

  screen.append(
    h(
      'div',
      { class: 'cli-banner' },
      h('div', {}, `Connected to the store `, h('b', { text: 'lodis-demo' }), ` as a connection of ${ctx.tab.name} — shared by every tab of this origin.`),
      h('div', { class: 'faint', text: 'Type "help", press Tab to complete, ↑/↓ for history.' }),
    ),
  );
  drawPrompt();
  refresh();
  loadHelp(ctx.redis).then(
    (entries) => {
      hints = entries;
      term.dataset.ready = 'true';
      refresh();
    },
    (e: unknown) => ctx.toast(`CLI: could not read the command table: ${String(e)}`, 'error'),
  );

  return {
    shown() {
      input.focus({ preventScroll: true });
      scrollDown();
    },
  };
}
