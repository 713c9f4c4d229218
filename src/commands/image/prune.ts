import type { CommandDef } from '../_shared/types.js';

interface PruneCliOptions {
  all?: boolean;
  force?: boolean;
  filter?: string[];
}

const def: CommandDef<PruneCliOptions> = {
  description: 'Removes dangling or unused images from local storage, and the layers nothing else uses. Prints the ids removed.',
  examples: [
    ['$0 image prune', 'Remove dangling images, after asking'],
    ['$0 image prune -a -f', 'Remove every image no container uses, without asking'],
    ['$0 image prune -f --filter until=24h', 'Only dangling images older than a day'],
  ],
  builder: (y) =>
    y
      .option('all', { alias: 'a', type: 'boolean', describe: 'Remove all images not in use by containers, not just dangling ones' })
      .option('force', { alias: 'f', type: 'boolean', describe: 'Do not prompt for confirmation' })
      .option('filter', { type: 'string', array: true, describe: "Provide filter values (e.g. 'label=<key>=<value>')" }) as any,
  handler: async (args) => {
    if (!args.force) {
      const question = args.all
        ? 'WARNING! This command removes all images without at least one container associated with them.\n'
        : 'WARNING! This command removes all dangling images.\n';
      process.stdout.write(`${question}Are you sure you want to continue? [y/N] `);
      const { readAnswer } = await import('../_shared/image-output.js');
      const answer = await readAnswer(process.stdin);
      if (answer.toLowerCase()[0] !== 'y') return 0;
    }
    const { openStore } = await import('../_shared/image-store.js');
    const { compileImageFilters, summarize } = await import('../../image/list.js');
    const store = openStore(args);
    const filters = (args.filter ?? []).map(String);
    let filter;
    if (filters.length) {
      const pred = await compileImageFilters(store, store.listImages(), filters);
      const byImage = store.containersByImage();
      filter = (img: Parameters<typeof summarize>[1]) => pred(summarize(store, img, byImage));
    }
    // An explicit dangling= filter replaces the default "dangling only" (as Podman does).
    const all = !!args.all || filters.some((f) => f.startsWith('dangling='));
    const removed = await store.pruneImages({ all, ...(filter ? { filter } : {}) });
    process.stdout.write(removed.map((r) => `${r.id}\n`).join(''));
  },
};
export default def;
