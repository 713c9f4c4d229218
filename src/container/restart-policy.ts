// Restart policies without a daemon: the decision is made by whoever cleans up after an exit
// (conmon's exit command, or an attached `run`), and the restart is done right there.
import { UsageError } from '../errors.js';
import type { ContainerContext } from './context.js';
import { withStorageLock } from './context.js';
import { currentState, processAlive } from './state.js';
import type { ContainerRecord, ContainerStateRecord } from './types.js';

export type RestartPolicyName = 'no' | 'on-failure' | 'always' | 'unless-stopped';

export interface RestartPolicy {
  name: RestartPolicyName;
  /** on-failure only: 0 = no limit. */
  maxRetries: number;
}

const NAMES: readonly RestartPolicyName[] = ['no', 'on-failure', 'always', 'unless-stopped'];

/** `--restart` as Podman parses it: `no`, `on-failure[:N]`, `always`, `unless-stopped`. */
export function parseRestartPolicy(text: string | undefined): RestartPolicy {
  if (text === undefined || text === '') return { name: 'no', maxRetries: 0 };
  const parts = text.split(':');
  if (parts.length > 2) throw new UsageError('invalid restart policy: may specify retries at most once');
  const name = parts[0]!.toLowerCase();
  if (!(NAMES as readonly string[]).includes(name)) throw new UsageError(`invalid restart policy "${parts[0]}": must be one of no, on-failure, always, unless-stopped`);
  if (parts.length === 1) return { name: name as RestartPolicyName, maxRetries: 0 };
  if (name !== 'on-failure') throw new UsageError('restart policy retries can only be specified with on-failure restart policy');
  const n = parts[1]!;
  if (!/^-?\d+$/.test(n)) throw new UsageError(`parsing restart policy retry count: "${n}" is not a number`);
  if (Number(n) < 0) throw new UsageError('must specify restart policy retry count as a number greater than 0');
  return { name: 'on-failure', maxRetries: Number(n) };
}

export function formatRestartPolicy(p: RestartPolicy | undefined): string {
  if (!p || p.name === 'no') return 'no';
  return p.name === 'on-failure' && p.maxRetries > 0 ? `on-failure:${p.maxRetries}` : p.name;
}

/** Podman's rule: --rm and a restart policy contradict each other. */
export function checkRestartWithRm(p: RestartPolicy, rm: boolean | undefined): void {
  if (rm && p.name !== 'no') throw new UsageError('the --rm option conflicts with --restart, when the restartPolicy is not "" and "no"');
}

/** Whether an exited container is restarted (pure; Podman's shouldRestart). */
export function shouldRestart(p: RestartPolicy | undefined, s: ContainerStateRecord): boolean {
  if (!p || p.name === 'no') return false;
  if (s.status !== 'exited' || s.stoppedByUser) return false;
  if (p.name === 'on-failure') {
    if ((s.exitCode ?? 0) === 0) return false;
    if (p.maxRetries > 0 && (s.restartCount ?? 0) >= p.maxRetries) return false;
  }
  return true;
}

/** A restart claimed by a live process: cleanup must leave the container's mounts alone. */
export function restartInProgress(s: ContainerStateRecord): boolean {
  return s.restartingBy !== undefined && s.restartingBy !== process.pid && processAlive(s.restartingBy);
}

/**
 * After cleanup: restart the container if its policy says so. Both cleanup callers may get
 * here for the same exit; the claim under the lock (keyed by the run's start time) makes one win.
 */
export async function restartIfPolicy(ctx: ContainerContext, id: string): Promise<boolean> {
  const claimed = await withStorageLock(ctx, () => {
    const r = ctx.containers.read(id);
    if (!r) return undefined;
    const s = currentState(ctx.containers, r);
    if (!shouldRestart(r.restartPolicy, s) || restartInProgress(s)) return undefined;
    if (s.startedAt !== undefined && s.restartedRun === s.startedAt) return undefined;
    r.state = { ...s, restartCount: (s.restartCount ?? 0) + 1, restartingBy: process.pid };
    if (s.startedAt !== undefined) r.state.restartedRun = s.startedAt;
    ctx.containers.write(r);
    return r;
  });
  if (!claimed) return false;
  const { log } = await import('../ui/log.js');
  log.debug(`restarting container ${id} (policy ${formatRestartPolicy(claimed.restartPolicy)}, restart ${claimed.state.restartCount})`);
  const { startContainer } = await import('./start.js');
  let error: string | undefined;
  try {
    await startContainer(ctx, claimed, { restarting: true });
  } catch (err) {
    error = (err as Error).message;
  }
  const after = await withStorageLock(ctx, () =>
    ctx.containers.update(id, (r) => {
      delete r.state.restartingBy;
      if (error !== undefined) r.state.error = `restarting: ${error}`;
    }),
  );
  // `stop` came while we were starting: it found nothing running, so finish its job.
  if (after && error === undefined && after.state.stoppedByUser) {
    const { stopContainer } = await import('./stop.js');
    await stopContainer(ctx, after);
  }
  return error === undefined;
}

/** The policy a record carries, for `ps`/inspect. */
export function restartPolicyOf(rec: ContainerRecord): RestartPolicy {
  return rec.restartPolicy ?? { name: 'no', maxRetries: 0 };
}

/** Wait until no other process is in the middle of restarting the container. */
export async function waitForRestart(ctx: ContainerContext, id: string): Promise<void> {
  const { setTimeout: sleep } = await import('node:timers/promises');
  for (;;) {
    const r = ctx.containers.read(id);
    if (!r || !restartInProgress(r.state)) return;
    await sleep(100);
  }
}
