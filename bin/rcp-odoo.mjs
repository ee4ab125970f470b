#!/usr/bin/env node
// The CLI runs from TypeScript source through tsx: no build step between `npm ci` and `npx rcp-odoo`.
import { register } from 'tsx/esm/api';

register();
await import('../connector/cli/main.ts');
