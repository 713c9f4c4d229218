import type { CommandDef } from '../_shared/types.js';

interface ExecCliOptions {
  container: string;
  interactive?: boolean;
  tty?: boolean;
  env?: string[];
  envFile?: string[];
  user?: string;
  workdir?: string;
  detach?: boolean;
  detachKeys?: string;
  privileged?: boolean;
  latest?: boolean;
}

const arr = { type: 'string', array: true, requiresArg: true } as const;

const def: CommandDef<ExecCliOptions> = {
  usage: '<container> [command..]',
  passthroughAfter: 1,
  description:
    'Runs a command in a running container, with its environment, user and working directory unless changed. The exit ' +
    "code is the command's; 125 when the container is missing or not running, 126 a command that cannot be executed, " +
    '127 a command not found.',
  examples: [
    ['$0 exec web cat /etc/hostname', 'A command in a running container'],
    ['$0 exec -it web sh', 'An interactive shell in it'],
    ['$0 exec -u 1000 -w /tmp -e DEBUG=1 web env', 'As another user, elsewhere, with more environment'],
  ],
  builder: (y) =>
    y
      .positional('container', { type: 'string' })
      .option('interactive', { alias: 'i', type: 'boolean', describe: 'Make STDIN available to the contained process' })
      .option('tty', { alias: 't', type: 'boolean', describe: 'Allocate a pseudo-TTY. The default is false' })
      .option('env', { alias: 'e', ...arr, describe: 'Set environment variables' })
      .option('env-file', { ...arr, describe: 'Read in a file of environment variables' })
      .option('user', { alias: 'u', type: 'string', requiresArg: true, describe: 'Sets the username or UID used and optionally the groupname or GID for the specified command' })
      .option('workdir', { alias: 'w', type: 'string', requiresArg: true, describe: 'Working directory inside the container' })
      .option('detach', { alias: 'd', type: 'boolean', describe: 'Run the exec session in detached mode (backgrounded)' })
      .option('detach-keys', { type: 'string', describe: 'Select the key sequence for detaching a container. Format is a single character [a-Z] or a comma separated sequence of `ctrl-<value>`, where `<value>` is one of: `a-z`, `@`, `^`, `[`, `\\`, `]`, `_`' })
      .option('privileged', { type: 'boolean', describe: 'Give the process extended Linux capabilities inside the container' })
      .option('latest', { alias: 'l', type: 'boolean', describe: 'Act on the latest container tsc-ctr is aware of' }) as any,
  handler: async (args) => {
    const { UsageError } = await import('../../errors.js');
    const rest = ((args as unknown as { '--'?: (string | number)[] })['--'] ?? []).map(String);
    // with --latest the first word is the command's, not a container's
    const command = args.latest ? [String(args.container), ...rest] : rest;
    if (command.length === 0 || command[0] === 'undefined') throw new UsageError('exec requires the name or ID of a container or the --latest flag, and a command');
    const { readFileSync } = await import('node:fs');
    const envFiles = (args.envFile ?? []).map((p) => {
      try {
        return readFileSync(p, 'utf8');
      } catch (err) {
        throw new UsageError(`cannot read env file ${p}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
      }
    });
    const { containerContext } = await import('../../container/context.js');
    const { selectTargets } = await import('../_shared/select.js');
    const ctx = containerContext(args);
    const [target] = selectTargets(ctx, { containers: args.latest ? [] : [args.container], latest: args.latest });
    const rec = ctx.containers.get(target!);
    const { execInContainer } = await import('../../container/exec.js');
    const r = await execInContainer(ctx, rec, {
      command,
      env: args.env ?? [],
      envFiles,
      user: args.user,
      workdir: args.workdir,
      tty: !!args.tty,
      interactive: !!args.interactive,
      detach: !!args.detach,
      privileged: !!args.privileged,
      detachKeys: args.detachKeys,
    });
    if (args.detach) process.stdout.write(`${r.sessionId}\n`);
    return r.exitCode ?? 0;
  },
};
export default def;
