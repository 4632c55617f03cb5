/**
 * A leaderboard computed from a file of match results, in Bun, kept on disk between runs.
 *
 *   npx bun run examples/bun-script/main.ts [results.csv] [--data <dir>] [--top <n>]
 *
 * Each line `day,player,points` becomes `ZINCRBY leaderboard <points> <player>`,
 * `HINCRBY player:<name> games 1` / `points <points>` and `PFADD players:<day> <player>`, all in
 * one pipeline. A file is ingested once: its SHA-256 goes in the set `ingested`, and the store
 * lives in `--data` (default `.lodis/` beside this script) through file-persistence.ts, so a
 * second run of the same file finds it there and only prints the table.
 */
import { openStore } from '@lodis/core';
import { FilePersistence } from './file-persistence.ts';

const args = Bun.argv.slice(2);
const option = (name: string, fallback: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args.splice(i, 2)[1]! : fallback;
};
const dataDir = option('--data', `${import.meta.dir}/.lodis`);
const top = Number(option('--top', '10'));
const file = args[0] ?? `${import.meta.dir}/matches.csv`;

const started = performance.now();
const redis = await openStore({ persistence: new FilePersistence(dataDir) });
console.log(`store loaded from ${dataDir}: ${await redis.dbsize()} keys (${ms(started)})`);

const text = await Bun.file(file).text();
const digest = new Bun.CryptoHasher('sha256').update(text).digest('hex');
if (await redis.sismember('ingested', digest)) {
  console.log(`${file}: already ingested`);
} else {
  const t = performance.now();
  const rows = text.trim().split('\n').slice(1).map((line) => line.split(','));
  const pipe = redis.pipeline();
  for (const [day, player, points] of rows) {
    pipe.zincrby('leaderboard', Number(points), player!);
    pipe.hincrby(`player:${player}`, 'games', 1).hincrby(`player:${player}`, 'points', Number(points));
    pipe.pfadd(`players:${day}`, player!);
  }
  pipe.sadd('ingested', digest);
  await pipe.exec(); // resolves once the batch is in the log on disk
  console.log(`${file}: ingested ${rows.length} results in ${ms(t)}`);
}

const board = await redis.zrange('leaderboard', 0, top - 1, { rev: true, withScores: true });
console.log(`\n rank  player        points  games   avg`);
for (let i = 0; i < board.length; i += 2) {
  const player = String(board[i]);
  const games = Number(await redis.hget(`player:${player}`, 'games'));
  const points = Number(board[i + 1]);
  console.log(`${String(i / 2 + 1).padStart(5)}  ${player.padEnd(12)} ${String(points).padStart(7)} ${String(games).padStart(6)} ${(points / games).toFixed(1).padStart(5)}`);
}
const days = (await redis.keys('players:*')).sort();
const distinct = await redis.pfcount(...(days as [string, ...string[]]));
console.log(`\n${await redis.zcard('leaderboard')} players over ${days.length} days (PFCOUNT of the days: ${distinct})`);

await redis.call('SAVE'); // a snapshot, so the next run loads it instead of replaying the log
await redis.close();
console.log(`saved to ${dataDir} (${ms(started)} in all)`);

function ms(since: number): string {
  return `${(performance.now() - since).toFixed(1)} ms`;
}
