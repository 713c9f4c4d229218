import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';

const cache = new Map<string, string | undefined>();

/** The absolute path of a program on $PATH (executable by us), like `command -v`. */
export function findProgram(name: string, pathEnv: string | undefined = process.env.PATH): string | undefined {
  if (name.includes('/')) {
    try {
      accessSync(name, constants.X_OK);
      return name;
    } catch {
      return undefined;
    }
  }
  const key = `${pathEnv}\0${name}`;
  if (cache.has(key)) return cache.get(key);
  let found: string | undefined;
  for (const dir of (pathEnv ?? '/usr/local/bin:/usr/bin:/bin').split(':')) {
    if (!dir) continue;
    const p = join(dir, name);
    try {
      accessSync(p, constants.X_OK);
      found = p;
      break;
    } catch {
      /* next */
    }
  }
  cache.set(key, found);
  return found;
}
