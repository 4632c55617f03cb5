/**
 * Records Redis 7.0's settings into packages/core/src/config-info.ts — the table CONFIG GET/SET
 * read (config.ts), as scripts/gen-command-info.ts records the command table:
 *
 * - names, aliases, types, bounds, enum values, flags (immutable, protected, sensitive, hidden,
 *   multi-arg, deny-loading, volatile, debug) and the numeric formats (memory units, percent,
 *   octal) from the `standardConfig static_configs[]` table of config.c, parsed here;
 * - defaults from `CONFIG GET *` (and, for the hidden settings, CONFIG GET of each name) on a
 *   freshly started redis-server, so every name a real 7.0 server reports is in the table with
 *   the value it reports. Values that describe the recording process (port, dir, pidfile) are
 *   replaced with config.c's defaults or left empty.
 *
 *   npx tsx scripts/gen-config-info.ts                 # REDIS_SRC=/work/redis-src/src by default
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { decodeConfigInfo, encodeConfigInfo, type ConfigInfoData } from '../packages/core/src/config-info-format.js';
import { RedisConnection } from '../conformance/redis-client.js';
import { parseRaw } from '../conformance/resp.js';

const SRC = process.env.REDIS_SRC ?? '/work/redis-src/src';
const OUT = 'packages/core/src/config-info.ts';

// ---- config.c's table ----------------------------------------------------------------------

/** Split a C argument list at top-level commas (parentheses and string literals respected). */
function splitArgs(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  let inStr = false;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (inStr) {
      cur += ch;
      if (ch === '\\') cur += s[++i];
      else if (ch === '"') inStr = false;
      continue;
    }
    if (ch === '"') inStr = true;
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

/** `#define NAME value` and `NAME = value` (C enums, with implicit increments) from the headers. */
function readConstants(): Map<string, string> {
  const consts = new Map<string, string>();
  for (const f of readdirSync(SRC).filter((f) => f.endsWith('.h'))) {
    const text = readFileSync(join(SRC, f), 'utf8');
    for (const m of text.matchAll(/^#define\s+([A-Z_][A-Z0-9_]*)\s+([^\n/]+?)\s*(?:\/\*.*)?$/gm)) {
      if (!consts.has(m[1]!)) consts.set(m[1]!, m[2]!.trim());
    }
    for (const body of text.matchAll(/enum\s*[A-Za-z_]*\s*\{([^}]*)\}/g)) {
      let next = 0n;
      for (const raw of body[1]!.replace(/\/\*[\s\S]*?\*\//g, '').split(',')) {
        const m = /^\s*([A-Z_][A-Z0-9_]*)\s*(?:=\s*(.+?))?\s*$/.exec(raw);
        if (!m) continue;
        if (m[2] !== undefined) {
          try {
            next = BigInt(evalC(m[2], consts));
          } catch {
            break; // an enum of characters or of other headers' constants: none of the table's
          }
        }
        if (!consts.has(m[1]!)) consts.set(m[1]!, String(next));
        next++;
      }
    }
  }
  // <syslog.h>
  consts.set('LOG_USER', String(1 << 3));
  for (let i = 0; i < 8; i++) consts.set(`LOG_LOCAL${i}`, String((16 + i) << 3));
  return consts;
}

const LIMITS: Record<string, bigint> = {
  INT_MAX: 2n ** 31n - 1n,
  INT_MIN: -(2n ** 31n),
  UINT_MAX: 2n ** 32n - 1n,
  LONG_MAX: 2n ** 63n - 1n,
  LLONG_MAX: 2n ** 63n - 1n,
  SSIZE_MAX: 2n ** 63n - 1n,
  ULLONG_MAX: 2n ** 64n - 1n,
};

/** Evaluate a constant C integer expression (the bounds and enum values of the table). */
function evalC(expr: string, consts: Map<string, string>, depth = 0): string {
  if (depth > 20) throw new Error(`cannot evaluate ${expr}`);
  const js = expr
    .replace(/\b([A-Z_][A-Z0-9_]*)\b/g, (id) => {
      if (id in LIMITS) return `(${LIMITS[id]}n)`;
      const v = consts.get(id);
      if (v === undefined) throw new Error(`unknown constant ${id} in ${expr}`);
      return `(${evalC(v, consts, depth + 1)}n)`;
    })
    .replace(/\b(0[0-7]+)\b/g, (o) => `0o${o.slice(1)}`)
    .replace(/\b([0-9]+)(?:ll|LL|L|l|U|u|ULL|ull)?\b/g, '$1n')
    .replace(/\b(0o[0-7]+)n?\b/g, '$1n');
  return String(new Function(`return (${js});`)() as bigint);
}

const CONFIG_FLAGS: Record<string, string> = {
  IMMUTABLE_CONFIG: 'immutable',
  SENSITIVE_CONFIG: 'sensitive',
  DEBUG_CONFIG: 'debug',
  MULTI_ARG_CONFIG: 'multi-arg',
  HIDDEN_CONFIG: 'hidden',
  PROTECTED_CONFIG: 'protected',
  DENY_LOADING_CONFIG: 'deny-loading',
  VOLATILE_CONFIG: 'volatile',
  MODIFIABLE_CONFIG: '',
};
const NUMERIC_FLAGS: Record<string, string> = { MEMORY_CONFIG: 'memory', PERCENT_CONFIG: 'percent', OCTAL_CONFIG: 'octal', INTEGER_CONFIG: '' };
const NUMERIC_TYPES: Record<string, string> = {
  Int: 'int',
  UInt: 'uint',
  Long: 'long',
  ULong: 'ulong',
  LongLong: 'long-long',
  ULongLong: 'ulong-long',
  SizeT: 'size_t',
  SSizeT: 'ssize_t',
  TimeT: 'time_t',
  OffT: 'off_t',
};

function flagList(expr: string, table: Record<string, string>): string[] {
  return expr
    .split('|')
    .map((f) => f.trim())
    .map((f) => {
      if (!(f in table)) throw new Error(`unknown flag ${f}`);
      return table[f]!;
    })
    .filter(Boolean);
}

const cstr = (s: string): string | null => (s === 'NULL' ? null : JSON.parse(s) as string);
const fn = (s: string): string | null => (s === 'NULL' ? null : s);

interface Entry {
  name: string;
  alias: string | null;
  type: string;
  flags: string[];
  default?: string;
  [k: string]: unknown;
}

function parseTable(consts: Map<string, string>): Entry[] {
  const text = readFileSync(join(SRC, 'config.c'), 'utf8');
  const enums = new Map<string, [string, number][]>();
  for (const m of text.matchAll(/^configEnum (\w+)\[\] = \{([\s\S]*?)^\};/gm)) {
    const items: [string, number][] = [];
    for (const it of m[2]!.matchAll(/\{\s*"([^"]+)"\s*,\s*([^}]+?)\s*\}/g)) items.push([it[1]!, Number(evalC(it[2]!, consts))]);
    enums.set(m[1]!, items);
  }
  const table = /standardConfig static_configs\[\] = \{([\s\S]*?)\n\};/.exec(text)![1]!;
  const entries: Entry[] = [];
  for (const m of table.matchAll(/create(\w+?)Config\(([\s\S]*?)\),?\s*(?:\/\*.*?\*\/)?\s*$/gm)) {
    const kind = m[1]!;
    const a = splitArgs(m[2]!);
    const base = { name: cstr(a[0]!)!, alias: cstr(a[1]!), flags: flagList(a[2]!, CONFIG_FLAGS) };
    if (kind === 'Bool') entries.push({ ...base, type: 'bool', valid: fn(a[5]!), apply: fn(a[6]!) });
    else if (kind === 'String' || kind === 'SDS') {
      entries.push({ ...base, type: kind === 'SDS' ? 'sds' : 'string', emptyToNull: a[3] === 'EMPTY_STRING_IS_NULL', valid: fn(a[6]!), apply: fn(a[7]!) });
    } else if (kind === 'Enum') {
      const values = enums.get(a[3]!);
      if (!values) throw new Error(`enum ${a[3]} not found`);
      entries.push({ ...base, type: 'enum', values, valid: fn(a[6]!), apply: fn(a[7]!) });
    } else if (kind in NUMERIC_TYPES) {
      entries.push({
        ...base,
        type: 'numeric',
        numericType: NUMERIC_TYPES[kind],
        lower: evalC(a[3]!, consts),
        upper: evalC(a[4]!, consts),
        format: flagList(a[7]!, NUMERIC_FLAGS),
        valid: fn(a[8]!),
        apply: fn(a[9]!),
      });
    } else if (kind === 'Special') entries.push({ ...base, type: 'special', apply: fn(a[6]!) });
    else throw new Error(`unknown config kind ${kind}`);
  }
  return entries;
}

// ---- defaults from a fresh server ----------------------------------------------------------

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
    srv.once('error', reject);
  });
}

/** CONFIG GET * of a server started with nothing but a port (and its own empty directory). */
async function freshDefaults(hidden: string[]): Promise<{ version: string; values: Map<string, string> }> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'lodis-config-'));
  const proc = spawn(process.env.REDIS_SERVER ?? 'redis-server', ['--port', String(port)], { cwd: dir, stdio: 'ignore' });
  try {
    let c: RedisConnection | null = null;
    for (let i = 0; i < 100 && c === null; i++) {
      try {
        c = await RedisConnection.connect(port);
      } catch {
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    if (c === null) throw new Error('redis-server did not start');
    const info = parseRaw(await c.send(['INFO', 'server'])) as string;
    const flat = parseRaw(await c.send(['CONFIG', 'GET', '*', ...hidden])) as string[];
    c.close();
    const values = new Map<string, string>();
    for (let i = 0; i < flat.length; i += 2) values.set(flat[i]!, flat[i + 1]!);
    return { version: /redis_version:(\S+)/.exec(info)![1]!, values };
  } finally {
    proc.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

const consts = readConstants();
const entries = parseTable(consts);
const hidden = entries.filter((e) => e.flags.includes('hidden')).map((e) => e.name);
const { version, values } = await freshDefaults(hidden);

// What describes the recording process rather than Redis: config.c's default instead.
const PROCESS_SPECIFIC: Record<string, string> = { port: '6379', dir: '', pidfile: '' };
let reported = 0;
for (const e of entries) {
  const v = PROCESS_SPECIFIC[e.name] ?? values.get(e.name);
  if (v === undefined) throw new Error(`${e.name}: CONFIG GET did not report it`);
  e.default = v;
  reported += values.has(e.name) ? 1 : 0;
  if (e.alias !== null) {
    if (!values.has(e.alias) && !e.flags.includes('hidden')) throw new Error(`${e.alias}: CONFIG GET did not report the alias`);
    reported += values.has(e.alias) ? 1 : 0;
  }
}
if (reported !== values.size) throw new Error(`CONFIG GET reported ${values.size} names, the table has ${reported}`);

// `apply` names config.c's apply functions: Lodis applies settings in config.ts, by name.
const table = entries.map(({ apply: _apply, ...e }) => e) as unknown as ConfigInfoData[];
const text = encodeConfigInfo(table);
if (!isDeepStrictEqual(decodeConfigInfo(text), table)) throw new Error('the compact form does not decode to the parsed table');
writeFileSync(
  OUT,
  `// Generated by scripts/gen-config-info.ts from config.c's standardConfig table and CONFIG GET of a fresh\n` +
    `// redis-server ${version}. Do not edit. The form is described and decoded in config-info-format.ts:\n` +
    `// one setting a line, name alias type flags valid [by type] "default". Enum values are config.c's,\n` +
    `// so names sharing a value (oom-score-adj yes/relative) and bit flags (shutdown-on-sig*) behave as\n` +
    `// in Redis; \`valid\` names config.c's validation function.\n` +
    `import { decodeConfigInfo, type ConfigInfoData } from './config-info-format.js';\n\n` +
    `export type { ConfigInfoData };\n\n` +
    `const SETTINGS = \`\n${text.replace(/[`\\$]/g, '\\$&')}\n\`;\n\n` +
    `export const CONFIG_INFO: readonly ConfigInfoData[] = /* @__PURE__ */ decodeConfigInfo(SETTINGS);\n`,
);
console.log(`recorded ${entries.length} settings (${values.size} names with aliases) from redis ${version}`);
