import type { CommandDef } from '../_shared/types.js';

interface NetworkLsOptions {
  format?: string;
  quiet?: boolean;
  noTrunc?: boolean;
  noheading?: boolean;
}

const def: CommandDef<NetworkLsOptions> = {
  description: 'Lists the user-defined networks.',
  examples: [['$0 network ls --format "{{.Name}} {{.Subnets}}"', 'Names and subnets']],
  builder: (y) =>
    y
      .option('format', { type: 'string', describe: 'Pretty-print networks to JSON or using a Go template' })
      .option('quiet', { alias: 'q', type: 'boolean', describe: 'Display only network IDs' })
      .option('no-trunc', { type: 'boolean', describe: 'Do not truncate the network ID' })
      .option('noheading', { alias: 'n', type: 'boolean', describe: 'Do not print headers' }) as any,
  handler: async (args) => {
    const { resolvePaths } = await import('../../config/paths.js');
    const { listNetworks } = await import('../../net/networks.js');
    const { formatItems, isJsonFormat } = await import('../../ui/format.js');
    const nets = listNetworks(resolvePaths(args));
    const id = (full: string) => (args.noTrunc ? full : full.slice(0, 12));
    if (args.quiet) {
      process.stdout.write(nets.map((n) => `${id(n.id)}\n`).join(''));
      return;
    }
    if (args.format !== undefined && isJsonFormat(args.format)) {
      process.stdout.write(formatItems(args.format, nets, { name: 'network' }));
      return;
    }
    const rows = nets.map((n) => ({
      ID: id(n.id),
      Name: n.name,
      Driver: n.driver,
      NetworkInterface: n.network_interface,
      Subnets: n.subnets.map((s) => s.subnet).join(','),
      Internal: n.internal,
      Created: n.created,
      Labels: n.labels ?? {},
    }));
    const headers = { ID: 'NETWORK ID' };
    const format = args.format ?? '{{.ID}}\t{{.Name}}\t{{.Driver}}';
    process.stdout.write(formatItems(format, rows, { headers, noHeading: !!args.noheading, table: args.format === undefined, name: 'network' }));
  },
};
export default def;
