import { join } from 'node:path';
import { type PathOverrides, type StorePaths, isRootless, resolvePaths } from '../config/paths.js';
import { ContainerStore } from '../storage/containers.js';

/** What every container operation needs: where things are, and the container records. */
export interface ContainerContext {
  paths: StorePaths;
  containers: ContainerStore;
  rootless: boolean;
  /** `--runtime` from the command line. */
  runtime?: string | undefined;
  /** argv that re-runs this CLI (for conmon's exit command). */
  self: string[];
}

export function containerContext(over: PathOverrides & { runtime?: string | undefined }): ContainerContext {
  const paths = resolvePaths(over);
  return {
    paths,
    containers: new ContainerStore(paths),
    rootless: isRootless(),
    runtime: over.runtime,
    self: [process.execPath, process.argv[1] ?? join(process.cwd(), 'bin', 'tsc-ctr')],
  };
}

/** The storage lock every writer of container or image metadata holds. */
export async function withStorageLock<T>(ctx: { paths: StorePaths }, fn: () => T | Promise<T>): Promise<T> {
  const { FileLock } = await import('../native/flock.js');
  const { mkdirSync } = await import('node:fs');
  mkdirSync(ctx.paths.storageRoot, { recursive: true, mode: 0o700 });
  const lock = await FileLock.acquire(join(ctx.paths.storageRoot, 'storage.lock'), 'exclusive', { wait: true });
  try {
    return await fn();
  } finally {
    lock?.release();
  }
}
