import { runtimeKill, type OciRuntime } from '../runtime/oci-runtime.js';
import type { NsExec } from '../rootless/ns-exec.js';
import { type AttachEnd, type Attachment, resizeTerminal } from './attach.js';
import type { ContainerContext } from './context.js';
import { parseDetachKeys } from './detach-keys.js';
import { containerFiles } from './start.js';
import type { ContainerRecord } from './types.js';

export interface AttachSessionOptions {
  detachKeys?: string | undefined;
  sigProxy?: boolean | undefined;
  /** Forward our stdin to the container. */
  stdin: boolean;
  /** An exec session's terminal and ctl fifo, instead of the container's. */
  tty?: boolean;
  ctlPath?: string;
}

const PROXIED = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2'] as const;

/**
 * Connect this terminal to an open attachment until the container's output ends ('eof': it
 * exited) or the user typed the detach keys ('detached': it keeps running). Shared by `run`,
 * `start -a` and `attach`; the terminal is restored before returning.
 */
export async function attachSession(
  ctx: ContainerContext,
  rec: ContainerRecord,
  att: Attachment,
  target: { ns: NsExec; runtime: OciRuntime },
  opts: AttachSessionOptions,
): Promise<AttachEnd> {
  const f = containerFiles(ctx, rec.id);
  const stdin = process.stdin;
  const tty = (opts.tty ?? rec.tty) && stdin.isTTY;
  const ctl = opts.ctlPath ?? f.ctl;
  const cleanups: (() => void)[] = [];
  if (tty) {
    stdin.setRawMode(true);
    cleanups.push(() => stdin.setRawMode(false));
    const resize = () => resizeTerminal(ctl, process.stdout.rows || 24, process.stdout.columns || 80);
    resize();
    process.on('SIGWINCH', resize);
    cleanups.push(() => process.off('SIGWINCH', resize));
  }
  // With a tty the signals come from the keyboard through the pty; proxying would double them.
  if (opts.sigProxy !== false && !tty) {
    for (const sig of PROXIED) {
      const h = () => void runtimeKill(target.ns, target.runtime, rec.id, sig.replace(/^SIG/, '')).catch(() => {});
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
  att.close();
  if (end === 'detached') process.stderr.write('\n');
  return end;
}
