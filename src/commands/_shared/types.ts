import type { Argv } from 'yargs';

/** Options every command accepts (Podman's global flags that apply to us). */
export interface GlobalOptions {
  root?: string;
  runroot?: string;
  logLevel: string;
  runtime?: string;
  storageDriver?: string;
}

/** What a handler receives: its own options plus the global ones. */
export type Args<A> = A & GlobalOptions & { _: (string | number)[]; $0: string };

/**
 * One CLI command, Podman's anatomy: usage, long description, examples, flags, and a handler of
 * a few lines that calls the library. The short description lives in the command table
 * (src/commands/index.ts) so `--help` can list every command without loading its module.
 * A handler returns the exit code (default 0) or throws a TscCtrError.
 */
export interface CommandDef<A = Record<string, unknown>> {
  /** yargs positionals after the command name, e.g. '<image> [command..]'. */
  usage?: string;
  description?: string;
  examples?: [string, string][];
  builder?: (y: Argv<GlobalOptions>) => Argv<A & GlobalOptions>;
  /**
   * For commands that run another command (`run IMAGE CMD...`, `unshare CMD...`): how many
   * positionals come before the free-form arguments. Everything from there on is passed
   * through untouched (the handler reads it from `args['--']`), options included.
   */
  passthroughAfter?: number;
  handler: (args: Args<A>) => Promise<number | void> | number | void;
}

export type CommandModule = { default: CommandDef<any> };
export type Loader = () => Promise<CommandModule>;

/** An entry of the command table: `path` is ['version'] or ['system', 'check']. */
export interface CommandEntry {
  path: string[];
  describe: string;
  load: Loader;
  /** Top-level names for the same command, e.g. `images` for ['image', 'ls']. */
  aliases?: string[];
  /** Other names inside the group, e.g. 'list' for 'ls'. */
  subAliases?: string[];
}

export interface GroupEntry {
  name: string;
  describe: string;
}
