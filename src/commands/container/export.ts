import type { CommandDef } from '../_shared/types.js';

interface ExportOptions {
  container: string;
  output?: string;
}

const def: CommandDef<ExportOptions> = {
  usage: '<container>',
  description:
    "Exports a container's filesystem (its image's files with the container's changes) as a tar archive, to a file with --output or to stdout. " +
    'Owners in the archive are the ids seen inside the container.',
  examples: [
    ['$0 export -o web.tar web', 'To a file'],
    ['$0 export web | tar t', 'To a pipe'],
  ],
  builder: (y) =>
    y
      .positional('container', { type: 'string', demandOption: true })
      .option('output', { alias: 'o', type: 'string', describe: 'Write to a specified file (default: stdout, which must be redirected)' }) as any,
  handler: async (args) => {
    const { TscCtrError } = await import('../../errors.js');
    if (!args.output && process.stdout.isTTY) throw new TscCtrError('refusing to export to terminal. Use -o flag or redirect');
    const { runInUserNamespace } = await import('../_shared/userns-reexec.js');
    await runInUserNamespace(args);
    const { containerContext } = await import('../../container/context.js');
    const { nsExec } = await import('../../rootless/ns-exec.js');
    const { exportContainer } = await import('../../container/export.js');
    const ctx = containerContext(args);
    const rec = ctx.containers.get(String(args.container));
    const ns = await nsExec(ctx.paths);
    if (!args.output) {
      await exportContainer(ctx, ns, rec, process.stdout);
      return 0;
    }
    const { createWriteStream, renameSync, rmSync } = await import('node:fs');
    const tmp = `${args.output}.tmp-${process.pid}`;
    const out = createWriteStream(tmp, { mode: 0o644 });
    try {
      await exportContainer(ctx, ns, rec, out);
      await new Promise<void>((res, rej) => out.end((err?: Error | null) => (err ? rej(err) : res())));
      renameSync(tmp, args.output);
    } catch (err) {
      out.destroy();
      rmSync(tmp, { force: true });
      throw err;
    }
    return 0;
  },
};
export default def;
