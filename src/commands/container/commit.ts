import type { CommandDef } from '../_shared/types.js';

interface CommitCliOptions {
  container: string;
  image?: string;
  change?: string[];
  message?: string;
  author?: string;
  quiet?: boolean;
  pause?: boolean;
  format?: string;
}

const def: CommandDef<CommitCliOptions> = {
  usage: '<container> [image]',
  description:
    "Creates an image from a container's changes: everything written, changed or deleted in its root filesystem " +
    'becomes one new layer (deletions as whiteouts) on top of its image, named IMAGE if given (a name without a ' +
    'registry gets localhost/). The config is the image\'s, with the --change instructions applied and a history ' +
    'entry for the commit. The image id is printed last.',
  examples: [
    ['$0 commit web myimage', 'Commit the changes of container web as localhost/myimage:latest'],
    ["$0 commit -m 'add config' -a 'Jane <jane@example.com>' -c 'CMD [\"/app\"]' web myimage:v2", 'With a message, an author and a new command'],
  ],
  builder: (y) =>
    y
      .positional('container', { type: 'string', demandOption: true })
      .positional('image', { type: 'string', describe: 'Name for the new image' })
      .option('change', { alias: 'c', type: 'string', array: true, describe: 'Apply the following possible instructions to the created image: CMD | ENTRYPOINT | ENV | EXPOSE | LABEL | ONBUILD | STOPSIGNAL | USER | VOLUME | WORKDIR' })
      .option('message', { alias: 'm', type: 'string', describe: 'Set commit message for imported image' })
      .option('author', { alias: 'a', type: 'string', describe: 'Set the author for the image committed' })
      .option('format', { alias: 'f', type: 'string', default: 'oci', describe: 'Format of the image manifest and metadata (oci or docker)' })
      .option('pause', { alias: 'p', type: 'boolean', default: false, describe: 'Pause container during commit (accepted; containers are not paused)' })
      .option('quiet', { alias: 'q', type: 'boolean', describe: 'Suppress output' }) as any,
  handler: async (args) => {
    // The upper dir holds files of subordinate ids: read it (and unpack the layer) as root of our namespace.
    const { runInUserNamespace } = await import('../_shared/userns-reexec.js');
    await runInUserNamespace(args);
    const { isRootless, resolvePaths } = await import('../../config/paths.js');
    const paths = resolvePaths(args);
    const { Store } = await import('../../storage/store.js');
    const { ContainerStore } = await import('../../storage/containers.js');
    const { commitContainer, parseFormat } = await import('../../image/commit.js');
    const containers = new ContainerStore(paths);
    const rec = containers.get(String(args.container));
    const r = await commitContainer(Store.open(paths), containers, rec, {
      changes: args.change?.map(String),
      message: args.message,
      author: args.author,
      format: parseFormat(args.format),
      name: args.image === undefined ? undefined : String(args.image),
      rootless: isRootless(),
      progress: args.quiet ? undefined : (l) => process.stderr.write(`${l}\n`),
    });
    process.stdout.write(`${r.id}\n`);
  },
};
export default def;
