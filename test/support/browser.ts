/**
 * What the browser tests share: Debian's chromium driven by playwright-core on a fresh profile, and
 * an accountant of the stack's Odoo (Billing + RCP / User, nothing else) to log in as.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, type Page, chromium } from 'playwright-core';
import { externalIds } from '../../connector/odoo/external-ids.ts';
import { realOdooFromEnv } from './real-odoo.ts';
import type { RealStack } from './real-stack.ts';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** A real Odoo is configured and chromium is installed (`apt-get install -y chromium`). */
export const browserCanRun = (): boolean => Boolean(realOdooFromEnv().odoo) && existsSync(CHROMIUM);

/** A user with Billing and RCP / User only, made by the admin; its id. */
export async function makeAccountant(
  s: RealStack,
  user: { name: string; login: string; password: string },
): Promise<number> {
  const groups = await externalIds(s.admin).resolve([
    'rcp_connector.group_user',
    'account.group_account_invoice',
    'base.group_user',
  ]);
  const [id] = (await s.admin.create('res.users', [
    {
      ...user,
      [s.admin.capabilities.userGroupsField]: [[6, 0, [...groups.values()].map((g) => g.id)]],
    },
  ])) as [number];
  return id;
}

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
  page.setDefaultTimeout(30_000);
  return {
    context,
    page,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
