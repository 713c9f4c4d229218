import { spawn } from 'node:child_process';
import type { StorePaths } from '../config/paths.js';
import { isRootless } from '../config/paths.js';
import { findProgram } from '../system/binaries.js';
import { HostError } from '../errors.js';
import { ensureUserNamespace, insideEnv, insideUserNamespace, nsenterArgv } from './userns.js';

/**
 * How to run programs that must be inside our user namespace (mount, conmon, the runtime) from
 * a process that is not: prefix them with nsenter. Rootful, or already inside: no prefix. This
 * keeps `run` at one Node start (DESIGN.md §5).
 */
export interface NsExec {
  prefix: string[];
  env: Record<string, string>;
  inside: boolean;
  /** The pause process holding the namespace (rootless, outside it). */
  pausePid?: number;
}

export async function nsExec(paths: StorePaths): Promise<NsExec> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
  if (!isRootless() || insideUserNamespace()) return { prefix: [], env, inside: true };
  const pid = await ensureUserNamespace(paths);
  const nsenter = findProgram('nsenter');
  if (!nsenter) throw new HostError('nsenter not found on PATH: install the util-linux package');
  return { prefix: nsenterArgv(nsenter, pid), env: insideEnv(paths), inside: false, pausePid: pid };
}

/** argv for `prog args…` run inside the namespace. */
export function wrap(ns: NsExec, argv: string[]): [string, string[]] {
  const full = [...ns.prefix, ...argv];
  return [full[0]!, full.slice(1)];
}

/** `rm -rf` a tree that may hold files owned by subordinate ids. */
export function removeTree(ns: NsExec, path: string): Promise<void> {
  const [cmd, args] = wrap(ns, ['rm', '-rf', '--one-file-system', '--', path]);
  return new Promise((resolve, reject) => {
    const c = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], env: ns.env });
    let err = '';
    c.stderr.on('data', (d: Buffer) => (err += d.toString()));
    c.on('error', reject);
    c.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`removing ${path}: ${err.trim() || `rm exited ${code}`}`))));
  });
}
