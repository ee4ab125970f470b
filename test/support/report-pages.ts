import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { CHROMIUM } from './browser.ts';

/**
 * Odoo's printed documents as a user gets them: through a web session (the report routes need one,
 * not RPC), and as a picture of the page.
 */

/** A logged-in browser session of the admin (Odoo's reports need a web session, not RPC). */
export async function webSession(url: string, db: string): Promise<(path: string) => Promise<Response>> {
  const login = await fetch(`${url}/web/session/authenticate`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      jsonrpc: '2.0',
      method: 'call',
      params: { db, login: 'admin', password: process.env.ODOO_ADMIN_PASSWORD ?? 'admin' },
    }),
  });
  const body = (await login.json()) as { error?: unknown };
  if (body.error) throw new Error(`admin login failed: ${JSON.stringify(body.error)}`);
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  return (path) => fetch(`${url}${path}`, { headers: { cookie } });
}

/** The page as Debian's headless chromium draws it (Odoo's own styles from its server), as a PNG. */
export function photograph(html: string, path: string, url: string) {
  mkdirSync(dirname(path), { recursive: true });
  const file = join(mkdtempSync(join(tmpdir(), 'doc-shot-')), 'page.html');
  writeFileSync(file, html.replace('<head>', `<head><base href="${url}/">`));
  execFileSync(
    CHROMIUM,
    ['--headless', '--no-sandbox', '--disable-gpu', `--screenshot=${path}`, '--window-size=1500,1100', file],
    {
      stdio: 'ignore',
      timeout: 60_000,
    },
  );
}
