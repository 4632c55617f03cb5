/**
 * The errors this package makes itself. Every other failure (QuotaExceededError, a transaction
 * that aborted, VersionError …) reaches the caller as IndexedDB raised it, name and all.
 */

/** Another writer opened the store (bumped `meta.epoch`) after this one: it may not write again. */
export class FencedError extends Error {
  override readonly name = 'FencedError';

  constructor(
    /** The IndexedDB database name (`lodis:<name>`). */
    readonly database: string,
    /** The epoch this writer took at `load()`. */
    readonly epoch: number,
    /** The epoch found in `meta`, taken by the writer that took over. */
    readonly currentEpoch: number,
  ) {
    super(
      `${database}: another writer took over (epoch ${currentEpoch}; this one opened at epoch ${epoch}), ` +
        `so this one may not write any more`,
    );
  }
}

/** Why a connection is gone: closed by `close()`, for another tab's upgrade, or by the browser. */
export type CloseReason = 'closed' | 'versionchange' | 'terminated';

/** The database is not open: never loaded, closed, or closed under this writer (see `reason`). */
export class ClosedError extends Error {
  override readonly name = 'ClosedError';

  constructor(
    readonly database: string,
    readonly reason: CloseReason | 'not loaded',
  ) {
    super(`${database}: ${CLOSED_TEXT[reason]}`);
  }
}

const CLOSED_TEXT: Record<CloseReason | 'not loaded', string> = {
  'not loaded': 'not open for writing: call load() first',
  closed: 'the database is closed',
  versionchange: 'the connection was closed so that another tab could upgrade or delete the database',
  terminated: 'the browser closed the connection (storage cleared, disk error or crash)',
};
