/**
 * CLIENT and its subcommands (networking.c clientCommand): ID, INFO, LIST, KILL, UNBLOCK,
 * SETNAME, GETNAME, NO-EVICT, PAUSE, UNPAUSE, HELP, and the client-side caching subcommands
 * answered for a server that never tracks; and HELLO, QUIT and RESET.
 *
 * CLIENT LIST prints Redis 7.0's line for each session. What Lodis has no counterpart for is
 * printed as an idle connection shows it: an in-process session's `addr` is `lodis:<id>` and its
 * `laddr` `lodis:0` (a front with real connections sets Client.addr/laddr), `fd=-1` (Redis' value
 * for a connection without a socket), query and output buffers 0, `events=r`, `user=default`.
 * `argv-mem` and `multi-mem` count the bytes of the command being run and of the queued ones.
 * `idle` counts from the engine's first clock reading after the session's last command (the
 * active expire cycle reads the clock 10 times a second): commands do not read the clock for it.
 *
 * CLIENT KILL closes the session as a dropped connection is closed (engine.freeClient: a blocked
 * command is cancelled, a transaction discarded, subscriptions dropped) and tells its front
 * (Client.onClose); later commands of that session get "Connection is closed". CLIENT UNBLOCK
 * releases a blocked BLPOP/XREAD … with its timeout reply or the UNBLOCKED error.
 *
 * Divergences: CLIENT PAUSE and UNPAUSE are checked as Redis checks them and reply OK, but no
 * session is suspended (pausing serves replica failover, which Lodis does not have). CLIENT
 * TRACKING ON is refused with a Lodis error (server-assisted client-side caching is not
 * implemented; keyspace notifications cover its use); TRACKING OFF, GETREDIR, TRACKINGINFO and
 * CACHING answer as Redis answers a connection that does not track. CLIENT REPLY is not
 * implemented (unknown subcommand).
 */
import { getTimeoutFromArg, unblockClient } from './blocked.js';
import type { Client } from './client.js';
import type { CommandHandlers } from './commands.js';
import {
  clientCachingErr,
  clientIdPositiveErr,
  clientNameErr,
  invalidClientIdErr,
  noSuchClientErr,
  noSuchUserErr,
  notIntegerErr,
  pauseModeErr,
  subcommandSyntaxErr,
  syntaxErr,
  trackingUnsupportedErr,
  unblockedErr,
  unblockReasonErr,
  unknownClientTypeErr,
  err,
  helloNoAuthErr,
  helloOptionErr,
  helloProtocolVersionErr,
  noProtoErr,
} from './errors.js';
import { authenticateUser, clientSetDefaultAuth } from './acl.js';
import { discardTransaction } from './multi.js';
import { helpReply, MapReply, OK, SetReply, Status, VerbatimReply, type Reply } from './reply.js';
import { argIs, argLatin1, argLength, type Arg } from './sds.js';
import { string2ll } from './util.js';

/** Client types (getClientType); Lodis sessions are normal, or pubsub while subscribed. */
type ClientType = 'normal' | 'slave' | 'pubsub' | 'master';

function getClientType(c: Client): ClientType {
  return c.subscriptionCount > 0 ? 'pubsub' : 'normal';
}

/** getClientTypeByName */
function getClientTypeByName(name: string): ClientType | null {
  switch (name.toLowerCase()) {
    case 'normal':
      return 'normal';
    case 'slave':
    case 'replica':
      return 'slave';
    case 'pubsub':
      return 'pubsub';
    case 'master':
      return 'master';
    default:
      return null;
  }
}

/** The flags field of a CLIENT LIST line. */
function clientFlags(c: Client): string {
  let f = '';
  if (c.subscriptionCount > 0) f += 'P';
  if (c.mstate !== null) f += 'x';
  if (c.blocked !== null) f += 'b';
  if (c.dirtyCas) f += 'd';
  if (c.noEvict) f += 'e';
  return f === '' ? 'N' : f;
}

function argvBytes(argv: readonly Arg[]): number {
  let n = 0;
  for (const a of argv) n += argLength(a);
  return n;
}

/** catClientInfoString: one CLIENT LIST line (without its newline). `self` is the session asking. */
export function clientInfoString(c: Client, self: Client): string {
  // engine.now also stamps the sessions that sent a command since the clock was last read.
  const now = Math.floor(c.engine.now / 1000);
  const argvMem = c === self && c.argv !== null ? argvBytes(c.argv) : 0;
  let multiMem = 0;
  if (c.mstate !== null) for (const q of c.mstate.commands) multiMem += argvBytes(q.argv);
  return (
    `id=${c.id} addr=${c.addr} laddr=${c.laddr} fd=-1 name=${c.name ?? ''}` +
    ` age=${now - Math.floor(c.createdAt / 1000)} idle=${now - Math.floor(c.lastInteraction / 1000)}` +
    ` flags=${clientFlags(c)} db=${c.db.id} sub=${c.channels.size} psub=${c.patterns.size} ssub=${c.shardChannels.size}` +
    ` multi=${c.mstate !== null ? c.mstate.commands.length : -1} qbuf=0 qbuf-free=0 argv-mem=${argvMem} multi-mem=${multiMem}` +
    ` rbs=0 rbp=0 obl=0 oll=0 omem=0 tot-mem=${argvMem + multiMem} events=r cmd=${c.lastCommand?.fullname ?? 'NULL'}` +
    ` user=default redir=-1 resp=${c.resp}`
  );
}

/** CLIENT ID */
function clientIdCommand(c: Client): Reply {
  return c.id;
}

/** CLIENT INFO */
function clientInfoCommand(c: Client): Reply {
  return new VerbatimReply(clientInfoString(c, c) + '\n');
}

/** CLIENT LIST [TYPE NORMAL|MASTER|REPLICA|PUBSUB] [ID client-id [client-id ...]] */
function clientListCommand(c: Client, argv: Arg[]): Reply {
  const e = c.engine;
  if (argv.length === 4 && argIs(argv[2]!, 'type')) {
    const type = getClientTypeByName(argLatin1(argv[3]!));
    if (type === null) throw unknownClientTypeErr(argLatin1(argv[3]!));
    let o = '';
    for (const cl of e.clients.values()) if (getClientType(cl) === type) o += clientInfoString(cl, c) + '\n';
    return new VerbatimReply(o);
  }
  if (argv.length > 3 && argIs(argv[2]!, 'id')) {
    let o = '';
    for (let j = 3; j < argv.length; j++) {
      const id = string2ll(argLatin1(argv[j]!));
      if (id === null) throw invalidClientIdErr();
      const cl = e.clients.get(Number(id));
      if (cl !== undefined) o += clientInfoString(cl, c) + '\n';
    }
    return new VerbatimReply(o);
  }
  if (argv.length !== 2) throw syntaxErr();
  let o = '';
  for (const cl of e.clients.values()) o += clientInfoString(cl, c) + '\n';
  return new VerbatimReply(o);
}

/** Close a session as a dropped connection is closed, and tell its front. */
function killClient(target: Client): void {
  target.engine.freeClient(target);
  target.onClose?.();
}

/**
 * CLIENT KILL ip:port
 * CLIENT KILL [ID id] [TYPE NORMAL|MASTER|SLAVE|REPLICA|PUBSUB] [USER name] [ADDR ip:port] [LADDR ip:port] [SKIPME YES|NO] …
 */
function clientKillCommand(c: Client, argv: Arg[]): Reply {
  let addr: string | null = null;
  let laddr: string | null = null;
  let user: string | null = null;
  let type: ClientType | null = null;
  let id = 0;
  let skipme = true;
  if (argv.length === 3) {
    // Old style: CLIENT KILL <addr>, which may kill the caller.
    addr = argLatin1(argv[2]!);
    skipme = false;
  } else {
    for (let i = 2; i < argv.length; i += 2) {
      const more = argv.length > i + 1;
      const opt = argv[i]!;
      if (argIs(opt, 'id') && more) {
        const v = string2ll(argLatin1(argv[i + 1]!));
        if (v === null || v < 1) throw clientIdPositiveErr();
        id = Number(v);
      } else if (argIs(opt, 'type') && more) {
        type = getClientTypeByName(argLatin1(argv[i + 1]!));
        if (type === null) throw unknownClientTypeErr(argLatin1(argv[i + 1]!));
      } else if (argIs(opt, 'addr') && more) {
        addr = argLatin1(argv[i + 1]!);
      } else if (argIs(opt, 'laddr') && more) {
        laddr = argLatin1(argv[i + 1]!);
      } else if (argIs(opt, 'user') && more) {
        // Every Lodis session is the default user's.
        user = argLatin1(argv[i + 1]!);
        if (user !== 'default') throw noSuchUserErr(user);
      } else if (argIs(opt, 'skipme') && more) {
        if (argIs(argv[i + 1]!, 'yes')) skipme = true;
        else if (argIs(argv[i + 1]!, 'no')) skipme = false;
        else throw syntaxErr();
      } else throw syntaxErr();
    }
  }
  let killed = 0;
  let closeSelf = false;
  for (const cl of [...c.engine.clients.values()]) {
    if (addr !== null && cl.addr !== addr) continue;
    if (laddr !== null && cl.laddr !== laddr) continue;
    if (type !== null && getClientType(cl) !== type) continue;
    if (id !== 0 && cl.id !== id) continue;
    if (cl === c && skipme) continue;
    if (cl === c) closeSelf = true;
    else killClient(cl);
    killed++;
  }
  // The caller is closed after its reply (CLIENT_CLOSE_AFTER_REPLY): its front gets the reply, then the close.
  if (closeSelf) killClient(c);
  if (argv.length === 3) {
    if (killed === 0) throw noSuchClientErr();
    return OK;
  }
  return killed;
}

/** CLIENT UNBLOCK client-id [TIMEOUT|ERROR] — 1 if the session was blocked and is released, else 0. */
function clientUnblockCommand(c: Client, argv: Arg[]): Reply {
  if (argv.length > 4) throw subcommandSyntaxErr(argLatin1(argv[1]!), 'client');
  let unblockError = false;
  if (argv.length === 4) {
    if (argIs(argv[3]!, 'timeout')) unblockError = false;
    else if (argIs(argv[3]!, 'error')) unblockError = true;
    else throw unblockReasonErr();
  }
  const id = string2ll(argLatin1(argv[2]!));
  if (id === null) throw notIntegerErr();
  const target = c.engine.clients.get(Number(id));
  if (target === undefined || target.blocked === null) return 0;
  const stats = c.engine.cmdStats;
  let reply: Reply = target.blocked.timeoutReply;
  if (unblockError) {
    const e = unblockedErr();
    stats.countError(e);
    reply = e;
  }
  // updateStatsOnUnblock(target, 0, 0, 1): Redis counts the released command as failed either way.
  if (target.lastCommand !== null) stats.failedCalls[target.lastCommand.id]!++;
  unblockClient(target, reply);
  return 1;
}

/** clientSetNameOrReply: printable ASCII without spaces; "" removes the name. */
function clientSetNameOrReply(c: Client, arg: Arg): void {
  const name = argLatin1(arg);
  if (name === '') {
    c.name = null;
    return;
  }
  for (let j = 0; j < name.length; j++) {
    const ch = name.charCodeAt(j);
    if (ch < 0x21 || ch > 0x7e) throw clientNameErr();
  }
  c.name = name;
}

/** CLIENT SETNAME name */
function clientSetnameCommand(c: Client, argv: Arg[]): Reply {
  clientSetNameOrReply(c, argv[2]!);
  return OK;
}

/** CLIENT GETNAME */
function clientGetnameCommand(c: Client): Reply {
  return c.name;
}

/** CLIENT NO-EVICT ON|OFF */
function clientNoEvictCommand(c: Client, argv: Arg[]): Reply {
  if (argIs(argv[2]!, 'on')) c.noEvict = true;
  else if (argIs(argv[2]!, 'off')) c.noEvict = false;
  else throw syntaxErr();
  return OK;
}

/** CLIENT PAUSE timeout [WRITE|ALL] — checked, answered OK; nothing is paused (see the header). */
function clientPauseCommand(c: Client, argv: Arg[]): Reply {
  if (argv.length > 4) throw subcommandSyntaxErr(argLatin1(argv[1]!), 'client');
  if (argv.length === 4 && !argIs(argv[3]!, 'write') && !argIs(argv[3]!, 'all')) throw pauseModeErr();
  getTimeoutFromArg(c, argv[2]!, 'milliseconds');
  return OK;
}

/** CLIENT UNPAUSE */
function clientUnpauseCommand(): Reply {
  return OK;
}

/**
 * CLIENT TRACKING ON|OFF [REDIRECT id] [PREFIX prefix …] [BCAST] [OPTIN] [OPTOUT] [NOLOOP] —
 * options checked as Redis checks them; ON is refused (no client-side caching), OFF is OK.
 */
function clientTrackingCommand(c: Client, argv: Arg[]): Reply {
  let redir = false;
  let bcast = false;
  let optin = false;
  let optout = false;
  let prefixes = 0;
  for (let j = 3; j < argv.length; j++) {
    const more = argv.length - 1 - j > 0;
    const opt = argv[j]!;
    if (argIs(opt, 'redirect') && more) {
      j++;
      if (redir) throw err('A client can only redirect to a single other client');
      const id = string2ll(argLatin1(argv[j]!));
      if (id === null) throw notIntegerErr();
      if (!c.engine.clients.has(Number(id))) throw err('The client ID you want redirect to does not exist');
      redir = true;
    } else if (argIs(opt, 'bcast')) bcast = true;
    else if (argIs(opt, 'optin')) optin = true;
    else if (argIs(opt, 'optout')) optout = true;
    else if (argIs(opt, 'noloop')) {
      // accepted
    } else if (argIs(opt, 'prefix') && more) {
      j++;
      prefixes++;
    } else throw syntaxErr();
  }
  if (argIs(argv[2]!, 'on')) {
    if (!bcast && prefixes) throw err('PREFIX option requires BCAST mode to be enabled');
    if (bcast && (optin || optout)) throw err('OPTIN and OPTOUT are not compatible with BCAST');
    if (optin && optout) throw err("You can't specify both OPTIN mode and OPTOUT mode");
    throw trackingUnsupportedErr();
  }
  if (argIs(argv[2]!, 'off')) return OK;
  throw syntaxErr();
}

/** CLIENT CACHING YES|NO — only in tracking mode, which a Lodis session never is. */
function clientCachingCommand(): Reply {
  throw clientCachingErr();
}

/** CLIENT GETREDIR — -1: not tracking. */
function clientGetredirCommand(): Reply {
  return -1;
}

/** CLIENT TRACKINGINFO — the reply of a connection that does not track. */
function clientTrackinginfoCommand(): Reply {
  return new MapReply(['flags', new SetReply(['off']), 'redirect', -1, 'prefixes', []]);
}

const CLIENT_HELP = [
  'CACHING (YES|NO)',
  '    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.',
  'GETREDIR',
  '    Return the client ID we are redirecting to when tracking is enabled.',
  'GETNAME',
  '    Return the name of the current connection.',
  'ID',
  '    Return the ID of the current connection.',
  'INFO',
  '    Return information about the current client connection.',
  'KILL <ip:port>',
  '    Kill connection made from <ip:port>.',
  'KILL <option> <value> [<option> <value> [...]]',
  '    Kill connections. Options are:',
  '    * ADDR (<ip:port>|<unixsocket>:0)',
  '      Kill connections made from the specified address',
  '    * LADDR (<ip:port>|<unixsocket>:0)',
  '      Kill connections made to specified local address',
  '    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)',
  '      Kill connections by type.',
  '    * USER <username>',
  '      Kill connections authenticated by <username>.',
  '    * SKIPME (YES|NO)',
  '      Skip killing current connection (default: yes).',
  'LIST [options ...]',
  '    Return information about client connections. Options:',
  '    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)',
  '      Return clients of specified type.',
  'UNPAUSE',
  '    Stop the current client pause, resuming traffic.',
  'PAUSE <timeout> [WRITE|ALL]',
  '    Suspend all, or just write, clients for <timeout> milliseconds.',
  'REPLY (ON|OFF|SKIP)',
  '    Control the replies sent to the current connection.',
  'SETNAME <name>',
  '    Assign the name <name> to the current connection.',
  'UNBLOCK <clientid> [TIMEOUT|ERROR]',
  '    Unblock the specified blocked client.',
  'TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]',
  '         [OPTIN] [OPTOUT] [NOLOOP]',
  '    Control server assisted client side caching.',
  'TRACKINGINFO',
  '    Report tracking status for the current connection.',
  'NO-EVICT (ON|OFF)',
  '    Protect current client connection from eviction.',
];

/** CLIENT HELP */
function clientHelpCommand(): Reply {
  return helpReply('client', CLIENT_HELP);
}

// ---- HELLO, QUIT, RESET ------------------------------------------------------------------------

/** The version HELLO and INFO report: the Redis whose behaviour Lodis follows. */
export const REDIS_VERSION = '7.0.15';

/**
 * HELLO [protover [AUTH username password] [SETNAME clientname]] — switch protocol (2 or 3), log in
 * and name the session; replies the server's description as a map. Options act in order: an AUTH or
 * SETNAME done before a failing option stays done, as in Redis; the protocol changes last.
 */
function helloCommand(c: Client, argv: Arg[]): Reply {
  let ver = 0;
  let next = 1;
  if (argv.length >= 2) {
    const v = string2ll(argLatin1(argv[next++]!));
    if (v === null) throw helloProtocolVersionErr();
    if (v < 2 || v > 3) throw noProtoErr();
    ver = Number(v);
  }
  for (let j = next; j < argv.length; j++) {
    const more = argv.length - 1 - j;
    const opt = argv[j]!;
    if (argIs(opt, 'auth') && more >= 2) {
      authenticateUser(c, argv[j + 1]!, argv[j + 2]!);
      j += 2;
    } else if (argIs(opt, 'setname') && more >= 1) {
      clientSetNameOrReply(c, argv[j + 1]!);
      j++;
    } else throw helloOptionErr(argLatin1(opt));
  }
  // c->authenticated itself, as Redis checks it: a session opened while a password was set must
  // log in for HELLO even after the password is cleared (other commands no longer ask).
  if (!c.authenticated) throw helloNoAuthErr();
  if (ver) c.resp = ver as 2 | 3;
  return new MapReply([
    'server', 'redis',
    'version', REDIS_VERSION,
    'proto', c.resp,
    'id', c.id,
    'mode', 'standalone',
    'role', 'master',
    'modules', [],
  ]);
}

/** QUIT — OK, then the front closes the connection (CLIENT_CLOSE_AFTER_REPLY). */
function quitCommand(c: Client): Reply {
  c.closeAfterReply = true;
  return OK;
}

/**
 * clearClientConnectionState: db 0, RESP2, logged out if a password is set, out of MULTI and
 * unwatched, unsubscribed from everything (no unsubscribe replies, in either protocol), no name.
 * CLIENT NO-EVICT stays as it was (Redis 7.0 does not clear it).
 */
export function clearClientConnectionState(c: Client): void {
  c.db = c.engine.dbs[0]!;
  c.resp = 2;
  clientSetDefaultAuth(c);
  discardTransaction(c);
  c.engine.pubsub.unsubscribeAll(c);
  c.name = null;
}

/** RESET — the connection as it was when it was opened; replies the status RESET. */
function resetCommand(c: Client): Reply {
  clearClientConnectionState(c);
  return RESET;
}

const RESET = new Status('RESET');

export const connectionCommands: CommandHandlers = {
  hello: helloCommand,
  quit: quitCommand,
  reset: resetCommand,
};

export const clientCommands: CommandHandlers = {
  'client|id': clientIdCommand,
  'client|info': clientInfoCommand,
  'client|list': clientListCommand,
  'client|kill': clientKillCommand,
  'client|unblock': clientUnblockCommand,
  'client|setname': clientSetnameCommand,
  'client|getname': clientGetnameCommand,
  'client|no-evict': clientNoEvictCommand,
  'client|pause': clientPauseCommand,
  'client|unpause': clientUnpauseCommand,
  'client|tracking': clientTrackingCommand,
  'client|caching': clientCachingCommand,
  'client|getredir': clientGetredirCommand,
  'client|trackinginfo': clientTrackinginfoCommand,
  'client|help': clientHelpCommand,
};
