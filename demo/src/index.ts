/**
 * The Lodis demo (a Vite app): every use case of the guide — caching, sessions, pub/sub across
 * tabs, queues, leaderboards, rate limiting, analytics — a redis-cli prompt and a key browser,
 * on a persistent store in a Web Worker (see README.md).
 *
 * Coming in a later issue.
 */
export {};
