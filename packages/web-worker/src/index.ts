/**
 * @lodis/web-worker: Lodis in the browser — the engine in a dedicated Web Worker behind a Comlink
 * facade with auto-pipelining, one leader per store across tabs (Web Locks, epoch fencing),
 * followers forwarding over BroadcastChannel, and pub/sub delivered to every tab (see README.md).
 *
 * Coming in a later issue: nothing is exported yet.
 */
export {};
