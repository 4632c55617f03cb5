/**
 * The demo's two chats (demo/src/panels/{pubsub,streams}.ts), driven through their controls in two
 * or three tabs of one browser, checked in the page and in the store:
 *
 * - Pub/Sub chat: every tab subscribes to `chat:general` at first; a message PUBLISHed in A reaches
 *   the tabs subscribed to its channel and not C, which left it, and the count PUBLISH replied is
 *   shown; C's PSUBSCRIBE `chat:*` gets pmessages that name the pattern; a channel added in B is
 *   offered in A; B's unsubscribe stops delivery to B; a reload of B empties its list (fire and
 *   forget) and subscribes its saved choice again, which gets the next message.
 * - Stream chat: messages XADDed in each of three tabs appear in every tab, in order, and after a
 *   reload; with every tab holding its entries pending, each message is pending at exactly one
 *   consumer, as XPENDING and XINFO CONSUMERS say and the tabs show; an XACK by hand, then the
 *   automatic ones, each recorded once in `streams:handled` by the consumer that held the entry.
 * - Stream chat through a leader change: A leads and holds entries pending; A's page is closed,
 *   B takes over (`tab.role()`), B's "Claim stuck messages" XAUTOCLAIMs A's entries once they are
 *   idle past min-idle, and acknowledges them; the group's pending count goes to 0; every message —
 *   sent before, during and after the change — is in the stream exactly once, and after a reload.
 *
 * Screenshots of both panels (desktop and phone) with messages in them; no error in any tab.
 */
import { afterAll, afterEach, beforeAll, expect, inject, test } from 'vitest';
import { DemoTab } from './src/demo-harness.js';
import { TabBrowser } from './src/tab-harness.js';

const browser = new TabBrowser();
beforeAll(() => browser.serve(inject('demoDir')));
afterAll(() => browser.stopServing());
afterEach(() => browser.close());

/** Generous: the box is shared with other Chromiums. */
const SLOW = { timeout: 30_000, interval: 100 };

/** The tab's name in the demo (`tab-3f2a`), as the page keeps it. */
const tabName = (t: DemoTab) => t.page.evaluate(() => sessionStorage.getItem('lodis-demo-tab')!);

// ---- pub/sub ----------------------------------------------------------------------------------

/** The messages `tab` shows: channel, pattern (pmessages), text with its sender. */
function received(tab: DemoTab): Promise<{ channel: string; pattern: string; text: string }[]> {
  return tab.page
    .getByTestId('pubsub-message')
    .evaluateAll((els) => els.map((e) => ({ channel: e.getAttribute('data-channel')!, pattern: e.getAttribute('data-pattern')!, text: (e as HTMLElement).innerText })));
}

const texts = async (tab: DemoTab) => (await received(tab)).map((m) => m.text);

/** Publish `text` on `channel` from `tab`'s composer; returns the delivery line shown. */
async function publish(tab: DemoTab, channel: string, text: string): Promise<string> {
  await tab.page.getByTestId('pubsub-channel-select').selectOption(channel);
  await tab.page.getByTestId('pubsub-text').fill(text);
  await tab.page.getByTestId('pubsub-send').click();
  await expect.poll(() => tab.text('pubsub-publish-result'), SLOW).toContain(JSON.stringify(text));
  return tab.text('pubsub-delivered');
}

const numsub = (tab: DemoTab, channel: string) => tab.redis(async (r, c) => (await r.pubsubNumsub(c))[c] ?? 0, channel);

/** The tab has subscribed its saved choice (the panel marks its body). */
async function subscribed(tab: DemoTab): Promise<void> {
  await expect.poll(() => tab.page.locator('[data-testid="panel-pubsub"] .panel-body').getAttribute('data-subscribed'), SLOW).toBe('true');
}

test('pub/sub chat: channels and patterns across three tabs, PUBLISH counts, unsubscribe, and a reload re-subscribes', async () => {
  await browser.launch();
  const a = await DemoTab.open(browser, 'pubsub', 'A');
  const b = await DemoTab.open(browser, 'pubsub', 'B');
  const c = await DemoTab.open(browser, 'pubsub', 'C');
  const [nb, nc] = [await tabName(b), await tabName(c)];
  for (const t of [a, b, c]) await subscribed(t);

  // A new tab subscribes to chat:general: three subscribers.
  await expect.poll(() => numsub(a, 'chat:general'), SLOW).toBe(3);
  for (const t of [a, b, c]) expect(await t.page.getByTestId('pubsub-channel-chat:general').isChecked()).toBe(true);

  // C leaves chat:general; B joins chat:random. The choices are kept in the store by tab name.
  await c.page.getByTestId('pubsub-channel-chat:general').uncheck();
  await b.page.getByTestId('pubsub-channel-chat:random').check();
  await expect.poll(() => numsub(a, 'chat:general'), SLOW).toBe(2);
  await expect.poll(() => numsub(a, 'chat:random'), SLOW).toBe(1);
  expect(await c.text('pubsub-last-command')).toBe('UNSUBSCRIBE chat:general');
  expect(JSON.parse((await a.redis((r, n) => r.hget('pubsub:choices', n), nc))!)).toEqual({ channels: [], patterns: [] });
  expect(JSON.parse((await a.redis((r, n) => r.hget('pubsub:choices', n), nb))!)).toEqual({ channels: ['chat:general', 'chat:random'], patterns: [] });
  // The numbers on the store, as every tab shows them.
  await expect.poll(() => c.text('pubsub-numsub-chat:general'), SLOW).toBe('2');

  // A publishes on chat:general: A and B get it, PUBLISH said 2.
  expect(await publish(a, 'chat:general', 'hello from A')).toBe('delivered to 2 subscribers');
  await expect.poll(() => texts(b), SLOW).toEqual([expect.stringContaining('hello from A')]);
  await expect.poll(() => texts(a), SLOW).toEqual([expect.stringContaining('hello from A')]);
  expect((await texts(a))[0]).toMatch(/\(you\)/);
  expect((await texts(b))[0]).not.toMatch(/\(you\)/);
  expect((await received(b))[0]).toEqual({ channel: 'chat:general', pattern: '', text: expect.stringContaining(await tabName(a)) });

  // C subscribes to the pattern chat:*: a message on chat:random reaches B (channel) and C (pattern).
  await c.page.getByTestId('pubsub-pattern-chat:*').check();
  await expect.poll(() => a.redis((r) => r.pubsubNumpat()), SLOW).toBe(1);
  await expect.poll(() => c.text('pubsub-numpat'), SLOW).toBe('1');
  expect(await publish(a, 'chat:random', 'random from A')).toBe('delivered to 2 subscribers');
  await expect.poll(() => received(c), SLOW).toEqual([{ channel: 'chat:random', pattern: 'chat:*', text: expect.stringContaining('random from A') }]);
  expect(await c.text('pubsub-message-pattern')).toBe('via chat:*');
  await expect.poll(() => texts(b), SLOW).toHaveLength(2);
  expect((await received(b))[1]).toMatchObject({ channel: 'chat:random', pattern: '' });
  // C was not subscribed when "hello from A" was published, and got only what came after.
  expect(await texts(c)).toHaveLength(1);
  expect(await texts(a), 'A is not on chat:random').toHaveLength(1);

  // A channel added in B: subscribed in B, offered in A (a key watch on pubsub:*). A pattern added
  // in A, offered in B.
  await b.page.getByTestId('pubsub-new-channel').fill('chat:dev');
  await b.page.getByTestId('pubsub-add-channel').click();
  await expect.poll(() => numsub(a, 'chat:dev'), SLOW).toBe(1);
  expect(await a.redis((r) => r.smembers('pubsub:channels'))).toEqual(['chat:dev']);
  await expect.poll(() => a.page.getByTestId('pubsub-channel-chat:dev').count(), SLOW).toBe(1);
  expect(await a.page.getByTestId('pubsub-channel-chat:dev').isChecked()).toBe(false);
  await a.page.getByTestId('pubsub-new-pattern').fill('*:dev');
  await a.page.getByTestId('pubsub-add-pattern').click();
  await expect.poll(() => a.redis((r) => r.pubsubNumpat()), SLOW).toBe(2);
  expect(await a.text('pubsub-last-command')).toBe('PSUBSCRIBE *:dev');
  expect(await a.redis((r) => r.smembers('pubsub:patterns'))).toEqual(['*:dev']);
  await expect.poll(() => b.page.getByTestId('pubsub-pattern-*:dev').count(), SLOW).toBe(1);
  expect(await b.page.getByTestId('pubsub-pattern-*:dev').isChecked()).toBe(false);
  // B on the channel, C through chat:*, A through *:dev.
  expect(await publish(a, 'chat:dev', 'dev from A')).toBe('delivered to 3 subscribers');
  await expect.poll(() => received(c), SLOW).toHaveLength(2);
  expect((await received(c))[1]).toMatchObject({ channel: 'chat:dev', pattern: 'chat:*' });
  await expect.poll(() => received(a), SLOW).toHaveLength(2);
  expect((await received(a))[1]).toMatchObject({ channel: 'chat:dev', pattern: '*:dev' });
  await expect.poll(() => received(b), SLOW).toHaveLength(3);
  expect((await received(b))[2]).toMatchObject({ channel: 'chat:dev', pattern: '' });

  // B unsubscribes from chat:random: a message there reaches C's pattern only.
  await b.page.getByTestId('pubsub-channel-chat:random').uncheck();
  await expect.poll(() => numsub(a, 'chat:random'), SLOW).toBe(0);
  expect(await publish(a, 'chat:random', 'after B left')).toBe('delivered to 1 subscriber');
  await expect.poll(() => texts(c), SLOW).toEqual(expect.arrayContaining([expect.stringContaining('after B left')]));
  // B still gets chat:general (published after): by then "after B left" would have come before it.
  // Three: A and B on the channel, C through chat:*.
  expect(await publish(a, 'chat:general', 'marker after B left')).toBe('delivered to 3 subscribers');
  await expect.poll(async () => (await texts(b)).some((t) => t.includes('marker after B left')), SLOW).toBe(true);
  expect((await texts(b)).some((t) => t.includes('after B left') && !t.includes('marker'))).toBe(false);
  expect((await texts(c)).some((t) => t.includes('marker after B left')), 'C gets chat:general through chat:*').toBe(true);

  // A raw PUBLISH (not the panel's JSON) is shown as it came.
  expect(await a.redis((r) => r.publish('chat:dev', 'plain text'))).toBe(3);
  await expect.poll(async () => (await texts(b)).some((t) => t.includes('raw message') && t.includes('plain text')), SLOW).toBe(true);

  // Screenshots with messages in them: B has the most, and publishes one.
  expect(await publish(b, 'chat:general', 'B says hi to everyone on chat:general')).toBe('delivered to 3 subscribers');
  await expect.poll(async () => (await texts(a)).some((t) => t.includes('B says hi')), SLOW).toBe(true);
  await b.shoot('pubsub');
  await b.page.getByTestId('pubsub-channel-table').scrollIntoViewIfNeeded();
  await b.shoot('pubsub', 'store');
  await b.expectFitsPhone('pubsub');

  // A reload of B: its list is empty (nothing kept), its choice subscribed again.
  await b.reload();
  await subscribed(b);
  expect(await texts(b)).toEqual([]);
  expect(await b.page.getByTestId('pubsub-channel-chat:general').isChecked()).toBe(true);
  expect(await b.page.getByTestId('pubsub-channel-chat:dev').isChecked()).toBe(true);
  expect(await b.page.getByTestId('pubsub-channel-chat:random').isChecked()).toBe(false);
  await expect.poll(() => numsub(a, 'chat:general'), SLOW).toBe(2);
  await expect.poll(() => numsub(a, 'chat:dev'), SLOW).toBe(1);
  expect(await publish(a, 'chat:general', 'welcome back B')).toBe('delivered to 3 subscribers');
  await expect.poll(() => texts(b), SLOW).toEqual([expect.stringContaining('welcome back B')]);

  for (const t of [a, b, c]) t.expectNoErrors();
});

// ---- streams ----------------------------------------------------------------------------------

const STREAM = 'streams:chat';
const GROUP = 'chat-processors';

/** The message texts `tab` shows, oldest first. */
const chat = (tab: DemoTab) => tab.page.locator('[data-testid="streams-message"] .streams-body').allInnerTexts();

/** Send `text` from `tab`'s composer; resolves once the XADD is shown as done. */
async function say(tab: DemoTab, text: string): Promise<void> {
  await tab.page.getByTestId('streams-text').fill(text);
  await tab.page.getByTestId('streams-send').click();
  // The input is emptied once XADD replied; the live XREAD then brings the message back.
  await expect.poll(() => tab.page.getByTestId('streams-text').inputValue(), SLOW).toBe('');
  await expect.poll(async () => (await chat(tab)).includes(text), SLOW).toBe(true);
}

/** The stream's entries in the store: id, from, text. */
const streamEntries = (tab: DemoTab) =>
  tab.redis(async (r, key) => Object.entries(await r.xrange(key, '-', '+')).map(([id, f]) => ({ id, from: f.from!, text: f.text! })), STREAM);

/** XPENDING's extended form, all of it: id → consumer. */
const pendingInStore = (tab: DemoTab) =>
  tab.redis(async (r, [key, group]) => Object.fromEntries((await r.xpending(key, group, '-', '+', 1000)).map(([id, consumer]) => [id, consumer])), [STREAM, GROUP] as const);

/** The ids `tab` shows as its own pending entries. */
const pendingShown = (tab: DemoTab) => tab.page.getByTestId('streams-pending-row').evaluateAll((els) => els.map((e) => e.getAttribute('data-id')!));

const handledInStore = (tab: DemoTab) => tab.redis((r) => r.hgetall('streams:handled'));

const groupPendingInStore = (tab: DemoTab) => tab.redis(async (r, [key, group]) => (await r.xpending(key, group))[0], [STREAM, GROUP] as const);

async function hold(tab: DemoTab, on: boolean): Promise<void> {
  const box = tab.page.getByTestId('streams-hold');
  if (on) await box.check();
  else await box.uncheck();
  const name = await tabName(tab);
  await expect.poll(() => tab.redis((r, n) => r.sismember('streams:hold', n), name), SLOW).toBe(on ? 1 : 0);
}

test('stream chat: history in every tab and after a reload; each message pending at exactly one consumer, then acknowledged once', async () => {
  await browser.launch();
  const a = await DemoTab.open(browser, 'streams', 'A');
  const b = await DemoTab.open(browser, 'streams', 'B');
  const c = await DemoTab.open(browser, 'streams', 'C');
  const [na, nb, nc] = [await tabName(a), await tabName(b), await tabName(c)];
  const names = [na, nb, nc];
  expect(await a.redis((r, k) => r.exists(k), STREAM), 'nothing is created before the first message').toBe(0);

  // Messages from each tab, in every tab, in order; in the store with their sender.
  const first = ['hi from A', 'hello from B', 'hey from C', 'A again'];
  await say(a, first[0]!);
  expect(await a.text('streams-last-command')).toMatch(new RegExp(`^XADD streams:chat MAXLEN ~ 1000 \\* from ${na} text "hi from A" → "\\d+-\\d+"$`));
  await say(b, first[1]!);
  await say(c, first[2]!);
  await say(a, first[3]!);
  for (const t of [a, b, c]) await expect.poll(() => chat(t), SLOW).toEqual(first);
  expect((await streamEntries(a)).map((e) => [e.from, e.text])).toEqual([
    [na, first[0]],
    [nb, first[1]],
    [nc, first[2]],
    [na, first[3]],
  ]);
  // Every entry went to one consumer, which processed and acknowledged it.
  await expect.poll(() => groupPendingInStore(a), SLOW).toBe(0);
  const ids = (await streamEntries(a)).map((e) => e.id);
  await expect.poll(async () => Object.keys(await handledInStore(a) ?? {}).sort(), SLOW).toEqual([...ids].sort());
  for (const by of Object.values((await handledInStore(a))!)) expect(names).toContain(by);
  await expect.poll(() => a.page.getByTestId('streams-message-status').allInnerTexts(), SLOW).toEqual(ids.map(() => expect.stringMatching(/^✓ tab-/)));

  // A reload keeps the history (XREVRANGE), and the live feed goes on after it.
  await c.reload();
  await expect.poll(() => chat(c), SLOW).toEqual(first);
  await say(b, 'after the reload');
  await expect.poll(() => chat(c), SLOW).toEqual([...first, 'after the reload']);
  await expect.poll(() => groupPendingInStore(a), SLOW).toBe(0);

  // Every tab holds its entries pending: each new message is pending at exactly one consumer.
  for (const t of [a, b, c]) await hold(t, true);
  const held = ['one', 'two', 'three', 'four', 'five', 'six'].map((w) => `held ${w}`);
  for (const [i, text] of held.entries()) await say([a, b, c][i % 3]!, text);
  await expect.poll(() => groupPendingInStore(a), SLOW).toBe(held.length);
  const heldIds = (await streamEntries(a)).filter((e) => held.includes(e.text)).map((e) => e.id);
  expect(heldIds).toHaveLength(held.length);
  const owner = await pendingInStore(a);
  expect(Object.keys(owner).sort()).toEqual([...heldIds].sort());
  // What each tab shows as its own pending entries is what the store says it holds: together every
  // held message, none twice.
  const shown = new Map<string, string[]>();
  for (const [i, t] of [a, b, c].entries()) {
    const want = heldIds.filter((id) => owner[id] === names[i]).sort();
    await expect.poll(async () => (await pendingShown(t)).sort(), SLOW).toEqual(want);
    shown.set(names[i]!, want);
    // The tab's log names what XREADGROUP handed it.
    const log = await t.text('streams-consumer-log');
    for (const id of want) expect(log).toMatch(new RegExp(`XREADGROUP … > → .*${id}`));
    expect(await t.text('streams-pending-count')).toBe(String(want.length));
  }
  expect([...shown.values()].flat().sort()).toEqual([...heldIds].sort());
  // XINFO CONSUMERS in the store, and the group's table in a tab, agree.
  const consumers = await a.redis((r, [key, group]) => r.xinfo(key, { type: 'CONSUMERS', group }), [STREAM, GROUP] as const);
  for (const n of names) {
    expect(consumers.find((x) => x.name === n)?.pending ?? 0, `${n}: XINFO CONSUMERS`).toBe(shown.get(n)!.length);
    await expect.poll(() => b.text(`streams-consumer-pending-${n}`), SLOW).toBe(String(shown.get(n)!.length));
  }
  await expect.poll(() => a.text('streams-group-pending'), SLOW).toBe(String(held.length));
  // The history marks each held message pending at its consumer.
  await expect.poll(() => a.page.locator(`[data-testid="streams-message"][data-id="${heldIds[0]}"] [data-testid="streams-message-status"]`).innerText(), SLOW).toBe(`◔ pending · ${owner[heldIds[0]!]}`);

  // An XACK by hand, in the tab that holds the entry.
  const byHand = heldIds[0]!;
  const handTab = [a, b, c][names.indexOf(owner[byHand]!)]!;
  await handTab.page.getByTestId(`streams-ack-${byHand}`).click();
  await expect.poll(() => groupPendingInStore(a), SLOW).toBe(held.length - 1);
  expect((await handledInStore(a))![byHand]).toBe(owner[byHand]);
  await expect.poll(async () => (await pendingShown(handTab)).includes(byHand), SLOW).toBe(false);
  await expect.poll(() => a.page.locator(`[data-testid="streams-message"][data-id="${byHand}"] [data-testid="streams-message-status"]`).innerText(), SLOW).toBe(`✓ ${owner[byHand]}`);

  await a.shoot('streams', 'held');

  // "Ack all" in the tab that holds the most, still holding: its pending list empties.
  const left = await pendingInStore(a);
  const [most] = names.map((n) => [n, Object.values(left).filter((x) => x === n).length] as const).sort((x, y) => y[1] - x[1]);
  const mostTab = [a, b, c][names.indexOf(most![0])]!;
  expect(most![1]).toBeGreaterThan(0);
  await mostTab.page.getByTestId('streams-ack-all').click();
  await expect.poll(async () => Object.values(await pendingInStore(a)).filter((x) => x === most![0]).length, SLOW).toBe(0);
  await expect.poll(() => pendingShown(mostTab), SLOW).toEqual([]);
  expect(await mostTab.redis((r, n) => r.sismember('streams:hold', n), most![0])).toBe(1);

  // Released: every held entry acknowledged by the consumer that held it, once.
  for (const t of [a, b, c]) await hold(t, false);
  await expect.poll(() => groupPendingInStore(a), SLOW).toBe(0);
  const handled = (await handledInStore(a))!;
  for (const id of heldIds) expect(handled[id], id).toBe(owner[id]);
  const all = await streamEntries(a);
  expect(Object.keys(handled).sort()).toEqual(all.map((e) => e.id).sort());
  await expect.poll(() => c.text('streams-group-pending'), SLOW).toBe('0');
  const group = (await a.redis((r, key) => r.xinfo(key, { type: 'GROUPS' }), STREAM)).find((g) => g.name === GROUP)!;
  expect(group).toMatchObject({ pending: 0, 'last-delivered-id': all.at(-1)!.id, lag: 0 });
  await expect.poll(() => b.text('streams-group-last'), SLOW).toBe(all.at(-1)!.id);

  await b.shoot('streams');
  await b.page.getByTestId('streams-consumers').scrollIntoViewIfNeeded();
  await b.shoot('streams', 'group');
  await b.expectFitsPhone('streams');
  for (const t of [a, b, c]) t.expectNoErrors();
});

test('stream chat through a leader change: the leader holds entries, its page is closed, the new leader claims them with XAUTOCLAIM and acks them; every message exactly once', async () => {
  await browser.launch();
  const a = await DemoTab.open(browser, 'streams', 'A');
  const b = await DemoTab.open(browser, 'streams', 'B');
  const [na, nb] = [await tabName(a), await tabName(b)];
  expect(await a.role()).toBe('leader');
  expect(await b.role()).toBe('follower');

  // A holds its entries; B sends until A holds two (XREADGROUP hands each to whichever consumer waits).
  await hold(a, true);
  const sent: string[] = [];
  for (let i = 1; i <= 20; i++) {
    const text = `before ${i}`;
    await say(b, text);
    sent.push(text);
    // Wait until this message is handed to a consumer: pending at A, or at B (then acknowledged by it).
    const id = (await streamEntries(b)).find((e) => e.text === text)!.id;
    await expect
      .poll(async () => {
        const p = await pendingInStore(b);
        return p[id] === na || (await b.redis((r, x) => r.hget('streams:handled', x), id)) === nb;
      }, SLOW)
      .toBe(true);
    if (Object.values(await pendingInStore(b)).filter((c) => c === na).length >= 2) break;
  }
  const atA = Object.entries(await pendingInStore(b))
    .filter(([, c]) => c === na)
    .map(([id]) => id)
    .sort();
  expect(atA.length, 'A holds entries').toBeGreaterThanOrEqual(2);
  // Held entries are visible: in A's own list, and at A in B's view of the group.
  await expect.poll(async () => (await pendingShown(a)).sort(), SLOW).toEqual(atA);
  await expect.poll(() => b.text(`streams-consumer-pending-${na}`), SLOW).toBe(String(atA.length));
  a.expectNoErrors();

  // Close A (the leader); B sends during the change, becomes leader, sends after.
  await a.page.close();
  await say(b, 'during the change');
  sent.push('during the change');
  await expect.poll(() => b.role(), SLOW).toBe('leader');
  await say(b, 'after the change 1');
  await say(b, 'after the change 2');
  sent.push('after the change 1', 'after the change 2');
  await expect.poll(() => b.text('tab-status'), SLOW).toMatch(new RegExp(`^${nb} · leader · epoch \\d+$`));

  // A's entries are still pending under its name (the new leader loaded the group); once idle past
  // the min-idle time B's panel shows them claimable, and its claim takes them.
  await b.page.getByTestId('streams-min-idle').fill('2000');
  expect(Object.entries(await pendingInStore(b)).filter(([, c]) => c === na).map(([id]) => id).sort()).toEqual(atA);
  await expect.poll(() => b.text('streams-claimable'), SLOW).toContain(`${atA.length} at ${na}`);
  await b.page.getByTestId('streams-claim').click();
  await expect.poll(() => b.text('streams-claim-result'), SLOW).toContain(`claimed ${atA.length}: ${atA.length} from ${na}`);
  expect(await b.text('streams-claim-result')).toContain(`XAUTOCLAIM ${STREAM} ${GROUP} ${nb} 2000 0-0`);
  await expect.poll(() => b.page.getByTestId('streams-claim-record').allInnerTexts(), SLOW).toEqual([expect.stringContaining(`${nb} claimed ${atA.length}: ${atA.length} from ${na}`)]);
  const claims = await b.redis((r) => r.lrange('streams:claims', 0, -1));
  expect(claims.map((s) => JSON.parse(s) as { by: string; ids: string[]; from: Record<string, number> })).toEqual([
    { at: expect.any(Number), by: nb, ids: atA, from: { [na]: atA.length } },
  ]);

  // B processes what it claimed: acknowledged, recorded as handled by B; the group's pending is 0.
  await expect.poll(() => groupPendingInStore(b), SLOW).toBe(0);
  await expect.poll(() => b.text('streams-group-pending'), SLOW).toBe('0');
  const handled = (await handledInStore(b))!;
  for (const id of atA) expect(handled[id], id).toBe(nb);
  const entries = await streamEntries(b);
  expect(Object.keys(handled).sort()).toEqual(entries.map((e) => e.id).sort());

  // Every message is in the stream exactly once, in the order sent, and shown once.
  expect(entries.map((e) => e.text)).toEqual(sent);
  expect(new Set(entries.map((e) => e.id)).size).toBe(entries.length);
  await expect.poll(() => chat(b), SLOW).toEqual(sent);
  await b.page.getByTestId('streams-claims').scrollIntoViewIfNeeded();
  await b.shoot('streams', 'claimed');

  // A's consumer, with nothing pending now, removed from the group.
  await b.page.getByTestId(`streams-delconsumer-${na}`).click();
  await expect.poll(async () => (await b.redis((r, [key, group]) => r.xinfo(key, { type: 'CONSUMERS', group }), [STREAM, GROUP] as const)).map((x) => x.name), SLOW).toEqual([nb]);
  await expect.poll(() => b.page.getByTestId('streams-consumer-row').evaluateAll((els) => els.map((e) => e.getAttribute('data-name'))), SLOW).toEqual([nb]);
  expect(await b.text('streams-group-command')).toBe(`XGROUP DELCONSUMER ${STREAM} ${GROUP} ${na} → (integer) 0`);

  // And after a reload of the only tab left: the store reopened from IndexedDB.
  await b.reload();
  await expect.poll(() => chat(b), SLOW).toEqual(sent);
  expect(await groupPendingInStore(b)).toBe(0);
  expect((await streamEntries(b)).map((e) => e.text)).toEqual(sent);
  b.expectNoErrors();
});
