/** Store status (a stub: replaced by the panel's implementation). */
import { h } from '../dom.js';
import type { Panel } from '../panel.js';

export const statusPanel: Panel = {
  id: 'status',
  title: 'Store status',
  group: 'Tools',
  icon: '⚙',
  summary: 'Coming soon.',
  commands: [],
  mount(body) {
    body.append(h('p', { text: 'Coming soon.' }));
  },
};
