/**
 * `node:fs` for the core tests under workerd (vitest.workerd.config.ts aliases it here): workerd
 * cannot read the host's files, so the few the tests read — the fixtures beside them and the
 * conformance transcripts with their recordings — are bundled by Vite at transform time and
 * served read-only from memory. The Node run keeps the real `node:fs`.
 */
/// <reference types="vite/client" />
import { Buffer } from 'node:buffer';

const files: Record<string, string> = import.meta.glob(
  ['/packages/core/src/**/*.fixture.json', '/conformance/transcripts/*.txt', '/conformance/recorded/*.json'],
  { query: '?raw', import: 'default', eager: true },
);

/** The project root as the tests see it (their import.meta.url paths), ending in '/'. */
const root = new URL('../../../', import.meta.url).pathname;

type PathLike = string | URL;

/** A path as a key of `files` ('/conformance/…'), or null outside the project. */
function keyOf(path: PathLike): string | null {
  const p = typeof path === 'string' ? path : decodeURIComponent(path.pathname);
  return p.startsWith(root) ? p.slice(root.length - 1) : null;
}

function notFound(syscall: string, path: PathLike): Error {
  return Object.assign(new Error(`ENOENT: no such file or directory, ${syscall} '${String(path)}'`), {
    code: 'ENOENT',
  });
}

export function existsSync(path: PathLike): boolean {
  const k = keyOf(path);
  return k !== null && k in files;
}

export function readFileSync(path: PathLike): Buffer;
export function readFileSync(path: PathLike, encoding: 'utf8' | 'utf-8'): string;
export function readFileSync(path: PathLike, encoding?: 'utf8' | 'utf-8'): Buffer | string {
  const k = keyOf(path);
  if (k === null || !(k in files)) throw notFound('open', path);
  const text = files[k]!;
  return encoding === undefined ? Buffer.from(text, 'utf8') : text;
}

export function readdirSync(path: PathLike): string[] {
  const k = keyOf(path);
  if (k === null) throw notFound('scandir', path);
  const dir = k.endsWith('/') ? k : `${k}/`;
  const names = Object.keys(files)
    .filter((f) => f.startsWith(dir) && !f.slice(dir.length).includes('/'))
    .map((f) => f.slice(dir.length));
  if (names.length === 0) throw notFound('scandir', path);
  return names.sort();
}

export default { existsSync, readFileSync, readdirSync };
