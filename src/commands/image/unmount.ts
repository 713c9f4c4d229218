import type { CommandDef } from '../_shared/types.js';

interface ImageUnmountOptions {
  images?: string[];
  all?: boolean;
  force?: boolean;
}

const def: CommandDef<ImageUnmountOptions> = {
  usage: '[images..]',
  description:
    "Gives back one mount of each image's root filesystem taken by `image mount`; the image is unmounted when no mount is left. " +
    'Prints the ID of each image. Rootless, run it inside `tsc-ctr unshare`.',
  examples: [['$0 image unmount alpine', 'Unmount an image']],
  builder: (y) =>
    y
      .positional('images', { type: 'string', array: true })
      .option('all', { alias: 'a', type: 'boolean', describe: 'Unmount all of the currently mounted images' })
      .option('force', { alias: 'f', type: 'boolean', describe: 'Force the complete unmount of the specified mounted images' }) as any,
  handler: async (args) => {
    const { requireUnshareWhenRootless } = await import('../_shared/mount.js');
    requireUnshareWhenRootless();
    const { containerContext } = await import('../../container/context.js');
    const { nsExec } = await import('../../rootless/ns-exec.js');
    const { unmountImage, mountedImages } = await import('../../container/rootfs.js');
    const { Store } = await import('../../storage/store.js');
    const { NotFoundError, UsageError } = await import('../../errors.js');
    const { forEachTarget } = await import('../_shared/targets.js');
    const ctx = containerContext(args);
    const ns = await nsExec(ctx.paths);
    const store = Store.open(ctx.paths);
    if (!args.images?.length && !args.all) throw new UsageError('image name or ID must be specified');
    if (args.all) {
      return forEachTarget(mountedImages(ctx, ns), async (m) => {
        await unmountImage(ctx, ns, m.id, { force: args.force });
        return m.id;
      });
    }
    return forEachTarget(args.images!.map(String), async (name) => {
      const match = await store.lookupImage(name);
      if (!match) throw new NotFoundError(`${name}: image not known`, 'TSC_ERR_IMAGE_NOT_KNOWN');
      await unmountImage(ctx, ns, match.image.id, { force: args.force });
      return match.image.id;
    });
  },
};
export default def;
