/**
 * @lodis/redis-client: the typed API of @lodis/core over RESP to any Redis-compatible server
 * (Redis, Valkey, lodis-server), in Node, Deno and Bun.
 */
export { createClient, resolveOptions, RedisClient, RedisTransport, type RedisClientOptions } from './client.js';
export { ConnectionError, RedisConnection, toText, type ConnectionHooks, type ConnectionOptions } from './connection.js';
export { CommandWriter, encodeCommand, ProtocolError, ReplyParser, type ReplyListener } from './resp.js';
export { ReplyError, PipelineError, Subscription, type PubSubMessage, type KeyChange } from '@lodis/core';
