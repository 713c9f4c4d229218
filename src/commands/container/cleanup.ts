import type { CommandDef } from '../_shared/types.js';

interface CleanupOptions {
  container: string;
  rm?: boolean;
}

/** Run by conmon after the container exits (its --exit-command); not for people. */
const def: CommandDef<CleanupOptions> = {
  usage: '<container>',
  description: 'Cleans up after an exited container: unmounts its rootfs, deletes its runtime state, and removes it when it was created with --rm. conmon runs this when the container exits.',
  builder: (y) => y.positional('container', { type: 'string', demandOption: true }).option('rm', { type: 'boolean', describe: 'Remove the container' }) as any,
  handler: async (args) => {
    const { containerContext } = await import('../../container/context.js');
    const { cleanupContainer } = await import('../../container/cleanup.js');
    await cleanupContainer(containerContext(args), args.container);
  },
};
export default def;
