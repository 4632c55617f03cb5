/**
 * Bitmaps (bitops.c): BITCOUNT BITFIELD BITFIELD_RO BITOP BITPOS GETBIT SETBIT.
 * SKELETON: to be completed.
 */
import type { CommandHandlers } from '../commands.js';

export const bitopsCommands: CommandHandlers = {};
