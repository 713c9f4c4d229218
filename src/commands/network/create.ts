import type { CommandDef } from '../_shared/types.js';

interface NetworkCreateOptions {
  name?: string;
  driver?: string;
  subnet?: string;
  gateway?: string;
  internal?: boolean;
  label?: string[];
  ignore?: boolean;
}

const def: CommandDef<NetworkCreateOptions> = {
  usage: '[name]',
  description: 'Creates a bridge network. Containers run on it (the network option of run set to its name) get an address on it and reach each other by name. Prints the network name.',
  examples: [
    ['$0 network create app', 'A network with the next free 10.89.N.0/24 subnet'],
    ['$0 network create --subnet 192.168.55.0/24 lab', 'A network with a chosen subnet'],
  ],
  builder: (y) =>
    y
      .positional('name', { type: 'string' })
      .option('driver', { alias: 'd', type: 'string', default: 'bridge', describe: 'Driver to manage the network' })
      .option('subnet', { type: 'string', describe: 'Subnet in CIDR format' })
      .option('gateway', { type: 'string', describe: 'IPv4 gateway for the subnet' })
      .option('internal', { type: 'boolean', describe: 'Restrict external access from this network' })
      .option('label', { type: 'string', array: true, requiresArg: true, describe: 'Set metadata on a network' })
      .option('ignore', { type: 'boolean', describe: 'Do not fail if the network already exists' }) as any,
  handler: async (args) => {
    const { UsageError } = await import('../../errors.js');
    if (args.driver !== 'bridge') throw new UsageError(`unsupported driver ${args.driver}: only bridge networks are supported`);
    const { resolvePaths } = await import('../../config/paths.js');
    const { withStorageLock } = await import('../../container/context.js');
    const { createNetwork } = await import('../../net/networks.js');
    const paths = resolvePaths(args);
    const labels: Record<string, string> = {};
    for (const l of args.label ?? []) {
      const i = String(l).indexOf('=');
      labels[i < 0 ? String(l) : String(l).slice(0, i)] = i < 0 ? '' : String(l).slice(i + 1);
    }
    const cfg = await withStorageLock({ paths }, () =>
      createNetwork(paths, { name: args.name, subnet: args.subnet, gateway: args.gateway, internal: args.internal, labels, ignore: args.ignore }),
    );
    process.stdout.write(`${cfg.name}\n`);
  },
};
export default def;
