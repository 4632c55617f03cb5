/// <reference lib="dom" />
/** Small helpers the multi-tab test pages (tabs, queue, streams, txn) share. */
import { createClient, type WorkerClient } from '@lodis/web-worker';

type ClientOptions = Parameters<typeof createClient>[0];
import type { CallResult } from './api.js';
import type { LeadershipInfo } from './queue-api.js';

/** A clock comparable across tabs (every tab's timeOrigin is on the same wall clock). */
export const clock = (): number => performance.timeOrigin + performance.now();
export const sleep = (ms: number): Promise<void> => new Promise<void>((r) => setTimeout(r, ms));
export const message = (e: unknown): string => (e instanceof Error ? `${e.name}: ${e.message}` : String(e));

/** The leadership fields as a plain object (what crosses to Node). */
export function plainLeadership(l: LeadershipInfo): LeadershipInfo {
  return { tab: l.tab, role: l.role, leader: l.leader, term: l.term, changes: l.changes };
}

/** A command's reply, or its error text, as Node reads it. */
export async function callResult(c: WorkerClient, argv: (string | number)[]): Promise<CallResult> {
  try {
    return { ok: await c.call(...argv) };
  } catch (e) {
    return { error: message(e) };
  }
}

/** This tab's client as the tests open it: the test's durability ('durable' by default) and leader timeout. */
export function createTestClient(
  name: string,
  options: { durability?: ClientOptions['durability']; leaderTimeout?: number },
): WorkerClient {
  return createClient({
    name,
    durability: options.durability ?? 'durable',
    ...(options.leaderTimeout !== undefined ? { leaderTimeout: options.leaderTimeout } : {}),
  });
}
