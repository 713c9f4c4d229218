import type { CommandDef } from '../_shared/types.js';

interface MountOptions {
  containers?: string[];
  all?: boolean;
  format?: string;
  latest?: boolean;
  noTrunc?: boolean;
}

const def: CommandDef<MountOptions> = {
  usage: '[containers..]',
  description:
    "Mounts the containers' root filesystems and prints where; without arguments lists the mounted containers. " +
    'Each mount is counted: the rootfs stays mounted until every mount was matched by an unmount and the container is not running. ' +
    'Rootless, run it inside `tsc-ctr unshare`: the mount exists only in that namespace.',
  examples: [
    ['$0 unshare', 'Enter the namespace first (rootless)'],
    ['$0 mount web', "Mount a container's rootfs and print its path"],
    ['$0 mount', 'List mounted containers'],
  ],
  builder: (y) =>
    y
      .positional('containers', { type: 'string', array: true })
      .option('all', { alias: 'a', type: 'boolean', describe: 'Mount all containers' })
      .option('format', { type: 'string', describe: 'Print the mounted containers in specified format (json)' })
      .option('latest', { alias: 'l', type: 'boolean', describe: 'Act on the latest container tsc-ctr is aware of' })
      .option('no-trunc', { type: 'boolean', describe: 'Do not truncate output' }) as any,
  handler: async (args) => {
    const { requireUnshareWhenRootless, printMountList } = await import('../_shared/mount.js');
    requireUnshareWhenRootless();
    const { containerContext } = await import('../../container/context.js');
    const { nsExec } = await import('../../rootless/ns-exec.js');
    const { acquireContainerRootfs, mountedContainers } = await import('../../container/rootfs.js');
    const ctx = containerContext(args);
    const ns = await nsExec(ctx.paths);
    if (!args.containers?.length && !args.all && !args.latest) {
      const items = mountedContainers(ctx, ns).map((m) => ({ id: m.rec.id, names: [m.rec.name], path: m.path }));
      await printMountList(items, args.format, !!args.noTrunc);
      return 0;
    }
    const { selectTargets } = await import('../_shared/select.js');
    const { forEachTarget } = await import('../_shared/targets.js');
    return forEachTarget(selectTargets(ctx, args), async (name) => acquireContainerRootfs(ctx, ns, ctx.containers.get(name), 'user'));
  },
};
export default def;
