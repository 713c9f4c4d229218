import { UsageError } from '../errors.js';
import { type ContainerContext } from './context.js';
import { currentState } from './state.js';
import { removeContainer } from './stop.js';
import type { ContainerRecord } from './types.js';

export type PruneFilter = (rec: ContainerRecord) => boolean;

/** `container prune --filter`: until=, label=, label!= (Podman's set for containers). */
export async function compilePruneFilters(filters: string[], now = Date.now()): Promise<PruneFilter> {
  const preds: PruneFilter[] = [];
  for (const f of filters) {
    const m = /^([a-z]+)(!?=)(.*)$/.exec(f);
    if (!m) throw new UsageError(`invalid filter "${f}": filters must be key=value`);
    const [, key, op, value] = m as unknown as [string, string, string, string];
    if (key === 'until' && op === '=') {
      const { parseUntil } = await import('../image/list.js');
      const limit = parseUntil(value, now);
      preds.push((r) => Date.parse(r.created) < limit);
    } else if (key === 'label') {
      const i = value.indexOf('=');
      const k = i < 0 ? value : value.slice(0, i);
      const v = i < 0 ? undefined : value.slice(i + 1);
      const has = (r: ContainerRecord) => k in r.labels && (v === undefined || r.labels[k] === v);
      preds.push(op === '=' ? has : (r) => !has(r));
    } else {
      throw new UsageError(`${key} is an invalid filter`);
    }
  }
  return (r) => preds.every((p) => p(r));
}

/** Remove every container that is not running (and matches), returning the removed ids. */
export async function pruneContainers(ctx: ContainerContext, filter: PruneFilter): Promise<{ removed: string[]; errors: string[] }> {
  const removed: string[] = [];
  const errors: string[] = [];
  for (const rec of ctx.containers.list()) {
    const status = currentState(ctx.containers, rec).status;
    if (status === 'running' || status === 'stopping' || status === 'removing' || !filter(rec)) continue;
    try {
      await removeContainer(ctx, rec);
      removed.push(rec.id);
    } catch (err) {
      // Another process may have removed or started it meanwhile: not this prune's business.
      if (ctx.containers.read(rec.id) && currentState(ctx.containers, ctx.containers.read(rec.id)!).status !== 'running') errors.push((err as Error).message);
    }
  }
  return { removed, errors };
}
