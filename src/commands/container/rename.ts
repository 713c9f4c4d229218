import type { CommandDef } from '../_shared/types.js';

interface RenameOptions {
  container: string;
  newName: string;
}

const def: CommandDef<RenameOptions> = {
  usage: '<container> <newName>',
  description: 'Renames a container, running or not. The old name is free for use afterwards.',
  examples: [['$0 rename web web-old', 'Give the container named web a new name']],
  builder: (y) => y.positional('container', { type: 'string', demandOption: true }).positional('newName', { type: 'string', demandOption: true }) as any,
  handler: async (args) => {
    const { containerContext } = await import('../../container/context.js');
    const { renameContainer } = await import('../../container/rename.js');
    await renameContainer(containerContext(args), String(args.container), String(args.newName));
    return 0;
  },
};
export default def;
