import { spawn } from 'node:child_process';
import { namespaceMappings } from '../../rootless/idmap.js';
import { rangesFor, readSubIdFile, subIdFilePath } from '../../rootless/subid.js';
import { findProgram } from '../binaries.js';
import { readSysValue } from '../host.js';
import { installCommand } from './hints.js';
import { type CheckContext, type CheckResult, result, skippedRootful } from './types.js';
import { tryIdMapping } from './uidmap.js';

/** Run a program, collect its exit status and stderr. */
export function runQuiet(cmd: string, args: string[], timeoutMs = 10000): Promise<{ code: number | null; stderr: string; error?: string }> {
  return new Promise((resolve) => {
    const c = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    const timer = setTimeout(() => c.kill('SIGKILL'), timeoutMs);
    c.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    c.on('error', (e) => {
      clearTimeout(timer);
      resolve({ code: null, stderr, error: e.message });
    });
    c.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr: stderr.trim() });
    });
  });
}

/** A sysctl fix that also survives a reboot. */
export function sysctlFix(key: string, value: string): string {
  return `echo '${key}=${value}' | sudo tee /etc/sysctl.d/90-tsc-ctr-userns.conf && sudo sysctl -w ${key}=${value}`;
}

export interface UsernsSysctls {
  maxUserNamespaces: string | undefined;
  /** Debian's kernel.unprivileged_userns_clone (older Debian kernels only). */
  unprivilegedClone: string | undefined;
  /** Ubuntu's kernel.apparmor_restrict_unprivileged_userns (23.10+). */
  apparmorRestrict: string | undefined;
}

export function readUsernsSysctls(): UsernsSysctls {
  return {
    maxUserNamespaces: readSysValue('/proc/sys/user/max_user_namespaces'),
    unprivilegedClone: readSysValue('/proc/sys/kernel/unprivileged_userns_clone'),
    apparmorRestrict: readSysValue('/proc/sys/kernel/apparmor_restrict_unprivileged_userns'),
  };
}

/** The sysctl that forbids unprivileged user namespaces, if any: pure, for tests. */
export function usernsBlocker(s: UsernsSysctls): { why: string; fix: string } | undefined {
  if (s.maxUserNamespaces !== undefined && Number(s.maxUserNamespaces) === 0) {
    return { why: 'user.max_user_namespaces is 0', fix: sysctlFix('user.max_user_namespaces', '28633') };
  }
  if (s.unprivilegedClone !== undefined && s.unprivilegedClone !== '1') {
    return { why: `kernel.unprivileged_userns_clone is ${s.unprivilegedClone}`, fix: sysctlFix('kernel.unprivileged_userns_clone', '1') };
  }
  if (s.apparmorRestrict !== undefined && s.apparmorRestrict !== '0') {
    return {
      why: `kernel.apparmor_restrict_unprivileged_userns is ${s.apparmorRestrict} (AppArmor denies capabilities in new user namespaces)`,
      fix: sysctlFix('kernel.apparmor_restrict_unprivileged_userns', '0'),
    };
  }
  return undefined;
}

/** Unprivileged user namespaces: the sysctls, then the real thing (`unshare --user --map-root-user true`). */
export async function checkUserns(ctx: CheckContext): Promise<CheckResult> {
  if (!ctx.rootless) return skippedRootful('userns');
  const s = readUsernsSysctls();
  const blocker = usernsBlocker(s);
  const unshare = findProgram('unshare', ctx.pathEnv);
  if (!unshare) {
    return result('userns', 'problem', `cannot test user namespaces: unshare not found on PATH${blocker ? `; ${blocker.why}` : ''}`, installCommand('util-linux'));
  }
  const r = await runQuiet(unshare, ['--user', '--map-root-user', 'true']);
  if (r.code === 0) {
    return result('userns', 'ok', `unprivileged user namespaces work (user.max_user_namespaces=${s.maxUserNamespaces ?? '?'})`);
  }
  const err = r.error ?? (r.stderr.split('\n').pop() || `exit status ${r.code}`);
  if (blocker) return result('userns', 'problem', `unprivileged user namespaces are disabled: ${blocker.why} (unshare: ${err})`, blocker.fix);
  return result('userns', 'problem', `cannot create a user namespace: ${err}`, '');
}

/** newuidmap/newgidmap with this user's real ranges, in a throwaway namespace. */
export async function checkIdMapping(ctx: CheckContext, prior: CheckResult[]): Promise<CheckResult> {
  if (!ctx.rootless) return skippedRootful('idmap');
  const blocked = prior.filter((r) => ['newuidmap', 'newgidmap', 'subuid', 'subgid', 'userns'].includes(r.Name) && r.Status === 'problem');
  if (blocked.length) return result('idmap', 'skipped', `skipped: fix ${blocked.map((b) => b.Name).join(', ')} first`);
  const who = { name: ctx.userName, uid: ctx.uid };
  const uidRanges = rangesFor(readSubIdFile(subIdFilePath('uid', ctx.env)).entries, who);
  const gidRanges = rangesFor(readSubIdFile(subIdFilePath('gid', ctx.env)).entries, who);
  const uidMaps = namespaceMappings(ctx.uid, uidRanges);
  const gidMaps = namespaceMappings(ctx.gid, gidRanges);
  const r = await tryIdMapping(ctx, uidMaps, gidMaps);
  if (!r.ok) return result('idmap', 'problem', `mapping your subordinate ids failed: ${r.error}`, '');
  const size = uidMaps.reduce((n, m) => n + m.size, 0);
  return result('idmap', 'ok', `newuidmap/newgidmap mapped ${size} uids (0 → ${ctx.uid}, then ${uidRanges.map((x) => `${x.start}:${x.count}`).join(', ')})`);
}
