import { UsageError } from '../../errors.js';
import type { CommandDef } from '../_shared/types.js';

interface LoadCliOptions {
  input?: string;
  quiet?: boolean;
}

const def: CommandDef<LoadCliOptions> = {
  description:
    'Loads images from a docker-archive or oci-archive tar file (compressed or not), or an oci-dir directory, ' +
    'given with -i or on stdin. Names come from the archive (manifest.json RepoTags, or the OCI index ' +
    "annotation org.opencontainers.image.ref.name). Every blob is checked against its digest and every layer " +
    'against its diff ID before anything is stored: a damaged archive is refused and leaves nothing behind.',
  examples: [
    ['$0 load -i alpine.tar', 'Load an archive made by save (or podman save, docker save)'],
    ['$0 load < alpine.tar', 'Load from stdin'],
    ['$0 load -i ./alpine-oci-dir', 'Load an OCI layout directory'],
  ],
  builder: (y) =>
    y
      .option('input', { alias: 'i', type: 'string', describe: 'Read from specified archive file (default: stdin)' })
      .option('quiet', { alias: 'q', type: 'boolean', describe: 'Suppress the output' }) as any,
  handler: async (args) => {
    if (!args.input && process.stdin.isTTY) throw new UsageError('cannot read from terminal, use command-line redirection or the --input flag');
    // Unpacking keeps file owners: that takes chown, so it happens inside our user namespace.
    const { runInUserNamespace } = await import('../_shared/userns-reexec.js');
    await runInUserNamespace(args);
    const { resolvePaths } = await import('../../config/paths.js');
    const paths = resolvePaths(args);
    const { Store } = await import('../../storage/store.js');
    const { loadImages } = await import('../../image/load.js');
    const say = (l: string) => !args.quiet && process.stderr.write(`${l}\n`);
    const loaded = await loadImages(Store.open(paths), args.input ?? process.stdin, {
      onLayer: (d, present) => say(`Copying blob ${d.slice(7, 19)} ${present ? 'skipped: already exists' : 'done'}`),
    });
    for (const img of loaded) {
      if (!img.names.length) process.stdout.write(`Loaded image: sha256:${img.id}\n`);
      for (const n of img.names) process.stdout.write(`Loaded image: ${n}\n`);
    }
  },
};
export default def;
