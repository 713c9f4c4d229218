/**
 * An overlay upper directory as a layer tar (commit). Overlay keeps deletions as a 0:0
 * character device (or, on newer kernels, a file with the overlay.whiteout xattr) and a
 * directory whose lower content is hidden as the overlay.opaque=y xattr; a layer says the same
 * with `.wh.NAME` and `DIR/.wh..wh..opq` entries. Entries are sorted, owners are the ids as seen
 * in the container (call this inside our user namespace), mtimes are kept: the same upper dir
 * always gives the same bytes.
 */
import { closeSync, lstatSync, openSync, readSync, readdirSync, readlinkSync, constants as fsc, type Stats } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { lgetxattr, llistxattr } from '../../native/xattr.js';
import { type TarEntry, endOfArchive, entryHeader, padding } from './tar-writer.js';

export const WHITEOUT_PREFIX = '.wh.';
export const OPAQUE_MARKER = '.wh..wh..opq';
/** fuse-overlayfs keeps its own markers (opaque) under this xattr prefix. */
const FUSE_NS = 'user.fuseoverlayfs.';

export interface UpperDiffOptions {
  /** Rootless overlay (userxattr) keeps its markers in user.overlay.*, rootful in trusted.overlay.*. */
  rootless: boolean;
}

const CHUNK = 1024 * 1024;

function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

function devNumbers(rdev: number): { devmajor: number; devminor: number } {
  // glibc's gnu_dev_major/minor on the 64-bit dev_t
  const hi = Math.floor(rdev / 2 ** 32);
  return { devmajor: ((rdev >>> 8) & 0xfff) | (hi & ~0xfff), devminor: (rdev & 0xff) | ((rdev >>> 12) & ~0xff & 0xfffff) };
}

function readXattrs(path: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  let names: string[];
  try {
    names = llistxattr(path);
  } catch {
    return out; // no xattr support on this filesystem
  }
  for (const n of names) {
    try {
      const v = lgetxattr(path, n);
      if (v !== undefined) out.set(n, v);
    } catch {
      // refused to us (e.g. trusted.* in a user namespace): not part of what we can commit
    }
  }
  return out;
}

/** What one upper-dir inode means in a layer. */
type Item = { kind: 'entry'; entry: TarEntry; path?: string } | { kind: 'skip' };

/**
 * The tar entries of an upper dir, in order, with the host path of each regular file's content.
 * Pure apart from reading the tree; the generator walks lazily so huge trees stream.
 */
export function* upperEntries(upper: string, opts: UpperDiffOptions): Generator<{ entry: TarEntry; path?: string }> {
  const ns = opts.rootless ? 'user.overlay.' : 'trusted.overlay.';
  const links = new Map<string, string>();

  function describe(abs: string, rel: string, st: Stats, xattrs: Map<string, Buffer>): Item {
    const base = { mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, size: 0, mtime: Math.floor(st.mtimeMs / 1000) };
    const slash = rel.lastIndexOf('/');
    const whName = `${rel.slice(0, slash + 1)}${WHITEOUT_PREFIX}${rel.slice(slash + 1)}`;
    const kept = new Map([...xattrs].filter(([k]) => !k.startsWith(ns) && !k.startsWith(FUSE_NS)));
    const x = kept.size ? { xattrs: kept } : {};
    // fuse-overlayfs marks an opaque dir three ways: its xattr, a `.wh..wh..opq` file and a
    // whiteout named `.wh..opq`; a layer cannot hold a file named `.wh.*`, so such a whiteout
    // is only ever that marker
    if (st.isCharacterDevice() && st.rdev === 0 && rel.slice(slash + 1).startsWith(WHITEOUT_PREFIX)) return { kind: 'skip' };
    if (st.isCharacterDevice() && st.rdev === 0) return { kind: 'entry', entry: { ...base, name: whName, type: 'file', mode: 0o600 } };
    if (st.isFile() && st.size === 0 && xattrs.has(`${ns}whiteout`)) return { kind: 'entry', entry: { ...base, name: whName, type: 'file', mode: 0o600 } };
    if (st.isDirectory()) return { kind: 'entry', entry: { ...base, ...x, name: rel, type: 'dir' } };
    if (st.isSymbolicLink()) return { kind: 'entry', entry: { ...base, ...x, name: rel, type: 'symlink', linkname: readlinkSync(abs) } };
    if (st.isFile()) {
      if (st.nlink > 1) {
        const key = `${st.dev}:${st.ino}`;
        const first = links.get(key);
        if (first !== undefined) return { kind: 'entry', entry: { ...base, ...x, name: rel, type: 'hardlink', linkname: first } };
        links.set(key, rel);
      }
      return { kind: 'entry', entry: { ...base, ...x, name: rel, type: 'file', size: st.size }, path: abs };
    }
    if (st.isCharacterDevice() || st.isBlockDevice()) {
      return { kind: 'entry', entry: { ...base, ...x, name: rel, type: st.isCharacterDevice() ? 'char' : 'block', ...devNumbers(st.rdev) } };
    }
    if (st.isFIFO()) return { kind: 'entry', entry: { ...base, ...x, name: rel, type: 'fifo' } };
    return { kind: 'skip' }; // sockets belong to a running process, not to an image
  }

  function* walk(dirAbs: string, dirRel: string, markerSent = false): Generator<{ entry: TarEntry; path?: string }> {
    for (const name of readdirSync(dirAbs).sort(byteOrder)) {
      if (markerSent && name === OPAQUE_MARKER) continue;
      const abs = join(dirAbs, name);
      const rel = dirRel ? `${dirRel}/${name}` : name;
      const st = lstatSync(abs);
      const xattrs = st.isSymbolicLink() ? new Map<string, Buffer>() : readXattrs(abs);
      const item = describe(abs, rel, st, xattrs);
      if (item.kind === 'skip') continue;
      yield item.path === undefined ? { entry: item.entry } : { entry: item.entry, path: item.path };
      if (item.entry.type === 'dir') {
        const opaque = [`${ns}opaque`, `${FUSE_NS}opaque`].some((k) => xattrs.get(k)?.toString() === 'y');
        if (opaque) {
          yield { entry: { name: `${rel}/${OPAQUE_MARKER}`, type: 'file', mode: 0o600, uid: st.uid, gid: st.gid, size: 0, mtime: Math.floor(st.mtimeMs / 1000) } };
        }
        yield* walk(abs, rel, opaque);
      }
    }
  }

  yield* walk(upper, '');
}

/** `size` bytes of the file at `path`, in chunks; zeros if it shrank meanwhile (a running container). */
function* fileContent(path: string, size: number): Generator<Buffer> {
  const fd = openSync(path, fsc.O_RDONLY | fsc.O_NOFOLLOW);
  try {
    let left = size;
    while (left > 0) {
      const buf = Buffer.allocUnsafe(Math.min(CHUNK, left));
      let n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) {
        buf.fill(0);
        n = buf.length;
      }
      left -= n;
      yield n === buf.length ? buf : buf.subarray(0, n);
    }
  } finally {
    closeSync(fd);
  }
}

function* tarChunks(upper: string, opts: UpperDiffOptions): Generator<Buffer> {
  for (const { entry, path } of upperEntries(upper, opts)) {
    yield entryHeader(entry);
    if (path !== undefined && entry.size > 0) {
      yield* fileContent(path, entry.size);
      const p = padding(entry.size);
      if (p.length) yield p;
    }
  }
  yield endOfArchive();
}

/** The upper dir as an uncompressed layer tar stream. A missing upper dir is an empty layer. */
export function upperDiffTar(upper: string, opts: UpperDiffOptions): Readable {
  let exists = true;
  try {
    lstatSync(upper);
  } catch {
    exists = false;
  }
  return Readable.from(exists ? tarChunks(upper, opts) : [endOfArchive()], { objectMode: false });
}
