/**
 * Typed methods (shaped like @upstash/redis).
 * SKELETON: to be completed.
 */
import { CommandsBase } from './base.js';

export abstract class ServerCommands extends CommandsBase {}
