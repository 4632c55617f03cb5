/**
 * Transcript files (see README.md): parsing, and the bits shared by the recorder and the replay
 * test.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { compareLoosely, type Looseness } from './reply-paths.js';
import { splitArrayElements } from './resp.js';

export type Step =
  | {
      kind: 'command';
      line: number;
      text: string;
      argv: (string | Uint8Array)[];
      mode: Mode;
      conn: number;
      /** `!fields`: the fields whose values are compared too (the others by name only). */
      fields?: string[];
      /** `!sort !fields`: each section's lines compared as a multiset (INFO commandstats: Redis' dict order). */
      sortLines?: boolean;
      /** `!skip` / `!near`: parts of the reply compared loosely (reply-paths.ts). */
      loose?: Looseness;
      /** `!block`: sent without reading its reply, which a later `!push` reads. */
      block?: boolean;
    }
  | { kind: 'push'; line: number; text: string; conn: number }
  | { kind: 'sleep'; line: number; text: string; ms: number };

/**
 * How a reply is compared: byte for byte; as a multiset (`!sort`); not at all (`!ignore`); as a
 * set of name/value pairs (`!pairs`: CONFIG GET, whose order is Redis' hash order); or, for INFO
 * and CLIENT LIST text, by its section headers and field names and the values of `fields` only
 * (`!fields`).
 */
export type Mode = 'exact' | 'sort' | 'ignore' | 'pairs' | 'fields';

export interface Recording {
  redis: string;
  /** sha256 of the transcript, so a changed transcript without a new recording is caught. */
  transcript: string;
  /** One RESP2 byte string (one char per byte) per command or push step, in order. */
  replies: string[];
  /**
   * When each step ran, in ms from the first (a sleep: when it ended); the replay sets the store's
   * clock to these, so idle times and timeouts see the time that passed while recording. Older
   * recordings have none: their replay's clock moves with !sleep only.
   */
  clock?: number[];
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

/**
 * A transcript: its steps, its hash, and the settings the server starts with (`!server name value`
 * lines, as a config file's: immutable ones like enable-debug-command included).
 */
export function parseTranscript(path: string): { steps: Step[]; hash: string; server: Record<string, string> } {
  const raw = readFileSync(path);
  const hash = createHash('sha256').update(raw).digest('hex');
  const text = raw.toString('latin1'); // bytes, as redis-cli reads them
  const steps: Step[] = [];
  const server: Record<string, string> = {};
  let conn = 1;
  text.split('\n').forEach((rawLine, idx) => {
    const line = rawLine.replace(/\r$/, '');
    const trimmed = line.trim();
    const lineNo = idx + 1;
    if (!trimmed || trimmed.startsWith('#')) return;
    const shown = Buffer.from(trimmed, 'latin1').toString('utf8');
    let mode: Mode = 'exact';
    let fields: string[] | undefined;
    let sortLines = false;
    let rest = trimmed;
    let skip: string[] | undefined;
    let near: { within: bigint; paths: string[] } | undefined;
    let block = false;
    // Directives before a command combine (`!skip a !near 100 b XINFO …`).
    while (rest.startsWith('!')) {
      const [directive, ...args] = rest.split(/\s+/);
      if (directive === '!conn') {
        conn = Number(args[0]);
        if (!Number.isInteger(conn) || conn < 1) throw new Error(`${path}:${lineNo}: bad !conn`);
        return;
      }
      if (directive === '!server') {
        if (args.length !== 2 || steps.length !== 0) throw new Error(`${path}:${lineNo}: !server name value, before the first step`);
        server[args[0]!] = args[1]!;
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
      let used = 0;
      if (directive === '!sort') mode = 'sort';
      else if (directive === '!ignore') mode = 'ignore';
      else if (directive === '!pairs') mode = 'pairs';
      else if (directive === '!fields' && args[0]) {
        if (mode === 'sort') sortLines = true;
        mode = 'fields';
        fields = args[0] === '-' ? [] : args[0].split(',');
        used = 1;
      }
      else if (directive === '!block') block = true;
      else if (directive === '!skip' && args[0]) {
        skip = args[0].split(',');
        used = 1;
      } else if (directive === '!near' && /^[0-9]+$/.test(args[0] ?? '') && args[1]) {
        near = { within: BigInt(args[0]!), paths: args[1].split(',') };
        used = 2;
      } else throw new Error(`${path}:${lineNo}: unknown or incomplete directive ${directive}`);
      rest = rest.slice(directive!.length).trim();
      for (let i = 0; i < used; i++) rest = rest.slice(rest.indexOf(args[i]!) + args[i]!.length).trim();
    }
    const words = splitArgs(rest);
    if (!words || words.length === 0) throw new Error(`${path}:${lineNo}: invalid arguments`);
    steps.push({
      kind: 'command', line: lineNo, text: shown, argv: words.map(toArg), mode, conn,
      ...(skip || near ? { loose: { skip, near } } : {}),
      ...(block ? { block } : {}),
      ...(fields ? { fields } : {}),
      ...(sortLines ? { sortLines } : {}),
    });
  });
  return { steps, hash, server };
}

/** A reply normalised for comparison under a step's mode. */
export function normalise(raw: string, mode: Mode, fields: readonly string[] = [], sortLines = false): string {
  if (mode === 'ignore') return '';
  if (mode === 'sort') {
    const items = splitArrayElements(raw);
    if (items) return `*${items.length}\r\n` + items.sort().join('');
  }
  if (mode === 'pairs') {
    const items = splitArrayElements(raw);
    if (items && items.length % 2 === 0) {
      const pairs: string[] = [];
      for (let i = 0; i < items.length; i += 2) pairs.push(items[i]! + items[i + 1]!);
      return `*${items.length}\r\n` + pairs.sort().join('');
    }
  }
  if (mode === 'fields' && raw[0] === '$') return infoShape(bulkText(raw), new Set(fields), sortLines);
  return raw;
}

/** The payload of a bulk reply (one char per byte). */
function bulkText(raw: string): string {
  const nl = raw.indexOf('\r\n');
  return raw.slice(nl + 2, raw.length - 2);
}

/**
 * INFO or CLIENT LIST text reduced to its shape: `# Section` lines, field names (`name:value`
 * lines, and the `k=v` items of a CLIENT LIST line or of a value like `calls=1,usec=2`), with the
 * values of the fields in `keep` (by field name or item name) and nothing else.
 */
function infoShape(text: string, keep: ReadonlySet<string>, sortLines: boolean): string {
  const items = (s: string, sep: string) =>
    s
      .split(sep)
      .map((kv) => {
        const eq = kv.indexOf('=');
        return eq < 0 || keep.has(kv.slice(0, eq)) ? kv : kv.slice(0, eq);
      })
      .join(sep);
  const lines = text
    .split('\n')
    .map((line) => {
      line = line.replace(/\r$/, '');
      if (line === '' || line.startsWith('#')) return line;
      const colon = line.indexOf(':');
      if (/^[a-z_-]+=/.test(line) && (colon < 0 || line.indexOf('=') < colon)) return items(line, ' ');
      if (colon < 0) return line;
      const name = line.slice(0, colon);
      const value = line.slice(colon + 1);
      if (keep.has(name)) return line;
      return /^[a-z_0-9.]+=/.test(value) ? `${name}:${items(value, ',')}` : name;
    });
  if (!sortLines) return lines.join('\n');
  // Sort within each section (a header, then its lines up to the next blank line).
  const out: string[] = [];
  let run: string[] = [];
  for (const line of [...lines, '']) {
    if (line === '' || line.startsWith('#')) {
      out.push(...run.sort());
      run = [];
      out.push(line);
    } else run.push(line);
  }
  return out.slice(0, -1).join('\n');
}

/** Whether a command's reply matches the recorded one under the step's mode and looseness. */
export function sameReply(
  step: { mode: Mode; loose?: Looseness; fields?: string[]; sortLines?: boolean },
  actual: string,
  expected: string,
): boolean {
  const a = normalise(actual, step.mode, step.fields, step.sortLines);
  const b = normalise(expected, step.mode, step.fields, step.sortLines);
  return step.loose ? compareLoosely(step.loose, a, b) === null : a === b;
}

/** A RESP byte string escaped for reading in a test failure. */
export function showResp(raw: string): string {
  return JSON.stringify(Buffer.from(raw, 'latin1').toString('utf8'));
}
