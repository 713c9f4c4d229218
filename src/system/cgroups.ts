import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type MountInfo, readMountInfo } from './host.js';

/**
 * Which cgroup hierarchy the host runs, and whether this user may use it. Rootless containers
 * get a cgroup (and so resource limits) only on cgroup v2 with a delegated subtree.
 */

export type CgroupMode = 'v1' | 'v2' | 'hybrid' | 'none';

const ROOT = '/sys/fs/cgroup';

/**
 * From the mount table: /sys/fs/cgroup itself cgroup2 → v2; a tmpfs with cgroup2 at
 * /sys/fs/cgroup/unified → hybrid (v1 controllers, v2 only for process tracking); a tmpfs with
 * v1 hierarchies → v1.
 */
export function detectCgroupMode(mounts: MountInfo[]): CgroupMode {
  const at = (p: string) => mounts.filter((m) => m.mountPoint === p).pop();
  const top = at(ROOT);
  if (top?.fsType === 'cgroup2') return 'v2';
  const unified = at(`${ROOT}/unified`);
  if (unified?.fsType === 'cgroup2') return 'hybrid';
  if (mounts.some((m) => m.fsType === 'cgroup' && m.mountPoint.startsWith(`${ROOT}/`))) return 'v1';
  if (mounts.some((m) => m.fsType === 'cgroup2')) return 'v2';
  return 'none';
}

/** What Podman prints as cgroupVersion: hybrid counts as v1 (the controllers are v1). */
export function cgroupVersionName(mode: CgroupMode): 'v1' | 'v2' {
  return mode === 'v2' ? 'v2' : 'v1';
}

/** /proc/self/cgroup: `0::/path` for v2, `N:ctrl,ctrl:/path` for v1 hierarchies. */
export function parseProcCgroup(text: string): { unified?: string; v1: Record<string, string> } {
  const v1: Record<string, string> = {};
  let unified: string | undefined;
  for (const line of text.split('\n')) {
    const m = /^(\d+):([^:]*):(.*)$/.exec(line.trim());
    if (!m) continue;
    if (m[1] === '0' && m[2] === '') unified = m[3]!;
    else for (const c of m[2]!.split(',')) if (c) v1[c.replace(/^name=/, '')] = m[3]!;
  }
  return unified === undefined ? { v1 } : { unified, v1 };
}

export interface CgroupsInfo {
  mode: CgroupMode;
  version: 'v1' | 'v2';
  /** Can containers of this user get a cgroup (and so --memory, --cpus, --pids-limit)? */
  usable: boolean;
  /** Controllers available to this user's containers. */
  controllers: string[];
  /** The user's delegated cgroup directory (v2), when there is one. */
  delegatedPath?: string;
  /** Why not usable, in a few words. */
  reason: string;
}

function readList(path: string): string[] {
  try {
    return readFileSync(path, 'utf8').trim().split(/\s+/).filter(Boolean);
  } catch {
    return [];
  }
}

function writable(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** Enabled v1 controllers from /proc/cgroups (`name hierarchy num enabled`). */
export function parseProcCgroups(text: string): string[] {
  return text
    .split('\n')
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => l.split(/\s+/))
    .filter((f) => f.length >= 4 && f[1] !== '0' && f[3] === '1')
    .map((f) => f[0]!);
}

/**
 * The topmost directory on the way from the cgroup root to `own` that `uid` owns: that is where
 * systemd (user@UID.service) delegated a subtree. Undefined when the user owns none.
 */
export function delegationRoot(own: string, uid: number, root = ROOT): string | undefined {
  let found: string | undefined;
  let p = join(root, own);
  while (p.length >= root.length) {
    try {
      if (statSync(p).uid !== uid) break;
      found = p;
    } catch {
      break;
    }
    if (p === root) break;
    p = dirname(p);
  }
  return found;
}

export function cgroupsInfo(opts: { rootless: boolean; uid: number; mounts?: MountInfo[] }): CgroupsInfo {
  const mode = detectCgroupMode(opts.mounts ?? readMountInfo());
  const version = cgroupVersionName(mode);
  if (mode === 'none') return { mode, version, usable: false, controllers: [], reason: 'no cgroup filesystem is mounted' };
  if (!opts.rootless) {
    const controllers = mode === 'v2' ? readList(join(ROOT, 'cgroup.controllers')) : (() => {
      try {
        return parseProcCgroups(readFileSync('/proc/cgroups', 'utf8'));
      } catch {
        return [];
      }
    })();
    return { mode, version, usable: true, controllers, reason: 'root manages cgroups' };
  }
  if (mode !== 'v2') {
    return {
      mode,
      version,
      usable: false,
      controllers: [],
      reason: 'cgroup v1 controllers cannot be delegated to unprivileged users',
    };
  }
  let own = '/';
  try {
    own = parseProcCgroup(readFileSync('/proc/self/cgroup', 'utf8')).unified ?? '/';
  } catch {
    /* keep / */
  }
  const dir = delegationRoot(own, opts.uid);
  if (!dir || !writable(dir) || !writable(join(dir, 'cgroup.procs'))) {
    return { mode, version, usable: false, controllers: [], reason: `your cgroup ${join(ROOT, own)} is not delegated to you` };
  }
  const controllers = readList(join(dir, 'cgroup.controllers'));
  if (controllers.length === 0) {
    return { mode, version, usable: false, controllers, delegatedPath: dir, reason: `${dir} is yours but has no controllers enabled` };
  }
  return { mode, version, usable: true, controllers, delegatedPath: dir, reason: `delegated at ${dir}` };
}
