import type { CommandDef } from '../_shared/types.js';

interface KillOptions {
  containers: string[];
  signal?: string;
  all?: boolean;
  cidfile?: string[];
}

const def: CommandDef<KillOptions> = {
  usage: '[containers..]',
  description: 'Sends a signal (default SIGKILL) to the main process of running containers.',
  examples: [['$0 kill -s HUP web', 'Send SIGHUP to a container']],
  builder: (y) =>
    y
      .positional('containers', { type: 'string', array: true })
      .option('signal', { alias: 's', type: 'string', default: 'KILL', describe: 'Signal to send to the container' })
      .option('all', { alias: 'a', type: 'boolean', describe: 'Signal all running containers' })
      .option('cidfile', { type: 'string', array: true, describe: 'Read the container ID from the file' }) as any,
  handler: async (args) => {
    const { containerContext } = await import('../../container/context.js');
    const { killContainer } = await import('../../container/stop.js');
    const { parseSignal } = await import('../../container/signals.js');
    const { selectTargets } = await import('../_shared/select.js');
    const { forEachTarget } = await import('../_shared/targets.js');
    parseSignal(args.signal ?? 'KILL');
    const ctx = containerContext(args);
    return forEachTarget(selectTargets(ctx, args, true), async (name) => {
      await killContainer(ctx, ctx.containers.get(name), args.signal ?? 'KILL');
      return name;
    });
  },
};
export default def;
