/** Sessions (a stub: replaced by the panel's implementation). */
import { h } from '../dom.js';
import type { Panel } from '../panel.js';

export const sessionsPanel: Panel = {
  id: 'sessions',
  title: 'Sessions',
  group: 'Use cases',
  icon: '◉',
  summary: 'Coming soon.',
  commands: [],
  mount(body) {
    body.append(h('p', { text: 'Coming soon.' }));
  },
};
