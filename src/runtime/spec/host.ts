/**
 * Thin readers for the host facts the generator needs, each with a pure parser beside it:
 * rlimits (/proc/self/limits), the capability bounding set (/proc/self/status), the gids the user
 * namespace maps (/proc/self/gid_map), mount flags of bind sources (/proc/self/mountinfo) and the
 * seccomp profile.
 */
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { hostname, release } from 'node:os';
import { type MountInfo, existingAncestor, mountOf, readMountInfo } from '../../system/host.js';
import { parseIdMapFile } from '../../rootless/idmap.js';
import { RLIM_INFINITY } from '../../oci/runtime.js';
import { UsageError } from '../../errors.js';
import { type SeccompProfile, parseSeccompProfile } from './seccomp.js';
import { ALL_CAPABILITIES } from './security.js';
import type { ContainerConfig, HostFacts, HostRlimit, SourceMountFlags } from './types.js';

const LIMIT_NAMES: Record<string, string> = {
  'Max cpu time': 'cpu',
  'Max file size': 'fsize',
  'Max data size': 'data',
  'Max stack size': 'stack',
  'Max core file size': 'core',
  'Max resident set': 'rss',
  'Max processes': 'nproc',
  'Max open files': 'nofile',
  'Max locked memory': 'memlock',
  'Max address space': 'as',
  'Max file locks': 'locks',
  'Max pending signals': 'sigpending',
  'Max msgqueue size': 'msgqueue',
  'Max nice priority': 'nice',
  'Max realtime priority': 'rtprio',
  'Max realtime timeout': 'rttime',
};

function limitValue(s: string): number | bigint {
  if (s === 'unlimited') return RLIM_INFINITY;
  const n = BigInt(s);
  return n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
}

/** /proc/PID/limits → soft/hard by rlimit name (`nofile`, `nproc`, …); `unlimited` = RLIM_INFINITY. */
export function parseProcLimits(text: string): Record<string, HostRlimit> {
  const out: Record<string, HostRlimit> = {};
  for (const line of text.split('\n')) {
    const m = /^(Max [a-z ]+?)\s{2,}(\S+)\s+(\S+)/.exec(line);
    const name = m ? LIMIT_NAMES[m[1]!] : undefined;
    if (!m || !name || !/^(\d+|unlimited)$/.test(m[2]!) || !/^(\d+|unlimited)$/.test(m[3]!)) continue;
    out[name] = { soft: limitValue(m[2]!), hard: limitValue(m[3]!) };
  }
  return out;
}

export function readHostRlimits(): Record<string, HostRlimit> {
  try {
    return parseProcLimits(readFileSync('/proc/self/limits', 'utf8'));
  } catch {
    return {};
  }
}

/** The `CapBnd:` mask of /proc/PID/status → capability names. */
export function parseCapBnd(status: string): string[] | undefined {
  const m = /^CapBnd:\s*([0-9a-fA-F]+)\s*$/m.exec(status);
  if (!m) return undefined;
  const mask = BigInt(`0x${m[1]}`);
  return ALL_CAPABILITIES.filter((_, i) => (mask >> BigInt(i)) & 1n);
}

export function readBoundingCaps(): string[] | undefined {
  try {
    return parseCapBnd(readFileSync('/proc/self/status', 'utf8'));
  } catch {
    return undefined;
  }
}

/** How many ids a uid_map/gid_map maps. */
export function mappedIdCount(mapText: string): number {
  return parseIdMapFile(mapText).reduce((n, m) => n + m.size, 0);
}

/**
 * gids mapped in the user namespace of `pid` — the pause process's, from the host; `self` from
 * inside the namespace.
 */
export function readAvailableGids(pid: number | 'self' = 'self'): number | undefined {
  try {
    return mappedIdCount(readFileSync(`/proc/${pid}/gid_map`, 'utf8'));
  } catch {
    return undefined;
  }
}

/** Does /proc/filesystems list `fs`? */
export function hasFilesystem(procFilesystems: string, fs: string): boolean {
  return procFilesystems.split('\n').some((l) => l.trim().split(/\s+/).pop() === fs);
}

/** The facts any caller can read without knowing the container: limits, caps, kernel, mqueue, hostname. */
export function readHostBasics(): Pick<HostFacts, 'rlimits' | 'boundingCaps' | 'arch' | 'kernel' | 'mqueue' | 'hostDevMqueue' | 'hostHostname'> {
  let filesystems = '';
  try {
    filesystems = readFileSync('/proc/filesystems', 'utf8');
  } catch {
    /* unknown: assume mqueue */
  }
  const caps = readBoundingCaps();
  return {
    rlimits: readHostRlimits(),
    ...(caps ? { boundingCaps: caps } : {}),
    arch: process.arch,
    kernel: release(),
    mqueue: filesystems === '' || hasFilesystem(filesystems, 'mqueue'),
    hostDevMqueue: existsSync('/dev/mqueue'),
    hostHostname: hostname(),
  };
}

/** nosuid/nodev/noexec of the filesystem holding `path`, from mountinfo. */
export function mountFlagsOf(path: string, mounts: MountInfo[]): SourceMountFlags {
  const m = mountOf(path, mounts);
  const opts = new Set((m?.options ?? '').split(','));
  return { nosuid: opts.has('nosuid'), nodev: opts.has('nodev'), noexec: opts.has('noexec') };
}

/** The host paths of a container's bind mounts (the sources whose flags matter). */
export function bindSources(config: ContainerConfig, initPath?: string): string[] {
  const out = config.mounts.filter((m) => m.type === 'bind').map((m) => m.source);
  if (config.init && initPath) out.push(initPath);
  return out;
}

/** Mount flags for each bind source (symlinks resolved, a missing path judged by its parent). */
export function readSourceMountFlags(paths: string[], mounts: MountInfo[] = readMountInfo()): Record<string, SourceMountFlags> {
  const out: Record<string, SourceMountFlags> = {};
  for (const p of paths) {
    let real: string;
    try {
      real = realpathSync(p);
    } catch {
      real = existingAncestor(p);
    }
    out[p] = mountFlagsOf(real, mounts);
  }
  return out;
}

/** Where the default profile is looked for, first found wins (Podman's order). */
export const SECCOMP_PROFILE_PATHS = ['/etc/containers/seccomp.json', '/usr/share/containers/seccomp.json'];

/**
 * The seccomp profile a container uses: `--security-opt seccomp=FILE`, else the host's default
 * profile; undefined for `unconfined` or when the host has none (then the container runs
 * without a seccomp filter, as the runtime's own default).
 */
export function readSeccompProfile(config: ContainerConfig, defaults: string[] = SECCOMP_PROFILE_PATHS): SeccompProfile | undefined {
  const p = config.seccompProfilePath;
  if (p === 'unconfined') return undefined;
  if (p !== undefined) {
    let text: string;
    try {
      text = readFileSync(p, 'utf8');
    } catch (err) {
      throw new UsageError(`opening seccomp profile ${p} failed: ${(err as Error).message}`);
    }
    return parseSeccompProfile(text, p);
  }
  for (const d of defaults) {
    let text: string;
    try {
      text = readFileSync(d, 'utf8');
    } catch {
      continue;
    }
    return parseSeccompProfile(text, d);
  }
  return undefined;
}
