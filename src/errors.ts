/**
 * Typed errors. Callers branch on `code`, never on message text; `exitCode` follows Podman:
 * 125 for our own errors, 126 when the command cannot be executed, 127 when it is not found.
 */
export class TscCtrError extends Error {
  readonly code: string;
  readonly exitCode: number;
  constructor(message: string, options: { code?: string; exitCode?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = options.code ?? 'TSC_ERR';
    this.exitCode = options.exitCode ?? 125;
  }
}

/** Bad command-line input: a flag, an argument, a reference. */
export class UsageError extends TscCtrError {
  constructor(message: string) {
    super(message, { code: 'TSC_ERR_USAGE' });
  }
}

/** Something asked for by name or id does not exist. */
export class NotFoundError extends TscCtrError {
  constructor(message: string, code = 'TSC_ERR_NOT_FOUND') {
    super(message, { code });
  }
}

/** A prerequisite of the host (a program, a kernel feature, a config entry) is missing. */
export class HostError extends TscCtrError {
  constructor(message: string, code = 'TSC_ERR_HOST') {
    super(message, { code });
  }
}

/** A system call failed: carries errno, the call and the path, like crun's messages. */
export class SyscallError extends TscCtrError {
  readonly errno: number;
  readonly syscall: string;
  readonly path: string | undefined;
  constructor(syscall: string, errno: number, path?: string, what?: string) {
    const errName = errnoName(errno);
    const where = path === undefined ? '' : ` \`${path}\``;
    super(`${what ? what + ': ' : ''}${syscall}${where}: ${errnoMessage(errno)} (${errName})`, {
      code: `TSC_ERR_${errName}`,
    });
    this.errno = errno;
    this.syscall = syscall;
    this.path = path;
  }
}

const ERRNO: Record<number, [string, string]> = {
  1: ['EPERM', 'Operation not permitted'],
  2: ['ENOENT', 'No such file or directory'],
  4: ['EINTR', 'Interrupted system call'],
  5: ['EIO', 'Input/output error'],
  9: ['EBADF', 'Bad file descriptor'],
  11: ['EAGAIN', 'Resource temporarily unavailable'],
  12: ['ENOMEM', 'Cannot allocate memory'],
  13: ['EACCES', 'Permission denied'],
  16: ['EBUSY', 'Device or resource busy'],
  17: ['EEXIST', 'File exists'],
  18: ['EXDEV', 'Invalid cross-device link'],
  20: ['ENOTDIR', 'Not a directory'],
  21: ['EISDIR', 'Is a directory'],
  22: ['EINVAL', 'Invalid argument'],
  28: ['ENOSPC', 'No space left on device'],
  30: ['EROFS', 'Read-only file system'],
  32: ['EPIPE', 'Broken pipe'],
  38: ['ENOSYS', 'Function not implemented'],
  39: ['ENOTEMPTY', 'Directory not empty'],
  61: ['ENODATA', 'No data available'],
  88: ['ENOTSOCK', 'Socket operation on non-socket'],
  90: ['EMSGSIZE', 'Message too long'],
  91: ['EPROTOTYPE', 'Protocol wrong type for socket'],
  95: ['EOPNOTSUPP', 'Operation not supported'],
  104: ['ECONNRESET', 'Connection reset by peer'],
  107: ['ENOTCONN', 'Transport endpoint is not connected'],
  111: ['ECONNREFUSED', 'Connection refused'],
};

export function errnoName(errno: number): string {
  return ERRNO[errno]?.[0] ?? `errno ${errno}`;
}

export function errnoMessage(errno: number): string {
  return ERRNO[errno]?.[1] ?? `error ${errno}`;
}
