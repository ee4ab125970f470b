import { execFileSync } from 'node:child_process';

/** Whether a python3 is here to run the Python the workspace installs in Odoo (tests skip without). */
export const hasPython3: boolean = (() => {
  try {
    execFileSync('python3', ['--version']);
    return true;
  } catch {
    return false;
  }
})();
