/**
 * Transcript files (see README.md): parsing, and the bits shared by the recorder and the replay
 * test.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { splitArrayElements } from './resp.js';

export type Step =
  | { kind: 'command'; line: number; text: string; argv: (string | Uint8Array)[]; mode: 'exact' | 'sort' | 'ignore'; conn: number }
  | { kind: 'push'; line: number; text: string; conn: number }
  | { kind: 'sleep'; line: number; text: string; ms: number };

export interface Recording {
  redis: string;
  /** sha256 of the transcript, so a changed transcript without a new recording is caught. */
  transcript: string;
  /** One RESP2 byte string (one char per byte) per command or push step, in order. */
  replies: string[];
}

/**
 * redis-cli's sdssplitargs on a byte string (one char per byte): words separated by spaces,
 * "double quotes" with \xHH \n \r \t \b \a \" \\ escapes, 'single quotes' with \' only.
 * Returns null for unbalanced quotes (redis-cli: "Invalid argument(s)").
 */
export function splitArgs(line: string): string[] | null {
  const out: string[] = [];
  let i = 0;
  const n = line.length;
  const isSpace = (ch: string | undefined) => ch === ' ' || ch === '\n' || ch === '\r' || ch === '\t' || ch === '\v' || ch === '\f';
  const isHex = (ch: string | undefined) => ch !== undefined && /[0-9a-fA-F]/.test(ch);
  for (;;) {
    while (i < n && isSpace(line[i])) i++;
    if (i >= n) return out;
    let cur = '';
    let inq = false;
    let insq = false;
    for (;;) {
      const ch = line[i];
      if (inq) {
        if (ch === undefined) return null;
        if (ch === '\\' && line[i + 1] === 'x' && isHex(line[i + 2]) && isHex(line[i + 3])) {
          cur += String.fromCharCode(parseInt(line.slice(i + 2, i + 4), 16));
          i += 3;
        } else if (ch === '\\' && i + 1 < n) {
          i++;
          const e = line[i]!;
          cur += e === 'n' ? '\n' : e === 'r' ? '\r' : e === 't' ? '\t' : e === 'b' ? '\b' : e === 'a' ? '\x07' : e;
        } else if (ch === '"') {
          if (i + 1 < n && !isSpace(line[i + 1])) return null;
          i++;
          break;
        } else cur += ch;
      } else if (insq) {
        if (ch === undefined) return null;
        if (ch === '\\' && line[i + 1] === "'") {
          i++;
          cur += "'";
        } else if (ch === "'") {
          if (i + 1 < n && !isSpace(line[i + 1])) return null;
          i++;
          break;
        } else cur += ch;
      } else {
        if (ch === undefined || isSpace(ch)) break;
        if (ch === '"') inq = true;
        else if (ch === "'") insq = true;
        else cur += ch;
      }
      i++;
    }
    out.push(cur);
  }
}

/** A byte-string argument as the engine and the RESP client take it: text when valid UTF-8. */
export function toArg(bytes: string): string | Uint8Array {
  // eslint-disable-next-line no-control-regex
  if (!/[^\x00-\x7f]/.test(bytes)) return bytes;
  const b = Buffer.from(bytes, 'latin1');
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(b);
  } catch {
    return new Uint8Array(b);
  }
}

export function parseTranscript(path: string): { steps: Step[]; hash: string } {
  const raw = readFileSync(path);
  const hash = createHash('sha256').update(raw).digest('hex');
  const text = raw.toString('latin1'); // bytes, as redis-cli reads them
  const steps: Step[] = [];
  let conn = 1;
  text.split('\n').forEach((rawLine, idx) => {
    const line = rawLine.replace(/\r$/, '');
    const trimmed = line.trim();
    const lineNo = idx + 1;
    if (!trimmed || trimmed.startsWith('#')) return;
    const shown = Buffer.from(trimmed, 'latin1').toString('utf8');
    let mode: 'exact' | 'sort' | 'ignore' = 'exact';
    let rest = trimmed;
    if (trimmed.startsWith('!')) {
      const [directive, ...args] = trimmed.split(/\s+/);
      if (directive === '!conn') {
        conn = Number(args[0]);
        if (!Number.isInteger(conn) || conn < 1) throw new Error(`${path}:${lineNo}: bad !conn`);
        return;
      }
      if (directive === '!push') {
        steps.push({ kind: 'push', line: lineNo, text: shown, conn });
        return;
      }
      if (directive === '!sleep') {
        steps.push({ kind: 'sleep', line: lineNo, text: shown, ms: Number(args[0]) });
        return;
      }
      if (directive === '!sort') mode = 'sort';
      else if (directive === '!ignore') mode = 'ignore';
      else throw new Error(`${path}:${lineNo}: unknown directive ${directive}`);
      rest = trimmed.slice(directive!.length).trim();
    }
    const words = splitArgs(rest);
    if (!words || words.length === 0) throw new Error(`${path}:${lineNo}: invalid arguments`);
    steps.push({ kind: 'command', line: lineNo, text: shown, argv: words.map(toArg), mode, conn });
  });
  return { steps, hash };
}

/** A reply normalised for comparison under a step's mode. */
export function normalise(raw: string, mode: 'exact' | 'sort' | 'ignore'): string {
  if (mode === 'ignore') return '';
  if (mode === 'sort') {
    const items = splitArrayElements(raw);
    if (items) return `*${items.length}\r\n` + items.sort().join('');
  }
  return raw;
}

/** A RESP byte string escaped for reading in a test failure. */
export function showResp(raw: string): string {
  return JSON.stringify(Buffer.from(raw, 'latin1').toString('utf8'));
}
