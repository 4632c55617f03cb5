/**
 * The base of the typed API: raw `call`/`callBuffer`, and `send`, through which each typed method
 * (defined once, in api/<family>.ts) reaches whatever Transport this front has.
 */
import type { Decoded, DecodedBuffer } from '../reply.js';
import type { CommandArg, Transport } from './transport.js';

export abstract class CommandsBase {
  constructor(protected readonly transport: Transport) {}

  /** Run any command as redis-cli would: `call('SET', 'k', 'v')`. Bulk replies are strings. */
  call(...argv: CommandArg[]): Promise<Decoded> {
    return this.transport.send(argv);
  }

  /** As `call`, with bulk replies as `Uint8Array`. */
  callBuffer(...argv: CommandArg[]): Promise<DecodedBuffer> {
    return this.transport.sendBuffer(argv);
  }

  /** Send a command for a typed method; `decode` turns the RESP2 reply into the method's type. */
  protected send<T = Decoded>(argv: CommandArg[], decode?: (reply: Decoded) => T): Promise<T> {
    const p = this.transport.send(argv);
    return (decode ? p.then(decode) : p) as Promise<T>;
  }
}
