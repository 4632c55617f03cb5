/**
 * The `lodis-server` command, read as redis-server reads its command line: every `--name value…`
 * is a Redis setting (`--port 6380 --requirepass secret --save ""`), checked against Redis 7.0's
 * table of settings (an unknown name is refused, as redis-server refuses it).
 *
 *   npx lodis-server                                  # 127.0.0.1:6379, in memory
 *   npx lodis-server --port 6380 --requirepass s3cret
 *   npx lodis-server --dir ./data --appendonly yes --appendfsync always
 *
 * With `--appendonly yes` the store persists to `--dir` (FilePersistence: a snapshot and a log
 * of effects, fsynced per `appendfsync`) and loads it again at the next start. Without it the
 * data lives in memory only (Redis' RDB `save` points are accepted, and do nothing).
 * SIGINT/SIGTERM close the server and wait for the log to be written, as a Redis shutdown does.
 */
import process from 'node:process';
import path from 'node:path';
import { FilePersistence } from './file-persistence.js';
import { parseArgs } from './args.js';
import { startServer } from './server.js';

const USAGE = `Usage: lodis-server [--port 6379] [--bind 127.0.0.1] [--requirepass <password>]
                    [--dir <dir> --appendonly yes [--appendfsync always|everysec|no]]
                    [--<any redis setting> <value>] …
       lodis-server -v | --version
       lodis-server -h | --help`;

const VERSION = '0.1.0';

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv[0] === '-h' || argv[0] === '--help') return void console.log(USAGE);
  if (argv[0] === '-v' || argv[0] === '--version') return void console.log(`lodis-server v=${VERSION} (Redis 7.0.15 protocol)`);
  let settings: Record<string, string>;
  try {
    settings = parseArgs(argv);
  } catch (e) {
    console.error(`*** FATAL CONFIG ERROR (lodis-server) ***\n>>> ${(e as Error).message}\n\n${USAGE}`);
    process.exit(1);
  }
  if (settings.databases !== undefined && !/^[1-9][0-9]{0,4}$/.test(settings.databases)) {
    console.error(`*** FATAL CONFIG ERROR (lodis-server) ***\n>>> 'databases ${settings.databases}'\nArgument must be between 1 and 2147483647 inclusive`);
    process.exit(1);
  }
  const port = Number(settings.port ?? 6379);
  const bind = settings.bind ?? '127.0.0.1';
  const dir = path.resolve(settings.dir ?? '.');
  const appendonly = settings.appendonly === 'yes';
  const appendfsync = (settings.appendfsync ?? 'everysec') as 'always' | 'everysec' | 'no';
  // `databases` is fixed when the engine is made (redis-server reads it from its config file).
  const { port: _p, bind: _b, databases, ...config } = settings;
  const server = await startServer({
    port,
    bind,
    storeOptions: databases === undefined ? undefined : { databases: Number(databases) },
    config: { ...config, dir },
    persistence: appendonly ? new FilePersistence({ dir, appendfsync }) : undefined,
  });
  const mode = appendonly ? `appendonly yes in ${dir} (appendfsync ${appendfsync})` : 'in memory';
  console.log(`lodis-server ${VERSION} (Redis 7.0.15 protocol), pid ${process.pid}, ${mode}`);
  console.log(`Ready to accept connections tcp ${bind.split(' ').map((h) => `${h}:${server.port}`).join(' ')}`);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`Received ${signal}, scheduling shutdown...`);
    server.close().then(
      () => {
        console.log('Lodis is now ready to exit, bye bye...');
        process.exit(0);
      },
      (e: unknown) => {
        console.error(`Error trying to shut down: ${(e as Error)?.message ?? String(e)}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

await main();
