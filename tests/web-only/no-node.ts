/**
 * The engine with Node's globals gone: deletes them, then loads @lodis/core (engine-use.ts) and
 * uses it; prints `ok` or throws. Run by web-only.test.ts — in Deno with no permission at all.
 */
const NODE_GLOBALS = ['process', 'Buffer', 'global', 'setImmediate', 'clearImmediate', 'require', 'module', '__dirname', '__filename'];
const g = globalThis as Record<string, unknown>;
for (const name of NODE_GLOBALS) {
  delete g[name];
  if (g[name] !== undefined) Object.defineProperty(g, name, { value: undefined, configurable: true });
}
const left = NODE_GLOBALS.filter((name) => g[name] !== undefined);
if (left.length > 0) throw new Error(`could not remove ${left.join(', ')}`);

await import('./engine-use.ts'); // evaluated only now, after the deletions (a static import is not)
console.log('ok');

// Without setImmediate a snapshot step yields through a MessageChannel (aof.ts macrotaskYield),
// and a Deno process stays alive once a port has had a listener. Deno has setImmediate, so a Deno
// program never takes that path; here it leaves by itself, whether a step yielded or not.
(g.Deno as { exit(code: number): never } | undefined)?.exit(0);
