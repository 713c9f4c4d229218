// The unpacker against GNU tar: a tree with every kind of entry, archived by GNU tar, extracted
// by GNU tar (as root) and by us, compared file by file. Plus whiteouts, duplicates, id limits,
// compressions and diff IDs. Runs as root (CI): owners and device nodes are real.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, createReadStream, lchownSync, linkSync, lstatSync, mkdirSync, readFileSync, symlinkSync, writeFileSync, chmodSync, appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S_IFBLK, S_IFCHR, lgetxattr, lsetxattr, makedev, mkfifo, mknod } from '../../../src/native/index.js';
import { computeDiffId, unpackLayer } from '../../../src/storage/unpack/index.js';
import { cleanupTemps, compress, diffSnapshots, gnuExtract, gnuTar, isRoot, pyTar, sha256sum, snapshot, tempDir, unpackFile } from './helpers.js';

afterAll(cleanupTemps);

/** v2 file capability: cap_net_raw (13) permitted+effective. */
function capNetRaw(): Buffer {
  const b = Buffer.alloc(20);
  b.writeUInt32LE(0x02000001, 0);
  b.writeUInt32LE(1 << 13, 4);
  return b;
}

/** A tree with every kind of entry a layer carries. */
function buildTree(src: string): void {
  const w = (p: string, data: string | Buffer, mode = 0o644, uid = 0, gid = 0) => {
    writeFileSync(join(src, p), data);
    chownSync(join(src, p), uid, gid);
    chmodSync(join(src, p), mode);
  };
  const d = (p: string, mode = 0o755, uid = 0, gid = 0) => {
    mkdirSync(join(src, p), { recursive: true });
    chownSync(join(src, p), uid, gid);
  };
  for (const p of ['etc', 'bin', 'usr/bin', 'tmp', 'home/user', 'ro/sub', 'run', 'dev', 'unicode', 'empty-dir']) d(p);
  w('etc/passwd', 'root:x:0:0:root:/root:/bin/sh\n');
  w('etc/shadow', 'root:*::0:::::\n', 0o640, 0, 42);
  w('bin/tool', randomBytes(100_000), 0o755);
  w('bin/ping', 'ELF', 0o755);
  w('usr/bin/sudo', 'sudo', 0o4755);
  w('usr/bin/wall', 'wall', 0o2755, 0, 5);
  w('usr/bin/odd', 'odd', 0o6711, 1000, 1000);
  w('home/user/.profile', 'export A=1\n', 0o600, 1000, 1000);
  w('ro/inside', 'read only', 0o444);
  w('ro/sub/deeper', 'x', 0o400, 1234, 5678);
  w('empty', '');
  w('big', randomBytes(3 * 1024 * 1024 + 123));
  w('unicode/héllo wörld ✓.txt', 'unicode');
  w('highuid', 'high', 0o644, 4_194_304, 3_000_000); // beyond 7 octal digits
  const longDir = `deep/${'a'.repeat(120)}/${'b'.repeat(150)}`;
  mkdirSync(join(src, longDir), { recursive: true });
  w(`${longDir}/${'c'.repeat(200)}`, 'long name');
  linkSync(join(src, 'bin/tool'), join(src, 'bin/tool-hardlink'));
  linkSync(join(src, 'etc/passwd'), join(src, `${longDir}/hardlink-with-long-name`));
  symlinkSync('/lib', join(src, 'lib64'));
  symlinkSync('../etc/passwd', join(src, 'bin/rel-link'));
  symlinkSync('nowhere', join(src, 'dangling'));
  symlinkSync(`/${'t'.repeat(150)}`, join(src, 'long-target'));
  lchownSync(join(src, 'dangling'), 1000, 1000);
  mkfifo(join(src, 'run/fifo'), 0o620);
  chmodSync(join(src, 'run/fifo'), 0o620);
  chownSync(join(src, 'run/fifo'), 33, 33);
  mknod(join(src, 'dev/null'), S_IFCHR | 0o666, makedev(1, 3));
  chmodSync(join(src, 'dev/null'), 0o666);
  mknod(join(src, 'dev/loop0'), S_IFBLK | 0o660, makedev(7, 0));
  chmodSync(join(src, 'dev/loop0'), 0o660);
  chownSync(join(src, 'dev/loop0'), 0, 6);
  mknod(join(src, 'dev/bignum'), S_IFCHR | 0o600, makedev(300, 70000));
  lsetxattr(join(src, 'etc/passwd'), 'user.note', Buffer.from('hi'));
  lsetxattr(join(src, 'etc/passwd'), 'user.binary', Buffer.from([0, 1, 2, 0x0a, 0x3d, 0xff]));
  lsetxattr(join(src, 'bin/ping'), 'security.capability', capNetRaw());
  lsetxattr(join(src, 'etc'), 'trusted.test', Buffer.from('x'));
  lsetxattr(join(src, 'etc'), 'user.dir', Buffer.from('on a dir'));
  // directory modes last (0555 must not stop extraction of their children)
  chmodSync(join(src, 'ro/sub'), 0o500);
  chmodSync(join(src, 'ro'), 0o555);
  chmodSync(join(src, 'tmp'), 0o1777);
  chmodSync(join(src, 'home/user'), 0o700);
  chownSync(join(src, 'home/user'), 1000, 1000);
  chmodSync(join(src, 'usr/bin'), 0o2775);
  // times with nanoseconds, children before parents
  execFileSync('sh', ['-c', `cd '${src}' && find . -depth -exec touch -h -d @1600000000.123456789 {} +`]);
  execFileSync('touch', ['-h', '-d', '@1500000000.5', join(src, 'bin/tool')]);
  execFileSync('touch', ['-h', '-d', '@1400000000', join(src, 'dangling')]);
  execFileSync('touch', ['-d', '@1300000000.999999999', join(src, 'ro')]);
  execFileSync('touch', ['-d', '@1000000', src]);
}

describe.skipIf(!isRoot)('unpacking a GNU tar archive of every entry kind', () => {
  let tar: string;
  let ref: ReturnType<typeof snapshot>;
  beforeAll(() => {
    const dir = tempDir();
    const src = join(dir, 'src');
    mkdirSync(src);
    buildTree(src);
    tar = gnuTar(src, join(dir, 'layer.tar'));
    const refDir = join(dir, 'ref');
    mkdirSync(refDir);
    gnuExtract(tar, refDir);
    ref = snapshot(refDir);
    // the reference itself must hold what we built (else the comparison proves little)
    expect(ref.get('usr/bin/sudo')?.mode).toBe('4755');
    expect(ref.get('ro')?.mode).toBe('555');
    expect(ref.get('highuid')?.uid).toBe(4_194_304);
    expect(ref.get('dev/null')?.type).toBe('char');
    expect(ref.get('etc/passwd')?.xattrs['user.binary']).toBe('000102' + '0a3dff');
    expect(Object.keys(ref.get('etc')!.xattrs)).toContain('trusted.test');
    expect(ref.get('bin/tool-hardlink')?.inode).toBe('bin/tool');
  });

  it.each(['none', 'gzip', 'zstd'] as const)('gives what GNU tar gives (%s)', async (how) => {
    const input = how === 'none' ? tar : compress(tar, how);
    const dest = tempDir();
    const debug: string[] = [];
    const r = await unpackFile(input, dest, { compression: how, onDebug: (m) => debug.push(m) });
    expect(diffSnapshots(snapshot(dest), ref)).toEqual([]);
    expect(r.diffId).toBe(sha256sum(tar));
    expect(r.tarSize).toBe(lstatSync(tar).size);
    expect(r.entries).toBeGreaterThan(30);
    expect(r.skippedDevices).toBe(0);
    expect(r.skippedXattrs).toBe(0);
    expect(debug).toEqual([]);
  });

  it('keeps security.capability (set after chown and content)', async () => {
    const dest = tempDir();
    await unpackFile(tar, dest);
    expect(lgetxattr(join(dest, 'bin/ping'), 'security.capability')).toEqual(capNetRaw());
    expect(ref.get('bin/ping')?.xattrs['security.capability']).toBe(capNetRaw().toString('hex'));
  });

  it('detects the compression by magic with "auto", and computes diff IDs alone', async () => {
    for (const how of ['gzip', 'zstd', 'none'] as const) {
      const input = how === 'none' ? tar : compress(tar, how);
      const dest = tempDir();
      const r = await unpackFile(input, dest, { compression: 'auto' });
      expect(r.diffId).toBe(sha256sum(tar));
      expect(diffSnapshots(snapshot(dest), ref)).toEqual([]);
      expect((await computeDiffId(createReadStream(input), how)).diffId).toBe(sha256sum(tar));
    }
  });

  it('counts ids above the namespace limit and gives them 65534', async () => {
    const dest = tempDir();
    const r = await unpackFile(tar, dest, { idLimit: { uidMax: 65535, gidMax: 65535 } });
    const s = snapshot(dest);
    expect(s.get('highuid')).toMatchObject({ uid: 65534, gid: 65534 });
    expect(s.get('ro/sub/deeper')).toMatchObject({ uid: 1234, gid: 5678 });
    expect(r.overflowIds).toBe(1);
  });

  it('refuses a limit that leaves even the overflow id unmapped', async () => {
    await expect(unpackFile(tar, tempDir(), { idLimit: { uidMax: 1000, gidMax: 1000 } })).rejects.toThrow(/outside the user namespace/);
  });

  it('with chown off, everything belongs to us and modes still hold', async () => {
    const dest = tempDir();
    await unpackFile(tar, dest, { chown: false });
    const s = snapshot(dest);
    for (const [p, n] of s) expect([p, n.uid, n.gid]).toEqual([p, 0, 0]);
    expect(s.get('usr/bin/sudo')?.mode).toBe('4755');
    expect(s.get('ro')?.mode).toBe('555');
  });
});

describe.skipIf(!isRoot)('whiteouts', () => {
  const members = [
    { name: 'dir/', type: 'dir', mode: 0o750, uid: 7, gid: 8 },
    { name: 'dir/.wh..wh..opq', data: '' },
    { name: 'dir/kept', data: 'new' },
    { name: '.wh.gone', data: '', uid: 1000, gid: 1001 },
    { name: 'a/b/.wh.c', data: '' },
    { name: '.wh..wh.plnk/1234.5678', data: 'aufs' },
  ];

  it.each([
    [false, 'trusted.overlay.opaque'],
    [true, 'user.overlay.opaque'],
  ])('overlay format (rootless %s): 0/0 char devices and the %s xattr', async (rootless, xattr) => {
    const t = pyTar(join(tempDir(), 'wh.tar'), members);
    const dest = tempDir();
    const debug: string[] = [];
    await unpackFile(t, dest, { rootless, onDebug: (m) => debug.push(m) });
    const s = snapshot(dest, { times: false });
    expect(s.get('gone')).toMatchObject({ type: 'char', rdev: '0', mode: '0', uid: 1000, gid: 1001 });
    expect(s.get('a/b/c')).toMatchObject({ type: 'char', rdev: '0' });
    expect(s.get('dir')).toMatchObject({ type: 'dir', mode: '750', uid: 7, gid: 8 });
    expect(s.get('dir')!.xattrs).toEqual({ [xattr]: Buffer.from('y').toString('hex') });
    expect(s.get('dir/kept')?.type).toBe('file');
    expect([...s.keys()].filter((p) => p.includes('.wh.'))).toEqual([]);
    expect(debug.join('\n')).toMatch(/AUFS metadata/);
  });

  it('naive format: deletes from the lower content, opaque keeps only what this layer wrote', async () => {
    const dest = tempDir();
    // the lower layers' content, as a copying driver would have it
    mkdirSync(join(dest, 'dir/sub'), { recursive: true });
    mkdirSync(join(dest, 'keep'), { recursive: true });
    mkdirSync(join(dest, 'usr/lib'), { recursive: true });
    writeFileSync(join(dest, 'gone'), 'old');
    writeFileSync(join(dest, 'dir/old'), 'old');
    writeFileSync(join(dest, 'dir/sub/old2'), 'old');
    writeFileSync(join(dest, 'keep/x'), 'old');
    symlinkSync('usr/lib', join(dest, 'lib'));
    const t = pyTar(join(tempDir(), 'naive.tar'), [
      { name: 'dir/', type: 'dir' },
      { name: 'dir/sub/', type: 'dir' },
      { name: 'dir/sub/new2', data: 'n2' },
      { name: 'dir/.wh..wh..opq', data: '' },
      { name: 'dir/new', data: 'n' },
      { name: '.wh.gone', data: '' },
      { name: '.wh.never-existed', data: '' },
      { name: 'keep/y', data: 'y' },
      { name: 'lib/x', data: 'through a lower symlink?' },
    ]);
    await unpackFile(t, dest, { whiteouts: 'naive' });
    const s = snapshot(dest, { times: false });
    expect([...s.keys()].sort()).toEqual(['.', 'dir', 'dir/new', 'dir/sub', 'dir/sub/new2', 'keep', 'keep/x', 'keep/y', 'lib', 'lib/x', 'usr', 'usr/lib'].sort());
    // the lower symlink was replaced by a directory (overlayfs shows the same), not followed
    expect(s.get('lib')?.type).toBe('dir');
  });
});

describe.skipIf(!isRoot)('tar semantics', () => {
  it('a later entry replaces an earlier one; a hardlinked file is not changed through its link', async () => {
    const t = pyTar(join(tempDir(), 'dup.tar'), [
      { name: 'f', data: 'v1' },
      { name: 'f', data: 'version 2' },
      { name: 'h', type: 'hardlink', linkname: 'f' },
      { name: 'h', data: 'h replaced' },
      { name: 'd', data: 'file' },
      { name: 'd/', type: 'dir', mode: 0o700 },
      { name: 'd/', type: 'dir', mode: 0o751, uid: 3 },
      { name: 'd/in', data: 'in' },
      { name: 's', type: 'symlink', linkname: 'f' },
      { name: 's', data: 'not through the link' },
      { name: 'x/', type: 'dir' },
      { name: 'x/child', data: 'c' },
      { name: 'x', type: 'symlink', linkname: '/etc' },
      { name: 'self', data: 'me' },
      { name: 'self', type: 'hardlink', linkname: 'self' },
    ]);
    const dest = tempDir();
    await unpackFile(t, dest);
    const s = snapshot(dest, { times: false });
    expect(readFileSync(join(dest, 'f'), 'utf8')).toBe('version 2');
    expect(readFileSync(join(dest, 'h'), 'utf8')).toBe('h replaced');
    expect(s.get('d')).toMatchObject({ type: 'dir', mode: '751', uid: 3 });
    expect(readFileSync(join(dest, 's'), 'utf8')).toBe('not through the link');
    expect(s.get('s')?.type).toBe('file');
    expect(s.get('x')).toMatchObject({ type: 'symlink', link: '/etc' });
    expect(s.has('x/child')).toBe(false);
    expect(readFileSync(join(dest, 'self'), 'utf8')).toBe('me');
  });

  it('applies directory metadata last: 0555 and 0000 directories still get their children', async () => {
    const t = pyTar(join(tempDir(), 'ro.tar'), [
      { name: 'ro/', type: 'dir', mode: 0o555, mtime: 1111111111 },
      { name: 'ro/none/', type: 'dir', mode: 0o000, mtime: 1222222222 },
      { name: 'ro/none/file', data: 'x', mode: 0o4750, uid: 1000, gid: 1000 },
      { name: 'ro/f', data: 'y', mtime: 1333333333 },
      { name: './', type: 'dir', mode: 0o711, mtime: 1444444444 },
    ]);
    const dest = tempDir();
    await unpackFile(t, dest);
    const s = snapshot(dest);
    expect(s.get('ro')).toMatchObject({ mode: '555', mtimeNs: 1111111111n * 10n ** 9n });
    expect(s.get('ro/none')).toMatchObject({ mode: '0', mtimeNs: 1222222222n * 10n ** 9n });
    expect(s.get('ro/none/file')).toMatchObject({ mode: '4750', uid: 1000, gid: 1000 });
    expect(s.get('.')).toMatchObject({ mode: '711', mtimeNs: 1444444444n * 10n ** 9n });
  });

  it('implicit parents are 0755 root directories whatever the umask', async () => {
    const t = pyTar(join(tempDir(), 'implicit.tar'), [{ name: 'a/b/c/file', data: 'x' }]);
    const dest = tempDir();
    const old = process.umask(0o077);
    try {
      await unpackFile(t, dest);
    } finally {
      process.umask(old);
    }
    const s = snapshot(dest, { times: false });
    for (const p of ['a', 'a/b', 'a/b/c']) expect(s.get(p)).toMatchObject({ type: 'dir', mode: '755', uid: 0 });
    expect(s.get('a/b/c/file')?.mode).toBe('644');
  });

  it('PAX: long names, fractional mtimes, atime, big ids, xattrs on symlinks are best-effort', async () => {
    const long = `${'p'.repeat(99)}/${'q'.repeat(99)}/${'r'.repeat(99)}`;
    const t = pyTar(join(tempDir(), 'pax.tar'), [
      { name: long, data: 'long', pax: { mtime: '1700000000.987654321', atime: '1800000000.5', uid: '3000000', gid: '3000001' } },
      { name: 'link', type: 'symlink', linkname: 'target', pax: { 'SCHILY.xattr.user.x': 'y', mtime: '1234567890.25' } },
    ]);
    const dest = tempDir();
    const debug: string[] = [];
    const r = await unpackFile(t, dest, { onDebug: (m) => debug.push(m) });
    const st = lstatSync(join(dest, long), { bigint: true });
    expect(Number(st.mtimeNs - 1700000000987654321n)).toBeLessThan(1000);
    expect(Number(st.mtimeNs - 1700000000987654321n)).toBeGreaterThan(-1000);
    expect(st.atimeNs).toBe(1800000000500000000n);
    expect([st.uid, st.gid]).toEqual([3000000n, 3000001n]);
    // user.* xattrs are not allowed on symlinks: noted, not fatal
    expect(r.skippedXattrs).toBe(1);
    expect(debug.join('\n')).toMatch(/xattr user.x not set/);
    expect(lstatSync(join(dest, 'link'), { bigint: true }).mtimeNs).toBe(1234567890250000000n);
  });

  it('skips entries of unknown type with a note, like GNU tar', async () => {
    const t = pyTar(join(tempDir(), 'unk.tar'), [
      { name: 'weird', type: 'Z', withData: true, data: 'zzz' },
      { name: 'after', data: 'ok' },
    ]);
    const dest = tempDir();
    const debug: string[] = [];
    await unpackFile(t, dest, { onDebug: (m) => debug.push(m) });
    expect(readFileSync(join(dest, 'after'), 'utf8')).toBe('ok');
    expect(snapshot(dest).has('weird')).toBe(false);
    expect(debug.join('\n')).toMatch(/unknown type 'Z'/);
  });

  it('hashes everything after the end marker too, as the registry digest of the diff does', async () => {
    const dir = tempDir();
    const t = pyTar(join(dir, 'trail.tar'), [{ name: 'a', data: 'a' }]);
    appendFileSync(t, Buffer.alloc(20_000));
    appendFileSync(t, 'trailing garbage');
    const r = await unpackFile(t, tempDir());
    expect(r.diffId).toBe(sha256sum(t));
    expect(r.entries).toBe(1);
  });
});

describe('stream errors', () => {
  const layer = () => {
    const dir = tempDir();
    return pyTar(join(dir, 'l.tar'), [{ name: 'a', data: 'x'.repeat(200_000) }, { name: 'b', data: 'y' }]);
  };

  it.each(['none', 'gzip', 'zstd'] as const)('an input error rejects the unpack (%s)', async (how) => {
    const t = layer();
    const file = how === 'none' ? t : compress(t, how);
    const data = readFileSync(file);
    const input = new PassThrough();
    input.write(data.subarray(0, Math.floor(data.length / 2)));
    setTimeout(() => input.destroy(new Error('digest mismatch from the caller')), 20);
    await expect(unpackLayer(input, tempDir(), { compression: how, rootless: false })).rejects.toThrow('digest mismatch from the caller');
  });

  it.each(['gzip', 'zstd'] as const)('a corrupt %s blob fails with the decompressor’s reason and the layer name', async (how) => {
    const t = layer();
    const data = Buffer.from(readFileSync(compress(t, how)));
    for (let i = 40; i < 60; i++) data[i] ^= 0x55;
    const err = await unpackLayer(Readable.from([data]), tempDir(), { compression: how, rootless: false, layerName: 'sha256:feed' }).catch((e) => e);
    expect(err).toBeInstanceOf(Error);
    expect(String(err.message)).toMatch(new RegExp(`^layer sha256:feed: (entry .*: )?(${how}: |unexpected end|bad header|invalid )`));
  });

  it('a gzip blob that is not gzip', async () => {
    await expect(unpackLayer(Readable.from([Buffer.from('plain text, not gzip')]), tempDir(), { compression: 'gzip', rootless: false, layerName: 'L' })).rejects.toMatchObject({
      code: 'TSC_ERR_DECOMPRESS',
      message: expect.stringMatching(/^layer L: gzip: incorrect header check/),
    });
  });

  it('a zstd blob cut short', async () => {
    const data = readFileSync(compress(layer(), 'zstd'));
    await expect(unpackLayer(Readable.from([data.subarray(0, data.length - 10)]), tempDir(), { compression: 'zstd', rootless: false, layerName: 'L' })).rejects.toMatchObject({
      code: 'TSC_ERR_DECOMPRESS',
      message: expect.stringMatching(/^layer L: zstd: /),
    });
  });

  it('an empty plain stream is an empty layer', async () => {
    const r = await unpackLayer(Readable.from([]), tempDir(), { compression: 'none', rootless: false });
    expect(r).toMatchObject({ entries: 0, size: 0, diffId: `sha256:${'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'}` });
  });
});
