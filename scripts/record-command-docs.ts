/**
 * Records the argument hints of the demo's CLI (demo/src/command-docs.json) from a real
 * redis-server's COMMAND DOCS, built as redis-cli 7.0 builds them (redis-cli.c cliAddArgument /
 * cliConcatArguments), and checks them against the hints the real redis-cli shows as you type:
 *
 *   npx tsx scripts/record-command-docs.ts                 # a throwaway redis-server on a free port
 *   REDIS_PORT=6435 npx tsx scripts/record-command-docs.ts # a running one
 *
 * The output maps each command and subcommand, as redis-cli names it (`SET`, `CONFIG GET`), to its
 * parameter string (`key value [NX|XX] [GET] [EX seconds|PX milliseconds|…]`); the page shows the
 * part not typed yet, greyed after the cursor, as redis-cli's hintsCallback does. Needs
 * redis-server; the check needs redis-cli and util-linux `script` (skipped, said so, without them).
 * Never edit the output.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { RedisConnection, startRedis } from '../conformance/redis-client.js';
import { parseRaw, type Parsed } from '../conformance/resp.js';

const out = new URL('../demo/src/command-docs.json', import.meta.url);

/** A COMMAND DOCS map (RESP2: a flat array of key, value) as an object. */
function fields(p: Parsed): Record<string, Parsed> {
  const a = p as Parsed[];
  const o: Record<string, Parsed> = {};
  for (let i = 0; i < a.length; i += 2) o[a[i] as string] = a[i + 1]!;
  return o;
}

const text = (p: Parsed): string => (typeof p === 'object' && p !== null && 'status' in p ? p.status : String(p));

/** sdscat_orempty: an empty name or token prints as `""`. */
const orEmpty = (s: string) => (s === '' ? '""' : s);

/** cliAddArgument: one argument of COMMAND DOCS as redis-cli writes it in a hint. */
function addArgument(arg: Parsed): string {
  const f = fields(arg);
  const name = f.name === undefined ? '' : text(f.name);
  const type = text(f.type ?? '');
  const flags = Array.isArray(f.flags) ? f.flags.map(text) : [];
  const optional = flags.includes('optional');
  const multiple = flags.includes('multiple');
  const multipleToken = flags.includes('multiple_token');
  let tokenPart = f.token === undefined ? '' : orEmpty(text(f.token));
  let repeatPart = '';
  if (['key', 'string', 'integer', 'double', 'pattern', 'unix-time', 'token'].includes(type)) repeatPart = orEmpty(name);
  else if (type === 'oneof') repeatPart = concatArguments(f.arguments as Parsed[], '|');
  else if (type === 'block') repeatPart = concatArguments(f.arguments as Parsed[], ' ');
  else if (type !== 'pure-token') throw new Error(`unknown argument type '${type}' of '${name}'`);
  if (tokenPart !== '' && type !== 'pure-token') tokenPart += ' ';
  let params = optional ? '[' : '';
  params += tokenPart + repeatPart;
  if (multiple) params += ' [' + (multipleToken ? tokenPart : '') + repeatPart + ' ...]';
  if (optional) params += ']';
  return params;
}

/** cliConcatArguments */
function concatArguments(args: Parsed[], separator: string): string {
  return args.map(addArgument).join(separator);
}

/** cliInitCommandHelpEntry: the command's entry and one per subcommand (`CONFIG GET`). */
function helpEntries(name: string, specs: Parsed, into: Map<string, string>): void {
  const f = fields(specs);
  into.set(name.toUpperCase(), Array.isArray(f.arguments) ? concatArguments(f.arguments, ' ') : '');
  if (Array.isArray(f.subcommands)) {
    const subs = f.subcommands;
    for (let i = 0; i < subs.length; i += 2) {
      const full = (subs[i] as string).split('|');
      helpEntries(`${full[0]} ${full[1]}`, subs[i + 1]!, into);
    }
  }
}

/**
 * What redis-cli 7.0 shows after `NAME ` is typed at its prompt (linenoise, in a pseudo-terminal):
 * every refresh of the line reprints the prompt, the buffer and the hint in colour 90.
 */
function hintsShownByRedisCli(port: number, names: string[]): Map<string, string> | string {
  for (const tool of ['redis-cli', 'script']) {
    if (spawnSync('which', [tool]).status !== 0) return `${tool} is not installed`;
  }
  // Type each name and a space, then Ctrl-U (clear the line); Ctrl-D on the empty line quits.
  const keys = names.map((n) => `${n} \x15`).join('') + '\x04';
  const cmd = `stty cols 1000 rows 50; sleep 0.5; redis-cli -p ${port}`;
  const r = spawnSync('sh', ['-c', `(sleep 1.5; printf '%s' "$KEYS") | script -qec "${cmd}" /dev/null`], {
    env: { ...process.env, KEYS: keys },
    encoding: 'latin1',
    timeout: 120_000,
  });
  const shown = new Map<string, string>();
  const prompt = `127.0.0.1:${port}> `;
  // A refresh: \r ESC[0K prompt buffer [ESC[0;90;49m hint ESC[0m]
  for (const refresh of r.stdout.split('\r\x1b[0K')) {
    if (!refresh.startsWith(prompt)) continue;
    const m = /^(.*?)(?:\x1b\[0;90;49m(.*?)\x1b\[0m)?\r/.exec(refresh.slice(prompt.length));
    if (!m) continue;
    const buffer = m[1]!;
    if (buffer.endsWith(' ') && names.includes(buffer.slice(0, -1))) shown.set(buffer.slice(0, -1), m[2] ?? '');
  }
  return shown;
}

const own = process.env.REDIS_PORT ? null : await startRedis();
const port = own ? own.port : Number(process.env.REDIS_PORT);
try {
  const c = await RedisConnection.connect(port);
  const version = /redis_version:(\S+)/.exec(parseRaw(await c.send(['INFO', 'server'])) as string)![1]!;
  const docs = parseRaw(await c.send(['COMMAND', 'DOCS'])) as Parsed[];
  c.close();
  const hints = new Map<string, string>();
  for (let i = 0; i < docs.length; i += 2) helpEntries(docs[i] as string, docs[i + 1]!, hints);
  const sorted = [...hints].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

  // The check: for every command with arguments, redis-cli shows the same hint after `NAME `.
  const shown = hintsShownByRedisCli(
    port,
    sorted.filter(([, h]) => h !== '').map(([n]) => n),
  );
  if (typeof shown === 'string') {
    console.warn(`not checked against redis-cli's own hints: ${shown}`);
  } else {
    const wrong = sorted.filter(([n, h]) => h !== '' && shown.get(n) !== h);
    if (shown.size === 0 || wrong.length) {
      throw new Error(
        `hints differ from redis-cli's (${shown.size} read): ` +
          wrong.slice(0, 5).map(([n, h]) => `${n}: ours ${JSON.stringify(h)}, redis-cli ${JSON.stringify(shown.get(n))}`).join('; '),
      );
    }
    console.log(`checked ${shown.size} hints against what redis-cli shows as you type`);
  }
  writeFileSync(out, JSON.stringify({ redis: version, hints: Object.fromEntries(sorted) }, null, 0).replace(/,"/g, ',\n"') + '\n');
  console.log(`recorded ${sorted.length} command hints from redis ${version} into demo/src/command-docs.json`);
} finally {
  own?.stop();
}
