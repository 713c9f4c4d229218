import type { CommandDef } from '../_shared/types.js';

interface CheckOptions {
  format?: string;
}

const def: CommandDef<CheckOptions> = {
  description:
    'Tries every prerequisite of rootless containers on this host (subordinate ids, newuidmap, user ' +
    'namespaces, overlay, devices, OCI runtimes, conmon, network helpers, cgroups) and prints one line per ' +
    'check with a command that fixes what is missing. Probes run again every time and refresh the cache ' +
    'other commands use. Exit status: 0 when containers can run (warnings allowed), 1 when a check failed, ' +
    '125 when tsc-ctr itself failed.',
  examples: [
    ['$0 system check', 'Check everything'],
    ['$0 system check --format json', 'The results as JSON: [{Name, Status, Detail, Fix}]'],
    ["$0 system check --format '{{.Status}}\\t{{.Name}}'", 'Status and name of each check'],
  ],
  builder: (y) => y.option('format', { alias: 'f', type: 'string', describe: 'Change the output format to JSON or a Go template (one line per check)' }),
  handler: async (args) => {
    const { runChecks, renderChecks, checksExitCode } = await import('../../system/checks/index.js');
    const results = await runChecks({ root: args.root, runroot: args.runroot, runtime: args.runtime });
    if (args.format) {
      const { formatItems } = await import('../../ui/format.js');
      process.stdout.write(formatItems(args.format, results, { name: 'check' }));
    } else {
      process.stdout.write(renderChecks(results));
    }
    return checksExitCode(results);
  },
};
export default def;
