/**
 * `<storageRoot>/storage.lock`: the one writer lock for images.json, layers/, blobs/ and
 * container records (DESIGN.md §2). An exclusive flock(2), waited for off the event loop.
 *
 * Within one process the lock is also a mutex (so concurrent async writers — a pull committing
 * layers in parallel — queue here instead of each parking a thread in flock) and re-entrant
 * along one async call chain (a function holding it may call another that takes it).
 * Readers take no lock: every file they read is replaced by rename, never rewritten in place.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

export const LOCK_FILE = 'storage.lock';

/** Lock paths held by the current async call chain. */
const held = new AsyncLocalStorage<ReadonlySet<string>>();
/** Tail of the in-process queue per lock path. */
const tails = new Map<string, Promise<void>>();

export function storageLockPath(storageRoot: string): string {
  return join(storageRoot, LOCK_FILE);
}

/** Does the current async call chain hold the storage lock of `storageRoot`? */
export function holdsStorageLock(storageRoot: string): boolean {
  return held.getStore()?.has(storageLockPath(storageRoot)) ?? false;
}

/**
 * Run `fn` holding the exclusive storage lock of `storageRoot` (created 0700 if missing).
 * The lock is released when `fn` settles, or by the kernel if the process dies.
 */
export async function withStorageLock<T>(storageRoot: string, fn: () => T | Promise<T>): Promise<T> {
  const path = storageLockPath(storageRoot);
  const mine = held.getStore();
  if (mine?.has(path)) return await fn();

  const prev = tails.get(path) ?? Promise.resolve();
  let done!: () => void;
  const turn = new Promise<void>((r) => (done = r));
  const tail = prev.then(() => turn);
  tails.set(path, tail);
  await prev;
  try {
    mkdirSync(storageRoot, { recursive: true, mode: 0o700 });
    const { FileLock } = await import('../native/flock.js');
    const lock = await FileLock.acquire(path, 'exclusive', { wait: true });
    try {
      return await held.run(new Set([...(mine ?? []), path]), fn);
    } finally {
      lock?.release();
    }
  } finally {
    done();
    if (tails.get(path) === tail) tails.delete(path);
  }
}
