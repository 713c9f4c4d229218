// statfs, checked field by field against coreutils `stat -f` (an independent reader of the struct).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fsTypeName, statfs } from '../../../src/native/statfs.js';
import { isRoot, tempDir } from './helpers.js';

function statF(path: string) {
  const out = spawnSync('stat', ['-f', '-c', '%t %s %S %b %c %l', path], { encoding: 'utf8' }).stdout.trim().split(' ');
  const [type, bsize, frsize, blocks, files, namelen] = out;
  return {
    type: parseInt(type!, 16),
    bsize: Number(bsize),
    frsize: Number(frsize),
    blocks: Number(blocks),
    files: Number(files),
    namelen: Number(namelen),
  };
}

describe('statfs', () => {
  it('reads the same struct fields as stat -f on /', () => {
    const s = statfs('/');
    expect(s).toMatchObject(statF('/'));
    expect(s.bfree).toBeGreaterThan(0);
    expect(s.bavail).toBeLessThanOrEqual(s.bfree);
    expect(s.bfree).toBeLessThanOrEqual(s.blocks);
    expect(s.ffree).toBeLessThanOrEqual(s.files);
    expect(s.typeName).toBe(fsTypeName(s.type));
  });

  it('names the kernel filesystems', () => {
    expect(statfs('/proc')).toMatchObject({ type: 0x9fa0, typeName: 'proc' });
    expect(statfs('/sys').typeName).toBe('sysfs');
    expect(statfs('/dev/shm').typeName).toBe('tmpfs');
    if (existsSync('/sys/fs/cgroup/cgroup.controllers')) expect(statfs('/sys/fs/cgroup').typeName).toBe('cgroup2');
    if (existsSync('/sys/fs/cgroup/unified/cgroup.controllers')) expect(statfs('/sys/fs/cgroup/unified').typeName).toBe('cgroup2');
    if (existsSync('/sys/fs/cgroup/cpu/tasks')) expect(statfs('/sys/fs/cgroup/cpu').typeName).toBe('cgroup');
  });

  it('maps magic numbers, top bit set or not, and shows unknown ones in hex', () => {
    expect(fsTypeName(0x794c7630)).toBe('overlayfs');
    expect(fsTypeName(0xef53)).toBe('ext4');
    expect(fsTypeName(0x9123683e)).toBe('btrfs');
    expect(fsTypeName(0x58465342)).toBe('xfs');
    expect(fsTypeName(0x65735546)).toBe('fuse');
    expect(fsTypeName(0x6969)).toBe('nfs');
    expect(fsTypeName(0x2fc12fc1)).toBe('zfs');
    expect(fsTypeName(0xf15f)).toBe('ecryptfs');
    expect(fsTypeName(0x12345678)).toBe('0x12345678');
  });

  it('throws SyscallError for a missing path', () => {
    expect(() => statfs('/no/such/dir')).toThrow(/statfs `\/no\/such\/dir`: No such file or directory \(ENOENT\)/);
  });

  describe.skipIf(!isRoot)('on a tmpfs of known size (root)', () => {
    const t = tempDir('tsc-statfs-');
    let mounted = false;
    beforeAll(() => {
      const r = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=8m,nr_inodes=1234,nosuid,nodev', 'tmpfs', t.dir], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`mount: ${r.stderr}`);
      mounted = true;
    });
    afterAll(() => {
      if (mounted) spawnSync('umount', [t.dir]);
      t.cleanup();
    });

    it('reports its size, inodes and mount flags', () => {
      const s = statfs(t.dir);
      expect(s.typeName).toBe('tmpfs');
      expect(s.blocks * s.frsize).toBe(8 * 1024 * 1024);
      expect(s.files).toBe(1234);
      expect(s.ffree).toBe(1233); // the root directory uses one
      expect(s.namelen).toBe(255);
      expect(s.flags & 0x2).toBe(0x2); // ST_NOSUID
      expect(s.flags & 0x4).toBe(0x4); // ST_NODEV
      expect(s.flags & 0x1).toBe(0); // not ST_RDONLY
      expect(s).toMatchObject(statF(t.dir));
    });
  });
});
