/**
 * Scripting and functions (eval.c, functions.c), as far as a server without them answers: Lodis
 * runs no Lua, so there is never a cached script or a loaded library. FUNCTION FLUSH and SCRIPT
 * FLUSH check their option and reply OK (clients and test harnesses send them between tests to
 * start clean; there is nothing to clear), FUNCTION LIST replies an empty list and SCRIPT EXISTS a
 * 0 per hash. EVAL, FCALL, SCRIPT LOAD, FUNCTION LOAD and the other subcommands stay unknown.
 */
import type { Client } from './client.js';
import type { CommandHandlers } from './commands.js';
import { functionFlushOptionErr, libraryNameMissingErr, scriptFlushOptionErr, subcommandSyntaxErr, unknownArgumentErr } from './errors.js';
import { OK, type Reply } from './reply.js';
import { argIs, argLatin1, type Arg } from './sds.js';

/** The SYNC|ASYNC option of a flush (argv[2]); false when it is not one. */
function flushOptionOk(argv: Arg[]): boolean {
  return argv.length === 2 || argIs(argv[2]!, 'sync') || argIs(argv[2]!, 'async');
}

/** FUNCTION FLUSH [ASYNC|SYNC] — counted as a change (server.dirty), as Redis counts it. */
function functionFlushCommand(c: Client, argv: Arg[]): Reply {
  if (argv.length > 3) throw subcommandSyntaxErr(argLatin1(argv[1]!), 'function');
  if (!flushOptionOk(argv)) throw functionFlushOptionErr();
  c.engine.dirty++;
  return OK;
}

/** FUNCTION LIST [LIBRARYNAME pattern] [WITHCODE] — no library is ever loaded. */
function functionListCommand(_c: Client, argv: Arg[]): Reply {
  let withCode = false;
  let libraryName = false;
  for (let i = 2; i < argv.length; i++) {
    const a = argv[i]!;
    if (!withCode && argIs(a, 'withcode')) withCode = true;
    else if (!libraryName && argIs(a, 'libraryname')) {
      if (i >= argv.length - 1) throw libraryNameMissingErr();
      libraryName = true;
      i++;
    } else throw unknownArgumentErr(argLatin1(a));
  }
  return [];
}

/** SCRIPT FLUSH [ASYNC|SYNC] */
function scriptFlushCommand(_c: Client, argv: Arg[]): Reply {
  if (argv.length > 3 || !flushOptionOk(argv)) throw scriptFlushOptionErr();
  return OK;
}

/** SCRIPT EXISTS sha1 [sha1 ...] — no script is ever cached. */
function scriptExistsCommand(_c: Client, argv: Arg[]): Reply {
  return argv.slice(2).map(() => 0);
}

export const scriptingCommands: CommandHandlers = {
  'function|flush': functionFlushCommand,
  'function|list': functionListCommand,
  'script|flush': scriptFlushCommand,
  'script|exists': scriptExistsCommand,
};
