import { join } from 'node:path';
import { type PathOverrides, type StorePaths, isRootless, resolvePaths } from '../config/paths.js';
import { ContainerStore } from '../storage/containers.js';
import { takeNotifySocket } from './sdnotify.js';

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
  takeNotifySocket();
  const paths = resolvePaths(over);
  return {
    paths,
    containers: new ContainerStore(paths),
    rootless: isRootless(),
    runtime: over.runtime,
    self: [process.execPath, process.argv[1] ?? join(process.cwd(), 'bin', 'tsc-ctr')],
  };
}

/** The storage lock every writer of container or image metadata holds (re-entrant in-process). */
export async function withStorageLock<T>(ctx: { paths: StorePaths }, fn: () => T | Promise<T>): Promise<T> {
  const { mkdirSync } = await import('node:fs');
  const { withStorageLock: locked } = await import('../storage/lock.js');
  mkdirSync(ctx.paths.storageRoot, { recursive: true, mode: 0o700 });
  return locked(ctx.paths.storageRoot, fn);
}
