import { setTimeout as sleep } from 'node:timers/promises';
import { type ContainerContext } from './context.js';
import { startContainer } from './start.js';
import { processAlive } from './state.js';
import { stopContainer } from './stop.js';
import type { ContainerRecord } from './types.js';

/**
 * `restart`: stop (if running) then start again with the same record, so the config is kept.
 * Works on created and exited containers too.
 */
export async function restartContainer(ctx: ContainerContext, rec: ContainerRecord, timeoutSec?: number): Promise<ContainerRecord> {
  const oldConmon = rec.state.conmonPid;
  await stopContainer(ctx, rec, timeoutSec);
  // The old conmon still runs its exit command (`container cleanup`), which would unmount the
  // rootfs we are about to mount again: let it finish first.
  for (let i = 0; i < 600 && processAlive(oldConmon); i++) await sleep(50);
  const fresh = ctx.containers.get(rec.id);
  const { record } = await startContainer(ctx, fresh);
  return record;
}
