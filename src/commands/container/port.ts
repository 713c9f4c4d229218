import type { CommandDef } from '../_shared/types.js';

interface PortOptions {
  args?: string[];
  all?: boolean;
  latest?: boolean;
}

const def: CommandDef<PortOptions> = {
  usage: '[args..]',
  description: 'List port mappings for the container, or look up the host address a container port is published on (CONTAINER [PORT[/PROTO]]).',
  examples: [
    ['$0 port web', 'All published ports of a container'],
    ['$0 port web 80', 'The host address of container port 80/tcp'],
    ['$0 port -a', 'Published ports of every running container'],
  ],
  builder: (y) =>
    y
      .positional('args', { type: 'string', array: true })
      .option('all', { alias: 'a', type: 'boolean', describe: 'Display port information for all containers' })
      .option('latest', { alias: 'l', type: 'boolean', describe: 'Act on the latest container tsc-ctr is aware of' }) as any,
  handler: async (args) => {
    const { UsageError } = await import('../../errors.js');
    const { containerContext } = await import('../../container/context.js');
    const { containerPortLines, parsePortFilter } = await import('../../net/port-list.js');
    const ctx = containerContext(args);
    const rest = (args.args ?? []).map(String);
    if (args.all && args.latest) throw new UsageError('--all and --latest cannot be used together');
    let targets: string[];
    let filterText: string | undefined;
    if (args.all || args.latest) {
      if (args.all && rest.length > 0) throw new UsageError('no arguments are needed with --all');
      filterText = rest[0];
      if (rest.length > 1) throw new UsageError('only one port can be given with --latest');
      targets = args.all ? ctx.containers.list().map((c) => c.id) : ctx.containers.list().sort((a, b) => b.created.localeCompare(a.created)).slice(0, 1).map((c) => c.id);
    } else {
      if (rest.length === 0) throw new UsageError('you must supply a running container name or id');
      if (rest.length > 2) throw new UsageError('port accepts a container and at most one port');
      targets = [rest[0]!];
      filterText = rest[1];
    }
    const filter = filterText !== undefined ? parsePortFilter(filterText) : undefined;
    const lines: string[] = [];
    for (const t of targets) lines.push(...containerPortLines(ctx, ctx.containers.get(t), filter, !!args.all));
    if (filter && lines.length === 0 && !args.all) {
      const { TscCtrError } = await import('../../errors.js');
      throw new TscCtrError(`failed to find published port "${filter.port}/${filter.protocol}"`);
    }
    if (lines.length) process.stdout.write(lines.join('\n') + '\n');
  },
};
export default def;
