/**
 * Mount counts of container and image rootfs mounted on request (`mount`, `image mount`, a
 * stopped container's rootfs during `cp` or `export`), so that one user's unmount does not pull
 * the rootfs from under another's feet (Podman's `<runroot>/<driver>-layers/mountpoints.json`).
 * The file lives in the run root: mounts do not survive a reboot, and neither do the counts.
 * Writers hold storage.lock.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export type MountKind = 'container' | 'image';

/** One entry of `<runRoot>/mountpoints.json`. */
export interface MountPointRecord {
  kind: MountKind;
  id: string;
  path: string;
  /** Users that asked for this mount and have not released it. */
  count: number;
}

export class MountPoints {
  readonly file: string;
  constructor(runRoot: string) {
    this.file = join(runRoot, 'mountpoints.json');
  }

  list(): MountPointRecord[] {
    try {
      const v = JSON.parse(readFileSync(this.file, 'utf8')) as unknown;
      return Array.isArray(v) ? (v as MountPointRecord[]) : [];
    } catch {
      return [];
    }
  }

  get(kind: MountKind, id: string): MountPointRecord | undefined {
    return this.list().find((m) => m.kind === kind && m.id === id);
  }

  /** Caller holds storage.lock. A count of 0 drops the entry. */
  set(kind: MountKind, id: string, path: string, count: number): void {
    const rest = this.list().filter((m) => !(m.kind === kind && m.id === id));
    if (count > 0) rest.push({ kind, id, path, count });
    const tmp = `${this.file}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
    const fd = openSync(tmp, 'w', 0o600);
    try {
      writeSync(fd, JSON.stringify(rest, null, 1));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.file);
  }
}
