import { mkdirSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { endsWithDot, endsWithSlash, parseCopyArg, parseCopyArgs, secureJoin } from '../../../src/container/copy-paths.js';

describe('parseCopyArg', () => {
  it.each([
    ['web:/etc/hosts', { container: 'web', path: '/etc/hosts' }],
    ['web:etc', { container: 'web', path: 'etc' }],
    ['web:', { container: 'web', path: '' }],
    ['/tmp/a:b', { path: '/tmp/a:b' }],
    ['./a:b', { path: './a:b' }],
    ['file.txt', { path: 'file.txt' }],
    ['-', { path: '-' }],
  ])('%s', (arg, want) => expect(parseCopyArg(arg)).toEqual(want));

  it('needs exactly one container side', () => {
    expect(() => parseCopyArgs('a', 'b')).toThrow(/specify a container/);
    expect(() => parseCopyArgs('x:/a', 'y:/b')).toThrow(/between containers/);
    expect(parseCopyArgs('-', 'web:/tmp')).toEqual({ src: { path: '-' }, dest: { container: 'web', path: '/tmp' } });
  });
});

describe('path suffixes', () => {
  it.each([
    ['dir/.', true, true],
    ['.', true, true],
    ['dir/', false, true],
    ['dir', false, false],
  ])('%s', (p, dot, slash) => {
    expect(endsWithDot(p)).toBe(dot);
    expect(endsWithSlash(p)).toBe(slash);
  });
});

describe('secureJoin', () => {
  const root = mkdtempSync(join(tmpdir(), 'sj-'));
  mkdirSync(join(root, 'etc/sub'), { recursive: true });
  symlinkSync('/', join(root, 'abs'));
  symlinkSync('../../../../..', join(root, 'etc/up'));
  symlinkSync('/etc/sub', join(root, 'link'));
  symlinkSync('loop2', join(root, 'loop1'));
  symlinkSync('loop1', join(root, 'loop2'));

  it.each([
    ['/etc/sub', '/etc/sub'],
    ['etc/../..', ''],
    ['/abs/etc', '/etc'],
    ['/etc/up/tmp/x', '/tmp/x'],
    ['/link/file', '/etc/sub/file'],
    ['/link', '/etc/sub'],
    ['/missing/a/b', '/missing/a/b'],
  ])('%s stays inside the root', (p, want) => expect(secureJoin(root, p)).toBe(root + want));

  it('keeps the last link when asked', () => expect(secureJoin(root, '/link', false)).toBe(join(root, 'link')));
  it('gives up on loops', () => expect(() => secureJoin(root, '/loop1')).toThrow(/too many levels/));
});
