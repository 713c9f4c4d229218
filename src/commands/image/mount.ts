import type { CommandDef } from '../_shared/types.js';

interface ImageMountOptions {
  images?: string[];
  all?: boolean;
  format?: string;
}

const def: CommandDef<ImageMountOptions> = {
  usage: '[images..]',
  description:
    "Mounts the images' root filesystems read-only and prints where; without arguments lists the mounted images. " +
    'Mounts are counted: an image stays mounted until each mount was matched by an unmount. ' +
    'Rootless, run it inside `tsc-ctr unshare`: the mount exists only in that namespace.',
  examples: [
    ['$0 unshare', 'Enter the namespace first (rootless)'],
    ['$0 image mount alpine', "Mount an image's rootfs and print its path"],
  ],
  builder: (y) =>
    y
      .positional('images', { type: 'string', array: true })
      .option('all', { alias: 'a', type: 'boolean', describe: 'Mount all images' })
      .option('format', { type: 'string', describe: 'Print the mounted images in specified format (json)' }) as any,
  handler: async (args) => {
    const { requireUnshareWhenRootless, printMountList } = await import('../_shared/mount.js');
    requireUnshareWhenRootless();
    const { containerContext } = await import('../../container/context.js');
    const { nsExec } = await import('../../rootless/ns-exec.js');
    const { mountImage, mountedImages } = await import('../../container/rootfs.js');
    const { Store } = await import('../../storage/store.js');
    const { NotFoundError } = await import('../../errors.js');
    const { forEachTarget } = await import('../_shared/targets.js');
    const ctx = containerContext(args);
    const ns = await nsExec(ctx.paths);
    const store = Store.open(ctx.paths);
    if (!args.images?.length && !args.all) {
      const images = store.listImages();
      const items = mountedImages(ctx, ns).map((m) => ({ id: m.id, names: images.find((i) => i.id === m.id)?.names ?? [], path: m.path }));
      await printMountList(items, args.format, false);
      return 0;
    }
    const targets = args.all ? store.listImages().map((i) => i.id) : args.images!.map(String);
    return forEachTarget(targets, async (name) => {
      const match = await store.lookupImage(name);
      if (!match) throw new NotFoundError(`${name}: image not known`, 'TSC_ERR_IMAGE_NOT_KNOWN');
      return mountImage(ctx, ns, match.image);
    });
  },
};
export default def;
