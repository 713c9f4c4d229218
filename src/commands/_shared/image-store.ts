// The image store of the paths the global options name (--root, --runroot, env, defaults).
import { resolvePaths } from '../../config/paths.js';
import { Store } from '../../storage/store.js';
import type { GlobalOptions } from './types.js';

export function openStore(args: Pick<GlobalOptions, 'root' | 'runroot'>): Store {
  return Store.open(resolvePaths({ root: args.root, runroot: args.runroot }));
}
