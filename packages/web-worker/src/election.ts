/// <reference lib="dom" />
/**
 * Leader election with the Web Lock `lodis:<name>`: every worker queues for it; the holder is the
 * leader until it releases it (closing), dies (the browser releases it), or has it stolen by a
 * follower that found it stalled. The browser grants a lock to one holder at a time, so there is
 * at most one leader per store name; a leader that had its lock stolen learns it when its thread
 * runs again, and its writes are refused meanwhile by the IndexedDB epoch (fencing).
 */

/** The lock API, where the runtime has it (workers of every current browser). */
export function lockManager(): LockManager | null {
  const nav = (globalThis as { navigator?: { locks?: LockManager } }).navigator;
  return nav?.locks ?? null;
}

export interface LeaderLockEvents {
  /** This worker holds the lock: it is the leader from now on. */
  acquired(): void;
  /** The lock was stolen from this worker (it was the leader). */
  lost(): void;
}

/** One worker's place in the election: queued, holding, or stealing the lock. */
export class LeaderLock {
  private queued: AbortController | null = null;
  private release: (() => void) | null = null;
  /** Bumped per request, so a settled old request cannot be taken for the current one. */
  private generation = 0;
  held = false;

  constructor(
    private readonly locks: LockManager,
    readonly name: string,
    private readonly events: LeaderLockEvents,
  ) {}

  /** Queue for the lock (once; again after losing it). */
  queue(): void {
    if (this.held || this.queued) return;
    const abort = (this.queued = new AbortController());
    this.request({ signal: abort.signal });
  }

  /** Take the lock from its holder now (the holder is stalled), giving up the place in the queue. */
  steal(): void {
    if (this.held) return;
    this.queued?.abort();
    this.queued = null;
    this.request({ steal: true });
  }

  /** Hand the lock on (closing). */
  giveUp(): void {
    this.queued?.abort();
    this.queued = null;
    this.held = false;
    const r = this.release;
    this.release = null;
    r?.();
  }

  private request(options: LockOptions): void {
    const gen = ++this.generation;
    this.locks
      .request(this.name, options, () => {
        if (gen !== this.generation) return undefined; // a request given up on (the signal was too late)
        this.queued = null;
        this.held = true;
        const holding = new Promise<void>((r) => (this.release = r));
        this.events.acquired();
        return holding;
      })
      .then(
        () => {},
        (e: unknown) => {
          // A request aborted while queued, or the lock stolen while held.
          if (gen !== this.generation || !this.held) return;
          if ((e as { name?: string })?.name !== 'AbortError') return;
          this.held = false;
          this.release = null;
          this.events.lost();
        },
      );
  }
}

/**
 * Wait for the lock `name` to be free, then run `fn` (the leader watches a tab's lifetime lock
 * this way: granted when the tab's worker is gone). Returns a function that cancels the wait.
 */
export function whenReleased(locks: LockManager, name: string, fn: () => void): () => void {
  const abort = new AbortController();
  locks.request(name, { signal: abort.signal }, () => fn()).catch(() => {});
  return () => abort.abort();
}

/** Hold the lock `name` for as long as this worker lives; resolves once it is held. */
export function holdForever(locks: LockManager, name: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    locks
      .request(name, () => {
        resolve();
        return new Promise<void>(() => {});
      })
      .catch(reject);
  });
}

/** The client id of the holder of lock `name` (null if free or unknown). */
export async function lockHolder(locks: LockManager, name: string): Promise<string | null> {
  const snapshot = await locks.query();
  return snapshot.held?.find((l) => l.name === name)?.clientId ?? null;
}
