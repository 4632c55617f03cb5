/** Key browser (a stub: replaced by the panel's implementation). */
import { h } from '../dom.js';
import type { Panel } from '../panel.js';

export const keysPanel: Panel = {
  id: 'keys',
  title: 'Key browser',
  group: 'Tools',
  icon: '⌕',
  summary: 'Coming soon.',
  commands: [],
  mount(body) {
    body.append(h('p', { text: 'Coming soon.' }));
  },
};
