/**
 * Reactive keys (keywatch.ts): every change of the keys matching a glob, from any session — and,
 * through @lodis/web-worker, from any tab — without configuring notify-keyspace-events. For UI
 * code that re-renders a cart or a leaderboard when it changes:
 *
 *   const stop = redis.watchKeys('cart:42:*', ({ key, event }) => render(key, event));
 *   …
 *   stop();
 *
 *   for await (const { key, event, db } of redis.keyChanges('leaderboard')) await refresh();
 *
 * (Named so as not to clash with Redis' WATCH, which is optimistic locking: `call('WATCH', key)`.)
 */
import type { KeyChange, WatchKeysOptions } from '../keywatch.js';
import { CommandsBase } from './base.js';
import type { CommandArg } from './transport.js';

export interface KeyChangesOptions extends WatchKeysOptions {
  /**
   * Most changes the iterator holds while nobody consumes them (default 100 000; `Infinity` for no
   * cap). Past it the iterator ends: it yields what it holds, then throws.
   */
  maxQueue?: number;
}

const DEFAULT_MAX_QUEUE = 100_000;

export abstract class KeyWatchCommands extends CommandsBase {
  /**
   * Call `handler` for every change of a key matching `pattern` (Redis glob: `*`, `?`, `[a-z]`,
   * `\x`) — in database `options.db`, or in any — made by any session of the store. Changes come
   * in a microtask after the command that made them (a transaction's after its EXEC), in order;
   * `event` is the keyspace event's name (`set`, `del`, `expired`, `hset`, `lpush`, `rename_to` …).
   * Returns the function that stops delivery (at once: nothing more is delivered after it).
   */
  watchKeys(pattern: CommandArg, handler: (change: KeyChange) => void, options: WatchKeysOptions = {}): () => void {
    let active = true;
    const stop = this.transport.watchKeys(pattern, options, (changes) => {
      for (const change of changes) {
        if (!active) return;
        try {
          handler(change);
        } catch (e) {
          queueMicrotask(() => {
            throw e; // reported as uncaught, as an event listener's would be; delivery goes on
          });
        }
      }
    });
    return () => {
      if (!active) return;
      active = false;
      stop();
    };
  }

  /**
   * The changes of keys matching `pattern`, as an async iterator (one consumer):
   * `for await (const { key, event, db } of redis.keyChanges('cart:*'))`. Leaving the loop (or
   * `return()`) stops the watch.
   */
  keyChanges(pattern: CommandArg, options: KeyChangesOptions = {}): KeyChanges {
    return new KeyChanges((listener) => this.transport.watchKeys(pattern, options, listener), options.maxQueue ?? DEFAULT_MAX_QUEUE);
  }
}

/** What `keyChanges` returns: an async iterator of changes, stopped by `return()` or `stop()`. */
export class KeyChanges implements AsyncIterableIterator<KeyChange> {
  private queue: KeyChange[] = [];
  private head = 0;
  private readonly waiters: { resolve: (r: IteratorResult<KeyChange>) => void; reject: (e: unknown) => void }[] = [];
  private readonly unwatch: () => void;
  private stopped = false;
  private failure: Error | null = null;

  /** @internal */
  constructor(
    watch: (listener: (changes: KeyChange[]) => void) => () => void,
    private readonly maxQueue: number,
  ) {
    this.unwatch = watch((changes) => this.receive(changes));
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<KeyChange>> {
    if (this.head < this.queue.length) return Promise.resolve({ value: this.shift(), done: false });
    if (this.stopped) {
      const e = this.failure;
      this.failure = null;
      return e ? Promise.reject(e) : Promise.resolve({ value: undefined, done: true });
    }
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  /** Called when a `for await` loop ends early: the watch ends with it. */
  async return(): Promise<IteratorResult<KeyChange>> {
    this.stop();
    this.queue = [];
    this.head = 0;
    return { value: undefined, done: true };
  }

  /** Stop watching. Changes already queued can still be read. */
  stop(): void {
    this.end(null);
  }

  private receive(changes: KeyChange[]): void {
    for (const change of changes) {
      if (this.stopped) return;
      const w = this.waiters.shift();
      if (w) w.resolve({ value: change, done: false });
      else if (this.queue.length - this.head >= this.maxQueue) {
        this.end(new Error(`Lodis: keyChanges fell ${this.maxQueue} changes behind and was stopped`));
      } else this.queue.push(change);
    }
  }

  private shift(): KeyChange {
    const c = this.queue[this.head]!;
    this.queue[this.head++] = undefined as never;
    if (this.head === this.queue.length) this.queue.length = this.head = 0;
    else if (this.head >= 1024 && this.head * 2 >= this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
    return c;
  }

  private end(failure: Error | null): void {
    if (this.stopped) return;
    this.stopped = true;
    this.unwatch();
    const waiters = this.waiters.splice(0);
    for (const w of waiters) {
      if (failure) w.reject(failure);
      else w.resolve({ value: undefined, done: true });
    }
    // A failure with waiters is thrown to them; otherwise to the next `next()` after the queue.
    if (failure && waiters.length === 0) this.failure = failure;
  }
}
