/** CLI (a stub: replaced by the panel's implementation). */
import { h } from '../dom.js';
import type { Panel } from '../panel.js';

export const cliPanel: Panel = {
  id: 'cli',
  title: 'CLI',
  group: 'Tools',
  icon: '>_',
  summary: 'Coming soon.',
  commands: [],
  mount(body) {
    body.append(h('p', { text: 'Coming soon.' }));
  },
};
