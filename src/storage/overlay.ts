import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, statSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { TscCtrError } from '../errors.js';
import { type NsExec, wrap } from '../rootless/ns-exec.js';

export interface OverlayMount {
  /** Lower dirs, topmost first, relative to `cwd` (short `l/XXXX` links) or absolute. */
  lowers: string[];
  upper: string;
  work: string;
  merged: string;
  /** Directory the relative lower paths are resolved from (the storage root). */
  cwd: string;
  rootless: boolean;
  /** Native overlay (default) or fuse-overlayfs over the same directories. */
  driver?: 'overlay' | 'fuse-overlayfs';
}

/** Mount options for one overlay; pure, so the page-size limit can be tested. */
export function overlayOptions(m: Pick<OverlayMount, 'lowers' | 'upper' | 'work' | 'rootless'>): string {
  if (m.lowers.length === 0) throw new TscCtrError('overlay mount needs at least one lower layer');
  if (m.lowers.length > 500) throw new TscCtrError(`image has ${m.lowers.length} layers: overlay supports at most 500`);
  // userxattr: unprivileged overlay (kernel ≥ 5.11) keeps whiteout/opaque markers in user.* xattrs.
  const opts = [`lowerdir=${m.lowers.join(':')}`, `upperdir=${m.upper}`, `workdir=${m.work}`];
  if (m.rootless) opts.push('userxattr');
  const s = opts.join(',');
  if (s.length >= 4096) throw new TscCtrError(`overlay mount options are ${s.length} bytes, over the kernel's page limit`);
  return s;
}

/** Run a mount-table command in the namespace, from `cwd` there; stderr kept for the error. */
export function runIn(ns: NsExec, argv: string[], cwd: string): Promise<{ code: number; stderr: string }> {
  // Relative lower paths must resolve inside the namespace we mount in: nsenter's --wd opens
  // the directory before it enters the namespaces (a host-side path: overlay then refuses the
  // lower dir with "failed to clone lowerpath"), so change directory once inside.
  const full = ns.prefix.length ? ['/bin/sh', '-c', 'cd "$0" && exec "$@"', cwd, ...argv] : argv;
  const [cmd, args] = wrap(ns, full);
  return new Promise((resolve, reject) => {
    const c = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], env: ns.env, cwd });
    let err = '';
    c.stderr.on('data', (d: Buffer) => (err += d.toString()));
    c.on('error', reject);
    c.on('close', (code) => resolve({ code: code ?? 1, stderr: err.trim() }));
  });
}

/** Permission bits of a layer's root (0755 when it cannot be read). */
function rootModeOf(dir: string | undefined): number {
  try {
    return dir === undefined ? 0o755 : statSync(dir).mode & 0o7777;
  } catch {
    return 0o755;
  }
}

/** `path` relative to `cwd` when it lies below it: shorter mount options, room for more lowers. */
export function shortPath(path: string, cwd: string): string {
  const r = relative(cwd, path);
  return r && !r.startsWith('..') && !isAbsolute(r) ? r : path;
}

/** fuse-overlayfs argv for the same mount (pure). No page limit, but the same options. */
export function fuseOverlayArgv(m: { lowers: string[]; merged: string; upper?: string; work?: string }, program = 'fuse-overlayfs'): string[] {
  if (m.lowers.length === 0) throw new TscCtrError('overlay mount needs at least one lower layer');
  const opts = [`lowerdir=${m.lowers.join(':')}`];
  if (m.upper) opts.push(`upperdir=${m.upper}`, `workdir=${m.work}`);
  return [program, '-o', opts.join(','), m.merged];
}

export async function mountOverlay(ns: NsExec, m: OverlayMount): Promise<void> {
  // The upper dir's root is the container's `/`: give a new one the image's root mode (as
  // containers/storage does), or a non-root USER cannot even look up /bin/sh.
  if (!existsSync(m.upper)) {
    mkdirSync(m.upper, { recursive: true, mode: 0o700 });
    chmodSync(m.upper, rootModeOf(m.lowers[0] === undefined ? undefined : resolve(m.cwd, m.lowers[0])));
  }
  for (const d of [m.work, m.merged]) mkdirSync(d, { recursive: true, mode: 0o700 });
  const rel = { ...m, upper: shortPath(m.upper, m.cwd), work: shortPath(m.work, m.cwd) };
  const argv =
    m.driver === 'fuse-overlayfs'
      ? fuseOverlayArgv(rel)
      : ['mount', '-t', 'overlay', 'overlay', '-o', overlayOptions(rel), m.merged];
  const r = await runIn(ns, argv, m.cwd);
  if (r.code !== 0) throw new TscCtrError(`mounting the container rootfs at ${m.merged} (${m.driver ?? 'overlay'}): ${mountError(r)}`, { code: 'TSC_ERR_MOUNT' });
}

/** Read-only mount of lowers only (an image): no upper dir. */
export async function mountLowers(ns: NsExec, m: Pick<OverlayMount, 'lowers' | 'merged' | 'cwd' | 'rootless' | 'driver'>): Promise<void> {
  if (m.lowers.length === 0) throw new TscCtrError('overlay mount needs at least one lower layer');
  let argv: string[];
  if (m.driver === 'fuse-overlayfs') argv = fuseOverlayArgv({ lowers: m.lowers, merged: m.merged });
  else {
    const opts = [`lowerdir=${m.lowers.join(':')}`];
    if (m.rootless) opts.push('userxattr');
    argv = ['mount', '-t', 'overlay', 'overlay', '-o', `ro,${opts.join(',')}`, m.merged];
  }
  const r = await runIn(ns, argv, m.cwd);
  if (r.code !== 0) throw new TscCtrError(`mounting at ${m.merged} (${m.driver ?? 'overlay'}): ${mountError(r)}`, { code: 'TSC_ERR_MOUNT' });
}

/** fuse-overlayfs chats on stderr about ignored options even when it works: keep the last real line. */
function mountError(r: { code: number; stderr: string }): string {
  const lines = r.stderr.split('\n').filter((l) => l.trim() && !/unknown argument ignored/.test(l));
  return lines.pop() ?? `exited with status ${r.code}`;
}

export async function unmount(ns: NsExec, path: string): Promise<void> {
  const r = await runIn(ns, ['umount', path], '/');
  if (r.code !== 0 && !/not mounted|no mount point|not found/i.test(r.stderr)) {
    throw new TscCtrError(`unmounting ${path}: ${r.stderr}`, { code: 'TSC_ERR_MOUNT' });
  }
}

/** Is `path` a mount point in the namespace we are in (/proc/self/mountinfo)? */
export function isMountPoint(path: string, mountinfo: string): boolean {
  const esc = path.replace(/ /g, '\\040');
  return mountinfo.split('\n').some((l) => l.split(' ')[4] === esc);
}
