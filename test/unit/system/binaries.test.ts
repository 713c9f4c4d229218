import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { clearProgramCache, describePrograms, findProgram, searchDirs } from '../../../src/system/binaries.js';

const dir = mkdtempSync(join(tmpdir(), 'bin-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeEach(() => clearProgramCache());

function script(path: string, body: string): void {
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
}

describe('findProgram', () => {
  const a = join(dir, 'a');
  const b = join(dir, 'b');
  mkdirSync(a);
  mkdirSync(b);
  script(join(b, 'tool'), 'echo b');
  script(join(a, 'tool'), 'echo a');
  writeFileSync(join(a, 'notexec'), 'x');
  mkdirSync(join(a, 'adir'));

  it('takes the first executable on PATH', () => {
    expect(findProgram('tool', `${a}:${b}`)).toBe(join(a, 'tool'));
    expect(findProgram('tool', `${b}:${a}`)).toBe(join(b, 'tool'));
  });
  it('skips non-executables and directories', () => {
    expect(findProgram('notexec', a)).toBeUndefined();
    expect(findProgram('adir', a)).toBeUndefined();
  });
  it('accepts a path', () => {
    expect(findProgram(join(a, 'tool'), '')).toBe(join(a, 'tool'));
    expect(findProgram(join(a, 'notexec'), '')).toBeUndefined();
  });
  it('searches sbin and libexec after PATH, but not /usr/bin', () => {
    const dirs = searchDirs(a);
    expect(dirs[0]).toBe(a);
    expect(dirs).toContain('/usr/sbin');
    expect(dirs).toContain('/usr/libexec/podman');
    expect(dirs).not.toContain('/usr/bin');
    // sh lives in /usr/bin or /bin: not found with a PATH that lacks them
    expect(findProgram('sh', a)).toBeUndefined();
  });
});

describe('describePrograms', () => {
  const bin = join(dir, 'p');
  const cacheDir = join(dir, 'cache');
  const counter = join(dir, 'count');
  mkdirSync(bin);
  script(join(bin, 'helper'), `echo x >> ${counter}\necho "helper version 1.2.3"\necho "commit: abc"`);
  script(join(bin, 'stderrtool'), 'echo "stderr version 4.5" >&2');

  it('reads versions, then serves them from the cache while the binary is unchanged', () => {
    const first = describePrograms(['helper', 'missing'], { cacheDir, pathEnv: bin });
    expect(first.helper).toMatchObject({ path: join(bin, 'helper'), version: 'helper version 1.2.3\ncommit: abc' });
    expect(first.helper!.package).toBeTypeOf('string');
    expect(first.missing).toBeUndefined();
    expect(JSON.parse(readFileSync(join(cacheDir, 'programs.json'), 'utf8')).programs[join(bin, 'helper')].version).toMatch(/1\.2\.3/);
    describePrograms(['helper'], { cacheDir, pathEnv: bin });
    expect(readFileSync(counter, 'utf8').split('\n').filter(Boolean)).toHaveLength(1);
    // force re-reads; a changed mtime invalidates
    describePrograms(['helper'], { cacheDir, pathEnv: bin, force: true });
    utimesSync(join(bin, 'helper'), new Date(), new Date(Date.now() + 5000));
    describePrograms(['helper'], { cacheDir, pathEnv: bin });
    expect(readFileSync(counter, 'utf8').split('\n').filter(Boolean)).toHaveLength(3);
  });
  it('takes the version from stderr when stdout is empty', () => {
    expect(describePrograms(['stderrtool'], { pathEnv: bin }).stderrtool!.version).toBe('stderr version 4.5');
  });
  it('names the owning package of a packaged program (dpkg or rpm hosts)', () => {
    const sh = describePrograms(['sh'], { pathEnv: '/usr/bin:/bin' }).sh!;
    expect(sh.path).toMatch(/\/sh$/);
    if (findProgram('dpkg-query')) expect(sh.package).toMatch(/^[a-z0-9.+-]+_\S+_\S+$/); // name_version_arch
    else if (findProgram('rpm')) expect(sh.package).not.toBe('Unknown');
  });
});
