import { chmodSync, mkdirSync, mkdtempSync, openSync, closeSync, readdirSync, readFileSync, rmSync, statfsSync, lstatSync } from 'node:fs';
import { release, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StorePaths } from '../../config/paths.js';
import { findProgram, writeCacheFile } from '../binaries.js';
import { existingAncestor, fsTypeOf } from '../host.js';
import { installCommand } from './hints.js';
import { type CheckContext, type CheckResult, result } from './types.js';
import { runQuiet } from './userns.js';

/**
 * Which storage driver works here, found by mounting: native overlay inside a user namespace
 * (kernel ≥ 5.11 with `userxattr`), else fuse-overlayfs (needs /dev/fuse), else vfs (copies).
 * Filesystems overlay cannot use as upper layer (overlay itself, NFS, ecryptfs) make the native
 * mount fail, which the probe sees because it mounts on the storage root's filesystem.
 */

export type StorageDriver = 'overlay' | 'fuse-overlayfs' | 'vfs';

export interface OverlayProbe {
  /** Native overlay mounted (rootless: in a user namespace, with userxattr). */
  native: boolean;
  /** The mount's error when it did not. */
  error?: string;
  /** Filesystem type of the storage root. */
  fsType: string;
  probedAt: string;
  cached: boolean;
}

export interface StorageChoice {
  driver: StorageDriver;
  /** fuse-overlayfs path when that is the driver. */
  mountProgram?: string;
  probe: OverlayProbe;
  /** One line on why. */
  reason: string;
}

/** Filesystems native overlay cannot stack on (containers/storage asks for a mount_program there). */
export const NEEDS_FUSE_FS = ['overlay', 'nfs', 'nfs4', 'ecryptfs', 'aufs', 'cifs', 'smb3', 'fuse.sshfs'];

const CACHE_NAME = 'overlay-probe.json';

interface CacheFile {
  key: string;
  native: boolean;
  error?: string;
  probedAt: string;
}

/** Remove a probe dir whose overlay `work/work` came back mode 000. */
function removeTree(dir: string): void {
  const open = (p: string) => {
    let st;
    try {
      st = lstatSync(p);
    } catch {
      return;
    }
    if (!st.isDirectory()) return;
    try {
      chmodSync(p, 0o700);
    } catch {
      /* not ours */
    }
    for (const e of readdirSync(p)) open(join(p, e));
  };
  try {
    rmSync(dir, { recursive: true, force: true });
  } catch {
    open(dir);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The probe's work dir: on the storage root's filesystem when possible, since that is what counts. */
function probeDir(storageRoot: string): string {
  try {
    mkdirSync(storageRoot, { recursive: true, mode: 0o700 });
    return mkdtempSync(join(storageRoot, '.overlay-probe-'));
  } catch {
    return mkdtempSync(join(tmpdir(), 'tsc-ctr-overlay-probe-'));
  }
}

/** Mount an overlay of two lowers the way the storage code will (rootless: in a user namespace). */
export async function tryNativeOverlay(storageRoot: string, rootless: boolean, pathEnv: string | undefined): Promise<{ ok: boolean; error?: string }> {
  const unshare = findProgram('unshare', pathEnv);
  if (!unshare) return { ok: false, error: 'cannot test: unshare (util-linux) not found on PATH' };
  const dir = probeDir(storageRoot);
  try {
    for (const d of ['l1', 'l2', 'upper', 'work', 'merged']) mkdirSync(join(dir, d));
    const opts = [`lowerdir=${join(dir, 'l1')}:${join(dir, 'l2')}`, `upperdir=${join(dir, 'upper')}`, `workdir=${join(dir, 'work')}`];
    if (rootless) opts.push('userxattr');
    const ns = rootless ? ['--user', '--map-root-user', '--mount'] : ['--mount'];
    const r = await runQuiet(unshare, [...ns, '--', 'sh', '-c', 'mount -t overlay overlay -o "$1" "$2"', 'sh', opts.join(','), join(dir, 'merged')]);
    if (r.code === 0) return { ok: true };
    return { ok: false, error: r.error ?? (r.stderr.split('\n').filter(Boolean).pop() || `mount exited with status ${r.code}`) };
  } finally {
    removeTree(dir);
  }
}

/** Can this user open a device read-write? (errno code, or undefined when it can.) */
export function deviceAccess(path: string): string | undefined {
  try {
    closeSync(openSync(path, 'r+'));
    return undefined;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code ?? 'EIO';
  }
}

/** The native-overlay probe, cached in the run root by kernel, mode, storage root and its fs type. */
export async function probeOverlay(opts: { paths: StorePaths; rootless: boolean; force?: boolean; pathEnv?: string | undefined }): Promise<OverlayProbe> {
  const fsType = fsTypeOf(opts.paths.storageRoot);
  const key = [release(), opts.rootless ? 'rootless' : 'rootful', opts.paths.storageRoot, fsType].join('|');
  const file = join(opts.paths.runRoot, CACHE_NAME);
  if (!opts.force) {
    try {
      const c = JSON.parse(readFileSync(file, 'utf8')) as CacheFile;
      if (c.key === key) return { native: c.native, ...(c.error ? { error: c.error } : {}), fsType, probedAt: c.probedAt, cached: true };
    } catch {
      /* probe */
    }
  }
  const r = await tryNativeOverlay(opts.paths.storageRoot, opts.rootless, opts.pathEnv ?? process.env.PATH);
  const probedAt = new Date().toISOString();
  const entry: CacheFile = { key, native: r.ok, ...(r.error ? { error: r.error } : {}), probedAt };
  writeCacheFile(opts.paths.runRoot, CACHE_NAME, entry);
  return { native: r.ok, ...(r.error ? { error: r.error } : {}), fsType, probedAt, cached: false };
}

/** The probe's decision (pure): native overlay, else fuse-overlayfs when usable, else vfs. */
export function pickDriver(probe: OverlayProbe, fuse: string | undefined, fuseDevError: string | undefined): StorageChoice {
  if (probe.native) return { driver: 'overlay', probe, reason: 'native overlay mounts here' };
  if (fuse && fuseDevError === undefined) return { driver: 'fuse-overlayfs', mountProgram: fuse, probe, reason: `native overlay failed (${probe.error}): fuse-overlayfs will be used` };
  const whyNotFuse = !fuse ? 'fuse-overlayfs is not installed' : `/dev/fuse cannot be opened (${fuseDevError})`;
  return { driver: 'vfs', probe, reason: `native overlay failed (${probe.error}) and ${whyNotFuse}: vfs will be used` };
}

/** Driver choice from the probe plus what is installed now (cheap, so not cached). */
export async function chooseStorageDriver(opts: { paths: StorePaths; rootless: boolean; force?: boolean; pathEnv?: string | undefined }): Promise<StorageChoice> {
  const probe = await probeOverlay(opts);
  if (probe.native) return pickDriver(probe, undefined, undefined);
  return pickDriver(probe, findProgram('fuse-overlayfs', opts.pathEnv ?? process.env.PATH), deviceAccess('/dev/fuse'));
}

function gib(n: number): string {
  return `${(n / 1024 ** 3).toFixed(1)} GiB`;
}

/** The storage root's filesystem: its type, free space, and whether overlay can stack on it. */
export function checkStorageRoot(ctx: CheckContext, probe: OverlayProbe): CheckResult {
  const root = ctx.paths.storageRoot;
  const at = existingAncestor(root);
  let free = '';
  try {
    const s = statfsSync(at);
    free = `, ${gib(Number(s.bavail) * Number(s.bsize))} free`;
  } catch {
    /* unknown */
  }
  const detail = `${root} is on ${probe.fsType}${free}`;
  if (NEEDS_FUSE_FS.includes(probe.fsType) && !probe.native) {
    return result('storage', 'warning', `${detail}: native overlay cannot use ${probe.fsType} as its upper layer; fuse-overlayfs (or vfs) is needed`, `use a local filesystem: tsc-ctr --root /var/tmp/$USER/tsc-ctr ...`);
  }
  return result('storage', 'ok', detail);
}

/** overlay: native in a user namespace → ok; fuse-overlayfs fallback → warning; neither → a problem (no vfs driver yet). */
export function checkOverlay(ctx: CheckContext, choice: StorageChoice): CheckResult {
  const p = choice.probe;
  if (choice.driver === 'overlay') {
    return result('overlay', 'ok', `native overlay mounts ${ctx.rootless ? 'in a user namespace (userxattr)' : 'here'} on ${p.fsType} (kernel ${release()})`);
  }
  if (choice.driver === 'fuse-overlayfs') {
    return result('overlay', 'warning', `native overlay mount failed: ${p.error}; will use fuse-overlayfs (${choice.mountProgram}), slower`, nativeFix(p));
  }
  const fuse = findProgram('fuse-overlayfs', ctx.pathEnv);
  const fix = !fuse ? installCommand('fuse-overlayfs') : 'sudo chmod 0666 /dev/fuse';
  return result('overlay', 'problem', `${choice.reason.replace(/: vfs will be used$/, '')}: no storage driver can mount a container's rootfs`, fix);
}

function nativeFix(p: OverlayProbe): string {
  if (NEEDS_FUSE_FS.includes(p.fsType)) return 'use a storage root on a local filesystem: tsc-ctr --root /var/tmp/$USER/tsc-ctr ...';
  const [maj, min] = release().split('.').map(Number);
  if ((maj ?? 0) < 5 || (maj === 5 && (min ?? 0) < 11)) return 'upgrade the kernel to 5.11 or newer for rootless native overlay';
  return '';
}
