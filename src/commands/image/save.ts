import { UsageError } from '../../errors.js';
import type { CommandDef } from '../_shared/types.js';

interface SaveCliOptions {
  image: string[];
  output?: string;
  format: string;
  multiImageArchive?: boolean;
  quiet?: boolean;
}

const def: CommandDef<SaveCliOptions> = {
  usage: '<image..>',
  description:
    'Saves one or more images to a docker-archive or oci-archive file, or to an oci-dir directory, written to ' +
    'stdout when -o is not given and stdout is not a terminal. Layers keep their original digests (the image ' +
    'id is unchanged) when they were pulled by this version of tsc-ctr; other layers are written as new, ' +
    'deterministic tars and the saved image gets a new id. Several images go into one docker-archive with -m.',
  examples: [
    ['$0 save -o alpine.tar alpine', 'Save an image as a docker-archive'],
    ['$0 save --format oci-archive -o alpine.tar alpine', 'Save as an OCI layout in a tar file'],
    ['$0 save -m -o both.tar alpine busybox', 'Save two images in one archive'],
    ['$0 save alpine > alpine.tar', 'Save to stdout'],
  ],
  builder: (y) =>
    y
      .positional('image', { type: 'string', array: true, demandOption: true })
      .option('output', { alias: 'o', type: 'string', describe: 'Write to a specified file (default: stdout, which must be redirected)' })
      .option('format', { type: 'string', default: 'docker-archive', describe: 'Save image to docker-archive, oci-archive (layout), oci-dir (directory with oci manifest type)' })
      .option('multi-image-archive', { alias: 'm', type: 'boolean', describe: 'Interpret additional arguments as images not tags and create a multi-image-archive (only for docker-archive)' })
      .option('quiet', { alias: 'q', type: 'boolean', describe: 'Suppress the output' }) as any,
  handler: async (args) => {
    if (!args.output && process.stdout.isTTY) throw new UsageError('refusing to save to terminal. Use -o flag or redirect');
    // Layer files belong to subordinate ids: only readable as root of our user namespace.
    const { runInUserNamespace } = await import('../_shared/userns-reexec.js');
    await runInUserNamespace(args);
    const { resolvePaths } = await import('../../config/paths.js');
    const paths = resolvePaths(args);
    const { Store } = await import('../../storage/store.js');
    const { saveImages } = await import('../../image/save.js');
    const say = (l: string) => !args.quiet && process.stderr.write(`${l}\n`);
    await saveImages(Store.open(paths), args.image.map(String), {
      format: args.format as 'docker-archive',
      multiImage: !!args.multiImageArchive,
      ...(args.output ? { output: args.output } : { stream: process.stdout }),
      onLayer: (l) => say(`Copying blob ${l.digest.slice(7, 19)} done`),
      onWarning: (m) => process.stderr.write(`WARN[0000] ${m}\n`),
    });
    say('Writing manifest to image destination');
  },
};
export default def;
