/**
 * `export`: the container's filesystem (image layers + its changes, deletions applied) as a tar
 * stream, read from the merged rootfs inside our user namespace so owners are the ids the
 * container sees. A stopped container's rootfs is mounted for the export and given back after.
 */
import { readdirSync } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import type { NsExec } from '../rootless/ns-exec.js';
import type { ContainerContext } from './context.js';
import { acquireContainerRootfs, releaseContainerRootfs } from './rootfs.js';
import type { ContainerRecord } from './types.js';

export async function exportContainer(ctx: ContainerContext, ns: NsExec, rec: ContainerRecord, out: Writable): Promise<void> {
  const root = await acquireContainerRootfs(ctx, ns, rec, 'user');
  try {
    const tar = await import('tar');
    const c = tar.c({ cwd: root, portable: false, follow: false }, readdirSync(root).sort());
    await new Promise<void>((res, rej) => {
      c.on('error', rej);
      out.on('error', rej);
      c.on('end', () => res());
      (c as unknown as Readable).pipe(out, { end: false });
    });
  } finally {
    await releaseContainerRootfs(ctx, ns, rec, 'user');
  }
}
