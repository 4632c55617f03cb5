/**
 * Replication (replication.c), as a master that never has a replica answers: WAIT.
 */
import { blockForKeys, getTimeoutFromArg } from './blocked.js';
import type { Client } from './client.js';
import type { CommandHandlers } from './commands.js';
import { notIntegerErr } from './errors.js';
import type { Reply } from './reply.js';
import { argLatin1, type Arg } from './sds.js';
import { string2ll } from './util.js';

/**
 * WAIT numreplicas timeout — no replica ever acknowledges: 0 at once when none is asked for (or
 * inside EXEC), else the session blocks until the timeout (forever with 0, as in Redis; CLIENT
 * UNBLOCK releases it) and replies 0.
 */
function waitCommand(c: Client, argv: Arg[]): Reply {
  const numreplicas = string2ll(argLatin1(argv[1]!));
  if (numreplicas === null) throw notIntegerErr();
  const deadline = getTimeoutFromArg(c, argv[2]!, 'milliseconds');
  if (numreplicas <= 0) return 0;
  return blockForKeys(c, [], deadline, 0, 'list');
}

export const replicationCommands: CommandHandlers = {
  wait: waitCommand,
};
