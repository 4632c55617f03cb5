/**
 * Expiry (expire.c): EXPIRE-family commands and the active expire cycle.
 * SKELETON: completed by the keys work.
 */
import type { Engine } from './server.js';

/** activeExpireCycle: sample keys with a TTL and delete the expired ones. */
export function activeExpireCycle(engine: Engine): void {
  void engine;
}

import type { CommandHandlers } from './commands.js';

export const expireCommands: CommandHandlers = {};
