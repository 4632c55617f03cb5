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

/**
 * commandCheckExistence's errors. Arguments are byte strings (one char per byte) and are printed
 * as C's `%.128s` does: up to the first NUL, at most 128 bytes; CR and LF become spaces.
 */
export function unknownCommandErr(name: string, args: readonly string[]): ReplyError {
  let list = '';
  for (let i = 0; i < args.length && list.length < 128; i++) {
    list += `'${cString(args[i]!, 128 - list.length)}' `;
  }
  return commandErr(`ERR unknown command '${cString(name, 128)}', with args beginning with: ${list}`);
}

export function unknownSubcommandErr(sub: string, container: string): ReplyError {
  return commandErr(`ERR unknown subcommand '${cString(sub, 128)}'. Try ${container.toUpperCase()} HELP.`);
}

function commandErr(latin1: string): ReplyError {
  const text = latin1.replace(/[\r\n]/g, ' ');
  // eslint-disable-next-line no-control-regex
  return /^[\x00-\x7f]*$/.test(text) ? new ReplyError(text) : new BinaryReplyError(text);
}

/** printf's `%.*s` of a byte string: stops at the first NUL, at most `max` bytes. */
function cString(s: string, max: number): string {
  const nul = s.indexOf('\0');
  return (nul >= 0 ? s.slice(0, nul) : s).slice(0, max);
}

export const subscribedContextErr = (fullname: string) =>
  err(
    `Can't execute '${fullname}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context`,
  );

/** addReplySubcommandSyntaxError: a known subcommand with the wrong arguments (PUBSUB CHANNELS a b). */
export const subcommandSyntaxErr = (sub: string, container: string) =>
  err(
    `unknown subcommand or wrong number of arguments for '${truncate(sub, 128)}'. Try ${container.toUpperCase()} HELP.`,
  );

function truncate(s: string, n: number): string {
  return s.length > n ? s.slice(0, n) : s;
}

// Transactions (multi.c, server.c processCommand).
export const multiNestedErr = () => err('MULTI calls can not be nested');
export const execWithoutMultiErr = () => err('EXEC without MULTI');
export const discardWithoutMultiErr = () => err('DISCARD without MULTI');
export const watchInsideMultiErr = () => err('WATCH inside MULTI is not allowed');
export const notAllowedInMultiErr = () => err('Command not allowed inside a transaction');
export const execAbortErr = () => new ReplyError('EXECABORT Transaction discarded because of previous errors.');
/**
 * execCommandAbort: EXEC itself refused ends the transaction with the reason. Redis passes a shared
 * error with its code (LOADING …, MISCONF …) but a formatted one (arity …) without its "ERR ".
 */
export const execAbortBecauseErr = (reason: ReplyError) =>
  new ReplyError(`EXECABORT Transaction discarded because of: ${reason.message.replace(/^ERR /, '')}`);

// Typed pipelines and transactions (api/pipeline.ts): not Redis errors — @upstash/redis' texts, and Lodis' own.
/**
 * `exec()` (without keepErrors) of a pipeline or transaction whose command `index` (from 0)
 * failed: @upstash/redis' message, `Command 2 [ INCR ] failed: ERR value is not …`; Redis' error
 * (a ReplyError) is the `cause`.
 */
export class PipelineError extends Error {
  constructor(
    readonly index: number,
    readonly command: string,
    cause: unknown,
  ) {
    super(`Command ${index + 1} [ ${command} ] failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'PipelineError';
  }
}
export const pipelineEmptyErr = () => new Error('Pipeline is empty');
export const pipelineExecutedErr = () => new Error('Lodis: this pipeline was executed already (make a new one)');
export const pipelineMethodErr = (name: string) => new Error(`Lodis: ${name}() cannot be used in a pipeline`);
export const notInPipelineErr = (what: string) => new Error(`Lodis: ${what} is not available inside a pipeline`);

// Bitmaps (bitops.c).
export const bitValueErr = () => err('bit is not an integer or out of range');
export const bitArgumentErr = () => err('The bit argument must be 1 or 0.');
export const bitopNotErr = () => err('BITOP NOT must be called with a single source key.');
export const bitfieldTypeErr = () =>
  err('Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.');
export const bitfieldOverflowErr = () => err('Invalid OVERFLOW type specified');
export const bitfieldRoErr = () => err('BITFIELD_RO only supports the GET subcommand');

// HyperLogLog (hyperloglog.c: isHLLObjectOrReply, invalid_hll_err).
export const notHllErr = () => new ReplyError('WRONGTYPE Key is not a valid HyperLogLog string value.');
export const invalidHllErr = () => new ReplyError('INVALIDOBJ Corrupted HLL object detected');

// Keyspace and expire commands (db.c, expire.c, object.c getRangeLongFromObjectOrReply).
export const intRangeErr = () => err('value is out of range, value must between -2147483648 and 2147483647');
/** parseExtendedExpireArgumentsOrReply's "Unsupported option %s", echoing the option's bytes. */
export const unsupportedOptionErr = (optLatin1: string) => errFormatBytes(`ERR Unsupported option ${optLatin1}`);
export const expireNxCompatErr = () => err('NX and XX, GT or LT options at the same time are not compatible');
export const expireGtLtCompatErr = () => err('GT and LT options at the same time are not compatible');

/**
 * An error whose text echoes bytes that are not UTF-8 (an argument). `message` is the text as a
 * client decodes it (invalid sequences as U+FFFD); `latin1` is what Redis sends after the `-`,
 * one char per byte, and what encodeResp2 writes.
 */
export class BinaryReplyError extends ReplyError {
  constructor(readonly latin1: string) {
    super(new TextDecoder().decode(Uint8Array.from(latin1, (ch) => ch.charCodeAt(0))));
  }
}

/**
 * addReplyErrorFormat on a byte string (one char per byte): trailing CR/LF trimmed, inner ones
 * turned into spaces; a plain ReplyError when the bytes are ASCII, else a BinaryReplyError.
 */
export function errFormatBytes(latin1: string): ReplyError {
  const text = latin1.replace(/[\r\n]+$/, '').replace(/[\r\n]/g, ' ');
  // eslint-disable-next-line no-control-regex
  return /^[\x00-\x7f]*$/.test(text) ? new ReplyError(text) : new BinaryReplyError(text);
}

// Strings (t_string.c).
export const offsetOutOfRangeErr = () => err('offset is out of range');
export const decrementOverflowErr = () => err('decrement would overflow');
export const nanOrInfinityErr = () => err('increment would produce NaN or Infinity');
export const lcsNotStringErr = () => err('The specified keys must contain string values');
export const lcsLenAndIdxErr = () => err('If you want both the length and indexes, please just use IDX.');
export const lcsTooLongErr = () => err('Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len');

// Lists (t_list.c; object.c getPositiveLongFromObjectOrReply for LPOP/RPOP's count).
export const mustBePositiveErr = () => err('value is out of range, must be positive');
export const lposRankZeroErr = () =>
  err("RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list");
export const lposCountNegativeErr = () => err("COUNT can't be negative");
export const lposMaxlenNegativeErr = () => err("MAXLEN can't be negative");
export const numkeysErr = () => err('numkeys should be greater than 0');
export const countPositiveErr = () => err('count should be greater than 0');

// Hashes (t_hash.c; object.c getRangeLongFromObjectOrReply for HRANDFIELD's count).
export const hashValueNotIntegerErr = () => err('hash value is not an integer');
export const hashValueNotFloatErr = () => err('hash value is not a float');
export const valueIsNanOrInfinityErr = () => err('value is NaN or Infinity');
export const valueOutOfRangeErr = () => err('value is out of range');
export const rangeLongErr = (min: string, max: string) => err(`value is out of range, value must between ${min} and ${max}`);
/** Lodis builds a reply in memory: HRANDFIELD's negative counts past this many elements are refused. */
export const randomReplyTooLargeErr = (max: number) => err(`Lodis: the reply would hold more than ${max} elements`);

// Sets (t_set.c sinterCardCommand; SPOP's count is mustBePositiveErr, SRANDMEMBER's rangeLongErr).
export const numkeysOverArgsErr = () => err("Number of keys can't be greater than number of args");
export const limitNegativeErr = () => err("LIMIT can't be negative");

// Sorted sets (t_zset.c; counts and numkeys reuse the list and set errors above).
export const zaddNxXxErr = () => err('XX and NX options at the same time are not compatible');
export const zaddGtLtNxErr = () => err('GT, LT, and/or NX options at the same time are not compatible');
export const zaddIncrPairsErr = () => err('INCR option supports a single increment-element pair');
export const scoreNanErr = () => err('resulting score is not a number (NaN)');
export const minMaxNotFloatErr = () => err('min or max is not a float');
export const minMaxNotLexErr = () => err('min or max not valid string range item');
export const weightNotFloatErr = () => err('weight value is not a float');
export const zsetNumkeysErr = (fullname: string) => err(`at least 1 input key is needed for '${fullname}' command`);
export const zrangeLimitRankErr = () => err('syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX');
export const zrangeWithscoresLexErr = () => err('syntax error, WITHSCORES not supported in combination with BYLEX');

// SORT (sort.c): a numeric sort met a score strtod does not read whole, NaN, or out of range.
export const sortScoreErr = () => err("One or more scores can't be converted into double");

// Streams (t_stream.c, blocked.c): IDs, XADD/XTRIM options, XRANGE, XREAD/XREADGROUP, XSETID.
export const streamInvalidIdErr = () => err('Invalid stream ID specified as stream command argument');
export const streamMaxlenMinidErr = () => err('syntax error, MAXLEN and MINID options at the same time are not compatible');
export const streamMaxlenNegativeErr = () => err('The MAXLEN argument must be >= 0.');
export const streamLimitNegativeErr = () => err('The LIMIT argument must be >= 0.');
export const streamLimitWithoutStrategyErr = () => err('syntax error, LIMIT cannot be used without specifying a trimming strategy');
export const streamXtrimStrategyErr = () => err('syntax error, XTRIM must be called with a trimming strategy');
export const streamLimitWithoutApproxErr = () => err('syntax error, LIMIT cannot be used without the special ~ option');
export const streamXaddIdZeroErr = () => err('The ID specified in XADD must be greater than 0-0');
export const streamExhaustedErr = () => err('The stream has exhausted the last possible ID, unable to add more items');
export const streamXaddIdSmallErr = () => err('The ID specified in XADD is equal or smaller than the target stream top item');
export const streamElementsTooLargeErr = () => err('Elements are too large to be stored');
export const streamInvalidStartErr = () => err('invalid start ID for the interval');
export const streamInvalidEndErr = () => err('invalid end ID for the interval');
export const xreadUnbalancedErr = () =>
  err("Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified.");
export const xreadGroupOptionErr = () => err('The GROUP option is only supported by XREADGROUP. You called XREAD instead.');
export const xreadNoackOptionErr = () => err('The NOACK option is only supported by XREADGROUP. You called XREAD instead.');
export const xreadgroupMissingGroupErr = () => err('Missing GROUP option for XREADGROUP');
export const xreadgroupDollarErr = () =>
  err(
    'The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set.',
  );
export const xreadGreaterIdErr = () =>
  err('The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.');
/** Arguments are byte strings (one char per byte), printed as `%s` prints them. */
export const xreadgroupNoGroupErr = (key: string, group: string) =>
  errFormatBytes(`NOGROUP No such key '${cString(key, Infinity)}' or consumer group '${cString(group, Infinity)}' in XREADGROUP with GROUP option`);
export const xreadgroupGroupDestroyedErr = () => new ReplyError('NOGROUP the consumer group this client was blocked on no longer exists');
export const xreadgroupKeyDeletedErr = () => new ReplyError('UNBLOCKED the stream key no longer exists');
export const xsetidEntriesAddedNegativeErr = () => err('entries_added must be positive');
export const xsetidMaxDeletedErr = () => err('The ID specified in XSETID is smaller than the provided max_deleted_entry_id');
export const xsetidSmallErr = () => err('The ID specified in XSETID is smaller than the target stream top item');
export const xsetidEntriesAddedSmallErr = () => err('The entries_added specified in XSETID is smaller than the target stream length');

// Stream consumer groups (t_stream.c xgroupCommand … xinfoCommand). Byte-string arguments are printed as `%s` prints them.
export const xgroupNoKeyErr = () =>
  err(
    'The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.',
  );
export const xgroupEntriesReadErr = () => err('value for ENTRIESREAD must be positive or -1');
export const xgroupBusyGroupErr = () => new ReplyError('BUSYGROUP Consumer Group name already exists');
/** XGROUP SETID/CREATECONSUMER/DELCONSUMER and XINFO CONSUMERS on a missing group. */
export const noGroupForKeyErr = (group: string, key: string) =>
  errFormatBytes(`NOGROUP No such consumer group '${cString(group, Infinity)}' for key name '${cString(key, Infinity)}'`);
/** XPENDING, XCLAIM, XAUTOCLAIM on a missing key or group. */
export const noKeyOrGroupErr = (key: string, group: string) =>
  errFormatBytes(`NOGROUP No such key '${cString(key, Infinity)}' or consumer group '${cString(group, Infinity)}'`);
export const xclaimMinIdleErr = (cmd: 'XCLAIM' | 'XAUTOCLAIM') => err(`Invalid min-idle-time argument for ${cmd}`);
export const xclaimOptionArgErr = (opt: 'IDLE' | 'TIME' | 'RETRYCOUNT') => err(`Invalid ${opt} option argument for XCLAIM`);
export const xclaimUnrecognizedOptionErr = (opt: string) => errFormatBytes(`ERR Unrecognized XCLAIM option '${cString(opt, Infinity)}'`);
export const xautoclaimCountErr = () => err('COUNT must be > 0');
export const xautoclaimCountTooHighErr = () => err('Insufficient memory, failed allocating transient memory, COUNT too high.');

// Persistence (aof.c, rdb.c, server.c processCommand).
/** Writes (and PING) while the log cannot be written: Redis' "-MISCONF Errors writing to the AOF file: %s". */
export const misconfErr = (cause: unknown) => new ReplyError(`MISCONF Errors writing to IndexedDB: ${describeError(cause)}`);
/** The session was closed while a command of it waited (a blocked BLPOP, say). */
export const connectionClosedErr = () => err('Connection is closed');
export const loadingErr = () => new ReplyError('LOADING Redis is loading the dataset in memory');
export const loadFailedErr = (cause: unknown) => err(`Error loading the dataset: ${describeError(cause)}`);
export const saveFailedErr = (cause: unknown) => err(`Error saving the dataset: ${describeError(cause)}`);
export const noPersistenceErr = () => err('This store has no persistence configured (createStore({ persistence }))');
export const rdbSaveInProgressErr = () => err('Background save already in progress');
export const aofRewriteInProgressErr = () => err('Background append only file rewriting already in progress');
export const otherChildActiveErr = () =>
  err(
    "Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible.",
  );

/** A storage error as the errors above show it: "QuotaExceededError: <message>". */
export function describeError(e: unknown): string {
  if (typeof e === 'object' && e !== null && 'message' in e) {
    const name = (e as { name?: unknown }).name;
    const message = String((e as { message: unknown }).message);
    return typeof name === 'string' && name !== '' ? `${name}: ${message}` : message;
  }
  return String(e);
}

// Memory, eviction and OBJECT (server.c processCommand, evict.c, object.c).
/** shared.oomerr: a command that may grow memory, refused while used memory is over maxmemory and nothing can be evicted. */
export const oomErr = () => new ReplyError("OOM command not allowed when used memory > 'maxmemory'.");
/** OBJECT FREQ under an LRU (or no) policy. */
export const lfuNotSelectedErr = () =>
  err(
    'An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.',
  );
/** OBJECT IDLETIME under an LFU policy. */
export const lfuSelectedErr = () =>
  err(
    'An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.',
  );

// Settings and introspection (config.c configSetCommand, networking.c clientCommand). Names are
// byte strings, printed as `%s` prints them.
export const configUnknownOptionErr = (name: string) =>
  errFormatBytes(`ERR Unknown option or number of arguments for CONFIG SET - '${cString(name, Infinity)}'`);
export const configSetFailedErr = (name: string, reason: string | null) =>
  errFormatBytes(`ERR CONFIG SET failed (possibly related to argument '${cString(name, Infinity)}')${reason === null ? '' : ` - ${reason}`}`);
export const noConfigFileErr = () => err('The server is running without a config file');
export const clientNameErr = () => err('Client names cannot contain spaces, newlines or special characters.');
export const unknownClientTypeErr = (type: string) => errFormatBytes(`ERR Unknown client type '${cString(type, Infinity)}'`);
export const invalidClientIdErr = () => err('Invalid client ID');
export const clientIdPositiveErr = () => err('client-id should be greater than 0');
export const noSuchUserErr = (user: string) => errFormatBytes(`ERR No such user '${cString(user, Infinity)}'`);
export const noSuchClientErr = () => err('No such client');
export const unblockReasonErr = () => err('CLIENT UNBLOCK reason should be TIMEOUT or ERROR');
/** What a session blocked in BLPOP … gets when CLIENT UNBLOCK … ERROR releases it. */
export const unblockedErr = () => new ReplyError('UNBLOCKED client unblocked via CLIENT UNBLOCK');
export const pauseModeErr = () => err('CLIENT PAUSE mode must be WRITE or ALL');
export const clientCachingErr = () =>
  err('CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled');
/** Lodis' own: CLIENT TRACKING ON (server-assisted client-side caching is not implemented). */
export const trackingUnsupportedErr = () =>
  err('Lodis does not support client-side caching (CLIENT TRACKING ON); subscribe to keyspace notifications instead');

// Connections and authentication (networking.c helloCommand, acl.c authCommand, server.c processCommand).
export const noAuthErr = () => new ReplyError('NOAUTH Authentication required.');
export const helloNoAuthErr = () =>
  new ReplyError(
    'NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time',
  );
export const noProtoErr = () => new ReplyError('NOPROTO unsupported protocol version');
export const helloProtocolVersionErr = () => err('Protocol version is not an integer or out of range');
/** Echoes the option as `%s` prints it. */
export const helloOptionErr = (opt: string) => errFormatBytes(`ERR Syntax error in HELLO option '${cString(opt, Infinity)}'`);
export const wrongPassErr = () => new ReplyError('WRONGPASS invalid username-password pair or user is disabled.');
export const authWithoutPasswordErr = () =>
  err('AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?');
/** processCommand: DEBUG while enable-debug-command does not allow it. */
export const debugNotAllowedErr = () =>
  err(
    'DEBUG command not allowed. If the enable-debug-command option is set to "local", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.',
  );

// COMMAND GETKEYS / GETKEYSANDFLAGS (server.c getKeysSubcommandImpl).
export const invalidCommandSpecifiedErr = () => err('Invalid command specified');
export const invalidCommandArgsErr = () => err('Invalid number of arguments specified for command');
export const commandHasNoKeysErr = () => err('The command has no key arguments');
export const invalidCommandArgumentsErr = () => err('Invalid arguments specified for command');

// DEBUG (debug.c).
export const debugReloadOptionErr = () => err('DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.');
export const notListpackErr = () => err('Not a listpack encoded object.');
export const notQuicklistErr = () => err('Not a quicklist encoded object.');
export const packedThresholdErr = () => err('argument must be a memory value bigger than 1 and smaller than 4gb');
/**
 * An error reply written as raw protocol (addReplySds of "-…"): the client sees an error, but it is
 * not counted in errorstats, total_error_replies or the command's failed_calls.
 */
export class RawReplyError extends BinaryReplyError {}
/** DEBUG ERROR: the text as given, CR and LF made spaces (it may carry its own code). */
export const debugErrorReply = (latin1: string) => new RawReplyError(latin1.replace(/[\r\n]/g, ' '));

// FUNCTION and SCRIPT (functions.c, eval.c). The argument is printed as `%s` prints it.
export const functionFlushOptionErr = () => err('FUNCTION FLUSH only supports SYNC|ASYNC option');
export const scriptFlushOptionErr = () => err('SCRIPT FLUSH only support SYNC|ASYNC option');
export const libraryNameMissingErr = () => err('library name argument was not given');
export const unknownArgumentErr = (arg: string) => errFormatBytes(`ERR Unknown argument ${cString(arg, Infinity)}`);
