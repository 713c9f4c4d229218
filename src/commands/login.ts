import type { CommandDef } from './_shared/types.js';

interface LoginCli {
  registry: string;
  username?: string;
  password?: string;
  passwordStdin?: boolean;
  authfile?: string;
  tlsVerify?: boolean;
  certDir?: string;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  let s = '';
  for await (const c of stream) s += c.toString();
  return s;
}

/** Prompt on the terminal; the password is not echoed. */
async function prompt(question: string, secret: boolean): Promise<string> {
  const { createInterface } = await import('node:readline');
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  if (secret) (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = (s: string) => { if (s.startsWith(question)) process.stderr.write(question); };
  return new Promise((resolve) => rl.question(question, (a) => { rl.close(); if (secret) process.stderr.write('\n'); resolve(a); }));
}

const def: CommandDef<LoginCli> = {
  usage: '<registry>',
  description: 'Logs in to a registry: the credentials are checked against the registry, then stored in the auth file (mode 0600), where pull and push find them.',
  examples: [
    ['$0 login -u me quay.io', 'Prompt for the password'],
    ['echo "$TOKEN" | $0 login -u me --password-stdin registry.example.com', 'Password from stdin (CI)'],
  ],
  builder: (y) =>
    y
      .positional('registry', { type: 'string', demandOption: true })
      .option('username', { alias: 'u', type: 'string', describe: 'Username for the registry' })
      .option('password', { alias: 'p', type: 'string', describe: 'Password for the registry' })
      .option('password-stdin', { type: 'boolean', describe: 'Take the password from stdin' })
      .option('authfile', { type: 'string', describe: 'Path of the authentication file' })
      .option('tls-verify', { type: 'boolean', describe: 'Require HTTPS and verify certificates when contacting registries' })
      .option('cert-dir', { type: 'string', describe: 'Use certificates at the specified path to access the registry' }) as any,
  handler: async (args) => {
    const { TscCtrError } = await import('../errors.js');
    const tty = process.stdin.isTTY;
    if (args.passwordStdin && args.password !== undefined) throw new TscCtrError('--password and --password-stdin are mutually exclusive', { code: 'TSC_ERR_USAGE' });
    let username = args.username;
    if (username === undefined) {
      if (!tty) throw new TscCtrError('getting username and password: no username given and stdin is not a terminal (use --username)', { code: 'TSC_ERR_USAGE' });
      username = await prompt('Username: ', false);
    }
    let password = args.password;
    if (args.passwordStdin) password = (await readAll(process.stdin)).replace(/\r?\n$/, '');
    if (password === undefined) {
      if (!tty) throw new TscCtrError('getting username and password: no password given and stdin is not a terminal (use --password-stdin)', { code: 'TSC_ERR_USAGE' });
      password = await prompt('Password: ', true);
    }
    const { login } = await import('../registry/login.js');
    await login(args.registry, { username, password, authfile: args.authfile, tlsVerify: args.tlsVerify, certDir: args.certDir });
    process.stdout.write('Login Succeeded!\n');
  },
};
export default def;
