// Shared by `container inspect` and the top-level `inspect`: containers first, then images
// (Podman's order for --type all); one JSON array or one template run per object.
import { TscCtrError } from '../../errors.js';
import type { GlobalOptions } from './types.js';

export type InspectType = 'container' | 'image' | 'all';

export interface InspectRequest {
  names: string[];
  type: InspectType;
  format?: string | undefined;
  size?: boolean | undefined;
  latest?: boolean | undefined;
}

function notFound(type: InspectType, name: string): string {
  if (type === 'container') return `no such container ${name}`;
  if (type === 'image') return `${name}: image not known`;
  return `no such object: "${name}"`;
}

export async function inspectObjects(g: GlobalOptions, req: InspectRequest): Promise<number> {
  const { UsageError } = await import('../../errors.js');
  const { containerContext } = await import('../../container/context.js');
  const { inspectContainer } = await import('../../container/inspect.js');
  const ctx = containerContext(g);
  const names = [...req.names];
  if (req.latest) {
    if (names.length) throw new UsageError('--latest and containers cannot be used together');
    const newest = ctx.containers.list().sort((x, y) => y.created.localeCompare(x.created))[0];
    if (!newest) throw new TscCtrError('no containers to inspect: no such container', { code: 'TSC_ERR_NO_SUCH_CONTAINER' });
    names.push(newest.id);
  }
  if (!names.length) throw new UsageError('no names or ids specified');
  const found: unknown[] = [];
  const errors: string[] = [];
  let store: import('../../storage/store.js').Store | undefined;
  for (const name of names) {
    try {
      if (req.type !== 'image') {
        const rec = ctx.containers.find(name);
        if (rec) {
          found.push(await inspectContainer(ctx, rec, { size: req.size }));
          continue;
        }
      }
      if (req.type !== 'container') {
        const { Store } = await import('../../storage/store.js');
        const { describeProblems, imageProblems, inspectImage } = await import('../../image/inspect.js');
        store ??= Store.open(ctx.paths);
        const match = await store.lookupImage(name);
        if (match) {
          const problem = describeProblems(match.image, imageProblems(store, match.image));
          if (problem) (await import('../../ui/log.js')).log.warn(problem);
          found.push(inspectImage(store, match.image));
          continue;
        }
      }
      errors.push(notFound(req.type, name));
    } catch (err) {
      errors.push((err as Error).message);
    }
  }
  const { formatItems } = await import('../../ui/format.js');
  // Podman: indented JSON (5 spaces, no HTML escaping) by default, else the template per object
  process.stdout.write(formatItems(req.format || 'json', found, { name: 'inspect', jsonIndent: 5, escapeHTML: false }));
  if (!errors.length) return 0;
  for (const e of errors.slice(1)) process.stderr.write(`Error: ${e}\n`);
  throw new TscCtrError(errors[0]!, { code: 'TSC_ERR_NO_SUCH_OBJECT' });
}
