/**
 * The demo's whole view layer: `h()` builds elements, a few formatters, and `act()` runs a click
 * handler so that a Redis error reply becomes a toast instead of an unhandled rejection.
 *
 *   h('button', { class: 'btn', testid: 'cache-fetch', on: { click: act(ctx, fetchUser) } }, 'Fetch')
 */
import type { DemoContext } from './panel.js';

type Child = Node | string | number | null | undefined | false;

export interface Props {
  class?: string;
  /** `data-testid`, what the Playwright tests find elements by. */
  testid?: string;
  text?: string;
  title?: string;
  attrs?: Record<string, string | number | boolean>;
  style?: Partial<CSSStyleDeclaration>;
  on?: { [K in keyof HTMLElementEventMap]?: (ev: HTMLElementEventMap[K]) => void };
}

/** `h('div', { class: 'card' }, child, …)`. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: Props = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (props.class) el.className = props.class;
  if (props.testid) el.dataset.testid = props.testid;
  if (props.title) el.title = props.title;
  if (props.text !== undefined) el.textContent = props.text;
  if (props.style) Object.assign(el.style, props.style);
  for (const [k, v] of Object.entries(props.attrs ?? {})) {
    if (v === false) continue;
    el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const [ev, fn] of Object.entries(props.on ?? {})) el.addEventListener(ev, fn as EventListener);
  append(el, ...children);
  return el;
}

/** Append children, skipping null/false (for `cond && h(…)`). */
export function append(el: Element, ...children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    el.append(typeof c === 'number' ? String(c) : c);
  }
}

/** Replace an element's children. */
export function replace(el: Element, ...children: Child[]): void {
  el.replaceChildren();
  append(el, ...children);
}

/** An SVG element (charts are hand-made SVG). */
export function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number> = {}, ...children: (SVGElement | string)[]): SVGElementTagNameMap[K] {
  const el = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  for (const c of children) el.append(c);
  return el;
}

/** A titled box: the panels' building block. */
export function card(title: string, ...children: Child[]): HTMLElement {
  return h('section', { class: 'card' }, h('h3', { class: 'card-title', text: title }), ...children);
}

/** A big number with a label under it. */
export function stat(label: string, testid: string, initial: string | number = '–'): { el: HTMLElement; set(v: string | number): void } {
  const value = h('div', { class: 'stat-value', testid, text: String(initial) });
  return { el: h('div', { class: 'stat' }, value, h('div', { class: 'stat-label', text: label })), set: (v) => (value.textContent = String(v)) };
}

/**
 * Wrap an async handler: errors (a Redis error reply, a closed store) are shown as a toast, never
 * left as unhandled rejections; while it runs, the element it was attached to is disabled.
 */
export function act<A extends unknown[]>(ctx: Pick<DemoContext, 'toast'>, fn: (...args: A) => Promise<unknown> | unknown): (...args: A) => void {
  return (...args: A) => {
    void (async () => {
      try {
        await fn(...args);
      } catch (e) {
        ctx.toast(e instanceof Error ? e.message : String(e), 'error');
      }
    })();
  };
}

/** `1.2 KB`, `3.4 MB`. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/** A TTL in seconds as Redis users read it: `-1` no expiry, `-2` gone, else `1m 05s`. */
export function formatTtl(seconds: number): string {
  if (seconds === -1) return 'no expiry';
  if (seconds === -2) return 'expired';
  if (seconds < 60) return `${seconds}s`;
  const m = Math.floor(seconds / 60);
  if (m < 60) return `${m}m ${String(seconds % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
}

/** `12,345`. */
export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

/** `3s ago`, `2m ago`. */
export function formatAgo(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  return `${Math.floor(s / 3600)}h ago`;
}

/**
 * An interval that runs `fn` only while `when()` holds (a panel on screen), never twice at once;
 * returns a stop function. A failed run is skipped (the next one tries again).
 */
export function every(ms: number, fn: () => unknown, when: () => boolean = () => true): () => void {
  let busy = false;
  const timer = setInterval(() => {
    if (busy || !when()) return;
    busy = true;
    void Promise.resolve()
      .then(fn)
      .catch(() => {})
      .finally(() => (busy = false));
  }, ms);
  return () => clearInterval(timer);
}
