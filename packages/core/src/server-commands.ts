/**
 * Server and connection commands (server.c): PING, ECHO, TIME, INFO (info.ts) and COMMAND with
 * its subcommands (GETKEYS and GETKEYSANDFLAGS read getkeys.ts).
 */
import type { Client } from './client.js';
import type { CommandInfoData } from './command-info.js';
import { arityOk, implementedSubcommands, lookupSubcommand, type CommandHandlers, type RedisCommand } from './commands.js';
import {
  commandHasNoKeysErr,
  err,
  invalidCommandArgsErr,
  invalidCommandArgumentsErr,
  invalidCommandSpecifiedErr,
  unknownSubcommandErr,
  wrongArityErr,
} from './errors.js';
import { doesCommandHaveKeys, getKeysFromCommand } from './getkeys.js';
import { infoCommand } from './info.js';
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
  const parts = fullname.split('|');
  if (parts.length > 2) return undefined; // lookupCommandBySds: a command or command|subcommand, no deeper
  const [name, sub] = parts as [string, string?];
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


/**
 * getKeysSubcommandImpl: COMMAND GETKEYS command [arg …] — the key arguments; with flags, each as
 * [key, [flags]] (GETKEYSANDFLAGS). The command is looked up as Redis does: a container with an
 * argument names its subcommand.
 */
function getKeysSubcommandImpl(c: Client, argv: Arg[], withFlags: boolean): Reply {
  const args = argv.slice(2);
  const base = c.engine.commands.get(argLatin1(args[0]!).toLowerCase());
  const cmd = base?.subcommands !== null && base !== undefined && args.length > 1 ? lookupSubcommand(base, argLatin1(args[1]!)) : base;
  if (cmd === undefined) throw invalidCommandSpecifiedErr();
  if (!doesCommandHaveKeys(cmd)) throw commandHasNoKeysErr();
  if (!arityOk(cmd, args.length)) throw invalidCommandArgsErr();
  const keys = getKeysFromCommand(cmd, args);
  if (keys === null || keys.length === 0) throw invalidCommandArgumentsErr();
  return keys.map(({ pos, flags }) => (withFlags ? [args[pos]!, flags.map((f) => new Status(f))] : args[pos]!));
}

/** COMMAND GETKEYS command [arg ...] */
function commandGetKeysCommand(c: Client, argv: Arg[]): Reply {
  return getKeysSubcommandImpl(c, argv, false);
}

/** COMMAND GETKEYSANDFLAGS command [arg ...] */
function commandGetKeysAndFlagsCommand(c: Client, argv: Arg[]): Reply {
  return getKeysSubcommandImpl(c, argv, true);
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
  'command|getkeys': commandGetKeysCommand,
  'command|getkeysandflags': commandGetKeysAndFlagsCommand,
};
