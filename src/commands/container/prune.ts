import type { CommandDef } from '../_shared/types.js';

interface PruneOptions {
  force?: boolean;
  filter?: string[];
}

const def: CommandDef<PruneOptions> = {
  description: 'Removes all stopped containers (created and exited) and prints their ids. Asks first unless --force.',
  examples: [
    ['$0 container prune', 'Remove stopped containers, after asking'],
    ['$0 container prune -f --filter until=24h', 'Only containers created more than a day ago, without asking'],
  ],
  builder: (y) =>
    y
      .option('force', { alias: 'f', type: 'boolean', describe: 'Do not prompt for confirmation. The default is false' })
      .option('filter', { type: 'string', array: true, describe: "Provide filter values (e.g. 'label=<key>=<value>')" }) as any,
  handler: async (args) => {
    const { compilePruneFilters, pruneContainers } = await import('../../container/prune.js');
    const filter = await compilePruneFilters((args.filter ?? []).map(String));
    if (!args.force) {
      process.stdout.write('WARNING! This will remove all non running containers.\nAre you sure you want to continue? [y/N] ');
      const { readAnswer } = await import('../_shared/image-output.js');
      const answer = await readAnswer(process.stdin);
      if (answer.trim().toLowerCase()[0] !== 'y') return 0;
    }
    const { containerContext } = await import('../../container/context.js');
    const { removed, errors } = await pruneContainers(containerContext(args), filter);
    process.stdout.write(removed.map((id) => `${id}\n`).join(''));
    for (const e of errors) process.stderr.write(`Error: ${e}\n`);
    return errors.length ? 125 : 0;
  },
};
export default def;
