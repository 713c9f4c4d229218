import type { CommandDef } from './_shared/types.js';

interface LogoutCli {
  registry?: string;
  all?: boolean;
  authfile?: string;
}

const def: CommandDef<LogoutCli> = {
  usage: '[registry]',
  description: 'Removes the stored credentials for a registry (or all of them with --all) from the auth file.',
  examples: [['$0 logout quay.io', 'Forget the quay.io login']],
  builder: (y) =>
    y
      .positional('registry', { type: 'string' })
      .option('all', { alias: 'a', type: 'boolean', describe: 'Remove the cached credentials for all registries in the auth file' })
      .option('authfile', { type: 'string', describe: 'Path of the authentication file' }) as any,
  handler: async (args) => {
    const { logout } = await import('../registry/login.js');
    process.stdout.write(`${await logout(args.registry, { authfile: args.authfile, all: args.all })}\n`);
  },
};
export default def;
