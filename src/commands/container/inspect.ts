import type { CommandDef } from '../_shared/types.js';

interface ContainerInspectOptions {
  containers?: string[];
  format?: string;
  size?: boolean;
  latest?: boolean;
}

const def: CommandDef<ContainerInspectOptions> = {
  usage: '[containers..]',
  description:
    "Displays the configuration and state of containers as a JSON array, in Podman's shape (Id, State, Config, HostConfig, GraphDriver, Mounts, …), or one line per container with --format.",
  examples: [
    ['$0 container inspect web', 'A container, as JSON'],
    ["$0 container inspect --format '{{.State.Status}} {{.Config.Env}}' web", 'Chosen fields'],
    ['$0 container inspect -l -s', 'The newest container, with its sizes'],
  ],
  builder: (y) =>
    y
      .positional('containers', { type: 'string', array: true })
      .option('format', { alias: 'f', type: 'string', describe: 'Format the output to a Go template or json' })
      .option('size', { alias: 's', type: 'boolean', describe: 'Display total file size' })
      .option('latest', { alias: 'l', type: 'boolean', describe: 'Act on the latest container tsc-ctr is aware of' }) as any,
  handler: async (args) => {
    const { inspectObjects } = await import('../_shared/container-inspect.js');
    return inspectObjects(args, { names: (args.containers ?? []).map(String), type: 'container', format: args.format, size: args.size, latest: args.latest });
  },
};
export default def;
