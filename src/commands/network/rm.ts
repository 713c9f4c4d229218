import type { CommandDef } from '../_shared/types.js';

interface NetworkRmOptions {
  networks: string[];
  force?: boolean;
  time?: number;
}

const def: CommandDef<NetworkRmOptions> = {
  usage: '<networks..>',
  description: 'Removes networks. A network that containers use is not removed unless --force, which removes those containers first.',
  examples: [['$0 network rm app', 'Remove an unused network']],
  builder: (y) =>
    y
      .positional('networks', { type: 'string', array: true, demandOption: true })
      .option('force', { alias: 'f', type: 'boolean', describe: 'Remove any containers using the network' })
      .option('time', { alias: 't', type: 'number', describe: 'Seconds to wait for running containers to stop before killing them' }) as any,
  handler: async (args) => {
    const { containerContext, withStorageLock } = await import('../../container/context.js');
    const { getNetwork, removeNetworkFile } = await import('../../net/networks.js');
    const { removeContainer } = await import('../../container/stop.js');
    const { forEachTarget } = await import('../_shared/targets.js');
    const { TscCtrError } = await import('../../errors.js');
    const ctx = containerContext(args);
    return forEachTarget(args.networks.map(String), async (ref) => {
      const net = getNetwork(ctx.paths, ref);
      const users = ctx.containers.list().filter((c) => {
        const n = c.createOptions.net as { kind?: string; network?: string } | undefined;
        return n?.kind === 'bridge' && n.network === net.name;
      });
      if (users.length && !args.force) {
        throw new TscCtrError(`"${net.name}" has associated containers with it. Use -f to forcibly delete containers and pods: network is being used`, { exitCode: 2 });
      }
      for (const c of users) await removeContainer(ctx, c, { force: true, timeoutSec: args.time ?? 10 });
      await withStorageLock(ctx, () => removeNetworkFile(ctx.paths, net));
      return net.name;
    });
  },
};
export default def;
