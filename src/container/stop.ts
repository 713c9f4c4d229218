import { setTimeout as sleep } from 'node:timers/promises';
import { TscCtrError } from '../errors.js';
import { nsExec, removeTree } from '../rootless/ns-exec.js';
import { dropUserMounts } from './rootfs.js';
import { runtimeKill } from '../runtime/oci-runtime.js';
import { selectRuntime } from './adapters.js';
import { type CleanupOptions, cleanupContainer } from './cleanup.js';
import { type ContainerContext, withStorageLock } from './context.js';
import { parseSignal } from './signals.js';
import { currentState } from './state.js';
import type { ContainerRecord } from './types.js';
import { waitForExit } from './wait.js';
import { waitForRestart } from './restart-policy.js';
import { removeCidFile } from './cidfile.js';

export class ContainerStateError extends TscCtrError {
  constructor(message: string) {
    super(message, { code: 'TSC_ERR_CTR_STATE' });
  }
}

/** Send a signal to a running container (`kill`). */
export async function killContainer(ctx: ContainerContext, rec: ContainerRecord, signal: string | number = 'KILL'): Promise<void> {
  const s = currentState(ctx.containers, rec);
  if (s.status !== 'running') {
    throw new ContainerStateError(`can only kill running containers. ${rec.id} is in state ${s.status}: container state improper`);
  }
  const ns = await nsExec(ctx.paths);
  const rt = await selectRuntime(ctx, rec.runtime);
  await withStorageLock(ctx, () => ctx.containers.update(rec.id, (r) => void (r.state.stoppedByUser = true)));
  await runtimeKill(ns, rt, rec.id, String(parseSignal(signal)));
}

/**
 * `stop`: the stop signal, then SIGKILL after `timeout` seconds; waits for the exit and cleans
 * up. Stopping a container that is not running is not an error (Podman).
 */
export async function stopContainer(ctx: ContainerContext, rec: ContainerRecord, timeoutSec?: number, opts: CleanupOptions = {}): Promise<void> {
  // Recorded even when it is not running: a restart policy may be about to start it again.
  await withStorageLock(ctx, () => ctx.containers.update(rec.id, (r) => void (r.state.stoppedByUser = true)));
  await waitForRestart(ctx, rec.id);
  const s = currentState(ctx.containers, ctx.containers.read(rec.id) ?? rec);
  if (s.status === 'running') {
    const ns = await nsExec(ctx.paths);
    const rt = await selectRuntime(ctx, rec.runtime);
    const t = timeoutSec ?? rec.stopTimeout;
    if (t > 0) {
      await runtimeKill(ns, rt, rec.id, String(rec.stopSignal || 15));
      // The timer is cancelled once the container exits: a pending one would keep `stop` alive for the whole timeout.
      const timer = new AbortController();
      const exited = await Promise.race([
        waitForExit(ctx, rec.id).then(() => true),
        sleep(t * 1000, false, { signal: timer.signal }).catch(() => false),
      ]);
      timer.abort();
      // SIGKILL to the container's pid 1 ends its whole pid namespace; `kill --all` would need cgroups.
      if (!exited) await runtimeKill(ns, rt, rec.id, '9');
    } else {
      await runtimeKill(ns, rt, rec.id, '9');
    }
    await waitForExit(ctx, rec.id);
  }
  await cleanupContainer(ctx, rec.id, opts);
}

/** `rm`: refuses a running container unless `force` (then it is killed first). */
export async function removeContainer(ctx: ContainerContext, rec: ContainerRecord, opts: { force?: boolean; timeoutSec?: number } = {}): Promise<void> {
  const s = currentState(ctx.containers, rec);
  if (s.status === 'running') {
    if (!opts.force) {
      throw new ContainerStateError(
        `cannot remove container ${rec.id} as it is running - running or paused containers cannot be removed without force: container state improper`,
      );
    }
    await stopContainer(ctx, rec, opts.timeoutSec ?? 0);
  } else if (rec.state.mounted) {
    await cleanupContainer(ctx, rec.id);
  }
  await dropUserMounts(ctx, rec);
  const dead = await withStorageLock(ctx, () => ctx.containers.remove(rec.id));
  if (dead) removeCidFile(rec);
  if (dead) await removeTree(await nsExec(ctx.paths), dead);
}
