import type { CommandDef } from '../_shared/types.js';

interface StartOptions {
  containers: string[];
  attach?: boolean;
  interactive?: boolean;
  detachKeys?: string;
  sigProxy?: boolean;
}

const def: CommandDef<StartOptions> = {
  usage: '<containers..>',
  description: 'Starts one or more containers. With --attach, the output of one container is shown and its exit code returned.',
  examples: [['$0 start -ai box', 'Start a container and attach to it interactively']],
  builder: (y) =>
    y
      .positional('containers', { type: 'string', array: true, demandOption: true })
      .option('attach', { alias: 'a', type: 'boolean', describe: "Attach container's STDOUT and STDERR" })
      .option('interactive', { alias: 'i', type: 'boolean', describe: "Keep STDIN open even if not attached" })
      .option('detach-keys', { type: 'string', describe: 'Select the key sequence for detaching a container' })
      .option('sig-proxy', { type: 'boolean', describe: 'Proxy received signals to the process (default true if attaching)' }) as any,
  handler: async (args) => {
    const { containerContext } = await import('../../container/context.js');
    const ctx = containerContext(args);
    if (args.attach) {
      if (args.containers.length > 1) throw new (await import('../../errors.js')).UsageError('you cannot start and attach multiple containers at once');
      const rec = ctx.containers.get(args.containers[0]!);
      const { runAttached } = await import('../../container/run-attached.js');
      const code = await runAttached(ctx, rec, { detachKeys: args.detachKeys, sigProxy: args.sigProxy, stdin: !!args.interactive });
      return code ?? 0;
    }
    const { startContainer } = await import('../../container/start.js');
    const { currentState } = await import('../../container/state.js');
    const { forEachTarget } = await import('../_shared/targets.js');
    return forEachTarget(args.containers, async (name) => {
      const rec = ctx.containers.get(name);
      if (currentState(ctx.containers, rec).status === 'running') return name;
      await startContainer(ctx, rec);
      return name;
    });
  },
};
export default def;
