/**
 * Who this tab is, and which tab leads the store. The worker knows tabs by an opaque id; the demo
 * names each tab (`tab-3f2a`, kept in sessionStorage so a reload is the same tab) and records
 * worker id → name in the hash `demo:tabs`, so any tab can say which one is the leader.
 */
import type { WorkerClient } from '@lodis/web-worker';
import type { TabIdentity } from './panel.js';

export const TABS_KEY = 'demo:tabs';

export function tabIdentity(): TabIdentity {
  let name = sessionStorage.getItem('lodis-demo-tab');
  if (!name) {
    name = `tab-${crypto.randomUUID().slice(0, 4)}`;
    sessionStorage.setItem('lodis-demo-tab', name);
  }
  return { name };
}

export interface LeaderView {
  role: 'leader' | 'follower' | 'single';
  /** The leading tab's name (this tab's when it leads), or its worker id when unnamed. */
  leader: string;
  /** The leader's term: its IndexedDB epoch. */
  epoch: number;
  /** Leader changes this tab has seen. */
  changes: number;
}

/** Record this tab's worker under its name (again after each leader change: a new leader's worker has a new id). */
export async function registerTab(redis: WorkerClient, tab: TabIdentity): Promise<void> {
  const l = await redis.leadership();
  await redis.hset(TABS_KEY, { [l.tab]: tab.name });
}

export async function leaderView(redis: WorkerClient, tab: TabIdentity): Promise<LeaderView> {
  const l = await redis.leadership();
  let leader = l.leader ?? '?';
  if (l.role !== 'follower') leader = tab.name;
  else if (l.leader) leader = (await redis.hget(TABS_KEY, l.leader)) ?? l.leader.slice(0, 8);
  return { role: l.role, leader, epoch: l.term, changes: l.changes };
}
