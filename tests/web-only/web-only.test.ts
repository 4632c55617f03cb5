/**
 * The engine needs nothing of Node, checked by the runtime at hand (`npm run test:deno`,
 * `npm run test:bun`): its module graph, as the runtime resolves it, is the engine's own sources
 * (no `node:` module, no package), and it works with Node's globals deleted (no-node.ts) — in
 * Deno, in a process given no permission at all.
 */
import { describe, expect, it } from 'vitest';

interface DenoApi {
  execPath(): string;
  Command: new (cmd: string, options: { args: string[]; stdout: 'piped'; stderr: 'piped'; signal: AbortSignal }) => {
    output(): Promise<{ code: number; stdout: Uint8Array; stderr: Uint8Array }>;
  };
}
interface BunApi {
  build(options: { entrypoints: string[]; target: 'browser'; metafile: true }): Promise<{
    success: boolean;
    metafile: { inputs: Record<string, { imports: { path: string }[] }> };
  }>;
  spawnSync(cmd: string[], options: { cwd: string; timeout: number }): { exitCode: number | null; stdout: Uint8Array; stderr: Uint8Array };
}
const { Deno, Bun } = globalThis as { Deno?: DenoApi; Bun?: BunApi };

const root = new URL('../../', import.meta.url);
const path = (p: string) => decodeURIComponent(new URL(p, root).pathname);
const CORE = 'packages/core/src/';
const text = (b: Uint8Array) => new TextDecoder().decode(b);

const TIMEOUT_MS = 60_000; // a child that never ends fails the test instead of hanging the run

/** Runs `args` with the runtime running this test; its stdout, or the failure. */
async function run(args: string[]): Promise<string> {
  if (Deno) {
    const signal = AbortSignal.timeout(TIMEOUT_MS);
    const out = await new Deno.Command(Deno.execPath(), { args, stdout: 'piped', stderr: 'piped', signal }).output();
    if (out.code !== 0) throw new Error(`exit ${out.code}: ${text(out.stderr)}`);
    return text(out.stdout);
  }
  const out = Bun!.spawnSync([(globalThis as { process?: { execPath: string } }).process!.execPath, ...args], { cwd: path('.'), timeout: TIMEOUT_MS });
  if (out.exitCode !== 0) throw new Error(`exit ${out.exitCode}: ${text(out.stderr)}`);
  return text(out.stdout);
}

/** Every module the runtime loads for `@lodis/core`, and every import it leaves unresolved. */
async function coreGraph(): Promise<{ modules: string[]; unresolved: string[] }> {
  if (Deno) {
    const info = JSON.parse(await run(['info', '--json', '--config', path('tests/deno/deno.json'), path(`${CORE}index.ts`)])) as {
      modules: { specifier: string }[];
    };
    return { modules: info.modules.map((m) => m.specifier), unresolved: [] };
  }
  const built = await Bun!.build({ entrypoints: [path(`${CORE}index.ts`)], target: 'browser', metafile: true });
  expect(built.success).toBe(true);
  const inputs = Object.entries(built.metafile.inputs);
  return {
    modules: inputs.map(([file]) => new URL(file, root).href),
    // What Bun did not bundle (`node:fs`, a package) is not among the inputs; a relative import it
    // dropped as used for its types only (store.ts's `Client`) is marked external, but is a file.
    unresolved: inputs.flatMap(([, i]) => i.imports.map((m) => m.path).filter((p) => !(p in built.metafile.inputs) && !/^\.\.?\//.test(p))),
  };
}

describe('the engine without Node', () => {
  it('loads only its own sources: no node: module, no package', async () => {
    const { modules, unresolved } = await coreGraph();
    expect(modules.length).toBeGreaterThan(50);
    expect(modules.filter((m) => !m.startsWith(new URL(CORE, root).href))).toEqual([]);
    expect(unresolved).toEqual([]);
  });

  it("works with Node's globals deleted (in Deno: with no permission)", async () => {
    const args = Deno
      ? ['run', '--no-prompt', '--no-check', '--config', path('tests/deno/deno.json'), path('tests/web-only/no-node.ts')]
      : ['run', path('tests/web-only/no-node.ts')];
    expect((await run(args)).trim()).toBe('ok');
  });
});
