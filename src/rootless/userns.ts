import { userInfo } from 'node:os';
import { join } from 'node:path';
import type { StorePaths } from '../config/paths.js';
import { hostUid } from '../config/paths.js';
import { HostError } from '../errors.js';
import { findProgram } from '../system/binaries.js';
import { log } from '../ui/log.js';
import { namespaceMappings } from './idmap.js';
import { ensureRunRoot, livePausePid, startPauseProcess, type NamespaceIds } from './pause.js';
import { readSubIdRanges } from './subid.js';

/** Set in the environment of everything we run inside the namespace (Podman's marker). */
export const USERNS_MARK = '_CONTAINERS_USERNS_CONFIGURED';

export function insideUserNamespace(env: NodeJS.ProcessEnv = process.env): boolean {
  return !!env[USERNS_MARK];
}

export function hostGid(env: NodeJS.ProcessEnv = process.env): number {
  const v = env._CONTAINERS_ROOTLESS_GID;
  if (v !== undefined && /^\d+$/.test(v)) return Number(v);
  return process.getgid ? process.getgid() : 0;
}

/** This user's ids and the mappings of the namespace we make for them. */
export function namespaceIds(): NamespaceIds {
  const uid = hostUid();
  const gid = hostGid();
  let userName: string;
  try {
    userName = userInfo().username;
  } catch {
    userName = String(uid);
  }
  const who = { name: userName, uid };
  const uidRanges = readSubIdRanges('uid', who);
  const gidRanges = readSubIdRanges('gid', who);
  return {
    uid,
    gid,
    userName,
    uidMaps: namespaceMappings(uid, uidRanges),
    gidMaps: namespaceMappings(gid, gidRanges),
  };
}

function requireProgram(name: string, pkg: string): string {
  const p = findProgram(name);
  if (!p) throw new HostError(`${name} not found on PATH: install the ${pkg} package`, 'TSC_ERR_MISSING_PROGRAM');
  return p;
}

/**
 * Make sure the pause process holding our user namespace runs, and return its pid. Creation is
 * serialised by a lock in the run root, so concurrent commands end up sharing one namespace.
 */
export async function ensureUserNamespace(paths: StorePaths): Promise<number> {
  const uid = hostUid();
  ensureRunRoot(paths.runRoot, uid);
  const pid = livePausePid(paths.runRoot);
  if (pid !== undefined) return pid;
  const { FileLock } = await import('../native/flock.js');
  const lock = await FileLock.acquire(join(paths.runRoot, 'pause.lock'), 'exclusive', { wait: true });
  try {
    const again = livePausePid(paths.runRoot);
    if (again !== undefined) return again;
    const ids = namespaceIds();
    if (ids.uidMaps.length === 1 || ids.gidMaps.length === 1) {
      log.warn(
        `no subordinate ids for user "${ids.userName}" (uid ${ids.uid}) in /etc/subuid or /etc/subgid: using a single id mapping; files owned by other ids in images are given to root (run \`tsc-ctr system check\` for the fix)`,
      );
    }
    return await startPauseProcess(paths.runRoot, ids, {
      unshare: requireProgram('unshare', 'util-linux'),
      newuidmap: ids.uidMaps.length > 1 ? requireProgram('newuidmap', 'uidmap') : '',
      newgidmap: ids.gidMaps.length > 1 ? requireProgram('newgidmap', 'uidmap') : '',
      catatonit: findProgram('catatonit'),
    });
  } finally {
    lock?.release();
  }
}

/** argv prefix that runs a program inside the pause process's user and mount namespaces. */
export function nsenterArgv(nsenter: string, pausePid: number, cwd?: string): string[] {
  // --preserve-credentials: our host uid already maps to 0 inside, and with a single-id
  // mapping setgroups is denied, so nsenter must not try to reset our groups.
  // --wd: entering the mount namespace moves us to "/"; relative paths the user typed
  // (save -o x.tar, load -i x.tar, cp ./f ctr:/) must keep meaning what they meant.
  return [nsenter, '--user', '--mount', '--preserve-credentials', '-t', String(pausePid), ...(cwd ? [`--wd=${cwd}`] : []), '--'];
}

/** Environment for processes inside the namespace: who we really are, and where our files are. */
export function insideEnv(paths: StorePaths, env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v;
  out[USERNS_MARK] = 'done';
  out._CONTAINERS_ROOTLESS_UID = String(hostUid(env));
  out._CONTAINERS_ROOTLESS_GID = String(hostGid(env));
  out.TSC_CTR_ROOT = paths.storageRoot;
  out.TSC_CTR_RUNROOT = paths.runRoot;
  return out;
}

/**
 * Replace this process with `argv` run inside the user namespace (no Node parent is left
 * behind). Used by `unshare` and by commands whose every step needs the namespace.
 */
export async function execInUserNamespace(paths: StorePaths, argv: string[]): Promise<never> {
  const pid = await ensureUserNamespace(paths);
  const nsenter = requireProgram('nsenter', 'util-linux');
  const { execve } = await import('../native/execve.js');
  const full = [...nsenterArgv(nsenter, pid, currentDir()), ...argv];
  return execve(nsenter, full, insideEnv(paths));
}

/** The working directory, when there is one (it may have been removed under us). */
function currentDir(): string | undefined {
  try {
    return process.cwd();
  } catch {
    return undefined;
  }
}

/** Re-run this very CLI invocation inside the namespace. */
export async function reexecCliInUserNamespace(paths: StorePaths): Promise<never> {
  return execInUserNamespace(paths, [process.execPath, ...process.execArgv, process.argv[1]!, ...process.argv.slice(2)]);
}
