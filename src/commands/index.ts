import type { CommandEntry, GroupEntry } from './types.js';

/**
 * The command table. Each module is imported only when its command runs, so start-up cost does
 * not grow with the number of commands. Keep the short descriptions here in Podman's words.
 */
export const groups: GroupEntry[] = [
  { name: 'system', describe: 'Manage tsc-ctr' },
  { name: 'container', describe: 'Manage containers' },
  { name: 'image', describe: 'Manage images' },
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
  {
    path: ['container', 'run'],
    aliases: ['run'],
    describe: 'Run a command in a new container',
    load: () => import('./container/run.js'),
  },
  {
    path: ['container', 'create'],
    aliases: ['create'],
    describe: 'Create but do not start a container',
    load: () => import('./container/create.js'),
  },
  {
    path: ['container', 'start'],
    aliases: ['start'],
    describe: 'Start one or more containers',
    load: () => import('./container/start.js'),
  },
  {
    path: ['container', 'stop'],
    aliases: ['stop'],
    describe: 'Stop one or more containers',
    load: () => import('./container/stop.js'),
  },
  {
    path: ['container', 'kill'],
    aliases: ['kill'],
    describe: 'Kill one or more running containers with a specific signal',
    load: () => import('./container/kill.js'),
  },
  {
    path: ['container', 'rm'],
    aliases: ['rm'],
    subAliases: ['remove'],
    describe: 'Remove one or more containers',
    load: () => import('./container/rm.js'),
  },
  {
    path: ['container', 'wait'],
    aliases: ['wait'],
    describe: 'Block on one or more containers',
    load: () => import('./container/wait.js'),
  },
  {
    path: ['container', 'logs'],
    aliases: ['logs'],
    describe: 'Fetch the logs of one or more containers',
    load: () => import('./container/logs.js'),
  },
  {
    path: ['container', 'cleanup'],
    describe: 'Clean up network and mount points of one or more containers',
    load: () => import('./container/cleanup.js'),
  },
  {
    path: ['image', 'pull'],
    aliases: ['pull'],
    describe: 'Pull an image from a registry',
    load: () => import('./image/pull.js'),
  },
  {
    path: ['image', 'ls'],
    aliases: ['images'],
    subAliases: ['list'],
    describe: 'List images in local storage',
    load: () => import('./image/list.js'),
  },
  {
    path: ['image', 'inspect'],
    describe: 'Display the configuration of an image',
    load: () => import('./image/inspect.js'),
  },
  {
    path: ['image', 'rm'],
    aliases: ['rmi'],
    describe: 'Remove one or more images from local storage',
    load: () => import('./image/rm.js'),
  },
  {
    path: ['image', 'tag'],
    aliases: ['tag'],
    describe: 'Add an additional name to a local image',
    load: () => import('./image/tag.js'),
  },
  {
    path: ['image', 'untag'],
    aliases: ['untag'],
    describe: 'Remove a name from a local image',
    load: () => import('./image/untag.js'),
  },
  {
    path: ['image', 'prune'],
    describe: 'Remove unused images',
    load: () => import('./image/prune.js'),
  },
  {
    path: ['system', 'migrate'],
    describe: 'Migrate containers',
    load: () => import('./system/migrate.js'),
  },
  {
    path: ['system', 'reset'],
    describe: 'Reset tsc-ctr storage',
    load: () => import('./system/reset.js'),
  },
  {
    path: ['system', 'df'],
    describe: 'Show tsc-ctr disk usage',
    load: () => import('./system/df.js'),
  },
  {
    path: ['inspect'],
    describe: 'Display the configuration of object denoted by ID',
    load: () => import('./inspect.js'),
  },
  {
    path: ['container', 'ps'],
    aliases: ['ps'],
    subAliases: ['ls', 'list'],
    describe: 'List containers',
    load: () => import('./container/ps.js'),
  },
  {
    path: ['login'],
    describe: 'Log in to a container registry',
    load: () => import('./login.js'),
  },
  {
    path: ['logout'],
    describe: 'Log out of a container registry',
    load: () => import('./logout.js'),
  },
];
