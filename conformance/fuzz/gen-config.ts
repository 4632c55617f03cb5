/**
 * The differential run's settings and introspection commands (config.c, networking.c): CONFIG
 * SET and GET of settings that change nothing either side's replies depend on, with valid and
 * invalid values of every kind (yes/no, enums, bit flags, bounded integers, memory units,
 * save points, buffer limits), several pairs at once (all or nothing, duplicates, unknown and
 * immutable names); CONFIG GET with patterns (compared as sets of pairs: Redis' order is its
 * dict's hash order); CLIENT SETNAME/GETNAME/NO-EVICT/GETREDIR/TRACKINGINFO/CACHING.
 *
 * Left out on purpose: what would make the two servers' data or replies differ for reasons
 * that are not bugs, or stop the run — maxmemory (Redis' memory is not Lodis' estimate,
 * evictions would differ), maxmemory-clients (Redis would evict the run's own connections),
 * CLIENT KILL, UNBLOCK, PAUSE and LIST (the driver's mutations put numbers in place of the
 * arguments: client ids, which differ between the sides, and pause times),
 * the listpack/intset limits (Redis re-encodes, Lodis does not: SCAN and random replies
 * change), oom-score-adj and its values (whether Redis may write /proc/self/oom_score_adj
 * depends on the machine), timeout, port, bind, dir, save and appendonly (they act on the Redis process),
 * proto-max-bulk-len and client-query-buffer-limit, and notify-keyspace-events (the event
 * streams are compared by the subscriber sessions; a run that wants them sets it once).
 *
 * To hook in: `import { CONFIG_COMMANDS } from './gen-config.js'` in generators.ts and spread
 * it into COMMANDS (`...CONFIG_COMMANDS`). After a run, CONFIG SET on the Redis side has
 * changed only settings that the next run's fresh server starts without.
 */
import type { CommandSpec } from './generators.js';
import { stringmatchlen } from '../../packages/core/src/util.js';
import type { Gen, Arg } from './values.js';

/** Settings CONFIG SET may change in a run, with the values it tries (valid and not). */
const SETTABLE: Record<string, readonly string[]> = {
  hz: ['1', '10', '100', '500', '1000', '0', '-1', '2147483648', 'x', '1.5', ''],
  'maxmemory-policy': ['noeviction', 'allkeys-lru', 'VOLATILE-LFU', 'allkeys-random', 'volatile-ttl', 'lru', '', 'noeviction noeviction'],
  'maxmemory-samples': ['1', '5', '10', '64', '0', '-1', 'x'],
  'maxmemory-eviction-tenacity': ['0', '10', '100', '101', '-1'],
  'lfu-log-factor': ['0', '10', '255', '-1', '2147483647', '2147483648'],
  'lfu-decay-time': ['0', '1', '60', '-1'],
  activerehashing: ['yes', 'no', 'YES', 'No', '1', ''],
  'lazyfree-lazy-user-del': ['yes', 'no', 'maybe'],
  loglevel: ['debug', 'verbose', 'notice', 'warning', 'WARNING', 'loud'],
  appendfsync: ['always', 'everysec', 'no', 'sometimes'],
  'shutdown-on-sigint': ['default', 'save', 'nosave', 'save force now', 'force now', 'save nosave', '', 'save  now', 'bogus'],
  'slowlog-log-slower-than': ['-1', '0', '10000', '-2', '9223372036854775807', '9223372036854775808'],
  'slowlog-max-len': ['0', '128', '-1'],
  'latency-monitor-threshold': ['0', '100', '-1'],
  'repl-backlog-size': ['1', '1mb', '0', '16kb', 'x'],
  'repl-backlog-ttl': ['0', '3600', '-1'],
  'auto-aof-rewrite-min-size': ['0', '64mb', '1g', '1.5g'],
  'active-expire-effort': ['1', '10', '11', '0'],
  'cluster-announce-hostname': ['', 'host.example', 'bad host', 'under_score', 'a'.repeat(300)],
  'proc-title-template': ['{title} {listen-addr} {server-mode}', '{title} {port}', '{title} {nosuch}', '{title', '{title}', '{{x}} {title}'],
  // Limits Redis enforces on the run's own connections: only generous ones.
  'client-output-buffer-limit': [
    'normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60',
    'pubsub 64mb 32mb 60',
    'replica 1gb 512mb 6 normal 0 0 0',
    'master 1 2 3',
    'normal 1 2',
    'normal x 2 3',
    'pubsub 1gb 1gb -1',
    '',
  ],
  'latency-tracking-info-percentiles': ['50 99 99.9', '50', '0.5 1e1', '', '101', 'x'],
  'replica-read-only': ['yes', 'no'],
  'slave-read-only': ['yes', 'no'],
};

/** Names CONFIG SET refuses (immutable, protected) or does not know. */
const REFUSED = ['daemonize', 'databases', 'dbfilename', 'dir', 'enable-debug-command', 'cluster-enabled', 'nosuch', 'MAXMEMORY-SAMPLES', ''];

const GET_PATTERNS: Arg[] = [
  'hz', 'HZ', 'maxmemory*', 'lfu-*', '*policy*', 'slave-*', 'replica-*', '*-max-*', 'lazyfree*', 'nosuch', '', '*ziplist*',
  'key-load-delay', 'key-load*', '[lm]*', 'shutdown-on-*', 'latency-*', 'client-*', 'proc-*', 'active*',
];

const settable = Object.keys(SETTABLE);

/** Settings whose values describe the server process, not Redis: they differ between the sides. */
const PROCESS_SETTINGS = ['port', 'bind', 'dir', 'save', 'pidfile', 'logfile', 'daemonize', 'maxclients', 'enable-protected-configs'];

/** One name/value pair: mostly a settable setting with one of its values. */
function pair(g: Gen): Arg[] {
  if (g.chance(0.08)) return [g.pick(REFUSED), g.pick(['yes', '1', 'x'])];
  const name = g.pick(settable);
  return [g.chance(0.1) ? name.toUpperCase() : name, g.pick(SETTABLE[name]!)];
}

export const CONFIG_COMMANDS: readonly CommandSpec[] = [
  {
    name: 'CONFIG',
    family: 'server',
    weight: 0.8,
    argv: (g) => {
      const n = g.chance(0.7) ? 1 : g.int(2, 4);
      const args: Arg[] = [];
      for (let i = 0; i < n; i++) args.push(...pair(g));
      // A duplicate now and then (an alias and its name are not duplicates).
      if (n > 1 && g.chance(0.15)) args.push(args[0]!, args[1]!);
      return ['CONFIG', 'SET', ...args];
    },
  },
  {
    name: 'CONFIG',
    family: 'server',
    weight: 0.8,
    argv: (g) => ['CONFIG', 'GET', ...Array.from({ length: g.int(1, 3) }, () => g.pick(GET_PATTERNS))],
    // Several matches come in Redis' dict order. A pattern the driver's mutation made up may match
    // a setting that describes the Redis process (its port, directory …): then only the shape counts.
    plan: (argv) => ({
      policy: argv.slice(2).some((a) => PROCESS_SETTINGS.some((name) => stringmatchlen(typeof a === 'string' ? a : '', name, true)))
        ? { kind: 'shape' }
        : { kind: 'unordered', rows: 2 },
    }),
  },
  {
    name: 'CLIENT',
    family: 'server',
    weight: 0.5,
    argv: (g) =>
      g.rng.weighted<() => Arg[]>([
        [3, () => ['CLIENT', 'SETNAME', g.pick(['conn', '', 'a b', 'é', 'x'.repeat(40), '~!@#'])]],
        [3, () => ['CLIENT', 'GETNAME']],
        [1, () => ['CLIENT', 'NO-EVICT', g.pick(['on', 'OFF', 'maybe'])]],
        [1, () => ['CLIENT', 'GETREDIR']],
        [1, () => ['CLIENT', 'TRACKINGINFO']],
        [1, () => ['CLIENT', 'CACHING', g.pick(['yes', 'no'])]],
      ])(),
  },
];
