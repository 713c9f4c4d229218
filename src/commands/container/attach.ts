import type { CommandDef } from '../_shared/types.js';

interface AttachOptions {
  container?: string;
  detachKeys?: string;
  noStdin?: boolean;
  sigProxy?: boolean;
  latest?: boolean;
}

const def: CommandDef<AttachOptions> = {
  usage: '[container]',
  description:
    "Attaches this terminal to a running container's input and output. The exit code is the container's when it ends; " +
    'the detach keys (default ctrl-p,ctrl-q) leave it running.',
  examples: [
    ['$0 attach web', 'Attach to a container by name'],
    ['$0 attach --detach-keys ctrl-x,x -l', 'Attach to the newest container, detaching with ctrl-x x'],
  ],
  builder: (y) =>
    y
      .positional('container', { type: 'string' })
      .option('detach-keys', { type: 'string', describe: 'Select the key sequence for detaching a container. Format is a single character [a-Z] or a comma separated sequence of `ctrl-<value>`, where `<value>` is one of: `a-z`, `@`, `^`, `[`, `\\`, `]`, `_`' })
      .option('no-stdin', { type: 'boolean', describe: 'Do not attach STDIN. The default is false' })
      .option('sig-proxy', { type: 'boolean', default: true, describe: 'Proxy received signals to the process' })
      .option('latest', { alias: 'l', type: 'boolean', describe: 'Act on the latest container tsc-ctr is aware of' }) as any,
  handler: async (args) => {
    const { UsageError } = await import('../../errors.js');
    if (args.latest && args.container) throw new UsageError('--latest and containers cannot be used together');
    if (!args.latest && !args.container) throw new UsageError('attach requires the name or id of one running container or the latest flag');
    const { containerContext } = await import('../../container/context.js');
    const { selectTargets } = await import('../_shared/select.js');
    const ctx = containerContext(args);
    const [target] = selectTargets(ctx, { containers: args.container ? [args.container] : [], latest: args.latest });
    const rec = ctx.containers.get(target!);
    const { attachToContainer } = await import('../../container/attach-running.js');
    const code = await attachToContainer(ctx, rec, { detachKeys: args.detachKeys, sigProxy: args.sigProxy, stdin: !args.noStdin });
    return code ?? 0;
  },
};
export default def;
