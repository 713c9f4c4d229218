/**
 * The spec's `process`: args (entrypoint/cmd rules), environment, cwd, user and groups, rlimits.
 * Rules from Podman's pkg/specgen/generate/{oci,container}.go and libpod's generateSpec.
 */
import { posix } from 'node:path';
import { UsageError } from '../../errors.js';
import type { ImageRuntimeConfig } from '../../oci/image.js';
import { RLIM_INFINITY, type POSIXRlimit, type RlimitValue, type User } from '../../oci/runtime.js';
import { type ExecUser, type UserFiles, resolveAdditionalGroups, resolveUser } from '../passwd.js';
import { CONTAINER_INIT_PATH } from './mounts.js';
import type { ContainerConfig, HostFacts } from './types.js';

export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/**
 * The value of `container=` in the environment. Programs inside test it to know they run in a
 * container, and some compare the value: systemd maps the names it knows (docker, podman, lxc,
 * …) to its virtualization type and reports anything else as "container-other". tsc-ctr gives the
 * container exactly the environment rootless Podman does (same runtimes, namespaces, mounts,
 * /run/.containerenv), so it says `podman`: images, units and scripts written for Podman
 * (`ConditionVirtualization=podman`, checks in entrypoints) then behave the same under tsc-ctr.
 */
export const CONTAINER_ENV_VALUE = 'podman';

/** Podman's default for RLIMIT_NOFILE and RLIMIT_NPROC (the kernel's default nr_open). */
export const RLIMIT_DEFAULT = 1048576;

/** Host variables `--http-proxy` passes on (containers/common ProxyEnv). */
export const PROXY_ENV = ['http_proxy', 'HTTP_PROXY', 'https_proxy', 'HTTPS_PROXY', 'ftp_proxy', 'FTP_PROXY', 'no_proxy', 'NO_PROXY'];

export const NO_COMMAND = 'no command or entrypoint provided, and no CMD or ENTRYPOINT from image';

/**
 * The process args before `--init` (Podman's makeCommand): the entrypoint (given, else the
 * image's; `['']` means none), then the command given, else the image CMD — but only when no
 * entrypoint was given (Docker: `--entrypoint` discards the image CMD).
 */
export function resolveCommand(entrypoint: string[] | undefined, command: string[], image?: ImageRuntimeConfig): string[] {
  const ep = entrypoint ?? image?.Entrypoint ?? [];
  const args = ep.length === 1 && ep[0] === '' ? [] : [...ep];
  let cmd = command;
  if (cmd.length === 0 && (entrypoint === undefined || entrypoint.length === 0)) cmd = image?.Cmd ?? [];
  args.push(...cmd);
  if (args.length === 0) throw new UsageError(NO_COMMAND);
  return args;
}

/** The final process args: with --init, `[/run/podman-init, --, …]`. */
export function processArgs(config: ContainerConfig, image?: ImageRuntimeConfig): string[] {
  const args = resolveCommand(config.entrypoint, config.command, image);
  return config.init ? [CONTAINER_INIT_PATH, '--', ...args] : args;
}

function setEntry(env: Map<string, string>, entry: string): void {
  const eq = entry.indexOf('=');
  if (eq > 0) env.set(entry.slice(0, eq), entry.slice(eq + 1));
}

/**
 * The environment, in this order of precedence (later wins, a replaced variable keeps its place):
 * defaults (TERM, container, PATH) < image Env < [unsetenv] < host variables (--env-host,
 * --http-proxy) < --env-file < --env; then HOME and HOSTNAME unless set.
 */
export function processEnv(config: ContainerConfig, image: ImageRuntimeConfig | undefined, home: string, hostname: string | undefined): string[] {
  let env = new Map<string, string>([
    ['TERM', 'xterm'],
    ['container', CONTAINER_ENV_VALUE],
    ['PATH', DEFAULT_PATH],
  ]);
  for (const e of image?.Env ?? []) setEntry(env, e);
  for (const k of config.unsetEnv) env.delete(k);
  if (config.unsetEnvAll) env = new Map();
  for (const e of config.hostEnv) setEntry(env, e);
  for (const e of config.env) setEntry(env, e);
  if (!env.has('HOME')) env.set('HOME', home);
  if (hostname !== undefined && !env.has('HOSTNAME')) env.set('HOSTNAME', hostname);
  return [...env].map(([k, v]) => `${k}=${v}`);
}

/** The working directory: --workdir, else the image's, else `/`. */
export function processCwd(config: ContainerConfig, image?: ImageRuntimeConfig): string {
  const wd = config.workdir || image?.WorkingDir || '/';
  return posix.normalize(wd.startsWith('/') ? wd : `/${wd}`);
}

/** The user spec in effect: --user, else the image's USER. */
export function userSpec(config: ContainerConfig, image?: ImageRuntimeConfig): string {
  return config.user ?? image?.User ?? '';
}

export interface ResolvedProcessUser {
  user: User;
  exec: ExecUser;
  /** HOME for the environment: the passwd entry's, else `/` (runc's default). */
  home: string;
}

/**
 * uid, gid, umask and supplementary groups: the primary gid (when a user was named), the
 * --group-add groups, then (unless a group was given) the groups listing the user — skipping, when
 * rootless, gids the user namespace does not map.
 */
export function processUser(config: ContainerConfig, image: ImageRuntimeConfig | undefined, users: UserFiles, host: HostFacts, warnings: string[]): ResolvedProcessUser {
  const spec = userSpec(config, image);
  const exec = resolveUser(spec, users);
  const gids: number[] = [];
  const add = (g: number) => {
    if (!gids.includes(g)) gids.push(g);
  };
  if (spec !== '') add(exec.gid);
  if (config.groupAdd.includes('keep-groups')) {
    throw new UsageError('--group-add keep-groups is not supported (it needs crun and a runtime that keeps the caller\'s groups)');
  }
  for (const g of resolveAdditionalGroups(config.groupAdd, users.group)) add(g);
  if (!spec.includes(':')) {
    const limit = host.rootless && host.availableGids !== undefined ? host.availableGids : Infinity;
    for (const g of exec.sgids) {
      if (g < limit) add(g);
      else warnings.push(`Additional gid=${g} is not present in the user namespace, skip setting it`);
    }
  }
  const user: User = { uid: exec.uid, gid: exec.gid, umask: config.umask };
  if (gids.length > 0) user.additionalGids = gids;
  return { user, exec, home: exec.home || '/' };
}

function hostLimit(host: HostFacts, type: string): { soft?: RlimitValue; hard?: RlimitValue } {
  return host.rlimits?.[type.replace(/^RLIMIT_/, '').toLowerCase()] ?? {};
}

function min(a: RlimitValue, b: RlimitValue): RlimitValue {
  return a < b ? a : b;
}

/**
 * rlimits: the user's (`-1` = unlimited; rootless, the host's hard limit, which is as far as an
 * unprivileged process may go), then NOFILE and NPROC defaults of 1048576 — rootless, or root
 * without CAP_SYS_RESOURCE, capped at the host's current limits, which cannot be raised then
 * (Podman HEAD's needsClamping).
 */
export function processRlimits(config: ContainerConfig, host: HostFacts): POSIXRlimit[] | undefined {
  if (config.ulimitHost) return undefined;
  const out: POSIXRlimit[] = [];
  for (const r of config.rlimits) {
    const max = host.rootless || host.canRaiseRlimits === false ? (hostLimit(host, r.type).hard ?? RLIM_INFINITY) : RLIM_INFINITY;
    const v = (n: number): RlimitValue => (n === -1 ? max : n);
    const entry = { type: r.type, hard: v(r.hard), soft: v(r.soft) };
    const i = out.findIndex((x) => x.type === r.type);
    if (i >= 0) out[i] = entry;
    else out.push(entry);
  }
  for (const type of ['RLIMIT_NOFILE', 'RLIMIT_NPROC']) {
    if (out.some((x) => x.type === type)) continue;
    let hard: RlimitValue = RLIMIT_DEFAULT;
    let soft: RlimitValue = RLIMIT_DEFAULT;
    if (host.rootless || host.canRaiseRlimits === false) {
      const h = hostLimit(host, type);
      if (h.hard !== undefined) hard = min(hard, h.hard);
      if (h.soft !== undefined) soft = min(soft, h.soft);
      if (soft > hard) soft = hard;
    }
    out.push({ type, hard, soft });
  }
  return out;
}
