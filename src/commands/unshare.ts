import type { CommandDef } from './_shared/types.js';

interface UnshareOptions {
  command?: string[];
}

const def: CommandDef<UnshareOptions> = {
  usage: '[command..]',
  description:
    'Runs a command (default: your $SHELL) inside the user and mount namespace that tsc-ctr uses for rootless containers: ' +
    'you are root there, your subordinate ids are mapped, and mounts made by tsc-ctr (image mount) are visible.',
  examples: [
    ['$0 unshare id', 'Show that you are uid 0 inside'],
    ['$0 unshare cat /proc/self/uid_map', 'Show the id mappings'],
  ],
  passthroughAfter: 0,
  builder: (y) => y.positional('command', { type: 'string', array: true }) as any,
  handler: async (args) => {
    const { unshare } = await import('../rootless/unshare.js');
    const argv = ((args as unknown as { '--'?: (string | number)[] })['--'] ?? []).map(String);
    return unshare({ root: args.root, runroot: args.runroot }, argv);
  },
};
export default def;
