import { spawn } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { readFileSync } from 'node:fs';
import { TscCtrError } from '../errors.js';
import { type NsExec, wrap } from '../rootless/ns-exec.js';
import { type ConmonArgsInput, conmonArgs, parseSyncMessages } from './conmon-args.js';
import { runtimeError } from './errors.js';
import { log } from '../ui/log.js';

export interface ConmonStarted {
  /** The container's pid (in the host's pid namespace). */
  pid: number;
  conmonPid: number;
}

/**
 * Start conmon for a container: it daemonizes, runs `runtime create`, and reports the container
 * pid on the sync pipe (PODMAN-NOTES.md §1.4). Errors carry the runtime's own words.
 */
export async function startConmon(ns: NsExec, conmonPath: string, input: ConmonArgsInput, extraEnv: Record<string, string> = {}): Promise<ConmonStarted> {
  const [cmd, args] = wrap(ns, [conmonPath, ...conmonArgs(input)]);
  log.debug(`running conmon: ${[cmd, ...args].join(' ')}`);
  const child = spawn(cmd, args, {
    stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'],
    env: { ...ns.env, ...extraEnv, _OCI_SYNCPIPE: '3', _OCI_STARTPIPE: '4' },
    // conmon becomes the container's monitor: it must not die with our process group.
    detached: true,
  });
  const stderrChunks: Buffer[] = [];
  child.stderr!.on('data', (d: Buffer) => stderrChunks.push(d));
  const sync = child.stdio[3] as Readable;
  const start = child.stdio[4] as Writable;
  const parentExit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const spawnError = new Promise<never>((_, reject) => child.once('error', (e) => reject(new TscCtrError(`cannot run conmon (${conmonPath}): ${e.message}`))));
  start.on('error', () => {});
  start.end(Buffer.from([0]));

  const firstMessage = new Promise<{ data: number; message?: string } | undefined>((resolve) => {
    let buf = '';
    sync.on('data', (d: Buffer) => {
      buf += d.toString('utf8');
      const { messages, rest } = parseSyncMessages(buf);
      buf = rest;
      if (messages[0]) resolve(messages[0]);
    });
    sync.on('end', () => resolve(undefined));
    sync.on('error', () => resolve(undefined));
  });
  const msg = await Promise.race([firstMessage, spawnError]);
  const code = await parentExit;
  sync.destroy();
  child.unref();
  const stderr = Buffer.concat(stderrChunks).toString('utf8').trim();
  if (!msg) {
    throw new TscCtrError(`conmon failed (exit status ${code})${stderr ? `: ${stderr}` : ''}`, { code: 'TSC_ERR_CONMON' });
  }
  if (msg.data < 0) throw runtimeError(msg.message ?? stderr ?? 'unknown error', input.runtimePath);
  let conmonPid: number;
  try {
    conmonPid = Number(readFileSync(input.conmonPidFile, 'utf8').trim());
  } catch {
    throw new TscCtrError(`conmon did not write its pid file ${input.conmonPidFile}`, { code: 'TSC_ERR_CONMON' });
  }
  return { pid: msg.data, conmonPid };
}
