/**
 * @lodis/e2e: Lodis in real Chromium (see README.md). The tests are e2e/*.test.ts; this is the
 * harness they share, also used by scripts/bench-idb.ts.
 */
export * from './chromium.js';
export * from './server.js';
export * from './workload.js';
export * from './harness.js';
export * from './build.js';
