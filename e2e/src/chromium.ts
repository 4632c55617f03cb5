/**
 * Chromium for the e2e tests and the browser benchmark: started by us (not by Playwright's
 * launcher), so that we own its process group and can SIGKILL it like a crash, then driven by
 * playwright-core over CDP.
 *
 * Why not `chromium.launchPersistentContext`: it gives no handle on the browser process
 * (`context.browser()` is null for a persistent context), and `close()` shuts down cleanly, which
 * is what a crash test must not do. Spawning Chromium with `--remote-debugging-port=0` and a
 * profile directory we choose, then `connectOverCDP`, gives both: the default context of that
 * profile (IndexedDB on disk, kept across relaunches) and the pid of the browser.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';

/** The browser binary: $CHROMIUM_PATH, else Debian's /usr/bin/chromium. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--no-default-browser-check',
];

export interface ChromiumOptions {
  /** Profile directory (kept across relaunches: IndexedDB lives here). Default: a fresh temp dir, removed on close. */
  userDataDir?: string;
  /** Extra command-line switches. */
  args?: string[];
  /** Milliseconds to wait for the DevTools endpoint. */
  timeoutMs?: number;
}

export interface RunningChromium {
  readonly browser: Browser;
  /** The profile's default context: its storage is the profile directory's. */
  readonly context: BrowserContext;
  readonly pid: number;
  readonly userDataDir: string;
  /** Shut down normally (browser.close), and remove a temp profile. */
  close(): Promise<void>;
  /**
   * SIGKILL the browser's whole process group at once (browser, renderers, utilities) — a crash,
   * with no chance to flush or clean up — and wait until every process of it is gone.
   */
  crash(): Promise<void>;
}

/** Make a temp directory for a profile that outlives one browser (remove it with `removeProfile`). */
export function makeProfileDir(prefix = 'lodis-e2e-'): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function removeProfile(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** Is Chromium there? (The e2e tests skip with a clear message when it is not.) */
export function chromiumAvailable(): boolean {
  return existsSync(CHROMIUM_PATH);
}

/** Browsers started here and not yet gone, and temp profiles: killed and removed if this process exits first. */
const live = new Set<number>();
const tempProfiles = new Set<string>();
process.once('exit', () => {
  for (const pid of live) killGroup(pid);
  for (const dir of tempProfiles) removeProfile(dir);
});

export async function launchChromium(options: ChromiumOptions = {}): Promise<RunningChromium> {
  const temp = options.userDataDir === undefined;
  const userDataDir = options.userDataDir ?? makeProfileDir();
  if (temp) tempProfiles.add(userDataDir);
  const child = spawn(
    CHROMIUM_PATH,
    [...CHROMIUM_ARGS, ...(options.args ?? []), '--remote-debugging-port=0', `--user-data-dir=${userDataDir}`, 'about:blank'],
    // Its own process group, so crash() can kill every process of it with one signal.
    { detached: true, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start ${CHROMIUM_PATH}`);
  // Detached, it would outlive this process if we died first (a failed script, a killed runner).
  live.add(pid);
  void exited.then(() => live.delete(pid));

  let endpoint: string;
  try {
    endpoint = await devtoolsEndpoint(child, options.timeoutMs ?? 30_000);
  } catch (e) {
    killGroup(pid);
    await exited;
    throw e;
  }
  // Keep draining stderr (Chromium logs there) so the pipe never fills and blocks it.
  child.stderr!.resume();

  const browser = await chromium.connectOverCDP(endpoint);
  const context = browser.contexts()[0];
  if (!context) throw new Error('Chromium over CDP: no default context');

  let gone = false;
  const finish = async () => {
    gone = true;
    await exited;
    await waitGroupGone(pid);
    if (temp) {
      removeProfile(userDataDir);
      tempProfiles.delete(userDataDir);
    }
  };
  return {
    browser,
    context,
    pid,
    userDataDir,
    async close() {
      if (gone) return;
      // Over connectOverCDP, browser.close() only disconnects: ask the browser itself to exit
      // (it closes its profile cleanly), and make sure it does.
      const timer = setTimeout(() => killGroup(pid), 10_000);
      try {
        const cdp = await browser.newBrowserCDPSession();
        await cdp.send('Browser.close').catch(() => {});
      } catch {
        killGroup(pid);
      }
      await browser.close().catch(() => {});
      await exited;
      clearTimeout(timer);
      await finish();
    },
    async crash() {
      if (gone) return;
      killGroup(pid);
      await finish();
      // The CDP connection is dead now; let Playwright notice without an unhandled rejection.
      await browser.close().catch(() => {});
    },
  };
}

function devtoolsEndpoint(child: ChildProcess, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let log = '';
    const timer = setTimeout(() => fail(new Error(`Chromium printed no DevTools endpoint in ${timeoutMs} ms:\n${log}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      log += chunk.toString();
      const m = /DevTools listening on (ws:\/\/\S+)/.exec(log);
      if (m) {
        cleanup();
        resolve(m[1]!);
      }
    };
    const onExit = (code: number | null, signal: string | null) =>
      fail(new Error(`Chromium exited (code ${code}, signal ${signal}) before DevTools was up:\n${log}`));
    const cleanup = () => {
      clearTimeout(timer);
      child.stderr!.off('data', onData);
      child.off('exit', onExit);
    };
    const fail = (e: Error) => {
      cleanup();
      reject(e);
    };
    child.stderr!.on('data', onData);
    child.once('exit', onExit);
  });
}

function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** Wait until no process of group `pgid` is left (renderers exit shortly after the browser). */
async function waitGroupGone(pgid: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const left = processGroupMembers(pgid);
    if (left.length === 0) return;
    if (Date.now() > deadline) {
      killGroup(pgid);
      if (processGroupMembers(pgid).length === 0) return;
      throw new Error(`Chromium processes of group ${pgid} still running: ${left.join(' ')}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Pids in process group `pgid` (Linux /proc; elsewhere: unknown, so none). */
function processGroupMembers(pgid: number): number[] {
  const out: number[] = [];
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return out;
  }
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    try {
      // /proc/<pid>/stat: "pid (comm) state ppid pgrp …" — comm may contain spaces and parens.
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) === pgid && fields[0] !== 'Z') out.push(Number(e));
    } catch {
      // exited while we looked
    }
  }
  return out;
}
