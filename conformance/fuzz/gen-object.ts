/**
 * The differential run's OBJECT and MEMORY commands (object.c). OBJECT ENCODING and REFCOUNT of
 * a list, hash, set, sorted set or stream are compared exactly: they check that every type module
 * tracks Redis' encoding (listpack → hashtable, intset → hashtable, listpack → skiplist) through
 * every command that builds or changes a value. For a string they are compared by shape: Lodis
 * cannot tell every string Redis holds as embstr from one it holds as int (INCRBYFLOAT's integral
 * results, object-commands.ts). OBJECT IDLETIME and FREQ (times and LFU's random increments),
 * and MEMORY USAGE (the allocator's bytes against the JS heap estimate) are compared by shape;
 * their argument errors exactly, when the driver's mutations make some.
 *
 * To hook in: `import { OBJECT_COMMANDS } from './gen-object.js'` in generators.ts and spread it
 * into COMMANDS (`...OBJECT_COMMANDS`).
 */
import type { RedisObject } from '../../packages/core/src/object.js';
import type { CommandPlan, CommandSpec } from './generators.js';
import { KEY_POOLS, type Arg, type Gen } from './values.js';

/** Keys of every type: the string pools and the collections'. */
function anyKey(g: Gen): Arg {
  return g.key(
    g.pick([KEY_POOLS.str, KEY_POOLS.num, KEY_POOLS.list, KEY_POOLS.hash, KEY_POOLS.set, KEY_POOLS.zset, KEY_POOLS.stream, KEY_POOLS.sort]),
  );
}

/** Exact for a collection (or no key), by shape for a string. */
function byType(argv: readonly Arg[], value: (key: Arg) => RedisObject | undefined): CommandPlan | null {
  const v = value(argv[2]!);
  if (v === undefined || (typeof v === 'object' && !(v instanceof Uint8Array))) return { policy: { kind: 'exact' } };
  return { policy: { kind: 'shape' } };
}

const SAMPLES = ['0', '1', '5', '100', '-1', 'x', '9223372036854775807', '9223372036854775808', ''];

export const OBJECT_COMMANDS: CommandSpec[] = [
  { name: 'OBJECT', family: 'keys', weight: 2, argv: (g) => ['OBJECT', 'ENCODING', anyKey(g)], plan: byType },
  { name: 'OBJECT', family: 'keys', weight: 0.5, argv: (g) => ['OBJECT', 'REFCOUNT', anyKey(g)], plan: byType },
  { name: 'OBJECT', family: 'keys', weight: 0.3, argv: (g) => ['OBJECT', g.pick(['IDLETIME', 'FREQ']), anyKey(g)] },
  { name: 'OBJECT', family: 'keys', weight: 0.1, argv: (g) => ['OBJECT', g.pick(['HELP', 'help', 'NOSUCH'])] },
  {
    name: 'MEMORY',
    family: 'keys',
    weight: 0.4,
    argv: (g) => {
      const argv: Arg[] = ['MEMORY', 'USAGE', anyKey(g)];
      if (g.chance(0.4)) argv.push(g.pick(['SAMPLES', 'samples', 'SAMPLE']), g.pick(SAMPLES));
      return argv;
    },
    // A number of bytes on both sides (or null, or the same argument error): compared by shape.
    plan: () => ({ policy: { kind: 'shape' } }),
  },
  { name: 'MEMORY', family: 'keys', weight: 0.1, argv: (g) => ['MEMORY', g.pick(['HELP', 'PURGE', 'DOCTOR', 'NOSUCH'])] },
];
