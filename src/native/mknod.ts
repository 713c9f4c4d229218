import { SyscallError } from '../errors.js';
import { fn, lastErrno } from './libc.js';

export const S_IFCHR = 0o020000;
export const S_IFBLK = 0o060000;
export const S_IFIFO = 0o010000;

/** glibc's makedev for 64-bit dev_t, in plain arithmetic (JS bit operators are 32-bit). */
export function makedev(major: number, minor: number): number {
  return (minor & 0xff) + (major & 0xfff) * 2 ** 8 + Math.floor(minor / 256) * 2 ** 20 + Math.floor(major / 4096) * 2 ** 44;
}

export function mknod(path: string, mode: number, dev: number): void {
  const r = fn('int mknod(const char *path, uint32_t mode, uint64_t dev)')(path, mode, dev);
  if (r !== 0) throw new SyscallError('mknod', lastErrno(), path);
}

/** An overlayfs whiteout: a character device 0/0. */
export function mkWhiteout(path: string): void {
  mknod(path, S_IFCHR, 0);
}

export function mkfifo(path: string, perm: number): void {
  const r = fn('int mkfifo(const char *path, uint32_t mode)')(path, perm);
  if (r !== 0) throw new SyscallError('mkfifo', lastErrno(), path);
}
