import { readFileSync, readdirSync, readlinkSync, statSync } from 'node:fs';
import { TscCtrError, UsageError } from '../errors.js';
import type { ContainerContext } from './context.js';
import { currentState } from './state.js';
import type { ContainerRecord } from './types.js';

/**
 * `top`: the container's processes as psgo (Podman's library) shows them. psgo joins the
 * container's mount and user namespaces and reads its /proc; we read the host's /proc instead
 * (rootless has no cgroups here) and translate: processes are those whose pid namespace is the
 * container init's, pids/ppids/pgids are the container's own (NSpid), uids are mapped back
 * through the init's uid_map and named from the container's /etc/passwd.
 */

/** One process as read from /proc, already in the container's terms. */
export interface TopProcess {
  hostPid: number;
  pid: number;
  ppid: number;
  pgid: number;
  comm: string;
  args: string[];
  name: string;
  state: string;
  nice: string;
  ttyNr: number;
  /** clock ticks since boot */
  startTicks: number;
  cpuTicks: number;
  vsizeBytes: number;
  rssKb: string;
  /** real, effective (container ids) */
  uids: [number, number];
  gids: [number, number];
  groups: number[];
  hostUid: number;
  hostGid: number;
  hostGroups: number[];
  caps: { amb: string; inh: string; prm: string; eff: string; bnd: string };
  seccomp: string;
  label: string;
}

export interface TopEnv {
  nowMs: number;
  bootTimeSec: number;
  clockTicks: number;
  userName: (uid: number) => string;
  groupName: (gid: number) => string;
  hostUserName: (uid: number) => string;
  hostGroupName: (gid: number) => string;
  ttyName: (ttyNr: number) => string | undefined;
}

interface Descriptor {
  code?: string;
  normal: string;
  header: string;
  fn: (p: TopProcess, env: TopEnv) => string;
}

const CAPS = ['CHOWN', 'DAC_OVERRIDE', 'DAC_READ_SEARCH', 'FOWNER', 'FSETID', 'KILL', 'SETGID', 'SETUID', 'SETPCAP', 'LINUX_IMMUTABLE', 'NET_BIND_SERVICE', 'NET_BROADCAST', 'NET_ADMIN', 'NET_RAW', 'IPC_LOCK', 'IPC_OWNER', 'SYS_MODULE', 'SYS_RAWIO', 'SYS_CHROOT', 'SYS_PTRACE', 'SYS_PACCT', 'SYS_ADMIN', 'SYS_BOOT', 'SYS_NICE', 'SYS_RESOURCE', 'SYS_TIME', 'SYS_TTY_CONFIG', 'MKNOD', 'LEASE', 'AUDIT_WRITE', 'AUDIT_CONTROL', 'SETFCAP', 'MAC_OVERRIDE', 'MAC_ADMIN', 'SYSLOG', 'WAKE_ALARM', 'BLOCK_SUSPEND', 'AUDIT_READ', 'PERFMON', 'BPF', 'CHECKPOINT_RESTORE'];
const FULL_CAPS = 0x1ffffffffffn;

/** A capability mask from /proc/PID/status as psgo names it: "full", "none" or sorted names. */
export function capabilityNames(hex: string): string {
  const mask = BigInt(`0x${hex || '0'}`);
  if (mask === FULL_CAPS) return 'full';
  const names: string[] = [];
  for (let i = 0n; i < 64n; i++) if ((mask >> i) & 1n) names.push(CAPS[Number(i)] ?? 'unknown');
  return names.length ? names.sort().join(',') : 'none';
}

/** Go's time.Duration.String() for a number of nanoseconds. */
export function goDuration(ns: bigint): string {
  if (ns === 0n) return '0s';
  const neg = ns < 0n;
  let u = neg ? -ns : ns;
  const sign = neg ? '-' : '';
  const frac = (v: bigint, digits: number): string => {
    const s = v.toString().padStart(digits, '0').replace(/0+$/, '');
    return s ? `.${s}` : '';
  };
  if (u < 1_000_000_000n) {
    if (u < 1000n) return `${sign}${u}ns`;
    if (u < 1_000_000n) return `${sign}${u / 1000n}${frac(u % 1000n, 3)}µs`;
    return `${sign}${u / 1_000_000n}${frac(u % 1_000_000n, 6)}ms`;
  }
  const secsFrac = frac(u % 1_000_000_000n, 9);
  u /= 1_000_000_000n;
  const s = u % 60n;
  const m = (u / 60n) % 60n;
  const h = u / 3600n;
  if (h > 0n) return `${sign}${h}h${m}m${s}${secsFrac}s`;
  if (m > 0n) return `${sign}${m}m${s}${secsFrac}s`;
  return `${sign}${s}${secsFrac}s`;
}

const startSec = (p: TopProcess, e: TopEnv) => Math.trunc(p.startTicks / e.clockTicks) + e.bootTimeSec;
const elapsedNs = (p: TopProcess, e: TopEnv) => BigInt(Math.round(e.nowMs * 1e6)) - BigInt(startSec(p, e)) * 1_000_000_000n;
const cpuNs = (p: TopProcess, e: TopEnv) => BigInt(Math.trunc(p.cpuTicks / e.clockTicks)) * 1_000_000_000n;

/** Go's time.Time.String() in local time, as psgo's stime prints it. */
function goTime(sec: number): string {
  const d = new Date(sec * 1000);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  const off = -d.getTimezoneOffset();
  const offS = `${off < 0 ? '-' : '+'}${pad(Math.trunc(Math.abs(off) / 60))}${pad(Math.abs(off) % 60)}`;
  const zone = /\(([^)]+)\)/.exec(d.toString())?.[1] ?? '';
  const abbrev = /^[A-Z]{2,5}$/.test(zone) ? zone : new Intl.DateTimeFormat('en-US', { timeZoneName: 'short' }).formatToParts(d).find((x) => x.type === 'timeZoneName')?.value ?? offS;
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())} ${offS} ${abbrev}`;
}

/** psgo's AIX format descriptors: the code form (%C) and the normal form (pcpu) both work. */
export const DESCRIPTORS: Descriptor[] = [
  { code: '%C', normal: 'pcpu', header: '%CPU', fn: (p, e) => (Number(cpuNs(p, e)) / Number(elapsedNs(p, e)) * 100).toFixed(3) },
  { code: '%G', normal: 'group', header: 'GROUP', fn: (p, e) => e.groupName(p.gids[1]) },
  { normal: 'groups', header: 'GROUPS', fn: (p, e) => p.groups.map(e.groupName).join(',') },
  { code: '%P', normal: 'ppid', header: 'PPID', fn: (p) => String(p.ppid) },
  { code: '%U', normal: 'user', header: 'USER', fn: (p, e) => e.userName(p.uids[1]) },
  { normal: 'uid', header: 'UID', fn: (p) => String(p.uids[1]) },
  { code: '%a', normal: 'args', header: 'COMMAND', fn: (p) => (p.args.length === 0 || p.args[0] === '' ? `[${p.name}]` : p.args.join(' ')) },
  { code: '%c', normal: 'comm', header: 'COMMAND', fn: (p) => p.comm },
  { code: '%g', normal: 'rgroup', header: 'RGROUP', fn: (p, e) => e.groupName(p.gids[0]) },
  { code: '%n', normal: 'nice', header: 'NI', fn: (p) => p.nice },
  { code: '%p', normal: 'pid', header: 'PID', fn: (p) => String(p.pid) },
  { code: '%r', normal: 'pgid', header: 'PGID', fn: (p) => String(p.pgid) },
  { code: '%t', normal: 'etime', header: 'ELAPSED', fn: (p, e) => goDuration(elapsedNs(p, e)) },
  { code: '%u', normal: 'ruser', header: 'RUSER', fn: (p, e) => e.userName(p.uids[0]) },
  { code: '%x', normal: 'time', header: 'TIME', fn: (p, e) => goDuration(cpuNs(p, e)) },
  { code: '%y', normal: 'tty', header: 'TTY', fn: (p, e) => e.ttyName(p.ttyNr) ?? '?' },
  { code: '%z', normal: 'vsz', header: 'VSZ', fn: (p) => String(Math.trunc(p.vsizeBytes / 1024)) },
  { normal: 'capamb', header: 'AMBIENT CAPS', fn: (p) => capabilityNames(p.caps.amb) },
  { normal: 'capinh', header: 'INHERITED CAPS', fn: (p) => capabilityNames(p.caps.inh) },
  { normal: 'capprm', header: 'PERMITTED CAPS', fn: (p) => capabilityNames(p.caps.prm) },
  { normal: 'capeff', header: 'EFFECTIVE CAPS', fn: (p) => capabilityNames(p.caps.eff) },
  { normal: 'capbnd', header: 'BOUNDING CAPS', fn: (p) => capabilityNames(p.caps.bnd) },
  { normal: 'seccomp', header: 'SECCOMP', fn: (p) => ({ '0': 'disabled', '1': 'strict', '2': 'filter' })[p.seccomp] ?? '?' },
  { normal: 'label', header: 'LABEL', fn: (p) => p.label },
  { normal: 'hpid', header: 'HPID', fn: (p) => String(p.hostPid) },
  { normal: 'huser', header: 'HUSER', fn: (p, e) => e.hostUserName(p.hostUid) },
  { normal: 'huid', header: 'HUID', fn: (p) => String(p.hostUid) },
  { normal: 'hgroup', header: 'HGROUP', fn: (p, e) => e.hostGroupName(p.hostGid) },
  { normal: 'hgroups', header: 'HGROUPS', fn: (p) => p.hostGroups.join(',') },
  { normal: 'rss', header: 'RSS', fn: (p) => p.rssKb || '0' },
  { normal: 'state', header: 'STATE', fn: (p) => p.state },
  { normal: 'stime', header: 'STIME', fn: (p, e) => goTime(startSec(p, e)) },
];

export const DEFAULT_DESCRIPTORS = ['user', 'pid', 'ppid', 'pcpu', 'etime', 'tty', 'time', 'args'];

/** Descriptor arguments (separate or comma-separated, as Podman accepts them) to descriptors. */
export function parseDescriptors(args: string[]): Descriptor[] {
  const names = args.flatMap((a) => a.split(',')).map((s) => s.trim()).filter((s) => s !== '');
  return (names.length ? names : DEFAULT_DESCRIPTORS).map((n) => {
    const d = DESCRIPTORS.find((x) => x.code === n || x.normal === n);
    if (!d) throw new UsageError(`'${n}': unknown descriptor`);
    return d;
  });
}

/** Header row plus one row per process, cells in descriptor order. */
export function topTable(procs: TopProcess[], descriptors: Descriptor[], env: TopEnv): string[][] {
  return [descriptors.map((d) => d.header), ...procs.map((p) => descriptors.map((d) => d.fn(p, env)))];
}

// ---- reading /proc (the side effects) ----

interface IdMap {
  inside: number;
  outside: number;
  count: number;
}

function readIdMap(path: string): IdMap[] {
  try {
    return readFileSync(path, 'utf8')
      .trim()
      .split('\n')
      .map((l) => l.trim().split(/\s+/).map(Number))
      .filter((f) => f.length === 3)
      .map(([inside, outside, count]) => ({ inside: inside!, outside: outside!, count: count! }));
  } catch {
    return [];
  }
}

/** A host id to the id inside the container's user namespace (65534, the overflow id, if unmapped). */
function toInside(maps: IdMap[], hostId: number): number {
  for (const m of maps) if (hostId >= m.outside && hostId < m.outside + m.count) return m.inside + hostId - m.outside;
  return 65534;
}

function parseStatus(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const i = line.indexOf(':');
    if (i > 0) out.set(line.slice(0, i), line.slice(i + 1).trim());
  }
  return out;
}

const last = (v: string | undefined) => Number((v ?? '').split(/\s+/).pop() ?? 0);

function readProcess(hostPid: number, uidMap: IdMap[], gidMap: IdMap[]): (TopProcess & { hostPpid: number }) | undefined {
  try {
    const statText = readFileSync(`/proc/${hostPid}/stat`, 'latin1');
    const close = statText.lastIndexOf(')');
    const comm = statText.slice(statText.indexOf('(') + 1, close);
    // fields after the comm, starting at field 3 (state)
    const f = statText.slice(close + 2).split(' ');
    const st = parseStatus(readFileSync(`/proc/${hostPid}/status`, 'utf8'));
    const cmdline = readFileSync(`/proc/${hostPid}/cmdline`, 'utf8');
    const args = cmdline.split('\0');
    if (args[args.length - 1] === '') args.pop();
    let label = '?';
    try {
      label = readFileSync(`/proc/${hostPid}/attr/current`, 'utf8').replace(/\n+$/, '');
    } catch {
      /* no LSM: psgo says "?" */
    }
    const uids = (st.get('Uid') ?? '0').split(/\s+/).map(Number);
    const gids = (st.get('Gid') ?? '0').split(/\s+/).map(Number);
    const groups = (st.get('Groups') ?? '').split(/\s+/).filter(Boolean).map(Number);
    return {
      hostPid,
      hostPpid: Number(st.get('PPid') ?? 0),
      pid: last(st.get('NSpid')),
      ppid: 0,
      pgid: last(st.get('NSpgid')),
      comm,
      args,
      name: (st.get('Name') ?? comm).split(/\s+/)[0]!,
      state: (st.get('State') ?? f[0]!).split(/\s+/)[0]!,
      nice: f[16]!,
      ttyNr: Number(f[4]),
      startTicks: Number(f[19]),
      cpuTicks: Number(f[11]) + Number(f[12]),
      vsizeBytes: Number(f[20]),
      rssKb: (st.get('VmRSS') ?? '').replace(/\s*kB$/, ''),
      uids: [toInside(uidMap, uids[0]!), toInside(uidMap, uids[1]!)],
      gids: [toInside(gidMap, gids[0]!), toInside(gidMap, gids[1]!)],
      groups: groups.map((g) => toInside(gidMap, g)),
      hostUid: uids[1]!,
      hostGid: gids[1]!,
      hostGroups: groups,
      caps: { amb: st.get('CapAmb') ?? '0', inh: st.get('CapInh') ?? '0', prm: st.get('CapPrm') ?? '0', eff: st.get('CapEff') ?? '0', bnd: st.get('CapBnd') ?? '0' },
      seccomp: st.get('Seccomp') ?? '',
      label,
    };
  } catch {
    return undefined; // it exited while we read it
  }
}

/** Every process in the pid namespace of `initPid`, in pid order. */
export function containerProcesses(initPid: number): TopProcess[] {
  const ns = readlinkSync(`/proc/${initPid}/ns/pid`);
  const uidMap = readIdMap(`/proc/${initPid}/uid_map`);
  const gidMap = readIdMap(`/proc/${initPid}/gid_map`);
  const found: (TopProcess & { hostPpid: number })[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      if (readlinkSync(`/proc/${e}/ns/pid`) !== ns) continue;
    } catch {
      continue;
    }
    const p = readProcess(Number(e), uidMap, gidMap);
    if (p) found.push(p);
  }
  const byHost = new Map(found.map((p) => [p.hostPid, p]));
  for (const p of found) p.ppid = byHost.get(p.hostPpid)?.pid ?? 0;
  return found.sort((a, b) => a.pid - b.pid);
}

function idNames(file: string): Map<number, string> {
  const out = new Map<number, string>();
  try {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      const f = line.split(':');
      if (f.length >= 3 && /^\d+$/.test(f[2]!) && !out.has(Number(f[2]))) out.set(Number(f[2]), f[0]!);
    }
  } catch {
    /* no such file: numbers are shown */
  }
  return out;
}

function ttyDevices(root: string): Map<number, string> {
  const out = new Map<number, string>();
  const add = (dir: string, rel: string, filter: (n: string) => boolean) => {
    let names: string[];
    try {
      names = readdirSync(`${root}${dir}`);
    } catch {
      return;
    }
    for (const n of names) {
      if (!filter(n)) continue;
      try {
        const rdev = statSync(`${root}${dir}/${n}`).rdev;
        const major = Math.trunc(rdev / 256) & 0xfff;
        const minor = (rdev & 0xff) | (Math.trunc(rdev / 4096) & 0xfff00);
        const key = major * 0x100000 + minor;
        if (!out.has(key)) out.set(key, `${rel}${n}`);
      } catch {
        /* gone */
      }
    }
  };
  add('/dev', '', (n) => n.startsWith('tty'));
  add('/dev/pts', 'pts/', () => true);
  return out;
}

/** The environment the descriptors need, read from the host and the container's root. */
export function topEnvFor(initPid: number, now = Date.now()): TopEnv {
  const root = `/proc/${initPid}/root`;
  const users = idNames(`${root}/etc/passwd`);
  const groups = idNames(`${root}/etc/group`);
  const hostUsers = idNames('/etc/passwd');
  const hostGroups = idNames('/etc/group');
  const btime = /^btime\s+(\d+)/m.exec(readFileSync('/proc/stat', 'utf8'))?.[1];
  const ttys = ttyDevices(root);
  return {
    nowMs: now,
    bootTimeSec: Number(btime ?? 0),
    clockTicks: 100, // sysconf(_SC_CLK_TCK) is 100 on every Linux architecture Node runs on
    userName: (u) => users.get(u) ?? String(u),
    groupName: (g) => groups.get(g) ?? String(g),
    hostUserName: (u) => hostUsers.get(u) ?? String(u),
    hostGroupName: (g) => hostGroups.get(g) ?? String(g),
    ttyName: (nr) => {
      const major = (nr >> 8) & 0xff;
      const minor = (nr & 0xff) | ((nr >> 20) & 0xfff);
      return ttys.get(major * 0x100000 + minor);
    },
  };
}

export class ContainerNotRunningError extends TscCtrError {
  constructor(message: string) {
    super(message, { code: 'TSC_ERR_CTR_STATE' });
  }
}

/** `top CONTAINER [descriptors...]`: rows of cells, the header first. */
export function topContainer(ctx: ContainerContext, rec: ContainerRecord, descriptorArgs: string[]): string[][] {
  const descriptors = parseDescriptors(descriptorArgs);
  const s = currentState(ctx.containers, rec);
  if (s.status !== 'running' || !s.pid) throw new ContainerNotRunningError('top can only be used on running containers');
  let procs: TopProcess[];
  try {
    procs = containerProcesses(s.pid);
  } catch (err) {
    throw new ContainerNotRunningError(`reading the processes of container ${rec.id}: ${(err as Error).message}`);
  }
  return topTable(procs, descriptors, topEnvFor(s.pid));
}
