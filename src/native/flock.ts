/**
 * flock(2): whole-file advisory locks, owned by the open file description, so the kernel drops
 * them when the last fd is closed or the process dies — a crashed command never leaves a lock.
 */
import { closeSync, openSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { SyscallError } from '../errors.js';
import { callAsync, fn, lastErrno } from './libc.js';

const LOCK_SH = 1;
const LOCK_EX = 2;
const LOCK_NB = 4;
const LOCK_UN = 8;
const EINTR = 4;
const EWOULDBLOCK = 11;

export type LockOp = 'shared' | 'exclusive' | 'unlock';
export type LockMode = 'shared' | 'exclusive';

const flockFn = () => fn('int flock(int fd, int op)');

function opBits(op: LockOp): number {
  return op === 'shared' ? LOCK_SH : op === 'exclusive' ? LOCK_EX : LOCK_UN;
}

/** flock(2). With nonBlocking, returns false when another holder has a conflicting lock. */
export function flock(fd: number, op: LockOp, opts: { nonBlocking?: boolean } = {}): boolean {
  const f = flockFn();
  for (;;) {
    if (f(fd, opBits(op) | (opts.nonBlocking ? LOCK_NB : 0)) === 0) return true;
    const e = lastErrno();
    if (e === EINTR) continue;
    if (opts.nonBlocking && e === EWOULDBLOCK) return false;
    throw new SyscallError('flock', e);
  }
}

/**
 * A blocking flock waits on a libuv worker thread, and that pool is shared with fs and dns
 * (UV_THREADPOOL_SIZE, 4 by default): if every worker sat in flock, a lock holder in this very
 * process could never finish its file I/O to release the lock. So at most this many waits block
 * a worker; the others retry without blocking on a timer until a worker slot is free.
 */
const MAX_BLOCKING_WAITS = Math.max(1, (Number(process.env.UV_THREADPOOL_SIZE) || 4) - 2);
let blockingWaits = 0;

/** Take a lock, waiting for conflicting holders without blocking the event loop. */
export async function flockAsync(fd: number, op: LockOp): Promise<void> {
  if (flock(fd, op, { nonBlocking: true })) return; // also covers 'unlock', which never waits
  const f = flockFn();
  for (let delay = 5; ; ) {
    if (blockingWaits < MAX_BLOCKING_WAITS) {
      blockingWaits++;
      let r;
      try {
        r = await callAsync(f, fd, opBits(op));
      } finally {
        blockingWaits--;
      }
      if (r.value === 0) return;
      if (r.errno !== EINTR) throw new SyscallError('flock', r.errno);
    } else {
      await sleep(delay);
      delay = Math.min(delay * 2, 100);
      if (flock(fd, op, { nonBlocking: true })) return;
    }
  }
}

/** A lock on a file, held until release() or process exit. */
export class FileLock {
  private fd: number | undefined;

  private constructor(
    fd: number,
    readonly path: string,
    readonly mode: LockMode,
  ) {
    this.fd = fd;
  }

  /** Opens (creating it 0644) the lock file; the fd is close-on-exec, so children never hold it. */
  private static open(path: string): number {
    try {
      return openSync(path, 'a+', 0o644);
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      throw new SyscallError('open', typeof e.errno === 'number' ? Math.abs(e.errno) : 0, path, 'opening lock file');
    }
  }

  private static lockOrClose(fd: number, take: () => boolean): boolean {
    try {
      if (take()) return true;
    } catch (err) {
      closeSync(fd);
      throw err;
    }
    closeSync(fd);
    return false;
  }

  /** Waits for the lock (the default), or with `wait: false` returns undefined when it is held. */
  static async acquire(path: string, mode: LockMode, opts: { wait?: boolean } = {}): Promise<FileLock | undefined> {
    const fd = FileLock.open(path);
    if (opts.wait === false) {
      return FileLock.lockOrClose(fd, () => flock(fd, mode, { nonBlocking: true })) ? new FileLock(fd, path, mode) : undefined;
    }
    try {
      await flockAsync(fd, mode);
    } catch (err) {
      closeSync(fd);
      throw err;
    }
    return new FileLock(fd, path, mode);
  }

  /** Like acquire(), but a wait blocks the whole thread: only for short, rarely contended locks. */
  static acquireSync(path: string, mode: LockMode, opts: { wait?: boolean } = {}): FileLock | undefined {
    const fd = FileLock.open(path);
    return FileLock.lockOrClose(fd, () => flock(fd, mode, { nonBlocking: opts.wait === false })) ? new FileLock(fd, path, mode) : undefined;
  }

  get held(): boolean {
    return this.fd !== undefined;
  }

  /** Closing our only fd drops the lock; a second release() does nothing. */
  release(): void {
    if (this.fd === undefined) return;
    const fd = this.fd;
    this.fd = undefined;
    closeSync(fd);
  }
}
