/**
 * execve(2): replace this Node process with another program, so no idle Node parent stays
 * behind (re-exec inside the user namespace through nsenter).
 */
import { SyscallError } from '../errors.js';
import { fn, lastErrno } from './libc.js';

const F_GETFD = 1;
const F_SETFD = 2;
const F_GETFL = 3;
const F_SETFL = 4;
const FD_CLOEXEC = 1;
const O_NONBLOCK = 0o4000;
// Node ignores these two; an ignored disposition survives exec, so the new program would never
// die of a closed pipe (`yes | head` would spin on EPIPE). Same numbers on x86_64 and aarch64.
const SIGPIPE = 13;
const SIGXFSZ = 25;

/**
 * Hand over stdio as a shell would: Node marks fds 0-2 close-on-exec and puts pipes and ttys in
 * non-blocking mode (a flag of the open file, so the new program would get EAGAIN on them).
 * Returns an undo for when exec fails and Node carries on.
 */
function prepareStdio(): () => void {
  const f = fn('int fcntl(int fd, int cmd, ...)'); // variadic in C: declared so, args typed per call
  const fcntl = (fd: number, cmd: number, arg: number): number => f(fd, cmd, 'int', arg);
  const undo: (() => void)[] = [];
  for (const fd of [0, 1, 2]) {
    const fdFlags = fcntl(fd, F_GETFD, 0);
    if (fdFlags >= 0 && fdFlags & FD_CLOEXEC) {
      fcntl(fd, F_SETFD, fdFlags & ~FD_CLOEXEC);
      undo.push(() => fcntl(fd, F_SETFD, fdFlags));
    }
    const flFlags = fcntl(fd, F_GETFL, 0);
    if (flFlags >= 0 && flFlags & O_NONBLOCK) {
      fcntl(fd, F_SETFL, flFlags & ~O_NONBLOCK);
      undo.push(() => fcntl(fd, F_SETFL, flFlags));
    }
  }
  const signal = fn('void *signal(int sig, void *handler)');
  for (const sig of [SIGPIPE, SIGXFSZ]) {
    const old: unknown = signal(sig, null); // SIG_DFL
    undo.push(() => signal(sig, old));
  }
  return () => undo.reverse().forEach((u) => u());
}

/**
 * Replace the process image. `path` is not searched in PATH; `argv[0]` is the program's name for
 * itself; env entries set to undefined are left out. Returns only by throwing.
 */
export function execve(path: string, argv: string[], env: Record<string, string | undefined>): never {
  const envList = Object.entries(env)
    .filter((e): e is [string, string] => e[1] !== undefined)
    .map(([k, v]) => `${k}=${v}`);
  const exec = fn('int execve(const char *path, const char **argv, const char **envp)');
  const undo = prepareStdio();
  exec(path, [...argv, null], [...envList, null]);
  const errno = lastErrno();
  undo();
  throw new SyscallError('execve', errno, path);
}
