#!/usr/bin/env node
// man/*.md (ronn-style Markdown) → man/*.1 roff pages with marked-man, so `man -l man/tsc-ctr.1` works.
import { execFileSync } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const markedMan = join(dirname(require.resolve('marked-man/package.json')), 'bin', 'marked-man.js');
const dir = new URL('../man/', import.meta.url).pathname;
const { version } = JSON.parse(execFileSync('node', ['-p', 'JSON.stringify(require("./package.json"))'], { encoding: 'utf8' }));
for (const f of readdirSync(dir).filter((n) => n.endsWith('.md'))) {
  const roff = execFileSync(process.execPath, [markedMan, '--no-breaks', '--version', `tsc-ctr ${version}`, '--manual', 'tsc-ctr Manual', join(dir, f)], {
    encoding: 'utf8',
    env: { ...process.env, SOURCE_DATE_EPOCH: '1795305600' },
  });
  writeFileSync(join(dir, f.replace(/\.md$/, '.1')), roff);
}
