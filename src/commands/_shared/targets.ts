// Per-target execution for commands that act on several containers (Podman: one line per
// target, errors collected, exit code from the worst).
import { TscCtrError } from '../../errors.js';

export async function forEachTarget<T>(targets: T[], fn: (t: T) => Promise<string | undefined>): Promise<number> {
  let worst = 0;
  for (const t of targets) {
    try {
      const out = await fn(t);
      if (out !== undefined) process.stdout.write(`${out}\n`);
    } catch (err) {
      const code = err instanceof TscCtrError ? err.exitCode : 125;
      process.stderr.write(`Error: ${(err as Error).message}\n`);
      worst = Math.max(worst, code === 125 && (err as TscCtrError).code === 'TSC_ERR_NO_SUCH_CONTAINER' ? 1 : code);
    }
  }
  return worst;
}
