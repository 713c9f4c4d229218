import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { dirname } from 'node:path';

/** Facts about the host read from /etc and /proc: pure parsers plus thin readers. */

export interface OsRelease {
  id: string;
  idLike: string[];
  versionId: string;
  codename: string;
  variantId: string;
  prettyName: string;
}

/** Parse os-release(5): KEY=value lines, values optionally quoted. */
export function parseOsRelease(text: string): OsRelease {
  const kv: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (!m) continue;
    let v = m[2]!.trim();
    if ((v.startsWith('"') && v.endsWith('"')) || (v.startsWith("'") && v.endsWith("'"))) v = v.slice(1, -1).replace(/\\(["'$`\\])/g, '$1');
    kv[m[1]!] = v;
  }
  return {
    id: kv.ID ?? 'linux',
    idLike: (kv.ID_LIKE ?? '').split(/\s+/).filter(Boolean),
    versionId: kv.VERSION_ID ?? '',
    codename: kv.VERSION_CODENAME ?? '',
    variantId: kv.VARIANT_ID ?? '',
    prettyName: kv.PRETTY_NAME ?? '',
  };
}

let osReleaseMemo: OsRelease | undefined;

export function readOsRelease(): OsRelease {
  if (osReleaseMemo) return osReleaseMemo;
  for (const p of ['/etc/os-release', '/usr/lib/os-release']) {
    try {
      return (osReleaseMemo = parseOsRelease(readFileSync(p, 'utf8')));
    } catch {
      /* next */
    }
  }
  return (osReleaseMemo = parseOsRelease(''));
}

export interface MountInfo {
  mountPoint: string;
  fsType: string;
  source: string;
  options: string;
}

/** mountinfo escapes space, tab, newline and backslash as octal. */
function unescapeMount(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}

/** Parse /proc/self/mountinfo (proc(5)): fields before ` - ` then fstype, source, super options. */
export function parseMountInfo(text: string): MountInfo[] {
  const out: MountInfo[] = [];
  for (const line of text.split('\n')) {
    const sep = line.indexOf(' - ');
    if (sep < 0) continue;
    const pre = line.slice(0, sep).split(' ');
    const post = line.slice(sep + 3).split(' ');
    if (pre.length < 6 || post.length < 2) continue;
    out.push({ mountPoint: unescapeMount(pre[4]!), fsType: post[0]!, source: unescapeMount(post[1]!), options: `${pre[5]},${post[2] ?? ''}` });
  }
  return out;
}

export function readMountInfo(): MountInfo[] {
  try {
    return parseMountInfo(readFileSync('/proc/self/mountinfo', 'utf8'));
  } catch {
    return [];
  }
}

/** The mount a path lives on: the last-mounted entry with the longest matching mount point. */
export function mountOf(path: string, mounts: MountInfo[]): MountInfo | undefined {
  let best: MountInfo | undefined;
  for (const m of mounts) {
    const mp = m.mountPoint;
    const inside = mp === '/' || path === mp || path.startsWith(mp.endsWith('/') ? mp : `${mp}/`);
    if (inside && (!best || mp.length >= best.mountPoint.length)) best = m;
  }
  return best;
}

/** The nearest existing ancestor of `path`, symlinks resolved (the storage root may not exist yet). */
export function existingAncestor(path: string): string {
  let p = path;
  for (;;) {
    if (existsSync(p)) {
      try {
        return realpathSync(p);
      } catch {
        return p;
      }
    }
    const up = dirname(p);
    if (up === p) return '/';
    p = up;
  }
}

/** Filesystem type name of the mount holding `path` ('ext4', 'overlay', 'nfs4', 'fuse.sshfs'…). */
export function fsTypeOf(path: string, mounts: MountInfo[] = readMountInfo()): string {
  return mountOf(existingAncestor(path), mounts)?.fsType ?? 'unknown';
}

export interface MemInfo {
  memTotal: number;
  memFree: number;
  swapTotal: number;
  swapFree: number;
}

/** /proc/meminfo in bytes; memFree is MemAvailable, as Podman reports it. */
export function parseMemInfo(text: string): MemInfo {
  const kv: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const m = /^(\w+):\s+(\d+)(?:\s+kB)?/.exec(line);
    if (m) kv[m[1]!] = Number(m[2]) * (line.includes('kB') ? 1024 : 1);
  }
  return {
    memTotal: kv.MemTotal ?? 0,
    memFree: kv.MemAvailable ?? kv.MemFree ?? 0,
    swapTotal: kv.SwapTotal ?? 0,
    swapFree: kv.SwapFree ?? 0,
  };
}

export function readMemInfo(): MemInfo {
  try {
    return parseMemInfo(readFileSync('/proc/meminfo', 'utf8'));
  } catch {
    return { memTotal: 0, memFree: 0, swapTotal: 0, swapFree: 0 };
  }
}

/** Podman's uptime text: `264h 14m 32.73s (Approximately 11.00 days)`. */
export function formatUptime(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds - h * 3600 - m * 60;
  return `${h}h ${m}m ${s.toFixed(2)}s (Approximately ${(seconds / 86400).toFixed(2)} days)`;
}

export function readUptimeSeconds(): number {
  try {
    return Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]) || 0;
  } catch {
    return 0;
  }
}

/** Read a one-line /proc or /sys value; undefined when the file does not exist. */
export function readSysValue(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** The login name of `uid` from /etc/passwd, else $USER, else the number. */
export function userNameOf(uid: number, env: NodeJS.ProcessEnv = process.env): string {
  try {
    for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
      const f = line.split(':');
      if (f[2] === String(uid) && f[0]) return f[0];
    }
  } catch {
    /* fall through */
  }
  return env.USER || String(uid);
}
