import type { CommandDef } from '../_shared/types.js';

interface NetworkInspectOptions {
  networks: string[];
  format?: string;
}

const def: CommandDef<NetworkInspectOptions> = {
  usage: '<networks..>',
  description: "Displays the configuration of networks as JSON (netavark's shape, as Podman prints it).",
  examples: [['$0 network inspect app --format "{{range .Subnets}}{{.Subnet}}{{end}}"', 'The subnet of a network']],
  builder: (y) =>
    y
      .positional('networks', { type: 'string', array: true, demandOption: true })
      .option('format', { alias: 'f', type: 'string', describe: 'Pretty-print network to JSON or using a Go template' }) as any,
  handler: async (args) => {
    const { resolvePaths } = await import('../../config/paths.js');
    const { getNetwork } = await import('../../net/networks.js');
    const { formatItems } = await import('../../ui/format.js');
    const paths = resolvePaths(args);
    const nets = args.networks.map((n) => getNetwork(paths, String(n)));
    if (args.format === undefined) {
      process.stdout.write(formatItems('json', nets, { name: 'inspect' }));
      return;
    }
    // templates see Podman's Go field names
    const items = nets.map((n) => ({
      Name: n.name,
      ID: n.id,
      Driver: n.driver,
      NetworkInterface: n.network_interface,
      Created: n.created,
      Subnets: n.subnets.map((s) => ({ Subnet: s.subnet, Gateway: s.gateway })),
      IPv6Enabled: n.ipv6_enabled,
      Internal: n.internal,
      DNSEnabled: n.dns_enabled,
      Labels: n.labels ?? {},
    }));
    process.stdout.write(formatItems(args.format, items, { name: 'inspect' }));
  },
};
export default def;
