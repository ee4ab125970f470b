#!/usr/bin/env node
// The CLI runs the JavaScript build in dist/ (`npm run build`, which `npm ci` and `npm pack` run as
// `prepare`). In a checkout whose TypeScript changed after that build, it runs the source through tsx
// (a development dependency) instead, so that an edit is never hidden behind a stale build.
import { existsSync, readdirSync, statSync } from 'node:fs';

const root = new URL('../', import.meta.url);
const built = new URL('dist/.built', root);

/** The newest modification time of the TypeScript sources, or 0 where none ship (an installed package). */
function newestSource() {
  let newest = 0;
  const walk = (dir) => {
    if (!existsSync(dir)) return;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const url = new URL(entry.name + (entry.isDirectory() ? '/' : ''), dir);
      if (entry.isDirectory()) walk(url);
      else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(url).mtimeMs);
    }
  };
  for (const dir of ['connector/', 'mappings/', 'jobs/']) walk(new URL(dir, root));
  return newest;
}

if (existsSync(built) && statSync(built).mtimeMs >= newestSource()) {
  await import(new URL('dist/connector/cli/main.js', root).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../connector/cli/main.ts');
}
