import type { CommandDef } from '../_shared/types.js';

interface ImportCliOptions {
  path: string;
  reference?: string;
  change?: string[];
  message?: string;
  os?: string;
  arch?: string;
  variant?: string;
  quiet?: boolean;
}

const def: CommandDef<ImportCliOptions> = {
  usage: '<path> [reference]',
  description:
    'Imports a root filesystem tarball (plain, gzip or zstd) from a file, from stdin (-) or from an http(s) URL as a ' +
    'one-layer image, optionally named REFERENCE (a name without a registry gets localhost/). --change sets ' +
    'Dockerfile instructions (CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, ONBUILD, STOPSIGNAL, USER, VOLUME, WORKDIR) in the ' +
    'image config. The archive is unpacked like a pulled layer, with its owners, and refused if any entry would land ' +
    'outside the image. The image id is printed last.',
  examples: [
    ['$0 import rootfs.tar myimage', 'Import a tarball as localhost/myimage:latest'],
    ["cat rootfs.tar.gz | $0 import --change 'CMD [\"/bin/sh\"]' - myimage", 'From stdin, with a default command'],
    ['$0 import -c ENV=PATH=/bin -c WORKDIR=/srv https://example.com/rootfs.tar.zst', 'From a URL'],
  ],
  builder: (y) =>
    y
      .positional('path', { type: 'string', demandOption: true, describe: 'Tarball path, - for stdin, or an http(s) URL' })
      .positional('reference', { type: 'string', describe: 'Name for the new image' })
      .option('change', { alias: 'c', type: 'string', array: true, describe: 'Apply the following possible instructions to the created image: CMD | ENTRYPOINT | ENV | EXPOSE | LABEL | ONBUILD | STOPSIGNAL | USER | VOLUME | WORKDIR' })
      .option('message', { alias: 'm', type: 'string', describe: 'Set commit message for imported image' })
      .option('os', { type: 'string', describe: 'Set the OS of the imported image' })
      .option('arch', { type: 'string', describe: 'Set the architecture of the imported image' })
      .option('variant', { type: 'string', describe: 'Set the variant of the imported image' })
      .option('quiet', { alias: 'q', type: 'boolean', describe: 'Suppress output' }) as any,
  handler: async (args) => {
    // Unpacking keeps file owners: that takes chown, so it happens inside our user namespace.
    const { runInUserNamespace } = await import('../_shared/userns-reexec.js');
    await runInUserNamespace(args);
    const { resolvePaths } = await import('../../config/paths.js');
    const paths = resolvePaths(args);
    const { Store } = await import('../../storage/store.js');
    const { UsageError } = await import('../../errors.js');
    const { importImage } = await import('../../image/import.js');
    const { log } = await import('../../ui/log.js');
    const store = Store.open(paths);
    // yargs-parser reads a lone `-` as an option without a name (value ''): it means stdin here.
    const source = args.path === '' || (args.path as unknown) === true ? (process.argv.includes('-') ? '-' : '') : String(args.path);
    if (source === '') throw new UsageError('an empty path: give a tarball path, - for stdin, or a URL');
    const r = await importImage(store, source, {
      changes: args.change?.map(String),
      message: args.message,
      os: args.os,
      arch: args.arch,
      variant: args.variant,
      reference: args.reference === undefined ? undefined : String(args.reference),
      progress: args.quiet ? undefined : (l) => process.stderr.write(`${l}\n`),
      warn: (m) => log.warn(m),
    });
    process.stdout.write(`${r.id}\n`);
  },
};
export default def;
