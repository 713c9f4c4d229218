import type { CommandDef } from '../_shared/types.js';

interface LogsOptions {
  containers: string[];
  follow?: boolean;
  timestamps?: boolean;
  since?: string;
  until?: string;
  tail?: number;
  names?: boolean;
}

const def: CommandDef<LogsOptions> = {
  usage: '<containers..>',
  description: "Shows the output of containers (stdout to stdout, stderr to stderr), from the container's k8s-file log.",
  examples: [['$0 logs -f --tail 10 web', 'The last 10 lines, then follow']],
  builder: (y) =>
    y
      .positional('containers', { type: 'string', array: true, demandOption: true })
      .option('follow', { alias: 'f', type: 'boolean', describe: 'Follow log output' })
      .option('timestamps', { alias: 't', type: 'boolean', describe: 'Output the timestamps in the log' })
      .option('since', { type: 'string', describe: 'Show logs since TIMESTAMP (RFC3339, Unix seconds, or a duration like 10m)' })
      .option('until', { type: 'string', describe: 'Show logs until TIMESTAMP' })
      .option('tail', { type: 'number', default: -1, describe: 'Output the specified number of LINES at the end of the logs (-1: all)' })
      .option('names', { alias: 'n', type: 'boolean', describe: 'Output the container name in the log' }) as any,
  handler: async (args) => {
    const { containerContext } = await import('../../container/context.js');
    const { showLogs } = await import('../../container/logs-follow.js');
    const ctx = containerContext(args);
    const recs = args.containers.map((c) => ctx.containers.get(c));
    await showLogs(ctx, recs, args);
  },
};
export default def;
