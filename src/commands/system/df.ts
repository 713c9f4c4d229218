import type { CommandDef } from '../_shared/types.js';

interface DfOptions {
  format?: string;
  verbose?: boolean;
}

const def: CommandDef<DfOptions> = {
  description: 'Shows the disk usage of images, containers and volumes, and how much removing unused ones would reclaim.',
  examples: [
    ['$0 system df', 'The summary table'],
    ['$0 system df -v', 'Every image, container and volume'],
    ["$0 system df --format '{{.Type}} {{.Size}}'", 'Chosen fields'],
  ],
  builder: (y) =>
    y
      .option('format', { type: 'string', describe: 'Pretty-print images using a Go template' })
      .option('verbose', { alias: 'v', type: 'boolean', describe: 'Show detailed information on disk usage' }) as any,
  handler: async (args) => {
    const { UsageError } = await import('../../errors.js');
    if (args.format !== undefined && args.verbose) throw new UsageError('cannot combine --format and --verbose flags');
    const { openStore } = await import('../_shared/image-store.js');
    const { diskUsageSummary } = await import('../../storage/store.js');
    const { goHumanSize } = await import('../../ui/units.js');
    const { humanDuration } = await import('../../ui/human.js');
    const { formatItems } = await import('../../ui/format.js');
    const du = openStore(args).diskUsage();

    if (args.verbose) {
      const now = Date.now();
      let s = 'Images space usage:\n\n';
      s += formatItems(
        '{{.Repository}}\t{{.Tag}}\t{{.ImageID}}\t{{.Created}}\t{{.Size}}\t{{.SharedSize}}\t{{.UniqueSize}}\t{{.Containers}}',
        du.images.map((i) => ({
          Repository: i.repository,
          Tag: i.tag,
          ImageID: i.id.slice(0, 12),
          Created: humanDuration(now - Date.parse(i.created)),
          Size: goHumanSize(i.size),
          SharedSize: goHumanSize(i.sharedSize),
          UniqueSize: goHumanSize(i.uniqueSize),
          Containers: i.containers,
        })),
        { headers: { ImageID: 'IMAGE ID', SharedSize: 'SHARED SIZE', UniqueSize: 'UNIQUE SIZE' }, table: true },
      );
      s += '\nContainers space usage:\n\n';
      s += formatItems(
        '{{.ContainerID}}\t{{.Image}}\t{{.Command}}\t{{.LocalVolumes}}\t{{.RWSize}}\t{{.Created}}\t{{.Status}}\t{{.Names}}',
        du.containers.map((c) => ({
          ContainerID: c.id.slice(0, 12),
          Image: c.imageId.slice(0, 12),
          Command: c.command.join(' '),
          LocalVolumes: 0,
          RWSize: goHumanSize(c.rwSize),
          Created: c.created ? humanDuration(now - Date.parse(c.created)) : '',
          Status: c.status,
          Names: c.name,
        })),
        { headers: { ContainerID: 'CONTAINER ID', LocalVolumes: 'LOCAL VOLUMES', RWSize: 'SIZE' }, table: true },
      );
      s += '\nLocal Volumes space usage:\n\n';
      s += formatItems(
        '{{.VolumeName}}\t{{.Links}}\t{{.Size}}',
        du.volumes.map((v) => ({ VolumeName: v.name, Links: v.links, Size: goHumanSize(v.size) })),
        { headers: { VolumeName: 'VOLUME NAME' }, table: true },
      );
      process.stdout.write(s);
      return;
    }

    const rows = diskUsageSummary(du).map((r) => {
      const pct = r.RawSize > 0 ? Math.round((r.RawReclaimable / r.RawSize) * 100) : 0;
      return { ...r, TotalCount: r.Total, Size: goHumanSize(r.RawSize), Reclaimable: `${goHumanSize(r.RawReclaimable)} (${pct}%)` };
    });
    const headers = { Size: 'SIZE', Reclaimable: 'RECLAIMABLE' };
    if (args.format !== undefined) {
      process.stdout.write(formatItems(args.format, rows, { headers, name: 'df' }));
      return;
    }
    process.stdout.write(formatItems('{{.Type}}\t{{.Total}}\t{{.Active}}\t{{.Size}}\t{{.Reclaimable}}', rows, { headers, table: true, name: 'df' }));
  },
};
export default def;
