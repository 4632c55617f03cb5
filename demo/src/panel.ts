/**
 * What a panel of the demo is: one use case of the guide (or a tool), mounted once when the page
 * opens and shown when its link is chosen. Every panel gets the same context: the store, shared by
 * every tab of the origin, and who this tab is.
 *
 *   export const cachePanel: Panel = {
 *     id: 'cache', title: 'Cache', group: 'Use cases', icon: '⚡',
 *     summary: 'A slow API call cached with SET … EX: hits, misses, a live TTL.',
 *     commands: ['SET', 'GET', 'TTL'],
 *     mount(body, ctx) { body.append(h('button', { on: { click: () => ctx.redis.get('k') } }, 'Get')) },
 *   };
 */
import type { WorkerClient } from '@lodis/web-worker';

export interface TabIdentity {
  /** This tab's name in the demo (`tab-3f2a`): kept across reloads of the tab, new in a new tab. */
  readonly name: string;
}

export interface DemoContext {
  /** The store, one per origin, shared by every tab (`window.lodis`). */
  readonly redis: WorkerClient;
  readonly tab: TabIdentity;
  /** Is this panel on screen? Panels refresh costly views only while it is. */
  visible(): boolean;
  /** Show a short message at the bottom of the page (an error reply, a confirmation). */
  toast(message: string, kind?: 'info' | 'error'): void;
}

export interface PanelHooks {
  /** The panel came on screen. */
  shown?(): void;
  /** The panel left the screen. */
  hidden?(): void;
}

export interface Panel {
  /** Its route (`#cache`) and the stem of its test ids. */
  readonly id: string;
  readonly title: string;
  readonly group: 'Start' | 'Use cases' | 'Tools';
  /** One character or emoji for the navigation. */
  readonly icon: string;
  /** One sentence: what it shows. */
  readonly summary: string;
  /** The Redis commands it uses, shown as chips under the title. */
  readonly commands: readonly string[];
  /** Build the panel into `body` (once, when the page opens). */
  mount(body: HTMLElement, ctx: DemoContext): PanelHooks | void;
}
