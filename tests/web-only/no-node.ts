/**
 * The engine with Node's globals gone: deletes them, then loads @lodis/core (engine-use.ts) and
 * uses it; prints `ok` or throws. Run by web-only.test.ts — in Deno with no permission at all.
 */
const NODE_GLOBALS = ['process', 'Buffer', 'global', 'setImmediate', 'clearImmediate', 'require', 'module', '__dirname', '__filename'];
const g = globalThis as Record<string, unknown>;
// Kept to leave at the end (see there), taken before `process` goes.
const exit = (g.Deno as { exit(code: number): never } | undefined)?.exit ?? (g.process as { exit(code: number): never }).exit;
for (const name of NODE_GLOBALS) {
  delete g[name];
  if (g[name] !== undefined) Object.defineProperty(g, name, { value: undefined, configurable: true });
}
const left = NODE_GLOBALS.filter((name) => g[name] !== undefined);
if (left.length > 0) throw new Error(`could not remove ${left.join(', ')}`);

await import('./engine-use.ts'); // evaluated only now, after the deletions (a static import is not)
console.log('ok');

// Without setImmediate a snapshot step yields through a MessageChannel (aof.ts macrotaskYield),
// whose port, listened to, keeps a Deno or Bun process alive. Both have setImmediate, so their
// programs never take that path; here the probe leaves by itself.
exit(0);
