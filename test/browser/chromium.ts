import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';

/** Debian's Chromium (`.ci/run` installs it). */
export const CHROMIUM = process.env.SILO_CHROMIUM ?? '/usr/bin/chromium';

export type GuardedBrowser = {
  context: BrowserContext;
  /** Every request that tried to leave 127.0.0.1 (blocked), and every console error or page error. */
  offLoopback: string[];
  consoleErrors: string[];
  /** Writes `name.png` of the page to the screenshot folder (printed once at start). */
  shot: (page: Page, name: string) => Promise<string>;
  shotsDir: string;
  close: () => Promise<void>;
};

/**
 * Launches Chromium headless with a fresh profile and no background traffic,
 * blocks (and records) every request that is not to 127.0.0.1, and records
 * console errors and uncaught page errors of every page.
 *
 * @example
 * const b = await launchGuarded(); const page = await b.context.newPage(); ... await b.close();
 */
export async function launchGuarded(): Promise<GuardedBrowser> {
  if (!existsSync(CHROMIUM))
    throw new Error(`${CHROMIUM} is missing: apt-get install chromium (.ci/run does)`);
  const profile = mkdtempSync(join(tmpdir(), 'silo-chromium-'));
  const shotsDir = mkdtempSync(join(tmpdir(), 'silo-console-shots-'));
  mkdirSync(shotsDir, { recursive: true });
  console.log(`browser screenshots: ${shotsDir}`);
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 800 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    timeout: 60_000,
  });
  const offLoopback: string[] = [];
  const consoleErrors: string[] = [];
  await context.route('**/*', (route) => {
    const url = new URL(route.request().url());
    if (url.hostname === '127.0.0.1') return route.continue();
    offLoopback.push(url.href);
    return route.abort('blockedbyclient');
  });
  const watch = (page: Page) => {
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(`${page.url()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => consoleErrors.push(`${page.url()}: uncaught ${e.message}`));
  };
  context.pages().forEach(watch);
  context.on('page', watch);
  let n = 0;
  return {
    context,
    offLoopback,
    consoleErrors,
    shotsDir,
    shot: async (page, name) => {
      const file = join(shotsDir, `${String(++n).padStart(2, '0')}-${name}.png`);
      await page.screenshot({ path: file });
      return file;
    },
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * Takes the console errors expected at one step (a refused sign-in, a bad input answered 4xx:
 * Chromium logs "Failed to load resource" for them) out of the list, so that any other fails the test.
 */
export function takeExpectedErrors(errors: string[], status: RegExp): number {
  let taken = 0;
  for (let i = errors.length - 1; i >= 0; i--) {
    const text = errors[i] ?? '';
    if (text.includes('Failed to load resource') && status.test(text)) {
      errors.splice(i, 1);
      taken++;
    }
  }
  return taken;
}
