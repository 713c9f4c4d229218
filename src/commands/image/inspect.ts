import type { CommandDef } from '../_shared/types.js';

interface InspectOptions {
  image: string[];
  format?: string;
}

const def: CommandDef<InspectOptions> = {
  usage: '<image..>',
  description: 'Displays the low-level information of images, as a JSON array by default.',
  examples: [
    ['$0 image inspect alpine', 'Everything, as JSON'],
    ["$0 image inspect --format '{{.Id}}' alpine", 'The full id'],
    ["$0 image inspect --format '{{.Config.Cmd}} {{.Architecture}}' alpine", 'Fields by their Go names'],
  ],
  builder: (y) =>
    y
      .positional('image', { type: 'string', array: true, demandOption: true })
      .option('format', { alias: 'f', type: 'string', describe: 'Format the output to a Go template or json' }) as any,
  handler: async (args) => {
    const { openStore } = await import('../_shared/image-store.js');
    const { inspectImages } = await import('../_shared/image-inspect.js');
    return inspectImages(openStore(args), args.image.map(String), args.format, (name) => `${name}: image not known`);
  },
};
export default def;
