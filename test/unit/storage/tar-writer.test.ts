import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type TarEntry, endOfArchive, entryHeader, padding, paxRecord } from '../../../src/storage/diff/tar-writer.js';

function archive(entries: [TarEntry, Buffer?][]): Buffer {
  const parts: Buffer[] = [];
  for (const [e, data] of entries) {
    parts.push(entryHeader(e));
    if (data) parts.push(data, padding(data.length));
  }
  parts.push(endOfArchive());
  return Buffer.concat(parts);
}

describe('tar writer', () => {
  it('paxRecord counts its own length', () => {
    expect(paxRecord('path', 'a').toString()).toBe('9 path=a\n');
    const long = paxRecord('path', 'x'.repeat(95));
    expect(long.length).toBe(Number(long.toString().split(' ')[0]));
    const edge = paxRecord('k', 'v'.repeat(93)); // body 97 + "2" digits → 99, 3 digits → 100
    expect(edge.length).toBe(Number(edge.toString().split(' ')[0]));
  });

  it('GNU tar reads what it writes: long names, links, big ids, whiteouts', () => {
    const long = `${'d'.repeat(120)}/${'f'.repeat(60)}`;
    const base = { mode: 0o644, uid: 0, gid: 0, size: 0, mtime: 1_700_000_000 };
    const buf = archive([
      [{ ...base, name: 'dir', type: 'dir', mode: 0o755 }],
      [{ ...base, name: 'dir/.wh..wh..opq', type: 'file', mode: 0o600 }],
      [{ ...base, name: 'dir/file', type: 'file', size: 5, uid: 3_000_000, gid: 1000 }, Buffer.from('hello')],
      [{ ...base, name: 'dir/hard', type: 'hardlink', linkname: 'dir/file' }],
      [{ ...base, name: 'dir/.wh.gone', type: 'file', mode: 0o600 }],
      [{ ...base, name: long, type: 'symlink', linkname: `/${'t'.repeat(150)}`, mode: 0o777 }],
      [{ ...base, name: 'caps', type: 'file', xattrs: new Map([['security.capability', Buffer.from([1, 0, 0, 2])]]) }],
    ]);
    expect(buf.length % 512).toBe(0);
    const dir = mkdtempSync(join(tmpdir(), 'tarw-'));
    writeFileSync(join(dir, 'a.tar'), buf);
    const names = execFileSync('tar', ['-tf', join(dir, 'a.tar')], { encoding: 'utf8' }).trim().split('\n');
    expect(names).toEqual(['dir/', 'dir/.wh..wh..opq', 'dir/file', 'dir/hard', 'dir/.wh.gone', long, 'caps']);
    const v = execFileSync('tar', ['-tvf', join(dir, 'a.tar'), '--numeric-owner'], { encoding: 'utf8' });
    expect(v).toMatch(/-rw-r--r-- 3000000\/1000 +5 2023-11-1\d \d\d:\d\d dir\/file\n/);
    expect(v).toContain(`${long} -> /${'t'.repeat(150)}`);
    expect(v).toContain('dir/hard link to dir/file');
    // deterministic: same entries, same bytes
    expect(archive([[{ ...base, name: 'x', type: 'file' }]]).equals(archive([[{ ...base, name: 'x', type: 'file' }]]))).toBe(true);
  });
});
