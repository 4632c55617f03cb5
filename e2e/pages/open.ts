/// <reference lib="dom" />
/**
 * Open a Lodis store persisted to IndexedDB, as an app would: the one place the test and bench
 * pages meet the engine's and idb-persist's opening API (issue 3).
 */
import { openStore, type Store } from '@lodis/core';
import { idbPersistence } from '@lodis/idb-persist';
import type { OpenOptions } from './api.js';

export type { Store };

export interface StoreEvent {
  type: string;
  detail: unknown;
}

/** `await openStore({ persistence: idbPersistence({ name, durability }) })`, reporting what it reports. */
export function openPersisted(name: string, options: OpenOptions, onEvent?: (e: StoreEvent) => void): Promise<Store> {
  return openStore({
    persistence: idbPersistence({
      name,
      durability: options.durability ?? 'durable',
      ...(options.intervalMs !== undefined ? { intervalMs: options.intervalMs } : {}),
      closed: (reason) => onEvent?.({ type: 'closed', detail: reason }),
    }),
    onLogTruncated: (detail) => onEvent?.({ type: 'logTruncated', detail }),
    ...(options.compaction ? { compaction: options.compaction } : {}),
  });
}
