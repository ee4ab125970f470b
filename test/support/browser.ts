/**
 * What the browser tests share: Debian's chromium driven by playwright-core on a fresh profile (the
 * accountant they log in as comes from `makeAccountant` in real-stack.ts).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, type Page, chromium } from 'playwright-core';
import { realOdooFromEnv } from './real-odoo.ts';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** A real Odoo is configured and chromium is installed (`apt-get install -y chromium`). */
export const browserCanRun = (): boolean => Boolean(realOdooFromEnv().odoo) && existsSync(CHROMIUM);

/**
 * How long a step waits for Odoo's page (an element, a value it shows): seconds on a quiet machine,
 * but CI runs five suites beside the browser on two cores, where Odoo answers a click in tens of
 * seconds at times. Waiting longer never lets a wrong page pass: what is waited for must still come.
 */
export const BROWSER_WAIT = 60_000;
/** `expect.poll` for what a click changed in Odoo (not its 1 s default). */
export const POLL = { timeout: BROWSER_WAIT, interval: 250 } as const;
/**
 * Odoo's notifications come over its bus (a websocket a shared worker holds): after a drop under
 * load the worker reconnects with a growing delay (up to a minute in Odoo's websocket_worker.js),
 * then gets what it missed.
 */
export const BUS_WAIT = 90_000;

export interface Browser {
  context: BrowserContext;
  page: Page;
  close(): Promise<void>;
}

/** Headless chromium on a fresh profile (playwright passes it as --user-data-dir). */
export async function openBrowser(options: {
  viewport: { width: number; height: number };
  acceptDownloads?: boolean;
}): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'rcp-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: options.viewport,
    acceptDownloads: options.acceptDownloads ?? false,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(BROWSER_WAIT);
  return {
    context,
    page,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * Clicks the form's status-bar button `label` and confirms its question, which must contain
 * `question` (the button's own `confirm`). Odoo lays the status bar out again after it renders, so a
 * click can land on the button that was there a moment before: its question then differs, and it is
 * cancelled and the click made again, rather than confirming another button's action. Odoo's own
 * answer to the confirmed action (an error dialog) fails the test with its text.
 */
export async function pressConfirmed(page: Page, label: string, question: string): Promise<void> {
  const button = page.locator(`.o_form_view .o_statusbar_buttons button:has-text("${label}")`);
  for (let attempt = 1; ; attempt++) {
    await button.click();
    const dialog = page.locator('.modal').last();
    await dialog.waitFor();
    const text = await dialog.innerText();
    if (text.includes(question)) break;
    if (attempt >= 3) throw new Error(`"${label}" asked something else: ${text.slice(0, 500)}`);
    await dialog.locator('.modal-footer .btn-secondary').click();
    await page.waitForSelector('.modal', { state: 'detached' });
  }
  await page.click('.modal .modal-footer .btn-primary');
  const closed = await page
    .waitForSelector('.modal', { state: 'detached', timeout: 30_000 })
    .then(() => true)
    .catch(() => false);
  if (!closed) {
    const dialog = (await page.locator('.modal').allInnerTexts()).join(' | ');
    await page.keyboard.press('Escape');
    throw new Error(`"${label}" left a dialog open: ${dialog.slice(0, 2000)}`);
  }
}
