/**
 * The Lodis prompt: redis-cli on an in-process store (`npm start`, `npm run cli`).
 *
 *   npm start                                       # lodis> SET greeting hello
 *   printf 'SET a 1\nGET a\n' | npm start --silent  # OK, 1: replies as redis-cli prints to a pipe
 *   npm run cli -- --no-raw < commands.txt          # terminal formatting, to a pipe
 *   npm run cli -- -n 2 GET a                       # one command, then exit
 *
 * It reads lines, splits them and prints replies exactly as redis-cli 7.0 does (packages/core/src/redis-cli.ts,
 * shared with the demo's CLI),
 * tracks SELECT, MULTI and SUBSCRIBE in the prompt as redis-cli does, and keeps a history
 * (~/.lodiscli_history, or $LODISCLI_HISTFILE). Where an in-process store differs from a server:
 * there is nothing to connect to, so `:conn <n>` switches between client sessions of the same
 * store (SUBSCRIBE in one, PUBLISH from another), and a subscribed session keeps its prompt (as
 * redis-cli 7.2 does) instead of blocking; Ctrl-C drops its subscriptions as redis-cli's does.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import readline from 'node:readline';
import {
  commandTable,
  Engine,
  LocalTransport,
  Store,
  type RedisCommand,
  type Reply,
} from '../packages/core/src/index.js';
import {
  commandArg,
  formatLodisReply,
  formatReply,
  fromDecodedBuffer,
  READING_MESSAGES,
  splitArgBytes,
  splitArgs,
  toCliReplies,
  type OutputMode,
} from '../packages/core/src/redis-cli.js';

const VERSION = (
  JSON.parse(readFileSync(new URL('../packages/core/package.json', import.meta.url), 'utf8')) as { version: string }
).version;

const USAGE = `Usage: npm run cli -- [OPTIONS] [cmd [arg [arg ...]]]
  -n <db>     Database number to start in.
  --raw       Use raw formatting for replies (the default when STDOUT is not a tty).
  --no-raw    Force formatted output even when STDOUT is not a tty.
  -h, --help  Output this help and exit.
  -v, --version  Output version and exit.

Without a command it reads commands from STDIN: a prompt on a terminal, one command a line from a pipe.
Examples:
  npm start
  printf 'SET a 1\\nGET a\\n' | npm start --silent
  npm run cli -- INCR counter
`;

// ---------------------------------------------------------------------------------------------
// Options, as redis-cli takes them.

let mode: OutputMode = process.stdout.isTTY || process.env.FAKETTY ? 'tty' : 'raw';
let startDb = 0;
const positional: string[] = [];
{
  const args = process.argv.slice(2);
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const last = i === args.length - 1;
    if (a === '--raw') mode = 'raw';
    else if (a === '--no-raw') mode = 'tty';
    else if (a === '-n' && !last) startDb = Number.parseInt(args[++i]!, 10) || 0;
    else if (a === '-h' || a === '--help') {
      process.stdout.write(USAGE);
      process.exit(0);
    } else if (a === '-v' || a === '--version') {
      process.stdout.write(`lodis-cli ${VERSION}\n`);
      process.exit(0);
    } else if (a.startsWith('-') && positional.length === 0) {
      process.stderr.write(`Unrecognized option or bad number of args for: '${a}'\n`);
      process.exit(1);
    } else positional.push(a);
  }
}

// ---------------------------------------------------------------------------------------------
// Output: byte strings (redis-cli.ts), written as bytes.

let printing = false; // a command is running: pushed messages print in line with its replies
let rl: readline.Interface | null = null;

function write(bytes: string): void {
  process.stdout.write(Buffer.from(bytes, 'latin1'));
}
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});

/** Output that arrives between commands (a keyspace notification from the expiry timer). */
function writeAsync(bytes: string): void {
  if (printing || !rl) return write(bytes);
  readline.clearLine(process.stdout, 0);
  readline.cursorTo(process.stdout, 0);
  write(bytes);
  rl.prompt(true);
}

// ---------------------------------------------------------------------------------------------
// Client sessions over one in-process engine (redis-cli's one connection, times `:conn`).

const engine = new Engine();

class Session {
  transport!: LocalTransport;
  store!: Store;
  /** What redis-cli tracks of its connection to draw the prompt (config.dbnum, in_multi …). */
  db = 0;
  inMulti = false;
  preMultiDb = 0;
  resp: 2 | 3 = 2;
  subscribed = false;

  constructor(
    readonly id: number,
    root = false,
  ) {
    this.open(root);
  }

  /** Open (or reopen, dropping MULTI and subscriptions) this session's client. */
  open(root = false): void {
    this.transport = new LocalTransport(engine);
    // The first session's store owns the active-expiry timer; it stays alive across reopens.
    this.store = new Store(this.transport, root);
    this.transport.onPush((msg) => writeAsync(formatReply(fromDecodedBuffer(msg), mode)), true);
    this.inMulti = false;
    this.subscribed = false;
    this.resp = 2;
    const db = this.db;
    this.db = 0;
    if (db !== 0) this.select(db);
  }

  /** cliSelect: select the database the prompt shows. */
  select(db: number): void {
    const r = this.store.execute('SELECT', db);
    const [reply] = toCliReplies(r);
    if (reply?.type === 'error') process.stderr.write(`SELECT ${db} failed: ${reply.str}\n`);
    else this.db = db;
  }

  reconnect(): void {
    this.transport.close();
    this.open();
  }

  prompt(): string {
    let p = 'lodis';
    if (this.id !== 1) p += `#${this.id}`;
    if (this.db !== 0) p += `[${this.db}]`;
    if (this.inMulti) p += '(TX)';
    if (this.subscribed) p += '(subscribed mode)';
    return p + '> ';
  }
}

const sessions = new Map<number, Session>([[1, new Session(1, true)]]);
let current = sessions.get(1)!;
if (startDb !== 0) current.select(startDb);

// ---------------------------------------------------------------------------------------------
// Commands.

const atoi = (s: string) => Number.parseInt(s, 10) || 0;
const SUBSCRIBE = new Set(['subscribe', 'psubscribe', 'ssubscribe']);
const UNSUBSCRIBE = new Set(['unsubscribe', 'punsubscribe', 'sunsubscribe']);

/** cliSendCommand: run one command on the current session and print its replies. */
function sendCommand(argv: string[]): void {
  const s = current;
  const name = argv[0]!.toLowerCase();
  if (name === 'help' || name === '?') return write(help(argv.slice(1)));
  const entering = SUBSCRIBE.has(name) && !s.subscribed;
  if (entering && mode === 'tty') write(READING_MESSAGES);

  let reply: Reply;
  printing = true;
  try {
    reply = s.store.execute(...argv.map(commandArg));
  } catch (e) {
    process.stderr.write(`lodis: internal error in ${name}: ${(e as Error).stack ?? e}\n`);
    return;
  } finally {
    printing = false;
  }
  write(formatLodisReply(reply, mode, s.resp));

  // What redis-cli learns from a reply to draw its prompt.
  const replies = toCliReplies(reply, s.resp);
  const last = replies[replies.length - 1];
  const ok = last?.type !== 'error';
  if (name === 'select' && argv.length === 2 && ok) {
    s.db = atoi(argv[1]!);
  } else if (name === 'multi' && argv.length === 1 && ok) {
    s.inMulti = true;
    s.preMultiDb = s.db;
  } else if (name === 'exec' && argv.length === 1 && s.inMulti) {
    s.inMulti = false;
    if (!ok || last?.type === 'nil') s.db = s.preMultiDb;
  } else if (name === 'discard' && argv.length === 1 && ok) {
    s.inMulti = false;
    s.db = s.preMultiDb;
  } else if (name === 'reset' && argv.length === 1 && ok) {
    s.inMulti = false;
    s.db = 0;
    s.resp = 2;
    s.subscribed = false;
  } else if (name === 'hello' && argv.length >= 2 && ok && !s.inMulti) {
    const v = atoi(argv[1]!);
    if (v === 2 || v === 3) s.resp = v;
  }
  if (entering && ok) s.subscribed = true;
  if (s.subscribed && UNSUBSCRIBE.has(name) && last?.type === 'array') {
    const count = last.elements[2];
    if (count?.type === 'integer' && Number(count.integer) === 0) s.subscribed = false;
  }
}

/** One line, as redis-cli's repl() takes it. Returns false on quit/exit. */
function handleLine(line: string, bytes: boolean): boolean {
  if (line === '') return true;
  const argv = bytes ? splitArgBytes(line) : splitArgs(line);
  if (argv === null) {
    write('Invalid argument(s)\n');
    return true;
  }
  if (argv.length === 0) return true;

  // "3 INCR a" runs INCR three times (strtol of the first argument consumed it whole).
  let repeat = 1;
  let skip = 0;
  if (argv.length > 1 && /^[\t\n\v\f\r ]*([+-]?\d+)?$/.test(argv[0]!)) {
    const n = Number(argv[0]!.trim() || '0');
    if (!(n > 0) || n > 2 ** 63 - 1) {
      write('Invalid redis-cli repeat command option value.\n');
      return true;
    }
    repeat = n;
    skip = 1;
  }

  const first = argv[0]!.toLowerCase();
  if (first === 'quit' || first === 'exit') return false;
  if (argv[0]!.startsWith(':')) {
    promptCommand(argv);
    return true;
  }
  if (argv.length === 1 && first === 'clear') {
    if (process.stdout.isTTY) write('\x1b[H\x1b[2J');
    return true;
  }
  const start = performance.now();
  for (let i = 0; i < repeat; i++) sendCommand(argv.slice(skip));
  const elapsed = performance.now() - start;
  if (elapsed >= 500 && mode === 'tty') write(`(${(elapsed / 1000).toFixed(2)}s)\n`);
  return true;
}

/** `:conn [n]` and redis-cli's `:set` preferences. */
function promptCommand(argv: string[]): void {
  const name = argv[0]!.toLowerCase();
  if (name === ':conn' && argv.length === 1) {
    for (const s of sessions.values()) {
      const state = [`db ${s.db}`, s.inMulti && 'in MULTI', s.subscribed && 'subscribed'].filter(Boolean).join(', ');
      write(`${s === current ? '*' : ' '} ${s.id}) ${state}\n`);
    }
  } else if (name === ':conn' && argv.length === 2 && /^[1-9]\d{0,3}$/.test(argv[1]!)) {
    const id = Number(argv[1]);
    let s = sessions.get(id);
    if (!s) sessions.set(id, (s = new Session(id)));
    current = s;
  } else if (name === ':conn') {
    write('usage: ":conn <n>" with n from 1 to 9999, or ":conn" to list the sessions\n');
  } else if (name === ':set' && argv.length >= 2) {
    // redis-cli's hints preference: Lodis' prompt has no hints to turn on or off.
    if (!/^(no)?hints$/i.test(argv[1]!)) write(`unknown lodis-cli preference '${argv[1]}'\n`);
  } else {
    write(`unknown lodis-cli internal command '${argv[0]}' (try "help")\n`);
  }
}

// ---------------------------------------------------------------------------------------------
// help, from the command table (what Lodis implements, with Redis' recorded metadata).

const strip = (xs: readonly string[]) => xs.map((x) => x.replace(/^\+/, ''));

function commandHelp(cmd: RedisCommand): string {
  const [, arity, flags, , , , categories] = cmd.info;
  const args =
    arity > 0 ? `${arity - 1} argument${arity === 2 ? '' : 's'}` : `at least ${-arity - 1} argument${arity === -2 ? '' : 's'}`;
  let out = `\n  ${cmd.fullname.replace('|', ' ').toUpperCase()}\n`;
  out += `  arity: ${arity} (${args})\n`;
  if (flags.length) out += `  flags: ${strip(flags).join(' ')}\n`;
  out += `  group: ${strip(categories).join(' ')}\n`;
  if (cmd.subcommands) {
    const subs = [...cmd.subcommands.values()].filter((c) => c.handler);
    out += `  subcommands: ${subs.map((c) => c.fullname.split('|')[1]!.toUpperCase()).join(' ')}\n`;
  }
  return out;
}

function groups(): string[] {
  const all = new Set<string>();
  for (const cmd of commandTable.values()) for (const c of cmd.info[6]) all.add(c.replace(/^\+/, ''));
  return [...all].sort();
}

function help(args: string[]): string {
  if (args.length === 0) {
    return (
      `lodis-cli ${VERSION}: redis-cli on a Lodis store in this process (its data lives until you quit)\n` +
      'To get help about Redis commands type:\n' +
      '      "help @<group>" to get a list of commands in <group>\n' +
      '      "help <command>" for help on <command>\n' +
      '      "help <tab>" to get a list of possible help topics\n' +
      '      "quit" to exit\n' +
      '\n' +
      'Client sessions (SUBSCRIBE in one, PUBLISH from another):\n' +
      '      ":conn <n>" switch to session <n>, opening it on first use\n' +
      '      ":conn" list the open sessions\n'
    );
  }
  const topic = args[0]!.toLowerCase();
  if (topic.startsWith('@')) {
    const cmds = [...commandTable.values()].filter((c) => c.info[6].includes(`+${topic}`));
    if (!cmds.length) return `\n  No Lodis command is in ${topic}. Groups: ${groups().join(' ')}\n\n`;
    return cmds.map(commandHelp).join('') + '\n';
  }
  const cmd = commandTable.get(topic);
  if (!cmd) return `\n  ${args[0]!.toUpperCase()} is not implemented in Lodis yet (see "help @<group>": ${groups().join(' ')})\n\n`;
  if (args.length > 1 && cmd.subcommands) {
    const sub = cmd.subcommands.get(args[1]!.toLowerCase());
    if (sub?.handler) return commandHelp(sub) + '\n';
  }
  return commandHelp(cmd) + '\n';
}

function completer(line: string): [string[], string] {
  const names = [...commandTable.keys()].map((n) => n.toUpperCase()).sort();
  const m = /^(help\s+)(.*)$/i.exec(line);
  if (m) {
    const word = m[2]!;
    const topics = [...groups(), ...names];
    return [topics.filter((t) => t.toLowerCase().startsWith(word.toLowerCase())), word];
  }
  if (/\s/.test(line)) return [[], line];
  const all = [...names, 'HELP', 'QUIT', 'EXIT'];
  return [all.filter((n) => n.toLowerCase().startsWith(line.toLowerCase())), line];
}

// ---------------------------------------------------------------------------------------------
// The three ways in: one command from the command line, a pipe, a terminal.

function historyFile(): string | null {
  const f = process.env.LODISCLI_HISTFILE ?? join(homedir(), '.lodiscli_history');
  return f === '/dev/null' || f === '' ? null : f;
}

function repl(): void {
  const file = historyFile();
  let history: string[] = [];
  if (file) {
    try {
      history = readFileSync(file, 'utf8').split('\n').filter(Boolean).reverse();
    } catch {
      // no history yet
    }
  }
  rl = readline.createInterface({
    input: process.stdin,
    output: process.stdout,
    terminal: true,
    history,
    historySize: 1000,
    removeHistoryDuplicates: false,
    completer,
  });
  if (file) {
    rl.on('history', (h: string[]) => {
      try {
        writeFileSync(file, [...h].reverse().join('\n') + '\n');
      } catch {
        // an unwritable history file is not worth stopping for
      }
    });
  }
  const prompt = () => {
    rl!.setPrompt(current.prompt());
    rl!.prompt();
  };
  rl.on('line', (line) => {
    if (!handleLine(line, false)) process.exit(0);
    prompt();
  });
  // Ctrl-C: in subscribed mode, drop the subscriptions (redis-cli reconnects); otherwise quit.
  rl.on('SIGINT', () => {
    if (!current.subscribed) process.exit(0);
    current.reconnect();
    write('\n');
    prompt();
  });
  rl.on('close', () => process.exit(0));
  prompt();
}

/** A pipe: split on \n only and keep the bytes, as redis-cli (linenoise without a tty) does. */
function readPipe(): void {
  let pending: Buffer = Buffer.alloc(0);
  let done = false;
  const run = (line: Buffer) => {
    if (!done && !handleLine(line.toString('latin1'), true)) {
      done = true;
      process.exit(0);
    }
  };
  process.stdin.on('data', (chunk: Buffer) => {
    pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    let nl: number;
    while (!done && (nl = pending.indexOf(0x0a)) >= 0) {
      const line = pending.subarray(0, nl);
      pending = pending.subarray(nl + 1);
      run(line);
    }
  });
  process.stdin.on('end', () => {
    if (pending.length) run(pending);
    process.exit(0);
  });
}

if (positional.length) {
  sendCommand(positional.map((a) => Buffer.from(a, 'utf8').toString('latin1')));
  process.exit(0);
} else if (process.stdin.isTTY) {
  repl();
} else {
  readPipe();
}
