/**
 * Layer tars out of the store. Layers are kept only as unpacked directories, so the exact
 * uncompressed tar a layer came from (whose sha256 is its diff ID, and so part of the image id)
 * is rebuilt from two things: the directory, and a record made while unpacking of every byte of
 * the tar that is not file content (headers, PAX records, padding, the end blocks) with the order
 * of entries — what containers/storage calls tar-split. `layers/<id>/tar-split.json.gz`.
 *
 * Layers without a record (pulled before records existed, or made here) get a deterministic tar
 * instead: entries sorted by name, ids as seen inside the user namespace, whiteouts converted
 * back to `.wh.` files. Its digest is a new diff ID, and whoever writes the image out must rewrite
 * config and manifest with it (see image/export-layers.ts).
 *
 * Both readers must run where the layer's files are readable: inside our user namespace when
 * rootless (files are owned by subordinate ids).
 */
import { createHash } from 'node:crypto';
import { closeSync, lstatSync, openSync, readFileSync, readSync, readdirSync, readlinkSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { TscCtrError } from '../errors.js';
import { writeFileAtomic } from './atomic.js';
import { BadPathError, cleanEntryPath } from './unpack/paths.js';
import { BLOCK } from './unpack/tar-header.js';
import { entryHeader, padding, type TarEntry as TarWriterEntry, type TarEntryType as TarWriterEntryType } from './diff/tar-writer.js';
import { TarReader, type TarEntry } from './unpack/tar-reader.js';

export const TAR_SPLIT_FILE = 'tar-split.json.gz';

/** Raw bytes of the tar (base64), or the content of a regular file of the layer. */
export type TarSplitSegment = { raw: string } | { file: string; size: number };

/** The on-disk record (gzip-compressed JSON). */
export interface TarSplitRecord {
  version: 1;
  /** sha256 of the tar the record was made from. */
  diffID: string;
  /** Bytes of that tar. */
  size: number;
  segments: TarSplitSegment[];
}

export class LayerTarError extends TscCtrError {
  constructor(message: string, code = 'TSC_ERR_LAYER_TAR') {
    super(message, { code });
  }
}

/**
 * Fed the same uncompressed bytes as the unpacker (unpackLayer's `tee`), it notes which spans
 * are file content (by entry name) and keeps every other byte. It parses with its own TarReader,
 * whose data() hands out views of the chunk being written: their offsets split the chunk.
 */
export class TarSplitRecorder {
  private readonly reader: TarReader;
  private readonly segments: TarSplitSegment[] = [];
  private raw: Buffer[] = [];
  private chunk: Buffer | undefined;
  private pos = 0;
  private current: { file: string; size: number } | undefined;
  private readonly hash = createHash('sha256');
  private bytes = 0;

  constructor() {
    this.reader = new TarReader({
      entry: (e: TarEntry) => {
        if (e.kind === 'file' && e.size > 0) {
          this.current = { file: e.name, size: 0 };
        }
      },
      data: (d: Buffer) => {
        const c = this.chunk!;
        const off = d.byteOffset - c.byteOffset;
        if (off > this.pos) this.raw.push(Buffer.from(c.subarray(this.pos, off)));
        if (this.current && this.current.size === 0) {
          this.flushRaw();
          this.segments.push(this.current);
        }
        this.current!.size += d.length;
        this.pos = off + d.length;
      },
      endFile: () => {
        this.current = undefined;
      },
    });
  }

  private flushRaw(): void {
    if (!this.raw.length) return;
    this.segments.push({ raw: Buffer.concat(this.raw).toString('base64') });
    this.raw = [];
  }

  write(chunk: Buffer): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    if (this.reader.done) {
      this.raw.push(Buffer.from(chunk));
      return;
    }
    this.chunk = chunk;
    this.pos = 0;
    this.reader.write(chunk);
    // Copies (here and in data()): the caller may reuse its buffers.
    if (this.pos < chunk.length) this.raw.push(Buffer.from(chunk.subarray(this.pos)));
    this.chunk = undefined;
  }

  /** The record of everything written so far. */
  finish(): TarSplitRecord {
    this.flushRaw();
    return { version: 1, diffID: `sha256:${this.hash.digest('hex')}`, size: this.bytes, segments: this.segments };
  }
}

export function encodeTarSplit(rec: TarSplitRecord): Buffer {
  return gzipSync(JSON.stringify(rec));
}

export function decodeTarSplit(buf: Buffer, what = 'tar-split record'): TarSplitRecord {
  let rec: TarSplitRecord;
  try {
    rec = JSON.parse(gunzipSync(buf).toString('utf8')) as TarSplitRecord;
  } catch (err) {
    throw new LayerTarError(`${what}: unreadable (${(err as Error).message})`);
  }
  if (rec?.version !== 1 || !Array.isArray(rec.segments) || typeof rec.diffID !== 'string') {
    throw new LayerTarError(`${what}: not a version 1 record`);
  }
  return rec;
}

/** Write the record into a layer dir (before its commit, or later: atomically). */
export function writeTarSplit(layerDir: string, rec: TarSplitRecord): void {
  writeFileAtomic(join(layerDir, TAR_SPLIT_FILE), encodeTarSplit(rec), { mode: 0o600 });
}

/** The record of a layer dir, or undefined when it has none. */
export function readTarSplit(layerDir: string): TarSplitRecord | undefined {
  let buf: Buffer;
  try {
    buf = readFileSync(join(layerDir, TAR_SPLIT_FILE));
  } catch {
    return undefined;
  }
  return decodeTarSplit(buf, join(layerDir, TAR_SPLIT_FILE));
}

const READ_CHUNK = 1024 * 1024;

/**
 * The exact tar a record was made from, rebuilt from `diffDir`, in chunks. Throws a LayerTarError
 * when a file is missing or shorter/longer than recorded; the caller still checks the digest
 * (a file changed in place is only caught there).
 */
export function* reassembleTar(diffDir: string, rec: TarSplitRecord): Generator<Buffer> {
  for (const seg of rec.segments) {
    if ('raw' in seg) {
      yield Buffer.from(seg.raw, 'base64');
      continue;
    }
    let rel: string;
    try {
      rel = cleanEntryPath(seg.file);
    } catch (err) {
      throw new LayerTarError(`tar-split record names an unsafe path ${JSON.stringify(seg.file)}: ${(err as BadPathError).message}`);
    }
    const path = join(diffDir, rel);
    let fd: number;
    try {
      fd = openSync(path, 'r');
    } catch (err) {
      throw new LayerTarError(`layer file ${rel} is missing or unreadable (${(err as NodeJS.ErrnoException).code}): the layer was changed after it was unpacked`);
    }
    try {
      let left = seg.size;
      while (left > 0) {
        const buf = Buffer.allocUnsafe(Math.min(READ_CHUNK, left));
        const n = readSync(fd, buf, 0, buf.length, null);
        if (n === 0) throw new LayerTarError(`layer file ${rel} is shorter than recorded (${seg.size} bytes): the layer was changed after it was unpacked`);
        left -= n;
        yield n === buf.length ? buf : buf.subarray(0, n);
      }
      if (readSync(fd, Buffer.alloc(1), 0, 1, null) !== 0) {
        throw new LayerTarError(`layer file ${rel} is longer than recorded (${seg.size} bytes): the layer was changed after it was unpacked`);
      }
    } finally {
      closeSync(fd);
    }
  }
}

// ------------------------------------------------------------------ deterministic tar

/** What the fallback writer needs to know of a file beyond lstat: overlay's opaque marker. */
export type XattrReader = (path: string, name: string) => Buffer | undefined;

/** A tar entry named by its ustar typeflag instead of tar-writer's type names. */
export type TarHeaderFields = Omit<TarWriterEntry, 'type' | 'xattrs'> & { type: '0' | '1' | '2' | '5' | '6' | '3' | '4' };

const ENTRY_TYPE: Record<TarHeaderFields['type'], TarWriterEntryType> = { '0': 'file', '1': 'hardlink', '2': 'symlink', '3': 'char', '4': 'block', '5': 'dir', '6': 'fifo' };

/** One entry's header blocks (a PAX header first when a field does not fit ustar), by typeflag. Pure. */
export function encodeTarHeader(f: TarHeaderFields): Buffer {
  const type = ENTRY_TYPE[f.type];
  const name = type === 'dir' ? f.name.replace(/\/+$/, '') : f.name;
  return entryHeader({ ...f, name, type });
}

const OPAQUE_XATTRS = ['user.overlay.opaque', 'trusted.overlay.opaque'];

/**
 * A tar of `diffDir` that depends only on its content: entries in byte order of their paths
 * (parents before children), owners and modes as lstat reports them, mtimes in whole seconds,
 * hard links to the first path of an inode, overlay whiteouts (0/0 char devices, opaque xattrs)
 * turned back into `.wh.` entries. Sockets are left out (tar has no type for them).
 */
export function* deterministicTar(diffDir: string, getXattr?: XattrReader): Generator<Buffer> {
  const inodes = new Map<string, string>();
  const walk = function* (rel: string): Generator<Buffer> {
    const abs = rel ? join(diffDir, rel) : diffDir;
    const names = readdirSync(abs).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    for (const n of names) {
      const r = rel ? `${rel}/${n}` : n;
      const p = join(diffDir, r);
      const st = lstatSync(p);
      yield* entry(r, p, st);
    }
  };
  const entry = function* (r: string, p: string, st: Stats): Generator<Buffer> {
    const base = { uid: st.uid, gid: st.gid, mtime: Math.floor(st.mtimeMs / 1000), mode: st.mode & 0o7777 };
    if (st.isDirectory()) {
      yield encodeTarHeader({ ...base, name: `${r}/`, type: '5', size: 0 });
      if (getXattr && OPAQUE_XATTRS.some((x) => getXattr(p, x)?.toString() === 'y')) {
        yield encodeTarHeader({ ...base, name: `${r}/.wh..wh..opq`, type: '0', mode: 0, size: 0 });
      }
      yield* walk(r);
      return;
    }
    if (st.isCharacterDevice() && st.rdev === 0) {
      const slash = r.lastIndexOf('/');
      const wh = slash < 0 ? `.wh.${r}` : `${r.slice(0, slash)}/.wh.${r.slice(slash + 1)}`;
      yield encodeTarHeader({ ...base, name: wh, type: '0', mode: 0, size: 0 });
      return;
    }
    if (st.nlink > 1 && !st.isDirectory()) {
      const key = `${st.dev}:${st.ino}`;
      const first = inodes.get(key);
      if (first !== undefined) {
        yield encodeTarHeader({ ...base, name: r, type: '1', size: 0, linkname: first });
        return;
      }
      inodes.set(key, r);
    }
    if (st.isSymbolicLink()) {
      yield encodeTarHeader({ ...base, name: r, type: '2', size: 0, linkname: readlinkSync(p) });
    } else if (st.isFIFO()) {
      yield encodeTarHeader({ ...base, name: r, type: '6', size: 0 });
    } else if (st.isCharacterDevice() || st.isBlockDevice()) {
      const major = Math.floor(st.rdev / 256) & 0xfff;
      const minor = (st.rdev & 0xff) | ((st.rdev >> 12) & 0xfff00);
      yield encodeTarHeader({ ...base, name: r, type: st.isCharacterDevice() ? '3' : '4', size: 0, devmajor: major, devminor: minor });
    } else if (st.isFile()) {
      yield encodeTarHeader({ ...base, name: r, type: '0', size: st.size });
      const fd = openSync(p, 'r');
      try {
        let left = st.size;
        while (left > 0) {
          const buf = Buffer.allocUnsafe(Math.min(READ_CHUNK, left));
          const n = readSync(fd, buf, 0, buf.length, null);
          if (n === 0) throw new LayerTarError(`${r}: file shrank while being read`);
          left -= n;
          yield n === buf.length ? buf : buf.subarray(0, n);
        }
      } finally {
        closeSync(fd);
      }
      yield padding(st.size);
    }
  };
  yield* walk('');
  yield Buffer.alloc(BLOCK * 2);
}

/** How a layer's tar is produced: exactly (diff ID kept) or deterministically (new diff ID). */
export interface LayerTarSource {
  exact: boolean;
  chunks: Generator<Buffer>;
}

/** The tar of a stored layer dir (`layers/<id>`): exact when it has a record, else deterministic. */
export function layerTar(layerDir: string, getXattr?: XattrReader): LayerTarSource {
  const rec = readTarSplit(layerDir);
  const diff = join(layerDir, 'diff');
  if (rec) return { exact: true, chunks: reassembleTar(diff, rec) };
  return { exact: false, chunks: deterministicTar(diff, getXattr) };
}
