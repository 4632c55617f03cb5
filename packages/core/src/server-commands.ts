/**
 * Server and connection commands (server.c): PING, ECHO, TIME, INFO and COMMAND with its
 * subcommands.
 */
import type { Client } from './client.js';
import type { CommandInfoData } from './command-info.js';
import { implementedSubcommands, type CommandHandlers, type RedisCommand } from './commands.js';
import { err, unknownSubcommandErr, wrongArityErr } from './errors.js';
import { PONG, Status, type Reply } from './reply.js';
import { argLatin1, type Arg } from './sds.js';
import { stringmatchlen } from './util.js';

/** PING [message] — in RESP2 subscribed mode the reply is ["pong", message]. */
function pingCommand(c: Client, argv: Arg[]): Reply {
  if (argv.length > 2) throw wrongArityErr('ping');
  if (c.resp === 2 && c.subscriptionCount > 0) return ['pong', argv.length === 2 ? argv[1]! : ''];
  return argv.length === 2 ? argv[1]! : PONG;
}

/** ECHO message */
function echoCommand(_c: Client, argv: Arg[]): Reply {
  return argv[1]!;
}

/** TIME — [unix seconds, microseconds] as bulk strings. */
function timeCommand(c: Client): Reply {
  const ms = c.engine.clock();
  const s = Math.floor(ms / 1000);
  return [String(s), String(Math.floor((ms - s * 1000) * 1000))];
}

/** The COMMAND INFO entry of a command as a reply, listing only implemented subcommands. */
function commandInfoReply(cmd: RedisCommand): Reply {
  const info = cmd.info;
  const toReply = (x: unknown): Reply =>
    typeof x === 'string' && x.startsWith('+')
      ? new Status(x.slice(1))
      : Array.isArray(x)
        ? x.map(toReply)
        : (x as Reply);
  const subs = cmd.subcommands ? implementedSubcommands(cmd).map(commandInfoReply) : [];
  return [...(info.slice(0, 9) as unknown[]).map(toReply), subs];
}

/** COMMAND — every implemented command's info. */
function commandCommand(c: Client, argv: Arg[]): Reply {
  if (argv.length > 1) throw unknownSubcommandErr(argLatin1(argv[1]!), 'command');
  return [...c.engine.commands.values()].map(commandInfoReply);
}

/** COMMAND COUNT */
function commandCountCommand(c: Client): Reply {
  return c.engine.commands.size;
}

/** COMMAND LIST [FILTERBY MODULE name | ACLCAT category | PATTERN pattern] */
function commandListCommand(c: Client, argv: Arg[]): Reply {
  const names = [...c.engine.commands.values()].flatMap((cmd) => [
    cmd.fullname,
    ...(cmd.subcommands ? implementedSubcommands(cmd).map((s) => s.fullname) : []),
  ]);
  if (argv.length === 2) return names;
  if (argv.length !== 5 || argLatin1(argv[2]!).toLowerCase() !== 'filterby') throw err('syntax error');
  const kind = argLatin1(argv[3]!).toLowerCase();
  const value = argLatin1(argv[4]!);
  if (kind === 'module') return [];
  if (kind === 'aclcat') {
    const cat = '+@' + value.toLowerCase();
    return names.filter((n) => infoOf(c, n)?.[6].includes(cat));
  }
  if (kind === 'pattern') return names.filter((n) => stringmatchlen(value, n, true));
  throw err('syntax error');
}

function infoOf(c: Client, fullname: string): CommandInfoData | undefined {
  const [name, sub] = fullname.split('|') as [string, string?];
  const cmd = c.engine.commands.get(name);
  return sub === undefined ? cmd?.info : cmd?.subcommands?.get(sub)?.info;
}


/** COMMAND INFO [command-name …] — null for names Lodis does not implement. */
function commandInfoCommand(c: Client, argv: Arg[]): Reply {
  if (argv.length === 2) return commandCommand(c, argv.slice(0, 1));
  return argv.slice(2).map((a) => {
    const name = argLatin1(a).toLowerCase();
    const info = infoOf(c, name);
    if (!info) return null;
    const [base, sub] = name.split('|') as [string, string?];
    const cmd = c.engine.commands.get(base)!;
    const target = sub === undefined ? cmd : cmd.subcommands!.get(sub)!;
    return target.handler || target.subcommands ? commandInfoReply(target) : null;
  });
}


// ---- INFO ------------------------------------------------------------------------------------

type InfoFields = [string, string | number][];

/** Redis' INFO server fields that mean something here (the version Lodis is compatible with). */
function infoServer(c: Client): InfoFields {
  const e = c.engine;
  const now = e.clock();
  const uptime = Math.max(0, Math.floor((now - e.startTime) / 1000));
  let runId = runIds.get(e);
  if (runId === undefined) runIds.set(e, (runId = randomHex(40)));
  return [
    ['redis_version', '7.0.15'],
    ['redis_git_sha1', '00000000'],
    ['redis_git_dirty', 0],
    ['redis_mode', 'standalone'],
    ['arch_bits', 64],
    ['run_id', runId],
    ['tcp_port', 0],
    ['server_time_usec', Math.floor(now * 1000)],
    ['uptime_in_seconds', uptime],
    ['uptime_in_days', Math.floor(uptime / 86400)],
    ['hz', 10],
    ['configured_hz', 10],
  ];
}
const runIds = new WeakMap<object, string>();
function randomHex(n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += Math.floor(Math.random() * 16).toString(16);
  return s;
}

function infoClients(c: Client): InfoFields {
  return [
    ['connected_clients', c.engine.clients.size],
    ['blocked_clients', c.engine.blocking.count],
  ];
}

/** The persistence section: the command log's state, or Redis' fields of a server that persists nothing. */
function infoPersistence(c: Client): InfoFields {
  const log = c.engine.commandLog;
  if (log !== null) return log.infoFields();
  return [
    ['loading', 0],
    ['async_loading', 0],
    ['rdb_changes_since_last_save', c.engine.dirty],
    ['rdb_bgsave_in_progress', 0],
    ['rdb_last_save_time', c.engine.lastSave],
    ['rdb_last_bgsave_status', 'ok'],
    ['rdb_saves', 0],
    ['aof_enabled', 0],
    ['aof_rewrite_in_progress', 0],
    ['aof_last_write_status', 'ok'],
  ];
}

function infoStats(c: Client): InfoFields {
  const s = c.engine.stat;
  return [
    ['total_commands_processed', s.numCommands],
    ['expired_keys', s.expiredKeys],
    ['keyspace_hits', s.keyspaceHits],
    ['keyspace_misses', s.keyspaceMisses],
    ['pubsub_channels', c.engine.pubsub.channels.size],
    ['pubsub_patterns', c.engine.pubsub.patterns.size],
  ];
}

/** db<n>:keys=…,expires=…,avg_ttl=0 for each database that has keys. */
function infoKeyspace(c: Client): InfoFields {
  return c.engine.dbs
    .filter((db) => db.dict.size !== 0)
    .map((db) => [`db${db.id}`, `keys=${db.dict.size},expires=${db.expires.size},avg_ttl=0`]);
}

/** Sections by name, in Redis' order; `true` marks those INFO shows without arguments. */
const INFO_SECTIONS: [string, string, boolean, (c: Client) => InfoFields][] = [
  ['server', 'Server', true, infoServer],
  ['clients', 'Clients', true, infoClients],
  ['persistence', 'Persistence', true, infoPersistence],
  ['stats', 'Stats', true, infoStats],
  ['keyspace', 'Keyspace', true, infoKeyspace],
];

/** INFO [section [section ...]] — `all`, `default` and `everything` as in Redis; unknown sections give nothing. */
function infoCommand(c: Client, argv: Arg[]): Reply {
  const names = argv.length === 1 ? ['default'] : argv.slice(1).map((a) => argLatin1(a).toLowerCase());
  const all = names.includes('all') || names.includes('everything');
  const dflt = names.includes('default');
  let out = '';
  for (const [name, title, isDefault, fields] of INFO_SECTIONS) {
    if (!(all || (dflt && isDefault) || names.includes(name))) continue;
    if (out !== '') out += '\r\n';
    out += `# ${title}\r\n`;
    for (const [k, v] of fields(c)) out += `${k}:${v}\r\n`;
  }
  return out;
}

export const serverCommands: CommandHandlers = {
  info: infoCommand,
  ping: pingCommand,
  echo: echoCommand,
  time: timeCommand,
  command: commandCommand,
  'command|count': commandCountCommand,
  'command|list': commandListCommand,
  'command|info': commandInfoCommand,
};
