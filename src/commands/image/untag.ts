import type { CommandDef } from '../_shared/types.js';

interface UntagOptions {
  image: string;
  name?: string[];
}

const def: CommandDef<UntagOptions> = {
  usage: '<image> [name..]',
  description: 'Removes one or more names from a locally-stored image; with no name, all of them. The image stays, as <none> if it has no name left.',
  examples: [
    ['$0 untag 0e3bbc2', 'Remove every name'],
    ['$0 untag imageID:latest otherImageName:latest', 'Remove one name'],
    ['$0 untag httpd myregistryhost:5000/fedora/httpd:v2', 'Remove a registry name'],
  ],
  builder: (y) =>
    y.positional('image', { type: 'string', demandOption: true }).positional('name', { type: 'string', array: true }) as any,
  handler: async (args) => {
    const { openStore } = await import('../_shared/image-store.js');
    const store = openStore(args);
    const img = await store.getImage(String(args.image));
    const names = (args.name ?? []).map(String);
    if (!names.length) await store.untagImage(img.id);
    for (const n of names) await store.untagImage(img.id, n);
  },
};
export default def;
