import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HostError, TscCtrError } from '../errors.js';
import { log } from '../ui/log.js';
import { type IdMapping, mapArgs, parseIdMapFile } from './idmap.js';

/** Marks the pause process in its environment, so a recycled pid is never mistaken for it. */
const PAUSE_MARK = '_TSC_CTR_PAUSE=1';

export interface NamespaceIds {
  uid: number;
  gid: number;
  uidMaps: IdMapping[];
  gidMaps: IdMapping[];
  userName: string;
}

export interface HelperPaths {
  unshare: string;
  newuidmap: string;
  newgidmap: string;
  /** catatonit, else undefined: then `sleep infinity` holds the namespace. */
  catatonit: string | undefined;
}

/** The run root must be ours and private: it holds the pause pid and sockets. */
export function ensureRunRoot(runRoot: string, uid: number): void {
  mkdirSync(runRoot, { recursive: true, mode: 0o700 });
  const st = statSync(runRoot);
  if (st.uid !== uid) {
    throw new HostError(`run root ${runRoot} is owned by uid ${st.uid}, not by you (uid ${uid}): remove it or set XDG_RUNTIME_DIR`);
  }
}

export function pausePidFile(runRoot: string): string {
  return join(runRoot, 'pause.pid');
}

/** The pid of our live pause process, or undefined when there is none (or it died). */
export function livePausePid(runRoot: string): number | undefined {
  let pid: number;
  try {
    pid = Number(readFileSync(pausePidFile(runRoot), 'utf8').trim());
  } catch {
    return undefined;
  }
  if (!Number.isInteger(pid) || pid <= 1) return undefined;
  try {
    const environ = readFileSync(`/proc/${pid}/environ`, 'latin1');
    return environ.split('\0').includes(PAUSE_MARK) ? pid : undefined;
  } catch {
    return undefined;
  }
}

function writeMapsDirect(pid: number, ids: NamespaceIds): void {
  // Without subordinate ids the kernel lets us map only our own id, and only after
  // setgroups is denied: Podman's "single mapping" mode.
  writeFileSync(`/proc/${pid}/setgroups`, 'deny');
  writeFileSync(`/proc/${pid}/uid_map`, `0 ${ids.uid} 1\n`);
  writeFileSync(`/proc/${pid}/gid_map`, `0 ${ids.gid} 1\n`);
}

function runMapper(tool: string, pid: number, maps: IdMapping[]): void {
  const r = spawnSync(tool, [String(pid), ...mapArgs(maps)], { encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    const why = (r.error?.message ?? r.stderr ?? '').trim().split('\n').pop() || `exit status ${r.status}`;
    throw new HostError(
      `cannot set up the user namespace using "${tool}": ${why} (it must be setuid root or have file capabilities; run \`tsc-ctr system check\`)`,
      'TSC_ERR_NEWUIDMAP',
    );
  }
}

/**
 * Start the pause process: a new user+mount namespace held open by catatonit. The shell inside
 * waits on stdin until newuidmap/newgidmap have written the maps, then execs the holder.
 * Mount propagation is `slave` so mounts made on the host later still appear inside.
 */
export async function startPauseProcess(runRoot: string, ids: NamespaceIds, helpers: HelperPaths): Promise<number> {
  const holder = helpers.catatonit ? `exec "$0" -P` : 'exec sleep infinity';
  const child = spawn(
    helpers.unshare,
    ['--user', '--mount', '--propagation', 'slave', '--', '/bin/sh', '-c', `echo ready; read go; ${holder} </dev/null >/dev/null 2>&1`, helpers.catatonit ?? 'sh'],
    {
      detached: true,
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', _TSC_CTR_PAUSE: '1' },
      cwd: '/',
    },
  );
  const pid = child.pid;
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const ready = await new Promise<boolean>((resolve) => {
    child.stdout!.once('data', () => resolve(true));
    child.once('exit', () => resolve(false));
    child.once('error', () => resolve(false));
  });
  if (!ready || pid === undefined) {
    throw new HostError(`cannot create a user namespace with ${helpers.unshare}: ${stderr.trim() || 'it exited early'} (run \`tsc-ctr system check\`)`, 'TSC_ERR_USERNS');
  }
  try {
    if (ids.uidMaps.length > 1) {
      runMapper(helpers.newuidmap, pid, ids.uidMaps);
      runMapper(helpers.newgidmap, pid, ids.gidMaps);
    } else {
      writeMapsDirect(pid, ids);
    }
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  const mapped = parseIdMapFile(readFileSync(`/proc/${pid}/uid_map`, 'utf8'));
  if (mapped.length === 0) {
    child.kill('SIGKILL');
    throw new TscCtrError(`user namespace of pid ${pid} has no uid map after newuidmap`);
  }
  child.stdin!.end('go\n');
  child.stdout!.destroy();
  child.stderr!.destroy();
  child.unref();
  const tmp = `${pausePidFile(runRoot)}.${process.pid}.tmp`;
  writeFileSync(tmp, String(pid), { mode: 0o600 });
  renameSync(tmp, pausePidFile(runRoot));
  log.debug(`started pause process ${pid} holding the user namespace`);
  return pid;
}
