/**
 * `cp` between a container and the host, with Podman's path rules (podman-cp(1)). Runs where
 * chown to the container's ids works: inside our user namespace (rootless) or as root. The
 * container side is always resolved inside its root (symlinks never lead out of it); a stopped
 * container's rootfs is mounted for the copy and given back after, through the mount counts.
 */
import {
  chmodSync,
  constants as C,
  copyFileSync,
  lchownSync,
  lstatSync,
  lutimesSync,
  mkdirSync,
  readdirSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  unlinkSync,
  utimesSync,
  type Stats,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { NotFoundError, TscCtrError, UsageError } from '../errors.js';
import type { NsExec } from '../rootless/ns-exec.js';
import { readContainerUserFiles, resolveUser } from '../runtime/passwd.js';
import type { ContainerConfig } from '../runtime/spec/types.js';
import { Store } from '../storage/store.js';
import type { ContainerContext } from './context.js';
import { endsWithDot, endsWithSlash, parseCopyArgs, secureJoin } from './copy-paths.js';
import { acquireContainerRootfs, releaseContainerRootfs } from './rootfs.js';
import type { ContainerRecord } from './types.js';

export interface CopyOptions {
  /** Files copied into the container get its primary uid/gid (default); false keeps the source's. */
  archive: boolean;
  /** Replace a directory by a non-directory and the other way round. */
  overwrite: boolean;
  stdin?: Readable;
  stdout?: Writable;
}

interface TreeCopy {
  /** Owner of what is written: fixed ids, or the source's (undefined: whoever we are). */
  owner: { uid: number; gid: number } | 'source' | undefined;
  overwrite: boolean;
  /** How the destination is named in messages (the container's view). */
  show: (hostPath: string) => string;
}

function lstatOr(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}

function applyMeta(dst: string, st: Stats, t: TreeCopy): void {
  const ids = t.owner === 'source' ? { uid: st.uid, gid: st.gid } : t.owner;
  if (ids) {
    try {
      lchownSync(dst, ids.uid, ids.gid);
    } catch {
      // an id not mapped in our namespace: the file keeps ours
    }
  }
  if (st.isSymbolicLink()) {
    lutimesSync(dst, st.atime, st.mtime);
    return;
  }
  chmodSync(dst, st.mode & 0o7777);
  utimesSync(dst, st.atime, st.mtime);
}

/**
 * Copy `src` to `dst` (which does not exist, or is replaced). `dst`'s parent is a real
 * directory: below it every path is lstat-checked, so nothing is written through a symlink.
 */
function copyEntry(src: string, dst: string, t: TreeCopy): void {
  const st = lstatSync(src);
  const existing = lstatOr(dst);
  if (st.isDirectory()) {
    if (existing && !existing.isDirectory()) {
      if (!t.overwrite) throw new TscCtrError(`cannot overwrite non-directory "${t.show(dst)}" with directory "${src}": use --overwrite`, { code: 'TSC_ERR_COPY' });
      unlinkSync(dst);
    }
    if (!existing?.isDirectory()) mkdirSync(dst, { mode: 0o700 });
    for (const name of readdirSync(src)) copyEntry(join(src, name), join(dst, name), t);
    applyMeta(dst, st, t);
    return;
  }
  if (existing?.isDirectory()) {
    if (!t.overwrite) throw new TscCtrError(`cannot overwrite directory "${t.show(dst)}" with non-directory "${src}": use --overwrite`, { code: 'TSC_ERR_COPY' });
    rmSync(dst, { recursive: true, force: true });
  } else if (existing) {
    unlinkSync(dst);
  }
  if (st.isFile()) copyFileSync(src, dst, C.COPYFILE_EXCL);
  else if (st.isSymbolicLink()) symlinkSync(readlinkSync(src), dst);
  else if (st.isFIFO()) {
    const { mkfifo } = require_native();
    mkfifo(dst, st.mode & 0o777);
  } else return; // sockets and device nodes are not copied
  applyMeta(dst, st, t);
}

let native: typeof import('../native/index.js') | undefined;
function require_native(): typeof import('../native/index.js') {
  if (!native) throw new TscCtrError('native bindings not loaded');
  return native;
}

/** Where a source lands: Podman's table of file/directory × existing/missing destination. */
export function copyTarget(src: { path: string; isDir: boolean }, destPath: string, destStat: Stats | undefined, destShown: string): string {
  if (destStat?.isDirectory()) {
    if (src.isDir && endsWithDot(src.path)) return destPath;
    return join(destPath, basename(src.path.replace(/\/+$/, '')) || basename(destPath));
  }
  if (destStat) {
    if (src.isDir) throw new TscCtrError(`cannot copy directory "${src.path}" to file "${destShown}"`, { code: 'TSC_ERR_COPY' });
    return destPath;
  }
  if (!src.isDir && endsWithSlash(destShown)) throw new NotFoundError(`"${destShown}" could not be found: the destination directory must exist`);
  if (!lstatOr(dirname(destPath))?.isDirectory()) throw new NotFoundError(`"${dirname(destShown)}" could not be found: no such file or directory`);
  return destPath;
}

function primaryIds(root: string, config: ContainerConfig, imageUser: string | undefined): { uid: number; gid: number } {
  const spec = config.user ?? imageUser ?? '';
  if (spec === '') return { uid: 0, gid: 0 };
  const u = resolveUser(spec, readContainerUserFiles(root));
  return { uid: u.uid, gid: u.gid };
}

async function copyIn(rec: ContainerRecord, root: string, srcPath: string, destPath: string, o: CopyOptions, imageUser: string | undefined): Promise<void> {
  const config = rec.createOptions as unknown as ContainerConfig;
  const owner = o.archive ? primaryIds(root, config, imageUser) : 'source';
  const destHost = secureJoin(root, destPath || '/');
  const show = (p: string) => '/' + p.slice(root.length).replace(/^\/+/, '');
  if (srcPath === '-') {
    if (!lstatOr(destHost)?.isDirectory()) throw new TscCtrError(`destination "${destPath}" must be a directory when copying from stdin`, { code: 'TSC_ERR_COPY' });
    const tar = await import('tar');
    const ids = owner === 'source' ? { preserveOwner: true } : { preserveOwner: false, uid: owner.uid, gid: owner.gid };
    const x = tar.x({ cwd: destHost, strict: true, ...ids });
    await new Promise<void>((res, rej) => {
      x.on('error', rej);
      x.on('finish', () => res());
      x.on('close', () => res());
      (o.stdin ?? process.stdin).on('error', rej).pipe(x as unknown as Writable);
    });
    return;
  }
  const src = resolve(srcPath);
  const st = lstatOr(src);
  if (!st) throw new NotFoundError(`"${srcPath}" could not be found on the host: no such file or directory`);
  if (endsWithSlash(srcPath) && !st.isDirectory()) throw new TscCtrError(`"${srcPath}" is not a directory`, { code: 'TSC_ERR_COPY' });
  const target = copyTarget({ path: srcPath, isDir: st.isDirectory() }, destHost, lstatOr(destHost), destPath);
  const t: TreeCopy = { owner, overwrite: o.overwrite, show };
  if (st.isDirectory() && target === destHost && endsWithDot(srcPath)) {
    for (const name of readdirSync(src)) copyEntry(join(src, name), join(target, name), t);
  } else copyEntry(src, target, t);
}

async function copyOut(rec: ContainerRecord, root: string, srcPath: string, destPath: string, o: CopyOptions): Promise<void> {
  const src = secureJoin(root, srcPath || '/');
  const st = lstatOr(src);
  if (!st) throw new NotFoundError(`"${srcPath}" could not be found on container ${rec.name}: no such file or directory`);
  if (endsWithSlash(srcPath) && !st.isDirectory()) throw new TscCtrError(`"${srcPath}" is not a directory`, { code: 'TSC_ERR_COPY' });
  if (destPath === '-') {
    const whole = src === root || (st.isDirectory() && endsWithDot(srcPath));
    const { writeTar } = await import('./tar-create.js');
    await writeTar(whole ? src : dirname(src), whole ? readdirSync(src).sort() : [basename(src)], o.stdout ?? process.stdout);
    return;
  }
  const destHost = resolve(destPath);
  const target = copyTarget({ path: srcPath, isDir: st.isDirectory() }, destHost, lstatOr(destHost), destPath);
  // what we create belongs to us: root in the namespace is the user on the host
  const t: TreeCopy = { owner: undefined, overwrite: o.overwrite, show: (p) => p };
  if (st.isDirectory() && target === destHost && endsWithDot(srcPath)) {
    for (const name of readdirSync(src)) copyEntry(join(src, name), join(target, name), t);
  } else copyEntry(src, target, t);
}

/** `cp SRC DEST` where one side is `CTR:PATH`. The caller is inside the user namespace (or root). */
export async function copy(ctx: ContainerContext, ns: NsExec, srcArg: string, destArg: string, o: CopyOptions): Promise<void> {
  const { src, dest } = parseCopyArgs(srcArg, destArg);
  const name = (src.container ?? dest.container)!;
  const rec = ctx.containers.get(name);
  native = await import('../native/index.js');
  const store = Store.open(ctx.paths);
  const image = store.findImage(rec.imageId);
  const imageUser = image ? store.imageConfig(image)?.config?.User : undefined;
  if (src.path === '' && src.container) throw new UsageError('a source path in the container is required');
  const root = await acquireContainerRootfs(ctx, ns, rec, 'user');
  try {
    if (dest.container) await copyIn(rec, root, src.path, dest.path, o, imageUser);
    else await copyOut(rec, root, src.path, dest.path, o);
  } finally {
    await releaseContainerRootfs(ctx, ns, rec, 'user');
  }
}
