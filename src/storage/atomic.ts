/**
 * Crash-safe writes: a file or directory becomes visible under its final name only by a
 * rename(2) of a complete, fsynced temp. Temps are named `.tmp-<pid>-<random>` so the next
 * writer can tell a crashed writer's leftovers (dead pid) from a live writer's work.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

const TEMP_RE = /\.tmp-(\d+)-[0-9a-f]+/;

/** `.tmp-<pid>-<random>`, with an optional suffix that says what it was going to be. */
export function tempName(suffix = ''): string {
  return `.tmp-${process.pid}-${randomBytes(6).toString('hex')}${suffix}`;
}

/** The pid a temp name was made by, or undefined when `name` is not one of ours. */
export function tempOwnerPid(name: string): number | undefined {
  const m = TEMP_RE.exec(name);
  return m ? Number(m[1]) : undefined;
}

/** Is a process with this pid alive (in our pid namespace)? EPERM means alive but not ours. */
export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A temp left by a writer that is gone (crashed or killed). Our own temps are never stale. */
export function isStaleTemp(name: string): boolean {
  const pid = tempOwnerPid(name);
  return pid !== undefined && pid !== process.pid && !pidAlive(pid);
}

/** fsync a directory so a rename or unlink in it survives a crash. */
export function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Some filesystems refuse fsync on directories; the rename is still atomic.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Write `data` to `path` atomically: temp file beside it (same filesystem), write, fsync,
 * rename over the target, fsync the directory. Readers see the old or the new content, never
 * a part. `tmpDir` puts the temp elsewhere (it must be on the same filesystem).
 */
export function writeFileAtomic(path: string, data: string | Buffer, opts: { mode?: number; tmpDir?: string } = {}): void {
  const tmp = join(opts.tmpDir ?? dirname(path), tempName(`-${basename(path)}`));
  const fd = openSync(tmp, 'wx', opts.mode ?? 0o600);
  try {
    const buf = typeof data === 'string' ? Buffer.from(data) : data;
    let off = 0;
    while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw err;
  }
  closeSync(fd);
  try {
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
  fsyncDir(dirname(path));
}
