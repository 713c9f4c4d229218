/** Tar headers (ustar, GNU, PAX) as read from a layer: pure functions over 512-byte blocks. */
import { TscCtrError } from '../../errors.js';

export const BLOCK = 512;

export interface TarHeader {
  name: string;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: number;
  type: string;
  linkname: string;
  devmajor: number;
  devminor: number;
}

export class TarFormatError extends TscCtrError {
  constructor(message: string) {
    super(message, { code: 'TSC_ERR_BAD_TAR' });
  }
}

function cstring(b: Buffer, start: number, len: number): string {
  const end = b.indexOf(0, start);
  return b.toString('utf8', start, end < 0 || end > start + len ? start + len : end);
}

/** Octal (NUL/space padded) or GNU base-256 (high bit set) numeric field. */
export function numeric(b: Buffer, start: number, len: number): number {
  if (b[start]! & 0x80) {
    let v = b[start]! & 0x7f;
    for (let i = start + 1; i < start + len; i++) v = v * 256 + b[i]!;
    if (v > Number.MAX_SAFE_INTEGER) throw new TarFormatError('numeric field too large');
    return v;
  }
  const s = b.toString('latin1', start, start + len).replace(/[\0 ]+$/, '').trim();
  if (s === '') return 0;
  if (!/^[0-7]+$/.test(s)) throw new TarFormatError(`invalid numeric field "${s}"`);
  return parseInt(s, 8);
}

export function isZeroBlock(b: Buffer): boolean {
  for (let i = 0; i < BLOCK; i++) if (b[i] !== 0) return false;
  return true;
}

export function parseHeader(b: Buffer): TarHeader {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : b[i]!;
  const stored = numeric(b, 148, 8);
  if (stored !== sum) throw new TarFormatError(`bad header checksum (stored ${stored}, computed ${sum})`);
  const magic = b.toString('latin1', 257, 263);
  let name = cstring(b, 0, 100);
  if (magic === 'ustar\0') {
    const prefix = cstring(b, 345, 155);
    if (prefix) name = `${prefix}/${name}`;
  }
  return {
    name,
    mode: numeric(b, 100, 8),
    uid: numeric(b, 108, 8),
    gid: numeric(b, 116, 8),
    size: numeric(b, 124, 12),
    mtime: numeric(b, 136, 12),
    type: b[156] === 0 ? '0' : String.fromCharCode(b[156]!),
    linkname: cstring(b, 157, 100),
    devmajor: numeric(b, 329, 8),
    devminor: numeric(b, 337, 8),
  };
}

/** PAX records: `LEN key=value\n`. Xattr values are kept as raw bytes. */
export function parsePax(data: Buffer): { fields: Record<string, string>; xattrs: Record<string, Buffer> } {
  const fields: Record<string, string> = {};
  const xattrs: Record<string, Buffer> = {};
  let pos = 0;
  while (pos < data.length) {
    const sp = data.indexOf(0x20, pos);
    if (sp < 0) break;
    const len = Number(data.toString('latin1', pos, sp));
    if (!Number.isInteger(len) || len <= 0 || pos + len > data.length) throw new TarFormatError('invalid PAX header record');
    const rec = data.subarray(sp + 1, pos + len - 1);
    const eq = rec.indexOf(0x3d);
    if (eq > 0) {
      const key = rec.toString('utf8', 0, eq);
      const raw = rec.subarray(eq + 1);
      if (key.startsWith('SCHILY.xattr.')) xattrs[key.slice(13)] = Buffer.from(raw);
      else if (key.startsWith('LIBARCHIVE.xattr.')) xattrs[decodeURIComponent(key.slice(17))] = Buffer.from(raw.toString('latin1'), 'base64');
      else fields[key] = raw.toString('utf8');
    }
    pos += len;
  }
  return { fields, xattrs };
}
