import type { CommandDef } from '../_shared/types.js';

interface PsOptions {
  all?: boolean;
  quiet?: boolean;
  format?: string;
  filter?: string[];
  noTrunc?: boolean;
  last?: number;
  latest?: boolean;
  noheading?: boolean;
}

const HEADERS = { ID: 'CONTAINER ID', Image: 'IMAGE', Command: 'COMMAND', CreatedHuman: 'CREATED', Status: 'STATUS', Ports: 'PORTS', Names: 'NAMES' };
const DEFAULT = 'table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.CreatedHuman}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}';

const def: CommandDef<PsOptions> = {
  description: 'Lists containers: running ones by default, all with --all. State comes from files (no runtime call per container).',
  examples: [
    ['$0 ps -a', 'All containers'],
    ["$0 ps -a --format '{{.Names}} {{.Status}}'", 'Custom output'],
    ['$0 ps --filter status=exited -q', 'IDs of exited containers'],
  ],
  builder: (y) =>
    y
      .option('all', { alias: 'a', type: 'boolean', describe: 'Show all the containers, default is only running containers' })
      .option('quiet', { alias: 'q', type: 'boolean', describe: 'Print the numeric IDs of the containers only' })
      .option('format', { type: 'string', describe: 'Pretty-print containers to JSON or using a Go template' })
      .option('filter', { alias: 'f', type: 'string', array: true, describe: 'Filter output based on conditions given (status=, name=, id=, ancestor=, label=)' })
      .option('no-trunc', { type: 'boolean', describe: 'Display the extended information' })
      .option('last', { alias: 'n', type: 'number', describe: 'Print the n last created containers (all states)' })
      .option('latest', { alias: 'l', type: 'boolean', describe: 'Act on the latest container' })
      .option('noheading', { type: 'boolean', describe: 'Do not print headers' }) as any,
  handler: async (args) => {
    const { containerContext } = await import('../../container/context.js');
    const { listContainers, parsePsFilters, psJson, psTemplateView } = await import('../../container/ps.js');
    const ctx = containerContext(args);
    const rows = listContainers(ctx, {
      all: args.all || args.last !== undefined || args.latest,
      filters: parsePsFilters(args.filter ?? []),
      ...(args.latest ? { last: 1 } : args.last !== undefined ? { last: args.last } : {}),
    });
    if (args.quiet) {
      for (const r of rows) process.stdout.write(`${args.noTrunc ? r.rec.id : r.rec.id.slice(0, 12)}\n`);
      return;
    }
    const { readNetworkState } = await import('../../net/state.js');
    // only running containers have a network state file: no read for the others
    const json = rows.map((r) => psJson(r.rec, r.state, Date.now(), r.state.status === 'running' ? readNetworkState(ctx, r.rec.id) : undefined));
    const { formatItems } = await import('../../ui/format.js');
    process.stdout.write(
      formatItems(args.format ?? DEFAULT, json.map((j) => psTemplateView(j, !!args.noTrunc)), { headers: HEADERS, jsonItems: json, noHeading: !!args.noheading, jsonIndent: 2, name: 'ps' }),
    );
  },
};
export default def;
