import yargs from 'yargs';
import { describe, expect, it } from 'vitest';
import { valueOptions } from '../../../src/cli/value-options.js';
import { commands } from '../../../src/commands/index.js';
import type { CommandDef } from '../../../src/commands/_shared/types.js';

/** What yargs itself says, from a real parser built with the same builder. */
function fromYargs(def: CommandDef): Set<string> {
  const y = yargs([]);
  const positionals = new Set<string>();
  const positional = y.positional.bind(y);
  (y as any).positional = (name: string, o: any) => (positionals.add(name), positional(name, o));
  const built = (def.builder ? def.builder(y as never) : y) as unknown as { getOptions(): Record<string, any> };
  const o = built.getOptions();
  const bools = new Set<string>([...(o.boolean ?? []), ...(o.count ?? [])]);
  const names = new Set<string>([...(o.string ?? []), ...(o.number ?? []), ...(o.array ?? [])].filter((n) => !bools.has(n) && !positionals.has(n)));
  for (const n of [...names]) for (const al of o.alias?.[n] ?? []) names.add(al);
  return names;
}

describe('valueOptions', () => {
  const passthrough = commands.filter((c) => ['container run', 'container create', 'container exec', 'unshare'].includes(c.path.join(' ')));

  it('covers the pass-through commands', () => {
    expect(passthrough.map((c) => c.path.join(' ')).sort()).toEqual(['container create', 'container exec', 'container run', 'unshare'].sort());
  });

  for (const c of passthrough) {
    it(`${c.path.join(' ')}: the same options as yargs' own parser, plus the valued globals`, async () => {
      const def = (await c.load()).default as CommandDef;
      expect(def.passthroughAfter).toBeGreaterThanOrEqual(0);
      const got = valueOptions(def, ['--root', '--log-level']);
      const want = fromYargs(def);
      expect([...got].filter((n) => n !== 'root' && n !== 'log-level').sort()).toEqual([...want].sort());
      expect(got.has('root')).toBe(true);
    });
  }

  it('run: -e, -v, --name take a value; -d, -i, -t, --rm do not', async () => {
    const def = (await passthrough.find((c) => c.path.at(-1) === 'run')!.load()).default as CommandDef;
    const v = valueOptions(def, []);
    for (const n of ['e', 'env', 'v', 'volume', 'name', 'p', 'publish', 'u', 'w']) expect(v.has(n), n).toBe(true);
    for (const n of ['d', 'detach', 'i', 't', 'rm', 'interactive', 'tty', 'privileged']) expect(v.has(n), n).toBe(false);
  });
});
