import type { CommandDef } from '../_shared/types.js';
import { type CreateCliOptions, createFlags } from '../_shared/create-flags.js';

const def: CommandDef<CreateCliOptions> = {
  usage: '<image> [command..]',
  passthroughAfter: 1,
  description: 'Creates a container from an image without starting it, and prints its ID. Start it with `tsc-ctr start`.',
  examples: [['$0 create --name box -it alpine sh', 'Create an interactive container to start later with start -ai box']],
  builder: (y) => createFlags(y) as any,
  handler: async (args) => {
    const { createCommand } = await import('../_shared/run-create.js');
    return createCommand(args);
  },
};
export default def;
