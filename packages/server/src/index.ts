/**
 * @lodis/server — a Lodis store behind the Redis protocol.
 *
 *   import { startServer } from '@lodis/server';
 *   const server = await startServer({ port: 6379 });
 */
export { LodisServer, startServer, type ServerOptions } from './server.js';
export { Connection } from './connection.js';
export { RequestParser, ProtocolError, type ParseLimits } from './resp-parser.js';
export { ReplyWriter } from './resp-writer.js';
export {
  ClosedError,
  DirLockedError,
  FilePersistence,
  filePersistence,
  type AppendFsync,
  type FilePersistenceOptions,
} from './file-persistence.js';
