import type { CommandDef } from './types.js';

interface InspectOptions {
  name?: string[];
  format?: string;
  type?: string;
  size?: boolean;
  latest?: boolean;
}

const def: CommandDef<InspectOptions> = {
  usage: '[name..]',
  description: 'Displays the low-level information of objects, identified by name or ID, as a JSON array by default. Images only for now.',
  examples: [
    ['$0 inspect alpine', 'An image, as JSON'],
    ["$0 inspect --format '{{.Id}}' alpine", 'One field'],
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
    if (!['image', 'container', 'all'].includes(type)) throw new UsageError(`invalid type "${type}": must be "image", "container" or "all"`);
    if (type === 'container' || args.latest) throw new UsageError('inspecting containers is not supported yet: use `tsc-ctr ps` for now');
    const names = (args.name ?? []).map(String);
    if (!names.length) throw new UsageError('no names or ids specified');
    const { openStore } = await import('./image/store.js');
    const { inspectImages } = await import('./image/inspect-run.js');
    const notFound = type === 'image' ? (n: string) => `${n}: image not known` : (n: string) => `no such object: "${n}"`;
    return inspectImages(openStore(args), names, args.format, notFound);
  },
};
export default def;
