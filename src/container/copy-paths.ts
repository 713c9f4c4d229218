/**
 * Pure parts of `cp`: which argument names a container, and how a path is resolved inside a
 * container root (symlinks interpreted as the container sees them, never leaving the root).
 */
import { lstatSync, readlinkSync } from 'node:fs';
import { UsageError, TscCtrError } from '../errors.js';

export interface CopyLocation {
  /** Container name or id; undefined for a host path or `-`. */
  container?: string | undefined;
  path: string;
}

/**
 * `CTR:PATH` or a host path. As Podman: a path starting with `/` or `.` is always local, so
 * `./a:b` is a host file; otherwise the text before the first colon names a container.
 */
export function parseCopyArg(arg: string): CopyLocation {
  if (arg === '-' || arg.startsWith('/') || arg.startsWith('.')) return { path: arg };
  const i = arg.indexOf(':');
  if (i <= 0) return { path: arg };
  return { container: arg.slice(0, i), path: arg.slice(i + 1) };
}

export function parseCopyArgs(src: string, dest: string): { src: CopyLocation; dest: CopyLocation } {
  const s = parseCopyArg(src);
  const d = parseCopyArg(dest);
  if (!s.container && !d.container) throw new UsageError(`invalid arguments ${src}, ${dest} you must specify a container on one of them`);
  if (s.container && d.container) throw new UsageError('copying between containers is not supported: copy to the host first');
  if (s.path === '-' && !d.container) throw new UsageError('a tar stream from stdin (-) can only be copied into a container');
  if (d.path === '-' && !s.container) throw new UsageError('a tar stream to stdout (-) can only be copied from a container');
  return { src: s, dest: d };
}

/** `dir/.`: copy what is in the directory, not the directory. */
export function endsWithDot(p: string): boolean {
  return p === '.' || p.endsWith('/.');
}

export function endsWithSlash(p: string): boolean {
  return p.endsWith('/') || endsWithDot(p);
}

const MAX_SYMLINKS = 40;

/**
 * Host path of `path` inside `root`, following every symlink as the container would (absolute
 * targets restart at `root`, `..` stops at it), including the last component. Components that
 * do not exist are appended as they are. The result is always `root` or below it.
 */
export function secureJoin(root: string, path: string, followLast = true): string {
  const base = root.replace(/\/+$/, '') || '/';
  const at = (parts: string[]) => (base === '/' ? '' : base) + '/' + parts.join('/');
  const done: string[] = [];
  let todo = path.split('/').filter((p) => p !== '' && p !== '.');
  let links = 0;
  while (todo.length) {
    const part = todo.shift()!;
    if (part === '..') {
      done.pop();
      continue;
    }
    const candidate = at([...done, part]);
    let isLink = false;
    try {
      isLink = lstatSync(candidate).isSymbolicLink();
    } catch {
      isLink = false;
    }
    if (isLink && (followLast || todo.length > 0)) {
      if (++links > MAX_SYMLINKS) throw new TscCtrError(`resolving ${path}: too many levels of symbolic links`, { code: 'TSC_ERR_ELOOP' });
      const target = readlinkSync(candidate);
      if (target.startsWith('/')) done.length = 0;
      todo = [...target.split('/').filter((p) => p !== '' && p !== '.'), ...todo];
      continue;
    }
    done.push(part);
  }
  return done.length ? at(done) : base;
}
