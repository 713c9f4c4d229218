import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { commands } from '../../src/commands/index.js';
import { harness, runCli } from '../harness/index.js';

const GLOBAL = new Set(['--root', '--runroot', '--log-level', '--runtime', '--storage-driver', '--help', '--version']);

/** Long options a help text or a man page's OPTIONS section names. */
function longOptions(text: string): Set<string> {
  return new Set([...text.matchAll(/(?<![\w-])(--[a-z][a-z0-9-]*)/g)].map((m) => m[1]!).filter((o) => !GLOBAL.has(o)));
}

function optionsSection(md: string): string {
  const m = /^## OPTIONS\n([\s\S]*?)(?=^## )/m.exec(md);
  return m ? m[1]!.split('\n').filter((l) => l.startsWith('* `')).join('\n') : '';
}

describe('man pages agree with --help', () => {
  const h = harness();
  for (const c of commands) {
    const page = join(h.repo, 'man', `tsc-ctr-${c.path.join('-')}.md`);
    it(`tsc-ctr ${c.path.join(' ')}`, async () => {
      expect(existsSync(page), `${page} is missing`).toBe(true);
      const md = readFileSync(page, 'utf8');
      expect(md).toMatch(new RegExp(`^# tsc-ctr-${c.path.join('-')}\\(1\\) -- `));
      expect(existsSync(page.replace(/\.md$/, '.1')), 'the roff page is built').toBe(true);
      const help = await runCli([...c.path, '--help'], { asRoot: true });
      expect(help.code).toBe(0);
      const viaHelp = await runCli(['help', ...c.path], { asRoot: true });
      expect(viaHelp.stdout).toBe(help.stdout);
      const inHelp = longOptions(help.stdout);
      const inMan = longOptions(optionsSection(md));
      expect([...inHelp].filter((o) => !inMan.has(o)), 'options in --help but not in the man page').toEqual([]);
      expect([...inMan].filter((o) => !inHelp.has(o)), 'options in the man page but not in --help').toEqual([]);
    });
  }

  it('the main page lists every top-level command', () => {
    const md = readFileSync(join(h.repo, 'man', 'tsc-ctr.md'), 'utf8');
    for (const c of commands) expect(md).toContain(`tsc-ctr-${c.path.join('-')}(1)`);
  });
});
