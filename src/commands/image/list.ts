import type { CommandDef } from '../_shared/types.js';

interface ListOptions {
  image?: string;
  all?: boolean;
  digests?: boolean;
  filter?: string[];
  format?: string;
  history?: boolean;
  noheading?: boolean;
  noTrunc?: boolean;
  quiet?: boolean;
  sort?: string;
}

const def: CommandDef<ListOptions> = {
  usage: '[image]',
  description: 'Lists images previously pulled to the system or created on the system.',
  examples: [
    ['$0 images', 'One row per repository:tag, newest first'],
    ['$0 images --format json', "Podman's JSON"],
    ['$0 images --sort repository --format "table {{.ID}} {{.Repository}} {{.Tag}}"', 'A custom table'],
    ['$0 images --filter dangling=true', 'Images without a name'],
  ],
  builder: (y) =>
    y
      .positional('image', { type: 'string', describe: 'List only images matching this reference' })
      .option('all', { alias: 'a', type: 'boolean', describe: 'Show all images (default hides intermediate images)' })
      .option('digests', { type: 'boolean', describe: 'Show digests' })
      .option('filter', { alias: 'f', type: 'string', array: true, describe: 'Filter output based on conditions provided' })
      .option('format', { type: 'string', describe: 'Change the output format to JSON or a Go template' })
      .option('history', { type: 'boolean', describe: 'Display the image name history' })
      .option('noheading', { alias: 'n', type: 'boolean', describe: 'Do not print column headings' })
      .option('no-trunc', { type: 'boolean', describe: 'Do not truncate output' })
      .option('quiet', { alias: 'q', type: 'boolean', describe: 'Display only image IDs' })
      .option('sort', { type: 'string', describe: 'Sort by created, id, repository, size, tag', default: 'created' }) as any,
  handler: async (args) => {
    const { openStore } = await import('../_shared/image-store.js');
    const { listImageRows, rowJson, uniqueIds } = await import('../../image/list.js');
    const rows = await listImageRows(openStore(args), {
      all: !!args.all,
      filters: (args.filter ?? []).map(String),
      ...(args.image !== undefined ? { reference: String(args.image) } : {}),
      noTrunc: !!args.noTrunc,
      sort: args.sort ?? 'created',
    });
    const { formatItems, isJsonFormat } = await import('../../ui/format.js');
    const headers = { ID: 'IMAGE ID', ReadOnly: 'R/O' };
    const noHeading = !!args.noheading;
    if (args.format !== undefined && isJsonFormat(args.format)) {
      process.stdout.write(formatItems(args.format, rows, { jsonItems: rows.map(rowJson), name: 'images' }));
      return;
    }
    if (args.quiet) {
      const ids = uniqueIds(rows);
      process.stdout.write(ids.map((i) => `${i}\n`).join(''));
      return;
    }
    if (args.format !== undefined) {
      process.stdout.write(formatItems(args.format, rows, { headers, noHeading, name: 'images' }));
      return;
    }
    const cols = ['{{.Repository}}', '{{.Tag}}'];
    if (args.digests) cols.push('{{.Digest}}');
    cols.push('{{.ID}}', '{{.Created}}', '{{.Size}}');
    if (args.history) cols.push('{{if .History}}{{.History}}{{else}}<none>{{end}}');
    if (rows.some((r) => r.ReadOnly)) cols.push('{{.ReadOnly}}');
    process.stdout.write(formatItems(cols.join('\t'), rows, { headers, noHeading, table: true, name: 'images' }));
  },
};
export default def;
