/**
 * Transactions in the differential run (multi.c): one stream entry becomes a short script over
 * the two transaction sessions each side has (differential.ts runTransaction). Session `s`
 * WATCHes some keys (mostly keys its transaction then uses), the other session — and now and
 * then `s` itself — writes (or only reads) those keys or runs ordinary stream commands, before
 * MULTI and between queued commands; then `s` queues 1–6 stream commands (mutated as usual, so
 * arity errors and unknown commands doom the transaction: EXECABORT) and EXECs or DISCARDs.
 * Now and then: a nested MULTI, WATCH inside MULTI, UNWATCH before MULTI, EXEC or DISCARD
 * without MULTI. Every script ends with UNWATCH, so no session is left in MULTI or watching
 * across a state check or a reset.
 *
 * Which stream commands go in (txnEligible): plain commands and blocking ones (inside MULTI they
 * reply at once, on both sides; outside it they would block, so only queued). Left out: commands
 * whose reply is random (SPOP …: checked against the value before them, which inside EXEC is not
 * known), commands with a plan (SORT, ZRANGE …: decided from the values before them), SCAN
 * iterations, RANDOMKEY and subscriber commands. EXEC's array is compared element by element
 * with each queued command's own policy (compare.ts, kind 'exec').
 */
import type { CommandSpec } from './generators.js';
import type { Gen, Arg } from './values.js';

export type TxnRole = 'select' | 'watch' | 'other' | 'multi' | 'queued' | 'exec' | 'discard' | 'unwatch' | 'settle';

export interface TxnStep {
  /** Which of the two transaction sessions runs it. */
  readonly session: 0 | 1;
  readonly role: TxnRole;
  readonly argv: Arg[];
  /** The stream command's spec, for queued and interfering commands. */
  readonly spec?: CommandSpec;
}

export interface Picked {
  readonly spec: CommandSpec;
  readonly argv: Arg[];
}

/** One stream entry: a whole script (its argv is only the name; the driver asks transactionScript). */
export const TRANSACTION_SPEC: CommandSpec = { name: 'MULTI', family: 'transactions', weight: 9, kind: 'transaction', args: () => [] };

export const TXN_COMMANDS: readonly CommandSpec[] = [TRANSACTION_SPEC];

/** Whether a stream command may run inside a transaction script (see the header). */
export function txnEligible(spec: CommandSpec, inMulti: boolean): boolean {
  if (spec.random || spec.plan) return false;
  const kind = spec.kind ?? 'cmd';
  return kind === 'cmd' || (inMulti && kind === 'blocking');
}

/** A write (or a read) of a watched key by another session: whether it touches the key depends on the data. */
function touch(g: Gen, key: Arg, db: string): Arg[] {
  return g.rng.weighted<() => Arg[]>([
    [4, () => ['SET', key, g.value()]],
    [2, () => ['SET', key, g.value(), 'NX']], // touches only a missing key
    [2, () => ['DEL', key]],
    [2, () => ['INCR', key]],
    [1, () => ['APPEND', key, '']], // a write that changes nothing
    [2, () => ['EXPIRE', key, '100']],
    [1, () => ['PERSIST', key]],
    [1, () => ['LPUSH', key, g.value()]],
    [1, () => ['SADD', key, g.value()]],
    [2, () => ['GET', key]], // reads never break a WATCH
    [1, () => ['EXISTS', key]],
    [1, () => ['TOUCH', key]],
    [1, () => ['RENAME', key, g.key()]],
    [1, () => ['COPY', g.key(), key, 'REPLACE']],
    [1, () => ['MOVE', key, g.db()]],
    [0.5, () => ['SWAPDB', db, g.db()]],
    [0.2, () => ['FLUSHDB']],
  ])();
}

/**
 * The steps of one transaction. `pick(inMulti)` draws a stream command (mutated as the driver
 * does) that txnEligible allows; `db` is the main session's database, which both transaction
 * sessions select first (so the main stream's keys are the ones watched).
 */
export function transactionScript(g: Gen, pick: (inMulti: boolean) => Picked, db: string): TxnStep[] {
  const s: 0 | 1 = g.chance(0.5) ? 0 : 1;
  const o: 0 | 1 = s === 0 ? 1 : 0;
  const steps: TxnStep[] = [
    { session: s, role: 'select', argv: ['SELECT', db] },
    { session: o, role: 'select', argv: ['SELECT', db] },
  ];
  const queued = Array.from({ length: g.int(1, g.chance(0.7) ? 4 : 6) }, () => pick(true));
  const candidates = queued.map((q) => q.argv[1]).filter((k): k is Arg => k !== undefined && q0(k));
  const watched: Arg[] = [];
  if (g.chance(0.65)) {
    for (let n = g.int(1, 3); n > 0; n--) watched.push(candidates.length && g.chance(0.75) ? g.pick(candidates) : g.key());
    steps.push({ session: s, role: 'watch', argv: [g.opt('WATCH'), ...watched] });
  }
  const interfere = (actor: 0 | 1): void => {
    if (watched.length && g.chance(0.6)) steps.push({ session: actor, role: 'other', argv: touch(g, g.pick(watched), db) });
    else {
      const p = pick(false);
      steps.push({ session: actor, role: 'other', argv: p.argv, spec: p.spec });
    }
  };
  for (let n = g.chance(0.5) ? 0 : g.int(1, 3); n > 0; n--) interfere(g.chance(0.85) ? o : s);
  if (watched.length && g.chance(0.06)) steps.push({ session: s, role: 'unwatch', argv: [g.opt('UNWATCH')] });

  const ending = g.rng.weighted<string>([[86, 'exec'], [10, 'discard'], [2, 'exec-alone'], [2, 'discard-alone']]);
  if (ending === 'exec-alone' || ending === 'discard-alone') {
    steps.push({ session: s, role: ending === 'exec-alone' ? 'exec' : 'discard', argv: [g.opt(ending === 'exec-alone' ? 'EXEC' : 'DISCARD')] });
  } else {
    steps.push({ session: s, role: 'multi', argv: [g.opt('MULTI')] });
    for (const q of queued) {
      if (g.chance(0.02)) steps.push({ session: s, role: 'other', argv: [g.opt('MULTI')] }); // nested: an error, the transaction goes on
      if (g.chance(0.02)) steps.push({ session: s, role: 'other', argv: [g.opt('WATCH'), g.key()] }); // refused inside MULTI
      steps.push({ session: s, role: 'queued', argv: q.argv, spec: q.spec });
      if (g.chance(0.12)) interfere(o);
    }
    steps.push({ session: s, role: ending === 'exec' ? 'exec' : 'discard', argv: [g.opt(ending === 'exec' ? 'EXEC' : 'DISCARD')] });
    for (const q of queued) {
      const settle = q.spec.settle?.(q.argv);
      if (settle) steps.push({ session: s, role: 'settle', argv: settle });
    }
  }
  steps.push({ session: s, role: 'unwatch', argv: ['UNWATCH'] });
  return steps;
}

/** Arguments that look like keys of the stream (not numbers or options) are worth watching. */
function q0(a: Arg): boolean {
  return typeof a !== 'string' || !/^-?[0-9]/.test(a);
}
