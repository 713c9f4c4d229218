import type { CommandDef } from '../_shared/types.js';

const def: CommandDef<Record<string, never>> = {
  description:
    'Stops every running container and ends the pause process that holds the user namespace, so that the next ' +
    'command creates a new one from /etc/subuid and /etc/subgid as they are now. Run it after changing your ' +
    'subordinate id ranges. Prints `stopped ID` for each container it stopped.',
  examples: [['$0 system migrate', 'Apply new /etc/subuid ranges']],
  handler: async (args) => {
    const { containerContext } = await import('../../container/context.js');
    const { migrate } = await import('../../system/reset.js');
    const r = await migrate(containerContext(args));
    for (const id of r.stopped) process.stdout.write(`stopped ${id}\n`);
    for (const p of r.problems) process.stderr.write(`Error: ${p.what}: ${p.error}\n`);
    return r.problems.length ? 125 : 0;
  },
};
export default def;
