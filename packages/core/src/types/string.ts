/**
 * Strings (t_string.c).
 * SKELETON: completed by the strings work.
 */
import type { Client } from '../client.js';
import type { CommandHandlers } from '../commands.js';
import { asString } from '../object.js';
import { OK, type Reply } from '../reply.js';
import { toKey, type Arg } from '../sds.js';

/** GET key */
function getCommand(c: Client, argv: Arg[]): Reply {
  const v = asString(c.db.lookupKeyRead(toKey(argv[1]!)));
  return v === undefined ? null : typeof v === 'number' ? String(v) : v;
}

/** SET key value (options: in the strings work) */
function setCommand(c: Client, argv: Arg[]): Reply {
  c.db.setKey(toKey(argv[1]!), argv[2]!);
  c.engine.dirty++;
  return OK;
}

export const stringCommands: CommandHandlers = { get: getCommand, set: setCommand };
