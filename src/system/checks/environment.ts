import { statSync } from 'node:fs';
import { cgroupsInfo } from '../cgroups.js';
import { type CheckContext, type CheckResult, result } from './types.js';

const NO_LIMITS = 'resource limits (--memory, --cpus) are not available; containers run without a cgroup';

/** cgroup version, and whether this user's containers can have a cgroup (limits) at all. */
export function checkCgroups(ctx: CheckContext): CheckResult {
  const c = cgroupsInfo({ rootless: ctx.rootless, uid: ctx.uid });
  const label = c.mode === 'hybrid' ? 'v1 (hybrid)' : c.mode;
  if (c.mode === 'none') return result('cgroups', 'warning', `no cgroup filesystem mounted: ${NO_LIMITS}`, 'sudo mount -t cgroup2 none /sys/fs/cgroup');
  if (!ctx.rootless) return result('cgroups', 'ok', `${label}, managed by root; controllers: ${c.controllers.join(' ') || 'none'}`);
  if (c.usable) return result('cgroups', 'ok', `${label}, ${c.reason}; controllers: ${c.controllers.join(' ')}`);
  if (c.mode === 'v2') {
    return result(
      'cgroups',
      'warning',
      `${label}: ${c.reason}: ${NO_LIMITS}`,
      `sudo mkdir -p /etc/systemd/system/user@.service.d && printf '[Service]\\nDelegate=cpu cpuset io memory pids\\n' | sudo tee /etc/systemd/system/user@.service.d/delegate.conf && sudo systemctl daemon-reload`,
    );
  }
  return result(
    'cgroups',
    'warning',
    `${label}: ${c.reason}: ${NO_LIMITS}`,
    `boot with cgroup v2: add systemd.unified_cgroup_hierarchy=1 to the kernel command line (e.g. GRUB_CMDLINE_LINUX in /etc/default/grub, then sudo update-grub and reboot)`,
  );
}

function describeDir(path: string, uid: number): string | undefined {
  try {
    const st = statSync(path);
    if (!st.isDirectory()) return 'not a directory';
    if (st.uid !== uid) return `owned by uid ${st.uid}`;
    if ((st.mode & 0o077) !== 0) return `mode ${(st.mode & 0o777).toString(8)}, not 0700`;
    return undefined;
  } catch {
    return 'does not exist';
  }
}

/** XDG_RUNTIME_DIR: where the run root (pause pid, sockets) goes; a fallback works but is worse. */
export function checkRuntimeDir(ctx: CheckContext): CheckResult {
  const p = ctx.paths;
  if (!ctx.rootless) return result('runtime-dir', 'ok', `rootful: run root ${p.runRoot}`);
  const runRootIssue = describeDir(p.runRoot, ctx.uid);
  if (runRootIssue && runRootIssue !== 'does not exist') {
    return result('runtime-dir', 'problem', `run root ${p.runRoot} is ${runRootIssue}: tsc-ctr keeps its pause pid and sockets there`, runRootIssue.startsWith('owned') ? `sudo rm -rf ${p.runRoot}` : `chmod 0700 ${p.runRoot}`);
  }
  if (p.runRootSource === 'option') return result('runtime-dir', 'ok', `run root ${p.runRoot} (set with --runroot or TSC_CTR_RUNROOT)`);
  const xdg = ctx.env.XDG_RUNTIME_DIR;
  if (p.runRootSource === 'XDG_RUNTIME_DIR') return result('runtime-dir', 'ok', `XDG_RUNTIME_DIR=${xdg} is yours and 0700: run root ${p.runRoot}`);
  const runUser = `/run/user/${ctx.uid}`;
  const why = xdg ? `XDG_RUNTIME_DIR=${xdg} is ${describeDir(xdg, ctx.uid) ?? 'unusable'}` : 'XDG_RUNTIME_DIR is not set';
  if (p.runRootSource === '/run/user') {
    return result('runtime-dir', 'warning', `${why}: using ${runUser} (run root ${p.runRoot})`, `export XDG_RUNTIME_DIR=${runUser}`);
  }
  return result(
    'runtime-dir',
    'warning',
    `${why}: run root falls back to ${p.runRoot} (not cleared at reboot like /run/user)`,
    `sudo install -d -m 0700 -o ${ctx.uid} -g ${ctx.gid} ${runUser} && export XDG_RUNTIME_DIR=${runUser}`,
  );
}
