/**
 * Which options of a pass-through command (run, create, exec, unshare) take a value: needed to
 * find where the container's own command starts before yargs parses anything. Recorded from the
 * command's builder with a stand-in that only notes `.option()` calls, because building a real
 * yargs parser twice costs several milliseconds on the start-up path of every `run`.
 */
import type { CommandDef } from '../commands/_shared/types.js';

/** Global flags that take a value: needed to find the command word without parsing everything. */
export const VALUED_GLOBALS = new Set(['--root', '--runroot', '--log-level', '--runtime', '--storage-driver']);

interface OptionSpec {
  type?: string;
  alias?: string | string[];
  array?: boolean;
  count?: boolean;
  boolean?: boolean;
}

function takesValue(o: OptionSpec): boolean {
  if (o.count || o.boolean) return false;
  return o.type !== 'boolean' && o.type !== 'count';
}

export function valueOptions(def: CommandDef, globals: Iterable<string> = VALUED_GLOBALS): Set<string> {
  const names = new Set<string>([...globals].map((g) => g.replace(/^--?/, '')));
  const add = (name: string, o: OptionSpec) => {
    if (!takesValue(o)) return;
    names.add(name);
    for (const a of [o.alias ?? []].flat()) names.add(a);
  };
  const recorder: unknown = new Proxy(
    {},
    {
      get(_t, prop) {
        if (prop === 'option') return (name: string, o: OptionSpec = {}) => (add(name, o), recorder);
        if (prop === 'options') {
          return (name: string | Record<string, OptionSpec>, o: OptionSpec = {}) => {
            if (typeof name === 'string') add(name, o);
            else for (const [n, spec] of Object.entries(name)) add(n, spec);
            return recorder;
          };
        }
        if (prop === 'then') return undefined; // not a promise
        return () => recorder;
      },
    },
  );
  if (def.builder) def.builder(recorder as never);
  return names;
}
