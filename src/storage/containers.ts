import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { StorePaths } from '../config/paths.js';
import { NotFoundError, TscCtrError } from '../errors.js';
import type { ContainerRecord } from '../container/types.js';

export class NameInUseError extends TscCtrError {
  constructor(name: string, id: string) {
    super(
      `the container name "${name}" is already in use by ${id}. You have to remove that container to be able to reuse that name: that name is already in use`,
      { code: 'TSC_ERR_NAME_IN_USE' },
    );
  }
}

function writeJsonAtomic(path: string, value: unknown): void {
  const tmp = `${path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writeSync(fd, JSON.stringify(value, null, 1));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

/**
 * Container records on disk: one JSON file per container, no index to go stale. Writers hold
 * storage.lock; readers read without it (renames are atomic).
 */
export class ContainerStore {
  readonly dir: string;
  constructor(readonly paths: StorePaths) {
    this.dir = join(paths.storageRoot, 'containers');
  }

  containerDir(id: string): string {
    return join(this.dir, id);
  }

  userdataDir(id: string): string {
    return join(this.dir, id, 'userdata');
  }

  /** Per-boot state: pid files, the attach socket's short path, exit codes. */
  runDir(id: string): string {
    return join(this.paths.runRoot, 'containers', id);
  }

  exitFile(id: string): string {
    return join(this.paths.runRoot, 'exits', id);
  }

  list(): ContainerRecord[] {
    let ids: string[];
    try {
      ids = readdirSync(this.dir);
    } catch {
      return [];
    }
    const out: ContainerRecord[] = [];
    for (const id of ids) {
      if (id.startsWith('.')) continue;
      const r = this.read(id);
      if (r) out.push(r);
    }
    return out;
  }

  read(id: string): ContainerRecord | undefined {
    try {
      return JSON.parse(readFileSync(join(this.dir, id, 'container.json'), 'utf8')) as ContainerRecord;
    } catch {
      return undefined;
    }
  }

  /** By full id, name, or unique id prefix, as Podman resolves them. */
  find(nameOrId: string): ContainerRecord | undefined {
    const all = this.list();
    const exact = all.find((c) => c.id === nameOrId || c.name === nameOrId);
    if (exact) return exact;
    if (!/^[0-9a-f]{1,64}$/.test(nameOrId)) return undefined;
    const hits = all.filter((c) => c.id.startsWith(nameOrId));
    if (hits.length > 1) throw new TscCtrError(`more than one result for container "${nameOrId}": please use a longer id`, { code: 'TSC_ERR_AMBIGUOUS' });
    return hits[0];
  }

  get(nameOrId: string): ContainerRecord {
    const c = this.find(nameOrId);
    if (!c) throw new NotFoundError(`no container with name or ID "${nameOrId}" found: no such container`, 'TSC_ERR_NO_SUCH_CONTAINER');
    return c;
  }

  /** Caller holds storage.lock: the name check and the write are one step. */
  insert(rec: ContainerRecord): void {
    const clash = this.list().find((c) => c.name === rec.name);
    if (clash) throw new NameInUseError(rec.name, clash.id);
    mkdirSync(this.userdataDir(rec.id), { recursive: true, mode: 0o700 });
    writeJsonAtomic(join(this.dir, rec.id, 'container.json'), rec);
  }

  /** Caller holds storage.lock. */
  write(rec: ContainerRecord): void {
    writeJsonAtomic(join(this.dir, rec.id, 'container.json'), rec);
  }

  /** Caller holds storage.lock. Returns the new record, or undefined if the container is gone. */
  update(id: string, fn: (r: ContainerRecord) => void): ContainerRecord | undefined {
    const r = this.read(id);
    if (!r) return undefined;
    fn(r);
    this.write(r);
    return r;
  }

  /**
   * Caller holds storage.lock. The directory is renamed away so readers never see half of it;
   * returns the renamed path for the caller to delete (rootless: inside the namespace, since the
   * container's files belong to subordinate ids).
   */
  remove(id: string): string | undefined {
    const dead = join(this.dir, `.removing-${id}-${process.pid}`);
    try {
      renameSync(this.containerDir(id), dead);
    } catch {
      return undefined;
    }
    rmSync(this.runDir(id), { recursive: true, force: true });
    rmSync(this.exitFile(id), { force: true });
    return dead;
  }
}

/** 64 hex characters, like Podman's ids. */
export function newContainerId(): string {
  return randomBytes(32).toString('hex');
}
