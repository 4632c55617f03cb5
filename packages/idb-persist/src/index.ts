/**
 * @lodis/idb-persist: IndexedDB persistence for a Lodis store, behind core's `Persistence`
 * interface — a snapshot in 1–4 MB chunks plus an append-only log of committed write batches,
 * group-committed, checksummed, compacted and fenced by a leader epoch (see README.md).
 *
 * Coming in a later issue: nothing is exported yet.
 */
export {};
