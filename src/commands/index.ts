import type { CommandEntry, GroupEntry } from './types.js';

/**
 * The command table. Each module is imported only when its command runs, so start-up cost does
 * not grow with the number of commands. Keep the short descriptions here in Podman's words.
 */
export const groups: GroupEntry[] = [
  { name: 'system', describe: 'Manage tsc-ctr' },
];

export const commands: CommandEntry[] = [
  {
    path: ['version'],
    describe: 'Display the tsc-ctr version information',
    load: () => import('./version.js'),
  },
  {
    path: ['unshare'],
    describe: 'Run a command in a modified user namespace',
    load: () => import('./unshare.js'),
  },
  {
    path: ['system', 'info'],
    aliases: ['info'],
    describe: 'Display tsc-ctr system information',
    load: () => import('./system/info.js'),
  },
  {
    path: ['system', 'check'],
    describe: 'Check every prerequisite of rootless containers and say how to fix what is missing',
    load: () => import('./system/check.js'),
  },
];
