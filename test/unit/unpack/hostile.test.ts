// Hostile layers (made with python's tarfile and GNU tar): every one must fail with an error that
// names the layer and the entry, and leave everything outside the layer directory untouched —
// a canary file, a directory a symlink points at, and no new files anywhere next to dest.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, statSync, writeFileSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { llistxattr } from '../../../src/native/index.js';
import { HostileLayerError, UnpackError } from '../../../src/storage/unpack/index.js';
import { cleanupTemps, compress, isRoot, listTree, python, pyTar, snapshot, tempDir, unpackFile } from './helpers.js';

afterAll(cleanupTemps);

/** root/{canary, outside/secret, dest/}: the layer goes into dest, nothing else may change. */
function arena() {
  const root = tempDir('tsc-hostile-');
  writeFileSync(join(root, 'canary'), 'canary');
  utimesSync(join(root, 'canary'), 1000, 1000);
  mkdirSync(join(root, 'outside'));
  writeFileSync(join(root, 'outside/secret'), 'secret');
  const dest = join(root, 'dest');
  mkdirSync(dest);
  const before = listTree(root);
  return {
    root,
    dest,
    tar: (members: object[], format: 'pax' | 'gnu' | 'ustar' = 'pax') => pyTar(join(tempDir(), 'hostile.tar'), members, format),
    untouched() {
      expect(readFileSync(join(root, 'canary'), 'utf8')).toBe('canary');
      expect(statSync(join(root, 'canary')).mtimeMs).toBe(1_000_000);
      expect(readFileSync(join(root, 'outside/secret'), 'utf8')).toBe('secret');
      expect(llistxattr(join(root, 'outside'))).toEqual([]);
      expect(listTree(root).filter((p) => !p.startsWith('dest/'))).toEqual(before);
    },
  };
}

async function expectRefused(a: ReturnType<typeof arena>, members: object[], message: RegExp, code = 'TSC_ERR_HOSTILE_LAYER') {
  const err = await unpackFile(a.tar(members), a.dest, { layerName: 'sha256:ab12' }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(UnpackError);
  expect((err as UnpackError).code).toBe(code);
  expect((err as Error).message).toMatch(message);
  a.untouched();
  return err as UnpackError;
}

describe.skipIf(!isRoot)('hostile layers', () => {
  it('refuses names that climb out', async () => {
    const a = arena();
    const err = await expectRefused(a, [{ name: '../canary', data: 'pwned' }], /^layer sha256:ab12: entry "\.\.\/canary": path escapes the layer directory$/);
    expect(err).toBeInstanceOf(HostileLayerError);
    await expectRefused(a, [{ name: 'ok', data: 'x' }, { name: '../pwned', data: 'x' }], /entry "\.\.\/pwned": path escapes/);
    await expectRefused(a, [{ name: 'a/../../pwned', data: 'x' }], /entry "a\/\.\.\/\.\.\/pwned": path escapes/);
    await expectRefused(a, [{ name: 'x', type: 'dir' }, { name: 'x/../../../pwned', type: 'dir' }], /path escapes/);
  });

  it('refuses absolute names', async () => {
    const a = arena();
    await expectRefused(a, [{ name: join(a.root, 'pwned-abs'), data: 'x' }], /: absolute path$/);
    await expectRefused(a, [{ name: join(a.root, 'canary'), data: 'x' }], /absolute path/);
  });

  it('refuses a NUL byte in a name', async () => {
    const a = arena();
    await expectRefused(a, [{ name: 'x', data: 'x', pax: { path: 'a\u0000../../pwned' } }], /name contains a NUL byte/);
  });

  it('never writes through a symlink of the layer, absolute or relative', async () => {
    const a = arena();
    await expectRefused(
      a,
      [
        { name: 'link', type: 'symlink', linkname: join(a.root, 'outside') },
        { name: 'link/pwned', data: 'x' },
      ],
      /entry "link\/pwned": would be written through the symlink "link"/,
    );
    await expectRefused(
      a,
      [
        { name: 'up', type: 'symlink', linkname: '..' },
        { name: 'up/pwned', type: 'dir' },
      ],
      /through the symlink "up"/,
    );
    await expectRefused(
      a,
      [
        { name: 'deep/er/', type: 'dir' },
        { name: 'deep/er/l', type: 'symlink', linkname: '../../../outside' },
        { name: 'deep/er/l/secret', data: 'overwritten' },
      ],
      /through the symlink "deep\/er\/l"/,
    );
  });

  it('a directory replaced by a symlink is not trusted any more', async () => {
    const a = arena();
    await expectRefused(
      a,
      [
        { name: 'd/', type: 'dir' },
        { name: 'd/f', data: 'x' },
        { name: 'd', type: 'symlink', linkname: join(a.root, 'outside') },
        { name: 'd/secret', data: 'overwritten' },
      ],
      /entry "d\/secret": would be written through the symlink "d"/,
    );
    // …nor a file below it as a hardlink target
    await expectRefused(
      a,
      [
        { name: 'e/', type: 'dir' },
        { name: 'e/secret', data: 'mine' },
        { name: 'e', type: 'symlink', linkname: join(a.root, 'outside') },
        { name: 'h', type: 'hardlink', linkname: 'e/secret' },
      ],
      /entry "h": hardlink to "e\/secret", which is not an earlier file of this layer/,
    );
  });

  it('whiteouts and opaque markers are not applied through symlinks either', async () => {
    const a = arena();
    await expectRefused(
      a,
      [
        { name: 's', type: 'symlink', linkname: join(a.root, 'outside') },
        { name: 's/.wh.secret', data: '' },
      ],
      /through the symlink "s"/,
    );
    await expectRefused(
      a,
      [
        { name: 'o', type: 'symlink', linkname: join(a.root, 'outside') },
        { name: 'o/.wh..wh..opq', data: '' },
      ],
      /through the symlink "o"/,
    );
    await expectRefused(a, [{ name: '../.wh.canary', data: '' }], /path escapes/);
    await expectRefused(a, [{ name: 'x/.wh...', data: '' }], /invalid whiteout name/);
  });

  it('naive whiteouts never delete through a symlink', async () => {
    const a = arena();
    const t = a.tar([
      { name: 's', type: 'symlink', linkname: join(a.root, 'outside') },
      { name: 's/.wh.secret', data: '' },
      { name: 'r', type: 'symlink', linkname: '..' },
      { name: 'r/.wh.canary', data: '' },
    ]);
    await unpackFile(t, a.dest, { whiteouts: 'naive' });
    a.untouched();
  });

  it('refuses hardlinks out of the layer, or to what the layer does not hold', async () => {
    const a = arena();
    await expectRefused(a, [{ name: 'h', type: 'hardlink', linkname: '../canary' }], /entry "h": hardlink target "\.\.\/canary": path escapes/);
    await expectRefused(a, [{ name: 'h', type: 'hardlink', linkname: join(a.root, 'canary') }], /hardlink target ".*": absolute path/);
    await expectRefused(a, [{ name: 'h', type: 'hardlink', linkname: 'nope' }], /hardlink to "nope", which is not an earlier file/);
    await expectRefused(
      a,
      [
        { name: 'l', type: 'symlink', linkname: join(a.root, 'outside') },
        { name: 'h', type: 'hardlink', linkname: 'l/secret' },
      ],
      /hardlink to "l\/secret"/,
    );
    await expectRefused(
      a,
      [
        { name: 'dir/', type: 'dir' },
        { name: 'h', type: 'hardlink', linkname: 'dir' },
      ],
      /hardlink to "dir"/,
    );
  });

  it('replaces a symlink by a later entry of the same name instead of following it', async () => {
    const a = arena();
    const t = a.tar([
      { name: 'c', type: 'symlink', linkname: join(a.root, 'canary') },
      { name: 'c', data: 'not the canary' },
      { name: 'd', type: 'symlink', linkname: join(a.root, 'outside') },
      { name: 'd/', type: 'dir', mode: 0o700 },
      { name: 'f', type: 'symlink', linkname: '../canary' },
      { name: 'f', type: 'fifo' },
      { name: 'g', type: 'symlink', linkname: '../canary' },
      { name: 'g', type: 'hardlink', linkname: 'c' },
    ]);
    await unpackFile(t, a.dest);
    a.untouched();
    const s = snapshot(a.dest, { times: false });
    expect(s.get('c')).toMatchObject({ type: 'file' });
    expect(s.get('d')).toMatchObject({ type: 'dir', mode: '700' });
    expect(s.get('f')).toMatchObject({ type: 'fifo' });
    expect(s.get('g')?.inode).toBe('c');
  });

  it('a symlink may point anywhere: it is created, never followed', async () => {
    const a = arena();
    await unpackFile(a.tar([{ name: 'etc-passwd', type: 'symlink', linkname: '/etc/passwd' }, { name: 'up', type: 'symlink', linkname: '../../..' }]), a.dest);
    a.untouched();
    expect(snapshot(a.dest, { times: false }).get('up')).toMatchObject({ type: 'symlink', link: '../../..' });
  });

  it('stops a decompression bomb at the size cap, before writing it', async () => {
    const a = arena();
    const dir = tempDir();
    // 64 MiB of zeros in ~64 KiB of gzip
    python(
      `
import sys, tarfile
class Zeros:
    def __init__(self, n): self.n = n
    def read(self, k=-1):
        k = self.n if k < 0 else min(k, self.n)
        self.n -= k
        return bytes(k)
with tarfile.open(sys.argv[1], 'w') as t:
    ti = tarfile.TarInfo('bomb'); ti.size = 64 << 20
    t.addfile(ti, Zeros(ti.size))
`,
      [join(dir, 'bomb.tar')],
    );
    const gz = compress(join(dir, 'bomb.tar'), 'gzip');
    expect(statSync(gz).size).toBeLessThan(200_000);
    const err = await unpackFile(gz, a.dest, { compression: 'gzip', maxSize: 1 << 20, layerName: 'sha256:ab12' }).catch((e: Error) => e);
    expect(err).toMatchObject({ code: 'TSC_ERR_LAYER_TOO_LARGE' });
    expect((err as Error).message).toMatch(/^layer sha256:ab12: entry "bomb": unpacked size exceeds the limit of 1048576 bytes/);
    expect(listTree(a.dest)).toEqual([]);
    a.untouched();

    // many small files add up; and bytes after the end marker count too
    const many = Array.from({ length: 40 }, (_, i) => ({ name: `f${i}`, data: 'z'.repeat(30_000) }));
    await expect(unpackFile(a.tar(many), tempDir(), { maxSize: 1 << 20 })).rejects.toMatchObject({ code: 'TSC_ERR_LAYER_TOO_LARGE' });
    const trail = a.tar([{ name: 'small', data: 'x' }]);
    writeFileSync(trail, Buffer.concat([readFileSync(trail), Buffer.alloc(2 << 20)]));
    await expect(unpackFile(compress(trail, 'zstd'), tempDir(), { compression: 'zstd', maxSize: 1 << 20 })).rejects.toThrow(/uncompressed size exceeds the limit of 1048576 bytes/);
  });

  it('caps the number of entries and the size of PAX headers', async () => {
    const a = arena();
    const many = Array.from({ length: 300 }, (_, i) => ({ name: `f${i}`, data: '' }));
    await expect(unpackFile(a.tar(many), tempDir(), { maxEntries: 100, layerName: 'L' })).rejects.toThrow(/^layer L: entry "f100": more than 100 entries$/);
    await expect(unpackFile(a.tar([{ name: 'x', data: '', pax: { comment: 'c'.repeat(2 << 20) } }]), tempDir(), { layerName: 'L' })).rejects.toMatchObject({
      code: 'TSC_ERR_HOSTILE_LAYER',
      message: expect.stringMatching(/^layer L: extended header of \d+ bytes \(limit 1048576\)/),
    });
  });

  it('refuses truncated archives and bad checksums, naming the layer', async () => {
    const a = arena();
    const t = readFileSync(a.tar([{ name: 'first', data: 'a' }, { name: 'second', data: 'b'.repeat(5000) }]));
    const cut = join(tempDir(), 'cut.tar');
    writeFileSync(cut, t.subarray(0, 512 * 5));
    await expect(unpackFile(cut, tempDir(), { layerName: 'L' })).rejects.toMatchObject({
      code: 'TSC_ERR_BAD_TAR',
      message: 'layer L: entry "second": unexpected end of archive (truncated layer)',
    });
    const bad = Buffer.from(t);
    bad[512 * 2 + 3] ^= 1; // the header of "second"
    const badPath = join(tempDir(), 'bad.tar');
    writeFileSync(badPath, bad);
    await expect(unpackFile(badPath, tempDir(), { layerName: 'L' })).rejects.toMatchObject({
      code: 'TSC_ERR_BAD_TAR',
      message: expect.stringMatching(/^layer L: bad header checksum .* \(after entry "first"\)$/),
    });
    a.untouched();
  });

  it('refuses GNU sparse files made by GNU tar', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'src'));
    execFileSync('sh', ['-c', `truncate -s 10M '${dir}/src/sparse' && echo data >> '${dir}/src/sparse'`]);
    for (const fmt of ['gnu', 'pax']) {
      const out = join(dir, `sparse-${fmt}.tar`);
      execFileSync('tar', [`--format=${fmt}`, '-S', '-cf', out, '-C', join(dir, 'src'), 'sparse']);
      await expect(unpackFile(out, tempDir(), { layerName: 'L' })).rejects.toThrow(/^layer L: entry "[^"]*sparse": GNU sparse files are not supported$/);
    }
  });

  it('reads base-256 ids (GNU) and PAX ids beyond the octal fields', async () => {
    const t = pyTar(join(tempDir(), 'b256.tar'), [{ name: 'big', data: 'x', uid: 1 << 22, gid: (1 << 21) + 5 }], 'gnu');
    const raw = readFileSync(t);
    expect(raw[108]! & 0x80).toBe(0x80); // really base-256
    const dest = tempDir();
    await unpackFile(t, dest);
    expect(snapshot(dest, { times: false }).get('big')).toMatchObject({ uid: 1 << 22, gid: (1 << 21) + 5 });
  });
});
