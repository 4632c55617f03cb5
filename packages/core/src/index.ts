/**
 * @lodis/core — a Redis-compatible data-structure store for browsers and edge runtimes.
 *
 *   import { createStore } from '@lodis/core';
 *   const redis = createStore();
 *   await redis.set('user:123', JSON.stringify(user), { ex: 3600 });
 */

export { createStore, openStore, Store, LocalTransport, toEngineArg, type StoreOptions, type TimerApi } from './store.js';
export { Engine, type CommandGate, type EngineOptions, type PropagateHook } from './server.js';
export {
  MemoryPersistence,
  type LogBatch,
  type Persistence,
  type StoredState,
} from './persistence.js';
export {
  BatchWriter,
  CommandLog,
  decodeBatch,
  encodeBatch,
  LogBatchError,
  type LogBatchErrorReason,
  type LoggedAck,
  type LoggedOp,
  type LogTruncation,
  type PersistenceOptions,
  type PersistenceTimers,
} from './aof.js';
export { OBJECT_CODECS, rdbLoad, SnapshotError, SnapshotWriter, type ObjectCodec, type SnapshotWriterOptions } from './rdb.js';
export { crc32 } from './rio.js';
export { OpReplies, encodeStoredReply, decodeStoredReply } from './opreplies.js';
export { Client } from './client.js';
export { configGetValue, configSetInternal, lookupConfig, ServerConfig, type MaxmemoryPolicy } from './config.js';
export { genRedisInfoString } from './info.js';
export { BinaryReplyError, ReplyError } from './errors.js';
export { RedisCommands } from './api/index.js';
export type { CommandArg, Transport } from './api/transport.js';
export {
  decodeReply,
  decodeReplyBuffer,
  encodeResp2,
  DoubleReply,
  MapReply,
  MultiReply,
  NULL_ARRAY,
  OK,
  PushReply,
  SetReply,
  Status,
  VerbatimReply,
  type Decoded,
  type DecodedBuffer,
  type Reply,
} from './reply.js';
export { commandTable } from './command-table.js';
export type { RedisCommand, CommandHandler, CommandHandlers } from './commands.js';
export { Subscription, type PubSubMessage, type SubscribeOptions } from './api/pubsub.js';
export { PipelineError } from './errors.js';
export type {
  BatchedCommands,
  Pipeline,
  PipelineCommands,
  PipelineResult,
  PipelineResults,
  PipelineResultsKeepingErrors,
  Transaction,
} from './api/pipeline.js';
export { KeyChanges, type KeyChangesOptions } from './api/keywatch.js';
export {
  KEY_CHANGE_CLASSES,
  keyChangeKey,
  KeyPattern,
  observeKeyChanges,
  type KeyChange,
  type KeyspaceObserver,
  type WatchKeysOptions,
} from './keywatch.js';
export { BitFieldCommand, type BitFieldOffset, type BitFieldType, type BitUnit } from './api/bitmaps.js';
export type { GetExOptions, Integer, KeyValues, LcsMatch, LcsOptions, SetOptions } from './api/strings.js';
export type { CopyOptions, ExpireOption, KeyType, ScanCommandOptions } from './api/keys.js';
export type { ListDirection, ListInsertPosition, LposOptions } from './api/lists.js';
export type { HashFields, HScanOptions } from './api/hashes.js';
export type { FlushOptions } from './api/server.js';
export type { SInterCardOptions, SScanOptions } from './api/sets.js';
export type { SortOptions, SortStoreOptions } from './api/sort.js';
export type {
  ScoreMember,
  ZAddOptions,
  ZAggregateOptions,
  ZPopWhere,
  ZRangeBound,
  ZRangeOptions,
  ZRangeStoreOptions,
  ZScanOptions,
} from './api/zsets.js';
export type {
  StreamEntry,
  StreamFields,
  StreamGroupEntry,
  StreamId,
  StreamRange,
  StreamTrim,
  XAddOptions,
  XAutoClaimJustIdReply,
  XAutoClaimOptions,
  XAutoClaimReply,
  XClaimOptions,
  XGroupCommand,
  XGroupCreate,
  XGroupCreateConsumer,
  XGroupDelConsumer,
  XGroupDestroy,
  XGroupSetId,
  XInfoCommand,
  XInfoConsumer,
  XInfoConsumerFull,
  XInfoGroup,
  XInfoGroupFull,
  XInfoStream,
  XInfoStreamFull,
  XPendingEntry,
  XPendingOptions,
  XPendingSummary,
  XReadGroupOptions,
  XReadGroupReply,
  XReadOptions,
  XReadReply,
  XSetIdOptions,
  XTrimOptions,
} from './api/streams.js';
