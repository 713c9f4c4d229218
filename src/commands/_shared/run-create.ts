// CLI glue shared by run/create (printing and terminal decisions); the work is in src/container/.
import type { Args } from './types.js';
import { UsageError } from '../../errors.js';
import type { CreateCliOptions } from './create-flags.js';
import { containerContext } from '../../container/context.js';
import { createContainer } from '../../container/create.js';

async function request(args: Args<CreateCliOptions>) {
  if (!args.image) throw new UsageError('requires at least 1 arg(s), only received 0');
  // everything after the image, options included, was passed through as `--` (see passthroughAfter)
  const command = (((args as unknown as { '--'?: (string | number)[] })['--']) ?? []).map(String);
  const { _, $0, image, '--': _rest, ...options } = args as any;
  const { selfExecutable } = await import('../../systemd/self.js');
  return { image: args.image, name: args.name, command, options, createCommand: [selfExecutable(), ...process.argv.slice(2)] };
}

export async function createCommand(args: Args<CreateCliOptions>): Promise<number> {
  const ctx = containerContext(args);
  const rec = await createContainer(ctx, await request(args));
  process.stdout.write(`${rec.id}\n`);
  return 0;
}

export async function runCommand(args: Args<CreateCliOptions & { detach?: boolean; sigProxy?: boolean }>): Promise<number> {
  const ctx = containerContext(args);
  const rec = await createContainer(ctx, await request(args));
  try {
    if (args.detach) {
      const { startContainer } = await import('../../container/start.js');
      await startContainer(ctx, rec);
      process.stdout.write(`${rec.id}\n`);
      return 0;
    }
    const { runAttached } = await import('../../container/run-attached.js');
    const code = await runAttached(ctx, rec, { detachKeys: args.detachKeys, sigProxy: args.sigProxy, stdin: !!args.interactive });
    return code ?? 0;
  } catch (err) {
    // As Podman: a --rm container that could not start is not left behind.
    if (rec.autoRemove) await removeAfterFailedStart(ctx, rec.id);
    throw err;
  }
}

async function removeAfterFailedStart(ctx: ReturnType<typeof containerContext>, id: string): Promise<void> {
  const { removeContainer } = await import('../../container/stop.js');
  const now = ctx.containers.read(id);
  if (now) await removeContainer(ctx, now, { force: true, timeoutSec: 0 }).catch(() => {});
}
