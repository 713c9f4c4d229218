import type { CommandEntry, GroupEntry } from './_shared/types.js';

/**
 * The command table. Each module is imported only when its command runs, so start-up cost does
 * not grow with the number of commands. Keep the short descriptions here in Podman's words.
 */
export const groups: GroupEntry[] = [
  { name: 'system', describe: 'Manage tsc-ctr' },
  { name: 'container', describe: 'Manage containers' },
  { name: 'image', describe: 'Manage images' },
  { name: 'network', describe: 'Manage networks' },
  { name: 'generate', describe: 'Generate structured data based on containers, volumes, and pods' },
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
    path: ['generate', 'systemd'],
    describe: 'Generate systemd units',
    load: () => import('./generate/systemd.js'),
  },
  {
    path: ['quadlet'],
    describe: 'Generate systemd units from Quadlet .container files',
    load: () => import('./quadlet.js'),
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
    path: ['container', 'port'],
    aliases: ['port'],
    describe: 'List port mappings or a specific mapping for the container',
    load: () => import('./container/port.js'),
  },
  {
    path: ['container', 'logs'],
    aliases: ['logs'],
    describe: 'Fetch the logs of one or more containers',
    load: () => import('./container/logs.js'),
  },
  {
    path: ['container', 'exec'],
    aliases: ['exec'],
    describe: 'Run a process in a running container',
    load: () => import('./container/exec.js'),
  },
  {
    path: ['container', 'attach'],
    aliases: ['attach'],
    describe: 'Attach to a running container',
    load: () => import('./container/attach.js'),
  },
  {
    path: ['container', 'restart'],
    aliases: ['restart'],
    describe: 'Restart one or more containers',
    load: () => import('./container/restart.js'),
  },
  {
    path: ['container', 'rename'],
    aliases: ['rename'],
    describe: 'Rename an existing container',
    load: () => import('./container/rename.js'),
  },
  {
    path: ['container', 'prune'],
    describe: 'Remove all non running containers',
    load: () => import('./container/prune.js'),
  },
  {
    path: ['container', 'top'],
    aliases: ['top'],
    describe: 'Display the running processes of a container',
    load: () => import('./container/top.js'),
  },
  {
    path: ['container', 'cleanup'],
    describe: 'Clean up network and mount points of one or more containers',
    load: () => import('./container/cleanup.js'),
  },
  {
    path: ['container', 'mount'],
    aliases: ['mount'],
    describe: "Mount a working container's root filesystem",
    load: () => import('./container/mount.js'),
  },
  {
    path: ['container', 'unmount'],
    aliases: ['umount', 'unmount'],
    subAliases: ['umount'],
    describe: "Unmount working container's root filesystem",
    load: () => import('./container/unmount.js'),
  },
  {
    path: ['container', 'inspect'],
    describe: 'Display the configuration of a container',
    load: () => import('./container/inspect.js'),
  },
  {
    path: ['container', 'cp'],
    aliases: ['cp'],
    describe: 'Copy files/folders between a container and the local filesystem',
    load: () => import('./container/cp.js'),
  },
  {
    path: ['container', 'export'],
    aliases: ['export'],
    describe: "Export a container's filesystem contents as a tar archive",
    load: () => import('./container/export.js'),
  },
  {
    path: ['image', 'mount'],
    describe: "Mount an image's root filesystem",
    load: () => import('./image/mount.js'),
  },
  {
    path: ['image', 'unmount'],
    subAliases: ['umount'],
    describe: "Unmount an image's root filesystem",
    load: () => import('./image/unmount.js'),
  },
  {
    path: ['network', 'create'],
    describe: 'Create networks for containers',
    load: () => import('./network/create.js'),
  },
  {
    path: ['network', 'ls'],
    subAliases: ['list'],
    describe: 'List networks',
    load: () => import('./network/ls.js'),
  },
  {
    path: ['network', 'inspect'],
    describe: 'Inspect network',
    load: () => import('./network/inspect.js'),
  },
  {
    path: ['network', 'rm'],
    subAliases: ['remove'],
    describe: 'Remove networks',
    load: () => import('./network/rm.js'),
  },
  {
    path: ['image', 'pull'],
    aliases: ['pull'],
    describe: 'Pull an image from a registry',
    load: () => import('./image/pull.js'),
  },
  {
    path: ['image', 'push'],
    aliases: ['push'],
    describe: 'Push an image to a specified destination',
    load: () => import('./image/push.js'),
  },
  {
    path: ['image', 'save'],
    aliases: ['save'],
    describe: 'Save image(s) to an archive',
    load: () => import('./image/save.js'),
  },
  {
    path: ['image', 'load'],
    aliases: ['load'],
    describe: 'Load image(s) from a tar archive',
    load: () => import('./image/load.js'),
  },
  {
    path: ['image', 'import'],
    aliases: ['import'],
    describe: 'Import a tarball to create a filesystem image',
    load: () => import('./image/import.js'),
  },
  {
    path: ['container', 'commit'],
    aliases: ['commit'],
    describe: 'Create new image based on the changed container',
    load: () => import('./container/commit.js'),
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
