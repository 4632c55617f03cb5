/**
 * Server settings (config.c): CONFIG GET / SET / RESETSTAT and the values the engine reads.
 *
 * The settings the engine acts on are typed fields of `ServerConfig` (engine.config), read
 * directly by the code that needs them (evict.ts reads maxmemory and its policy, …). CONFIG SET
 * validates as Redis does and stores into them.
 */

/** maxmemory-policy values (server.h MAXMEMORY_*). */
export type MaxmemoryPolicy =
  | 'volatile-lru'
  | 'volatile-lfu'
  | 'volatile-random'
  | 'volatile-ttl'
  | 'allkeys-lru'
  | 'allkeys-lfu'
  | 'allkeys-random'
  | 'noeviction';

/** The settings the engine acts on, with Redis 7.0's defaults. */
export class ServerConfig {
  /** maxmemory, bytes; 0 = no limit. */
  maxmemory = 0;
  maxmemoryPolicy: MaxmemoryPolicy = 'noeviction';
  maxmemorySamples = 5;
  maxmemoryEvictionTenacity = 10;
  lfuLogFactor = 10;
  /** Minutes. */
  lfuDecayTime = 1;
}
