/**
 * `export`: the container's filesystem (image layers + its changes, deletions applied) as a tar
 * stream, read from the merged rootfs inside our user namespace so owners are the ids the
 * container sees. A stopped container's rootfs is mounted for the export and given back after.
 */
import { readdirSync } from 'node:fs';
import type { Writable } from 'node:stream';
import type { NsExec } from '../rootless/ns-exec.js';
import type { ContainerContext } from './context.js';
import { writeTar } from './tar-create.js';
import { acquireContainerRootfs, releaseContainerRootfs } from './rootfs.js';
import type { ContainerRecord } from './types.js';

export async function exportContainer(ctx: ContainerContext, ns: NsExec, rec: ContainerRecord, out: Writable): Promise<void> {
  const root = await acquireContainerRootfs(ctx, ns, rec, 'user');
  try {
    await writeTar(root, readdirSync(root).sort(), out);
  } finally {
    await releaseContainerRootfs(ctx, ns, rec, 'user');
  }
}
