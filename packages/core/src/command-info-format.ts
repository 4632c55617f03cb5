/**
 * The compact text form of the COMMAND INFO entries recorded from Redis (command-info.ts is
 * written by scripts/gen-command-info.ts in this form; the generator checks that decoding gives
 * back exactly what the server replied): in the bundle, a sixth of the nested reply arrays' bytes.
 *
 * One command a line, fields separated by one space, lists by commas, `-` for an empty list:
 *
 *   name arity flags first-key last-key key-step categories tips key-specs
 *   append 3 write,denyoom,fast 1 1 1 string - 0
 *
 * - flags: COMMAND INFO's flags in Redis' order (statuses in the reply);
 * - categories: only the ACL categories Redis does not derive from the flags
 *   (setImplicitACLCategories: write → @write, readonly → @read unless @scripting, admin →
 *   @admin @dangerous, pubsub → @pubsub, fast → @fast, blocking → @blocking, not @fast → @slow);
 * - key-specs: indexes into the table of distinct key specs, each written as
 *   `flags begin-search find-keys [notes]` with begin-search `index:N`, `keyword:WORD:N` or
 *   `unknown` and find-keys `range:lastkey:keystep:limit`, `keynum:keynumidx:firstkey:keystep`
 *   or `unknown`;
 * - a line named `container|sub` is a subcommand of the last container above it, in the order
 *   COMMAND INFO lists them.
 */

/** A COMMAND INFO entry as Redis replies it: strings starting with '+' are status replies. */
export type CommandInfoData = readonly [
  name: string,
  arity: number,
  flags: readonly string[],
  firstKey: number,
  lastKey: number,
  keyStep: number,
  categories: readonly string[],
  tips: readonly string[],
  keySpecs: readonly unknown[],
  subcommands: readonly CommandInfoData[],
];

/** acl.c's ACLCommandCategories, in the order COMMAND INFO lists a command's categories. */
const ACL_CATEGORIES = [
  'keyspace', 'read', 'write', 'set', 'sortedset', 'list', 'hash', 'string', 'bitmap', 'hyperloglog', 'geo',
  'stream', 'pubsub', 'admin', 'fast', 'slow', 'blocking', 'dangerous', 'connection', 'transaction', 'scripting',
];

const list = (field: string): string[] => (field === '-' ? [] : field.split(','));

/** setImplicitACLCategories: the categories a command has, from its flags and explicit categories. */
function aclCategories(flags: readonly string[], explicit: readonly string[]): string[] {
  const cats = new Set(explicit);
  const has = (f: string) => flags.includes(f);
  if (has('write')) cats.add('write');
  if (has('readonly') && !cats.has('scripting')) cats.add('read');
  if (has('admin')) cats.add('admin').add('dangerous');
  if (has('pubsub')) cats.add('pubsub');
  if (has('fast')) cats.add('fast');
  if (has('blocking')) cats.add('blocking');
  if (!cats.has('fast')) cats.add('slow');
  return ACL_CATEGORIES.filter((c) => cats.has(c));
}

/** A key spec line back to COMMAND INFO's key spec reply. */
function decodeKeySpec(line: string): unknown[] {
  const [flags, begin, find, ...notes] = line.split(' ') as [string, string, string, ...string[]];
  const [beginType, ...b] = begin.split(':') as [string, ...string[]];
  const [findType, ...f] = find.split(':').map((x, i) => (i === 0 ? x : Number(x))) as [string, ...number[]];
  const beginSpec = beginType === 'index' ? ['index', Number(b[0])] : beginType === 'keyword' ? ['keyword', b[0], 'startfrom', Number(b[1])] : [];
  const findSpec =
    findType === 'range'
      ? ['lastkey', f[0], 'keystep', f[1], 'limit', f[2]]
      : findType === 'keynum'
        ? ['keynumidx', f[0], 'firstkey', f[1], 'keystep', f[2]]
        : [];
  return [
    ...(notes.length ? ['notes', notes.join(' ')] : []),
    'flags',
    list(flags).map((x) => '+' + x),
    'begin_search',
    ['type', beginType, 'spec', beginSpec],
    'find_keys',
    ['type', findType, 'spec', findSpec],
  ];
}

/** The table's text back to COMMAND INFO entries (subcommands inside their container). */
export function decodeCommandInfo(keySpecs: string, commands: string): CommandInfoData[] {
  const specs = keySpecs.trim().split('\n').map(decodeKeySpec);
  const out: CommandInfoData[] = [];
  for (const line of commands.trim().split('\n')) {
    const [name, arity, flags, first, last, step, cats, tips, ks] = line.split(' ') as [string, string, string, string, string, string, string, string, string];
    const f = list(flags);
    const entry: CommandInfoData = [
      name,
      Number(arity),
      f.map((x) => '+' + x),
      Number(first),
      Number(last),
      Number(step),
      aclCategories(f, list(cats)).map((c) => '+@' + c),
      list(tips),
      list(ks).map((i) => specs[Number(i)]!),
      [],
    ];
    if (name.includes('|')) (out[out.length - 1]![9] as CommandInfoData[]).push(entry);
    else out.push(entry);
  }
  return out;
}

/** The inverse of decodeCommandInfo, for the generator: [key specs, commands] text. */
export function encodeCommandInfo(info: readonly CommandInfoData[]): [string, string] {
  const field = (xs: readonly (string | number)[]) => (xs.length ? xs.join(',') : '-');
  const specs: string[] = [];
  const specIndex = (spec: readonly unknown[]): number => {
    const m = new Map<string, unknown>();
    for (let i = 0; i < spec.length; i += 2) m.set(spec[i] as string, spec[i + 1]);
    const [, bType, , b] = m.get('begin_search') as [string, string, string, unknown[]];
    const [, fType, , f] = m.get('find_keys') as [string, string, string, unknown[]];
    const begin = bType === 'index' ? `index:${b[1]}` : bType === 'keyword' ? `keyword:${b[1]}:${b[3]}` : bType;
    const find = fType === 'range' || fType === 'keynum' ? [fType, f[1], f[3], f[5]].join(':') : fType;
    const flags = (m.get('flags') as string[]).map((x) => x.slice(1));
    const text = [field(flags), begin, find, ...(m.has('notes') ? [m.get('notes') as string] : [])].join(' ');
    const i = specs.indexOf(text);
    return i >= 0 ? i : specs.push(text) - 1;
  };
  const lines: string[] = [];
  const line = (e: CommandInfoData): void => {
    const flags = e[2].map((x) => x.slice(1));
    const implied = aclCategories(flags, []);
    const explicit = e[6].map((x) => x.slice(2)).filter((c) => !implied.includes(c));
    lines.push([e[0], e[1], field(flags), e[3], e[4], e[5], field(explicit), field(e[7]), field(e[8].map((s) => specIndex(s as readonly unknown[])))].join(' '));
    e[9].forEach(line);
  };
  info.forEach(line);
  return [specs.join('\n'), lines.join('\n')];
}
