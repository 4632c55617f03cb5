/**
 * The core test suite inside workerd (`npm run test:workerd`), through
 * @cloudflare/vitest-pool-workers; the Node run (vitest.config.ts) is unchanged.
 *
 * - workerd: packages/core/src/**\/*.test.ts, the transcript replay and packages/core/test-workerd
 *   (timers where none outlive a request). The pool itself needs Node APIs (it always turns on
 *   nodejs_compat), and so do some tests (node:crypto, Buffer, process); the engine needs none,
 *   which `workerd-node` checks. Workerd cannot read the host's files: `node:fs` is served from the
 *   fixtures and transcripts Vite bundles (packages/core/test-workerd/fs.ts).
 * - workerd-node: Node drives a real Worker and Durable Object (Miniflare) across requests, with the
 *   engine bundled as a Worker ships it and no compatibility flags.
 *
 * Excluded in workerd, by name (testNamePattern): "memory accounting > tracks the heap" measures
 * Node's heap in child Node processes (child_process.spawn; workerd has no processes).
 */
import { cloudflareTest } from '@cloudflare/vitest-pool-workers';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

const alias = {
  '@lodis/core/redis-cli': here('./packages/core/src/redis-cli.ts'),
  '@lodis/core': here('./packages/core/src/index.ts'),
};

export default defineConfig({
  test: {
    testNamePattern: /^(?!.*tracks the heap \(heapUsed)/,
    projects: [
      {
        plugins: [
          cloudflareTest({
            miniflare: { compatibilityDate: '2026-04-20', compatibilityFlags: ['nodejs_compat'] },
          }),
        ],
        resolve: { alias: { ...alias, 'node:fs': here('./packages/core/test-workerd/fs.ts') } },
        test: {
          name: 'workerd',
          include: ['packages/core/src/**/*.test.ts', 'conformance/transcripts.test.ts', 'packages/core/test-workerd/*.test.ts'],
          exclude: ['packages/core/test-workerd/*.node.test.ts'],
          // The 1M-member tests run near workerd's isolate heap limit, where GC makes them slower.
          testTimeout: 30_000,
        },
      },
      {
        resolve: { alias },
        test: {
          name: 'workerd-node',
          include: ['packages/core/test-workerd/*.node.test.ts'],
          pool: 'threads',
        },
      },
    ],
  },
});
