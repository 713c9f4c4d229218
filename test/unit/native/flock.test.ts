// flock against other processes: python3's fcntl.flock holds locks, util-linux flock(1) probes them.
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, statSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SyscallError } from '../../../src/errors.js';
import { FileLock, flock, flockAsync } from '../../../src/native/flock.js';
import { exited, spawnReady, tempDir } from './helpers.js';

const { dir, cleanup } = tempDir('tsc-flock-');
afterAll(cleanup);
let n = 0;
const lockPath = () => join(dir, `l${n++}.lock`);

/** Another process holding `mode` on `path` until its stdin ends (or it is killed). */
async function holder(path: string, mode: 'x' | 's') {
  const py = `
import fcntl, os, sys
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o644)
fcntl.flock(fd, fcntl.LOCK_EX if sys.argv[2] == 'x' else fcntl.LOCK_SH)
print('locked', flush=True)
sys.stdin.read()`;
  const { child } = await spawnReady('python3', ['-c', py, path, mode]);
  return {
    child,
    release: async () => {
      child.stdin.end();
      await exited(child);
    },
  };
}

/** Could util-linux flock(1) take `mode` right now, without waiting? */
function othersCanLock(path: string, mode: 'x' | 's'): boolean {
  const r = spawnSync('flock', ['-n', `-${mode}`, path, 'true']);
  if (r.status !== 0 && r.status !== 1) throw new Error(`flock(1) failed: ${r.stderr}`);
  return r.status === 0;
}

describe('flock()', () => {
  it('returns false while another process holds a conflicting lock, true after it lets go', async () => {
    const p = lockPath();
    const h = await holder(p, 'x');
    const fd = openSync(p, 'r');
    try {
      expect(flock(fd, 'exclusive', { nonBlocking: true })).toBe(false);
      expect(flock(fd, 'shared', { nonBlocking: true })).toBe(false);
      await h.release();
      expect(flock(fd, 'exclusive', { nonBlocking: true })).toBe(true);
      expect(othersCanLock(p, 's')).toBe(false);
      flock(fd, 'unlock');
      expect(othersCanLock(p, 'x')).toBe(true);
    } finally {
      closeSync(fd);
    }
  });

  it('lets shared locks coexist across processes, and shared and exclusive conflict', async () => {
    const p = lockPath();
    const h = await holder(p, 's');
    const fd = openSync(p, 'r');
    try {
      expect(flock(fd, 'exclusive', { nonBlocking: true })).toBe(false);
      expect(flock(fd, 'shared', { nonBlocking: true })).toBe(true);
      expect(othersCanLock(p, 's')).toBe(true);
      expect(othersCanLock(p, 'x')).toBe(false);
      await h.release();
      // only our shared lock is left: still no exclusive for others, but we may upgrade
      expect(othersCanLock(p, 'x')).toBe(false);
      expect(flock(fd, 'exclusive', { nonBlocking: true })).toBe(true);
    } finally {
      closeSync(fd);
    }
    expect(othersCanLock(p, 'x')).toBe(true); // closing the fd dropped it
  });

  it('throws SyscallError with errno, e.g. EBADF on a closed fd', () => {
    const fd = openSync(lockPath(), 'w');
    closeSync(fd);
    let err: unknown;
    try {
      flock(fd, 'exclusive');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SyscallError);
    expect(err).toMatchObject({ syscall: 'flock', errno: 9, code: 'TSC_ERR_EBADF' });
  });
});

describe('flockAsync()', () => {
  it('waits for the holder without blocking the event loop', async () => {
    const p = lockPath();
    const h = await holder(p, 'x');
    const fd = openSync(p, 'r');
    try {
      let ticks = 0;
      const iv = setInterval(() => ticks++, 10);
      let done = false;
      const wait = flockAsync(fd, 'exclusive').then(() => (done = true));
      await new Promise((r) => setTimeout(r, 300));
      expect(done).toBe(false);
      expect(ticks).toBeGreaterThan(10); // timers ran while the lock was being waited for
      await h.release();
      await wait;
      clearInterval(iv);
      expect(othersCanLock(p, 's')).toBe(false);
    } finally {
      closeSync(fd);
    }
  });

  it('leaves libuv workers for file I/O even when many waits are pending', async () => {
    const p = lockPath();
    const h = await holder(p, 'x');
    // More waiters than the 4 default pool threads: if each sat in a blocking flock on a
    // worker, readFile (which needs one) could not finish before the holder lets go.
    const waits = Array.from({ length: 6 }, () => FileLock.acquire(p, 'shared'));
    await new Promise((r) => setTimeout(r, 50));
    const read = readFile(p).then(() => 'read' as const);
    const timeout = new Promise<'stuck'>((r) => setTimeout(() => r('stuck'), 3000));
    const first = await Promise.race([read, timeout]);
    await h.release(); // before asserting: a stuck pool would fail every later test too
    expect(first).toBe('read');
    const locks = await Promise.all(waits);
    expect(locks.every((l) => l?.held)).toBe(true);
    expect(othersCanLock(p, 'x')).toBe(false);
    locks.forEach((l) => l?.release());
    expect(othersCanLock(p, 'x')).toBe(true);
  });
});

describe('FileLock', () => {
  it('creates the lock file 0644 and holds the lock until release()', async () => {
    const p = lockPath();
    const l = await FileLock.acquire(p, 'exclusive');
    expect(l?.held).toBe(true);
    expect(statSync(p).mode & 0o777).toBe(0o644 & ~process.umask());
    expect(othersCanLock(p, 's')).toBe(false);
    l!.release();
    l!.release(); // twice is harmless
    expect(l!.held).toBe(false);
    expect(othersCanLock(p, 'x')).toBe(true);
  });

  it('with wait: false returns undefined while held elsewhere (async and sync)', async () => {
    const p = lockPath();
    const h = await holder(p, 'x');
    expect(await FileLock.acquire(p, 'shared', { wait: false })).toBeUndefined();
    expect(FileLock.acquireSync(p, 'exclusive', { wait: false })).toBeUndefined();
    await h.release();
    const l = FileLock.acquireSync(p, 'exclusive', { wait: false });
    expect(l).toBeDefined();
    l!.release();
  });

  it('conflicts between two FileLocks of one process (locks belong to open files)', async () => {
    const p = lockPath();
    const a = await FileLock.acquire(p, 'shared');
    const b = await FileLock.acquire(p, 'shared', { wait: false });
    expect(b).toBeDefined();
    expect(await FileLock.acquire(p, 'exclusive', { wait: false })).toBeUndefined();
    a!.release();
    b!.release();
    const c = await FileLock.acquire(p, 'exclusive', { wait: false });
    expect(c).toBeDefined();
    c!.release();
  });

  it('waits (async) until another process lets go', async () => {
    const p = lockPath();
    const h = await holder(p, 's');
    const t0 = Date.now();
    setTimeout(() => void h.release(), 200);
    const l = await FileLock.acquire(p, 'exclusive');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(150);
    expect(othersCanLock(p, 's')).toBe(false);
    l!.release();
  });

  it('is released by the kernel when the holding process dies', async () => {
    const p = lockPath();
    const h = await holder(p, 'x');
    expect(await FileLock.acquire(p, 'exclusive', { wait: false })).toBeUndefined();
    h.child.kill('SIGKILL');
    await exited(h.child);
    const l = await FileLock.acquire(p, 'exclusive', { wait: false });
    expect(l).toBeDefined();
    l!.release();
  });

  it('reports a lock file that cannot be opened as SyscallError', async () => {
    const p = join(dir, 'missing-dir', 'x.lock');
    await expect(FileLock.acquire(p, 'shared')).rejects.toMatchObject({ syscall: 'open', errno: 2, path: p });
    writeFileSync(join(dir, 'file'), '');
    expect(() => FileLock.acquireSync(join(dir, 'file', 'x.lock'), 'shared')).toThrow(/open `.*file\/x\.lock`: Not a directory \(ENOTDIR\)/);
  });
});
