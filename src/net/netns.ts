/**
 * Network namespaces kept as bind-mounted nsfs files (`<runRoot>/netns/netns-<id>`), made inside
 * our user namespace so that the namespace belongs to it and the pause process's mount namespace
 * holds the bind mount (as Podman does).
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { HostError } from '../errors.js';
import { type NsExec, wrap } from '../rootless/ns-exec.js';

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run argv inside the user namespace and collect its output. */
export function execIn(ns: NsExec, argv: string[]): Promise<ExecResult> {
  const [cmd, args] = wrap(ns, argv);
  return new Promise((resolve) => {
    const c = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: ns.env, cwd: '/' });
    let stdout = '';
    let stderr = '';
    c.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    c.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    c.on('error', (e) => resolve({ code: 127, stdout, stderr: e.message }));
    c.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr: stderr.trim() }));
  });
}

export function netnsDir(runRoot: string): string {
  return join(runRoot, 'netns');
}

export function netnsPathFor(runRoot: string, containerId: string): string {
  return join(netnsDir(runRoot), `netns-${containerId}`);
}

/** A new network namespace with `lo` up, bound at `path`. */
export async function createNetns(ns: NsExec, path: string): Promise<void> {
  mkdirSync(join(path, '..'), { recursive: true, mode: 0o700 });
  await removeNetns(ns, path); // a leftover from a crash: unbind it first
  closeSync(openSync(path, 'w', 0o600));
  const r = await execIn(ns, ['unshare', `--net=${path}`, 'ip', 'link', 'set', 'lo', 'up']);
  if (r.code !== 0) {
    rmSync(path, { force: true });
    throw new HostError(`creating the network namespace ${path}: ${r.stderr || `unshare exited ${r.code}`}`, 'TSC_ERR_NETNS');
  }
}

/** Unbind and delete a namespace file; nothing there is fine. */
export async function removeNetns(ns: NsExec, path: string): Promise<void> {
  if (!existsSync(path)) return; // nothing bound: spare the user-namespace round trip
  // one round trip: umount until it is no longer a mount point (a crashed start retried may
  // have bound the file twice)
  await execIn(ns, ['sh', '-c', 'i=0; while [ $i -lt 4 ] && umount "$0" 2>/dev/null; do i=$((i+1)); done', path]);
  try {
    rmSync(path, { force: true });
  } catch {
    // still held (a helper that would not die): detach it lazily rather than leave it behind
    await execIn(ns, ['umount', '-l', path]);
    rmSync(path, { force: true });
  }
}

/** Addresses inside a namespace: first global IPv4 and the default gateway. */
export async function netnsAddresses(ns: NsExec, path: string): Promise<{ ip?: string; gateway?: string }> {
  const r = await execIn(ns, ['nsenter', `--net=${path}`, 'sh', '-c', 'ip -4 -o addr show scope global; ip -4 route show default']);
  const ip = /inet (\d+\.\d+\.\d+\.\d+)\//.exec(r.stdout)?.[1];
  const gateway = /default via (\d+\.\d+\.\d+\.\d+)/.exec(r.stdout)?.[1];
  return { ...(ip ? { ip } : {}), ...(gateway ? { gateway } : {}) };
}
