// The tar parser alone: header fields, numeric encodings, PAX records, and a stream cut into
// chunks of every size giving the same entries and bytes as the whole buffer.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BLOCK, TarFormatError, parseHeader, parseNumeric, parsePax, paxTime } from '../../../src/storage/unpack/tar-header.js';
import { TarReader, type TarEntry, type TarSink } from '../../../src/storage/unpack/tar-reader.js';
import { cleanupTemps, pyTar, sha256, tempDir } from './helpers.js';

afterAll(cleanupTemps);

interface Rec {
  e: TarEntry;
  sha?: string;
}

class Recorder implements TarSink {
  out: Rec[] = [];
  private parts: Buffer[] = [];
  entry(e: TarEntry) {
    this.out.push({ e });
  }
  data(c: Buffer) {
    this.parts.push(Buffer.from(c));
  }
  endFile() {
    this.out[this.out.length - 1]!.sha = sha256(Buffer.concat(this.parts));
    this.parts = [];
  }
}

function read(buf: Buffer, chunk: (i: number) => number = () => buf.length): { rec: Recorder; reader: TarReader } {
  const rec = new Recorder();
  const reader = new TarReader(rec);
  let off = 0;
  for (let i = 0; off < buf.length; i++) {
    const n = Math.max(1, chunk(i));
    reader.write(buf.subarray(off, off + n));
    off += n;
  }
  reader.end();
  return { rec, reader };
}

describe('numeric fields', () => {
  const field = (s: string | number[], len = 8) => {
    const b = Buffer.alloc(len);
    if (typeof s === 'string') b.write(s, 'latin1');
    else Buffer.from(s).copy(b);
    return parseNumeric(b, 0, len);
  };
  it.each([
    ['0000644\0', 0o644],
    ['0000644 ', 0o644],
    ['   644 \0', 0o644],
    ['\0\0\0\0\0\0\0\0', 0],
    ['        ', 0],
    ['7777777\0', 0o7777777],
  ])('octal %j → %d', (s, v) => expect(field(s)).toBe(v));

  it('GNU base-256, positive and negative', () => {
    expect(field([0x80, 0, 0, 0, 0, 0x40, 0, 0])).toBe(0x400000);
    expect(field([0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0, 0], 12)).toBe(65536);
    expect(field([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff])).toBe(-1);
    expect(field([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe])).toBe(-2);
  });

  it('refuses junk and overflow', () => {
    expect(() => field('12x4\0\0\0\0')).toThrow(TarFormatError);
    expect(() => field('0644 9\0\0')).toThrow(/invalid numeric field/);
    expect(() => field([0x80, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], 12)).toThrow(/out of range/);
  });
});

describe('PAX records', () => {
  const rec = (k: string, v: string | Buffer) => {
    const body = Buffer.concat([Buffer.from(` ${k}=`), Buffer.from(v), Buffer.from('\n')]);
    let len = body.length + 1;
    while (String(len).length + body.length !== len) len = String(len).length + body.length;
    return Buffer.concat([Buffer.from(String(len)), body]);
  };

  it('fields, binary SCHILY xattrs, LIBARCHIVE xattrs, values with = and newlines', () => {
    const bin = Buffer.from([0, 1, 0x0a, 0x3d, 0xff]);
    const data = Buffer.concat([
      rec('path', 'a/b=c\nd'),
      rec('mtime', '1700000000.123456789'),
      rec('SCHILY.xattr.security.capability', bin),
      rec('LIBARCHIVE.xattr.user.na%20me', Buffer.from('aGVsbG8').toString()),
    ]);
    const p = parsePax(data);
    expect(p.fields.get('path')).toBe('a/b=c\nd');
    expect(p.fields.get('mtime')).toBe('1700000000.123456789');
    expect(p.xattrs.get('security.capability')).toEqual(bin);
    expect(p.xattrs.get('user.na me')?.toString()).toBe('hello');
    expect(p.sparse).toBe(false);
    expect(parsePax(rec('GNU.sparse.major', '1')).sparse).toBe(true);
  });

  it.each([['11 path=x\n'], ['5 a=b\n'], ['12path=abc\n'], ['x path=a\n'], ['8 path\n']])('refuses malformed %j', (s) => {
    expect(() => parsePax(Buffer.from(s))).toThrow(TarFormatError);
  });

  it('times with fractions, negative times', () => {
    expect(paxTime('mtime', '1700000000.5')).toBe(1700000000.5);
    expect(paxTime('mtime', '-10.25')).toBe(-10.25);
    expect(() => paxTime('mtime', '1e9')).toThrow(TarFormatError);
  });
});

describe('TarReader', () => {
  const dir = tempDir();
  const members = [
    { name: 'dir/', type: 'dir', mode: 0o755 },
    { name: 'dir/small', data: 'hello\n', uid: 1000, gid: 1001 },
    { name: `long/${'n'.repeat(130)}/${'m'.repeat(120)}`, data: 'x'.repeat(1000) },
    { name: 'big', data: 'y'.repeat(3 * BLOCK + 17), pax: { mtime: '1700000000.25', 'SCHILY.xattr.user.k': 'v' } },
    { name: 'empty', data: '' },
    { name: 'sym', type: 'symlink', linkname: `/${'t'.repeat(200)}` },
    { name: 'hard', type: 'hardlink', linkname: 'dir/small' },
    { name: 'dev', type: 'char', devmajor: 1, devminor: 3 },
    { name: 'fifo', type: 'fifo' },
  ];
  const pax = readFileSync(pyTar(join(dir, 'pax.tar'), members, 'pax'));
  const gnu = readFileSync(pyTar(join(dir, 'gnu.tar'), members.map((m) => ({ ...m, pax: undefined })), 'gnu'));

  it('reads every member of a PAX archive with its overrides', () => {
    const { rec, reader } = read(pax);
    expect(reader.done).toBe(true);
    expect(reader.entries).toBe(members.length);
    const by = new Map(rec.out.map((r) => [r.e.name, r]));
    expect(rec.out.map((r) => r.e.name)).toEqual(members.map((m) => m.name));
    expect(by.get('dir/')!.e.kind).toBe('dir');
    expect(by.get('dir/small')!.e).toMatchObject({ kind: 'file', uid: 1000, gid: 1001, size: 6, mode: 0o644, mtime: 1700000000 });
    expect(by.get('dir/small')!.sha).toBe(sha256('hello\n'));
    expect(by.get('big')!.e.mtime).toBe(1700000000.25);
    expect(by.get('big')!.e.xattrs?.get('user.k')?.toString()).toBe('v');
    expect(by.get('big')!.sha).toBe(sha256('y'.repeat(3 * BLOCK + 17)));
    expect(by.get('empty')!.sha).toBe(sha256(''));
    expect(by.get('sym')!.e).toMatchObject({ kind: 'symlink', linkname: `/${'t'.repeat(200)}` });
    expect(by.get('hard')!.e).toMatchObject({ kind: 'hardlink', linkname: 'dir/small' });
    expect(by.get('dev')!.e).toMatchObject({ kind: 'char', devmajor: 1, devminor: 3 });
    expect(by.get('fifo')!.e.kind).toBe('fifo');
  });

  it('reads GNU long names and long links', () => {
    const { rec } = read(gnu);
    expect(rec.out.map((r) => r.e.name)).toEqual(members.map((m) => m.name));
    expect(rec.out.find((r) => r.e.name === 'sym')!.e.linkname).toBe(`/${'t'.repeat(200)}`);
  });

  it.each([1, 7, 511, 512, 513, 1000, 4096])('gives the same result in chunks of %d bytes', (n) => {
    const whole = JSON.stringify(read(pax).rec.out, (_k, v) => (v instanceof Map ? [...v] : v));
    expect(JSON.stringify(read(pax, () => n).rec.out, (_k, v) => (v instanceof Map ? [...v] : v))).toBe(whole);
  });

  it('gives the same result in random chunks', () => {
    const whole = JSON.stringify(read(gnu).rec.out);
    let seed = 42;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % 2000;
    for (let k = 0; k < 5; k++) expect(JSON.stringify(read(gnu, rnd).rec.out)).toBe(whole);
  });

  it('accepts an archive without end marker, refuses one cut inside a header or content', () => {
    // python pads to 10240-byte records; the entries end at the first pair of zero blocks
    let end = 0;
    for (let off = 0; off + 2 * BLOCK <= pax.length; off += BLOCK) {
      if (pax.subarray(off, off + 2 * BLOCK).every((b) => b === 0)) {
        end = off;
        break;
      }
    }
    expect(end).toBeGreaterThan(0);
    expect(read(pax.subarray(0, end)).rec.out.length).toBe(members.length);
    expect(() => read(pax.subarray(0, end - 100))).toThrow(/unexpected end of archive/);
    expect(() => read(pax.subarray(0, 700))).toThrow(/unexpected end of archive/);
  });

  it('refuses a bad checksum and a header after a single zero block', () => {
    const bad = Buffer.from(pax);
    bad[BLOCK * 0 + 5] ^= 0x20; // first header (the pax 'x' header of dir/ or dir/ itself)
    expect(() => read(bad)).toThrow(/bad header checksum/);
    const h = parseHeader(gnu, 0);
    expect(h.name).toBe('dir/');
    const lone = Buffer.concat([Buffer.alloc(BLOCK), gnu]);
    expect(() => read(lone)).toThrow(/after a zero block/);
  });

  it('enforces the entry and extended-header limits', () => {
    const rec = new Recorder();
    const r = new TarReader(rec, { maxEntries: 3, maxMetaSize: 1 << 20 });
    expect(() => r.write(pax)).toThrow(/more than 3 entries/);
    const r2 = new TarReader(new Recorder(), { maxEntries: 100, maxMetaSize: 100 });
    expect(() => r2.write(pax)).toThrow(/extended header of \d+ bytes/);
  });

  it('refuses GNU sparse entries (type S and PAX GNU.sparse)', () => {
    const s1 = readFileSync(pyTar(join(dir, 's1.tar'), [{ name: 'sp', type: 'S', withData: true, data: 'abc' }], 'gnu'));
    expect(() => read(s1)).toThrow(/sparse/);
    const s2 = readFileSync(pyTar(join(dir, 's2.tar'), [{ name: 'sp', data: 'abc', pax: { 'GNU.sparse.major': '1', 'GNU.sparse.minor': '0' } }], 'pax'));
    expect(() => read(s2)).toThrow(/sparse/);
  });

  it('passes unknown types on as "other" and skips their content', () => {
    const t = readFileSync(pyTar(join(dir, 'unk.tar'), [{ name: 'weird', type: 'Z', withData: true, data: 'zzz' }, { name: 'after', data: 'ok' }], 'ustar'));
    const { rec } = read(t);
    expect(rec.out.map((r) => [r.e.name, r.e.kind])).toEqual([
      ['weird', 'other'],
      ['after', 'file'],
    ]);
    expect(rec.out[1]!.sha).toBe(sha256('ok'));
  });
});
