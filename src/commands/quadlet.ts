import type { CommandDef } from './_shared/types.js';

interface QuadletOptions {
  dirs?: string[];
  dryrun?: boolean;
  user?: boolean;
}

const def: CommandDef<QuadletOptions> = {
  usage: '[dirs..]',
  description:
    'Turns Quadlet .container files into systemd .service units. With --dryrun the units are printed; otherwise they are ' +
    "written into the first directory given (a systemd generator's normal-dir). --user reads the user's files " +
    '(~/.config/containers/systemd, /etc/containers/systemd/users[/UID]); QUADLET_UNIT_DIRS replaces the search path.',
  examples: [
    ['$0 quadlet --dryrun --user', "Print the units the user generator would make from the user's .container files"],
    ['$0 quadlet --user /run/user/1000/systemd/generator', 'What bin/tsc-ctr-user-generator does'],
  ],
  builder: (y) =>
    y
      .positional('dirs', { type: 'string', array: true, describe: 'Output directories (normal, early, late): units go into the first' })
      .option('dryrun', { type: 'boolean', describe: 'Print the generated units instead of writing them' })
      .option('user', { type: 'boolean', describe: "Read the user's .container files (user generator)" }) as any,
  handler: async (args) => {
    const { UsageError } = await import('../errors.js');
    const { quadletSearchDirs, findContainerFiles, convertFiles, dryRunText, writeServices } = await import('../systemd/quadlet-io.js');
    const { selfExecutable } = await import('../systemd/self.js');
    const dirs = (args.dirs ?? []).map(String);
    if (!args.dryrun && dirs.length === 0) throw new UsageError('missing output directory (or --dryrun)');
    const user = !!args.user;
    const files = findContainerFiles(quadletSearchDirs(user), user);
    const { services, errors } = convertFiles(files, { executable: selfExecutable(), generator: `tsc-ctr quadlet${user ? ' --user' : ''}` });
    if (args.dryrun) process.stdout.write(dryRunText(services));
    else writeServices(dirs[0]!, services);
    // As Podman's generator: a bad file is reported and skipped, the others are still generated.
    for (const e of errors) process.stderr.write(`Error: ${e}\n`);
    return errors.length ? 1 : 0;
  },
};
export default def;
