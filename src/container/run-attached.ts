import { attachSession, type AttachSessionOptions } from './attach-session.js';
import { cleanupContainer } from './cleanup.js';
import type { ContainerContext } from './context.js';
import { type StartOptions, startContainer } from './start.js';
import type { ContainerRecord } from './types.js';
import { waitForExit } from './wait.js';

export type AttachedRunOptions = AttachSessionOptions;

/**
 * Start a container attached to this terminal and return its exit code, or undefined when the
 * user detached (the container keeps running, managed by conmon).
 */
export async function runAttached(ctx: ContainerContext, rec: ContainerRecord, opts: AttachedRunOptions, startOpts: StartOptions = {}): Promise<number | undefined> {
  const started = await startContainer(ctx, rec, { ...startOpts, attach: true });
  const end = await attachSession(ctx, rec, started.attachment!, started, opts);
  if (end === 'detached') return undefined;
  const code = await waitForExit(ctx, rec.id);
  // Do the cleanup here rather than wait for conmon's exit command: --rm is then done when we return.
  await cleanupContainer(ctx, rec.id);
  return code;
}
