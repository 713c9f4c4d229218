import type { CommandDef } from '../_shared/types.js';

interface RmOptions {
  image?: string[];
  all?: boolean;
  force?: boolean;
  ignore?: boolean;
  noPrune?: boolean;
}

const def: CommandDef<RmOptions> = {
  usage: '[image..]',
  description:
    'Removes one or more previously pulled or locally created images. Removing one of several names of an image only ' +
    'untags it; layers no other image or container uses are deleted. Exit status: 0 all removed, 1 an image did not ' +
    'exist, 2 an image is used by a container, 125 other errors.',
  examples: [
    ['$0 rmi imageID', 'Remove by id'],
    ['$0 rmi --force alpine', 'Remove even if a container uses it'],
    ['$0 rmi c4dfb1609ee2 93fd78260bd1 c0ed59d05ff7', 'Remove several'],
  ],
  builder: (y) =>
    y
      .positional('image', { type: 'string', array: true })
      .option('all', { alias: 'a', type: 'boolean', describe: 'Remove all images' })
      .option('force', { alias: 'f', type: 'boolean', describe: 'Force Removal of the image' })
      .option('ignore', { alias: 'i', type: 'boolean', describe: 'Ignore errors if a specified image does not exist' })
      .option('no-prune', { type: 'boolean', describe: 'Do not remove dangling images' }) as any,
  handler: async (args) => {
    const { openStore } = await import('../_shared/image-store.js');
    const targets = (args.image ?? []).map(String);
    const r = await openStore(args).removeImages(targets, { all: !!args.all, force: !!args.force, ignore: !!args.ignore });
    let out = '';
    for (const rep of r.reports) for (const u of rep.untagged) out += `Untagged: ${u}\n`;
    for (const rep of r.reports) if (rep.removed) out += `Deleted: ${rep.id}\n`;
    process.stdout.write(out);
    if (!r.errors.length) return 0;
    const { joinErrors } = await import('../_shared/image-output.js');
    process.stderr.write(`Error: ${joinErrors(r.errors.map((e) => e.error.message))}\n`);
    return r.exitCode;
  },
};
export default def;
