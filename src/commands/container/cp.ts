import type { CommandDef } from '../_shared/types.js';

interface CpOptions {
  src: string;
  dest: string;
  archive?: boolean;
  overwrite?: boolean;
}

const def: CommandDef<CpOptions> = {
  usage: '<src> <dest>',
  description:
    'Copies files and directories between a container (running or stopped) and the host: `CTR:SRC DEST` or `SRC CTR:DEST`. ' +
    'Container paths are resolved inside the container (its symlinks never lead out of it); `SRC/.` copies the contents of a directory; ' +
    '`-` reads a tar stream from stdin into a container directory, or writes one to stdout.',
  examples: [
    ['$0 cp app.conf web:/etc/app.conf', 'A file into a container'],
    ['$0 cp web:/var/log/. ./logs', 'The contents of a directory out of a container'],
    ['$0 cp web:/etc - > etc.tar', 'A directory as a tar stream'],
  ],
  builder: (y) =>
    y
      .positional('src', { type: 'string', demandOption: true })
      .positional('dest', { type: 'string', demandOption: true })
      .option('archive', { alias: 'a', type: 'boolean', default: true, describe: 'Chown copied files to the primary uid/gid of the destination container' })
      .option('overwrite', { type: 'boolean', describe: 'Allow to overwrite directories with non-directories and vice versa' }) as any,
  handler: async (args) => {
    const { runInUserNamespace } = await import('../_shared/userns-reexec.js');
    await runInUserNamespace(args);
    const { containerContext } = await import('../../container/context.js');
    const { nsExec } = await import('../../rootless/ns-exec.js');
    const { copy } = await import('../../container/copy.js');
    const ctx = containerContext(args);
    // yargs reads a lone `-` as an empty string; no real path is empty
    const arg = (v: unknown) => (v === '' ? '-' : String(v));
    await copy(ctx, await nsExec(ctx.paths), arg(args.src), arg(args.dest), { archive: args.archive !== false, overwrite: !!args.overwrite });
    return 0;
  },
};
export default def;
