import { UsageError } from '../errors.js';
import { NameInUseError } from '../storage/containers.js';
import { type ContainerContext, withStorageLock } from './context.js';
import type { ContainerRecord } from './types.js';

/** Podman's container name rule (libpod define.NameRegex). */
export const NAME_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

export function validateContainerName(name: string): void {
  if (!NAME_PATTERN.test(name)) throw new UsageError('names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*: invalid argument');
}

/**
 * `rename`: the uniqueness check and the write happen under the storage lock, so two renames (or
 * a rename and a create) cannot both take one name. Running containers keep running; conmon only
 * used the name for its log tag.
 */
export async function renameContainer(ctx: ContainerContext, nameOrId: string, newName: string): Promise<ContainerRecord> {
  validateContainerName(newName);
  return withStorageLock(ctx, () => {
    const rec = ctx.containers.get(nameOrId);
    const clash = ctx.containers.list().find((c) => c.name === newName && c.id !== rec.id);
    if (clash) throw new NameInUseError(newName, clash.id);
    return ctx.containers.update(rec.id, (r) => void (r.name = newName)) ?? rec;
  });
}
