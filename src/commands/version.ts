import type { CommandDef } from './_shared/types.js';
import { versionInfo } from '../system/version.js';

interface VersionOptions {
  format?: string;
}

const def: CommandDef<VersionOptions> = {
  description: 'Shows the version of tsc-ctr, the Node.js it runs on and the platform.',
  examples: [
    ['$0 version', 'Show the version'],
    ["$0 version --format '{{.Client.Version}}'", 'Only the version number'],
    ['$0 version --format json', 'Everything as JSON'],
  ],
  builder: (y) => y.option('format', { alias: 'f', type: 'string', describe: 'Change the output format to JSON or a Go template' }),
  handler: async (args) => {
    const info = versionInfo();
    if (args.format) {
      const { formatOne } = await import('../ui/format.js');
      process.stdout.write(formatOne(args.format, info));
      return;
    }
    const c = info.Client;
    const rows: [string, string][] = [
      ['Version:', c.Version],
      ['API Version:', c.APIVersion],
      ['Node Version:', c.NodeVersion],
    ];
    if (c.GitCommit) rows.push(['Git Commit:', c.GitCommit]);
    rows.push(['Built:', c.BuiltTime], ['OS/Arch:', c.OsArch]);
    process.stdout.write(rows.map(([k, v]) => `${k.padEnd(14)}${v}`).join('\n') + '\n');
  },
};
export default def;
