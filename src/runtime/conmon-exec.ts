/**
 * conmon in exec mode (PODMAN-NOTES.md §1.5): one more process in a running container. The
 * handshake differs from create: after the first start byte conmon sets up the session's
 * attach socket and says so on the attach pipe; the caller connects, then a second start byte
 * lets conmon run `runtime exec`. The sync pipe then carries the process pid and, when it
 * ends, its exit code.
 */
import { spawn } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { readFileSync } from 'node:fs';
import { TscCtrError } from '../errors.js';
import { type NsExec, wrap } from '../rootless/ns-exec.js';
import { type ConmonArgsInput, conmonArgs, parseSyncMessages, type SyncMessage } from './conmon-args.js';
import { runtimeError } from './errors.js';

export interface ExecStarted {
  /** The exec'd process's pid (host pid namespace). */
  pid: number;
  conmonPid: number;
  /** Resolves with the process's exit code (128+signal when killed). */
  exit: Promise<number>;
  /** Stop listening (exec -d): the session goes on without us. */
  release(): void;
}

/** Read sync-pipe messages one at a time. */
class MessageReader {
  private buf = '';
  private queue: SyncMessage[] = [];
  private waiters: ((m: SyncMessage | undefined) => void)[] = [];
  private ended = false;

  constructor(stream: Readable) {
    stream.on('data', (d: Buffer) => {
      this.buf += d.toString('utf8');
      const { messages, rest } = parseSyncMessages(this.buf);
      this.buf = rest;
      for (const m of messages) this.push(m);
    });
    const end = () => {
      this.ended = true;
      for (const w of this.waiters.splice(0)) w(undefined);
    };
    stream.on('end', end);
    stream.on('error', end);
    stream.on('close', end);
  }

  private push(m: SyncMessage): void {
    const w = this.waiters.shift();
    if (w) w(m);
    else this.queue.push(m);
  }

  next(): Promise<SyncMessage | undefined> {
    const m = this.queue.shift();
    if (m) return Promise.resolve(m);
    if (this.ended) return Promise.resolve(undefined);
    return new Promise((resolve) => this.waiters.push(resolve));
  }
}

/**
 * Start an exec session. `beforeExec` runs once the session's attach socket exists and before the
 * process is started (connect to it there, so no output is lost).
 */
export async function startConmonExec(
  ns: NsExec,
  conmonPath: string,
  input: ConmonArgsInput,
  beforeExec: () => Promise<void>,
): Promise<ExecStarted> {
  const [cmd, args] = wrap(ns, [conmonPath, ...conmonArgs(input)]);
  const child = spawn(cmd, args, {
    stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe', 'pipe'],
    env: { ...ns.env, _OCI_SYNCPIPE: '3', _OCI_STARTPIPE: '4', _OCI_ATTACHPIPE: '5' },
    detached: true,
  });
  const pipes = child.stdio as unknown as (Readable | Writable)[];
  const stderrChunks: Buffer[] = [];
  child.stderr!.on('data', (d: Buffer) => stderrChunks.push(d));
  const sync = new MessageReader(child.stdio[3] as Readable);
  const start = child.stdio[4] as Writable;
  const attachPipe = new MessageReader(pipes[5] as Readable);
  start.on('error', () => {});
  const spawnFailed = new Promise<never>((_, reject) => child.once('error', (e) => reject(new TscCtrError(`cannot run conmon (${conmonPath}): ${e.message}`))));
  const stderr = () => Buffer.concat(stderrChunks).toString('utf8').trim();
  const conmonFailed = (what: string) => new TscCtrError(`conmon failed ${what}${stderr() ? `: ${stderr()}` : ''}`, { code: 'TSC_ERR_CONMON' });

  start.write(Buffer.from([0]));
  const ready = await Promise.race([attachPipe.next(), spawnFailed]);
  if (!ready || ready.data < 0) {
    start.destroy();
    throw ready?.message ? runtimeError(ready.message, input.runtimePath) : conmonFailed('to set up the exec session');
  }
  try {
    await beforeExec();
  } finally {
    start.end(Buffer.from([0]));
  }
  const first = await sync.next();
  if (!first) throw conmonFailed('before the process started');
  if (first.data < 0 || first.message) {
    throw runtimeError(first.message ?? `exec failed with status ${-first.data}`, input.runtimePath);
  }
  let conmonPid = 0;
  try {
    conmonPid = Number(readFileSync(input.conmonPidFile, 'utf8').trim());
  } catch {
    /* conmon's daemon writes it before the process starts; absent only if conmon died */
  }
  // every pipe to conmon must go, or the open handles keep this process alive until the
  // exec'd process ends (exec -d would wait for it)
  const release = () => {
    for (const p of pipes) p?.destroy();
  };
  const exit = sync.next().then((m) => {
    release();
    if (!m) return readExit(input.exitDir, input.containerId) ?? -1;
    return m.data < 0 ? 128 + -m.data : m.data;
  });
  child.unref();
  return { pid: first.data, conmonPid, exit, release };
}

function readExit(dir: string, id: string): number | undefined {
  try {
    const t = readFileSync(`${dir}/${id}`, 'utf8').trim();
    return /^-?\d+$/.test(t) ? Number(t) : undefined;
  } catch {
    return undefined;
  }
}
