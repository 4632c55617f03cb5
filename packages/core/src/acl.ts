/**
 * Authentication (acl.c): AUTH, the check processCommand makes before running a command, and who
 * may use a protected command or setting (allowProtectedAction, islocalClient).
 *
 * Lodis has one user, Redis' `default`, whose password is `requirepass` (config.c
 * updateRequirePass → ACLUpdateDefaultUserPassword). While it is empty the user is `nopass`:
 * every session is logged in from the start and any password is accepted for it (HELLO … AUTH
 * default anything). Once it is set, a new session must AUTH before any command but AUTH, HELLO,
 * QUIT and RESET (the no_auth flag); sessions already logged in stay so, as in Redis. RESET logs a
 * session out again. ACL SETUSER and other users are not implemented.
 */
import type { Client } from './client.js';
import type { CommandHandlers } from './commands.js';
import { authWithoutPasswordErr, syntaxErr, wrongPassErr } from './errors.js';
import { OK, type Reply } from './reply.js';
import { argLatin1, type Arg } from './sds.js';

/**
 * authRequired: the session must log in first (its command is refused with NOAUTH unless it has
 * the no_auth flag).
 */
export function authRequired(c: Client): boolean {
  return !c.authenticated && c.engine.config.requirepass !== null;
}

/** clientSetDefaultAuth: logged in only if the default user needs no password (RESET, a new session). */
export function clientSetDefaultAuth(c: Client): void {
  c.authenticated = c.engine.config.requirepass === null;
}

/**
 * ACLCheckUserCredentials: `default` with requirepass (any password while there is none). Compared
 * as bytes; the time it takes does not depend on where they differ (time_independent_strcmp).
 */
export function checkUserCredentials(c: Client, username: Arg, password: Arg): boolean {
  if (argLatin1(username) !== 'default') return false;
  const pass = c.engine.config.requirepass;
  if (pass === null) return true;
  const given = argLatin1(password);
  let diff = given.length ^ pass.length;
  for (let i = 0; i < pass.length; i++) diff |= pass.charCodeAt(i) ^ given.charCodeAt(i % Math.max(1, given.length));
  return diff === 0;
}

/** ACLAuthenticateUser: log the session in, or WRONGPASS. */
export function authenticateUser(c: Client, username: Arg, password: Arg): void {
  if (!checkUserCredentials(c, username, password)) throw wrongPassErr();
  c.authenticated = true;
}

/**
 * allowProtectedAction: a protected setting (enable-debug-command) is yes (1), or local (2) and the
 * session is local: in this process, or connected over loopback (islocalClient).
 */
export function allowProtectedAction(setting: number, c: Client): boolean {
  return setting === 1 || (setting === 2 && isLocalClient(c));
}

/**
 * islocalClient: an in-process session (`lodis:<id>`), a Unix socket (`/path:0`), or a peer whose
 * address is 127.0.0.1 or ::1 (`ip:port`, `[ipv6]:port`; Node's `::ffff:127.0.0.1` too).
 */
export function isLocalClient(c: Client): boolean {
  const a = c.addr;
  if (a.startsWith('lodis:') || a.startsWith('/')) return true;
  const host = a.startsWith('[') ? a.slice(1, a.indexOf(']')) : a.slice(0, a.lastIndexOf(':'));
  return host === '127.0.0.1' || host === '::1' || host === '::ffff:127.0.0.1';
}

/** AUTH [username] password */
function authCommand(c: Client, argv: Arg[]): Reply {
  if (argv.length > 3) throw syntaxErr();
  if (argv.length === 2) {
    // The old form is refused while the default user needs no password.
    if (c.engine.config.requirepass === null) throw authWithoutPasswordErr();
    authenticateUser(c, 'default', argv[1]!);
  } else authenticateUser(c, argv[1]!, argv[2]!);
  return OK;
}

export const aclCommands: CommandHandlers = {
  auth: authCommand,
};
