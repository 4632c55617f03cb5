/**
 * Every error a command can reply with, created in one place with Redis' exact text
 * (server.c `createSharedObjects` and the `addReplyError*` call sites).
 *
 * A `ReplyError` is both what handlers throw and what `store.call` rejects with; its
 * `message` is the text after the leading `-` of the RESP error line.
 */
export class ReplyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReplyError';
  }
}

/** `-ERR <text>`: most errors carry the generic ERR prefix. */
export const err = (text: string): ReplyError => new ReplyError(`ERR ${text}`);

// Shared errors (server.c createSharedObjects). Constructed on demand so each throw has its own stack.
export const wrongTypeErr = () =>
  new ReplyError('WRONGTYPE Operation against a key holding the wrong kind of value');
export const syntaxErr = () => err('syntax error');
export const notIntegerErr = () => err('value is not an integer or out of range');
export const notFloatErr = () => err('value is not a valid float');
export const outOfRangeErr = () => err('index out of range');
export const noSuchKeyErr = () => err('no such key');
export const dbIndexOutOfRangeErr = () => err('DB index is out of range');
export const sameObjectErr = () => err('source and destination objects are the same');
export const overflowErr = () => err('increment or decrement would overflow');
export const invalidExpireErr = (cmd: string) => err(`invalid expire time in '${cmd}' command`);
export const stringTooLongErr = () => err('string exceeds maximum allowed size (proto-max-bulk-len)');
export const bitOffsetErr = () => err('bit offset is not an integer or out of range');
export const invalidCursorErr = () => err('invalid cursor');
export const wrongArityErr = (fullname: string) =>
  err(`wrong number of arguments for '${fullname}' command`);
export const unknownSubcommandErr = (sub: string, container: string) =>
  err(`unknown subcommand '${truncate(sub, 128)}'. Try ${container.toUpperCase()} HELP.`);

/** processCommand's reply for a name that is not in the command table. */
export function unknownCommandErr(name: string, args: readonly string[]): ReplyError {
  let list = '';
  for (let i = 0; i < args.length && list.length < 128; i++) {
    list += `'${truncate(args[i]!, 128 - list.length)}' `;
  }
  return err(
    `unknown command '${truncate(name, 128)}', with args beginning with: ${list}`.replace(/[\r\n]/g, ' '),
  );
}

export const subscribedContextErr = (fullname: string) =>
  err(
    `Can't execute '${fullname}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context`,
  );

function truncate(s: string, n: number): string {
  return s.length > n ? s.slice(0, n) : s;
}
