/**
 * The command table (Redis' server.commands). Each entry joins the metadata recorded from Redis
 * (command-info.ts: arity, flags, key positions, ACL categories, tips, key specs) with the
 * handler of the module that implements it. Dispatch, arity errors, the subscribed-context rule,
 * the command log (the write flag) and COMMAND all read this table; nothing is special-cased by
 * name elsewhere.
 *
 * A module exports its handlers (`export const stringCommands = { get: getCommand, … }`) and
 * command-table.ts assembles them with the metadata.
 */
import type { CommandInfoData } from './command-info.js';
import type { Client } from './client.js';
import type { Reply } from './reply.js';
import type { Arg } from './sds.js';

/** A command implementation: Redis' `void xxxCommand(client *c)`, returning its reply. */
export type CommandHandler = (c: Client, argv: Arg[]) => Reply;

// Command flags as bits (server.h CMD_*), for the checks dispatch does on every call.
export const CMD_WRITE = 1 << 0;
export const CMD_READONLY = 1 << 1;
export const CMD_DENYOOM = 1 << 2;
export const CMD_ADMIN = 1 << 4;
export const CMD_PUBSUB = 1 << 5;
export const CMD_NOSCRIPT = 1 << 6;
export const CMD_BLOCKING = 1 << 8;
export const CMD_LOADING = 1 << 9;
export const CMD_STALE = 1 << 10;
export const CMD_FAST = 1 << 14;
/** Runs before AUTH (AUTH, HELLO, QUIT, RESET). */
export const CMD_NO_AUTH = 1 << 15;
/** Refused unless its setting allows it (DEBUG: enable-debug-command); Redis' CMD_PROTECTED. */
export const CMD_PROTECTED = 1 << 20;
export const CMD_NO_MULTI = 1 << 24;
/** Lodis: refused, as write commands are, while the command log cannot be written (PING, as in Redis' processCommand). */
export const CMD_DENY_ON_DISK_ERROR = 1 << 29;
/** Lodis: allowed while a RESP2 client is in subscribed mode ((P|S)(UN)SUBSCRIBE, PING, QUIT, RESET). */
export const CMD_SUBSCRIBED_OK = 1 << 30;
/** Lodis: runs at once inside MULTI instead of being queued (EXEC, DISCARD, MULTI, WATCH, QUIT, RESET). */
export const CMD_RUNS_IN_MULTI = 1 << 28;

const FLAG_BITS: Record<string, number> = {
  write: CMD_WRITE,
  readonly: CMD_READONLY,
  denyoom: CMD_DENYOOM,
  admin: CMD_ADMIN,
  pubsub: CMD_PUBSUB,
  noscript: CMD_NOSCRIPT,
  blocking: CMD_BLOCKING,
  loading: CMD_LOADING,
  stale: CMD_STALE,
  fast: CMD_FAST,
  no_multi: CMD_NO_MULTI,
  no_auth: CMD_NO_AUTH,
};

export interface RedisCommand {
  /** Lower-case name; `container|sub` for a subcommand (Redis' fullname). */
  readonly fullname: string;
  /** Index of the command's counters in the engine's CommandStats (INFO commandstats). */
  readonly id: number;
  readonly arity: number;
  readonly flags: number;
  readonly firstKey: number;
  readonly lastKey: number;
  readonly keyStep: number;
  /** Redis 7 command tips, e.g. `nondeterministic_output`. */
  readonly tips: readonly string[];
  /** The recorded COMMAND INFO entry, sent back as is by COMMAND INFO. */
  readonly info: CommandInfoData;
  handler: CommandHandler | null;
  /** For a container command (CONFIG, PUBSUB, COMMAND …): its subcommands by lower-case name. */
  readonly subcommands: Map<string, RedisCommand> | null;
  readonly parent: RedisCommand | null;
}

/** Ids given so far: every command and subcommand has one, for per-command counters in an array. */
export let commandIdCount = 0;

function fromInfo(info: CommandInfoData, parent: RedisCommand | null): RedisCommand {
  let flags = 0;
  for (const f of info[2]) flags |= FLAG_BITS[f.slice(1)] ?? 0;
  const cmd: RedisCommand = {
    fullname: info[0],
    id: commandIdCount++,
    arity: info[1],
    flags,
    firstKey: info[3],
    lastKey: info[4],
    keyStep: info[5],
    tips: info[7],
    info,
    handler: null,
    subcommands: info[9].length ? new Map() : null,
    parent,
  };
  for (const sub of info[9]) cmd.subcommands!.set(sub[0].slice(sub[0].indexOf('|') + 1), fromInfo(sub, cmd));
  return cmd;
}

/** A module's commands: lower-case name (or `container|sub`) → handler. */
export type CommandHandlers = Record<string, CommandHandler>;

export type CommandTable = Map<string, RedisCommand>;

/**
 * Build the table from the recorded metadata and the modules' handlers. Only commands with a
 * handler are in it; a container is in it when one of its subcommands is.
 * `extraFlags` adds Lodis-only flags (CMD_SUBSCRIBED_OK) by full name.
 */
export function buildCommandTable(
  info: readonly CommandInfoData[],
  modules: readonly CommandHandlers[],
  extraFlags: Record<string, number> = {},
): CommandTable {
  const known = new Map<string, RedisCommand>(info.map((i) => [i[0], fromInfo(i, null)]));
  const table: CommandTable = new Map();
  for (const handlers of modules) {
    for (const [fullname, handler] of Object.entries(handlers)) {
      const [name, sub] = fullname.split('|') as [string, string | undefined];
      const base = known.get(name);
      const cmd = sub === undefined ? base : base?.subcommands?.get(sub);
      if (!base || !cmd) throw new Error(`${fullname} is not in command-info.ts: a Redis 7.0 command? run scripts/gen-command-info.ts`);
      if (cmd.handler) throw new Error(`${fullname} is defined twice`);
      cmd.handler = handler;
      table.set(name, base);
    }
  }
  for (const [fullname, bits] of Object.entries(extraFlags)) {
    const [name, sub] = fullname.split('|') as [string, string | undefined];
    const base = table.get(name);
    const cmd = sub === undefined ? base : base?.subcommands?.get(sub);
    if (cmd) (cmd as { flags: number }).flags |= bits;
  }
  return table;
}

/**
 * lookupCommand: a top-level command by name, case-insensitively. `spellings` starts as a copy of
 * the table and remembers other spellings of real commands ('SET', 'Set'), so a lookup is one
 * Map.get; it holds at most a few per command.
 */
export function lookupCommand(
  table: CommandTable,
  spellings: Map<string, RedisCommand>,
  name: string,
): RedisCommand | undefined {
  const cmd = spellings.get(name);
  if (cmd !== undefined) return cmd;
  const found = table.get(name.toLowerCase());
  if (found !== undefined && spellings.size < table.size * 4) spellings.set(name, found);
  return found;
}

/** A container's subcommand with a handler, or undefined. */
export function lookupSubcommand(container: RedisCommand, sub: string): RedisCommand | undefined {
  const cmd = container.subcommands!.get(sub.toLowerCase());
  return cmd?.handler ? cmd : undefined;
}

/** Implemented subcommands of a container, in the order Redis lists them. */
export function implementedSubcommands(container: RedisCommand): RedisCommand[] {
  return [...container.subcommands!.values()].filter((c) => c.handler);
}

/** commandCheckArity */
export function arityOk(cmd: RedisCommand, argc: number): boolean {
  return cmd.arity > 0 ? cmd.arity === argc : argc >= -cmd.arity;
}
