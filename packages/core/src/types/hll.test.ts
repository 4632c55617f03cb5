import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { craftElement, generateElements, type Fixture } from '../../../../scripts/record-hll-fixture.js';
import { ReplyError } from '../errors.js';
import { createStore, type Store } from '../store.js';
import { hllPatLen, murmurHash64A } from './hll.js';

const fixture = JSON.parse(readFileSync(new URL('./hll.fixture.json', import.meta.url), 'utf8')) as Fixture;

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const fromHex = (h: string) => new Uint8Array(Buffer.from(h, 'hex'));

function store(): Store {
  return createStore({ activeExpire: false });
}

function getBytes(s: Store, key: string): Uint8Array {
  return s.execute('GET', key) as Uint8Array;
}

function errorOf(s: Store, ...argv: (string | Uint8Array)[]): string {
  const r = s.execute(...argv);
  if (!(r instanceof ReplyError)) throw new Error(`expected an error from ${String(argv[0])}, got ${String(r)}`);
  return r.message;
}

/** MurmurHash64A written plainly with BigInt, to check the 32-bit-halves version. */
function murmurReference(d: Uint8Array): bigint {
  const M = 0xc6a4a7935bd1e995n;
  const MASK = (1n << 64n) - 1n;
  let h = (0xadc83b19n ^ (BigInt(d.length) * M)) & MASK;
  const blocks = d.length - (d.length & 7);
  let i = 0;
  for (; i < blocks; i += 8) {
    let k = 0n;
    for (let j = 7; j >= 0; j--) k = (k << 8n) | BigInt(d[i + j]!);
    k = (k * M) & MASK;
    k ^= k >> 47n;
    k = (k * M) & MASK;
    h = ((h ^ k) * M) & MASK;
  }
  if (d.length & 7) {
    for (let j = (d.length & 7) - 1; j >= 0; j--) h ^= BigInt(d[i + j]!) << BigInt(8 * j);
    h = (h * M) & MASK;
  }
  h ^= h >> 47n;
  h = (h * M) & MASK;
  return h ^ (h >> 47n);
}

/** A dense HLL's bytes with every register set to `value` (cache marked stale). */
function denseWithAll(value: number): Uint8Array {
  const b = new Uint8Array(16 + 12288);
  b.set([0x48, 0x59, 0x4c, 0x4c, 0]);
  b[15] = 0x80;
  for (let r = 0; r < 16384; r++) {
    const bit = r * 6;
    const byte = 16 + (bit >> 3);
    const fb = bit & 7;
    b[byte] = b[byte]! | ((value << fb) & 0xff);
    if (byte + 1 < b.length) b[byte + 1] = b[byte + 1]! | (value >> (8 - fb));
  }
  return b;
}

describe('MurmurHash64A', () => {
  it('matches a BigInt reference for every tail length and random bytes', () => {
    let seed = 7;
    const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 16) & 0xff;
    for (let len = 0; len < 100; len++) {
      for (let n = 0; n < 20; n++) {
        const d = new Uint8Array(len);
        for (let i = 0; i < len; i++) d[i] = n === 0 ? 0xff : rand();
        const expected = murmurReference(d);
        expect(murmurHash64A(d)).toBe(expected);
        const count = hllPatLen(d);
        // register value: 1 + trailing zeros of (hash >> 14), with bit 50 set as a sentinel
        let rest = (expected >> 14n) | (1n << 50n);
        let want = 1;
        while ((rest & 1n) === 0n) {
          rest >>= 1n;
          want++;
        }
        expect(count).toBe(want);
      }
    }
  });

  it('hashes text as its UTF-8 bytes', () => {
    for (const s of ['', 'a', 'héllo', '日本語テキスト', '😀x', 'plain ascii that is longer than eight']) {
      expect(hllPatLen(s)).toBe(hllPatLen(new TextEncoder().encode(s)));
    }
  });

  it('crafted elements land on the chosen register with the chosen run', () => {
    const s = store();
    s.execute('PFADD', 'h', craftElement(5, 40, 1)); // > 32: promotes to dense
    const b = getBytes(s, 'h');
    expect(b[4]).toBe(0); // dense
    const reg5 = ((b[16 + 3]! >> 6) | (b[16 + 4]! << 2)) & 63; // register 5: bits 30..35
    expect(reg5).toBe(40);
  });
});

describe('recorded from redis-server', () => {
  it(`replays ${fixture.steps.length} steps recorded from redis ${fixture.redis}`, () => {
    const s = store();
    const failures: string[] = [];
    fixture.steps.forEach((step, n) => {
      const at = `step ${n} ${step.op} ${'key' in step ? step.key : step.keys.join(' ')}`;
      if (step.op === 'pfadd') {
        const els = generateElements(step.elements);
        const replies: unknown[] = [];
        const lengths: number[] = [];
        for (let i = 0; i < els.length; i += step.batch) {
          replies.push(s.execute('PFADD', step.key, ...els.slice(i, i + step.batch)));
          if (step.lengths) lengths.push(getBytes(s, step.key).length);
        }
        if (JSON.stringify(replies) !== JSON.stringify(step.replies)) failures.push(`${at}: PFADD replies differ`);
        if (step.lengths && JSON.stringify(lengths) !== JSON.stringify(step.lengths)) {
          const i = lengths.findIndex((l, j) => l !== step.lengths![j]);
          failures.push(`${at}: after batch ${i} the length is ${lengths[i]}, redis ${step.lengths[i]}`);
        }
      } else if (step.op === 'pfcount') {
        const r = s.execute('PFCOUNT', ...step.keys);
        if (r !== step.reply) failures.push(`${at}: redis ${step.reply}, lodis ${String(r)}`);
      } else if (step.op === 'pfmerge') {
        const r = s.execute('PFMERGE', ...step.keys);
        if (String((r as { text?: string }).text) !== step.reply) failures.push(`${at}: ${String(r)}`);
      } else {
        const got = hex(getBytes(s, step.key));
        if (got !== step.hex) {
          let i = 0;
          while (got[i] === step.hex[i]) i++;
          failures.push(`${at}: bytes differ from byte ${i / 2} (lengths ${step.hex.length / 2}, ${got.length / 2})`);
        }
      }
    });
    expect(failures).toEqual([]);
  });

  it('reads the bytes Redis wrote: SET of a recorded HLL, then PFADD and PFCOUNT agree', () => {
    const s = store();
    const gets = fixture.steps.filter((x) => x.op === 'get');
    for (const g of gets) {
      s.execute('SET', 'copy', fromHex(g.hex));
      const n = s.execute('PFCOUNT', 'copy');
      expect(typeof n).toBe('number');
      expect(hex(getBytes(s, 'copy')).slice(32)).toBe(g.hex.slice(32)); // registers untouched
    }
  });
});

describe('PFADD', () => {
  it('creates a sparse HLL, returns 1 only when a register changes', () => {
    const s = store();
    expect(s.execute('PFADD', 'h')).toBe(1); // created with no elements
    expect(s.execute('PFADD', 'h')).toBe(0);
    expect(hex(getBytes(s, 'h'))).toBe('48594c4c' + '01000000' + '0000000000000080' + '7fff');
    expect(s.execute('PFADD', 'h', 'a', 'b')).toBe(1);
    expect(s.execute('PFADD', 'h', 'a', 'b')).toBe(0);
    expect(s.execute('PFCOUNT', 'h')).toBe(2);
  });

  it('promotes to dense once the sparse form would pass 3000 bytes', () => {
    const s = store();
    let i = 0;
    let lastSparse = 0;
    for (; i < 5000; i++) {
      s.execute('PFADD', 'h', `e${i}`);
      const b = getBytes(s, 'h');
      if (b[4] === 0) break;
      lastSparse = b.length;
    }
    expect(i).toBeLessThan(5000);
    expect(lastSparse).toBeLessThanOrEqual(3000);
    expect(lastSparse).toBeGreaterThan(2990);
    expect(getBytes(s, 'h').length).toBe(12304);
  });

  it('a run longer than 32 promotes a sparse HLL at once', () => {
    const s = store();
    s.execute('PFADD', 'h', 'a', 'b', 'c');
    expect(getBytes(s, 'h')[4]).toBe(1);
    s.execute('PFADD', 'h', craftElement(77, 33, 0));
    expect(getBytes(s, 'h')[4]).toBe(0);
  });

  it('counts dirty per changed register and notifies only on change', () => {
    const s = store();
    const e = s.engine;
    const d0 = e.dirty;
    s.execute('PFADD', 'h', craftElement(1, 1, 0), craftElement(2, 1, 0));
    expect(e.dirty - d0).toBe(3); // created + 2 registers
    const d1 = e.dirty;
    s.execute('PFADD', 'h', craftElement(1, 1, 5));
    expect(e.dirty).toBe(d1);
  });

  it('binary and empty elements', () => {
    const s = store();
    expect(s.execute('PFADD', 'h', '', new Uint8Array([0, 255, 0]), 'x\u0000y')).toBe(1);
    expect(s.execute('PFCOUNT', 'h')).toBe(3);
    expect(s.execute('PFADD', 'h', '')).toBe(0);
  });
});

describe('PFCOUNT', () => {
  it('caches the cardinality in the header and serves it while valid', () => {
    const s = store();
    s.execute('PFADD', 'h', 'a', 'b', 'c');
    expect(getBytes(s, 'h')[15]! & 0x80).toBe(0x80);
    expect(s.execute('PFCOUNT', 'h')).toBe(3);
    const b = getBytes(s, 'h');
    expect([...b.subarray(8, 16)]).toEqual([3, 0, 0, 0, 0, 0, 0, 0]);
    // a valid cache is trusted as is, as Redis does
    const forged = b.slice();
    forged[8] = 42;
    s.execute('SET', 'f', forged);
    expect(s.execute('PFCOUNT', 'f')).toBe(42);
  });

  it('logs itself when it rewrites the cache, so replaying the log rebuilds the same bytes', () => {
    const a = store();
    const log: (string | Uint8Array)[][] = [];
    a.engine.onPropagate = (_db, argv) => log.push(argv);
    a.execute('PFADD', 'h', 'x', 'y');
    a.execute('PFCOUNT', 'h');
    a.execute('PFCOUNT', 'h'); // cached: nothing to log
    a.execute('PFCOUNT', 'h', 'nosuch'); // several keys: nothing cached
    expect(log.map((c) => String(c[0]).toUpperCase())).toEqual(['PFADD', 'PFCOUNT']);
    const b = store();
    for (const argv of log) b.execute(...argv);
    expect(hex(getBytes(b, 'h'))).toBe(hex(getBytes(a, 'h')));
  });

  it('estimates past 2^53 and overflows as Redis does on x86-64 for crafted registers', () => {
    const s = store();
    s.execute('SET', 'h40', denseWithAll(40));
    expect(s.execute('PFCOUNT', 'h40')).toBe(12994641697113596n);
    s.execute('SET', 'h51', denseWithAll(51));
    expect(s.execute('PFCOUNT', 'h51')).toBe(-9223372036854775808n);
    expect(hex(getBytes(s, 'h51').subarray(8, 16))).toBe('0000000000000080'); // cache stays stale
  });

  it('does not modify bytes it did not create', () => {
    const s = store();
    s.execute('PFADD', 'h', 'a');
    const mine = getBytes(s, 'h').slice();
    s.execute('SET', 'copy', mine);
    s.execute('PFCOUNT', 'copy');
    s.execute('PFADD', 'copy', 'b', 'c');
    expect(hex(mine)).toBe(hex(getBytes(s, 'h')));
    const dense = denseWithAll(3);
    const before = hex(dense);
    s.execute('SET', 'd', dense);
    s.execute('PFADD', 'd', 'zz', craftElement(9, 20, 0));
    s.execute('PFCOUNT', 'd');
    expect(hex(dense)).toBe(before);
  });
});

describe('effects', () => {
  it('fires pfadd where Redis does: PFADD that changed something, every PFMERGE', () => {
    const s = store();
    const events: string[] = [];
    const notify = s.engine.notifyKeyspaceEvent.bind(s.engine);
    s.engine.notifyKeyspaceEvent = (type, event, key, dbid) => {
      events.push(`${event} ${key}`);
      notify(type, event, key, dbid);
    };
    s.execute('PFADD', 'ev', 'a');
    s.execute('PFADD', 'ev', 'a');
    s.execute('PFCOUNT', 'ev');
    s.execute('PFMERGE', 'ev');
    s.execute('PFMERGE', 'ev2', 'ev');
    expect(events).toEqual(['new ev', 'pfadd ev', 'pfadd ev', 'new ev2', 'pfadd ev2']);
  });

  it('bytes returned by GET do not change under later commands', () => {
    const s = store();
    s.execute('PFADD', 'sp', 'a');
    for (let i = 0; i < 3000; i++) s.execute('PFADD', 'de', `e${i}`);
    const sparse = hex(getBytes(s, 'sp'));
    const kept = getBytes(s, 'de');
    const dense = hex(kept);
    s.execute('PFADD', 'sp', 'b');
    s.execute('PFADD', 'de', 'x1', 'x2', 'x3', craftElement(3, 45, 0));
    s.execute('PFCOUNT', 'de');
    expect(hex(kept)).toBe(dense);
    expect(hex(getBytes(s, 'de'))).not.toBe(dense);
    expect(hex(getBytes(s, 'sp'))).not.toBe(sparse);
  });
});

describe('errors', () => {
  it('strings that are not HLLs', () => {
    const s = store();
    const notHll = 'WRONGTYPE Key is not a valid HyperLogLog string value.';
    s.execute('SET', 's', 'hello');
    s.execute('SET', 'n', '12345');
    s.execute('SET', 'e', '');
    s.execute('SET', 'short', 'HYLL\x01\x00');
    const badEnc = new Uint8Array(21);
    badEnc.set([0x48, 0x59, 0x4c, 0x4c, 2]);
    s.execute('SET', 'enc', badEnc);
    const shortDense = denseWithAll(1).subarray(0, 12303);
    s.execute('SET', 'dense', shortDense);
    for (const k of ['s', 'n', 'e', 'short', 'enc', 'dense']) {
      expect(errorOf(s, 'PFADD', k, 'x')).toBe(notHll);
      expect(errorOf(s, 'PFCOUNT', k)).toBe(notHll);
      expect(errorOf(s, 'PFCOUNT', 'nosuch', k)).toBe(notHll);
      expect(errorOf(s, 'PFMERGE', k, 'nosuch')).toBe(notHll);
      expect(errorOf(s, 'PFMERGE', 'nosuch', k)).toBe(notHll);
    }
    expect(s.execute('GET', 'nosuch')).toBe(null);
  });

  it('corrupted sparse HLLs', () => {
    const s = store();
    const corrupt = 'INVALIDOBJ Corrupted HLL object detected';
    s.execute('PFADD', 'h', 'a');
    const good = getBytes(s, 'h');
    // the opcodes cover one register too few
    const short = fromHex('48594c4c0100000000000000000000807ffe');
    s.execute('SET', 'c', short);
    expect(errorOf(s, 'PFCOUNT', 'c')).toBe(corrupt);
    expect(errorOf(s, 'PFCOUNT', 'c', 'h')).toBe(corrupt);
    expect(errorOf(s, 'PFMERGE', 'd', 'c')).toBe(corrupt);
    expect(s.execute('GET', 'd')).toBe(null);
    // no opcodes at all
    s.execute('SET', 'empty', good.subarray(0, 16));
    expect(errorOf(s, 'PFADD', 'empty', 'x')).toBe(corrupt);
    expect(errorOf(s, 'PFCOUNT', 'empty')).toBe(corrupt);
  });
});

describe('PFMERGE', () => {
  it('keeps a sparse result sparse, turns dense with a dense source, keeps the TTL', () => {
    const s = store();
    s.execute('PFADD', 'a', 'x', 'y');
    s.execute('PFADD', 'b', 'y', 'z');
    expect(s.execute('PFMERGE', 'm', 'a', 'b')).toEqual(expect.objectContaining({ text: 'OK' }));
    expect(getBytes(s, 'm')[4]).toBe(1);
    expect(s.execute('PFCOUNT', 'm')).toBe(3);
    s.execute('SET', 'd', denseWithAll(0));
    s.execute('PFMERGE', 'm', 'd');
    expect(getBytes(s, 'm').length).toBe(12304);
    expect(s.execute('PFCOUNT', 'm')).toBe(3);
    expect(s.execute('PFCOUNT', 'a', 'b')).toBe(3);
  });
});
