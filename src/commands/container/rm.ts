import type { CommandDef } from '../_shared/types.js';

interface RmOptions {
  containers: string[];
  force?: boolean;
  all?: boolean;
  ignore?: boolean;
  volumes?: boolean;
  time?: number;
  cidfile?: string[];
}

const def: CommandDef<RmOptions> = {
  usage: '[containers..]',
  description: 'Removes containers. A running container is refused unless --force, which stops it first.',
  examples: [['$0 rm -f web', 'Stop and remove a container'], ['$0 rm --all', 'Remove every stopped container']],
  builder: (y) =>
    y
      .positional('containers', { type: 'string', array: true })
      .option('force', { alias: 'f', type: 'boolean', describe: 'Force removal of a running container: stop it first' })
      .option('all', { alias: 'a', type: 'boolean', describe: 'Remove all containers' })
      .option('ignore', { alias: 'i', type: 'boolean', describe: 'Ignore errors when a specified container is missing' })
      .option('volumes', { alias: 'v', type: 'boolean', describe: 'Remove anonymous volumes associated with the container' })
      .option('time', { alias: 't', type: 'number', describe: 'Seconds to wait for stop before killing the container (with --force)' })
      .option('cidfile', { type: 'string', array: true, describe: 'Read the container ID from the file' }) as any,
  handler: async (args) => {
    const { containerContext } = await import('../../container/context.js');
    const { removeContainer } = await import('../../container/stop.js');
    const { selectTargets } = await import('../_shared/select.js');
    const { forEachTarget } = await import('../_shared/targets.js');
    const ctx = containerContext(args);
    return forEachTarget(selectTargets(ctx, args), async (name) => {
      const rec = ctx.containers.find(name);
      if (!rec) {
        if (args.ignore) return undefined;
        ctx.containers.get(name);
      }
      await removeContainer(ctx, rec!, { force: args.force, timeoutSec: args.time ?? 10 });
      return rec!.id;
    });
  },
};
export default def;
