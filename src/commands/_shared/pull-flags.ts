import type { Argv } from 'yargs';

/** The options that choose and fetch an image, shared by pull, run and create (Podman's names). */
export interface PullFlagOptions {
  arch?: string;
  os?: string;
  variant?: string;
  platform?: string;
  authfile?: string;
  creds?: string;
  quiet?: boolean;
  tlsVerify?: boolean;
}

export function pullFlags<T>(y: Argv<T>, quietText = 'Suppress output information when pulling images'): Argv<T & PullFlagOptions> {
  return y
    .option('arch', { type: 'string', describe: 'Use ARCH instead of the architecture of the machine for choosing images' })
    .option('os', { type: 'string', describe: 'Use OS instead of the running OS for choosing images' })
    .option('variant', { type: 'string', describe: 'Use VARIANT instead of the running architecture variant for choosing images' })
    .option('platform', { type: 'string', describe: 'Specify the platform for selecting the image (OS/ARCH[/VARIANT])' })
    .option('authfile', { type: 'string', describe: 'Path of the authentication file' })
    .option('creds', { type: 'string', describe: 'Use USERNAME[:PASSWORD] for accessing the registry' })
    .option('quiet', { alias: 'q', type: 'boolean', describe: quietText })
    .option('tls-verify', { type: 'boolean', describe: 'Require HTTPS and verify certificates when contacting registries' }) as unknown as Argv<T & PullFlagOptions>;
}
