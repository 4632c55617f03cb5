/**
 * The engine (server.c): databases, clients, the clock, and processCommand/call, through which
 * every command of every front passes.
 */
import type { CommandLog } from './aof.js';
import { allowProtectedAction } from './acl.js';
import { BlockingState, handleClientsBlockedOnKeys, unblockClient, type EngineTimers } from './blocked.js';
import { commandTable } from './command-table.js';
import { ServerConfig } from './config.js';
import { arityOk, CMD_NO_AUTH, CMD_NO_MULTI, CMD_PROTECTED, CMD_RUNS_IN_MULTI, CMD_SUBSCRIBED_OK, CMD_WRITE, lookupCommand, lookupSubcommand, type CommandTable, type RedisCommand } from './commands.js';
import { Client, PREVENTED } from './client.js';
import {
  connectionClosedErr,
  debugNotAllowedErr,
  err,
  execAbortBecauseErr,
  noAuthErr,
  notAllowedInMultiErr,
  RawReplyError,
  ReplyError,
  subscribedContextErr,
  unknownCommandErr,
  unknownSubcommandErr,
  wrongArityErr,
} from './errors.js';
import { CommandStats } from './info.js';
import { maxmemoryRefusal, MemoryState, usedMemory } from './evict.js';
import { RedisDb } from './keyspace.js';
import { observeFlush, observeSwap, type KeyspaceObserver } from './keywatch.js';
import {
  discardTransaction,
  execEffectiveFlags,
  flagTransaction,
  queueMultiCommand,
  touchAllWatchedKeysInDb,
  touchWatchedKey,
  Watches,
} from './multi.js';
import { NOTIFY_KEYEVENT, NOTIFY_KEYSPACE } from './notify.js';
import { OpReplies } from './opreplies.js';
import { PubSub } from './pubsub.js';
import type { SnapshotWriter } from './rdb.js';
import { QUEUED, type Reply } from './reply.js';
import { argLatin1, BINARY_MARK, keyLatin1, keyReply, type Arg, type KeyString } from './sds.js';

export interface EngineOptions {
  /** Number of databases (SELECT 0..n-1). Default 16. */
  databases?: number;
  /** Milliseconds since the epoch. Default `Date.now`. Tests and edge runtimes may inject their own. */
  clock?: () => number;
  /** Random numbers in [0, 1). Default `Math.random`. */
  random?: () => number;
  /**
   * Timers for blocked sessions' timeouts (default: the runtime's setTimeout, none on Cloudflare
   * Workers). `false` where the runtime has none: timeouts are then checked by the active expire
   * cycle (`store.activeExpireCycle()` / `store.serverCron()`).
   */
  timers?: EngineTimers | false;
}

/** A command as it takes effect: what the append-only log records (db index, argv). */
export type PropagateHook = (dbid: number, argv: Arg[]) => void;

/** Refuses a command (with the error to reply) or lets it through (null). */
/**
 * A check every command passes before it runs (LOADING, MISCONF): a refusal, or null. `flags`
 * are the command's, or for EXEC those of the transaction it runs (multi.ts execEffectiveFlags).
 */
export type CommandGate = (c: Client, cmd: RedisCommand, flags: number) => ReplyError | null;

export class Engine {
  readonly dbs: RedisDb[];
  readonly clock: () => number;
  readonly random: () => number;
  readonly pubsub = new PubSub();
  readonly clients = new Map<number, Client>();
  /** The command table (command-table.ts). */
  readonly commands: CommandTable = commandTable;
  /** The table under every spelling seen (lookupCommand). */
  private readonly commandSpellings = new Map<string, RedisCommand>(commandTable);
  /** The command being executed read the clock already (see `now`). */
  private nowCached = false;
  private cachedNow = 0;
  /** Changes since start (server.dirty): a write command that changed nothing is not logged. */
  dirty = 0;
  /** Flags from notify-keyspace-events (none by default). */
  notifyKeyspaceEventsFlags = 0;
  /** Observers of every keyspace event, whatever the flags say (keywatch.ts: reactive keys). */
  readonly keyspaceObservers = new Set<KeyspaceObserver>();
  /** The command log's sink (set by persistence); null logs nothing. */
  onPropagate: PropagateHook | null = null;
  /** The command log, checkpoints and loading (aof.ts) of a persisted store; null for a memory-only one. */
  commandLog: CommandLog | null = null;
  /** Replies of recent forwarded writes by operation id, for exactly-once resends (opreplies.ts). */
  readonly opReplies = new OpReplies();
  /** The snapshot being written (rdb.ts): RedisDb calls its copy-on-write hook before a key changes. */
  snapshotInProgress: SnapshotWriter | null = null;
  /** server.active_expire_enabled (DEBUG SET-ACTIVE-EXPIRE): false stops the active expire cycle; lazy expiry goes on. */
  activeExpireEnabled = true;
  /** Loading the stored dataset (server.loading): nothing expires, and past expire times do not delete. */
  loading = false;
  /** Set while loading (LOADING) or while the log cannot be written (MISCONF); null lets every command through. */
  commandGate: CommandGate | null = null;
  /** When the engine started (ms), and LASTSAVE: unix seconds of the last successful checkpoint. */
  readonly startTime: number;
  lastSave: number;
  readonly stat = { expiredKeys: 0, evictedKeys: 0, numCommands: 0, keyspaceHits: 0, keyspaceMisses: 0, numConnections: 0, rejectedConnections: 0 };
  /** INFO commandstats and errorstats (info.ts): counters per command id, errors by code. */
  readonly cmdStats = new CommandStats();
  /** Sessions blocked on keys, and the keys made ready (blocked.ts). */
  readonly blocking = new BlockingState();
  /** The settings the engine acts on (config.ts; CONFIG GET/SET). */
  readonly config = new ServerConfig();
  /** Memory accounting, the eviction pool and its state (evict.ts). */
  readonly memory = new MemoryState();
  /** Nesting of call(): EXEC calls its commands. */
  private callDepth = 0;
  /** WATCHed keys of every session (multi.ts). */
  readonly watches = new Watches();
  readonly timers: EngineTimers | null;
  private nextClientId = 1;
  /** Sessions detached from the client list (detachClient). */
  readonly detachedClients = new Set<Client>();

  constructor(options: EngineOptions = {}) {
    this.clock = options.clock ?? Date.now;
    this.random = options.random ?? Math.random;
    this.timers = options.timers === false ? null : (options.timers ?? defaultTimers());
    this.startTime = this.clock();
    this.lastSave = Math.floor(this.startTime / 1000);
    const n = options.databases ?? 16;
    this.dbs = Array.from({ length: n }, (_, i) => new RedisDb(i, this));
  }

  /**
   * The time of the command being executed, in ms (Redis caches it per command: server.mstime),
   * read from the clock on first use so commands that need no time do not pay for it.
   */
  get now(): number {
    if (!this.nowCached) {
      this.cachedNow = this.clock();
      this.nowCached = true;
      if (this.unstamped.length !== 0) this.stampInteractions();
    }
    return this.cachedNow;
  }

  /**
   * Sessions that sent a command since the clock was last read. Their last-interaction time
   * (CLIENT LIST idle) is the next clock reading: a command does not read the clock just for it.
   * The active expire cycle reads it 10 times a second, CLIENT LIST itself when it runs.
   */
  private unstamped: Client[] = [];

  private stampInteractions(): void {
    for (const c of this.unstamped) {
      c.lastInteraction = this.cachedNow;
      c.interactionPending = false;
    }
    this.unstamped = [];
  }

  /**
   * used_memory: the engine's estimate of the bytes its keys, values and structures take (evict.ts
   * explains how it is computed). Maintained incrementally; reading it is O(databases).
   */
  usedMemory(): number {
    return usedMemory(this);
  }

  /** Start a new unit of time (a command, an active expire cycle). */
  resetNow(): void {
    this.nowCached = false;
  }

  /** resetServerStats and the command and error tables' counters (CONFIG RESETSTAT). */
  resetStats(): void {
    for (const k of Object.keys(this.stat) as (keyof typeof this.stat)[]) this.stat[k] = 0;
    this.cmdStats.reset();
  }

  createClient(): Client {
    const c = new Client(this, this.nextClientId++);
    this.clients.set(c.id, c);
    this.stat.numConnections++;
    return c;
  }

  /**
   * A session that is not a connection (a server front's own in-process session): CLIENT LIST,
   * CLIENT KILL and INFO's connected_clients no longer see it, as Redis' fake clients (Lua's, the
   * AOF loader's) are not in its client list. It still works, blocks and times out.
   */
  detachClient(c: Client): void {
    if (this.clients.delete(c.id)) this.detachedClients.add(c);
  }

  freeClient(c: Client): void {
    unblockClient(c, connectionClosedErr());
    discardTransaction(c);
    this.pubsub.unsubscribeAll(c);
    c.closed = true;
    this.clients.delete(c.id);
    this.detachedClients.delete(c);
  }

  /**
   * processCommand + call: look the command up, check it, run it, log its effects. Never throws:
   * errors are returned as ReplyError values (they are replies).
   */
  processCommand(c: Client, argv: Arg[]): Reply {
    const name = argv[0]!;
    let cmd = lookupCommand(this.commands, this.commandSpellings, typeof name === 'string' ? name : argLatin1(name));
    if (!c.interactionPending) {
      c.interactionPending = true;
      this.unstamped.push(c);
    }
    if (cmd === undefined) {
      c.lastCommand = null;
      return rejectCommand(c, unknownCommandErr(argLatin1(name), argv.slice(1, 64).map(argLatin1)));
    }
    if (cmd.subcommands !== null && argv.length > 1) {
      const sub = lookupSubcommand(cmd, argLatin1(argv[1]!));
      if (sub === undefined) {
        c.lastCommand = null;
        return rejectCommand(c, unknownSubcommandErr(argLatin1(argv[1]!), cmd.fullname));
      }
      cmd = sub;
    }
    c.lastCommand = cmd;
    if (!arityOk(cmd, argv.length)) return rejectCommand(c, wrongArityErr(cmd.fullname), cmd);
    if (cmd.flags & CMD_PROTECTED && !allowProtectedAction(this.config.enableDebugCommand, c)) {
      return rejectCommand(c, debugNotAllowedErr(), cmd);
    }
    if (!c.authenticated && this.config.requirepass !== null && !(cmd.flags & CMD_NO_AUTH)) {
      return rejectCommand(c, noAuthErr(), cmd);
    }
    const inMulti = c.mstate !== null;
    if (inMulti && cmd.flags & CMD_NO_MULTI) return rejectCommand(c, notAllowedInMultiErr(), cmd);
    if (this.config.maxmemory !== 0) {
      // performEvictions, and -OOM for a command that may grow memory when nothing is left to evict.
      const oom = maxmemoryRefusal(c, cmd);
      if (oom !== null) return rejectCommand(c, oom, cmd);
    }
    if (this.commandGate !== null) {
      const isExec = cmd.fullname === 'exec';
      const refused = this.commandGate(c, cmd, isExec ? execEffectiveFlags(c, cmd) : cmd.flags);
      if (refused !== null) return rejectCommand(c, refused, cmd);
    }
    if (c.resp === 2 && c.subscriptionCount > 0 && !(cmd.flags & CMD_SUBSCRIBED_OK)) {
      return rejectCommand(c, subscribedContextErr(cmd.fullname), cmd);
    }
    if (inMulti && !(cmd.flags & CMD_RUNS_IN_MULTI)) {
      queueMultiCommand(c, cmd, argv);
      return QUEUED;
    }
    const reply = this.call(c, cmd, argv);
    if (this.blocking.ready.length !== 0) handleClientsBlockedOnKeys(this);
    return reply;
  }

  /** Run a blocked session's command again (blocked.ts): its key may have what it waits for now. */
  reprocessBlocked(c: Client, argv: Arg[]): Reply {
    const cmd = lookupCommand(this.commands, this.commandSpellings, typeof argv[0] === 'string' ? argv[0] : argLatin1(argv[0]!))!;
    const reply = this.call(c, cmd, argv);
    // Its call was counted when it blocked (a failure now still counts, as updateStatsOnUnblock does).
    this.stat.numCommands--;
    this.cmdStats.calls[cmd.id]!--;
    const op = c.blocked?.op;
    if (op && reply !== c.blocked!.timeoutReply) this.commandLog?.recordAck(op.origin, op.n, reply);
    return reply;
  }

  /** call(): run a checked command and propagate what it changed. */
  call(c: Client, cmd: RedisCommand, argv: Arg[]): Reply {
    // The time is fixed for a whole command, EXEC included (server.fixed_time_expire).
    if (this.callDepth === 0) this.nowCached = false;
    const dirtyBefore = this.dirty;
    c.rewrittenArgv = null;
    c.argv = argv;
    let reply: Reply;
    this.callDepth++;
    try {
      reply = cmd.handler!(c, argv);
    } catch (e) {
      if (e instanceof ReplyError) reply = e;
      else reply = err(`Lodis internal error in '${cmd.fullname}': ${(e as Error)?.message ?? String(e)}`);
    } finally {
      this.callDepth--;
    }
    this.stat.numCommands++;
    this.cmdStats.calls[cmd.id]!++;
    if (reply instanceof ReplyError && !(reply instanceof RawReplyError)) {
      this.cmdStats.failedCalls[cmd.id]!++;
      this.cmdStats.countError(reply);
    }
    if (cmd.flags & CMD_WRITE && this.dirty !== dirtyBefore && this.onPropagate !== null && c.rewrittenArgv !== PREVENTED) {
      this.onPropagate(c.db.id, c.rewrittenArgv ?? argv);
    }
    return reply;
  }

  /** Log an effect that is not the current command's argv (alsoPropagate). */
  propagate(dbid: number, argv: Arg[]): void {
    this.onPropagate?.(dbid, argv);
  }

  /** propagateDeletion: an expired or evicted key is logged as a DEL. */
  propagateDeletion(db: RedisDb, key: KeyString): void {
    if (this.onPropagate !== null) this.onPropagate(db.id, ['DEL', keyReply(key)]);
  }

  /** signalModifiedKey: a key changed; sessions WATCHing it will fail their EXEC. */
  signalModifiedKey(db: RedisDb, key: KeyString): void {
    if (this.watches.count !== 0) touchWatchedKey(this, db, key);
  }

  /** signalFlushedDb: every key of a database (or all, for -1) is about to go. */
  signalFlushedDb(dbid: number): void {
    if (this.keyspaceObservers.size !== 0) observeFlush(this, dbid);
    if (this.watches.count === 0) return;
    for (const db of dbid === -1 ? this.dbs : [this.dbs[dbid]!]) touchAllWatchedKeysInDb(this, db, null);
  }

  /** SWAPDB is about to exchange two databases' contents: watched keys of either may change. */
  signalSwappedDbs(a: RedisDb, b: RedisDb): void {
    if (this.keyspaceObservers.size !== 0) observeSwap(this, a, b);
    if (this.watches.count === 0) return;
    touchAllWatchedKeysInDb(this, a, b);
    touchAllWatchedKeysInDb(this, b, a);
  }

  /** notifyKeyspaceEvent (notify.c): publish __keyspace@db__:key and __keyevent@db__:event. */
  notifyKeyspaceEvent(type: number, event: string, key: KeyString, dbid: number): void {
    if (this.keyspaceObservers.size !== 0) for (const o of this.keyspaceObservers) o(type, event, key, dbid);
    const flags = this.notifyKeyspaceEventsFlags;
    if (!(flags & type)) return;
    if (flags & NOTIFY_KEYSPACE) this.pubsub.publish(keyspaceChannel(dbid, key), event);
    if (flags & NOTIFY_KEYEVENT) this.pubsub.publish(`__keyevent@${dbid}__:${event}`, keyReply(key));
  }
}

/**
 * Whether the runtime's timers may carry the engine's background work (active expiry, blocked
 * sessions' timeouts, eviction). Not on Cloudflare Workers: they refuse a timer in global scope and
 * drop a request's pending timers when it ends; a Durable Object keeps them, but they keep it awake
 * (billed, never hibernating). There the request path drives that work: `store.serverCron()`.
 */
export function hasBackgroundTimers(): boolean {
  const nav = (globalThis as { navigator?: { userAgent?: unknown } }).navigator;
  return typeof globalThis.setTimeout === 'function' && nav?.userAgent !== 'Cloudflare-Workers';
}

function defaultTimers(): EngineTimers | null {
  if (!hasBackgroundTimers()) return null;
  return {
    setTimeout: (fn, ms) => {
      const h = globalThis.setTimeout(fn, ms);
      (h as { unref?: () => void })?.unref?.(); // never keep a Node process alive
      return h;
    },
    clearTimeout: (h) => globalThis.clearTimeout(h as never),
    ref: (h) => (h as { ref?: () => void })?.ref?.(),
  };
}

/** `__keyspace@<db>__:<key>` as a canonical channel name (binary when the key is). */
function keyspaceChannel(dbid: number, key: KeyString): KeyString {
  const prefix = `__keyspace@${dbid}__:`;
  return key.charCodeAt(0) === 0xdc00 ? BINARY_MARK + prefix + keyLatin1(key) : prefix + key;
}

/**
 * rejectCommand: a command refused before it runs; inside MULTI it dooms the transaction, and a
 * refused EXEC ends it (execCommandAbort, whether or not the session was in MULTI).
 */
function rejectCommand(c: Client, e: ReplyError, cmd?: RedisCommand): ReplyError {
  flagTransaction(c);
  if (cmd?.fullname !== 'exec') {
    c.engine.cmdStats.rejected(cmd ?? null, e);
    return e;
  }
  discardTransaction(c);
  const abort = execAbortBecauseErr(e);
  c.engine.cmdStats.rejected(cmd, abort);
  return abort;
}
