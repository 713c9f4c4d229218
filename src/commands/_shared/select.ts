// Which containers a command names: arguments, --all, --latest, --cidfile.
import { readFileSync } from 'node:fs';
import type { ContainerContext } from '../../container/context.js';
import { currentState } from '../../container/state.js';
import { TscCtrError } from '../../errors.js';

export function selectTargets(ctx: ContainerContext, a: { containers?: string[]; all?: boolean; latest?: boolean; cidfile?: string[]; ignore?: boolean }, runningOnly = false): string[] {
  const out = [...(a.containers ?? [])];
  for (const f of a.cidfile ?? []) {
    try {
      out.push(readFileSync(f, 'utf8').trim());
    } catch (err) {
      if (!a.ignore) throw new TscCtrError(`reading CIDFile: ${(err as Error).message}`);
    }
  }
  if (a.all) {
    const all = ctx.containers.list().filter((c) => !runningOnly || currentState(ctx.containers, c).status === 'running');
    out.push(...all.map((c) => c.id));
  }
  if (a.latest) {
    const newest = ctx.containers.list().sort((x, y) => y.created.localeCompare(x.created))[0];
    if (newest) out.push(newest.id);
  }
  if (out.length === 0 && !a.all && !a.ignore) throw new TscCtrError('you must provide at least one container name or ID', { code: 'TSC_ERR_USAGE' });
  return out;
}
