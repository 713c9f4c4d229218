import type { CommandDef } from '../_shared/types.js';

interface TopOptions {
  container?: string;
  descriptors?: string[];
  latest?: boolean;
}

const def: CommandDef<TopOptions> = {
  usage: '[container] [descriptors..]',
  description:
    "Shows the processes running in a container, like ps. Descriptors (AIX format, e.g. pid, user, args, %C, hpid) choose the columns; " +
    'the default is user pid ppid %CPU elapsed tty time command. Pids are those inside the container (hpid: on the host).',
  examples: [
    ['$0 top web', 'The processes of a container'],
    ['$0 top web pid hpid user huser args', 'Container and host pids and users side by side'],
  ],
  builder: (y) =>
    y
      .positional('container', { type: 'string' })
      .positional('descriptors', { type: 'string', array: true })
      .option('latest', { alias: 'l', type: 'boolean', describe: 'Act on the latest container tsc-ctr is aware of' }) as any,
  handler: async (args) => {
    const { UsageError } = await import('../../errors.js');
    const { containerContext } = await import('../../container/context.js');
    const { selectTargets } = await import('../_shared/select.js');
    const ctx = containerContext(args);
    let descriptors = (args.descriptors ?? []).map(String);
    let name = args.container;
    // with --latest every argument is a descriptor
    if (args.latest && name !== undefined) {
      descriptors = [name, ...descriptors];
      name = undefined;
    }
    if (!args.latest && name === undefined) throw new UsageError('you must provide the name or id of a running container');
    const [target] = selectTargets(ctx, { containers: name === undefined ? [] : [name], latest: args.latest });
    const rec = ctx.containers.get(target!);
    const { topContainer } = await import('../../container/top.js');
    const { renderTable } = await import('../../ui/table.js');
    const [header, ...rows] = topContainer(ctx, rec, descriptors);
    process.stdout.write(renderTable(header!, rows));
    return 0;
  },
};
export default def;
