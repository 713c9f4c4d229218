import { nsExec, removeTree } from '../rootless/ns-exec.js';
import { runtimeDelete } from '../runtime/oci-runtime.js';
import { releaseContainerRootfs } from './rootfs.js';
import { selectRuntime } from './adapters.js';
import { type ContainerContext, withStorageLock } from './context.js';
import { containerFiles } from './start.js';
import { currentState } from './state.js';
import { teardownNetwork } from '../net/setup.js';
import { restartIfPolicy, restartInProgress } from './restart-policy.js';
import { removeCidFile } from './cidfile.js';

/**
 * After the container exited (conmon's exit command, or the attached `run` itself): record the
 * exit, unmount the rootfs, delete the runtime's state, and remove the container if --rm. Safe
 * to run twice; both callers may race.
 */
export interface CleanupOptions {
  /** `restart`: keep an --rm container and leave restart policies alone; it starts again at once. */
  keep?: boolean;
}

export async function cleanupContainer(ctx: ContainerContext, id: string, opts: CleanupOptions = {}): Promise<void> {
  const rec = ctx.containers.find(id);
  if (!rec) return;
  const state = currentState(ctx.containers, rec);
  if (state.status === 'running') return; // not exited yet: nothing to clean
  if (restartInProgress(state)) return; // the restart policy is mounting it again
  const ns = await nsExec(ctx.paths);
  const f = containerFiles(ctx, rec.id);
  // independent of each other: side by side, as this is on the path of every `run --rm`
  await Promise.all([
    releaseContainerRootfs(ctx, ns, rec, 'container').catch(() => {}),
    selectRuntime(ctx, rec.runtime).then((rt) => runtimeDelete(ns, rt, rec.id)).catch(() => {}),
    teardownNetwork(ctx, rec.id, ns).catch(() => {}),
  ]);
  const dead = await withStorageLock(ctx, () => {
    const now = ctx.containers.read(rec.id);
    if (!now) return undefined;
    if (now.autoRemove && !opts.keep) return ctx.containers.remove(rec.id);
    const s = currentState(ctx.containers, now);
    now.state = { ...s, mounted: false };
    ctx.containers.write(now);
    return undefined;
  });
  if (dead) removeCidFile(rec);
  if (dead) await removeTree(ns, dead);
  else if (!opts.keep) await restartIfPolicy(ctx, rec.id);
}
