import type { CommandDef } from '../_shared/types.js';

interface StopOptions {
  containers: string[];
  time?: number;
  all?: boolean;
  ignore?: boolean;
  cidfile?: string[];
}

const def: CommandDef<StopOptions> = {
  usage: '[containers..]',
  description: "Stops running containers: sends the container's stop signal (default SIGTERM), then SIGKILL after the timeout.",
  examples: [['$0 stop -t 2 web', 'Stop a container, killing it after 2 seconds']],
  builder: (y) =>
    y
      .positional('containers', { type: 'string', array: true })
      .option('time', { alias: 't', type: 'number', describe: 'Seconds to wait for stop before killing the container' })
      .option('all', { alias: 'a', type: 'boolean', describe: 'Stop all running containers' })
      .option('ignore', { alias: 'i', type: 'boolean', describe: 'Ignore errors when a specified container is missing' })
      .option('cidfile', { type: 'string', array: true, describe: 'Read the container ID from the file' }) as any,
  handler: async (args) => {
    const { containerContext } = await import('../../container/context.js');
    const { stopContainer } = await import('../../container/stop.js');
    const { selectTargets } = await import('../_shared/select.js');
    const ctx = containerContext(args);
    const { forEachTarget } = await import('../_shared/targets.js');
    return forEachTarget(selectTargets(ctx, args), async (name) => {
      const rec = ctx.containers.find(name);
      if (!rec) {
        if (args.ignore) return undefined;
        ctx.containers.get(name);
      }
      await stopContainer(ctx, rec!, args.time);
      return name;
    });
  },
};
export default def;
