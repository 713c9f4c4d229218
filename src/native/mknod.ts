/**
 * mknod(2) and mkfifo(3): the special files layers carry (overlay whiteouts, FIFOs, devices).
 */
import { SyscallError } from '../errors.js';
import { fn, lastErrno } from './libc.js';

export const S_IFIFO = 0o010000;
export const S_IFCHR = 0o020000;
export const S_IFBLK = 0o060000;

/**
 * glibc's makedev() for its 64-bit dev_t, in float arithmetic because JS bit operators are
 * 32-bit: minor bits 0-7 and 20-43, major bits 8-19 and 44-63. Equals fs.Stats.rdev.
 */
export function makedev(major: number, minor: number): number {
  return (minor % 256) + (major % 4096) * 2 ** 8 + Math.floor(minor / 256) * 2 ** 20 + Math.floor(major / 4096) * 2 ** 44;
}

/** `mode` is the file type (S_IF*) plus permissions (the umask applies); `dev` from makedev(). */
export function mknod(path: string, mode: number, dev: number): void {
  const r = fn('int mknod(const char *path, uint32_t mode, uint64_t dev)')(path, mode, dev);
  if (r !== 0) throw new SyscallError('mknod', lastErrno(), path);
}

/** An overlayfs whiteout: a character device 0/0 with mode 0, as the kernel makes them. */
export function mkWhiteout(path: string): void {
  mknod(path, S_IFCHR, 0);
}

/** A named pipe; `perm` is reduced by the umask. */
export function mkfifo(path: string, perm: number): void {
  const r = fn('int mkfifo(const char *path, uint32_t mode)')(path, perm);
  if (r !== 0) throw new SyscallError('mkfifo', lastErrno(), path);
}
