import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../connector/cli/program.ts';

const all = (command: Command): Command[] => [command, ...command.commands.flatMap(all)];
const help = all(buildProgram(async () => {}))
  .map((command) => command.helpInformation())
  .join('\n');
const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const glossary = readme.slice(
  readme.indexOf('### Glossary'),
  readme.indexOf('\n## ', readme.indexOf('### Glossary')),
);

describe('the words a user reads', () => {
  it('--help speaks of what the commands do, not of process numbers or "units"', () => {
    expect(help).not.toMatch(/\bprocess(es)? \d/i);
    expect(help).not.toMatch(/\bunits?\b/i);
  });

  it.each([
    'invoiced counterparty',
    'billing class',
    'billing plan',
    'price list',
    'service product',
    'company',
    'partner',
    'client',
    'payment',
  ])('"%s" is in --help and defined in the README glossary', (term) => {
    expect(help.toLowerCase()).toContain(term);
    expect(glossary).toMatch(new RegExp(`\\*\\*${term}`, 'i'));
  });
});
