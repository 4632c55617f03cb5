/** The demo's panels, in the order of the navigation. */
import type { Panel } from '../panel.js';
import { analyticsPanel } from './analytics.js';
import { cachePanel } from './cache.js';
import { cliPanel } from './cli.js';
import { keysPanel } from './keys.js';
import { leaderboardPanel } from './leaderboard.js';
import { overviewPanel } from './overview.js';
import { pubsubPanel } from './pubsub.js';
import { queuePanel } from './queue.js';
import { ratelimitPanel } from './ratelimit.js';
import { sessionsPanel } from './sessions.js';
import { statusPanel } from './status.js';
import { streamsPanel } from './streams.js';

export const panels: readonly Panel[] = [
  overviewPanel,
  cachePanel,
  sessionsPanel,
  pubsubPanel,
  queuePanel,
  streamsPanel,
  leaderboardPanel,
  ratelimitPanel,
  analyticsPanel,
  cliPanel,
  keysPanel,
  statusPanel,
];
