import type { CommandDef } from '../_shared/types.js';

interface UnmountOptions {
  containers?: string[];
  all?: boolean;
  force?: boolean;
  latest?: boolean;
}

const def: CommandDef<UnmountOptions> = {
  usage: '[containers..]',
  description:
    "Gives back one mount of each container's root filesystem taken by `mount`; the rootfs is unmounted when no mount is left and the container is not running. " +
    'Prints the ID of each container. Rootless, run it inside `tsc-ctr unshare`.',
  examples: [
    ['$0 umount web', 'Unmount a container'],
    ['$0 umount --all --force', 'Unmount every container, whoever mounted it'],
  ],
  builder: (y) =>
    y
      .positional('containers', { type: 'string', array: true })
      .option('all', { alias: 'a', type: 'boolean', describe: 'Unmount all of the currently mounted containers' })
      .option('force', { alias: 'f', type: 'boolean', describe: 'Force the complete unmount of the specified mounted containers' })
      .option('latest', { alias: 'l', type: 'boolean', describe: 'Act on the latest container tsc-ctr is aware of' }) as any,
  handler: async (args) => {
    const { requireUnshareWhenRootless } = await import('../_shared/mount.js');
    requireUnshareWhenRootless();
    const { containerContext } = await import('../../container/context.js');
    const { nsExec } = await import('../../rootless/ns-exec.js');
    const { releaseContainerRootfs, mountedContainers } = await import('../../container/rootfs.js');
    const { forEachTarget } = await import('../_shared/targets.js');
    const ctx = containerContext(args);
    const ns = await nsExec(ctx.paths);
    if (args.all) {
      // --all: the mounted ones only (a running container's rootfs is the runtime's, not ours)
      const { currentState } = await import('../../container/state.js');
      const targets = mountedContainers(ctx, ns).filter((m) => !['running', 'stopping'].includes(currentState(ctx.containers, m.rec).status));
      return forEachTarget(targets, async (m) => {
        await releaseContainerRootfs(ctx, ns, m.rec, 'user', { force: args.force });
        return m.rec.id;
      });
    }
    const { selectTargets } = await import('../_shared/select.js');
    return forEachTarget(selectTargets(ctx, args), async (name) => {
      const rec = ctx.containers.get(name);
      await releaseContainerRootfs(ctx, ns, rec, 'user', { force: args.force });
      return rec.id;
    });
  },
};
export default def;
