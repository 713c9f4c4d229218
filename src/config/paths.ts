import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';
import { statSync } from 'node:fs';
import { expandStorageVars, readStorageConfFromEnv } from './storage-conf.js';

/** Where tsc-ctr keeps its files for the current user (DESIGN.md §2). */
export interface StorePaths {
  /** Persistent storage root: blobs, layers, images, containers. */
  storageRoot: string;
  /** Per-boot run root (tmpfs): pause pid, runtime state, exits, sockets. */
  runRoot: string;
  /** Our own config directory. */
  configDir: string;
  /** How runRoot was chosen, for `info` and `system check`. */
  runRootSource: 'option' | 'XDG_RUNTIME_DIR' | '/run/user' | 'tmp' | 'rootful';
}

export interface PathOverrides {
  root?: string | undefined;
  runroot?: string | undefined;
}

export function currentUid(): number {
  return process.getuid ? process.getuid() : 0;
}

/** Real (host) uid: inside our user namespace we are 0, the env var tells who we are. */
export function hostUid(env: NodeJS.ProcessEnv = process.env): number {
  const v = env._CONTAINERS_ROOTLESS_UID;
  if (v !== undefined && /^\d+$/.test(v)) return Number(v);
  return currentUid();
}

export function isRootless(env: NodeJS.ProcessEnv = process.env): boolean {
  return hostUid(env) !== 0;
}

function home(env: NodeJS.ProcessEnv): string {
  return env.HOME || homedir() || userInfo().homedir;
}

function ownedPrivateDir(path: string, uid: number): boolean {
  try {
    const st = statSync(path);
    return st.isDirectory() && st.uid === uid && (st.mode & 0o077) === 0;
  } catch {
    return false;
  }
}

/**
 * Resolve the storage and run roots. Overrides (CLI flags, then TSC_CTR_ROOT / TSC_CTR_RUNROOT,
 * then graphroot/runroot of $CONTAINERS_STORAGE_CONF) win; rootless falls back from $XDG_RUNTIME_DIR to /run/user/UID to /tmp/tsc-ctr-run-UID, the
 * same order Podman uses, because CI jobs and `su` sessions often have no XDG_RUNTIME_DIR.
 */
export function resolvePaths(over: PathOverrides = {}, env: NodeJS.ProcessEnv = process.env): StorePaths {
  const uid = hostUid(env);
  const rootless = uid !== 0;
  const h = home(env);
  const dataHome = env.XDG_DATA_HOME || join(h, '.local', 'share');
  const configHome = env.XDG_CONFIG_HOME || join(h, '.config');
  // CONTAINERS_STORAGE_CONF only when set: the default storage.conf describes Podman's store, not ours
  const conf = readStorageConfFromEnv(env);
  const expand = (p: string | undefined) => (p ? expandStorageVars(p, { uid, user: env.USER || env.LOGNAME || userInfo().username, home: h }) : undefined);
  const confRoot = expand(rootless ? (conf?.rootlessStoragePath ?? conf?.graphroot) : conf?.graphroot);
  const storageRoot =
    over.root ?? env.TSC_CTR_ROOT ?? confRoot ?? (rootless ? join(dataHome, 'tsc-ctr') : '/var/lib/tsc-ctr');
  const configDir = rootless ? join(configHome, 'tsc-ctr') : '/etc/tsc-ctr';
  const explicitRun = over.runroot ?? env.TSC_CTR_RUNROOT ?? expand(conf?.runroot);
  if (explicitRun) return { storageRoot, runRoot: explicitRun, configDir, runRootSource: 'option' };
  if (!rootless) return { storageRoot, runRoot: '/run/tsc-ctr', configDir, runRootSource: 'rootful' };
  const xdg = env.XDG_RUNTIME_DIR;
  if (xdg && ownedPrivateDir(xdg, uid)) {
    return { storageRoot, runRoot: join(xdg, 'tsc-ctr'), configDir, runRootSource: 'XDG_RUNTIME_DIR' };
  }
  const runUser = `/run/user/${uid}`;
  if (ownedPrivateDir(runUser, uid)) {
    return { storageRoot, runRoot: join(runUser, 'tsc-ctr'), configDir, runRootSource: '/run/user' };
  }
  const tmp = env.TMPDIR || '/tmp';
  return { storageRoot, runRoot: join(tmp, `tsc-ctr-run-${uid}`), configDir, runRootSource: 'tmp' };
}
