/**
 * The Worker the tests run beside (vitest-pool-workers `main`): the LodisObject under test, and a
 * bare object whose storage the adapter tests drive directly through runInDurableObject.
 */
export { LodisObject } from '../src/index.js';

export class StorageObject {
  constructor(readonly ctx: unknown) {}
  fetch(): Response {
    return new Response('storage only');
  }
}

export default {
  fetch(): Response {
    return new Response('lodis test worker');
  },
};
