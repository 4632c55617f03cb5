/**
 * The command table: Redis' recorded metadata joined with every module's handlers. Adding a
 * command family means adding its handler record here.
 */
import { COMMAND_INFO } from './command-info.js';
import { aclCommands } from './acl.js';
import { aofCommands } from './aof.js';
import { buildCommandTable, CMD_DENY_ON_DISK_ERROR, CMD_PROTECTED, CMD_RUNS_IN_MULTI, CMD_SUBSCRIBED_OK } from './commands.js';
import { configCommands } from './config.js';
import { debugCommands } from './debug.js';
import { expireCommands } from './expire.js';
import { keyspaceCommands } from './keyspace.js';
import { multiCommands } from './multi.js';
import { clientCommands, connectionCommands } from './networking.js';
import { objectCommands } from './object-commands.js';
import { pubsubCommands } from './pubsub.js';
import { rdbCommands } from './rdb.js';
import { replicationCommands } from './replication.js';
import { scriptingCommands } from './scripting.js';
import { serverCommands } from './server-commands.js';
import { sortCommands } from './sort.js';
import { bitopsCommands } from './types/bitops.js';
import { hashCommands } from './types/hash.js';
import { hllCommands } from './types/hll.js';
import { listCommands } from './types/list.js';
import { setCommands } from './types/set.js';
import { streamCommands } from './types/stream.js';
import { streamGroupCommands } from './types/stream-cgroups.js';
import { stringCommands } from './types/string.js';
import { zsetCommands } from './types/zset.js';

export const commandTable = buildCommandTable(
  COMMAND_INFO,
  [
    serverCommands,
    configCommands,
    clientCommands,
    keyspaceCommands,
    expireCommands,
    pubsubCommands,
    multiCommands,
    objectCommands,
    stringCommands,
    bitopsCommands,
    hllCommands,
    hashCommands,
    listCommands,
    setCommands,
    zsetCommands,
    streamCommands,
    streamGroupCommands,
    sortCommands,
    aofCommands,
    rdbCommands,
    connectionCommands,
    aclCommands,
    scriptingCommands,
    replicationCommands,
    debugCommands,
  ],
  // The commands a RESP2 client may send while subscribed (processCommand's list); PING is also
  // refused with the write commands while the log cannot be written (processCommand's deny_write_type).
  {
    ping: CMD_SUBSCRIBED_OK | CMD_DENY_ON_DISK_ERROR,
    subscribe: CMD_SUBSCRIBED_OK,
    unsubscribe: CMD_SUBSCRIBED_OK,
    psubscribe: CMD_SUBSCRIBED_OK,
    punsubscribe: CMD_SUBSCRIBED_OK,
    ssubscribe: CMD_SUBSCRIBED_OK,
    sunsubscribe: CMD_SUBSCRIBED_OK,
    quit: CMD_SUBSCRIBED_OK | CMD_RUNS_IN_MULTI,
    reset: CMD_SUBSCRIBED_OK | CMD_RUNS_IN_MULTI,
    exec: CMD_RUNS_IN_MULTI,
    discard: CMD_RUNS_IN_MULTI,
    multi: CMD_RUNS_IN_MULTI,
    watch: CMD_RUNS_IN_MULTI,
    // Refused unless enable-debug-command allows it (Redis' CMD_PROTECTED).
    debug: CMD_PROTECTED,
  },
);
