/**
 * Tar headers as layers carry them (POSIX ustar, GNU, PAX): pure functions over 512-byte blocks
 * and PAX record data. No I/O; the streaming state machine is tar-reader.ts.
 */
import { TscCtrError } from '../../errors.js';

export const BLOCK = 512;

/** One 512-byte header block, decoded. Times are seconds since the epoch. */
export interface TarHeader {
  /** ustar prefix + name (the prefix only for POSIX "ustar\0" headers; GNU uses it for other things). */
  name: string;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: number;
  /** The typeflag character; '\0' (old regular file) is reported as '\0'. */
  type: string;
  linkname: string;
  devmajor: number;
  devminor: number;
}

/** A PAX extended header ('x' for the next entry, 'g' for all that follow). */
export interface PaxRecords {
  /** path, linkpath, size, uid, gid, mtime, atime, … (as text; empty value = unset). */
  fields: Map<string, string>;
  /** From SCHILY.xattr.NAME (raw bytes) and LIBARCHIVE.xattr.NAME (URL-encoded name, base64 value). */
  xattrs: Map<string, Buffer>;
  /** GNU.sparse.* keys seen: the entry is a sparse file, which we refuse. */
  sparse: boolean;
}

/** The archive is not a well-formed tar (bad checksum, bad number, bad PAX record, truncated). */
export class TarFormatError extends TscCtrError {
  constructor(message: string, code = 'TSC_ERR_BAD_TAR') {
    super(message, { code });
  }
}

/** A NUL-terminated string field (the full field width when there is no NUL). */
export function cstring(b: Buffer, start: number, len: number, encoding: BufferEncoding = 'utf8'): string {
  let end = start;
  const max = start + len;
  while (end < max && b[end] !== 0) end++;
  return b.toString(encoding, start, end);
}

/**
 * A numeric field: octal digits padded with spaces/NULs, or GNU base-256 (high bit of the first
 * byte set; 0xff first byte = negative, two's complement). Hand-rolled: it runs 5+ times per
 * entry on the hot path.
 */
export function parseNumeric(b: Buffer, start: number, len: number, field = 'numeric'): number {
  const end = start + len;
  const first = b[start]!;
  if (first & 0x80) {
    const negative = (first & 0x40) !== 0;
    const inv = negative ? 0xff : 0;
    let v = (first ^ inv) & 0x7f;
    for (let i = start + 1; i < end; i++) {
      v = v * 256 + (b[i]! ^ inv);
      if (v > Number.MAX_SAFE_INTEGER) throw new TarFormatError(`${field} field out of range`);
    }
    return negative ? -(v + 1) : v;
  }
  let i = start;
  while (i < end && (b[i] === 0x20 || b[i] === 0)) i++;
  let v = 0;
  let digits = 0;
  for (; i < end; i++) {
    const c = b[i]!;
    if (c < 0x30 || c > 0x37) break;
    v = v * 8 + (c - 0x30);
    digits++;
  }
  for (; i < end; i++) {
    const c = b[i]!;
    if (c !== 0x20 && c !== 0) throw new TarFormatError(`invalid ${field} field "${b.toString('latin1', start, end).replace(/\0/g, '\\0')}"`);
  }
  if (digits > 17 && v > Number.MAX_SAFE_INTEGER) throw new TarFormatError(`${field} field out of range`);
  return v;
}

/** True for an all-zero block (half of the end-of-archive marker). */
export function isZeroBlock(b: Buffer, off = 0): boolean {
  // Real headers start with a name byte, so this usually returns at the first byte.
  for (let i = off, end = off + BLOCK; i < end; i++) if (b[i] !== 0) return false;
  return true;
}

/**
 * The header checksum: the sum of all bytes with the checksum field read as spaces. Some old
 * tars summed signed chars; both are accepted (as GNU tar and Go do).
 */
export function verifyChecksum(b: Buffer, off = 0): void {
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const c = i >= 148 && i < 156 ? 32 : b[off + i]!;
    unsigned += c;
    signed += c > 127 ? c - 256 : c;
  }
  const stored = parseNumeric(b, off + 148, 8, 'checksum');
  if (stored !== unsigned && stored !== signed) {
    throw new TarFormatError(`bad header checksum (stored ${stored}, computed ${unsigned}): not a tar archive or corrupted`);
  }
}

/** Decode a header block at `off` (checksum verified). */
export function parseHeader(b: Buffer, off = 0): TarHeader {
  verifyChecksum(b, off);
  const typeByte = b[off + 156]!;
  const type = typeByte === 0 ? '\0' : String.fromCharCode(typeByte);
  // "ustar\0" + "00" is POSIX (prefix field valid); "ustar  \0" is old GNU (prefix holds atime etc).
  const posix = b[off + 257] === 0x75 && b.toString('latin1', off + 257, off + 263) === 'ustar\0';
  const ustarish = posix || b.toString('latin1', off + 257, off + 262) === 'ustar';
  let name = cstring(b, off, 100);
  if (posix && b[off + 345] !== 0) name = `${cstring(b, off + 345, 155)}/${name}`;
  const isDev = type === '3' || type === '4';
  return {
    name,
    mode: parseNumeric(b, off + 100, 8, 'mode'),
    uid: parseNumeric(b, off + 108, 8, 'uid'),
    gid: parseNumeric(b, off + 116, 8, 'gid'),
    size: parseNumeric(b, off + 124, 12, 'size'),
    mtime: parseNumeric(b, off + 136, 12, 'mtime'),
    type,
    linkname: b[off + 157] === 0 ? '' : cstring(b, off + 157, 100),
    devmajor: isDev && ustarish ? parseNumeric(b, off + 329, 8, 'devmajor') : 0,
    devminor: isDev && ustarish ? parseNumeric(b, off + 337, 8, 'devminor') : 0,
  };
}

/**
 * PAX records: `LEN key=value\n`, LEN counting the whole record in bytes. Values may contain
 * '=' and newlines; xattr values are binary and kept as bytes.
 */
export function parsePax(data: Buffer): PaxRecords {
  const fields = new Map<string, string>();
  const xattrs = new Map<string, Buffer>();
  let sparse = false;
  let pos = 0;
  while (pos < data.length) {
    // trailing NUL padding (some writers) ends the records
    if (data[pos] === 0) break;
    let len = 0;
    let i = pos;
    for (; i < data.length && i - pos < 20; i++) {
      const c = data[i]!;
      if (c === 0x20) break;
      if (c < 0x30 || c > 0x39) throw new TarFormatError('invalid PAX header record length');
      len = len * 10 + (c - 0x30);
    }
    if (data[i] !== 0x20 || i === pos || len <= i - pos + 1 || pos + len > data.length || data[pos + len - 1] !== 0x0a) {
      throw new TarFormatError('invalid PAX header record');
    }
    const rec = data.subarray(i + 1, pos + len - 1);
    const eq = rec.indexOf(0x3d);
    if (eq <= 0) throw new TarFormatError('invalid PAX header record (no key)');
    const key = rec.toString('utf8', 0, eq);
    const raw = rec.subarray(eq + 1);
    if (key.startsWith('SCHILY.xattr.')) {
      xattrs.set(key.slice(13), Buffer.from(raw));
    } else if (key.startsWith('LIBARCHIVE.xattr.')) {
      let name: string;
      try {
        name = decodeURIComponent(key.slice(17));
      } catch {
        throw new TarFormatError(`invalid PAX xattr name "${key}"`);
      }
      xattrs.set(name, Buffer.from(raw.toString('latin1'), 'base64'));
    } else {
      if (key.startsWith('GNU.sparse.')) sparse = true;
      fields.set(key, raw.toString('utf8'));
    }
    pos += len;
  }
  return { fields, xattrs, sparse };
}

/** A decimal PAX integer (uid, gid, size, devmajor, …). */
export function paxInteger(key: string, value: string): number {
  if (!/^[0-9]{1,16}$/.test(value)) throw new TarFormatError(`invalid PAX ${key} "${value}"`);
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new TarFormatError(`PAX ${key} out of range`);
  return n;
}

/** A PAX time: decimal seconds with an optional fraction (nanoseconds or finer), maybe negative. */
export function paxTime(key: string, value: string): number {
  if (!/^-?[0-9]{1,15}(\.[0-9]*)?$/.test(value)) throw new TarFormatError(`invalid PAX ${key} "${value}"`);
  return Number(value);
}
