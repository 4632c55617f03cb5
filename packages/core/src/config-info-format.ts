/**
 * The compact text form of the settings table recorded from Redis (config-info.ts is written by
 * scripts/gen-config-info.ts in this form; the generator checks that decoding gives back exactly
 * the entries it parsed). One setting a line, fields separated by one space, lists by commas,
 * `-` for none, the default last as a JSON string:
 *
 *   name alias type flags valid [by type] "default"
 *   maxmemory - numeric - - ulong-long 0 18446744073709551615 memory "0"
 *
 * By type: string and sds add `empty-is-null` or `-`; enum adds its `name:value` list;
 * numeric adds the C type, the bounds and the formats (memory, percent, octal).
 */

export type ConfigType = 'bool' | 'string' | 'sds' | 'enum' | 'numeric' | 'special';
export type ConfigFlag = 'immutable' | 'sensitive' | 'debug' | 'multi-arg' | 'hidden' | 'protected' | 'deny-loading' | 'volatile';
export type NumericType = 'int' | 'uint' | 'long' | 'ulong' | 'long-long' | 'ulong-long' | 'size_t' | 'ssize_t' | 'time_t' | 'off_t';

export interface ConfigInfoData {
  readonly name: string;
  readonly alias: string | null;
  readonly type: ConfigType;
  readonly flags: readonly ConfigFlag[];
  /** What CONFIG GET reports on a fresh server. */
  readonly default: string;
  readonly emptyToNull?: boolean;
  readonly values?: readonly (readonly [string, number])[];
  readonly numericType?: NumericType;
  /** Bounds as decimal strings: they reach 2^64-1. */
  readonly lower?: string;
  readonly upper?: string;
  readonly format?: readonly ('memory' | 'percent' | 'octal')[];
  /** The name of config.c's validation function, if any. */
  readonly valid?: string | null;
}

const list = (field: string): string[] => (field === '-' ? [] : field.split(','));
const orNull = (field: string): string | null => (field === '-' ? null : field);

/** The table's text back to entries. */
export function decodeConfigInfo(text: string): ConfigInfoData[] {
  return text
    .trim()
    .split('\n')
    .map((line) => {
      const quote = line.indexOf('"');
      const [name, alias, type, flags, valid, ...rest] = line.slice(0, quote - 1).split(' ') as string[] as [string, string, ConfigType, string, string, ...string[]];
      const base = { name, alias: orNull(alias), type, flags: list(flags) as ConfigFlag[], default: JSON.parse(line.slice(quote)) as string };
      switch (type) {
        case 'string':
        case 'sds':
          return { ...base, emptyToNull: rest[0] === 'empty-is-null', valid: orNull(valid) };
        case 'enum':
          return {
            ...base,
            values: list(rest[0]!).map((v) => [v.slice(0, v.lastIndexOf(':')), Number(v.slice(v.lastIndexOf(':') + 1))] as const),
            valid: orNull(valid),
          };
        case 'numeric':
          return {
            ...base,
            numericType: rest[0] as NumericType,
            lower: rest[1],
            upper: rest[2],
            format: list(rest[3]!) as ('memory' | 'percent' | 'octal')[],
            valid: orNull(valid),
          };
        case 'special':
          return base;
        default:
          return { ...base, valid: orNull(valid) };
      }
    });
}

/** The inverse of decodeConfigInfo, for the generator. */
export function encodeConfigInfo(entries: readonly ConfigInfoData[]): string {
  const field = (xs: readonly string[]) => (xs.length ? xs.join(',') : '-');
  return entries
    .map((e) => {
      const byType =
        e.type === 'string' || e.type === 'sds'
          ? [e.emptyToNull ? 'empty-is-null' : '-']
          : e.type === 'enum'
            ? [field(e.values!.map(([n, v]) => `${n}:${v}`))]
            : e.type === 'numeric'
              ? [e.numericType!, e.lower!, e.upper!, field(e.format!)]
              : [];
      return [e.name, e.alias ?? '-', e.type, field(e.flags), e.valid ?? '-', ...byType, JSON.stringify(e.default)].join(' ');
    })
    .join('\n');
}
