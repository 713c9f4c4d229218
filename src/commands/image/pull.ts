import type { CommandDef } from '../_shared/types.js';
import { pullFlags } from '../_shared/pull-flags.js';

export interface PullCliOptions {
  image: string[];
  allTags?: boolean;
  arch?: string;
  os?: string;
  variant?: string;
  platform?: string;
  authfile?: string;
  certDir?: string;
  creds?: string;
  quiet?: boolean;
  tlsVerify?: boolean;
}

const def: CommandDef<PullCliOptions> = {
  usage: '<image..>',
  description:
    'Pulls an image from a registry into local storage. Short names are resolved through registries.conf ' +
    '(aliases, then unqualified-search-registries); mirrors and insecure registries are honoured. Layers are ' +
    'downloaded in parallel, verified against their digests while streaming, and unpacked inside the user namespace ' +
    'so file ownership is kept. The image id is printed last.',
  examples: [
    ['$0 pull alpine', 'Pull docker.io/library/alpine:latest'],
    ['$0 pull --platform linux/arm64 quay.io/podman/hello', 'Pull for another platform'],
    ['$0 pull --tls-verify=false localhost:5000/myimage', 'Pull from a registry over plain http'],
  ],
  builder: (y) =>
    pullFlags(
      y
        .positional('image', { type: 'string', array: true, demandOption: true })
        .option('all-tags', { alias: 'a', type: 'boolean', describe: 'Pull all tagged images in the repository' })
        .option('cert-dir', { type: 'string', describe: 'Use certificates at the specified path to access the registry' }),
    ) as any,
  handler: async (args) => {
    // Unpacking keeps file owners: that takes chown, so it happens inside our user namespace.
    const { runInUserNamespace } = await import('../_shared/userns-reexec.js');
    await runInUserNamespace(args);
    const { resolvePaths } = await import('../../config/paths.js');
    const paths = resolvePaths(args);
    const { Store } = await import('../../storage/store.js');
    const { pullImage, pullAllTags } = await import('../../image/pull-image.js');
    const store = Store.open(paths);
    await store.cleanupStale();
    for (const name of args.image) {
      const live = !args.quiet && process.stderr.isTTY;
      const events = args.quiet
        ? {}
        : live
          ? (await import('../../ui/progress/pull-view.js')).inkPullEvents()
          : (await import('../../ui/progress/pull-lines.js')).linePullEvents();
      const finish = () => ('finish' in events ? (events as { finish(): void }).finish() : undefined);
      try {
        const opts = { ...args, events: { ...events, resolved: (l: string) => !args.quiet && process.stderr.write(`${l}\n`) } };
        const results = args.allTags ? await pullAllTags(store, name, opts) : [await pullImage(store, name, opts)];
        finish();
        for (const r of results) process.stdout.write(`${r.id}\n`);
      } catch (err) {
        finish();
        throw err;
      }
    }
  },
};
export default def;
