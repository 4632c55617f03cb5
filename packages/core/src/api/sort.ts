/**
 * Typed methods for SORT and SORT_RO (@upstash/redis has no SORT; the options follow its style:
 * one options object, lower-case names).
 *
 *   await redis.sort('ids');                                        // numeric order: ['1', '2', '10']
 *   await redis.sort('names', { alpha: true, order: 'desc', limit: { offset: 0, count: 10 } });
 *   await redis.sort('ids', { by: 'user:*->age', get: ['#', 'user:*->name'] }); // [id, name, id, name, …]
 *   await redis.sort('ids', { by: 'nosort', get: 'user:*' });      // the list's own order, no sorting
 *   await redis.sort('ids', { store: 'ids:sorted' });               // 3: the result stored as a list
 *
 * Numeric sorting refuses an element (or BY value) that is not a number: the call rejects with
 * "One or more scores can't be converted into double". A missing BY key counts as 0 (ALPHA: it
 * sorts first); a missing GET key or field comes back as null (stored as an empty string).
 */
import { CommandsBase } from './base.js';
import type { CommandArg } from './transport.js';

export type SortOptions = {
  /**
   * BY pattern: sort by the value of the key named by the pattern, `*` standing for the element
   * (`weight_*`), or of a hash field (`user:*->age`). A pattern without `*` (say 'nosort') skips
   * sorting: a list or sorted set keeps its order.
   */
  by?: CommandArg;
  /** LIMIT offset count: a range of the sorted result (a negative count: all after offset). */
  limit?: { offset: number; count: number };
  /** GET pattern(s): reply with these values for each element instead of it; '#' is the element itself. */
  get?: CommandArg | CommandArg[];
  /** Ascending (default) or descending. */
  order?: 'asc' | 'desc' | 'ASC' | 'DESC';
  /** Compare as strings (byte order) instead of as numbers. */
  alpha?: boolean;
};

export type SortStoreOptions = SortOptions & {
  /** STORE destination: store the result as a list there (the key is deleted when the result is empty). */
  store: CommandArg;
};

function sortArgs(name: string, key: CommandArg, o: SortOptions | undefined, store?: CommandArg): CommandArg[] {
  const argv: CommandArg[] = [name, key];
  if (o?.by !== undefined) argv.push('BY', o.by);
  if (o?.limit !== undefined) argv.push('LIMIT', o.limit.offset, o.limit.count);
  if (o?.get !== undefined) for (const g of Array.isArray(o.get) ? o.get : [o.get]) argv.push('GET', g);
  if (o?.order !== undefined) argv.push(o.order.toUpperCase());
  if (o?.alpha) argv.push('ALPHA');
  if (store !== undefined) argv.push('STORE', store);
  return argv;
}

export abstract class SortCommands extends CommandsBase {
  /**
   * SORT key [BY pattern] [LIMIT offset count] [GET pattern ...] [ASC|DESC] [ALPHA] [STORE destination]
   * — the elements of a list, set or sorted set, sorted (or the GET values for them); with
   * `store`, the number of elements stored.
   */
  sort(key: CommandArg, opts: SortStoreOptions): Promise<number>;
  sort(key: CommandArg, opts?: SortOptions): Promise<(string | null)[]>;
  sort(key: CommandArg, opts?: SortOptions & { store?: CommandArg }): Promise<number | (string | null)[]> {
    return this.send(sortArgs('SORT', key, opts, opts?.store)) as Promise<number | (string | null)[]>;
  }

  /** SORT_RO key … — SORT without STORE, a read-only command (it may run on a replica). */
  sortRo(key: CommandArg, opts?: SortOptions): Promise<(string | null)[]> {
    return this.send(sortArgs('SORT_RO', key, opts)) as Promise<(string | null)[]>;
  }
}
