/**
 * The demo page: opens the store (one per origin, shared by every tab, persisted to IndexedDB),
 * exposes it as `window.lodis` for the devtools console, and mounts every panel of panels/index.ts
 * — each shown by its route (`#leaderboard`), all running from the start so that a worker loop or
 * a subscription keeps going while another panel is on screen.
 */
import './style.css';
import { createClient, type WorkerClient } from '@lodis/web-worker';
import { h, replace } from './dom.js';
import type { DemoContext, Panel, PanelHooks } from './panel.js';
import { panels } from './panels/index.js';
import { DURABILITY, STORE_NAME } from './store-config.js';
import { leaderView, registerTab, tabIdentity } from './tab.js';

declare global {
  interface Window {
    /** The demo's store: try `await lodis.set('hello', 'world')` in the devtools console. */
    lodis: WorkerClient;
  }
}

const redis = createClient({ name: STORE_NAME, durability: DURABILITY });
window.lodis = redis;
const tab = tabIdentity();
document.title = `Lodis · ${tab.name}`;

const nav = document.getElementById('nav')!;
const main = document.getElementById('panels')!;
const toasts = h('div', { class: 'toasts', attrs: { 'aria-live': 'polite' } });
document.body.append(toasts);

function toast(message: string, kind: 'info' | 'error' = 'info'): void {
  const t = h('div', { class: `toast toast-${kind}`, testid: 'toast', text: message });
  toasts.append(t);
  setTimeout(() => t.remove(), kind === 'error' ? 6000 : 3000);
}

// ---- panels and routing ----------------------------------------------------------------------

interface Mounted {
  panel: Panel;
  section: HTMLElement;
  link: HTMLAnchorElement;
  hooks: PanelHooks;
}
const mounted = new Map<string, Mounted>();
let current: Mounted | null = null;

function buildNav(): void {
  let group = '';
  for (const panel of panels) {
    if (panel.group !== group) {
      group = panel.group;
      nav.append(h('div', { class: 'nav-group', text: group }));
    }
    const link = h(
      'a',
      { class: 'nav-link', testid: `nav-${panel.id}`, attrs: { href: `#${panel.id}` } },
      h('span', { class: 'nav-icon', text: panel.icon }),
      h('span', { text: panel.title }),
    );
    nav.append(link);
    const body = h('div', { class: 'panel-body' });
    const section = h(
      'section',
      { class: 'panel', testid: `panel-${panel.id}`, attrs: { id: `panel-${panel.id}`, hidden: true } },
      h(
        'header',
        { class: 'panel-header' },
        h('h2', { class: 'panel-title' }, h('span', { class: 'panel-icon', text: panel.icon }), panel.title),
        h('p', { class: 'panel-summary', text: panel.summary }),
        panel.commands.length > 0 && h('div', { class: 'chips' }, ...panel.commands.map((c) => h('code', { class: 'chip', text: c }))),
      ),
      body,
    );
    main.append(section);
    const ctx: DemoContext = { redis, tab, visible: () => current?.panel === panel, toast };
    let hooks: PanelHooks = {};
    try {
      hooks = panel.mount(body, ctx) ?? {};
    } catch (e) {
      replace(body, h('p', { class: 'error', text: `This panel failed to start: ${String(e)}` }));
      console.error(e);
    }
    mounted.set(panel.id, { panel, section, link, hooks });
  }
}

function route(): void {
  const id = location.hash.slice(1) || panels[0]!.id;
  const next = mounted.get(id) ?? mounted.get(panels[0]!.id)!;
  if (next === current) return;
  if (current) {
    current.section.hidden = true;
    current.link.classList.remove('active');
    current.hooks.hidden?.();
  }
  current = next;
  next.section.hidden = false;
  next.link.classList.add('active');
  next.link.scrollIntoView?.({ block: 'nearest', inline: 'nearest' });
  next.hooks.shown?.();
  newTab.href = location.pathname + location.hash;
}

// ---- this tab and the leader -----------------------------------------------------------------

const status = document.getElementById('tab-status')!;
const newTab = document.getElementById('new-tab') as HTMLAnchorElement;

async function showLeadership(): Promise<void> {
  const v = await leaderView(redis, tab);
  status.dataset.role = v.role;
  const text =
    v.role === 'follower'
      ? `${tab.name} · follower of ${v.leader} · epoch ${v.epoch}`
      : `${tab.name} · ${v.role === 'leader' ? 'leader' : 'single tab'} · epoch ${v.epoch}`;
  replace(status, h('span', { class: 'dot' }), h('span', { class: 'text', text }));
}

buildNav();
route();
addEventListener('hashchange', route);

redis.ready.then(
  async () => {
    await registerTab(redis, tab);
    await showLeadership();
    setInterval(() => void showLeadership().catch(() => {}), 1000);
    document.body.dataset.ready = 'true';
  },
  (e: unknown) => {
    replace(status, h('span', { class: 'dot' }), h('span', { class: 'text', text: `the store could not open: ${String(e)}` }));
    status.dataset.role = 'error';
  },
);
