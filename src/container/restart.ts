import { type ContainerContext } from './context.js';
import { startContainer } from './start.js';
import { stopContainer } from './stop.js';
import type { ContainerRecord } from './types.js';

/**
 * `restart`: stop (if running) then start again with the same record, so the config is kept.
 * Works on created and exited containers too.
 */
export async function restartContainer(ctx: ContainerContext, rec: ContainerRecord, timeoutSec?: number): Promise<ContainerRecord> {
  await stopContainer(ctx, rec, timeoutSec);
  // startContainer waits for the old conmon's exit command before mounting again
  const fresh = ctx.containers.get(rec.id);
  const { record } = await startContainer(ctx, fresh);
  return record;
}
