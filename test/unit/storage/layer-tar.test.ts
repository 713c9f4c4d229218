// The tar-split record: a tar unpacked with the recorder teed in is rebuilt byte for byte from
// the directory; the fallback tar is deterministic and readable by GNU tar.
import { execFileSync } from 'node:child_process';
import { createReadStream, mkdirSync, readFileSync, symlinkSync, utimesSync, writeFileSync, appendFileSync, linkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  TarSplitRecorder,
  decodeTarSplit,
  deterministicTar,
  encodeTarHeader,
  encodeTarSplit,
  readTarSplit,
  reassembleTar,
  writeTarSplit,
} from '../../../src/storage/layer-tar.js';
import { unpackLayer } from '../../../src/storage/unpack/index.js';
import { cleanupTemps, compress, gnuTar, pyTar, sha256, tempDir } from '../unpack/helpers.js';

afterAll(cleanupTemps);

async function unpackRecorded(tarPath: string, compression: 'none' | 'gzip' | 'zstd' = 'none') {
  const dest = tempDir();
  const rec = new TarSplitRecorder();
  const r = await unpackLayer(createReadStream(tarPath, { highWaterMark: 777 }), dest, { compression, rootless: false, tee: (c) => rec.write(c) });
  return { dest, result: r, record: rec.finish() };
}

const rebuild = (dir: string, rec: ReturnType<TarSplitRecorder['finish']>) => Buffer.concat([...reassembleTar(dir, rec)]);

describe('tar-split record', () => {
  it('rebuilds a GNU tar (long names, links, empty and large files) byte for byte', async () => {
    const src = tempDir();
    mkdirSync(join(src, 'a/b'), { recursive: true });
    writeFileSync(join(src, 'a/b/file'), 'hello\n');
    writeFileSync(join(src, 'empty'), '');
    writeFileSync(join(src, 'big'), Buffer.alloc(3 * 1024 * 1024 + 17, 7));
    const long = `${'x'.repeat(120)}/${'y'.repeat(140)}`;
    mkdirSync(join(src, 'x'.repeat(120)));
    writeFileSync(join(src, long), 'long');
    symlinkSync('a/b/file', join(src, 'link'));
    linkSync(join(src, 'a/b/file'), join(src, 'hard'));
    const tar = gnuTar(src, join(tempDir(), 'l.tar'));
    const { dest, record, result } = await unpackRecorded(tar);
    expect(record.diffID).toBe(result.diffId);
    const out = rebuild(dest, record);
    expect(`sha256:${sha256(out)}`).toBe(result.diffId);
    expect(out.equals(readFileSync(tar))).toBe(true);
  });

  it('rebuilds PAX tars with xattrs and a gzip or zstd blob; the record round-trips through its file', async () => {
    const tar = pyTar(join(tempDir(), 'p.tar'), [
      { name: 'dir', type: 'dir', mode: 0o755 },
      { name: 'dir/f', type: 'file', data: 'content', pax: { 'SCHILY.xattr.user.k': 'v', comment: 'é' } },
      { name: 'dir/.wh.gone', type: 'file', data: '' },
      { name: 'fifo', type: 'fifo' },
    ]);
    for (const how of ['gzip', 'zstd'] as const) {
      const blob = compress(tar, how);
      const { dest, record, result } = await unpackRecorded(blob, how);
      const layerDir = tempDir();
      writeTarSplit(layerDir, record);
      const again = readTarSplit(layerDir)!;
      expect(rebuild(dest, again).equals(readFileSync(tar))).toBe(true);
      expect(result.diffId).toBe(`sha256:${sha256(readFileSync(tar))}`);
    }
  });

  it('keeps bytes after the end-of-archive blocks (they count for the diff ID)', async () => {
    const src = tempDir();
    writeFileSync(join(src, 'f'), 'x');
    const tar = gnuTar(src, join(tempDir(), 't.tar'));
    appendFileSync(tar, Buffer.alloc(4096));
    const { dest, record } = await unpackRecorded(tar);
    expect(rebuild(dest, record).equals(readFileSync(tar))).toBe(true);
  });

  it('fails clearly when a file changed size after unpacking', async () => {
    const src = tempDir();
    writeFileSync(join(src, 'f'), 'abc');
    const tar = gnuTar(src, join(tempDir(), 't.tar'));
    const { dest, record } = await unpackRecorded(tar);
    writeFileSync(join(dest, 'f'), 'abcdef');
    expect(() => rebuild(dest, record)).toThrow(/layer file f is longer than recorded/);
    writeFileSync(join(dest, 'f'), 'a');
    expect(() => rebuild(dest, record)).toThrow(/shorter than recorded/);
  });

  it('refuses records that are not ours or name unsafe paths', () => {
    expect(() => decodeTarSplit(Buffer.from('nope'))).toThrow(/unreadable/);
    const bad = decodeTarSplit(encodeTarSplit({ version: 1, diffID: 'sha256:0', size: 1, segments: [{ file: '../etc/passwd', size: 1 }] }));
    expect(() => rebuild(tempDir(), bad)).toThrow(/unsafe path/);
  });
});

describe('deterministic tar', () => {
  function tree(): string {
    const d = tempDir();
    mkdirSync(join(d, 'b/c'), { recursive: true });
    writeFileSync(join(d, 'b/c/z'), 'zz');
    writeFileSync(join(d, 'a'), 'aa');
    linkSync(join(d, 'a'), join(d, 'b/hard'));
    symlinkSync('/etc/passwd', join(d, 'sym'));
    const long = 'n'.repeat(150);
    writeFileSync(join(d, long), 'long');
    for (const p of ['a', 'b/c/z', 'b/c', 'b', long]) utimesSync(join(d, p), 1_700_000_000, 1_700_000_000);
    return d;
  }

  it('gives the same bytes for the same content and is read back by GNU tar', () => {
    const one = Buffer.concat([...deterministicTar(tree())]);
    const two = Buffer.concat([...deterministicTar(tree())]);
    expect(sha256(one)).toBe(sha256(two));
    const f = join(tempDir(), 'd.tar');
    writeFileSync(f, one);
    const list = execFileSync('tar', ['-tvf', f], { encoding: 'utf8' });
    const names = list.trim().split('\n').map((l) => l.split(/\s+/).slice(5).join(' '));
    expect(names).toEqual(['a', 'b/', 'b/c/', 'b/c/z', 'b/hard link to a', `${'n'.repeat(150)}`, 'sym -> /etc/passwd']);
    const out = tempDir();
    execFileSync('tar', ['-xf', f, '-C', out]);
    expect(readFileSync(join(out, 'n'.repeat(150)), 'utf8')).toBe('long');
  });

  it('turns overlay whiteouts and opaque dirs back into .wh. entries', () => {
    const d = tempDir();
    mkdirSync(join(d, 'o'));
    execFileSync('mknod', [join(d, 'gone'), 'c', '0', '0']);
    const getXattr = (p: string, n: string) => (p === join(d, 'o') && n === 'trusted.overlay.opaque' ? Buffer.from('y') : undefined);
    const f = join(tempDir(), 'w.tar');
    writeFileSync(f, Buffer.concat([...deterministicTar(d, getXattr)]));
    const names = execFileSync('tar', ['-tf', f], { encoding: 'utf8' }).trim().split('\n');
    expect(names).toEqual(['.wh.gone', 'o/', 'o/.wh..wh..opq']);
  });

  it('writes PAX records for ids and names that do not fit ustar', () => {
    const h = encodeTarHeader({ name: 'f'.repeat(200), type: '0', mode: 0o644, uid: 10_000_000, gid: 0, size: 0, mtime: 0 });
    const f = join(tempDir(), 'x.tar');
    writeFileSync(f, Buffer.concat([h, Buffer.alloc(1024)]));
    const line = execFileSync('tar', ['--numeric-owner', '-tvf', f], { encoding: 'utf8' });
    expect(line).toContain('10000000/0');
    expect(line).toContain('f'.repeat(200));
  });
});
