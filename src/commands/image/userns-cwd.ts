// Entering the user namespace goes through nsenter into the pause process's mount namespace,
// which leaves the working directory at "/". Commands taking file paths (save -o, load -i,
// push --digestfile) carry the caller's directory across and return to it inside.
import type { StorePaths } from '../../config/paths.js';

const CWD_VAR = '_TSC_CTR_CALLER_CWD';

/** Re-run this command inside the user namespace, in the caller's working directory. */
export async function reexecInUserNamespaceHere(paths: StorePaths): Promise<never> {
  const { reexecCliInUserNamespace } = await import('../../rootless/userns.js');
  process.env[CWD_VAR] = process.cwd();
  return reexecCliInUserNamespace(paths);
}

/** Inside: go back to where the caller was (no-op when not re-executed). */
export function restoreCallerCwd(): void {
  const cwd = process.env[CWD_VAR];
  if (!cwd) return;
  delete process.env[CWD_VAR];
  process.chdir(cwd);
}
