// Commands whose every step needs root in the user namespace (cp, export) re-run themselves
// there (nsenter keeps the working directory: see nsenterArgv).
import { isRootless, resolvePaths } from '../../config/paths.js';
import type { GlobalOptions } from './types.js';

export async function runInUserNamespace(g: GlobalOptions): Promise<void> {
  const { insideUserNamespace, reexecCliInUserNamespace } = await import('../../rootless/userns.js');
  if (insideUserNamespace() || !isRootless()) return;
  await reexecCliInUserNamespace(resolvePaths({ root: g.root, runroot: g.runroot }));
}
