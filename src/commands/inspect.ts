import type { CommandDef } from './_shared/types.js';

interface InspectOptions {
  name?: string[];
  format?: string;
  type?: string;
  size?: boolean;
  latest?: boolean;
}

const def: CommandDef<InspectOptions> = {
  usage: '[name..]',
  description:
    'Displays the low-level information of containers and images, identified by name or ID, as a JSON array by default. ' +
    'A name that is both a container and an image is taken as the container unless --type says otherwise.',
  examples: [
    ['$0 inspect alpine', 'An image, as JSON'],
    ["$0 inspect --format '{{.State.Status}}' web", 'One field of a container'],
    ['$0 inspect --type image fedora', 'Look only for images'],
  ],
  builder: (y) =>
    y
      .positional('name', { type: 'string', array: true })
      .option('format', { alias: 'f', type: 'string', describe: 'Format the output to a Go template or json' })
      .option('type', { alias: 't', type: 'string', default: 'all', describe: 'Specify inspect-object type (image, container, all)' })
      .option('size', { alias: 's', type: 'boolean', describe: 'Display total file size' })
      .option('latest', { alias: 'l', type: 'boolean', describe: 'Act on the latest container tsc-ctr is aware of' }) as any,
  handler: async (args) => {
    const { UsageError } = await import('../errors.js');
    const type = args.type ?? 'all';
    if (type !== 'image' && type !== 'container' && type !== 'all') throw new UsageError(`invalid type "${type}": must be "image", "container" or "all"`);
    const { inspectObjects } = await import('./_shared/container-inspect.js');
    return inspectObjects(args, { names: (args.name ?? []).map(String), type, format: args.format, size: args.size, latest: args.latest });
  },
};
export default def;
