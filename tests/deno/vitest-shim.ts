/**
 * The part of vitest's API the core tests use, over `Deno.test`, so `deno test` runs them
 * unchanged: tests/deno/deno.json maps the `vitest` import here.
 *
 * - `describe` runs its body at once (as vitest collects); each `it` becomes one `Deno.test`
 *   named `describe > … > it`, so the counts match vitest's.
 * - `beforeEach` / `afterEach` apply to the `it`s of their `describe` and those nested in it
 *   (outer `beforeEach` first, inner `afterEach` first); at the top of a file, to the file's
 *   (Deno runs each test file in a worker of its own).
 * - `it(name, fn)`, `it(name, options, fn)`, `it(name, fn, timeout)`, `it.skip`, `it.skipIf`;
 *   the timeout is accepted, not enforced.
 * - `expect` is Jest's (`expect` on npm, the matchers vitest copied), with vitest's message
 *   argument (`expect(v, message)`) put before the failure; `vi` is Jest's `jest-mock`.
 * - `expectTypeOf` checks types only (tsc does, under `npm run typecheck`): a no-op here.
 *
 * Tests run one after another in a file, as vitest runs them; Deno's sanitizers are off, as vitest
 * has none (a test may leave a store's timers to the end of its file).
 */
import { expect as jestExpect } from 'npm:expect@30.5.2';
import { ModuleMocker } from 'npm:jest-mock@30.5.2';

type Matchers<T> = ReturnType<typeof jestExpect<T>>;

/** `matchers` (and its `.not`, `.resolves`, `.rejects`) whose failures start with `message`. */
function withMessage<M extends object>(matchers: M, message: string): M {
  const prefix = (e: unknown) => {
    if (e instanceof Error) e.message = `${message}\n\n${e.message}`;
    return e;
  };
  return new Proxy(matchers, {
    get(target, key) {
      const v = Reflect.get(target, key);
      if (typeof v === 'object' && v !== null) return withMessage(v, message);
      if (typeof v !== 'function') return v;
      return (...args: unknown[]) => {
        try {
          const r = v.apply(target, args);
          return r instanceof Promise ? r.catch((e) => Promise.reject(prefix(e))) : r;
        } catch (e) {
          throw prefix(e);
        }
      };
    },
  });
}

export const expect = Object.assign(
  <T>(actual: T, message?: string): Matchers<T> =>
    message === undefined ? jestExpect(actual) : withMessage(jestExpect(actual), message),
  jestExpect,
);

type TestFn = () => unknown;
type Hook = () => unknown;

interface Suite {
  names: string[];
  beforeEach: Hook[];
  afterEach: Hook[];
  parent: Suite | null;
}

let current: Suite = { names: [], beforeEach: [], afterEach: [], parent: null };

export function describe(name: string, body: () => void): void {
  const outer = current;
  current = { names: [...outer.names, name], beforeEach: [], afterEach: [], parent: outer };
  try {
    body();
  } finally {
    current = outer;
  }
}

export function beforeEach(hook: Hook): void {
  current.beforeEach.push(hook);
}

export function afterEach(hook: Hook): void {
  current.afterEach.push(hook);
}

/** The suites from the file down to `s`. */
function chain(s: Suite): Suite[] {
  const out: Suite[] = [];
  for (let at: Suite | null = s; at; at = at.parent) out.unshift(at);
  return out;
}

function register(name: string, fn: TestFn, ignore: boolean): void {
  const suites = chain(current);
  Deno.test({
    name: [...current.names, name].join(' > '),
    ignore,
    sanitizeOps: false,
    sanitizeResources: false,
    async fn() {
      for (const s of suites) for (const h of s.beforeEach) await h();
      try {
        await fn();
      } finally {
        for (const s of [...suites].reverse()) for (const h of s.afterEach) await h();
      }
    },
  });
}

type TestArgs = [fn: TestFn, timeout?: number] | [options: { timeout?: number }, fn: TestFn];
const fnOf = (args: TestArgs): TestFn => (typeof args[0] === 'function' ? args[0] : (args[1] as TestFn));

export const it = Object.assign((name: string, ...args: TestArgs) => register(name, fnOf(args), false), {
  skip: (name: string, ...args: TestArgs) => register(name, fnOf(args), true),
  skipIf: (condition: unknown) => (name: string, ...args: TestArgs) => register(name, fnOf(args), Boolean(condition)),
});
export const test = it;

// jest-mock types its global as Node's `typeof globalThis`; Deno's is a superset at run time.
const mocker = new ModuleMocker(globalThis as ConstructorParameters<typeof ModuleMocker>[0]);

/** `vi.fn`, `vi.spyOn`, `vi.restoreAllMocks`, `vi.clearAllMocks` — Jest's, with vitest's names. */
export const vi = {
  fn: mocker.fn.bind(mocker),
  spyOn: mocker.spyOn.bind(mocker),
  restoreAllMocks: () => mocker.restoreAllMocks(),
  clearAllMocks: () => mocker.clearAllMocks(),
};

/** Type-level assertions, checked by tsc (`npm run typecheck`): nothing to do at run time. */
interface TypeAssertions {
  toEqualTypeOf<T>(expected?: T): void;
  toMatchTypeOf<T>(expected?: T): void;
  readonly not: TypeAssertions;
}

export function expectTypeOf(_value?: unknown): TypeAssertions {
  const assertions: TypeAssertions = {
    toEqualTypeOf() {},
    toMatchTypeOf() {},
    get not() {
      return assertions;
    },
  };
  return assertions;
}
