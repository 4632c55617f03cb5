/** The command line of `lodis-server` (cli.ts), as redis-server reads its own. */
import { lookupConfig } from '@lodis/core';

/** `--name value …` pairs, as redis-server joins them: the words up to the next `--name`. */
export function parseArgs(argv: readonly string[]): Record<string, string> {
  const settings: Record<string, string> = {};
  for (let i = 0; i < argv.length; ) {
    const a = argv[i]!;
    if (!a.startsWith('--')) throw new Error(`Unexpected argument '${a}' (settings are given as --name value)`);
    const name = a.slice(2).toLowerCase();
    const words: string[] = [];
    for (i++; i < argv.length && !argv[i]!.startsWith('--'); i++) words.push(argv[i]!);
    if (lookupConfig(name) === undefined) throw new Error(`Bad directive or wrong number of arguments: '${name}'`);
    settings[name] = words.join(' ');
  }
  return settings;
}
