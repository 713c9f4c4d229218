import { SyscallError } from '../errors.js';
import { fn, lastErrno } from './libc.js';

const F_GETFD = 1;
const F_SETFD = 2;
const FD_CLOEXEC = 1;

/**
 * Replace this process with another program (no Node parent stays behind). Node marks fds 0-2
 * close-on-exec; clear that first or the new program has no stdio.
 */
export function execve(path: string, argv: string[], env: Record<string, string | undefined>): never {
  const fcntl = fn('int fcntl(int fd, int cmd, int arg)');
  for (const fd of [0, 1, 2]) {
    const flags = fcntl(fd, F_GETFD, 0);
    if (flags >= 0 && flags & FD_CLOEXEC) fcntl(fd, F_SETFD, flags & ~FD_CLOEXEC);
  }
  const envList = Object.entries(env)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${v}`);
  const f = fn('int execve(const char *path, const char **argv, const char **envp)');
  f(path, [...argv, null], [...envList, null]);
  throw new SyscallError('execve', lastErrno(), path);
}
