import { spawnSync } from 'node:child_process';

/** Whether `command args` runs (a tool on PATH). */
export const runs = (command: string, args: string[]): boolean =>
  spawnSync(command, args, { stdio: 'ignore' }).status === 0;

/**
 * A fresh Debian machine lacks some tools the tests use: as root, the test set-up installs Debian's
 * `pkg` (waiting for apt's lock, so parallel set-ups take turns) rather than stop; elsewhere, or with
 * RCP_TEST_INSTALL=off, it stops with `need`, which names the package.
 */
export function aptInstall(pkg: string, need: string, installed: () => boolean): void {
  const isRoot = process.getuid?.() === 0;
  if (!isRoot || !runs('apt-get', ['--version']) || process.env.RCP_TEST_INSTALL === 'off') {
    throw new Error(`${need} (apt-get install ${pkg})`);
  }
  process.stderr.write(`tests: installing Debian's ${pkg} (${need})\n`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = () =>
    spawnSync(
      'apt-get',
      ['install', '-y', '-qq', '--no-install-recommends', '-o', 'DPkg::Lock::Timeout=300', pkg],
      { env, stdio: ['ignore', 'ignore', 'inherit'] },
    ).status === 0;
  if (install() && installed()) return;
  // An old package list may not know the package yet.
  spawnSync('apt-get', ['update', '-qq', '-o', 'DPkg::Lock::Timeout=300'], { env, stdio: 'ignore' });
  if (!install() || !installed()) throw new Error(`${need}: apt-get install ${pkg} failed (see above)`);
}
