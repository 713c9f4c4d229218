import type { CommandDef } from '../_shared/types.js';

interface InfoOptions {
  format?: string;
}

/** `--format json`, `{{json}}`, `{{ json . }}`: the whole document as JSON (Podman's rule). */
const JSON_FORMAT = /^\s*(json|\{\{\s*json\.?\s*\}\})\s*$/;

const def: CommandDef<InfoOptions> = {
  description:
    'Shows the host (kernel, cgroups, id mappings, OCI runtime, conmon, network helpers), the storage ' +
    '(driver, roots, container and image counts), the search registries and the version, in the shape ' +
    'of `podman info`. Probe results come from the cache `tsc-ctr system check` refreshes.',
  examples: [
    ['$0 info', 'Everything, as YAML'],
    ['$0 info --format json', 'Everything as JSON (Podman\'s keys: host.ociRuntime.name, store.graphRoot, ...)'],
    ["$0 info --format '{{.Host.Security.Rootless}}'", 'One field, by its Go name as in Podman'],
  ],
  builder: (y) => y.option('format', { alias: 'f', type: 'string', describe: 'Change the output format to JSON or a Go template' }),
  handler: async (args) => {
    const { systemInfo } = await import('../../system/info.js');
    const info = await systemInfo({ root: args.root, runroot: args.runroot, runtime: args.runtime });
    if (!args.format) {
      const { toYaml } = await import('../../system/info-text.js');
      process.stdout.write(toYaml(info as unknown as Record<string, unknown>));
      return;
    }
    const { formatOne } = await import('../../ui/format.js');
    if (JSON_FORMAT.test(args.format)) {
      process.stdout.write(formatOne('json', info));
      return;
    }
    const { templateView } = await import('../../system/info-text.js');
    process.stdout.write(formatOne(args.format, templateView(info)));
  },
};
export default def;
