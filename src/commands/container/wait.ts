import type { CommandDef } from '../_shared/types.js';

interface WaitOptions {
  containers: string[];
  ignore?: boolean;
}

const def: CommandDef<WaitOptions> = {
  usage: '<containers..>',
  description: 'Waits for containers to stop and prints their exit codes.',
  examples: [['$0 wait web', 'Block until the container exits, then print its exit code']],
  builder: (y) =>
    y.positional('containers', { type: 'string', array: true, demandOption: true }).option('ignore', { alias: 'i', type: 'boolean', describe: 'Ignore if a container does not exist' }) as any,
  handler: async (args) => {
    const { containerContext } = await import('../../container/context.js');
    const { waitForExit } = await import('../../container/wait.js');
    const { forEachTarget } = await import('../_shared/targets.js');
    const ctx = containerContext(args);
    return forEachTarget(args.containers, async (name) => {
      const rec = ctx.containers.find(name);
      if (!rec) {
        if (args.ignore) return '-1';
        ctx.containers.get(name);
      }
      return String(await waitForExit(ctx, rec!.id));
    });
  },
};
export default def;
