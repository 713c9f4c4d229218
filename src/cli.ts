import yargs, { type Argv } from 'yargs';
import { commands, groups } from './commands/index.js';
import type { CommandDef, CommandEntry, GlobalOptions } from './commands/_shared/types.js';
import { TscCtrError } from './errors.js';
import { log, parseLogLevel, setLogLevel } from './ui/log.js';
import { VALUED_GLOBALS, valueOptions } from './cli/value-options.js';


/** The positional words before the first command option: ['image', 'ls'] for `image ls -a`. */
export function commandWords(argv: string[]): string[] {
  const words: string[] = [];
  for (let i = 0; i < argv.length && words.length < 2; i++) {
    const a = argv[i]!;
    if (a === '--') break;
    if (a.startsWith('-')) {
      if (VALUED_GLOBALS.has(a)) i++;
      else if (words.length > 0) break; // an option of the command: no more command words
      continue;
    }
    words.push(a);
    if (words.length === 1 && !groups.some((g) => g.name === a)) break;
  }
  return words;
}

/**
 * Where the free-form arguments of a pass-through command start: after `before` positionals,
 * skipping options and the values of options that take one. -1 when there are none.
 */
export function passthroughIndex(argv: string[], start: number, before: number, takesValue: (name: string) => boolean): number {
  let seen = 0;
  for (let i = start; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') return -1;
    if (a.startsWith('--') && a.length > 2) {
      if (!a.includes('=') && takesValue(a.slice(2))) i++;
      continue;
    }
    if (a.startsWith('-') && a.length > 1) {
      // a cluster of short flags: only its last letter may take a value (-it, -v X, -e K=V)
      const last = a[a.length - 1]!;
      if (takesValue(last)) i++;
      continue;
    }
    if (seen === before) return i;
    seen++;
  }
  return -1;
}

/** The table entry a command line names, by path or by alias. */
export function findEntry(words: string[]): CommandEntry | undefined {
  const [w0, w1] = words;
  if (w0 === undefined) return undefined;
  const top = commands.find((c) => (c.path.length === 1 && c.path[0] === w0) || c.aliases?.includes(w0));
  if (top) return top;
  return commands.find(
    (c) => c.path.length === 2 && c.path[0] === w0 && (c.path[1] === w1 || c.subAliases?.includes(w1 ?? '')),
  );
}

function globalOptions(y: Argv): Argv<GlobalOptions> {
  return y
    .option('root', { type: 'string', describe: 'Path to the storage root directory', global: true })
    .option('runroot', { type: 'string', describe: 'Path to the run root directory', global: true })
    .option('log-level', {
      type: 'string',
      default: 'warn',
      describe: 'Log messages at and above this level (trace, debug, info, warn, error, fatal, panic)',
      global: true,
    })
    .option('runtime', { type: 'string', describe: 'Path or name of the OCI runtime (crun, runc)', global: true })
    .option('storage-driver', {
      type: 'string',
      describe: 'Storage driver: overlay or fuse-overlayfs (default: probed, then kept by the store)',
      global: true,
    }) as unknown as Argv<GlobalOptions>;
}

function register(y: Argv<any>, name: string, entry: CommandEntry, def: CommandDef | undefined): Argv<any> {
  const names = [name, ...(entry.path.length === 2 ? entry.subAliases ?? [] : [])];
  const cmd = def?.usage ? `${name} ${def.usage}` : name;
  if (!def) return y.command(names.length > 1 ? [name, ...names.slice(1)] : name, entry.describe, () => {}, () => {});
  return y.command(
    [cmd, ...names.slice(1)],
    def.description ? `${entry.describe}\n\n${def.description}` : entry.describe,
    (sub: Argv<any>) => {
      const b = def.builder ? def.builder(sub) : sub;
      for (const [ex, what] of def.examples ?? []) b.example(ex, what);
      return b;
    },
    async (args: any) => {
      const lvl = parseLogLevel(String(args.logLevel ?? 'warn'));
      if (!lvl) throw new TscCtrError(`invalid log level "${args.logLevel}"`);
      setLogLevel(lvl);
      // Podman's first info line: tells a CI log reader which verbosity the job ran with
      log.info(`tsc-ctr filtering at log level ${lvl}`);
      if (args.storageDriver || process.env.TSC_CTR_STORAGE_DRIVER || process.env.CONTAINERS_STORAGE_CONF) {
        await (await import('./storage/driver.js')).applyDriverRequest({ flag: args.storageDriver, root: args.root, runroot: args.runroot });
      }
      const code = await def.handler(args);
      process.exitCode = typeof code === 'number' ? code : (process.exitCode ?? 0);
    },
  );
}

function reportError(err: unknown): void {
  if (err instanceof TscCtrError) {
    process.stderr.write(`Error: ${err.message}\n`);
    process.exitCode = err.exitCode;
    return;
  }
  const msg = err instanceof Error ? err.message : String(err);
  process.stderr.write(`Error: ${msg}\n`);
  if (process.env.TSC_CTR_DEBUG && err instanceof Error) process.stderr.write(`${err.stack}\n`);
  process.exitCode = 125;
}

export async function main(argv: string[]): Promise<void> {
  // `help CMD` is `CMD --help`, as in Podman.
  if (argv[0] === 'help') argv = [...argv.slice(1), '--help'];
  // `podman --version` / `-v`: one line, no command
  if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-v')) {
    const { versionInfo } = await import('./system/version.js');
    process.stdout.write(`tsc-ctr version ${versionInfo().Client.Version}\n`);
    return;
  }
  const completing = argv[0] === '--get-yargs-completions';
  const words = commandWords(completing ? argv.slice(2) : argv);
  const entry = findEntry(words);
  let def: CommandDef | undefined;
  try {
    def = entry ? (await entry.load()).default : undefined;
  } catch (err) {
    reportError(err);
    return;
  }

  if (def?.passthroughAfter !== undefined && entry) {
    const words = commandWords(argv);
    const startAt = argv.indexOf(words[words.length - 1]!) + 1;
    const vals = valueOptions(def, VALUED_GLOBALS);
    const at = passthroughIndex(argv, startAt, def.passthroughAfter, (n) => vals.has(n));
    if (at >= 0) argv = [...argv.slice(0, at), '--', ...argv.slice(at)];
  }

  let y = globalOptions(
    yargs(argv)
      .scriptName('tsc-ctr')
      .usage('Usage: $0 [options] COMMAND\n\nManage pods, containers and images without a daemon')
      .strict()
      .parserConfiguration({ 'populate--': true, 'greedy-arrays': false, 'boolean-negation': false }) // `--no-trunc` is its own flag, as in cobra
      .recommendCommands()
      .help('help')
      .alias('help', 'h')
      .version(false)
      .wrap(Math.min(110, process.stdout.columns || 100))
      .completion('completion', 'Generate the bash completion script')
      .demandCommand(1, 'missing command: see `tsc-ctr --help`'),
  ) as Argv<any>;

  for (const c of commands.filter((c) => c.path.length === 1)) {
    y = register(y, c.path[0]!, c, c === entry ? def : undefined);
  }
  for (const c of commands.filter((c) => c.aliases)) {
    for (const a of c.aliases!) y = register(y, a, c, c === entry ? def : undefined);
  }
  for (const g of groups) {
    y = y.command(g.name, g.describe, (gy: Argv<any>) => {
      let sub = gy.demandCommand(1, `missing subcommand: see \`tsc-ctr ${g.name} --help\``);
      for (const c of commands.filter((c) => c.path.length === 2 && c.path[0] === g.name)) {
        sub = register(sub, c.path[1]!, c, c === entry ? def : undefined);
      }
      return sub;
    });
  }

  // yargs renders and caches the whole help text on every command run (for errors shown with
  // help); we print errors ourselves, so skip that work on the start-up path of every command.
  const usage = (y as any).getInternalMethods?.().getUsageInstance?.();
  if (usage && typeof usage.cacheHelpMessage === 'function') usage.cacheHelpMessage = () => {};

  y = y.fail((msg: string | null, err: Error | undefined, inst: Argv) => {
    if (err) throw err;
    process.stderr.write(`Error: ${msg}\nSee 'tsc-ctr --help'.\n`);
    void inst;
    process.exit(125);
  });

  try {
    await y.parseAsync();
  } catch (err) {
    reportError(err);
  }
}
