// `system migrate` and `system reset`: the two ways to start over, as Podman has them.
import { rmSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ContainerContext } from '../container/context.js';
import { currentState, processAlive } from '../container/state.js';
import { livePausePid, pausePidFile } from '../rootless/pause.js';

export interface ResetProblem {
  what: string;
  error: string;
}

async function killPause(runRoot: string): Promise<number | undefined> {
  const pid = livePausePid(runRoot);
  if (pid === undefined) return undefined;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    /* already gone */
  }
  for (let i = 0; i < 50 && processAlive(pid); i++) await sleep(20);
  rmSync(pausePidFile(runRoot), { force: true });
  return pid;
}

/**
 * `system migrate`: stop the running containers (they live in the current user namespace) and
 * end the pause process, so that the next command builds a namespace from /etc/subuid as it is now.
 */
export async function migrate(ctx: ContainerContext): Promise<{ stopped: string[]; problems: ResetProblem[]; pausePid?: number }> {
  const { stopContainer } = await import('../container/stop.js');
  const stopped: string[] = [];
  const problems: ResetProblem[] = [];
  for (const rec of ctx.containers.list()) {
    if (currentState(ctx.containers, rec).status !== 'running') continue;
    try {
      await stopContainer(ctx, rec);
      stopped.push(rec.id);
    } catch (err) {
      problems.push({ what: `stopping container ${rec.id.slice(0, 12)}`, error: (err as Error).message });
    }
  }
  if (!ctx.rootless) return { stopped, problems };
  const pausePid = await killPause(ctx.paths.runRoot);
  return pausePid === undefined ? { stopped, problems } : { stopped, problems, pausePid };
}

/**
 * `system reset`: every container (force-removed), then the whole storage root and run root.
 * Files owned by subordinate ids are removed from inside the namespace, before it is ended.
 */
export async function reset(ctx: ContainerContext): Promise<{ removed: string[]; problems: ResetProblem[] }> {
  const { removeContainer } = await import('../container/stop.js');
  const { nsExec, removeTree } = await import('../rootless/ns-exec.js');
  const problems: ResetProblem[] = [];
  const removed: string[] = [];
  for (const rec of ctx.containers.list()) {
    try {
      await removeContainer(ctx, rec, { force: true, timeoutSec: 0 });
      removed.push(rec.id);
    } catch (err) {
      problems.push({ what: `removing container ${rec.id.slice(0, 12)}`, error: (err as Error).message });
    }
  }
  try {
    await removeTree(await nsExec(ctx.paths), ctx.paths.storageRoot);
  } catch (err) {
    problems.push({ what: `removing the storage root ${ctx.paths.storageRoot}`, error: (err as Error).message });
  }
  if (ctx.rootless) await killPause(ctx.paths.runRoot);
  try {
    rmSync(ctx.paths.runRoot, { recursive: true, force: true });
  } catch (err) {
    problems.push({ what: `removing the run root ${ctx.paths.runRoot}`, error: (err as Error).message });
  }
  return { removed, problems };
}
