/**
 * Pub/Sub chat: the guide's "SUBSCRIBE channel1 / PUBLISH channel1 Hello", across tabs. Each tab
 * chooses channels (SUBSCRIBE) and patterns (PSUBSCRIBE, `chat:*`); a message published in any tab
 * reaches every tab subscribed at that moment, and PUBLISH replies how many subscribers got it.
 *
 * Fire-and-forget, as in Redis: a message is delivered to the sessions subscribed when it is
 * published and kept nowhere — the list of received messages lives in this page only, and a reload
 * empties it. What survives a reload is the tab's *choice* of channels, saved in the store under
 * its tab name and subscribed again when the page opens. History is what streams are for (Stream
 * chat, the next panel).
 *
 * Keys (pub/sub itself keeps no keys; these hold only what the tabs chose):
 *   pubsub:choices   hash  tab name → JSON `{ "channels": [...], "patterns": [...] }` (a tab that
 *                          never chose gets `chat:general`)
 *   pubsub:channels  set   channels added by any tab, offered to every tab (the defaults are here in code)
 *   pubsub:patterns  set   patterns added by any tab
 * A message is the JSON `{ "from": "tab-3f2a", "text": "…" }`; anything else (a PUBLISH from the
 * CLI panel) is shown raw.
 *
 * Commands: SUBSCRIBE, PSUBSCRIBE, UNSUBSCRIBE/PUNSUBSCRIBE (each channel or pattern is its own
 * `Subscription`, on its own session; ending it drops the subscription as a closed Redis connection
 * does), PUBLISH, PUBSUB CHANNELS / NUMSUB / NUMPAT, HGET/HSET, SADD/SMEMBERS.
 *
 * Across tabs: subscriptions live on the leading tab's engine, so PUBLISH in any tab reaches every
 * tab and counts them all; they are renewed by the worker after a leader change. Channels and
 * patterns added in one tab appear in the others (a key watch on `pubsub:*`). The PUBSUB numbers
 * are polled while the panel is on screen (subscribing changes no key).
 */
import { act, every, h, replace, stat } from '../dom.js';
import type { Subscription } from '@lodis/core';
import type { DemoContext, Panel } from '../panel.js';
import './pubsub.css';

const CHOICES_KEY = 'pubsub:choices';
const CHANNELS_KEY = 'pubsub:channels';
const PATTERNS_KEY = 'pubsub:patterns';
const DEFAULT_CHANNELS = ['chat:general', 'chat:random', 'news:tech'];
const DEFAULT_PATTERNS = ['chat:*', 'news:*'];
/** What a tab subscribes to before it has chosen anything. */
const FIRST_CHOICE: Choice = { channels: ['chat:general'], patterns: [] };
/** Received messages kept on screen (in this page only). */
const MAX_MESSAGES = 200;

interface Choice {
  channels: string[];
  patterns: string[];
}

interface Received {
  channel: string;
  pattern?: string;
  from: string;
  text: string;
  at: number;
}

/** `{ from, text }` as published by this panel, or a raw payload from elsewhere. */
function decodeMessage(payload: string): { from: string; text: string } {
  try {
    const m = JSON.parse(payload) as unknown;
    if (m && typeof m === 'object' && typeof (m as { text?: unknown }).text === 'string') {
      const from = (m as { from?: unknown }).from;
      return { from: typeof from === 'string' ? from : '', text: (m as { text: string }).text };
    }
  } catch {
    // not JSON: shown as it came
  }
  return { from: '', text: payload };
}

/** A stable colour per sender, from the design system's palette (Stream chat uses it too). */
const SENDER_COLOURS = ['var(--blue)', 'var(--green)', 'var(--yellow)', 'var(--purple)', 'var(--accent-2)'];
export function senderColour(name: string): string {
  let x = 0;
  for (const c of name) x = (x * 31 + c.charCodeAt(0)) >>> 0;
  return SENDER_COLOURS[x % SENDER_COLOURS.length]!;
}

const clock = (t: number) => new Date(t).toLocaleTimeString('en-GB', { hour12: false });

/** A name the user typed for a channel or pattern: no spaces, not empty, not too long. */
function cleanName(s: string): string | null {
  const t = s.trim();
  return t && t.length <= 64 && !/\s/.test(t) ? t : null;
}

export const pubsubPanel: Panel = {
  id: 'pubsub',
  title: 'Pub/Sub chat',
  group: 'Use cases',
  icon: '⇄',
  summary:
    'SUBSCRIBE and PSUBSCRIBE in every tab, PUBLISH from any: messages reach the tabs subscribed right now and are kept nowhere — fire-and-forget, as in Redis.',
  commands: ['SUBSCRIBE', 'PSUBSCRIBE', 'UNSUBSCRIBE', 'PUBLISH', 'PUBSUB CHANNELS', 'PUBSUB NUMSUB', 'PUBSUB NUMPAT'],
  mount(body, ctx) {
    return mountPubSub(body, ctx);
  },
};

function mountPubSub(body: HTMLElement, ctx: DemoContext) {
  const { redis, tab } = ctx;

  // ---- state: what this tab wants, what it has, what it received --------------------------------
  let choice: Choice = { channels: [], patterns: [] };
  let customChannels: string[] = [];
  let customPatterns: string[] = [];
  /** Live subscriptions: `c:<channel>` / `p:<pattern>` → its Subscription. */
  const active = new Map<string, Subscription>();
  const received: Received[] = [];
  let numsub: Record<string, number> = {};

  // ---- view --------------------------------------------------------------------------------------
  const lastCommand = h('div', { class: 'pubsub-last mono', testid: 'pubsub-last-command', text: '—' });
  const messageList = h('ol', { class: 'pubsub-messages', testid: 'pubsub-messages', attrs: { 'aria-live': 'polite' } });
  const receivedCount = h('span', { class: 'badge', testid: 'pubsub-received-count', text: '0' });
  const channelSelect = h('select', { class: 'select pubsub-select', testid: 'pubsub-channel-select', attrs: { 'aria-label': 'Channel' } });
  const textInput = h('input', {
    class: 'input pubsub-text',
    testid: 'pubsub-text',
    attrs: { placeholder: 'Say something…', maxlength: 500, 'aria-label': 'Message' },
  });
  const publishResult = h('div', { class: 'pubsub-result mono', testid: 'pubsub-publish-result' });
  const sendButton = h('button', { class: 'btn btn-primary', testid: 'pubsub-send', text: 'Publish' });

  const channelBoxes = h('div', { class: 'pubsub-choices', testid: 'pubsub-channels' });
  const patternBoxes = h('div', { class: 'pubsub-choices', testid: 'pubsub-patterns' });
  const newChannel = h('input', { class: 'input mono', testid: 'pubsub-new-channel', attrs: { placeholder: 'add a channel: chat:dev', 'aria-label': 'New channel' } });
  const newPattern = h('input', { class: 'input mono', testid: 'pubsub-new-pattern', attrs: { placeholder: 'add a pattern: *:alerts', 'aria-label': 'New pattern' } });

  const channelsStat = stat('channels', 'pubsub-stat-channels');
  const numpatStat = stat('patterns', 'pubsub-numpat');
  const sessionsStat = stat('in this tab', 'pubsub-stat-mine');
  const channelTable = h('tbody', { testid: 'pubsub-channel-table' });

  // ---- subscriptions -----------------------------------------------------------------------------

  function onMessage(m: { channel: string; message: string; pattern?: string }): void {
    const { from, text } = decodeMessage(m.message);
    const r: Received = { channel: m.channel, from, text, at: Date.now() };
    if (m.pattern !== undefined) r.pattern = m.pattern;
    received.push(r);
    if (received.length > MAX_MESSAGES) received.shift();
    renderMessages();
  }

  /**
   * Make the live subscriptions match `choice`: subscribe what is missing, end what is no longer
   * wanted. Runs one at a time (clicks can come faster than subscriptions are confirmed).
   */
  let applying: Promise<void> = Promise.resolve();
  function apply(): Promise<void> {
    const run = async () => {
      const want = new Map<string, { kind: 'c' | 'p'; name: string }>();
      for (const c of choice.channels) want.set(`c:${c}`, { kind: 'c', name: c });
      for (const p of choice.patterns) want.set(`p:${p}`, { kind: 'p', name: p });
      for (const [id, sub] of active) {
        if (want.has(id)) continue;
        active.delete(id);
        await sub.unsubscribe();
        showCommand(`${id.startsWith('c:') ? 'UNSUBSCRIBE' : 'PUNSUBSCRIBE'} ${id.slice(2)}`);
      }
      for (const [id, { kind, name }] of want) {
        if (active.has(id)) continue;
        const sub = kind === 'c' ? await redis.subscribe(name, { onMessage }) : await redis.psubscribe(name, { onMessage });
        active.set(id, sub);
        showCommand(`${kind === 'c' ? 'SUBSCRIBE' : 'PSUBSCRIBE'} ${name}`);
      }
    };
    applying = applying.then(run, run);
    return applying;
  }

  async function saveChoice(): Promise<void> {
    await redis.hset(CHOICES_KEY, { [tab.name]: JSON.stringify(choice) });
  }

  async function toggle(kind: 'channels' | 'patterns', name: string, on: boolean): Promise<void> {
    const list = choice[kind].filter((x) => x !== name);
    if (on) list.push(name);
    choice = { ...choice, [kind]: list };
    renderChoices();
    await saveChoice();
    await apply();
    await refreshStats();
  }

  async function addCustom(kind: 'channels' | 'patterns'): Promise<void> {
    const input = kind === 'channels' ? newChannel : newPattern;
    const name = cleanName(input.value);
    if (!name) {
      ctx.toast(`Type a ${kind === 'channels' ? 'channel' : 'pattern'} name (no spaces).`, 'error');
      return;
    }
    input.value = '';
    await redis.sadd(kind === 'channels' ? CHANNELS_KEY : PATTERNS_KEY, name);
    if (kind === 'channels') customChannels = [...new Set([...customChannels, name])];
    else customPatterns = [...new Set([...customPatterns, name])];
    if (kind === 'channels') channelSelect.value = name;
    await toggle(kind, name, true);
  }

  async function loadCustom(): Promise<void> {
    [customChannels, customPatterns] = await Promise.all([redis.smembers(CHANNELS_KEY), redis.smembers(PATTERNS_KEY)]);
    renderChoices();
  }

  async function publish(): Promise<void> {
    const channel = channelSelect.value;
    const text = textInput.value.trim();
    if (!channel || !text) return;
    const payload = JSON.stringify({ from: tab.name, text });
    const n = await redis.publish(channel, payload);
    textInput.value = '';
    textInput.focus();
    replace(
      publishResult,
      h('span', { class: 'faint', text: `PUBLISH ${channel} ${payload}` }),
      h('br'),
      h('span', { text: `→ (integer) ${n}` }),
      ' ',
      h('span', { class: n > 0 ? 'ok' : 'warn', testid: 'pubsub-delivered', text: `delivered to ${n} subscriber${n === 1 ? '' : 's'}` }),
      n === 0 ? h('span', { class: 'muted', text: ' — nobody was listening, and the message is gone' }) : null,
    );
  }

  async function refreshStats(): Promise<void> {
    const [channels, numpat] = await Promise.all([redis.pubsubChannels(), redis.pubsubNumpat()]);
    numsub = { ...(await redis.pubsubNumsub(...new Set([...allChannels(), ...channels]))) };
    channelsStat.set(channels.length);
    numpatStat.set(numpat);
    sessionsStat.set(active.size);
    replace(
      channelTable,
      ...(channels.length
        ? [...channels]
            .sort()
            .map((c) => h('tr', { attrs: { 'data-channel': c } }, h('td', { class: 'mono', text: c }), h('td', { class: 'num', testid: `pubsub-numsub-${c}`, text: String(numsub[c] ?? 0) })))
        : [h('tr', {}, h('td', { class: 'empty', attrs: { colspan: 2 }, text: 'No channel has a subscriber.' }))]),
    );
    renderCounts();
  }

  // ---- rendering ---------------------------------------------------------------------------------

  function allChannels(): string[] {
    return [...new Set([...DEFAULT_CHANNELS, ...customChannels, ...choice.channels])];
  }

  function allPatterns(): string[] {
    return [...new Set([...DEFAULT_PATTERNS, ...customPatterns, ...choice.patterns])];
  }

  function showCommand(text: string): void {
    lastCommand.textContent = text;
  }

  function checkbox(kind: 'channels' | 'patterns', name: string): HTMLElement {
    const box = h('input', {
      testid: `pubsub-${kind === 'channels' ? 'channel' : 'pattern'}-${name}`,
      attrs: { type: 'checkbox', value: name },
    });
    box.addEventListener('change', act(ctx, () => toggle(kind, name, box.checked)));
    const count = kind === 'channels' ? h('span', { class: 'pubsub-count', attrs: { 'data-channel': name }, title: 'PUBSUB NUMSUB' }) : null;
    return h('label', { class: 'pubsub-choice' }, box, h('code', { text: name }), count);
  }

  /**
   * The checkboxes: rebuilt only when the list of names changes (a channel added in some tab), else
   * just ticked as `choice` says — a box being clicked is never swapped under the pointer.
   */
  function renderChoices(): void {
    for (const [kind, box, names] of [
      ['channels', channelBoxes, allChannels()],
      ['patterns', patternBoxes, allPatterns()],
    ] as const) {
      const list = names.join('\n');
      if (box.dataset.names !== list) {
        box.dataset.names = list;
        replace(box, ...names.map((n) => checkbox(kind, n)));
      }
      for (const input of box.querySelectorAll<HTMLInputElement>('input[type=checkbox]')) input.checked = choice[kind].includes(input.value);
    }
    const current = channelSelect.value;
    if (channelSelect.dataset.names !== allChannels().join('\n')) {
      channelSelect.dataset.names = allChannels().join('\n');
      replace(channelSelect, ...allChannels().map((c) => h('option', { attrs: { value: c }, text: c })));
    }
    channelSelect.value = current && allChannels().includes(current) ? current : (choice.channels[0] ?? allChannels()[0]!);
    renderCounts();
  }

  function renderCounts(): void {
    for (const el of channelBoxes.querySelectorAll<HTMLElement>('.pubsub-count')) {
      const n = numsub[el.dataset.channel!];
      el.textContent = n === undefined ? '' : `${n} sub${n === 1 ? '' : 's'}`;
    }
  }

  function renderMessages(): void {
    receivedCount.textContent = String(received.length);
    if (received.length === 0) {
      replace(
        messageList,
        h('li', { class: 'empty pubsub-empty', text: 'No message received in this page yet. Publish one, or open another tab and publish there.' }),
      );
      return;
    }
    replace(
      messageList,
      ...received.map((m) =>
        h(
          'li',
          { class: `pubsub-message${m.from === tab.name ? ' pubsub-mine' : ''}`, testid: 'pubsub-message', attrs: { 'data-channel': m.channel, 'data-pattern': m.pattern ?? '' } },
          h(
            'div',
            { class: 'pubsub-meta' },
            h('span', { class: 'pubsub-from', style: { color: m.from ? senderColour(m.from) : 'var(--muted)' }, text: m.from || 'raw message' }),
            m.from === tab.name && h('span', { class: 'faint', text: '(you)' }),
            h('code', { class: 'pubsub-chan', text: m.channel }),
            m.pattern !== undefined && h('span', { class: 'badge badge-blue', testid: 'pubsub-message-pattern', title: 'a pmessage: received through PSUBSCRIBE', text: `via ${m.pattern}` }),
            h('span', { class: 'spacer' }),
            h('span', { class: 'faint mono', text: clock(m.at) }),
          ),
          h('div', { class: 'pubsub-body', text: m.text }),
        ),
      ),
    );
    messageList.scrollTop = messageList.scrollHeight;
  }

  // ---- layout ------------------------------------------------------------------------------------

  sendButton.addEventListener('click', act(ctx, publish));
  textInput.addEventListener(
    'keydown',
    act(ctx, async (e: KeyboardEvent) => {
      if (e.key === 'Enter') await publish();
    }),
  );
  const addChannelBtn = h('button', { class: 'btn btn-sm', testid: 'pubsub-add-channel', text: 'Add', on: { click: act(ctx, () => addCustom('channels')) } });
  const addPatternBtn = h('button', { class: 'btn btn-sm', testid: 'pubsub-add-pattern', text: 'Add', on: { click: act(ctx, () => addCustom('patterns')) } });
  newChannel.addEventListener('keydown', (e) => e.key === 'Enter' && addChannelBtn.click());
  newPattern.addEventListener('keydown', (e) => e.key === 'Enter' && addPatternBtn.click());

  body.append(
    h(
      'div',
      { class: 'pubsub-note', testid: 'pubsub-note' },
      h('strong', { text: 'Fire-and-forget. ' }),
      'A message reaches the sessions subscribed when it is published and is stored nowhere: this list lives in this page only, and a reload empties it. ',
      'Your choice of channels is kept (',
      h('code', { text: `HGET ${CHOICES_KEY} ${tab.name}` }),
      ') and subscribed again when the page opens. For history and acknowledgements, see ',
      h('a', { attrs: { href: '#streams' }, text: 'Stream chat' }),
      '.',
    ),
    h(
      'div',
      { class: 'pubsub-grid' },
      h(
        'section',
        { class: 'card pubsub-chat' },
        h('h3', { class: 'card-title pubsub-title' }, 'Messages received by ', h('span', { class: 'pubsub-me', text: tab.name }), receivedCount),
        messageList,
        h('div', { class: 'pubsub-composer' }, channelSelect, textInput, sendButton),
        publishResult,
      ),
      h(
        'div',
        { class: 'pubsub-side' },
        h(
          'section',
          { class: 'card' },
          h('h3', { class: 'card-title', text: 'This tab subscribes to' }),
          h('div', { class: 'pubsub-subhead' }, h('span', { text: 'Channels' }), h('code', { class: 'faint', text: 'SUBSCRIBE' })),
          channelBoxes,
          h('div', { class: 'row pubsub-add' }, newChannel, addChannelBtn),
          h('div', { class: 'pubsub-subhead' }, h('span', { text: 'Patterns' }), h('code', { class: 'faint', text: 'PSUBSCRIBE' })),
          patternBoxes,
          h('div', { class: 'row pubsub-add' }, newPattern, addPatternBtn),
          h('div', { class: 'pubsub-lastline' }, h('span', { class: 'faint small', text: 'last: ' }), lastCommand),
        ),
        h(
          'section',
          { class: 'card' },
          h('h3', { class: 'card-title', text: 'On the store, all tabs' }),
          h('div', { class: 'stats pubsub-stats' }, channelsStat.el, numpatStat.el, sessionsStat.el),
          h(
            'div',
            { class: 'table-wrap pubsub-table' },
            h('table', { class: 'data' }, h('thead', {}, h('tr', {}, h('th', { text: 'PUBSUB CHANNELS' }), h('th', { class: 'num', text: 'NUMSUB' }))), channelTable),
          ),
          h(
            'p',
            { class: 'muted small pubsub-hint' },
            'Channels with a subscriber in some tab: ',
            h('code', { text: 'PUBSUB CHANNELS' }),
            '; patterns: ',
            h('code', { text: 'PUBSUB NUMPAT' }),
            '; in this tab: its subscriptions, a session each. ',
            "PUBLISH's reply counts every subscription that received the message: a tab on ",
            h('code', { text: 'chat:general' }),
            ' and on ',
            h('code', { text: 'chat:*' }),
            ' counts twice, and gets it twice.',
          ),
        ),
      ),
    ),
  );
  renderMessages();

  // ---- start: this tab's saved choice, subscribed again ------------------------------------------
  void (async () => {
    const [saved] = await Promise.all([redis.hget(CHOICES_KEY, tab.name), loadCustom()]);
    let parsed: Choice = FIRST_CHOICE;
    if (saved) {
      try {
        const c = JSON.parse(saved) as Partial<Choice>;
        parsed = { channels: Array.isArray(c.channels) ? c.channels : [], patterns: Array.isArray(c.patterns) ? c.patterns : [] };
      } catch {
        // a hand-edited value: start from the default
      }
    }
    choice = parsed;
    renderChoices();
    await apply();
    await refreshStats();
    body.dataset.subscribed = 'true';
  })().catch((e: unknown) => ctx.toast(`Pub/Sub: ${e instanceof Error ? e.message : String(e)}`, 'error'));

  // Channels and patterns added in other tabs, and their choices (the NUMSUB they change).
  redis.watchKeys('pubsub:*', (change) => {
    if (change.key === CHANNELS_KEY || change.key === PATTERNS_KEY) void loadCustom().catch(() => {});
    if (ctx.visible()) void refreshStats().catch(() => {});
  });
  every(1500, refreshStats, ctx.visible);
  return { shown: () => void refreshStats().catch(() => {}) };
}
