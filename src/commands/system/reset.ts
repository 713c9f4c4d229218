import type { CommandDef } from '../_shared/types.js';

interface ResetOptions {
  force?: boolean;
}

const WARNING = `WARNING! This will remove:
        - all containers
        - all images
        - all volumes
        - the storage root and the run root
`;

/** The first line of stdin, or undefined when it ends first (a CI job's closed or empty stdin). */
async function answer(question: string): Promise<string | undefined> {
  process.stdout.write(question);
  const { createInterface } = await import('node:readline');
  const rl = createInterface({ input: process.stdin });
  const line = await new Promise<string | undefined>((resolve) => {
    rl.once('line', resolve);
    rl.once('close', () => resolve(undefined));
  });
  rl.close();
  return line;
}

const def: CommandDef<ResetOptions> = {
  description:
    "Removes all of this user's containers (stopping running ones), images, volumes and layers: the whole " +
    'storage root and run root, and the pause process. Asks first unless --force; without a yes nothing is ' +
    'removed. Anything that cannot be removed is reported and the exit status is 125.',
  examples: [['$0 system reset -f', 'Start from scratch without a question (CI)']],
  builder: (y) => y.option('force', { alias: 'f', type: 'boolean', describe: 'Do not prompt for confirmation' }) as any,
  handler: async (args) => {
    const { containerContext } = await import('../../container/context.js');
    const ctx = containerContext(args);
    if (!args.force) {
      const a = await answer(`${WARNING}   storage root: ${ctx.paths.storageRoot}\n   run root: ${ctx.paths.runRoot}\nAre you sure you want to continue? [y/N] `);
      if (a === undefined) {
        // Podman fails here too (status 1) rather than taking the end of input for a "no".
        process.stdout.write('\n');
        const { TscCtrError } = await import('../../errors.js');
        throw new TscCtrError('no answer on standard input: nothing was removed (use --force where nobody can answer)', { code: 'TSC_ERR_NO_ANSWER', exitCode: 1 });
      }
      if (!/^y(es)?$/i.test(a.trim())) {
        process.stdout.write('\nNot confirmed: nothing was removed.\n');
        return 0;
      }
    }
    const { reset } = await import('../../system/reset.js');
    const r = await reset(ctx);
    for (const p of r.problems) process.stderr.write(`Error: ${p.what}: ${p.error}\n`);
    return r.problems.length ? 125 : 0;
  },
};
export default def;
