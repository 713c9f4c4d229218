// Extended attributes, cross-checked with python3's os.*xattr (an independent libc user).
import { spawnSync } from 'node:child_process';
import { symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { lgetxattr, llistxattr, lremovexattr, lsetxattr } from '../../../src/native/xattr.js';
import { isRoot, tempDir } from './helpers.js';

const { dir, cleanup } = tempDir('tsc-xattr-');
afterAll(cleanup);
let n = 0;
function file(): string {
  const p = join(dir, `f${n++}`);
  writeFileSync(p, 'data');
  return p;
}

/** Run python with `path` as argv[1]; returns stdout. */
function py(code: string, path: string): string {
  const r = spawnSync('python3', ['-c', `import os, sys\np = sys.argv[1]\n${code}`, path], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout;
}

describe('user.* xattrs on files', () => {
  it('round-trip, and python sees what we set and we see what it sets', () => {
    const f = file();
    const bin = Buffer.from([0, 1, 2, 255, 0]);
    lsetxattr(f, 'user.tsc.bin', bin);
    expect(lgetxattr(f, 'user.tsc.bin')).toEqual(bin);
    expect(py("print(os.getxattr(p, 'user.tsc.bin').hex())", f).trim()).toBe('000102ff00');
    py("os.setxattr(p, 'user.from.py', b'hello')", f);
    expect(lgetxattr(f, 'user.from.py')?.toString()).toBe('hello');
    expect(llistxattr(f).sort()).toEqual(['user.from.py', 'user.tsc.bin']);
    lsetxattr(f, 'user.empty', Buffer.alloc(0));
    expect(lgetxattr(f, 'user.empty')).toEqual(Buffer.alloc(0));
  });

  it('returns undefined for a missing attribute (ENODATA) and removes attributes', () => {
    const f = file();
    expect(lgetxattr(f, 'user.none')).toBeUndefined();
    expect(llistxattr(f)).toEqual([]);
    lsetxattr(f, 'user.a', Buffer.from('1'));
    lremovexattr(f, 'user.a');
    expect(lgetxattr(f, 'user.a')).toBeUndefined();
    expect(py("print(os.listxattr(p))", f).trim()).toBe('[]');
    expect(() => lremovexattr(f, 'user.a')).toThrow(/xattr user\.a: lremovexattr `.*`: No data available \(ENODATA\)/);
  });

  it('reads values and lists larger than the first buffer guess', () => {
    // ext4 keeps all of a file's xattrs in one 4 KiB block: one file for each case
    const f = file();
    const big = Buffer.alloc(3000, 'v');
    lsetxattr(f, 'user.big', big);
    expect(lgetxattr(f, 'user.big')).toEqual(big);
    const g = file();
    const names = Array.from({ length: 30 }, (_, i) => `user.a-rather-long-attribute-name-${i}`);
    for (const name of names) lsetxattr(g, name, Buffer.from('x'));
    expect(names.join('\0').length).toBeGreaterThan(1024);
    expect(llistxattr(g).sort()).toEqual([...names].sort());
  });

  it('honours XATTR_CREATE and XATTR_REPLACE', () => {
    const f = file();
    expect(() => lsetxattr(f, 'user.r', Buffer.from('x'), 2)).toThrow(/ENODATA/);
    lsetxattr(f, 'user.r', Buffer.from('1'), 1);
    expect(() => lsetxattr(f, 'user.r', Buffer.from('2'), 1)).toThrow(/lsetxattr .*EEXIST/);
    lsetxattr(f, 'user.r', Buffer.from('3'), 2);
    expect(lgetxattr(f, 'user.r')?.toString()).toBe('3');
  });

  it('reports a missing file as SyscallError ENOENT', () => {
    const p = join(dir, 'missing');
    expect(() => lgetxattr(p, 'user.x')).toThrow(/lgetxattr `.*missing`: No such file or directory \(ENOENT\)/);
    expect(() => llistxattr(p)).toThrow(expect.objectContaining({ syscall: 'llistxattr', errno: 2, path: p }));
  });
});

describe('xattrs on symlinks themselves', () => {
  it('never follow the link (user.* is refused on symlinks by the kernel)', () => {
    const target = file();
    const link = join(dir, `link${n++}`);
    symlinkSync(target, link);
    lsetxattr(target, 'user.t', Buffer.from('target'));
    // the l* calls look at the link, which has no user.* attributes...
    expect(lgetxattr(link, 'user.t')).toBeUndefined();
    expect(llistxattr(link)).not.toContain('user.t');
    // ...and cannot be given any: not EPERM from the target being written through
    expect(() => lsetxattr(link, 'user.t', Buffer.from('via-link'))).toThrow(/lsetxattr `.*link\d+`: Operation not permitted \(EPERM\)/);
    expect(lgetxattr(target, 'user.t')?.toString()).toBe('target');
  });

  it.skipIf(!isRoot)('set, list, read and remove trusted.* on the link, not the target (root)', () => {
    const target = file();
    const link = join(dir, `link${n++}`);
    symlinkSync(target, link);
    lsetxattr(link, 'trusted.tsc', Buffer.from('on-link'));
    expect(lgetxattr(link, 'trusted.tsc')?.toString()).toBe('on-link');
    expect(llistxattr(link)).toContain('trusted.tsc');
    expect(lgetxattr(target, 'trusted.tsc')).toBeUndefined();
    expect(py("print(os.getxattr(p, 'trusted.tsc', follow_symlinks=False).decode())", link).trim()).toBe('on-link');
    lremovexattr(link, 'trusted.tsc');
    expect(lgetxattr(link, 'trusted.tsc')).toBeUndefined();
  });
});

describe('security.capability', () => {
  // struct vfs_cap_data, revision 2, effective: cap_net_raw (13) permitted+effective
  const netRawEp = Buffer.from('0100000200200000000000000000000000000000', 'hex');

  it.skipIf(!isRoot)('writes file capabilities that getcap(8) reads, and reads those setcap(8) writes', () => {
    const f = file();
    lsetxattr(f, 'security.capability', netRawEp);
    expect(lgetxattr(f, 'security.capability')).toEqual(netRawEp);
    expect(spawnSync('getcap', [f], { encoding: 'utf8' }).stdout).toMatch(/cap_net_raw[=+]ep/);
    const g = file();
    const r = spawnSync('setcap', ['cap_net_raw,cap_chown+ep', g], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const raw = lgetxattr(g, 'security.capability');
    expect(raw?.readUInt32LE(0)! >>> 24).toBe(2); // revision 2 (no user-namespace root id)
    expect(raw?.readUInt32LE(4)).toBe((1 << 0) | (1 << 13)); // permitted: chown, net_raw
  });
});
