import type { CommandDef } from '../_shared/types.js';

interface GenerateSystemdOptions {
  container?: string;
  new?: boolean;
  name?: boolean;
  files?: boolean;
  restartPolicy?: string;
  restartSec?: number;
  containerPrefix: string;
  separator: string;
  stopTimeout?: number;
  noHeader?: boolean;
}

const def: CommandDef<GenerateSystemdOptions> = {
  usage: '<container>',
  description:
    'Generates a systemd unit file that runs a container as a service. With --new the unit creates a fresh container ' +
    'from the original create command on each start and removes it on stop (Type=notify, conmon sends READY=1); ' +
    'without it the unit starts and stops the existing container.',
  examples: [
    ['$0 generate systemd --new --name --files web', 'Write container-web.service into the current directory'],
    ['$0 generate systemd --new --restart-policy=always web > ~/.config/systemd/user/web.service', 'A user unit'],
  ],
  builder: (y) =>
    y
      .positional('container', { type: 'string', describe: 'Container name or ID' })
      .option('new', { type: 'boolean', describe: 'Create a new container or pod instead of starting an existing one' })
      .option('name', { alias: 'n', type: 'boolean', describe: 'Use container/pod names instead of IDs' })
      .option('files', { alias: 'f', type: 'boolean', describe: 'Generate .service files instead of printing to stdout' })
      .option('restart-policy', { type: 'string', describe: 'Systemd restart-policy (default "on-failure", or the container\'s restart policy)' })
      .option('restart-sec', { type: 'number', describe: 'Systemd restart-sec' })
      .option('container-prefix', { type: 'string', default: 'container', describe: 'Systemd unit name prefix for containers' })
      .option('separator', { type: 'string', default: '-', describe: 'Systemd unit name separator between name/id and prefix' })
      .option('stop-timeout', { alias: 't', type: 'number', describe: 'Stop timeout override (default: the container\'s)' })
      .option('no-header', { type: 'boolean', describe: 'Skip header generation' }) as any,
  handler: async (args) => {
    const { UsageError } = await import('../../errors.js');
    if (!args.container) throw new UsageError('requires exactly 1 arg(s), only received 0');
    const { containerContext } = await import('../../container/context.js');
    const { generateForContainer } = await import('../../systemd/generate-container.js');
    const ctx = containerContext(args);
    const rec = ctx.containers.get(args.container);
    const unit = await generateForContainer(ctx, rec, {
      new: args.new,
      name: args.name,
      restartPolicy: args.restartPolicy,
      restartSec: args.restartSec,
      containerPrefix: args.containerPrefix,
      separator: args.separator,
      stopTimeout: args.stopTimeout,
      noHeader: args.noHeader,
    });
    if (!args.files) {
      process.stdout.write(unit.text);
      return 0;
    }
    const { writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const path = join(process.cwd(), `${unit.serviceName}.service`);
    writeFileSync(path, unit.text, { mode: 0o644 });
    process.stdout.write(`${path}\n`);
    return 0;
  },
};
export default def;
