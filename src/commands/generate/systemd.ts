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
  template?: boolean;
  startTimeout?: number;
  wants?: string[];
  after?: string[];
  requires?: string[];
  format?: string;
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
      .option('no-header', { type: 'boolean', describe: 'Skip header generation' })
      .option('template', { type: 'boolean', describe: 'Make it a template file and use %i and %I specifiers. Working only for containers' })
      .option('start-timeout', { type: 'number', describe: 'Start timeout override' })
      .option('wants', { type: 'string', array: true, requiresArg: true, describe: 'Add (weak) requirement dependencies to the generated unit file' })
      .option('after', { type: 'string', array: true, requiresArg: true, describe: 'Add dependencies order to the generated unit file' })
      .option('requires', { type: 'string', array: true, requiresArg: true, describe: 'Similar to wants, but declares stronger requirement dependencies' })
      .option('format', { type: 'string', describe: 'Print the created units in specified format (json)' }) as any,
  handler: async (args) => {
    const { UsageError } = await import('../../errors.js');
    if (!args.container) throw new UsageError('requires exactly 1 arg(s), only received 0');
    const { isJsonFormat } = await import('../../ui/format.js');
    if (args.format && !isJsonFormat(args.format)) throw new UsageError(`unknown --format argument: ${args.format}`);
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
      template: args.template,
      startTimeout: args.startTimeout,
      wants: args.wants,
      after: args.after,
      requires: args.requires,
    });
    const { log } = await import('../../ui/log.js');
    for (const w of unit.warnings) log.warn(w);
    // Podman's report: unit name → unit text, or → the written file's path with --files.
    let out = unit.text;
    if (args.files) {
      const { writeFileSync } = await import('node:fs');
      const { join } = await import('node:path');
      // A template's file must be NAME@.service for systemd to instantiate it.
      out = join(process.cwd(), unit.fileName);
      writeFileSync(out, unit.text, { mode: 0o644 });
      if (!args.format) out += '\n';
    }
    if (args.format) {
      const { goJson } = await import('../../ui/template/gojson.js');
      process.stdout.write(`${goJson({ [unit.serviceName]: out }, { indent: ' ' })}\n`);
    } else process.stdout.write(out);
    return 0;
  },
};
export default def;
