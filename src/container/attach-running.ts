import { nsExec } from '../rootless/ns-exec.js';
import { selectRuntime } from './adapters.js';
import { Attachment } from './attach.js';
import { attachSession, type AttachSessionOptions } from './attach-session.js';
import { cleanupContainer } from './cleanup.js';
import type { ContainerContext } from './context.js';
import { containerFiles } from './start.js';
import { currentState } from './state.js';
import { ContainerStateError } from './stop.js';
import type { ContainerRecord } from './types.js';
import { waitForExit } from './wait.js';

/**
 * `attach`: join a running container's conmon attach socket. Returns the container's exit code,
 * or undefined when the user detached. stdin is forwarded only if the container has one (-i).
 */
export async function attachToContainer(ctx: ContainerContext, rec: ContainerRecord, opts: AttachSessionOptions): Promise<number | undefined> {
  if (currentState(ctx.containers, rec).status !== 'running') {
    throw new ContainerStateError(`you can only attach to running containers: container state improper`);
  }
  const ns = await nsExec(ctx.paths);
  const runtime = await selectRuntime(ctx, rec.runtime);
  const att = await Attachment.open(containerFiles(ctx, rec.id).attach);
  const end = await attachSession(ctx, rec, att, { ns, runtime }, { ...opts, stdin: opts.stdin && rec.stdin });
  if (end === 'detached') return undefined;
  const code = await waitForExit(ctx, rec.id);
  await cleanupContainer(ctx, rec.id);
  return code;
}
