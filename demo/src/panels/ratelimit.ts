/** Rate limiter (a stub: replaced by the panel's implementation). */
import { h } from '../dom.js';
import type { Panel } from '../panel.js';

export const ratelimitPanel: Panel = {
  id: 'ratelimit',
  title: 'Rate limiter',
  group: 'Use cases',
  icon: '◔',
  summary: 'Coming soon.',
  commands: [],
  mount(body) {
    body.append(h('p', { text: 'Coming soon.' }));
  },
};
