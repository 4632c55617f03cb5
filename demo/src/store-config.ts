/** How the demo opens its store: every tab of the origin opens the same name, with the same durability. */
import type { Durability } from '@lodis/idb-persist';

/** The store's name (its IndexedDB database; what the tabs share). */
export const STORE_NAME = 'lodis-demo';

/** A write's reply resolves once it is committed to IndexedDB (idb-persist's default). */
export const DURABILITY: Durability = 'durable';
