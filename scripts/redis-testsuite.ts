/**
 * Redis' own test suite (Tcl, the tests/ of Redis 7.0.15) against lodis-server, in the suite's
 * external-server mode (`./runtest --host … --port …`), one unit at a time on a fresh server:
 *
 *   npm run test:redis-suite                                # the units Lodis is expected to run
 *   npm run test:redis-suite -- unit/type/incr unit/expire  # these units
 *   npm run test:redis-suite -- --against redis unit/sort   # the same against a real redis-server
 *   npm run test:redis-suite -- --list unit/type/list       # also print every failed test's name
 *   npm run test:redis-suite -- --log /tmp/suite unit/sort  # keep each run's harness output there
 *   npm run test:redis-suite -- --ignore-encoding unit/type/zset   # other --options go to runtest
 *
 *   npm run test:redis-suite -- --spawn unit/auth            # the harness starts lodis-server itself
 *
 * Units whose tests are all `external:skip` (they start servers with settings of their own:
 * requirepass, maxclients …) run in the harness's normal mode instead (SPAWNED_UNITS, or any unit
 * with --spawn): the harness starts `src/redis-server <config file>` of a scratch directory whose
 * src/redis-server is redis-testsuite-server.mjs (lodis-server with the file's settings).
 *
 * The suite is not part of this repository: it is read from $REDIS_TESTS (default
 * /work/redis-tests, a checkout of redis 7.0.15's `runtest` and `tests/`); without it the script
 * says so and exits 0. tclsh must be installed.
 *
 * External mode skips the tests tagged `external:skip` by itself; DENIED_TAGS are skipped too.
 * A harness exception (a command answering an error outside an assertion, a missing command)
 * ends the unit at the test that raised it; the script then runs the unit again with that test
 * skipped (`--skiptest`), up to MAX_RERUNS times, so one missing command does not hide the rest
 * of the unit. The table counts such tests as errored.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import net from 'node:net';
import { fileURLToPath } from 'node:url';

/**
 * Tags whose tests need what a Redis-protocol server without Redis' internals cannot give:
 * needs:repl (SYNC/PSYNC from a replica), needs:debug (DEBUG RELOAD/OBJECT/JMAP/SLEEP … and
 * encodings read from inside the server), needs:pfdebug (PFDEBUG, HyperLogLog internals),
 * needs:save (an RDB file written by SAVE), needs:local-process (signals to the server's pid).
 * Kept: needs:reset, needs:config-resetstat, needs:config-maxmemory, needs:latency.
 */
export const DENIED_TAGS = ['needs:repl', 'needs:debug', 'needs:pfdebug', 'needs:save', 'needs:local-process'];

/**
 * The units run by default: those whose commands Lodis has. Left out: unit/geo (no GEO commands),
 * unit/latency-monitor (no LATENCY), unit/slowlog (no SLOWLOG), unit/scripting and
 * unit/functions (no Lua), unit/tracking (no client-side caching: CLIENT TRACKING ON is refused,
 * and the unit then waits for invalidation messages that never come).
 */
export const DEFAULT_UNITS = [
  'unit/type/string',
  'unit/type/incr',
  'unit/type/list',
  'unit/type/list-2',
  'unit/type/list-3',
  'unit/type/hash',
  'unit/type/set',
  'unit/type/zset',
  'unit/type/stream',
  'unit/type/stream-cgroups',
  'unit/expire',
  'unit/keyspace',
  'unit/multi',
  'unit/pubsub',
  'unit/info-command',
  'unit/protocol',
  'unit/bitops',
  'unit/bitfield',
  'unit/hyperloglog',
  'unit/sort',
  'unit/scan',
  'unit/dump',
  'unit/querybuf',
  'unit/introspection',
  'unit/introspection-2',
  'unit/lazyfree',
  'unit/other',
  'unit/quit',
].filter((u, i, all) => all.indexOf(u) === i);

/** Units run with servers the harness starts itself (their tests are all external:skip). */
export const SPAWNED_UNITS = ['unit/auth', 'unit/info', 'unit/limits', 'unit/acl', 'unit/acl-v2', 'unit/pubsubshard'];

/** How many times a unit is run again past a harness exception. */
const MAX_RERUNS = 25;
/** A unit run that takes longer than this is stopped. */
const UNIT_TIMEOUT_MS = 5 * 60_000;
/** The harness's own limit: a unit making no progress for this long is stopped (runtest --timeout). */
const NO_PROGRESS_TIMEOUT_S = 120;

const root = fileURLToPath(new URL('..', import.meta.url));

export interface UnitResult {
  unit: string;
  passed: number;
  failed: number;
  errored: number;
  skipped: number;
  /** Names of the failed tests, and of those that raised an exception. */
  failures: string[];
  exceptions: string[];
  /** Why the unit stopped early, if it did. */
  stopped?: string;
  seconds: number;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
    srv.once('error', reject);
  });
}

async function waitListening(port: number, proc: ChildProcess): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (proc.exitCode !== null) throw new Error(`server exited with code ${proc.exitCode}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('server did not start listening');
}

/** The settings both servers get: what the suite's default.conf sets and external mode needs. */
const SERVER_SETTINGS = ['--bind', '127.0.0.1', '--protected-mode', 'no', '--enable-debug-command', 'yes', '--save', '', '--appendonly', 'no'];

async function startTarget(against: 'lodis' | 'redis'): Promise<{ port: number; proc: ChildProcess; log: () => string }> {
  const port = await freePort();
  const args = ['--port', String(port), ...SERVER_SETTINGS];
  const proc = track(
    against === 'redis'
      ? spawn(process.env.REDIS_SERVER ?? 'redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] })
      : spawn(process.execPath, [`${root}packages/server/bin/lodis-server.mjs`, ...args], { stdio: ['ignore', 'pipe', 'pipe'], cwd: root }),
  );
  let log = '';
  const keep = (d: Buffer) => {
    log = (log + d.toString()).slice(-20_000);
  };
  proc.stdout!.on('data', keep);
  proc.stderr!.on('data', keep);
  try {
    await waitListening(port, proc);
  } catch (e) {
    await stopTarget(proc);
    throw new Error(`${(e as Error).message}: ${log.trim().split('\n').slice(0, 3).join(' | ')}`);
  }
  return { port, proc, log: () => log };
}

/** The processes running now, stopped with this script (Ctrl-C). */
const children = new Set<ChildProcess>();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    for (const c of children) kill(c);
    process.exit(130);
  });
}
/** Kill a process, and its group when it leads one (the harness). */
function kill(proc: ChildProcess): void {
  try {
    if (proc.pid !== undefined) process.kill(-proc.pid, 'SIGKILL');
  } catch {
    proc.kill('SIGKILL');
  }
}
function track(proc: ChildProcess): ChildProcess {
  children.add(proc);
  proc.once('exit', () => children.delete(proc));
  return proc;
}

function stopTarget(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    proc.once('exit', () => resolve());
    proc.kill('SIGKILL');
  });
}

/**
 * A scratch copy of the suite's root for the harness's normal mode: its tests/ (linked), runtest,
 * and a src/redis-server that starts lodis-server (or is the real redis-server, --against redis).
 */
function spawnRoot(tests: string, against: 'lodis' | 'redis'): string {
  const dir = mkdtempSync(`${tmpdir()}/lodis-redis-suite-`);
  symlinkSync(`${tests}/tests`, `${dir}/tests`);
  copyFileSync(`${tests}/runtest`, `${dir}/runtest`);
  chmodSync(`${dir}/runtest`, 0o755);
  mkdirSync(`${dir}/src`);
  const server =
    against === 'redis'
      ? `exec "${process.env.REDIS_SERVER ?? 'redis-server'}" "$@"`
      : `exec "${process.execPath}" "${root}scripts/redis-testsuite-server.mjs" "$@"`;
  writeFileSync(`${dir}/src/redis-server`, `#!/bin/sh\n${server}\n`);
  chmodSync(`${dir}/src/redis-server`, 0o755);
  return dir;
}

// eslint-disable-next-line no-control-regex
const stripColors = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '');

/**
 * The name of the test an exception came from, as a --skiptest pattern: the traceback quotes
 * the test's source (`test {name} {` or `test "name $var" {`); `$var`s become wildcards.
 */
function exceptionTest(output: string): string | null {
  const m = /invoked from within\n"test (\{([^}\n]*)\}|"((?:[^"\\\n]|\\.)*)")/.exec(output);
  if (!m) return null;
  const name = m[2] ?? m[3]!;
  if (!/[$[\\]/.test(name)) return name;
  const escape = (s: string) => s.replace(/[.*+?^(){}|\\[\]]/g, '\\$&');
  return '/^' + name.split(/\$\{?[A-Za-z_:]+\}?|\[[^\]]*\]/).map(escape).join('.*') + '$';
}

async function runUnitOnce(
  tests: string,
  unit: string,
  against: 'lodis' | 'redis',
  skip: string[],
  harnessOptions: string[],
  spawned: string | null,
): Promise<{ out: string; serverLog: string; serverDied: boolean }> {
  let server: Awaited<ReturnType<typeof startTarget>> | null = null;
  if (spawned === null) {
    try {
      server = await startTarget(against);
    } catch (e) {
      return { out: '', serverLog: (e as Error).message, serverDied: true };
    }
  }
  const target = server === null ? ['--clients', '1'] : ['--host', '127.0.0.1', '--port', String(server.port)];
  const args = [...target, '--single', unit, '--tags', DENIED_TAGS.map((t) => `-${t}`).join(' ')];
  args.push('--timeout', String(NO_PROGRESS_TIMEOUT_S));
  for (const s of skip) args.push('--skiptest', s);
  args.push(...harnessOptions);
  let out = '';
  // Its own process group, so the test client it starts (test_helper.tcl --client) goes with it.
  const harness = track(spawn('./runtest', args, { cwd: spawned ?? tests, stdio: ['ignore', 'pipe', 'pipe'], detached: true }));
  harness.stdout!.on('data', (d: Buffer) => (out += d.toString('latin1')));
  harness.stderr!.on('data', (d: Buffer) => (out += d.toString('latin1')));
  let serverDied = false;
  server?.proc.once('exit', () => {
    serverDied = true;
  });
  const timer = setTimeout(() => {
    out += `\n[timeout]: the unit ran longer than ${UNIT_TIMEOUT_MS / 1000} s\n`;
    kill(harness);
  }, UNIT_TIMEOUT_MS);
  await new Promise<void>((resolve) => harness.once('close', () => resolve()));
  clearTimeout(timer);
  const died = serverDied;
  if (server !== null) await stopTarget(server.proc);
  // A spawned server that could not start is in the harness's output ("Can't start the Redis server").
  return { out: stripColors(out), serverLog: server?.log() ?? '', serverDied: died };
}

export async function runUnit(
  tests: string,
  unit: string,
  against: 'lodis' | 'redis',
  { logDir, harnessOptions = [], spawned = null }: { logDir?: string; harnessOptions?: string[]; spawned?: string | null } = {},
): Promise<UnitResult> {
  const t0 = performance.now();
  const exceptions: string[] = [];
  for (let run = 0; ; run++) {
    const { out, serverLog, serverDied } = await runUnitOnce(tests, unit, against, exceptions, harnessOptions, spawned);
    if (logDir !== undefined) {
      mkdirSync(logDir, { recursive: true });
      writeFileSync(`${logDir}/${unit.replace(/\//g, '_')}.${run}.log`, `${out}\n---- server ----\n${serverLog}`);
    }
    const count = (tag: string) => (out.match(new RegExp(`^\\[${tag}\\]: `, 'gm')) ?? []).length;
    const result: UnitResult = {
      unit: spawned === null ? unit : `${unit} (spawned)`,
      passed: count('ok'),
      failed: count('err'),
      errored: exceptions.length,
      skipped: count('skip') + count('ignore'),
      failures: [...out.matchAll(/^\[err\]: (.*?)(?: in tests\/.*)?$/gm)].map((m) => m[1]!),
      exceptions: [...exceptions],
      seconds: 0,
    };
    const exception = /^\[exception\]: (.*)$/m.exec(out);
    let stopped: string | undefined;
    if (serverDied) stopped = `server exited: ${serverLog.trim().split('\n').slice(-3).join(' | ')}`;
    else if (/^\[timeout\]|^\[TIMEOUT\]/m.test(out)) stopped = 'timed out';
    else if (exception) {
      const test = exceptionTest(out);
      const what = exception[1]!.replace(/^Executing test client: /, '').slice(0, 160);
      if (test !== null && !exceptions.includes(test) && run < MAX_RERUNS) {
        exceptions.push(test);
        continue;
      }
      result.errored++;
      stopped = `exception${test ? ` in "${test}"` : ' outside a test'}: ${what}`;
    } else if (!/All tests passed|tests failed/.test(out) && result.passed + result.failed === 0) {
      stopped = `harness: ${out.trim().split('\n').slice(-2).join(' | ').slice(0, 200)}`;
    }
    if (stopped) result.stopped = stopped;
    result.seconds = Math.round((performance.now() - t0) / 1000);
    return result;
  }
}

function printTable(results: UnitResult[], against: string, list: boolean): void {
  const w = Math.max(...results.map((r) => r.unit.length), 4);
  console.log(`\nRedis test suite against ${against} (skipped tags: external:skip ${DENIED_TAGS.join(' ')})\n`);
  console.log(`${'unit'.padEnd(w)}  passed  failed  errored  skipped   time  note`);
  const total = { passed: 0, failed: 0, errored: 0, skipped: 0 };
  for (const r of results) {
    total.passed += r.passed;
    total.failed += r.failed;
    total.errored += r.errored;
    total.skipped += r.skipped;
    const cells = [r.passed, r.failed, r.errored, r.skipped].map((n, i) => String(n).padStart([6, 6, 7, 7][i]!)).join('  ');
    console.log(`${r.unit.padEnd(w)}  ${cells}  ${String(r.seconds).padStart(4)} s  ${r.stopped ?? ''}`);
  }
  const cells = [total.passed, total.failed, total.errored, total.skipped].map((n, i) => String(n).padStart([6, 6, 7, 7][i]!)).join('  ');
  console.log(`${'total'.padEnd(w)}  ${cells}`);
  if (!list) return;
  for (const r of results) {
    if (r.failures.length + r.exceptions.length === 0) continue;
    console.log(`\n${r.unit}:`);
    for (const f of r.failures) console.log(`  failed:  ${f}`);
    for (const e of r.exceptions) console.log(`  errored: ${e}`);
  }
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  let against: 'lodis' | 'redis' = 'lodis';
  let list = false;
  let logDir: string | undefined;
  const harnessOptions: string[] = [];
  let spawnAll = false;
  const units: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--against') {
      const v = argv[++i];
      if (v !== 'lodis' && v !== 'redis') throw new Error('--against lodis|redis');
      against = v;
    } else if (a === '--list') list = true;
    else if (a === '--log') logDir = argv[++i];
    else if (a === '--spawn') spawnAll = true;
    else if (a.startsWith('--')) harnessOptions.push(a);
    else units.push(a.replace(/\.tcl$/, '').replace(/^tests\//, ''));
  }
  const tests = process.env.REDIS_TESTS ?? '/work/redis-tests';
  if (!existsSync(`${tests}/runtest`) || !existsSync(`${tests}/tests/test_helper.tcl`)) {
    console.log(`Redis' test suite is not at ${tests} (set REDIS_TESTS to a checkout of redis 7.0's runtest and tests/): skipped.`);
    return;
  }
  const results: UnitResult[] = [];
  let scratch: string | null = null;
  for (const unit of units.length ? units : [...DEFAULT_UNITS, ...SPAWNED_UNITS]) {
    if (!existsSync(`${tests}/tests/${unit}.tcl`)) {
      console.log(`${unit}: no such unit in ${tests}/tests`);
      continue;
    }
    const spawned = spawnAll || SPAWNED_UNITS.includes(unit) ? (scratch ??= spawnRoot(tests, against)) : null;
    const r = await runUnit(tests, unit, against, { logDir, harnessOptions, spawned });
    console.log(
      `${unit}: ${r.passed} passed, ${r.failed} failed, ${r.errored} errored, ${r.skipped} skipped (${r.seconds} s)${r.stopped ? ` — ${r.stopped}` : ''}`,
    );
    results.push(r);
  }
  if (scratch !== null) rmSync(scratch, { recursive: true, force: true });
  printTable(results, against + (harnessOptions.length ? ` ${harnessOptions.join(' ')}` : ''), list);
}

await main();
