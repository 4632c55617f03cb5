/**
 * The only globals the engine may use beyond ECMAScript: what every runtime Lodis targets has
 * (browsers, Web Workers, Node, Deno, Bun, Cloudflare Workers). The build (tsconfig.build.json)
 * sees these and no DOM or Node typings, so code in src/ that reaches for a DOM or Node API fails
 * the build instead of failing on an edge runtime.
 */
declare class TextEncoder {
  encode(input?: string): Uint8Array;
  encodeInto(source: string, destination: Uint8Array): { read: number; written: number };
}

declare class TextDecoder {
  constructor(label?: string, options?: { fatal?: boolean; ignoreBOM?: boolean });
  decode(input?: ArrayBufferView | ArrayBuffer, options?: { stream?: boolean }): string;
}

declare function queueMicrotask(callback: () => void): void;
declare function setInterval(handler: () => void, timeout?: number): unknown;
declare function clearInterval(handle: unknown): void;
declare function setTimeout(handler: () => void, timeout?: number): unknown;
declare function clearTimeout(handle: unknown): void;

/** Absent in some embedders: check `globalThis.performance?.now` before use. */
declare var performance: { now(): number };
