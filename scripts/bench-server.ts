/**
 * `npm run bench:server` (and the last table of `npm run bench`, unless --no-server) — lodis-server
 * next to redis-server 7.0 under `redis-benchmark`, in the same run (issue 11, "Benchmark"):
 * SET GET INCR LPUSH RPOP SADD HSET ZADD XADD, with 50 clients one request at a time (`-c 50`) and
 * 32 requests in flight per client (`-c 50 -P 32`); one table of requests per second, redis-server
 * then lodis-server and their ratio, against the targets (≥ 0.7× unpipelined, ≥ 0.5× pipelined).
 *
 *   npm run bench:server
 *   npx tsx scripts/bench-server.ts --seconds=0.5 --repeat=1 --only=SET,GET   # quicker
 *   npm run bench -- --no-server                                 # skip it in `npm run bench`
 *
 * Both servers are child processes started as users start them: `redis-server --save ''
 * --appendonly no` and `npx lodis-server` (in memory). A cell is the median of --repeat (3)
 * redis-benchmark runs, each long enough to take ~--seconds (1.5) on its server — a short run
 * first measures the rate (and warms lodis-server's JIT) — the two servers taking turns run by
 * run, so load from other processes falls on both (it moves single runs by ±30% on a shared
 * 2-core machine). Keys are random over
 * 100,000 (`-r 100000`; redis-benchmark's own tests then hit 100k keys, not one); XADD is the
 * custom command `xadd mystream * field value`. The keyspace is emptied before each command,
 * except that GET reads what SET wrote and RPOP pops what LPUSH pushed, as in redis-benchmark's
 * own order. redis-benchmark runs on the same machine: on 2 cores it takes one, so each server
 * has the other (and lodis-server's Node also runs its GC and I/O threads there).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const argv = process.argv.slice(2);
const option = (name: string) => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const SECONDS = Number(option('seconds') ?? 1.5);
const REPEAT = Number(option('repeat') ?? 3);
const CLIENTS = Number(option('clients') ?? 50);
const PIPELINE = Number(option('pipeline') ?? 32);
const KEYSPACE = 100_000;
const root = fileURLToPath(new URL('..', import.meta.url));

interface Bench {
  name: string;
  /** redis-benchmark's arguments for this command: `-t <test>` or a command line. */
  args: string[];
  /** Start from an empty keyspace (false: the command reads what the one before wrote). */
  flush: boolean;
}

const ALL: Bench[] = [
  { name: 'SET', args: ['-t', 'set'], flush: true },
  { name: 'GET', args: ['-t', 'get'], flush: false },
  { name: 'INCR', args: ['-t', 'incr'], flush: true },
  { name: 'LPUSH', args: ['-t', 'lpush'], flush: true },
  { name: 'RPOP', args: ['-t', 'rpop'], flush: false },
  { name: 'SADD', args: ['-t', 'sadd'], flush: true },
  { name: 'HSET', args: ['-t', 'hset'], flush: true },
  { name: 'ZADD', args: ['-t', 'zadd'], flush: true },
  { name: 'XADD', args: ['xadd', 'mystream', '*', 'field', 'value'], flush: true },
];
const only = option('only')?.toUpperCase().split(',');
const BENCHES = only ? ALL.filter((b) => only.includes(b.name)) : ALL;

interface Mode {
  label: string;
  pipeline: number;
  /** Requests of the short run that measures the rate. */
  probe: number;
  target: number;
}
const MODES: Mode[] = [
  { label: `-c ${CLIENTS}`, pipeline: 1, probe: 30_000, target: 0.7 },
  { label: `-c ${CLIENTS} -P ${PIPELINE}`, pipeline: PIPELINE, probe: 300_000, target: 0.5 },
];

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** Run a program to its end; its stdout, or a rejection with its stderr. */
function run(cmd: string, args: string[], timeoutMs = 600_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => (out += d));
    p.stderr.on('data', (d: Buffer) => (err += d));
    const t = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.on('error', reject);
    p.on('close', (code) => {
      clearTimeout(t);
      if (code === 0) resolve(out);
      else reject(new Error(`${cmd} ${args.join(' ')}: exit ${code}\n${err}`));
    });
  });
}

interface Server {
  name: string;
  port: number;
  proc: ChildProcess;
}

async function ready(port: number, proc: ChildProcess, name: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (proc.exitCode !== null) throw new Error(`${name} exited (${proc.exitCode})`);
    try {
      if ((await run('redis-cli', ['-p', String(port), 'PING'], 5000)).trim() === 'PONG') return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${name} did not start on port ${port}`);
}

async function startRedis(): Promise<Server> {
  const port = await freePort();
  const proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  await ready(port, proc, 'redis-server');
  return { name: 'redis-server', port, proc };
}

/** `npx lodis-server --port P`, in a process group of its own (npx → sh → node), so it can be stopped whole. */
async function startLodis(): Promise<Server> {
  const port = await freePort();
  const proc = spawn('npx', ['lodis-server', '--port', String(port)], { cwd: root, stdio: 'ignore', detached: true });
  await ready(port, proc, 'lodis-server');
  return { name: 'lodis-server', port, proc };
}

function stop(s: Server): void {
  try {
    if (s.proc.pid !== undefined) process.kill(-s.proc.pid, 'SIGKILL');
  } catch {
    s.proc.kill('SIGKILL');
  }
}

/** One redis-benchmark run: requests per second. */
async function benchmark(port: number, b: Bench, mode: Mode, requests: number): Promise<number> {
  const out = await run('redis-benchmark', [
    '-p', String(port),
    '-c', String(CLIENTS),
    '-n', String(requests),
    '-P', String(mode.pipeline),
    '-r', String(KEYSPACE),
    '--csv',
    ...b.args,
  ]);
  const line = out.trim().split('\n').at(-1) ?? '';
  const rps = Number(line.split(',')[1]?.replaceAll('"', ''));
  if (!Number.isFinite(rps)) throw new Error(`redis-benchmark printed no rate:\n${out}`);
  return rps;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

/**
 * A pair of cells: a probe run on each server, then REPEAT runs of ~SECONDS on each, taking turns
 * (so a burst of load from elsewhere hits both), and each server's median.
 */
async function cells(servers: Server[], b: Bench, mode: Mode): Promise<number[]> {
  const n: number[] = [];
  for (const s of servers) {
    const probe = await benchmark(s.port, b, mode, mode.probe);
    n.push(Math.max(mode.probe, Math.round((probe * SECONDS) / 1000) * 1000));
  }
  const runs: number[][] = servers.map(() => []);
  for (let r = 0; r < REPEAT; r++) {
    for (const [i, s] of servers.entries()) runs[i]!.push(await benchmark(s.port, b, mode, n[i]!));
  }
  return runs.map(median);
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

async function main(): Promise<void> {
  try {
    await run('redis-benchmark', ['--version'], 10_000);
  } catch {
    console.log('\nlodis-server vs redis-server: skipped (redis-benchmark is not installed: apt-get install redis-tools)');
    return;
  }
  const started = performance.now();
  const [redis, lodis] = await Promise.all([startRedis(), startLodis()]);
  const results = new Map<string, number>();
  try {
    for (const b of BENCHES) {
      for (const s of [redis, lodis]) {
        if (b.flush) await run('redis-cli', ['-p', String(s.port), 'FLUSHALL']);
      }
      for (const mode of MODES) {
        const rps = await cells([redis, lodis], b, mode);
        for (const [i, s] of [redis, lodis].entries()) {
          results.set(`${b.name}|${mode.label}|${s.name}`, rps[i]!);
          if (argv.includes('--verbose')) console.error(`${b.name} ${mode.label} ${s.name}: ${fmt(rps[i]!)} rps`);
        }
      }
    }
  } finally {
    stop(redis);
    stop(lodis);
  }

  const cpus = os.cpus().length;
  console.log(
    `\nlodis-server (npx lodis-server, in memory) vs redis-server 7.0 (--save '' --appendonly no) under redis-benchmark, ` +
      `-r ${fmt(KEYSPACE)}, requests/s: the median of ${REPEAT} runs of ~${SECONDS} s, the two servers taking turns`,
  );
  console.log(
    `This machine has ${cpus} core${cpus === 1 ? '' : 's'}, ${os.cpus()[0]?.model ?? ''}; redis-benchmark runs on it too and takes one, ` +
      `so each server gets ${cpus <= 2 ? 'the other' : 'the rest'}.`,
  );
  const head = ['command', ...MODES.flatMap((m) => [`${m.label}: redis`, 'lodis', 'ratio'])];
  const rows = BENCHES.map((b) => [
    b.name,
    ...MODES.flatMap((m) => {
      const r = results.get(`${b.name}|${m.label}|redis-server`)!;
      const l = results.get(`${b.name}|${m.label}|lodis-server`)!;
      return [fmt(r), fmt(l), `${(l / r).toFixed(2)}×`];
    }),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(line(head));
  for (const r of rows) console.log(line(r));
  for (const m of MODES) {
    const ratios = BENCHES.map((b) => results.get(`${b.name}|${m.label}|lodis-server`)! / results.get(`${b.name}|${m.label}|redis-server`)!);
    const met = ratios.filter((x) => x >= m.target).length;
    const geo = Math.exp(ratios.reduce((a, x) => a + Math.log(x), 0) / ratios.length);
    console.log(`${m.label}: target ≥ ${m.target}× redis-server — met by ${met}/${ratios.length} commands (geometric mean ${geo.toFixed(2)}×)`);
  }
  console.log(`(server bench took ${((performance.now() - started) / 1000).toFixed(0)} s)`);
}

await main();
