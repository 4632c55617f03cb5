/** Stream chat (a stub: replaced by the panel's implementation). */
import { h } from '../dom.js';
import type { Panel } from '../panel.js';

export const streamsPanel: Panel = {
  id: 'streams',
  title: 'Stream chat',
  group: 'Use cases',
  icon: '≋',
  summary: 'Coming soon.',
  commands: [],
  mount(body) {
    body.append(h('p', { text: 'Coming soon.' }));
  },
};
