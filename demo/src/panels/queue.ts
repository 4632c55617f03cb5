/** Email queue (a stub: replaced by the panel's implementation). */
import { h } from '../dom.js';
import type { Panel } from '../panel.js';

export const queuePanel: Panel = {
  id: 'queue',
  title: 'Email queue',
  group: 'Use cases',
  icon: '✉',
  summary: 'Coming soon.',
  commands: [],
  mount(body) {
    body.append(h('p', { text: 'Coming soon.' }));
  },
};
