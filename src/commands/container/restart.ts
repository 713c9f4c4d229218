import type { CommandDef } from '../_shared/types.js';

interface RestartOptions {
  containers: string[];
  time?: number;
  all?: boolean;
  running?: boolean;
  latest?: boolean;
  cidfile?: string[];
}

const def: CommandDef<RestartOptions> = {
  usage: '[containers..]',
  description: 'Stops (if running) and starts again one or more containers, keeping their configuration. Prints each container as given.',
  examples: [
    ['$0 restart -t 2 web', 'Restart a container, killing it after 2 seconds if it does not stop'],
    ['$0 restart --running', 'Restart every running container'],
  ],
  builder: (y) =>
    y
      .positional('containers', { type: 'string', array: true })
      .option('time', { alias: 't', type: 'number', describe: 'Seconds to wait for stop before killing the container' })
      .option('all', { alias: 'a', type: 'boolean', describe: 'Restart all containers' })
      .option('running', { type: 'boolean', describe: 'Restart only running containers' })
      .option('latest', { alias: 'l', type: 'boolean', describe: 'Act on the latest container tsc-ctr is aware of' })
      .option('cidfile', { type: 'string', array: true, describe: 'Read the container ID from the file' }) as any,
  handler: async (args) => {
    const { containerContext } = await import('../../container/context.js');
    const { restartContainer } = await import('../../container/restart.js');
    const { currentState } = await import('../../container/state.js');
    const { UsageError } = await import('../../errors.js');
    if ((args.all || args.running) && (args.containers?.length || args.latest)) throw new UsageError('--all or --running and containers cannot be used together');
    const { selectTargets } = await import('../_shared/select.js');
    const { forEachTarget } = await import('../_shared/targets.js');
    const ctx = containerContext(args);
    let targets: string[];
    if (args.all || args.running) {
      targets = ctx.containers
        .list()
        .filter((c) => !args.running || currentState(ctx.containers, c).status === 'running')
        .map((c) => c.id);
    } else {
      targets = selectTargets(ctx, args);
    }
    return forEachTarget(targets, async (name) => {
      await restartContainer(ctx, ctx.containers.get(name), args.time);
      return name;
    });
  },
};
export default def;
