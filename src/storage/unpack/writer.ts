/**
 * Writes tar entries into a layer directory with synchronous fs calls (the fast path: no promise
 * per file). The safety rules, all enforced here:
 *  - names are cleaned by paths.ts (no absolute names, no `..`, no NUL);
 *  - every parent of an entry is a real directory, known to be one (created or lstat-checked
 *    since it last changed): nothing is ever written through a symlink; files are opened
 *    O_CREAT|O_EXCL|O_NOFOLLOW and directories reopened O_NOFOLLOW;
 *  - hardlinks may only point at earlier non-directory entries of this same layer.
 * Directory modes, owners and times are applied last, deepest first: a 0555 directory must not
 * stop its children from being written, and writing children changes a directory's mtime.
 */
import {
  closeSync,
  constants as C,
  fchmodSync,
  fchownSync,
  futimesSync,
  lchownSync,
  linkSync,
  lstatSync,
  lutimesSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  unlinkSync,
  utimesSync,
  chmodSync,
  writeSync,
} from 'node:fs';
import { resolve } from 'node:path';
import { TscCtrError } from '../../errors.js';
import { S_IFBLK, S_IFCHR, lsetxattr, makedev, mkWhiteout, mkfifo, mknod } from '../../native/index.js';
import { HostileLayerError, UnpackError } from './errors.js';
import { BadPathError, cleanEntryPath, parentOf, whiteoutOf } from './paths.js';
import type { TarEntry, TarSink } from './tar-reader.js';

/** The id unmapped owners become (the kernel's overflowuid/overflowgid). */
export const OVERFLOW_ID = 65534;

export interface WriterOptions {
  /** For messages: usually the layer digest. */
  layer: string;
  /**
   * 'overlay': the layer dir is an overlayfs upper/lower dir: `.wh.X` becomes a 0/0 char device,
   * `.wh..wh..opq` an overlay.opaque xattr. 'naive': the dir already holds the lower layers'
   * content (a copying driver): `.wh.X` removes X, an opaque dir loses every child that this
   * layer did not write.
   */
  whiteouts: 'overlay' | 'naive';
  /** Opaque xattr name: user.overlay.opaque (rootless, overlay's userxattr) or trusted.overlay.opaque. */
  rootless: boolean;
  /** Cap on the bytes of file content. */
  maxSize: number;
  /** Highest ids mapped in our namespace; higher ones become OVERFLOW_ID (and are counted). */
  idLimit: { uidMax: number; gidMax: number } | undefined;
  /** Apply owners (false in a single-id namespace, like Podman's ignore_chown_errors). */
  chown: boolean;
  debug: (msg: string) => void;
}

interface DirMeta {
  mode: number;
  uid: number;
  gid: number;
  chown: boolean;
  /** Made by our mkdir (mode 0755 & ~umask until finish), not found existing. */
  made: boolean;
  atime: number | undefined;
  mtime: number | undefined;
}

const EPERM = 1;
const EACCES = 13;
const EEXIST = 17;
const EOPNOTSUPP = 95;
const S_ISGID = 0o2000;
const FILE_FLAGS = C.O_WRONLY | C.O_CREAT | C.O_EXCL | C.O_NOFOLLOW;
const DIR_FLAGS = C.O_RDONLY | C.O_DIRECTORY | C.O_NOFOLLOW;

function errnoOf(err: unknown): number | undefined {
  const e = err as { errno?: number };
  // node:fs errors carry a negative errno, ours (SyscallError) a positive one
  return typeof e?.errno === 'number' ? Math.abs(e.errno) : undefined;
}

/** The process umask from /proc (process.umask() without an argument is deprecated). */
function readUmask(): number | undefined {
  try {
    const m = /^Umask:\s*([0-7]+)$/m.exec(readFileSync('/proc/self/status', 'latin1'));
    return m ? parseInt(m[1]!, 8) : undefined;
  } catch {
    return undefined;
  }
}

/** fs time argument: Node turns negative numbers into "now", Dates keep them. */
function timeArg(t: number): number | Date {
  return t >= 0 ? t : new Date(t * 1000);
}

export class LayerWriter implements TarSink {
  /** Bytes of regular-file content written. */
  size = 0;
  /** Entries whose uid or gid was above the mapped range. */
  overflowIds = 0;
  /** The highest of those unmapped ids (what the namespace would need to map), 0 when none. */
  maxUnmappedId = 0;
  /** Device nodes that could not be created (no CAP_MKNOD, rootless). */
  skippedDevices = 0;
  /** xattrs the filesystem or our privileges refused (security.*, trusted.* in a user namespace). */
  skippedXattrs = 0;

  private readonly dest: string;
  private readonly o: WriterOptions;
  private readonly overlay: boolean;
  /** Directories known to be real directories inside dest ('' = dest). */
  private readonly safeDirs = new Set<string>(['']);
  /** Non-directories this layer wrote: the only valid hardlink targets. */
  private readonly linkable = new Set<string>();
  /** Naive mode: every path this layer wrote (an opaque dir keeps only these). */
  private readonly written = new Set<string>();
  private readonly dirMeta = new Map<string, DirMeta>();
  private readonly umask: number | undefined;
  private readonly euid: number;
  private readonly egid: number;
  /** New inodes get euid:egid (no setgid directory around), so chown to those ids can be skipped. */
  private ownedByUs: boolean;
  private fd = -1;
  private fileEntry: TarEntry | undefined;
  private fileAbs = '';

  constructor(dest: string, o: WriterOptions) {
    this.dest = resolve(dest);
    this.o = o;
    this.overlay = o.whiteouts === 'overlay';
    this.umask = readUmask();
    this.euid = process.geteuid?.() ?? -1;
    this.egid = process.getegid?.() ?? -1;
    const st = statSync(this.dest);
    if (!st.isDirectory()) throw new UnpackError(o.layer, undefined, `${this.dest} is not a directory`);
    this.ownedByUs = (st.mode & S_ISGID) === 0;
  }

  // ---- TarSink --------------------------------------------------------------------------------

  entry(e: TarEntry): void {
    try {
      this.apply(e);
    } catch (err) {
      this.closeFile();
      throw this.wrap(err, e.name);
    }
  }

  data(chunk: Buffer): void {
    const fd = this.fd;
    if (fd < 0) return; // content of an entry we do not write (a whiteout marker)
    try {
      let off = 0;
      while (off < chunk.length) off += writeSync(fd, chunk, off, chunk.length - off);
    } catch (err) {
      const name = this.fileEntry?.name;
      this.closeFile();
      throw this.wrap(err, name);
    }
  }

  endFile(): void {
    const fd = this.fd;
    if (fd < 0) return;
    const e = this.fileEntry!;
    this.fd = -1;
    try {
      const [uid, gid] = this.ids(e);
      if (this.needChown(uid, gid)) this.own(() => fchownSync(fd, uid, gid), uid, gid);
      // after chown, which clears setuid/setgid
      const mode = e.mode & 0o7777;
      if (this.modeNeedsFix(mode)) fchmodSync(fd, mode);
      // after chown (it drops security.capability) and after the content (writing drops it too)
      if (e.xattrs) this.setXattrs(this.fileAbs, e);
      futimesSync(fd, ...this.times(e));
    } catch (err) {
      throw this.wrap(err, e.name);
    } finally {
      closeSync(fd);
    }
  }

  /** After the last entry: directory owners, modes and times, deepest first. */
  finish(): void {
    const dirs = [...this.dirMeta.entries()];
    const depth = (rel: string) => {
      if (rel === '') return -1;
      let n = 0;
      for (let i = rel.indexOf('/'); i >= 0; i = rel.indexOf('/', i + 1)) n++;
      return n;
    };
    dirs.sort((a, b) => depth(b[0]) - depth(a[0]));
    const fresh = this.umask === undefined ? -1 : 0o755 & ~this.umask;
    for (const [rel, m] of dirs) {
      try {
        const fd = openSync(rel === '' ? this.dest : this.abs(rel), DIR_FLAGS);
        try {
          if (m.chown) this.own(() => fchownSync(fd, m.uid, m.gid), m.uid, m.gid);
          if (m.mode !== fresh || m.chown || !m.made) fchmodSync(fd, m.mode);
          if (m.mtime !== undefined) futimesSync(fd, timeArg(m.atime ?? m.mtime), timeArg(m.mtime));
        } finally {
          closeSync(fd);
        }
      } catch (err) {
        throw this.wrap(err, rel === '' ? './' : rel);
      }
    }
  }

  /** Close a file left open by an error. */
  abort(): void {
    this.closeFile();
  }

  // ---- entries ---------------------------------------------------------------------------------

  private apply(e: TarEntry): void {
    const rel = cleanEntryPath(e.name);
    if (rel === '') {
      if (e.kind !== 'dir') throw new HostileLayerError(this.o.layer, e.name, 'names the layer directory itself but is not a directory');
      this.recordDir('', e, false);
      return;
    }
    const wh = whiteoutOf(rel);
    if (wh !== undefined) return this.whiteout(e, rel, wh);

    switch (e.kind) {
      case 'file': {
        this.size += e.size;
        if (this.size > this.o.maxSize) {
          throw new HostileLayerError(this.o.layer, e.name, `unpacked size exceeds the limit of ${this.o.maxSize} bytes`, 'TSC_ERR_LAYER_TOO_LARGE');
        }
        this.ensureParent(rel);
        const abs = this.abs(rel);
        this.fd = this.create(rel, () => openSync(abs, FILE_FLAGS, e.mode & 0o777));
        this.fileEntry = e;
        this.fileAbs = abs;
        this.wrote(rel, true);
        return;
      }
      case 'dir': {
        this.ensureParent(rel);
        const abs = this.abs(rel);
        let made = true;
        try {
          mkdirSync(abs, 0o755);
        } catch (err) {
          if (errnoOf(err) !== EEXIST) throw err;
          if (this.clear(rel, true)) made = this.dirMeta.get(rel)?.made ?? false;
          else mkdirSync(abs, 0o755);
        }
        this.safeDirs.add(rel);
        this.wrote(rel, false);
        this.recordDir(rel, e, made);
        if (e.xattrs) this.setXattrs(abs, e);
        return;
      }
      case 'symlink': {
        this.ensureParent(rel);
        const abs = this.abs(rel);
        // Any target is fine: it resolves inside the container, and nothing here follows it.
        this.create(rel, () => symlinkSync(e.linkname, abs));
        this.wrote(rel, true);
        const [uid, gid] = this.ids(e);
        if (this.needChown(uid, gid)) this.own(() => lchownSync(abs, uid, gid), uid, gid);
        if (e.xattrs) this.setXattrs(abs, e);
        lutimesSync(abs, ...this.times(e));
        return;
      }
      case 'hardlink': {
        let target: string;
        try {
          target = cleanEntryPath(e.linkname);
        } catch (err) {
          if (err instanceof BadPathError) throw new HostileLayerError(this.o.layer, e.name, `hardlink target ${JSON.stringify(e.linkname)}: ${err.message}`);
          throw err;
        }
        if (!this.linkable.has(target)) {
          throw new HostileLayerError(this.o.layer, e.name, `hardlink to ${JSON.stringify(e.linkname)}, which is not an earlier file of this layer`);
        }
        if (target === rel) return; // a link to itself: already there
        this.ensureParent(rel);
        const abs = this.abs(rel);
        this.create(rel, () => linkSync(this.abs(target), abs));
        this.wrote(rel, true);
        return;
      }
      case 'fifo': {
        this.ensureParent(rel);
        const abs = this.abs(rel);
        this.create(rel, () => mkfifo(abs, e.mode & 0o777));
        this.wrote(rel, true);
        this.finishNode(abs, e);
        return;
      }
      case 'char':
      case 'block': {
        this.ensureParent(rel);
        const abs = this.abs(rel);
        const type = e.kind === 'char' ? S_IFCHR : S_IFBLK;
        try {
          this.create(rel, () => mknod(abs, type | (e.mode & 0o777), makedev(e.devmajor, e.devminor)));
        } catch (err) {
          if (errnoOf(err) !== EPERM) throw err;
          // No CAP_MKNOD (a user namespace): Podman skips these too; runtimes bind-mount /dev.
          this.skippedDevices++;
          this.o.debug(`layer ${this.o.layer}: device ${rel} (${e.devmajor}:${e.devminor}) skipped: no permission to create device nodes`);
          return;
        }
        this.wrote(rel, true);
        this.finishNode(abs, e);
        return;
      }
      default:
        // GNU tar skips unknown types with a warning; so do we (volume labels, vendor types).
        this.o.debug(`layer ${this.o.layer}: entry ${JSON.stringify(e.name)} of unknown type '${e.typeflag}' skipped`);
    }
  }

  private whiteout(e: TarEntry, rel: string, wh: NonNullable<ReturnType<typeof whiteoutOf>>): void {
    const layer = this.o.layer;
    if (wh.kind === 'meta') {
      this.o.debug(`layer ${layer}: AUFS metadata ${JSON.stringify(e.name)} skipped`);
      return;
    }
    if (this.overlay) {
      this.ensureParent(rel);
      if (wh.kind === 'opaque') {
        const name = this.o.rootless ? 'user.overlay.opaque' : 'trusted.overlay.opaque';
        try {
          lsetxattr(wh.dir === '' ? this.dest : this.abs(wh.dir), name, Buffer.from('y'));
        } catch (err) {
          throw new UnpackError(layer, e.name, `cannot mark directory ${JSON.stringify(wh.dir || '/')} opaque: ${(err as Error).message}`, { cause: err });
        }
        return;
      }
      const abs = this.abs(wh.target);
      try {
        this.create(wh.target, () => mkWhiteout(abs));
      } catch (err) {
        if (errnoOf(err) !== EPERM) throw err;
        throw new UnpackError(layer, e.name, `cannot create the overlay whiteout ${JSON.stringify(wh.target)} (a 0/0 character device; Linux allows it in a user namespace since 5.8): ${(err as Error).message}`, { cause: err });
      }
      const [uid, gid] = this.ids(e);
      if (this.needChown(uid, gid)) this.own(() => lchownSync(abs, uid, gid), uid, gid);
      return;
    }
    // naive: apply the deletion to the lower layers' content in dest
    if (!this.existingParent(rel)) return; // nothing there to delete
    if (wh.kind === 'whiteout') {
      rmSync(this.abs(wh.target), { recursive: true, force: true });
      this.forget(wh.target, true);
      return;
    }
    this.removeUnwritten(wh.dir);
  }

  /** Owner, mode, xattrs and times of a FIFO or device we just created (not a symlink). */
  private finishNode(abs: string, e: TarEntry): void {
    const [uid, gid] = this.ids(e);
    if (this.needChown(uid, gid)) this.own(() => lchownSync(abs, uid, gid), uid, gid);
    const mode = e.mode & 0o7777;
    if (this.modeNeedsFix(mode)) chmodSync(abs, mode);
    if (e.xattrs) this.setXattrs(abs, e);
    utimesSync(abs, ...this.times(e));
  }

  private recordDir(rel: string, e: TarEntry, made: boolean): void {
    const [uid, gid] = this.ids(e);
    const atime = e.atime !== undefined && e.atime > e.mtime ? e.atime : e.mtime;
    this.dirMeta.set(rel, { mode: e.mode & 0o7777, uid, gid, chown: this.needChown(uid, gid), made, atime, mtime: e.mtime });
  }

  // ---- paths -----------------------------------------------------------------------------------

  private abs(rel: string): string {
    return `${this.dest}/${rel}`;
  }

  /** Make every parent of `rel` a known real directory, creating missing ones (mode 0755, like Podman). */
  private ensureParent(rel: string): void {
    if (this.safeDirs.has(parentOf(rel))) return;
    for (let i = rel.indexOf('/'); i >= 0; i = rel.indexOf('/', i + 1)) {
      const cur = rel.slice(0, i);
      if (!this.safeDirs.has(cur)) this.ensureDir(cur, rel);
    }
  }

  private ensureDir(cur: string, rel: string): void {
    const abs = this.abs(cur);
    try {
      mkdirSync(abs, 0o755);
      this.implicitDir(cur);
      return;
    } catch (err) {
      if (errnoOf(err) !== EEXIST) throw err;
    }
    const st = lstatSync(abs);
    if (st.isDirectory()) {
      if (st.mode & S_ISGID) this.ownedByUs = false;
      this.safeDirs.add(cur);
      return;
    }
    if (this.overlay || this.written.has(cur)) {
      const what = st.isSymbolicLink() ? `would be written through the symlink ${JSON.stringify(cur)}` : `parent ${JSON.stringify(cur)} is not a directory`;
      throw new HostileLayerError(this.o.layer, rel, what);
    }
    // Naive mode, a lower layer's non-directory: this layer's directory replaces it (as overlayfs
    // would show it), never followed.
    unlinkSync(abs);
    this.forget(cur, false);
    mkdirSync(abs, 0o755);
    this.implicitDir(cur);
  }

  /** A directory created only because an entry lives in it: 0755 whatever the umask. */
  private implicitDir(cur: string): void {
    this.safeDirs.add(cur);
    this.wrote(cur, false);
    if (this.umask === undefined || (0o755 & this.umask) !== 0) {
      this.dirMeta.set(cur, { mode: 0o755, uid: 0, gid: 0, chown: false, made: true, atime: undefined, mtime: undefined });
    }
  }

  /** Naive whiteouts: are all parents real directories (without creating any)? */
  private existingParent(rel: string): boolean {
    for (let i = rel.indexOf('/'); i >= 0; i = rel.indexOf('/', i + 1)) {
      const cur = rel.slice(0, i);
      if (this.safeDirs.has(cur)) continue;
      const st = lstatSync(this.abs(cur), { throwIfNoEntry: false });
      if (!st?.isDirectory()) return false;
      this.safeDirs.add(cur);
    }
    return true;
  }

  /** Create with `make`; when something is already there (a duplicate entry), replace it once. */
  private create<T>(rel: string, make: () => T): T {
    try {
      return make();
    } catch (err) {
      if (errnoOf(err) !== EEXIST) throw err;
      this.clear(rel, false);
      return make();
    }
  }

  /** Remove what is at `rel` (a later entry replaces it); a directory is kept if `keepDir`. Returns whether a directory was kept. */
  private clear(rel: string, keepDir: boolean): boolean {
    const abs = this.abs(rel);
    const st = lstatSync(abs, { throwIfNoEntry: false });
    if (!st) return false;
    if (st.isDirectory()) {
      if (keepDir) {
        if (st.mode & S_ISGID) this.ownedByUs = false;
        return true;
      }
      rmSync(abs, { recursive: true, force: true });
      this.forget(rel, true);
    } else {
      unlinkSync(abs);
      this.forget(rel, false);
    }
    return false;
  }

  /** `rel` (and, for a directory, everything below it) is gone: drop it from every record. */
  private forget(rel: string, wasDir: boolean): void {
    this.linkable.delete(rel);
    this.written.delete(rel);
    this.safeDirs.delete(rel);
    this.dirMeta.delete(rel);
    if (!wasDir) return;
    // Rare (a directory replaced or whited out): a scan is fine.
    const prefix = `${rel}/`;
    for (const set of [this.safeDirs, this.linkable, this.written]) {
      for (const p of set) if (p.startsWith(prefix)) set.delete(p);
    }
    for (const p of this.dirMeta.keys()) if (p.startsWith(prefix)) this.dirMeta.delete(p);
  }

  private wrote(rel: string, linkable: boolean): void {
    if (linkable) this.linkable.add(rel);
    if (!this.overlay) this.written.add(rel);
  }

  /** Naive opaque directory: delete, below `dir`, everything this layer did not write. */
  private removeUnwritten(dir: string): void {
    const abs = dir === '' ? this.dest : this.abs(dir);
    for (const d of readdirSync(abs, { withFileTypes: true })) {
      const rel = dir === '' ? d.name : `${dir}/${d.name}`;
      if (!this.written.has(rel)) {
        rmSync(this.abs(rel), { recursive: true, force: true });
        this.forget(rel, d.isDirectory());
      } else if (d.isDirectory()) this.removeUnwritten(rel);
    }
  }

  // ---- metadata --------------------------------------------------------------------------------

  /** Owner ids after the namespace limit: unmapped ids become the overflow id. */
  private ids(e: TarEntry): [number, number] {
    const lim = this.o.idLimit;
    if (!lim || (e.uid <= lim.uidMax && e.gid <= lim.gidMax)) return [e.uid, e.gid];
    this.overflowIds++;
    this.maxUnmappedId = Math.max(this.maxUnmappedId, e.uid > lim.uidMax ? e.uid : 0, e.gid > lim.gidMax ? e.gid : 0);
    if (this.o.chown && (OVERFLOW_ID > lim.uidMax || OVERFLOW_ID > lim.gidMax)) {
      throw new UnpackError(this.o.layer, e.name, `owner ${e.uid}:${e.gid} is outside the user namespace (ids up to ${lim.uidMax}:${lim.gidMax}), and so is the overflow id ${OVERFLOW_ID}: check /etc/subuid and /etc/subgid`, { code: 'TSC_ERR_ID_MAPPING' });
    }
    return [e.uid > lim.uidMax ? OVERFLOW_ID : e.uid, e.gid > lim.gidMax ? OVERFLOW_ID : e.gid];
  }

  private needChown(uid: number, gid: number): boolean {
    return this.o.chown && !(this.ownedByUs && uid === this.euid && gid === this.egid);
  }

  /** chown through `call`; an unmapped id (EINVAL) gets Podman's explanation. */
  private own(call: () => void, uid: number, gid: number): void {
    try {
      call();
    } catch (err) {
      if (errnoOf(err) !== 22) throw err;
      throw new TscCtrError(`potentially insufficient UIDs or GIDs available in user namespace (requested ${uid}:${gid}): check /etc/subuid and /etc/subgid`, { code: 'TSC_ERR_ID_MAPPING', cause: err });
    }
  }

  /** Whether mode needs an explicit chmod: special bits, or bits the umask took at creation. */
  private modeNeedsFix(mode: number): boolean {
    return (mode & 0o7000) !== 0 || this.umask === undefined || (mode & this.umask) !== 0;
  }

  /** [atime, mtime]: atime no earlier than mtime (as containers/storage does). */
  private times(e: TarEntry): [number | Date, number | Date] {
    const a = e.atime !== undefined && e.atime > e.mtime ? e.atime : e.mtime;
    return [timeArg(a), timeArg(e.mtime)];
  }

  /** xattrs from PAX; refused ones (EPERM/ENOTSUP: trusted.* in a userns, no xattr support) are noted, not fatal. */
  private setXattrs(abs: string, e: TarEntry): void {
    for (const [name, value] of e.xattrs!) {
      try {
        lsetxattr(abs, name, value);
      } catch (err) {
        const errno = errnoOf(err);
        if (errno !== EPERM && errno !== EOPNOTSUPP && errno !== EACCES) throw err;
        this.skippedXattrs++;
        this.o.debug(`layer ${this.o.layer}: ${JSON.stringify(e.name)}: xattr ${name} not set: ${(err as Error).message}`);
      }
    }
  }

  private closeFile(): void {
    if (this.fd >= 0) {
      try {
        closeSync(this.fd);
      } catch {}
      this.fd = -1;
    }
  }

  private wrap(err: unknown, name: string | undefined): Error {
    if (err instanceof UnpackError) return err;
    if (err instanceof BadPathError) return new HostileLayerError(this.o.layer, name, err.message);
    if (err instanceof TscCtrError) return new UnpackError(this.o.layer, name, err.message, { code: err.code, cause: err });
    return new UnpackError(this.o.layer, name, (err as Error).message ?? String(err), { cause: err });
  }
}
