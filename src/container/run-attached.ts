import { runtimeKill } from '../runtime/oci-runtime.js';
import { type AttachEnd, resizeTerminal } from './attach.js';
import { cleanupContainer } from './cleanup.js';
import type { ContainerContext } from './context.js';
import { parseDetachKeys } from './detach-keys.js';
import { type StartOptions, containerFiles, startContainer } from './start.js';
import type { ContainerRecord } from './types.js';
import { waitForExit } from './wait.js';

export interface AttachedRunOptions {
  detachKeys?: string | undefined;
  sigProxy?: boolean | undefined;
  /** Forward our stdin (-i). */
  stdin: boolean;
}

const PROXIED = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2'] as const;

/**
 * Start a container attached to this terminal and return its exit code, or undefined when the
 * user detached (the container keeps running, managed by conmon).
 */
export async function runAttached(ctx: ContainerContext, rec: ContainerRecord, opts: AttachedRunOptions, startOpts: StartOptions = {}): Promise<number | undefined> {
  const f = containerFiles(ctx, rec.id);
  const stdin = process.stdin;
  const tty = rec.tty && stdin.isTTY;
  const started = await startContainer(ctx, rec, { ...startOpts, attach: true });
  const att = started.attachment!;
  const cleanups: (() => void)[] = [];
  if (tty) {
    stdin.setRawMode(true);
    cleanups.push(() => stdin.setRawMode(false));
    const resize = () => resizeTerminal(f.ctl, process.stdout.rows || 24, process.stdout.columns || 80);
    resize();
    process.on('SIGWINCH', resize);
    cleanups.push(() => process.off('SIGWINCH', resize));
  }
  if (opts.sigProxy !== false && !tty) {
    for (const sig of PROXIED) {
      const h = () => void runtimeKill(started.ns, started.runtime, rec.id, sig.replace(/^SIG/, '')).catch(() => {});
      process.on(sig, h);
      cleanups.push(() => process.off(sig, h));
    }
  }
  const io = { stdin: opts.stdin ? stdin : undefined, stdout: process.stdout, stderr: process.stderr, detachKeys: parseDetachKeys(opts.detachKeys ?? 'ctrl-p,ctrl-q') };
  const output = att.pumpOutput(io);
  const input: Promise<AttachEnd> = opts.stdin ? att.pumpInput(io) : new Promise(() => {});
  const end = await Promise.race([output.then(() => 'eof' as const), input.then((r) => (r === 'detached' ? ('detached' as const) : new Promise<never>(() => {})))]);
  for (const c of cleanups) c();
  if (opts.stdin) stdin.pause();
  if (end === 'detached') {
    att.close();
    process.stderr.write('\n');
    return undefined;
  }
  att.close();
  const code = await waitForExit(ctx, rec.id);
  // Do the cleanup here rather than wait for conmon's exit command: --rm is then done when we return.
  await cleanupContainer(ctx, rec.id);
  return code;
}
