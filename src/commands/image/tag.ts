import type { CommandDef } from '../_shared/types.js';

interface TagOptions {
  image: string;
  name: string[];
}

const def: CommandDef<TagOptions> = {
  usage: '<image> <name..>',
  description:
    'Adds one or more additional names to a local image. A name without a registry is put under localhost/ ' +
    '(myapp is localhost/myapp:latest), as Podman does; a name another image had moves to this one.',
  examples: [
    ['$0 tag 0e3bbc2 fedora:latest', 'Name an image by id'],
    ['$0 tag imageID:latest myNewImage:newTag', 'Another name for a named image'],
    ['$0 tag httpd myregistryhost:5000/fedora/httpd:v2', 'A name for pushing to a registry'],
  ],
  builder: (y) =>
    y
      .positional('image', { type: 'string', demandOption: true })
      .positional('name', { type: 'string', array: true, demandOption: true }) as any,
  handler: async (args) => {
    const { openStore } = await import('../_shared/image-store.js');
    const store = openStore(args);
    const img = await store.getImage(String(args.image));
    for (const n of args.name.map(String)) await store.tagImage(img.id, n);
  },
};
export default def;
