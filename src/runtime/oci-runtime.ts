import { spawn } from 'node:child_process';
import { basename } from 'node:path';
import { type NsExec, wrap } from '../rootless/ns-exec.js';
import { runtimeError } from './errors.js';

/** The OCI runtime (crun or runc) as tsc-ctr calls it: always with our own state root. */
export interface OciRuntime {
  path: string;
  /** `--root` for the runtime's state (per user, in the run root). */
  stateRoot: string;
}

export function runtimeGlobalArgs(rt: OciRuntime): string[] {
  return ['--root', rt.stateRoot];
}

function run(ns: NsExec, rt: OciRuntime, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const [cmd, argv] = wrap(ns, [rt.path, ...runtimeGlobalArgs(rt), ...args]);
  return new Promise((resolve, reject) => {
    const c = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'], env: ns.env });
    let out = '';
    let err = '';
    c.stdout.on('data', (d: Buffer) => (out += d.toString()));
    c.stderr.on('data', (d: Buffer) => (err += d.toString()));
    c.on('error', reject);
    c.on('close', (code) => resolve({ code: code ?? 1, stdout: out, stderr: err }));
  });
}

export async function runtimeStart(ns: NsExec, rt: OciRuntime, id: string): Promise<void> {
  const r = await run(ns, rt, ['start', id]);
  if (r.code !== 0) throw runtimeError(r.stderr || `${basename(rt.path)} start exited ${r.code}`, rt.path);
}

/** Send a signal; `all` signals every process of the container. Missing container: false. */
export async function runtimeKill(ns: NsExec, rt: OciRuntime, id: string, signal: string, all = false): Promise<boolean> {
  const r = await run(ns, rt, ['kill', ...(all ? ['--all'] : []), id, signal]);
  if (r.code === 0) return true;
  if (/not exist|not running|no such process|container not running|process already finished/i.test(r.stderr)) return false;
  throw runtimeError(r.stderr || `${basename(rt.path)} kill exited ${r.code}`, rt.path);
}

export async function runtimeDelete(ns: NsExec, rt: OciRuntime, id: string): Promise<void> {
  const r = await run(ns, rt, ['delete', '--force', id]);
  if (r.code !== 0 && !/not exist|no such file/i.test(r.stderr)) throw runtimeError(r.stderr, rt.path);
}

export interface RuntimeState {
  status: string;
  pid: number;
}

export async function runtimeState(ns: NsExec, rt: OciRuntime, id: string): Promise<RuntimeState | undefined> {
  const r = await run(ns, rt, ['state', id]);
  if (r.code !== 0) return undefined;
  try {
    return JSON.parse(r.stdout) as RuntimeState;
  } catch {
    return undefined;
  }
}
