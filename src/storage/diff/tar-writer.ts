/**
 * Tar headers for layers we write (commit): pure functions from an entry description to bytes.
 * POSIX ustar when the entry fits, a PAX header before it when it does not (long names, large
 * ids or sizes, xattrs). Nothing depends on the clock or the host (no user or group names), so
 * the same entries always give the same bytes, hence the same diff id.
 */

export const BLOCK = 512;

export type TarEntryType = 'file' | 'hardlink' | 'symlink' | 'char' | 'block' | 'dir' | 'fifo';

const TYPEFLAG: Record<TarEntryType, string> = { file: '0', hardlink: '1', symlink: '2', char: '3', block: '4', dir: '5', fifo: '6' };

export interface TarEntry {
  /** Relative path without a leading `./` or `/`; directories without the trailing slash. */
  name: string;
  type: TarEntryType;
  /** Permission bits and setuid/setgid/sticky (07777). */
  mode: number;
  uid: number;
  gid: number;
  /** Bytes of content (regular files only; 0 for others). */
  size: number;
  /** Seconds since the epoch. */
  mtime: number;
  /** Target of a symlink or a hard link. */
  linkname?: string;
  devmajor?: number;
  devminor?: number;
  /** Extended attributes, written as SCHILY.xattr.NAME PAX records (sorted by name). */
  xattrs?: Map<string, Buffer>;
}

const MAX_OCTAL_7 = 0o7777777;
const MAX_OCTAL_11 = 0o77777777777;

function fitsAscii(s: string, max: number): boolean {
  return Buffer.byteLength(s) <= max && /^[\x20-\x7e]*$/.test(s);
}

function writeString(b: Buffer, s: string, off: number, len: number): void {
  b.write(s, off, len, 'utf8');
}

function writeOctal(b: Buffer, v: number, off: number, len: number): void {
  // len-1 digits, zero padded, NUL terminated (what Go and GNU tar write).
  b.write(v.toString(8).padStart(len - 1, '0') + '\0', off, len, 'latin1');
}

/** One PAX record: `<len> <key>=<value>\n`, where len counts the whole record in bytes. */
export function paxRecord(key: string, value: Buffer | string): Buffer {
  const v = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
  const body = Buffer.byteLength(key) + v.length + 3; // ' ', '=', '\n'
  let len = body + String(body).length;
  if (String(len).length !== String(body).length) len = body + String(len).length;
  return Buffer.concat([Buffer.from(`${len} ${key}=`, 'utf8'), v, Buffer.from('\n')]);
}

function pad(n: number): number {
  return (BLOCK - (n % BLOCK)) % BLOCK;
}

function headerBlock(e: Omit<TarEntry, 'xattrs'> & { typeflag: string }): Buffer {
  const b = Buffer.alloc(BLOCK);
  writeString(b, e.name, 0, 100);
  writeOctal(b, e.mode & 0o7777, 100, 8);
  writeOctal(b, e.uid, 108, 8);
  writeOctal(b, e.gid, 116, 8);
  writeOctal(b, e.size, 124, 12);
  writeOctal(b, e.mtime, 136, 12);
  b.fill(0x20, 148, 156); // checksum counted as spaces
  b.write(e.typeflag, 156, 1, 'latin1');
  writeString(b, e.linkname ?? '', 157, 100);
  b.write('ustar\0' + '00', 257, 8, 'latin1');
  writeOctal(b, e.devmajor ?? 0, 329, 8);
  writeOctal(b, e.devminor ?? 0, 337, 8);
  let sum = 0;
  for (const x of b) sum += x;
  b.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8, 'latin1');
  return b;
}

/**
 * The header bytes of one entry (a PAX header and its data first when needed), without the
 * content. Content follows, padded to a block with `padding(size)`.
 */
export function entryHeader(e: TarEntry): Buffer {
  const name = e.type === 'dir' ? `${e.name}/` : e.name;
  const records: Buffer[] = [];
  let hName = name;
  let hLink = e.linkname ?? '';
  if (!fitsAscii(name, 100)) {
    records.push(paxRecord('path', name));
    hName = Buffer.from(name, 'utf8').subarray(0, 100).toString('latin1').replace(/[^\x20-\x7e]/g, '_');
  }
  if (!fitsAscii(hLink, 100)) {
    records.push(paxRecord('linkpath', hLink));
    hLink = '';
  }
  let uid = e.uid;
  let gid = e.gid;
  let size = e.size;
  if (uid > MAX_OCTAL_7) {
    records.push(paxRecord('uid', String(uid)));
    uid = 0;
  }
  if (gid > MAX_OCTAL_7) {
    records.push(paxRecord('gid', String(gid)));
    gid = 0;
  }
  if (size > MAX_OCTAL_11) {
    records.push(paxRecord('size', String(size)));
    size = 0;
  }
  const mtime = Math.max(0, Math.min(e.mtime, MAX_OCTAL_11));
  if (e.xattrs) {
    for (const k of [...e.xattrs.keys()].sort()) records.push(paxRecord(`SCHILY.xattr.${k}`, e.xattrs.get(k)!));
  }
  const main = headerBlock({ ...e, name: hName, linkname: hLink, uid, gid, size, mtime, typeflag: TYPEFLAG[e.type] });
  if (!records.length) return main;
  const data = Buffer.concat(records);
  const paxName = `PaxHeaders/${hName}`.slice(0, 100);
  const pax = headerBlock({ name: paxName, type: 'file', mode: 0o644, uid: 0, gid: 0, size: data.length, mtime, typeflag: 'x' });
  return Buffer.concat([pax, data, Buffer.alloc(pad(data.length)), main]);
}

/** Zero bytes that end a content of `size` bytes on a block boundary. */
export function padding(size: number): Buffer {
  return Buffer.alloc(pad(size));
}

/** Two zero blocks: the end of the archive. */
export function endOfArchive(): Buffer {
  return Buffer.alloc(2 * BLOCK);
}
