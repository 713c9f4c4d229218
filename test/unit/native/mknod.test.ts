import { spawnSync } from 'node:child_process';
import { lstatSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { S_IFBLK, S_IFCHR, makedev, mkWhiteout, mkfifo, mknod } from '../../../src/native/mknod.js';
import { isRoot, tempDir } from './helpers.js';

const { dir, cleanup } = tempDir('tsc-mknod-');
afterAll(cleanup);

describe('makedev', () => {
  it('matches the rdev of real devices', () => {
    expect(makedev(1, 3)).toBe(lstatSync('/dev/null').rdev);
    expect(makedev(1, 5)).toBe(lstatSync('/dev/zero').rdev);
    expect(makedev(5, 2)).toBe(lstatSync('/dev/ptmx').rdev);
    expect(makedev(0, 0)).toBe(0);
  });

  it('splits large numbers as glibc does', () => {
    // minor low 8 bits at 0, major low 12 at 8, minor high at 20, major high at 44
    expect(makedev(0, 0x100)).toBe(2 ** 20);
    expect(makedev(0x1000, 0)).toBe(2 ** 44);
    expect(makedev(0xfff, 0xff)).toBe(0xfffff);
  });
});

describe('mknod', () => {
  it.skipIf(!isRoot)('makes overlay whiteouts: char device 0/0, mode 0', () => {
    const p = join(dir, 'wh');
    mkWhiteout(p);
    const st = lstatSync(p);
    expect(st.isCharacterDevice()).toBe(true);
    expect(st.rdev).toBe(0);
    expect(st.mode).toBe(S_IFCHR);
    expect(() => mkWhiteout(p)).toThrow(/mknod `.*\/wh`: File exists \(EEXIST\)/);
  });

  it.skipIf(!isRoot)('makes devices with large numbers that coreutils reads back', () => {
    const cases: [number, number, number][] = [
      // the kernel's dev_t has 12 major and 20 minor bits
      [S_IFCHR, 4095, 1048575],
      [S_IFBLK, 259, 65537],
    ];
    for (const [type, major, minor] of cases) {
      const p = join(dir, `dev-${major}-${minor}`);
      mknod(p, type | 0o600, makedev(major, minor));
      const st = lstatSync(p);
      expect(type === S_IFCHR ? st.isCharacterDevice() : st.isBlockDevice()).toBe(true);
      // stat(1) decodes with glibc's major()/minor(): an independent check of makedev
      expect(spawnSync('stat', ['-c', '%Hr %Lr', p], { encoding: 'utf8' }).stdout.trim()).toBe(`${major} ${minor}`);
    }
  });

  it('makes FIFOs, with the umask applied', () => {
    const p = join(dir, 'fifo');
    mkfifo(p, 0o660);
    const st = lstatSync(p);
    expect(st.isFIFO()).toBe(true);
    expect(st.mode & 0o777).toBe(0o660 & ~process.umask());
    expect(() => mkfifo(join(dir, 'nope', 'fifo'), 0o600)).toThrow(/mkfifo `.*nope\/fifo`: No such file or directory \(ENOENT\)/);
  });

  // (Linux ≥ 5.8 lets anyone make a whiteout, but no other device.)
  it.skipIf(isRoot)('needs privilege for devices', () => {
    expect(() => mknod(join(dir, 'null-user'), S_IFCHR | 0o600, makedev(1, 3))).toThrow(/mknod .*EPERM/);
  });
});
