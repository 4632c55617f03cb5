/** The landing panel: what Lodis is, how this page uses it, and a card for every other panel. */
import { every, formatCount, h, stat } from '../dom.js';
import type { Panel } from '../panel.js';
import { panels } from './index.js';

export const overviewPanel: Panel = {
  id: 'overview',
  title: 'Overview',
  group: 'Start',
  icon: '◆',
  summary: 'Redis, in the JavaScript you already run: the commands you know, in a Web Worker shared by every tab, persisted to IndexedDB.',
  commands: [],
  mount(body, ctx) {
    const keys = stat('keys in db 0', 'overview-dbsize');
    const commands = stat('commands processed by the leader', 'overview-commands');
    const refresh = async () => {
      keys.set(formatCount(await ctx.redis.dbsize()));
      const info = String(await ctx.redis.call('INFO', 'stats'));
      const m = /total_commands_processed:(\d+)/.exec(info);
      if (m) commands.set(formatCount(Number(m[1])));
    };
    body.append(
      h(
        'div',
        { class: 'hero' },
        h(
          'p',
          {},
          'Everything on this page runs on one Lodis store in a Web Worker: Redis 7.0 commands and their exact replies, ',
          'kept in memory and made durable in IndexedDB before each write is acknowledged. Every tab of this origin is one store — ',
          h('a', { attrs: { href: location.pathname, target: '_blank', rel: 'noopener' }, text: 'open another tab' }),
          ' and watch the panels update in both; close the leading tab and another takes over without losing a write.',
        ),
        h(
          'p',
          { class: 'muted' },
          'The store is ',
          h('code', { text: 'window.lodis' }),
          ' in the devtools console: ',
          h('code', { text: "await lodis.set('hello', 'world')" }),
          ', ',
          h('code', { text: "await lodis.call('INFO', 'keyspace')" }),
          '.',
        ),
        h('div', { class: 'stats' }, keys.el, commands.el),
      ),
    );
    const grid = h('div', { class: 'overview-grid' });
    body.append(grid);
    queueMicrotask(() => {
      for (const p of panels) {
        if (p.id === 'overview') continue;
        grid.append(
          h(
            'a',
            { class: 'overview-card', attrs: { href: `#${p.id}` } },
            h('div', { class: 'overview-card-title' }, h('span', { class: 'panel-icon', text: p.icon }), p.title),
            h('p', { text: p.summary }),
            h('div', { class: 'chips' }, ...p.commands.slice(0, 6).map((c) => h('code', { class: 'chip', text: c }))),
          ),
        );
      }
    });
    every(1000, refresh, ctx.visible);
    return { shown: () => void refresh().catch(() => {}) };
  },
};
