/**
 * INFO (server.c genRedisInfoString) and the counters behind it: per-command calls, rejected and
 * failed calls (INFO commandstats), replies with an error by error code (INFO errorstats).
 *
 * Every section of Redis 7.0 is printed with Redis' field names, in Redis' order. Fields measure
 * what exists here: keys, expiries, hits and misses, commands, errors, clients, pub/sub, the
 * command log (persistence), the memory estimate (evict.ts `usedMemory`). What has no counterpart
 * in one JavaScript context is printed as Redis prints an idle server: CPU times, network bytes,
 * forks, replication offsets, allocator figures are 0; `mem_allocator` is `libc` (the JS heap is
 * no jemalloc); `used_memory_rss` is 0 (a browser cannot read it).
 *
 * Commands are not timed: reading a clock around every command would cost more than many
 * commands take, so `usec` and `usec_per_call` are 0 and Latencystats is empty. Counting is a
 * typed-array increment per command (`RedisCommand.id` indexes the counters).
 *
 * Lodis lists commandstats in name order (containers before their subcommands) and errorstats in
 * byte order of the code, as Redis' rax does; Redis' commandstats follow its dict's hash order.
 */
import type { Client } from './client.js';
import { commandIdCount, type RedisCommand } from './commands.js';
import { configGetValue, lookupConfig } from './config.js';
import type { ReplyError } from './errors.js';
import { REDIS_VERSION } from './networking.js';
import { VerbatimReply, type Reply } from './reply.js';
import { argLatin1, type Arg } from './sds.js';
import type { Engine } from './server.js';

/** Per-command counters, indexed by RedisCommand.id, and error replies by code. */
export class CommandStats {
  calls = new Float64Array(commandIdCount);
  rejectedCalls = new Float64Array(commandIdCount);
  failedCalls = new Float64Array(commandIdCount);
  /** stat_total_error_replies */
  totalErrorReplies = 0;
  /** Error replies by their code (the first word: ERR, WRONGTYPE …): server.errors. */
  readonly errors = new Map<string, number>();

  /** afterErrorReply: count an error reply under its code (the text before the first space, within 32 bytes). */
  countError(e: ReplyError): void {
    this.totalErrorReplies++;
    const text = e.message;
    const space = text.slice(0, 31).indexOf(' ');
    const code = space < 0 ? 'ERR' : text.slice(0, space);
    this.errors.set(code, (this.errors.get(code) ?? 0) + 1);
  }

  /** rejectCommand: refused before it ran (unknown, arity, OOM, MISCONF …); `cmd` null when unknown. */
  rejected(cmd: RedisCommand | null, e: ReplyError): void {
    if (cmd !== null) this.rejectedCalls[cmd.id]!++;
    this.countError(e);
  }

  /** resetCommandTableStats + resetErrorTableStats (CONFIG RESETSTAT). */
  reset(): void {
    this.calls = new Float64Array(commandIdCount);
    this.rejectedCalls = new Float64Array(commandIdCount);
    this.failedCalls = new Float64Array(commandIdCount);
    this.totalErrorReplies = 0;
    this.errors.clear();
  }
}

type InfoFields = [string, string | number][];

/** What INFO reads that other modules may add to the engine (evict.ts: usedMemory, stat.evictedKeys). */
interface EngineExtras {
  usedMemory?: () => number;
  stat: Engine['stat'] & { evictedKeys?: number; numConnections?: number };
}

/** Per-engine values INFO keeps for itself: the run id, replication id and peak memory. */
interface InfoState {
  runId: string;
  replId: string;
  peakMemory: number;
}
const infoStates = new WeakMap<Engine, InfoState>();
function infoState(e: Engine): InfoState {
  let s = infoStates.get(e);
  if (s === undefined) infoStates.set(e, (s = { runId: randomHex(e, 40), replId: randomHex(e, 40), peakMemory: 0 }));
  return s;
}
function randomHex(e: Engine, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += Math.floor(e.random() * 16).toString(16);
  return s;
}

const setting = (e: Engine, name: string): string => configGetValue(e, lookupConfig(name)!);

/** bytesToHuman */
export function bytesToHuman(n: number): string {
  const units = ['K', 'M', 'G', 'T', 'P'];
  if (n < 1024) return `${n}B`;
  for (let i = 0; i < units.length; i++) {
    if (n < 1024 ** (i + 2)) return `${(n / 1024 ** (i + 1)).toFixed(2)}${units[i]}`;
  }
  return `${n}B`;
}

function infoServer(e: Engine): InfoFields {
  const now = e.clock();
  const uptime = Math.max(0, Math.floor((now - e.startTime) / 1000));
  return [
    ['redis_version', REDIS_VERSION],
    ['redis_git_sha1', '00000000'],
    ['redis_git_dirty', 0],
    ['redis_build_id', '0'],
    ['redis_mode', 'standalone'],
    ['os', 'Lodis'],
    ['arch_bits', 64],
    ['monotonic_clock', 'engine clock'],
    ['multiplexing_api', 'none'],
    ['atomicvar_api', 'none'],
    ['gcc_version', '0.0.0'],
    ['process_id', 0],
    ['process_supervised', 'no'],
    ['run_id', infoState(e).runId],
    ['tcp_port', setting(e, 'port')],
    ['server_time_usec', Math.floor(now * 1000)],
    ['uptime_in_seconds', uptime],
    ['uptime_in_days', Math.floor(uptime / 86400)],
    ['hz', e.config.hz],
    ['configured_hz', e.config.hz],
    ['lru_clock', Math.floor(now / 1000) % 2 ** 24],
    ['executable', ''],
    ['config_file', ''],
    ['io_threads_active', 0],
  ];
}

function infoClients(e: Engine): InfoFields {
  let inTimeoutTable = 0;
  if (e.blocking.count !== 0) for (const c of e.clients.values()) if (c.blocked !== null && c.blocked.deadline !== 0) inTimeoutTable++;
  return [
    ['connected_clients', e.clients.size],
    ['cluster_connections', 0],
    ['maxclients', setting(e, 'maxclients')],
    ['client_recent_max_input_buffer', 0],
    ['client_recent_max_output_buffer', 0],
    ['blocked_clients', e.blocking.count],
    ['tracking_clients', 0],
    ['clients_in_timeout_table', inTimeoutTable],
  ];
}

function infoMemory(e: Engine): InfoFields {
  const used = (e as unknown as EngineExtras).usedMemory?.() ?? 0;
  const state = infoState(e);
  if (used > state.peakMemory) state.peakMemory = used;
  const peak = state.peakMemory;
  const maxmemory = Number(setting(e, 'maxmemory'));
  const perc = (a: number, b: number) => `${(b === 0 ? 0 : (a / b) * 100).toFixed(2)}%`;
  return [
    ['used_memory', used],
    ['used_memory_human', bytesToHuman(used)],
    ['used_memory_rss', 0],
    ['used_memory_rss_human', '0B'],
    ['used_memory_peak', peak],
    ['used_memory_peak_human', bytesToHuman(peak)],
    ['used_memory_peak_perc', perc(used, peak)],
    ['used_memory_overhead', 0],
    ['used_memory_startup', 0],
    ['used_memory_dataset', used],
    ['used_memory_dataset_perc', perc(used, used)],
    ['allocator_allocated', 0],
    ['allocator_active', 0],
    ['allocator_resident', 0],
    ['total_system_memory', 0],
    ['total_system_memory_human', '0B'],
    ['used_memory_lua', 0],
    ['used_memory_vm_eval', 0],
    ['used_memory_lua_human', '0B'],
    ['used_memory_scripts_eval', 0],
    ['number_of_cached_scripts', 0],
    ['number_of_functions', 0],
    ['number_of_libraries', 0],
    ['used_memory_vm_functions', 0],
    ['used_memory_vm_total', 0],
    ['used_memory_vm_total_human', '0B'],
    ['used_memory_functions', 0],
    ['used_memory_scripts', 0],
    ['used_memory_scripts_human', '0B'],
    ['maxmemory', maxmemory],
    ['maxmemory_human', bytesToHuman(maxmemory)],
    ['maxmemory_policy', e.config.maxmemoryPolicy],
    ['allocator_frag_ratio', '0.00'],
    ['allocator_frag_bytes', 0],
    ['allocator_rss_ratio', '0.00'],
    ['allocator_rss_bytes', 0],
    ['rss_overhead_ratio', '0.00'],
    ['rss_overhead_bytes', 0],
    ['mem_fragmentation_ratio', '0.00'],
    ['mem_fragmentation_bytes', 0],
    ['mem_not_counted_for_evict', 0],
    ['mem_replication_backlog', 0],
    ['mem_total_replication_buffers', 0],
    ['mem_clients_slaves', 0],
    ['mem_clients_normal', 0],
    ['mem_cluster_links', 0],
    ['mem_aof_buffer', 0],
    ['mem_allocator', 'libc'],
    ['active_defrag_running', 0],
    ['lazyfree_pending_objects', 0],
    ['lazyfreed_objects', 0],
  ];
}

/** The persistence section: the command log's state, or Redis' fields of a server that persists nothing. */
function infoPersistence(e: Engine): InfoFields {
  const log = e.commandLog;
  if (log !== null) return log.infoFields();
  return [
    ['loading', e.loading ? 1 : 0],
    ['async_loading', 0],
    ['current_cow_peak', 0],
    ['current_cow_size', 0],
    ['current_cow_size_age', 0],
    ['current_fork_perc', '0.00'],
    ['current_save_keys_processed', 0],
    ['current_save_keys_total', 0],
    ['rdb_changes_since_last_save', e.dirty],
    ['rdb_bgsave_in_progress', 0],
    ['rdb_last_save_time', e.lastSave],
    ['rdb_last_bgsave_status', 'ok'],
    ['rdb_last_bgsave_time_sec', -1],
    ['rdb_current_bgsave_time_sec', -1],
    ['rdb_saves', 0],
    ['rdb_last_cow_size', 0],
    ['rdb_last_load_keys_expired', 0],
    ['rdb_last_load_keys_loaded', 0],
    ['aof_enabled', 0],
    ['aof_rewrite_in_progress', 0],
    ['aof_rewrite_scheduled', 0],
    ['aof_last_rewrite_time_sec', -1],
    ['aof_current_rewrite_time_sec', -1],
    ['aof_last_bgrewrite_status', 'ok'],
    ['aof_rewrites', 0],
    ['aof_rewrites_consecutive_failures', 0],
    ['aof_last_write_status', 'ok'],
    ['aof_last_cow_size', 0],
    ['module_fork_in_progress', 0],
    ['module_fork_last_cow_size', 0],
  ];
}

function infoStats(e: Engine): InfoFields {
  const s = (e as unknown as EngineExtras).stat;
  return [
    ['total_connections_received', s.numConnections ?? 0],
    ['total_commands_processed', s.numCommands],
    ['instantaneous_ops_per_sec', 0],
    ['total_net_input_bytes', 0],
    ['total_net_output_bytes', 0],
    ['total_net_repl_input_bytes', 0],
    ['total_net_repl_output_bytes', 0],
    ['instantaneous_input_kbps', '0.00'],
    ['instantaneous_output_kbps', '0.00'],
    ['instantaneous_input_repl_kbps', '0.00'],
    ['instantaneous_output_repl_kbps', '0.00'],
    ['rejected_connections', s.rejectedConnections ?? 0],
    ['sync_full', 0],
    ['sync_partial_ok', 0],
    ['sync_partial_err', 0],
    ['expired_keys', s.expiredKeys],
    ['expired_stale_perc', '0.00'],
    ['expired_time_cap_reached_count', 0],
    ['expire_cycle_cpu_milliseconds', 0],
    ['evicted_keys', s.evictedKeys ?? 0],
    ['evicted_clients', 0],
    ['total_eviction_exceeded_time', 0],
    ['current_eviction_exceeded_time', 0],
    ['keyspace_hits', s.keyspaceHits],
    ['keyspace_misses', s.keyspaceMisses],
    ['pubsub_channels', e.pubsub.channels.size],
    ['pubsub_patterns', e.pubsub.patterns.size],
    ['pubsubshard_channels', e.pubsub.shardChannels.size],
    ['latest_fork_usec', 0],
    ['total_forks', 0],
    ['migrate_cached_sockets', 0],
    ['slave_expires_tracked_keys', 0],
    ['active_defrag_hits', 0],
    ['active_defrag_misses', 0],
    ['active_defrag_key_hits', 0],
    ['active_defrag_key_misses', 0],
    ['total_active_defrag_time', 0],
    ['current_active_defrag_time', 0],
    ['tracking_total_keys', 0],
    ['tracking_total_items', 0],
    ['tracking_total_prefixes', 0],
    ['unexpected_error_replies', 0],
    ['total_error_replies', e.cmdStats.totalErrorReplies],
    ['dump_payload_sanitizations', 0],
    ['total_reads_processed', 0],
    ['total_writes_processed', 0],
    ['io_threaded_reads_processed', 0],
    ['io_threaded_writes_processed', 0],
    ['reply_buffer_shrinks', 0],
    ['reply_buffer_expands', 0],
  ];
}

function infoReplication(e: Engine): InfoFields {
  const out: InfoFields = [['role', 'master'], ['connected_slaves', 0]];
  if (setting(e, 'min-replicas-to-write') !== '0' && setting(e, 'min-replicas-max-lag') !== '0') out.push(['min_slaves_good_slaves', 0]);
  out.push(
    ['master_failover_state', 'no-failover'],
    ['master_replid', infoState(e).replId],
    ['master_replid2', '0'.repeat(40)],
    ['master_repl_offset', 0],
    ['second_repl_offset', -1],
    ['repl_backlog_active', 0],
    ['repl_backlog_size', setting(e, 'repl-backlog-size')],
    ['repl_backlog_first_byte_offset', 0],
    ['repl_backlog_histlen', 0],
  );
  return out;
}

function infoCpu(): InfoFields {
  return [
    ['used_cpu_sys', '0.000000'],
    ['used_cpu_user', '0.000000'],
    ['used_cpu_sys_children', '0.000000'],
    ['used_cpu_user_children', '0.000000'],
    ['used_cpu_sys_main_thread', '0.000000'],
    ['used_cpu_user_main_thread', '0.000000'],
  ];
}

/** Commands by name, each container followed by its subcommands. */
function commandsInOrder(e: Engine): RedisCommand[] {
  const out: RedisCommand[] = [];
  const byName = (a: RedisCommand, b: RedisCommand) => (a.fullname < b.fullname ? -1 : a.fullname > b.fullname ? 1 : 0);
  for (const cmd of [...e.commands.values()].sort(byName)) {
    out.push(cmd);
    if (cmd.subcommands !== null) out.push(...[...cmd.subcommands.values()].sort(byName));
  }
  return out;
}

/** cmdstat_<name>:calls=…,usec=0,usec_per_call=0.00,rejected_calls=…,failed_calls=… for each command used. */
function infoCommandStats(e: Engine): InfoFields {
  const s = e.cmdStats;
  const out: InfoFields = [];
  for (const cmd of commandsInOrder(e)) {
    const calls = s.calls[cmd.id] ?? 0;
    const rejected = s.rejectedCalls[cmd.id] ?? 0;
    const failed = s.failedCalls[cmd.id] ?? 0;
    if (calls || rejected || failed) {
      out.push([`cmdstat_${safeInfoString(cmd.fullname)}`, `calls=${calls},usec=0,usec_per_call=0.00,rejected_calls=${rejected},failed_calls=${failed}`]);
    }
  }
  return out;
}

function infoErrorStats(e: Engine): InfoFields {
  return [...e.cmdStats.errors]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([code, n]) => [`errorstat_${safeInfoString(code)}`, `count=${n}`]);
}

/** getSafeInfoString: '#', ':', CR and LF would break the format; Redis prints '_' instead. */
function safeInfoString(s: string): string {
  return s.replace(/[#:\r\n]/g, '_');
}

/** db<n>:keys=…,expires=…,avg_ttl=0 for each database with keys (Lodis keeps no avg_ttl estimate). */
function infoKeyspace(e: Engine): InfoFields {
  return e.dbs
    .filter((db) => db.dict.size !== 0 || db.expires.size !== 0)
    .map((db) => [`db${db.id}`, `keys=${db.dict.size},expires=${db.expires.size},avg_ttl=0`]);
}

/** Sections in Redis' order: name, title, whether in `default`, the fields. */
const INFO_SECTIONS: [string, string, boolean, (e: Engine) => InfoFields][] = [
  ['server', 'Server', true, infoServer],
  ['clients', 'Clients', true, infoClients],
  ['memory', 'Memory', true, infoMemory],
  ['persistence', 'Persistence', true, infoPersistence],
  ['stats', 'Stats', true, infoStats],
  ['replication', 'Replication', true, infoReplication],
  ['cpu', 'CPU', true, infoCpu],
  ['modules', 'Modules', true, () => []],
  ['commandstats', 'Commandstats', false, infoCommandStats],
  ['errorstats', 'Errorstats', true, infoErrorStats],
  ['latencystats', 'Latencystats', false, () => []],
  ['cluster', 'Cluster', true, () => [['cluster_enabled', 0]]],
  ['keyspace', 'Keyspace', true, infoKeyspace],
];

/**
 * genRedisInfoString: the sections named (case-insensitive; `default`, `all`, `everything`; the
 * Modules section is `modules` or `module_list`), in Redis' order; unknown names add nothing.
 */
export function genRedisInfoString(e: Engine, names: readonly string[]): string {
  const asked = new Set(names.map((n) => n.toLowerCase()));
  const all = asked.has('all') || asked.has('everything');
  const dflt = names.length === 0 || asked.has('default');
  let out = '';
  for (const [name, title, isDefault, fields] of INFO_SECTIONS) {
    const wanted = all || (dflt && isDefault) || asked.has(name) || (name === 'modules' && asked.has('module_list'));
    if (!wanted) continue;
    if (out !== '') out += '\r\n';
    out += `# ${title}\r\n`;
    for (const [k, v] of fields(e)) out += `${k}:${v}\r\n`;
  }
  return out;
}

/** INFO [section [section ...]] — section names are read as C strings (up to a NUL byte). */
export function infoCommand(c: Client, argv: Arg[]): Reply {
  return new VerbatimReply(genRedisInfoString(c.engine, argv.slice(1).map((a) => argLatin1(a).split('\0')[0]!)));
}
