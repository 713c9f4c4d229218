import { closeSync, openSync } from 'node:fs';
import { SyscallError } from '../errors.js';
import { callAsync, fn, lastErrno } from './libc.js';

const LOCK_SH = 1;
const LOCK_EX = 2;
const LOCK_NB = 4;
const LOCK_UN = 8;
const EWOULDBLOCK = 11;
const EINTR = 4;

export type LockOp = 'shared' | 'exclusive' | 'unlock';

function opBits(op: LockOp): number {
  return op === 'shared' ? LOCK_SH : op === 'exclusive' ? LOCK_EX : LOCK_UN;
}

/** flock(2). With nonBlocking, returns false when another holder has a conflicting lock. */
export function flock(fd: number, op: LockOp, opts: { nonBlocking?: boolean } = {}): boolean {
  const f = fn('int flock(int fd, int op)');
  for (;;) {
    const r = f(fd, opBits(op) | (opts.nonBlocking ? LOCK_NB : 0));
    if (r === 0) return true;
    const e = lastErrno();
    if (e === EINTR) continue;
    if (opts.nonBlocking && e === EWOULDBLOCK) return false;
    throw new SyscallError('flock', e);
  }
}

/**
 * Wait for a lock without blocking the event loop: try without blocking, then let a worker
 * thread wait (its errno is not ours to read, so a failure is re-checked synchronously).
 */
export async function flockAsync(fd: number, op: LockOp): Promise<void> {
  if (flock(fd, op, { nonBlocking: true })) return;
  const f = fn('int flock(int fd, int op)');
  for (;;) {
    const r = await callAsync<number>(f, fd, opBits(op));
    if (r === 0) return;
    if (flock(fd, op, { nonBlocking: true })) return;
  }
}

/** A lock on a file, held until release() or process exit (the kernel drops it with the fd). */
export class FileLock {
  private fd: number | undefined;
  private constructor(fd: number, readonly path: string) {
    this.fd = fd;
  }

  private static open(path: string): number {
    try {
      return openSync(path, 'a+', 0o644);
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      throw new SyscallError('open', -(e.errno ?? 0) || 13, path, 'opening lock file');
    }
  }

  /** wait=false: undefined if someone else holds a conflicting lock. */
  static async acquire(path: string, mode: 'shared' | 'exclusive', opts: { wait?: boolean } = {}): Promise<FileLock | undefined> {
    const fd = FileLock.open(path);
    try {
      if (opts.wait === false) {
        if (!flock(fd, mode, { nonBlocking: true })) {
          closeSync(fd);
          return undefined;
        }
      } else await flockAsync(fd, mode);
    } catch (err) {
      closeSync(fd);
      throw err;
    }
    return new FileLock(fd, path);
  }

  static acquireSync(path: string, mode: 'shared' | 'exclusive', opts: { wait?: boolean } = {}): FileLock | undefined {
    const fd = FileLock.open(path);
    try {
      if (!flock(fd, mode, { nonBlocking: opts.wait === false })) {
        closeSync(fd);
        return undefined;
      }
    } catch (err) {
      closeSync(fd);
      throw err;
    }
    return new FileLock(fd, path);
  }

  release(): void {
    if (this.fd === undefined) return;
    const fd = this.fd;
    this.fd = undefined;
    closeSync(fd); // closing the only fd drops the flock
  }
}
