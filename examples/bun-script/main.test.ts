// bun test (from examples/bun-script), or from the repository root: npm run test:examples
import { expect, test } from 'bun:test';
import { appendFile, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '@lodis/core';
import { FilePersistence } from './file-persistence.ts';

async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'lodis-bun-'));
}

async function run(...args: string[]): Promise<string> {
  const child = Bun.spawn([process.execPath, 'run', join(import.meta.dir, 'main.ts'), ...args], { stdout: 'pipe', stderr: 'inherit' });
  const out = await new Response(child.stdout).text();
  expect(await child.exited).toBe(0);
  return out;
}

test('main.ts ingests the file once, and the second run reads the leaderboard from disk', async () => {
  const dir = await tempDir();
  try {
    const first = await run('--data', dir, '--top', '3');
    expect(first).toContain('ingested 1200 results');
    expect(first).toMatch(/1 {2}niklaus +13655 +72 +189\.7/);
    expect(first).toContain('30 players over 14 days (PFCOUNT of the days: 30)');

    const second = await run('--data', dir, '--top', '3');
    expect(second).toContain('46 keys');
    expect(second).toContain('already ingested');
    const table = (out: string) => out.slice(out.indexOf(' rank'), out.indexOf('saved to'));
    expect(table(second)).toBe(table(first));
  } finally {
    await rm(dir, { recursive: true });
  }
});

test('FilePersistence: a reopened store has the same data; SAVE empties the log', async () => {
  const dir = await tempDir();
  try {
    let redis = await openStore({ persistence: new FilePersistence(dir) });
    await redis.set('bytes', new Uint8Array([0, 255, 1]));
    await redis.set('session', 'x', { ex: 3600 });
    await redis.rpush('jobs', 'a', 'b', 'c');
    await redis.zadd('board', { score: 2, member: 'ada' }, { score: 1, member: 'bob' });
    await redis.close();
    expect((await stat(join(dir, 'log'))).size).toBeGreaterThan(0);

    redis = await openStore({ persistence: new FilePersistence(dir) });
    expect(await redis.callBuffer('GET', 'bytes')).toEqual(new Uint8Array([0, 255, 1]));
    expect(await redis.ttl('session')).toBeGreaterThan(3590);
    expect(await redis.lrange('jobs', 0, -1)).toEqual(['a', 'b', 'c']);
    await redis.call('SAVE');
    expect((await stat(join(dir, 'log'))).size).toBe(0);
    await redis.lpop('jobs');
    await redis.close();

    redis = await openStore({ persistence: new FilePersistence(dir) });
    expect(await redis.lrange('jobs', 0, -1)).toEqual(['b', 'c']); // snapshot, then the log after it
    expect(await redis.zrange('board', 0, -1)).toEqual(['bob', 'ada']);
    await redis.close();
  } finally {
    await rm(dir, { recursive: true });
  }
});

test('FilePersistence: a torn last record is cut off, and writing goes on after it', async () => {
  const dir = await tempDir();
  try {
    let redis = await openStore({ persistence: new FilePersistence(dir) });
    await redis.set('a', '1');
    await redis.close();
    await appendFile(join(dir, 'log'), new Uint8Array([9, 9, 9])); // a crash in the middle of a write
    redis = await openStore({ persistence: new FilePersistence(dir) });
    expect(await redis.get('a')).toBe('1');
    await redis.set('b', '2');
    await redis.close();
    redis = await openStore({ persistence: new FilePersistence(dir) });
    expect(await redis.mget('a', 'b')).toEqual(['1', '2']);
    await redis.close();
  } finally {
    await rm(dir, { recursive: true });
  }
});
