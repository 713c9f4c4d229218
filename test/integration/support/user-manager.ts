// A real `systemd --user` for the test user, without systemd as PID 1 (root test runs only).
// What it needs here, found by trying: a private mount namespace with a tmpfs on /run/systemd
// holding system/ (the manager checks it was booted by systemd) and user-generators/ (where our
// generator is linked, instead of /usr/lib/systemd/user-generators); a cgroup v2 directory of its
// own that the user owns (else it exits 1 at "mkdir /sys/fs/cgroup/unified/init.scope: EACCES");
// XDG_RUNTIME_DIR, where it makes systemd/private, the socket `systemctl --user` talks to. No
// D-Bus or journald is needed for start/stop/show.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, chownSync, readdirSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { harness, runAsUser, type RunResult } from '../../harness/index.js';

export interface UserManager {
  systemctl(args: string[]): Promise<RunResult>;
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const UNIFIED = '/sys/fs/cgroup/unified';

function removeCgroupTree(dir: string): void {
  if (!existsSync(dir)) return;
  for (const e of readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) removeCgroupTree(join(dir, e.name));
  try {
    rmdirSync(dir);
  } catch {}
}

/** Whether this host can run one: root, and a cgroup v2 hierarchy (hybrid or unified). */
export function userManagerPossible(): boolean {
  return harness().root && existsSync('/lib/systemd/systemd') && existsSync(join(UNIFIED, 'cgroup.procs'));
}

export async function startUserManager(opts: { runtimeDir: string; env: Record<string, string>; generator: string }): Promise<UserManager> {
  const h = harness();
  const cg = join(UNIFIED, `tsc-ctr-test-${process.pid}-${Date.now()}`);
  mkdirSync(cg);
  chownSync(cg, h.user.uid, h.user.gid);
  for (const f of ['cgroup.procs', 'cgroup.subtree_control']) chownSync(join(cg, f), h.user.uid, h.user.gid);
  const envArgs = Object.entries({ ...opts.env, XDG_RUNTIME_DIR: opts.runtimeDir }).map(([k, v]) => `${k}=${v}`);
  const script = [
    'set -e',
    'mount -t tmpfs tmpfs /run/systemd',
    'mkdir -p /run/systemd/system /run/systemd/user-generators',
    `ln -s "$GEN" /run/systemd/user-generators/tsc-ctr-user-generator`,
    `echo $$ > "$CG/cgroup.procs"`,
    `exec setpriv --reuid=${h.user.uid} --regid=${h.user.gid} --init-groups env -i "$@" /lib/systemd/systemd --user`,
  ].join('\n');
  mkdirSync('/run/systemd', { recursive: true });
  const child: ChildProcess = spawn('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', script, 'sh', ...envArgs], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', GEN: opts.generator, CG: cg },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
  const sock = join(opts.runtimeDir, 'systemd', 'private');
  for (let i = 0; i < 150 && !existsSync(sock); i++) {
    if (child.exitCode !== null) break;
    await sleep(100);
  }
  if (!existsSync(sock)) {
    child.kill('SIGKILL');
    removeCgroupTree(cg);
    throw new Error(`systemd --user did not start:\n${log.slice(-2000)}`);
  }
  return {
    systemctl: (args) => runAsUser('systemctl', ['--user', ...args], { xdgRuntimeDir: opts.runtimeDir, timeoutMs: 120_000 }),
    async stop() {
      child.kill('SIGTERM');
      for (let i = 0; i < 100 && child.exitCode === null && child.signalCode === null; i++) await sleep(100);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      removeCgroupTree(cg);
    },
  };
}
