/**
 * End-to-end tests of Lodis in real Chromium (Playwright): several tabs sharing one store, leader
 * hand-over when a tab closes, persistence across reloads, pub/sub between tabs (see README.md).
 *
 * Coming in a later issue.
 */
export {};
