import { UsageError } from '../../errors.js';
import type { CommandDef } from '../_shared/types.js';

interface PushCliOptions {
  image: string;
  destination?: string;
  authfile?: string;
  certDir?: string;
  creds?: string;
  digestfile?: string;
  compressionFormat?: string;
  format?: string;
  quiet?: boolean;
  tlsVerify?: boolean;
}

const def: CommandDef<PushCliOptions> = {
  usage: '<image> [destination]',
  description:
    'Pushes an image from local storage to a registry: to DESTINATION (docker://HOST/REPO[:TAG] or HOST/REPO[:TAG]), ' +
    'or to the name the image was given. Blobs the registry already has are skipped, blobs in another repository ' +
    'of the same registry are mounted, others are uploaded. Layers pulled by this version of tsc-ctr keep their ' +
    'digests, so the pushed image has the same id.',
  examples: [
    ['$0 push localhost:5000/myimage', 'Push an image under its own name'],
    ['$0 push alpine docker://registry.example.com/team/alpine:3', 'Push under another name'],
    ['$0 push --compression-format zstd --format oci myimage quay.io/me/myimage', 'zstd-compressed layers (OCI manifest)'],
  ],
  builder: (y) =>
    y
      .positional('image', { type: 'string', demandOption: true })
      .positional('destination', { type: 'string' })
      .option('authfile', { type: 'string', describe: 'Path of the authentication file' })
      .option('cert-dir', { type: 'string', describe: 'Path to a directory containing TLS certificates and keys' })
      .option('creds', { type: 'string', describe: 'Use USERNAME[:PASSWORD] for accessing the registry' })
      .option('digestfile', { type: 'string', describe: 'Write the digest of the pushed image to the specified file' })
      .option('compression-format', { type: 'string', describe: 'Compression format to use (gzip, zstd)' })
      .option('format', { alias: 'f', type: 'string', describe: 'Manifest type (oci, v2s2) to use in the destination (default is manifest type of source)' })
      .option('quiet', { alias: 'q', type: 'boolean', describe: "Don't output progress information when pushing images" })
      .option('tls-verify', { type: 'boolean', describe: 'Require HTTPS and verify certificates when contacting registries' }) as any,
  handler: async (args) => {
    const cf = args.compressionFormat;
    if (cf !== undefined && cf !== 'gzip' && cf !== 'zstd') throw new UsageError(`unsupported compression format "${cf}": use gzip or zstd`);
    const fmt = args.format === 'docker' ? 'v2s2' : args.format;
    if (fmt !== undefined && fmt !== 'oci' && fmt !== 'v2s2') throw new UsageError(`unknown format "${args.format}": use oci or v2s2`);
    // Layer files belong to subordinate ids: only readable as root of our user namespace.
    const { runInUserNamespace } = await import('../_shared/userns-reexec.js');
    await runInUserNamespace(args);
    const { resolvePaths } = await import('../../config/paths.js');
    const paths = resolvePaths(args);
    const { Store } = await import('../../storage/store.js');
    const { pushImage } = await import('../../image/push.js');
    const say = (l: string) => !args.quiet && process.stderr.write(`${l}\n`);
    say('Getting image source signatures');
    const r = await pushImage(Store.open(paths), String(args.image), args.destination, {
      tlsVerify: args.tlsVerify,
      authfile: args.authfile,
      creds: args.creds,
      certDir: args.certDir,
      format: fmt as 'oci' | undefined,
      compression: cf as 'gzip' | undefined,
      events: {
        blob: (d, how) => say(`Copying blob ${d.slice(7, 19)} ${how === 'exists' ? 'skipped: already exists' : how === 'mounted' ? 'done (mounted)' : 'done'}`),
        config: (d, how) => say(`Copying config ${d.slice(7, 19)} ${how === 'exists' ? 'skipped: already exists' : 'done'}`),
        writingManifest: () => say('Writing manifest to image destination'),
        warn: (m) => process.stderr.write(`WARN[0000] ${m}\n`),
      },
    });
    if (args.digestfile) {
      const { writeFileSync } = await import('node:fs');
      writeFileSync(args.digestfile, r.manifestDigest);
    }
  },
};
export default def;
