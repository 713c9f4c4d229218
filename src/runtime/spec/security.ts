/**
 * Security settings of the spec: capabilities, masked and read-only paths, sysctls. Rules from
 * Podman's pkg/specgen/generate/{security_linux,config_linux}.go and containers/common
 * pkg/capabilities and pkg/config/default.go.
 */
import { posix } from 'node:path';
import { UsageError } from '../../errors.js';
import type { LinuxCapabilities } from '../../oci/runtime.js';
import type { ContainerConfig, HostFacts } from './types.js';

/** Every capability of Linux 6.x, in number order (capability.h). */
export const ALL_CAPABILITIES = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_DAC_READ_SEARCH',
  'CAP_FOWNER',
  'CAP_FSETID',
  'CAP_KILL',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETPCAP',
  'CAP_LINUX_IMMUTABLE',
  'CAP_NET_BIND_SERVICE',
  'CAP_NET_BROADCAST',
  'CAP_NET_ADMIN',
  'CAP_NET_RAW',
  'CAP_IPC_LOCK',
  'CAP_IPC_OWNER',
  'CAP_SYS_MODULE',
  'CAP_SYS_RAWIO',
  'CAP_SYS_CHROOT',
  'CAP_SYS_PTRACE',
  'CAP_SYS_PACCT',
  'CAP_SYS_ADMIN',
  'CAP_SYS_BOOT',
  'CAP_SYS_NICE',
  'CAP_SYS_RESOURCE',
  'CAP_SYS_TIME',
  'CAP_SYS_TTY_CONFIG',
  'CAP_MKNOD',
  'CAP_LEASE',
  'CAP_AUDIT_WRITE',
  'CAP_AUDIT_CONTROL',
  'CAP_SETFCAP',
  'CAP_MAC_OVERRIDE',
  'CAP_MAC_ADMIN',
  'CAP_SYSLOG',
  'CAP_WAKE_ALARM',
  'CAP_BLOCK_SUSPEND',
  'CAP_AUDIT_READ',
  'CAP_PERFMON',
  'CAP_BPF',
  'CAP_CHECKPOINT_RESTORE',
] as const;

/** containers.conf `default_capabilities` (Podman's default set). */
export const DEFAULT_CAPABILITIES = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_FOWNER',
  'CAP_FSETID',
  'CAP_KILL',
  'CAP_NET_BIND_SERVICE',
  'CAP_SETFCAP',
  'CAP_SETGID',
  'CAP_SETPCAP',
  'CAP_SETUID',
  'CAP_SYS_CHROOT',
];

/** Image/user label naming the only capabilities a container needs (Podman). */
export const CAPABILITIES_LABEL = 'io.containers.capabilities';

const KNOWN = new Set<string>(ALL_CAPABILITIES);

/** `net_admin`, `NET_ADMIN`, `cap_net_admin` → `CAP_NET_ADMIN`; `all` → `ALL`; sorted. */
export function normalizeCapabilities(caps: string[]): string[] {
  const out = caps.map((c) => {
    const up = c.trim().toUpperCase();
    if (up === 'ALL') return 'ALL';
    const name = up.startsWith('CAP_') ? up : `CAP_${up}`;
    if (!KNOWN.has(name)) throw new UsageError(`unknown capability "${name}"`);
    return name;
  });
  return [...new Set(out)].sort();
}

/**
 * `base` plus `adds` minus `drops` (containers/common MergeCapabilities): `ALL` in adds means
 * the whole bounding set; `ALL` in drops leaves only the adds; one capability may not be both
 * added and dropped.
 */
export function mergeCapabilities(base: string[], adds: string[], drops: string[], bounding: string[]): string[] {
  let b = normalizeCapabilities(base);
  if (adds.length === 0 && drops.length === 0) return b;
  const capDrop = normalizeCapabilities(drops);
  let capAdd = normalizeCapabilities(adds);
  if (capDrop.includes('ALL')) {
    if (capAdd.includes('ALL')) throw new UsageError('adding all caps and removing all caps not allowed');
    return capAdd;
  }
  if (capAdd.includes('ALL')) {
    b = [...bounding].sort();
    capAdd = [];
  }
  for (const c of capAdd) if (capDrop.includes(c)) throw new UsageError(`capability "${c}" cannot be dropped and added`);
  const out = b.filter((c) => !capDrop.includes(c));
  for (const c of capAdd) if (!b.includes(c)) out.push(c);
  return out.sort();
}

/** The capability bounding set we may hand out. */
export function boundingSet(host: HostFacts): string[] {
  return [...(host.boundingCaps ?? ALL_CAPABILITIES)].sort();
}

/** Is this `--user` value root (only the user part counts, as in Podman)? */
export function isRootUser(user: string | undefined): boolean {
  const u = (user ?? '').split(':')[0] ?? '';
  return u === '' || u === 'root' || u === '0';
}

/**
 * The process capabilities. Root gets bounding = effective = permitted = the merged set (none
 * inheritable or ambient). Another user gets only what --cap-add asked for in effective,
 * permitted, inheritable and ambient (so the caps survive the exec of a non-root program), with
 * the merged set as bounding.
 */
export function processCapabilities(config: ContainerConfig, user: string | undefined, host: HostFacts, warnings: string[]): LinuxCapabilities {
  const bounding = boundingSet(host);
  let caps: string[];
  if (config.privileged) caps = bounding;
  else {
    caps = mergeCapabilities(DEFAULT_CAPABILITIES, config.capAdd, config.capDrop, bounding).filter((c) => bounding.includes(c));
    const wanted = config.labels[CAPABILITIES_LABEL];
    if (wanted !== undefined) {
      if (wanted.trim() === '') caps = [];
      else {
        const required = normalizeCapabilities(wanted.split(','));
        const missing = required.filter((c) => !caps.includes(c));
        if (missing.length === 0) caps = required;
        else warnings.push(`Capabilities requested by user or image are not allowed by default: "${missing.join(',')}"`);
      }
    }
  }
  if (isRootUser(user)) {
    return { bounding: caps, effective: caps, permitted: caps, inheritable: [], ambient: [] };
  }
  const userCaps = mergeCapabilities([], config.capAdd, [], bounding).filter((c) => bounding.includes(c));
  return { bounding: caps, effective: userCaps, permitted: userCaps, inheritable: userCaps, ambient: userCaps };
}

/** Paths hidden from the container (containers/common DefaultMaskedPaths, less its host-globbed CPU entries). */
export const DEFAULT_MASKED_PATHS = [
  '/proc/acpi',
  '/proc/kcore',
  '/proc/keys',
  '/proc/latency_stats',
  '/proc/sched_debug',
  '/proc/scsi',
  '/proc/timer_list',
  '/proc/timer_stats',
  '/sys/devices/virtual/powercap',
  '/sys/firmware',
  '/sys/fs/selinux',
  '/proc/interrupts',
];

export const DEFAULT_READONLY_PATHS = ['/proc/asound', '/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];

/** Podman's glob match for `unmask` (`/proc/*`): `*`, `?` and `[…]` within one path component. */
function globMatch(pattern: string, path: string): boolean {
  let re = '^';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end < 0) return false;
      let body = pattern.slice(i + 1, end);
      if (body.startsWith('^')) body = `\\^${body.slice(1)}`;
      if (body.startsWith('!')) body = `^${body.slice(1)}`;
      re += `[${body.replace(/\\/g, '\\\\')}]`;
      i = end;
    } else if (c === '\\' && i + 1 < pattern.length) re += `\\${pattern[++i]}`;
    else re += c.replace(/[.+^${}()|\]\\]/g, '\\$&');
  }
  try {
    return new RegExp(`${re}$`).test(path);
  } catch {
    return false;
  }
}

/** Is `path` still masked given the `unmask` list (`ALL`, or paths/globs, `:`-separated)? */
export function shouldMask(path: string, unmask: string[]): boolean {
  for (const u of unmask) {
    if (u.toLowerCase() === 'all') return false;
    for (const p of u.split(':')) if (globMatch(p, path)) return false;
  }
  return true;
}

/**
 * maskedPaths and readonlyPaths: the defaults unless privileged or unmasked, `/sys/kernel` when
 * rootless with the host's sysfs, then the user's `mask=` paths (not for rootless --pid=host,
 * whose /proc is the host's bind).
 */
export function kernelPathRules(config: ContainerConfig, host: HostFacts, sysIsHostBind: boolean, warnings: string[]): { maskedPaths: string[]; readonlyPaths: string[] } {
  const maskedPaths: string[] = [];
  const readonlyPaths: string[] = [];
  if (!config.privileged) {
    for (const p of DEFAULT_MASKED_PATHS) if (shouldMask(p, config.unmask)) maskedPaths.push(p);
    for (const p of DEFAULT_READONLY_PATHS) if (shouldMask(p, config.unmask)) readonlyPaths.push(p);
    if (sysIsHostBind && host.rootless) maskedPaths.push('/sys/kernel');
    if (config.pid === 'host' && host.rootless) return { maskedPaths, readonlyPaths };
  }
  for (const p of config.mask) {
    if (p === '') continue;
    if (!p.startsWith('/')) {
      warnings.push(`Path "${p}" is not an absolute path, skipping...`);
      continue;
    }
    const clean = posix.normalize(p);
    if (!maskedPaths.includes(clean)) maskedPaths.push(clean);
  }
  return { maskedPaths, readonlyPaths };
}

/** containers.conf `default_sysctls`. */
export const DEFAULT_SYSCTLS: Record<string, string> = { 'net.ipv4.ping_group_range': '0 0' };

/** Sysctls namespaced per container, the only ones `--sysctl` may set (Podman's ValidateSysctls). */
const SYSCTL_NAMES = new Set(['kernel.msgmax', 'kernel.msgmnb', 'kernel.msgmni', 'kernel.sem', 'kernel.shmall', 'kernel.shmmax', 'kernel.shmmni', 'kernel.shm_rmid_forced']);
const SYSCTL_PREFIXES = ['net.', 'fs.mqueue.'];

/** `--sysctl K=V`: one namespaced sysctl, no stray spaces. */
export function parseSysctl(s: string): [string, string] {
  const eq = s.indexOf('=');
  if (eq < 0) throw new UsageError(`${s} is invalid, sysctl values must be in the form of KEY=VALUE`);
  const key = s.slice(0, eq);
  const val = s.slice(eq + 1);
  if (key.trim() !== key || val.trim() !== val || key === '') throw new UsageError(`'${s}' is invalid, extra spaces found`);
  if (!SYSCTL_NAMES.has(key) && !SYSCTL_PREFIXES.some((p) => key.startsWith(p))) throw new UsageError(`sysctl '${key}' is not allowed`);
  return [key, val];
}

/** The spec's sysctls: defaults (skipping those the shared host namespaces own) then the user's. */
export function sysctls(config: ContainerConfig): Record<string, string> {
  const out: Record<string, string> = {};
  const ownedByHost = (key: string) =>
    (config.network === 'host' && key.startsWith('net.')) ||
    (config.ipc === 'host' && key.startsWith('fs.mqueue.')) ||
    (config.uts === 'host' && (key.startsWith('kernel.domainname') || key.startsWith('kernel.hostname')));
  for (const [k, v] of Object.entries(DEFAULT_SYSCTLS)) if (!ownedByHost(k)) out[k] = v;
  for (const [k, v] of Object.entries(config.sysctls)) {
    if (ownedByHost(k)) {
      const ns = k.startsWith('net.') ? 'Network' : k.startsWith('fs.mqueue.') ? 'IPC' : 'UTS';
      throw new UsageError(`sysctl ${k}=${v} can't be set since ${ns} Namespace set to host`);
    }
    out[k] = v;
  }
  return out;
}
