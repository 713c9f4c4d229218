import type { CommandDef } from '../_shared/types.js';
import { type CreateCliOptions, createFlags } from '../_shared/create-flags.js';

interface RunOptions extends CreateCliOptions {
  detach?: boolean;
  sigProxy?: boolean;
}

const def: CommandDef<RunOptions> = {
  usage: '<image> [command..]',
  passthroughAfter: 1,
  description:
    'Runs a command in a new container: create + start, attached to your terminal unless -d. The exit code is the ' +
    "container's; 125 is tsc-ctr's own error, 126 a command that cannot be executed, 127 a command not found.",
  examples: [
    ['$0 run --rm -it alpine', 'An interactive shell, removed on exit'],
    ['$0 run -d --name web busybox httpd -f -p 8080', 'A detached service container'],
    ['$0 run --rm -v $PWD:/src:ro alpine ls /src', 'With a read-only bind mount'],
  ],
  builder: (y) =>
    createFlags(y)
      .option('detach', { alias: 'd', type: 'boolean', describe: 'Run container in background and print container ID' })
      .option('sig-proxy', { type: 'boolean', default: true, describe: 'Proxy received signals to the process' }) as any,
  handler: async (args) => {
    const { runCommand } = await import('../_shared/run-create.js');
    return runCommand(args);
  },
};
export default def;
