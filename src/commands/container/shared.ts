// CLI glue shared by run/create (printing and terminal decisions); the work is in src/container/.
import type { Args } from '../types.js';
import type { CreateCliOptions } from './create-flags.js';
import { containerContext } from '../../container/context.js';
import { createContainer } from '../../container/create.js';

function request(args: Args<CreateCliOptions>) {
  const positional = (args._ as (string | number)[]).map(String);
  // yargs puts the command words first: `run IMAGE CMD...` or `container run IMAGE CMD...`
  const at = positional.indexOf(args.image);
  const command = at >= 0 ? positional.slice(at + 1) : [];
  const { _, $0, image, ...options } = args as any;
  return { image: args.image, name: args.name, command, options };
}

export async function createCommand(args: Args<CreateCliOptions>): Promise<number> {
  const ctx = containerContext(args);
  const rec = await createContainer(ctx, request(args));
  process.stdout.write(`${rec.id}\n`);
  return 0;
}

export async function runCommand(args: Args<CreateCliOptions & { detach?: boolean; sigProxy?: boolean }>): Promise<number> {
  const ctx = containerContext(args);
  const rec = await createContainer(ctx, request(args));
  if (args.detach) {
    const { startContainer } = await import('../../container/start.js');
    await startContainer(ctx, rec);
    process.stdout.write(`${rec.id}\n`);
    return 0;
  }
  const { runAttached } = await import('../../container/run-attached.js');
  const code = await runAttached(ctx, rec, { detachKeys: args.detachKeys, sigProxy: args.sigProxy, stdin: !!args.interactive });
  return code ?? 0;
}
