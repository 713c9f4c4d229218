/**
 * Mounting a container's or an image's rootfs outside `start`, with counts so concurrent users
 * (two `mount`s, a `cp` into a stopped container, a running container) never unmount each
 * other. A rootfs is mounted while its count is above zero or its container runs; the mount
 * itself lives in our user namespace's mount namespace (rootless) or the host's (rootful).
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TscCtrError } from '../errors.js';
import type { NsExec } from '../rootless/ns-exec.js';
import { type MountKind, MountPoints } from '../storage/mountpoints.js';
import { storeDriver } from '../storage/driver.js';
import { isMountPoint, mountLowers, mountOverlay, runIn } from '../storage/overlay.js';
import type { ImageRecord } from '../storage/types.js';
import { imageLowerDirs } from './adapters.js';
import { type ContainerContext, withStorageLock } from './context.js';
import { containerFiles } from './start.js';
import { currentState } from './state.js';
import type { ContainerRecord } from './types.js';

/** Who holds a container's rootfs: a user of `mount`/`cp`/`export`, or the running container. */
export type Holder = 'user' | 'container';

/** The mount table of the namespace our mounts live in. */
export function namespaceMountinfo(ns: NsExec): string {
  const pid = ns.inside ? 'self' : String(ns.pausePid);
  try {
    return readFileSync(`/proc/${pid}/mountinfo`, 'utf8');
  } catch {
    return '';
  }
}

function mountPoints(ctx: ContainerContext): MountPoints {
  mkdirSync(ctx.paths.runRoot, { recursive: true, mode: 0o700 });
  return new MountPoints(ctx.paths.runRoot);
}

async function umountPath(ns: NsExec, path: string): Promise<void> {
  const r = await runIn(ns, ['umount', path], '/');
  if (r.code !== 0 && !/not mounted|no mount point|not found/i.test(r.stderr)) {
    throw new TscCtrError(`unmounting ${path}: ${r.stderr || `umount exited ${r.code}`}`, { code: 'TSC_ERR_MOUNT' });
  }
}

/** Users' count of a rootfs, reset when the mount is gone (the namespace was recreated, a reboot). */
function liveCount(table: MountPoints, kind: MountKind, id: string, mounted: boolean): number {
  const e = table.get(kind, id);
  return mounted && e ? e.count : 0;
}

/** Mount a container's rootfs (if it is not already) and take a hold on it; returns the merged path. */
export async function acquireContainerRootfs(ctx: ContainerContext, ns: NsExec, rec: ContainerRecord, holder: Holder): Promise<string> {
  const f = containerFiles(ctx, rec.id);
  const driver = await storeDriver({ paths: ctx.paths, rootless: ctx.rootless });
  return withStorageLock(ctx, async () => {
    const table = mountPoints(ctx);
    const mounted = isMountPoint(f.merged, namespaceMountinfo(ns));
    const count = liveCount(table, 'container', rec.id, mounted);
    if (!mounted) {
      // the upper dir's root is the rootfs root: it must be traversable by every container user
      if (!existsSync(f.upper)) mkdirSync(f.upper, { recursive: true, mode: 0o755 });
      const lowers = imageLowerDirs(ctx, rec.layers);
      await mountOverlay(ns, { lowers, upper: f.upper, work: f.work, merged: f.merged, cwd: ctx.paths.storageRoot, rootless: ctx.rootless, driver });
    }
    table.set('container', rec.id, f.merged, holder === 'user' ? count + 1 : count);
    return f.merged;
  });
}

export interface ReleaseOptions {
  /** Drop every user's hold (`umount -f`). */
  force?: boolean;
}

/**
 * Give back a hold; unmount when no user holds the rootfs and the container does not run.
 * Returns whether the rootfs was unmounted.
 */
export async function releaseContainerRootfs(ctx: ContainerContext, ns: NsExec, rec: ContainerRecord, holder: Holder, o: ReleaseOptions = {}): Promise<boolean> {
  const f = containerFiles(ctx, rec.id);
  return withStorageLock(ctx, async () => {
    const table = mountPoints(ctx);
    const mounted = isMountPoint(f.merged, namespaceMountinfo(ns));
    let count = liveCount(table, 'container', rec.id, mounted);
    const now = ctx.containers.read(rec.id) ?? rec;
    const running = holder === 'user' && ['running', 'stopping'].includes(currentState(ctx.containers, now).status);
    if (holder === 'user') {
      if (running && (count === 0 || o.force)) {
        throw new TscCtrError(`cannot unmount storage for container ${rec.id} as it is running or paused: container state improper`, { code: 'TSC_ERR_CTR_STATE' });
      }
      count = o.force ? 0 : Math.max(0, count - 1);
    }
    table.set('container', rec.id, f.merged, count);
    if (!mounted || count > 0 || running) return false;
    await umountPath(ns, f.merged);
    return true;
  });
}

/** Containers whose rootfs is mounted now, with where. */
export function mountedContainers(ctx: ContainerContext, ns: NsExec): { rec: ContainerRecord; path: string }[] {
  const info = namespaceMountinfo(ns);
  return ctx.containers
    .list()
    .map((rec) => ({ rec, path: containerFiles(ctx, rec.id).merged }))
    .filter((m) => isMountPoint(m.path, info));
}

// ---- images ----------------------------------------------------------------------------------

export function imageMountDir(ctx: ContainerContext, id: string): string {
  return join(ctx.paths.storageRoot, 'image-mounts', id);
}

/** Mount an image's layers read-only (no upper dir) and take a hold; returns the path. */
export async function mountImage(ctx: ContainerContext, ns: NsExec, img: ImageRecord): Promise<string> {
  const dir = imageMountDir(ctx, img.id);
  const merged = join(dir, 'merged');
  const driver = await storeDriver({ paths: ctx.paths, rootless: ctx.rootless });
  return withStorageLock(ctx, async () => {
    const table = mountPoints(ctx);
    const mounted = isMountPoint(merged, namespaceMountinfo(ns));
    const count = liveCount(table, 'image', img.id, mounted);
    if (!mounted) {
      if (img.layers.length === 0) throw new TscCtrError(`image ${img.id.slice(0, 12)} has no layers to mount`);
      const lowers = imageLowerDirs(ctx, img.layers);
      // without an upper dir overlay wants two lower dirs at least
      if (lowers.length === 1) {
        mkdirSync(join(dir, 'empty'), { recursive: true, mode: 0o700 });
        lowers.push(join(dir, 'empty'));
      }
      mkdirSync(merged, { recursive: true, mode: 0o700 });
      try {
        await mountLowers(ns, { lowers, merged, cwd: ctx.paths.storageRoot, rootless: ctx.rootless, driver });
      } catch (err) {
        throw new TscCtrError(`mounting image ${img.id.slice(0, 12)}: ${(err as Error).message}`, { code: 'TSC_ERR_MOUNT' });
      }
    }
    table.set('image', img.id, merged, count + 1);
    return merged;
  });
}

/** Give back a hold on an image mount (all of them with force); unmount at zero. */
export async function unmountImage(ctx: ContainerContext, ns: NsExec, id: string, o: ReleaseOptions = {}): Promise<boolean> {
  const merged = join(imageMountDir(ctx, id), 'merged');
  return withStorageLock(ctx, async () => {
    const table = mountPoints(ctx);
    const mounted = isMountPoint(merged, namespaceMountinfo(ns));
    const count = o.force ? 0 : Math.max(0, liveCount(table, 'image', id, mounted) - 1);
    table.set('image', id, merged, count);
    if (!mounted || count > 0) return false;
    await umountPath(ns, merged);
    return true;
  });
}

/** Image ids mounted now, with where. */
export function mountedImages(ctx: ContainerContext, ns: NsExec): { id: string; path: string }[] {
  const info = namespaceMountinfo(ns);
  return mountPoints(ctx)
    .list()
    .filter((m) => m.kind === 'image' && isMountPoint(m.path, info))
    .map((m) => ({ id: m.id, path: m.path }));
}

/** Before `rm`: drop the holds users took with `mount` (Podman unmounts a removed container's rootfs too). */
export async function dropUserMounts(ctx: ContainerContext, rec: ContainerRecord): Promise<void> {
  const entry = new MountPoints(ctx.paths.runRoot).get('container', rec.id);
  if (!entry || entry.count === 0) return;
  const { nsExec } = await import('../rootless/ns-exec.js');
  await releaseContainerRootfs(ctx, await nsExec(ctx.paths), rec, 'user', { force: true });
}
