/** The errors this package makes itself; Deno KV's own (quota, I/O) reach the caller as raised. */

/** Another writer loaded the store (bumped its epoch) after this one: it may not write again. */
export class FencedError extends Error {
  override readonly name = 'FencedError';

  constructor(
    /** The store's name. */
    readonly store: string,
    /** The epoch this writer took at `load()`. */
    readonly epoch: number,
  ) {
    super(`lodis:${store}: another writer took over after epoch ${epoch}, so this one may not write any more`);
  }
}

/** Written to before `load()` or after `close()`. */
export class ClosedError extends Error {
  override readonly name = 'ClosedError';

  constructor(readonly store: string) {
    super(`lodis:${store}: not open for writing (call load() first; close() ends it)`);
  }
}
