/**
 * Malformed and borderline requests whose replies are recorded from redis-server
 * (record-protocol-corpus.ts → protocol-corpus.recorded.json) and compared byte for byte with
 * lodis-server's by fuzz.test.ts: what comes back, and whether the server then closes.
 *
 * Each input goes on a fresh connection and touches no key, so the entries can run at once.
 */
import { createHash } from 'node:crypto';
import net from 'node:net';

export interface CorpusEntry {
  name: string;
  input: Buffer;
}

const b = (s: string): Buffer => Buffer.from(s, 'latin1');
const cat = (...parts: (string | Buffer)[]): Buffer => Buffer.concat(parts.map((p) => (typeof p === 'string' ? b(p) : p)));
const cmd = (...argv: string[]): string => `*${argv.length}\r\n` + argv.map((a) => `$${Buffer.byteLength(a, 'latin1')}\r\n${a}\r\n`).join('');
const PING = cmd('PING');

export const PROTOCOL_CORPUS: CorpusEntry[] = [
  // ---- counts (`*<n>`) ----
  { name: 'count over INT_MAX', input: b('*2147483648\r\n' + PING) },
  { name: 'count INT_MAX (waits for the arguments)', input: b('*2147483647\r\n$4\r\nPING\r\n') },
  { name: 'count 2^63', input: b('*9223372036854775808\r\n') },
  { name: 'count -1 is skipped', input: b('*-1\r\n' + PING) },
  { name: 'count -2147483649 is skipped', input: b('*-2147483649\r\n' + PING) },
  { name: 'count 0 is skipped', input: b('*0\r\n' + PING) },
  { name: 'count not a number', input: b('*abc\r\n' + PING) },
  { name: 'count with a leading zero', input: b('*01\r\n' + PING) },
  { name: 'count with a plus sign', input: b('*+1\r\n' + PING) },
  { name: 'count with a space', input: b('* 1\r\n' + PING) },
  { name: 'count empty', input: b('*\r\n' + PING) },
  { name: 'count ended by a lone LF', input: b('*1\n$4\r\nPING\r\n') },
  { name: 'count ended by CR and not LF', input: b('*1\rx$4\r\nPING\r\n') },
  { name: 'count line of 70 KB without CR', input: b('*' + '1'.repeat(70 * 1024)) },
  { name: 'count with a NUL before its CR', input: b('*1\x00\r\n' + PING) },

  // ---- bulk lengths (`$<n>`) ----
  { name: 'bulk length over proto-max-bulk-len', input: b('*1\r\n$999999999999\r\n') },
  { name: 'bulk length 512 MB + 1', input: b('*1\r\n$536870913\r\n') },
  { name: 'bulk length over int64', input: b('*1\r\n$99999999999999999999\r\n') },
  { name: 'bulk length -1', input: b('*1\r\n$-1\r\n') },
  { name: 'bulk length not a number', input: b('*1\r\n$abc\r\n') },
  { name: 'bulk length empty', input: b('*1\r\n$\r\n') },
  { name: 'bulk length with a leading zero', input: b('*1\r\n$04\r\nPING\r\n') },
  { name: 'bulk length line of 70 KB without CR', input: b('*1\r\n$' + '9'.repeat(70 * 1024)) },
  { name: 'bulk length with a NUL before its CR', input: b('*1\r\n$4\x00\r\nPING\r\n') },
  { name: 'bulk shorter than declared (waits)', input: b('*1\r\n$10\r\nPING\r\n') },
  { name: 'bulk not followed by CRLF (two bytes skipped)', input: b('*1\r\n$4\r\nPINGxx' + PING) },
  { name: 'bulk with a NUL inside', input: b(cmd('ECHO', 'a\x00b')) },
  { name: 'empty command name', input: b('*1\r\n$0\r\n\r\n' + PING) },

  // ---- what is not a bulk inside an array ----
  { name: 'simple string instead of a bulk', input: b('*1\r\n+PING\r\n') },
  { name: 'integer instead of a bulk', input: b('*1\r\n:1\r\n') },
  { name: 'nested array', input: b('*2\r\n*1\r\n$4\r\nPING\r\n') },
  { name: 'error instead of a bulk', input: b('*1\r\n-ERR x\r\n') },
  { name: 'RESP3 map instead of a bulk', input: b('*1\r\n%1\r\n') },
  { name: 'byte 0xff instead of a bulk', input: cat('*1\r\n', Buffer.from([0xff]), '4\r\n') },
  { name: 'a valid command after the bad one is not run', input: b('*1\r\n+PING\r\n' + PING) },
  { name: 'a valid command before the bad one is run', input: b(PING + '*1\r\n+PING\r\n') },

  // ---- inline commands ----
  { name: 'inline PING CRLF', input: b('PING\r\n') },
  { name: 'inline PING LF', input: b('PING\n') },
  { name: 'inline blank lines are skipped', input: b('\r\n\n  \r\nPING\r\n') },
  { name: 'inline unbalanced double quote', input: b('ECHO "abc\r\n' + PING) },
  { name: 'inline unbalanced single quote', input: b("ECHO 'abc\r\n") },
  { name: 'inline closing quote followed by a letter', input: b('ECHO "abc"def\r\n') },
  { name: 'inline escapes', input: b('ECHO "\\x41\\x42\\n\\t\\"" \'it\\\'s\'\r\n') },
  { name: 'inline 70 KB without LF', input: b('ECHO ' + 'a'.repeat(70 * 1024)) },
  { name: 'inline with a NUL', input: b('PING\x00\r\n' + PING) },
  { name: 'inline CR in the middle', input: b('ECHO a\rb\r\n') },
  { name: 'inline control bytes', input: cat(Buffer.from([1, 2, 3, 0x7f, 0xc3, 0x28]), '\r\n') },
  { name: 'inline that starts with $', input: b('$999999999999\r\n') },
  { name: 'inline that starts with +', input: b('+PING\r\n') },
  { name: 'inline unknown command with many arguments', input: b('NOSUCH ' + 'x '.repeat(40) + '\r\n') },

  // ---- pipelines and partial input ----
  { name: '200 pipelined PINGs', input: b(PING.repeat(200)) },
  { name: 'pipelined inline and RESP', input: b('PING\r\n' + PING + 'ECHO x\n' + cmd('ECHO', 'y')) },
  { name: 'command cut in the middle (waits)', input: b('*2\r\n$4\r\nECHO\r\n$3\r\nab') },
  { name: 'complete command then a cut one', input: b(cmd('ECHO', 'abc') + '*1\r\n$4\r\nPI') },
  { name: 'a 40 KB argument', input: b(cmd('ECHO', 'v'.repeat(40_000)) + PING) },
  { name: 'a 40 KB argument not followed by CRLF', input: b('*2\r\n$4\r\nECHO\r\n$40000\r\n' + 'w'.repeat(40_000) + 'xy' + PING) },
  { name: 'QUIT closes after its reply', input: b(cmd('QUIT') + PING) },
  { name: 'inline QUIT', input: b('QUIT\r\nPING\r\n') },
];

/** What a server did with one input: the bytes it sent back (one char per byte) and whether it then closed. */
export interface Exchange {
  reply: string;
  closed: boolean;
}

/** A server has answered (or given up on) an input when it has been quiet this long. */
export const QUIET_MS = 300;

/** protocol-corpus.recorded.json */
export interface RecordedCorpus {
  redis: string;
  entries: (Exchange & { name: string; input: string })[];
}

/** An input's fingerprint: a changed input without a new recording is caught. */
export const inputHash = (input: Buffer): string => createHash('sha256').update(input).digest('hex').slice(0, 16);

/**
 * Send `input` on a fresh connection; the reply is every byte that comes until the server closes
 * the connection or has been quiet for `quietMs`.
 */
export function exchange(port: number, input: Buffer, quietMs: number): Promise<Exchange> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let timer: NodeJS.Timeout | undefined;
    let done = false;
    const finish = (closed: boolean): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      resolve({ reply: Buffer.concat(chunks).toString('latin1'), closed });
    };
    const quiet = (): void => {
      clearTimeout(timer);
      timer = setTimeout(() => finish(false), quietMs);
    };
    sock.on('connect', () => {
      sock.write(input);
      quiet();
    });
    sock.on('data', (d) => {
      chunks.push(d);
      quiet();
    });
    sock.on('end', () => finish(true));
    sock.on('close', () => finish(true));
    sock.on('error', (e) => (chunks.length > 0 || done ? finish(true) : reject(e)));
  });
}
