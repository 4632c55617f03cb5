/**
 * HyperLogLog (hyperloglog.c): PFADD PFCOUNT PFMERGE, with Redis' own encoding.
 * SKELETON: to be completed.
 */
import type { CommandHandlers } from '../commands.js';

export const hllCommands: CommandHandlers = {};
