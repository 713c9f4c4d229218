/**
 * From the strings of the command line to a validated {@link ContainerConfig} (create time), with
 * Podman's parsing rules (pkg/specgenutil, pkg/env, docker/go-units). Everything that depends on
 * the caller's environment or cwd (`-e K`, `./dir` sources) is resolved here, once.
 */
import { posix } from 'node:path';
import { UsageError } from '../../errors.js';
import { parseSignal } from '../../container/signals.js';
import { collectMounts } from './mount-flags.js';
import { processMountOptions } from './mounts.js';
import { PROXY_ENV } from './process.js';
import { normalizeCapabilities, parseSysctl, sysctls } from './security.js';
import { parseNetworkFlag, parseNetworkRequest } from '../../net/parse.js';
import type { ContainerConfig, ContainerCreateOptions, NamespaceMode, NetworkMode, RlimitRequest } from './types.js';

export type HostEnv = Record<string, string | undefined>;

/** Default /dev/shm size: 64 MiB (Docker's; Podman's "65536k" parses to 64,000 KiB). */
export const DEFAULT_SHM_SIZE = 64 * 1024 * 1024;

/**
 * `--entrypoint`: a JSON array of strings if it parses as one (`'["sh","-c"]'`, `'[]'`), else one
 * word (`''` included: `['']` means "no entrypoint").
 */
export function parseEntrypoint(s: string): string[] {
  const t = s.trim();
  if (t.startsWith('[')) {
    try {
      const v: unknown = JSON.parse(t);
      if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
    } catch {
      /* not JSON: a plain word */
    }
  }
  return [s];
}

/**
 * One `-e`/env-file entry into `env` (Podman's parseEnv): `K=V`; `K` takes the host's value (and
 * is dropped when unset); `K*` takes every host variable starting with K.
 */
export function applyEnvEntry(env: Map<string, string>, line: string, hostEnv: HostEnv): void {
  const eq = line.indexOf('=');
  const key = eq < 0 ? line : line.slice(0, eq);
  if (key === '' || key.trim() === '') throw new UsageError(`invalid environment variable: "${line}"`);
  const name = key.replace(/^[ \t]+/, '');
  if (eq >= 0) {
    env.set(name, line.slice(eq + 1));
    return;
  }
  if (name.endsWith('*')) {
    const prefix = name.slice(0, -1);
    for (const [k, v] of Object.entries(hostEnv)) if (v !== undefined && k.startsWith(prefix)) env.set(k, v);
    return;
  }
  const v = hostEnv[name];
  if (v !== undefined) env.set(name, v);
}

/** `--env-file` text: one entry per line; blank lines and `#` comments skipped; CRLF accepted. */
export function parseEnvFile(text: string, hostEnv: HostEnv, env: Map<string, string> = new Map()): Map<string, string> {
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '').replace(/^[ \t]+/, '');
    if (line === '' || line.startsWith('#')) continue;
    applyEnvEntry(env, line, hostEnv);
  }
  return env;
}

/**
 * A size with binary units (go-units RAMInBytes): `64m`, `1.5g`, `512k`, `100`, `10MiB`, `2 GB`.
 * Units b, k, m, g, t, p; case-insensitive; an optional `b`/`ib` after the unit.
 */
export function parseSize(s: string): number {
  const m = /^\s*(\d+(?:\.\d+)*)\s?([a-zA-Z]*)\s*$/.exec(s);
  if (!m) throw new UsageError(`invalid size: '${s}'`);
  const num = Number(m[1]);
  if (!Number.isFinite(num)) throw new UsageError(`invalid size: '${s}'`);
  const sfx = m[2]!.toLowerCase();
  if (sfx === '' || sfx === 'b') return Math.floor(num);
  const mul: Record<string, number> = { k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5 };
  const unit = mul[sfx[0]!];
  if (unit === undefined || sfx.length > 3 || (sfx.length === 2 && sfx[1] !== 'b') || (sfx.length === 3 && sfx.slice(1) !== 'ib')) {
    throw new UsageError(`invalid suffix: '${sfx}' in size '${s}'`);
  }
  return Math.floor(num * unit);
}

/** Names `--ulimit` accepts (go-units; `as` is left out, as Docker does). */
export const ULIMIT_NAMES = ['core', 'cpu', 'data', 'fsize', 'locks', 'memlock', 'msgqueue', 'nice', 'nofile', 'nproc', 'rss', 'rtprio', 'rttime', 'sigpending', 'stack'];

function parseLimit(s: string, arg: string): number {
  if (!/^[+-]?\d+$/.test(s)) throw new UsageError(`ulimit option "${arg}" requires name=SOFT:HARD, failed to be parsed: invalid number "${s}"`);
  const n = Number(s);
  if (n < -1 || !Number.isSafeInteger(n)) throw new UsageError(`ulimit option "${arg}": value ${s} out of range`);
  return n;
}

/** `--ulimit nofile=1024:2048`, `nproc=512`, `core=-1` (unlimited). */
export function parseUlimit(s: string): RlimitRequest {
  const eq = s.indexOf('=');
  if (eq < 0) throw new UsageError(`invalid ulimit argument: ${s}`);
  const name = s.slice(0, eq);
  if (!ULIMIT_NAMES.includes(name)) throw new UsageError(`invalid ulimit type: ${name}`);
  const vals = s.slice(eq + 1).split(':');
  if (vals.length > 2) throw new UsageError(`too many limit value arguments - ${s.slice(eq + 1)}, can only have up to two, \`soft[:hard]\``);
  const soft = parseLimit(vals[0]!, s);
  const hard = vals.length === 2 ? parseLimit(vals[1]!, s) : soft;
  if (hard !== -1) {
    if (soft === -1) throw new UsageError(`ulimit soft limit must be less than or equal to hard limit: soft: -1 (unlimited), hard: ${hard}`);
    if (soft > hard) throw new UsageError(`ulimit soft limit must be less than or equal to hard limit: ${soft} > ${hard}`);
  }
  return { type: `RLIMIT_${name.toUpperCase()}`, soft, hard };
}

export interface SecurityOptions {
  noNewPrivileges: boolean;
  seccompProfilePath?: string;
  mask: string[];
  unmask: string[];
  procOpts?: string[];
}

/**
 * `--security-opt`: `no-new-privileges[=bool]`, `seccomp=unconfined|FILE`, `mask=/a:/b`,
 * `unmask=ALL|/a:/b`, `systempaths=unconfined`, `proc-opts=…`, `label=…` (no SELinux here:
 * accepted and ignored, as Podman does on a host without it), `apparmor=unconfined`.
 * Docker's `key:value` form is accepted too.
 */
export function parseSecurityOpts(opts: string[]): SecurityOptions {
  const out: SecurityOptions = { noNewPrivileges: false, mask: [], unmask: [] };
  for (const opt of opts) {
    const sep = opt.includes('=') ? '=' : ':';
    const i = opt.indexOf(sep);
    const key = i < 0 ? opt : opt.slice(0, i);
    const val = i < 0 ? undefined : opt.slice(i + 1);
    if (val === undefined && key !== 'no-new-privileges') throw new UsageError(`invalid --security-opt "${opt}": expected key=value`);
    switch (key) {
      case 'no-new-privileges': {
        if (val === undefined) out.noNewPrivileges = true;
        else if (/^(1|t|true)$/i.test(val)) out.noNewPrivileges = true;
        else if (/^(0|f|false)$/i.test(val)) out.noNewPrivileges = false;
        else throw new UsageError(`invalid --security-opt "${opt}": no-new-privileges takes true or false`);
        break;
      }
      case 'seccomp':
        if (!val) throw new UsageError(`invalid --security-opt "${opt}": seccomp needs unconfined or a profile path`);
        out.seccompProfilePath = val;
        break;
      case 'mask':
        out.mask.push(...val!.split(':').filter(Boolean));
        break;
      case 'unmask':
        out.unmask.push(...val!.split(':').filter(Boolean));
        break;
      case 'systempaths':
        if (val !== 'unconfined') throw new UsageError(`invalid systempaths option "${val}", only \`unconfined\` is supported`);
        out.unmask.push('ALL');
        break;
      case 'proc-opts':
        out.procOpts = val!.split(',').filter(Boolean);
        break;
      case 'label':
        break;
      case 'apparmor':
        if (val !== 'unconfined') throw new UsageError(`apparmor profile "${val}" specified, but AppArmor is not supported by tsc-ctr`);
        break;
      default:
        throw new UsageError(`invalid --security-opt "${opt}": unknown option "${key}"`);
    }
  }
  return out;
}

/** `K=V` lists (labels, annotations): `K` alone means an empty value. */
export function parseKeyValues(list: string[], what: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const s of list) {
    const i = s.indexOf('=');
    const k = i < 0 ? s : s.slice(0, i);
    if (k === '') throw new UsageError(`invalid ${what} "${s}": empty key`);
    out[k] = i < 0 ? '' : s.slice(i + 1);
  }
  return out;
}

/** `--umask 022` (octal, up to 4 digits). */
export function parseUmask(s: string): number {
  if (!/^[0-7]{1,4}$/.test(s)) throw new UsageError(`invalid umask string ${s}`);
  return parseInt(s, 8);
}

/** `--pid/--ipc/--uts/--cgroupns`: `host` or `private` (the default). */
export function parseNamespaceMode(flag: string, v: string | undefined): NamespaceMode {
  if (v === undefined || v === '' || v === 'private') return 'private';
  if (v === 'host') return 'host';
  throw new UsageError(`--${flag}=${v} is not supported: use host or private`);
}

/** `--network`: `none`, `host`, or a namespace we make or join (src/net/parse.ts has the details). */
export function parseNetworkMode(v: string | undefined): NetworkMode {
  const kind = parseNetworkFlag(v).kind;
  return kind === 'none' || kind === 'host' ? kind : 'private';
}

function list(v: string[] | string | undefined): string[] {
  if (v === undefined) return [];
  return Array.isArray(v) ? v : [v];
}

export interface PrepareContext {
  /** The environment of the user running `create` (for `-e K`, `--env-host`, proxies). */
  env: HostEnv;
  /** The directory relative host paths (`-v ./data:/data`) are resolved against. */
  cwd: string;
}

/** Validate and normalise the command line into the data the container record keeps. */
export function prepareCreateOptions(o: ContainerCreateOptions, ctx: PrepareContext): ContainerConfig {
  // --env-file first, then -e (Podman: "env-file overrides any previous variables", then env).
  const env = new Map<string, string>();
  for (const text of list(o.envFile)) parseEnvFile(text, ctx.env, env);
  for (const e of list(o.env)) applyEnvEntry(env, e, ctx.env);

  const hostEnv: string[] = [];
  if (o.envHost) {
    for (const [k, v] of Object.entries(ctx.env)) if (v !== undefined) hostEnv.push(`${k}=${v}`);
  } else if (o.httpProxy ?? true) {
    for (const k of PROXY_ENV) {
      const v = ctx.env[k];
      if (v !== undefined) hostEnv.push(`${k}=${v}`);
    }
  }

  if (o.workdir !== undefined && o.workdir !== '' && !o.workdir.startsWith('/')) {
    throw new UsageError(`invalid --workdir "${o.workdir}": must be an absolute path`);
  }
  const uts = parseNamespaceMode('uts', o.uts);
  if (o.hostname && uts === 'host') throw new UsageError('cannot set hostname when running in the host UTS namespace');

  const ulimits = list(o.ulimit);
  const ulimitHost = ulimits.includes('host');
  const rlimits = ulimitHost ? [] : ulimits.map(parseUlimit);

  let shmSize = DEFAULT_SHM_SIZE;
  if (o.shmSize !== undefined && o.shmSize !== '') {
    shmSize = parseSize(o.shmSize);
    if (shmSize <= 0) throw new UsageError(`--shm-size must be larger than 0: ${o.shmSize}`);
  }

  const sec = parseSecurityOpts(list(o.securityOpt));
  const { mounts, volumes } = collectMounts({ volume: list(o.volume), mount: list(o.mount), tmpfs: list(o.tmpfs) }, ctx.cwd);
  // Option errors the start would hit (`--tmpfs /t:bogus`, `-v /a:/b:size=1m`) are reported now.
  for (const m of mounts) processMountOptions(m.options, m.type === 'tmpfs');
  for (const v of volumes) processMountOptions(v.options, false);

  const imageVolume = o.imageVolume ?? 'anonymous';
  if (imageVolume !== 'anonymous' && imageVolume !== 'tmpfs' && imageVolume !== 'ignore') {
    throw new UsageError(`invalid --image-volume "${imageVolume}": use anonymous, tmpfs or ignore`);
  }

  const config: ContainerConfig = {
    ...(o.entrypoint !== undefined ? { entrypoint: parseEntrypoint(o.entrypoint) } : {}),
    command: list(o.command),
    env: [...env].map(([k, v]) => `${k}=${v}`),
    hostEnv,
    unsetEnv: list(o.unsetenv),
    unsetEnvAll: !!o.unsetenvAll,
    ...(o.workdir ? { workdir: posix.normalize(o.workdir) } : {}),
    ...(o.user !== undefined && o.user !== '' ? { user: o.user } : {}),
    groupAdd: list(o.groupAdd),
    ...(o.hostname ? { hostname: o.hostname } : {}),
    capAdd: normalizeCapabilities(list(o.capAdd)),
    capDrop: normalizeCapabilities(list(o.capDrop)),
    privileged: !!o.privileged,
    readOnly: !!o.readOnly,
    readOnlyTmpfs: o.readOnlyTmpfs ?? true,
    mounts,
    volumes,
    imageVolumeMode: imageVolume,
    init: !!o.init,
    ...(o.initPath ? { initPath: o.initPath } : {}),
    rlimits,
    ulimitHost,
    shmSize,
    noNewPrivileges: sec.noNewPrivileges,
    ...(sec.seccompProfilePath !== undefined ? { seccompProfilePath: sec.seccompProfilePath } : {}),
    mask: sec.mask,
    unmask: sec.unmask,
    ...(sec.procOpts ? { procOpts: sec.procOpts } : {}),
    ...(o.stopSignal !== undefined && o.stopSignal !== '' ? { stopSignal: parseSignal(o.stopSignal) } : {}),
    annotations: parseKeyValues(list(o.annotation), 'annotation'),
    labels: parseKeyValues(list(o.label), 'label'),
    tty: !!o.tty,
    interactive: !!o.interactive,
    sysctls: Object.fromEntries(list(o.sysctl).map(parseSysctl)),
    network: parseNetworkMode(o.network),
    net: parseNetworkRequest(o),
    pid: parseNamespaceMode('pid', o.pid),
    ipc: parseNamespaceMode('ipc', o.ipc),
    uts,
    ...(o.cgroupns !== undefined && o.cgroupns !== '' ? { cgroupns: parseNamespaceMode('cgroupns', o.cgroupns) } : {}),
    umask: o.umask !== undefined && o.umask !== '' ? parseUmask(o.umask) : 0o022,
    autoRemove: !!o.rm,
    publishAll: !!o.publishAll,
  };
  if (config.capAdd.includes('ALL') && config.capDrop.includes('ALL')) throw new UsageError('adding all caps and removing all caps not allowed');
  for (const c of config.capAdd) if (c !== 'ALL' && config.capDrop.includes(c)) throw new UsageError(`capability "${c}" cannot be dropped and added`);
  if (config.init && config.pid !== 'private') throw new UsageError("cannot add init binary as PID 1 (PID namespace isn't private)");
  sysctls(config); // sysctls that a shared host namespace owns are refused now, not at start
  return config;
}
