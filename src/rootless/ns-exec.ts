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
}

export async function nsExec(paths: StorePaths): Promise<NsExec> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
  if (!isRootless() || insideUserNamespace()) return { prefix: [], env, inside: true };
  const pid = await ensureUserNamespace(paths);
  const nsenter = findProgram('nsenter');
  if (!nsenter) throw new HostError('nsenter not found on PATH: install the util-linux package');
  return { prefix: nsenterArgv(nsenter, pid), env: insideEnv(paths), inside: false };
}

/** argv for `prog args…` run inside the namespace. */
export function wrap(ns: NsExec, argv: string[]): [string, string[]] {
  const full = [...ns.prefix, ...argv];
  return [full[0]!, full.slice(1)];
}
