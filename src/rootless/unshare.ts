import { type PathOverrides, isRootless, resolvePaths } from '../config/paths.js';
import { TscCtrError } from '../errors.js';
import { execInUserNamespace } from './userns.js';

/**
 * `tsc-ctr unshare`: replace this process with `argv` (default the user's shell) inside our
 * user namespace, with CONTAINERS_GRAPHROOT/RUNROOT set as Podman does.
 */
export async function unshare(over: PathOverrides, argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<never> {
  if (!isRootless(env)) throw new TscCtrError('please use unshare with rootless');
  const paths = resolvePaths(over, env);
  const cmd = argv.length > 0 ? argv : [env.SHELL || '/bin/sh'];
  process.env.CONTAINERS_GRAPHROOT = paths.storageRoot;
  process.env.CONTAINERS_RUNROOT = paths.runRoot;
  return execInUserNamespace(paths, cmd);
}
