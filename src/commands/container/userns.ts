// Commands whose every step needs root in the user namespace (cp, export) re-run themselves
// there. nsenter leaves the working directory at the namespace's root: carry ours across.
import { isRootless, resolvePaths } from '../../config/paths.js';
import type { GlobalOptions } from '../types.js';

const CWD_VAR = '_TSC_CTR_CWD';

export async function runInUserNamespace(g: GlobalOptions): Promise<void> {
  const { insideUserNamespace, reexecCliInUserNamespace } = await import('../../rootless/userns.js');
  if (insideUserNamespace()) {
    const cwd = process.env[CWD_VAR];
    delete process.env[CWD_VAR];
    if (cwd) process.chdir(cwd);
    return;
  }
  if (!isRootless()) return;
  process.env[CWD_VAR] = process.cwd();
  await reexecCliInUserNamespace(resolvePaths({ root: g.root, runroot: g.runroot }));
}
