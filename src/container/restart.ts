import { type ContainerContext, withStorageLock } from './context.js';
import { startContainer } from './start.js';
import { stopContainer } from './stop.js';
import type { ContainerRecord } from './types.js';

/**
 * `restart`: stop (if running) then start again with the same record, so the config is kept.
 * Works on created and exited containers too.
 */
export async function restartContainer(ctx: ContainerContext, rec: ContainerRecord, timeoutSec?: number): Promise<ContainerRecord> {
  // Claimed first: the old run's exit command (another process) must neither remove an --rm
  // container nor unmount what we mount again; a claim by a dead process is ignored.
  await withStorageLock(ctx, () => ctx.containers.update(rec.id, (r) => void (r.state.restartingBy = process.pid)));
  try {
    await stopContainer(ctx, rec, timeoutSec, { keep: true });
    // startContainer waits for the old conmon's exit command before mounting again
    const fresh = ctx.containers.get(rec.id);
    const { record } = await startContainer(ctx, fresh);
    return record;
  } finally {
    await withStorageLock(ctx, () => {
      const r = ctx.containers.read(rec.id);
      if (r?.state.restartingBy !== process.pid) return;
      delete r.state.restartingBy;
      ctx.containers.write(r);
    });
  }
}
