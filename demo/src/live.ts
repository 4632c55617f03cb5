/**
 * Keeping a view in step with the store: changes come in bursts (a load of 100 ZADDs, a worker
 * acking jobs), and a view needs one fresh read after a burst, not one per change.
 *
 *   const refresh = coalesced(render);               // call it as often as you like
 *   ctx.redis.watchKeys('cache:*', refresh);
 *
 *   const request = liveView(ctx, 'leaderboard:*', render);  // the same, per animation frame, on screen only
 */
import type { DemoContext } from './panel.js';

/**
 * Run `fn` now, or once more after the run in progress. A failed read is dropped: the next change
 * or tick reads again.
 */
export function coalesced(fn: () => Promise<void>): () => void {
  let running = false;
  let again = false;
  const run = (): void => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    void fn()
      .catch(() => {})
      .finally(() => {
        running = false;
        if (again) {
          again = false;
          run();
        }
      });
  };
  return run;
}

/**
 * Re-run `render` on every change of keys matching `pattern` from any tab: at most once per
 * animation frame however many changes come, one render at a time, and only while the panel is on
 * screen — a change while hidden marks it stale. Returns the function that requests a render.
 */
export function liveView(ctx: DemoContext, pattern: string, render: () => Promise<void>): () => void {
  let stale = true;
  let frameRequested = false;
  let rendering = false;
  const nextFrame = (f: () => void) => (document.hidden ? setTimeout(f, 100) : requestAnimationFrame(f)); // no frames in a hidden tab
  const flush = async () => {
    frameRequested = false;
    if (!stale || rendering || !ctx.visible()) return;
    stale = false;
    rendering = true;
    try {
      await render();
    } catch (e) {
      ctx.toast(e instanceof Error ? e.message : String(e), 'error');
    } finally {
      rendering = false;
      if (stale) request();
    }
  };
  const request = () => {
    stale = true;
    if (frameRequested || rendering || !ctx.visible()) return;
    frameRequested = true;
    nextFrame(() => void flush());
  };
  ctx.redis.watchKeys(pattern, request);
  return request;
}
