import type { Argv } from 'yargs';
import { type PullFlagOptions, pullFlags } from './pull-flags.js';

/** The options `run` and `create` share, under Podman's names (parsed values, not yet validated). */
export interface CreateCliOptions extends PullFlagOptions {
  image: string;
  command?: string[];
  name?: string;
  rm?: boolean;
  interactive?: boolean;
  tty?: boolean;
  env?: string[];
  envFile?: string[];
  entrypoint?: string;
  workdir?: string;
  user?: string;
  hostname?: string;
  capAdd?: string[];
  capDrop?: string[];
  privileged?: boolean;
  readOnly?: boolean;
  readOnlyTmpfs?: boolean;
  tmpfs?: string[];
  volume?: string[];
  mount?: string[];
  init?: boolean;
  initPath?: string;
  ulimit?: string[];
  shmSize?: string;
  securityOpt?: string[];
  label?: string[];
  annotation?: string[];
  stopSignal?: string;
  stopTimeout?: number;
  cidfile?: string;
  replace?: boolean;
  pull?: string;
  network?: string;
  publish?: string[];
  publishAll?: boolean;
  dns?: string[];
  dnsSearch?: string[];
  dnsOption?: string[];
  addHost?: string[];
  sysctl?: string[];
  groupAdd?: string[];
  pid?: string;
  ipc?: string;
  uts?: string;
  detachKeys?: string;
  restart?: string;
  sdnotify?: string;
}

const arr = { type: 'string' as const, array: true as const, requiresArg: true };

export function createFlags<T>(y: Argv<T>): Argv<T & CreateCliOptions> {
  return pullFlags(y)
    .positional('image', { type: 'string', describe: 'Image to run' })
    .option('name', { type: 'string', describe: 'Assign a name to the container' })
    .option('rm', { type: 'boolean', describe: 'Remove the container and its anonymous volumes when it exits' })
    .option('interactive', { alias: 'i', type: 'boolean', describe: 'Keep STDIN open even if not attached' })
    .option('tty', { alias: 't', type: 'boolean', describe: 'Allocate a pseudo-TTY for the container' })
    .option('env', { alias: 'e', ...arr, describe: 'Set environment variables in the container (K=V, or K to take it from the host)' })
    .option('env-file', { ...arr, describe: 'Read in a file of environment variables' })
    .option('entrypoint', { type: 'string', describe: 'Overwrite the default ENTRYPOINT of the image' })
    .option('workdir', { alias: 'w', type: 'string', describe: 'Working directory inside the container' })
    .option('user', { alias: 'u', type: 'string', describe: 'Username or UID (format: <name|uid>[:<group|gid>])' })
    .option('hostname', { type: 'string', describe: 'Set container hostname' })
    .option('cap-add', { ...arr, describe: 'Add capabilities to the container' })
    .option('cap-drop', { ...arr, describe: 'Drop capabilities from the container' })
    .option('privileged', { type: 'boolean', describe: 'Give extended privileges to the container' })
    .option('read-only', { type: 'boolean', describe: "Make the container's root filesystem read-only" })
    .option('read-only-tmpfs', { type: 'boolean', default: true, describe: 'With --read-only, mount tmpfs on /run, /tmp and /var/tmp' })
    .option('tmpfs', { ...arr, describe: 'Mount a temporary filesystem (tmpfs) into the container' })
    .option('volume', { alias: 'v', ...arr, describe: 'Bind mount a volume into the container (SRC:DST[:OPTIONS])' })
    .option('mount', { ...arr, describe: 'Attach a filesystem mount to the container (type=bind|tmpfs|volume,...)' })
    .option('init', { type: 'boolean', describe: 'Run an init (catatonit) inside the container that forwards signals and reaps processes' })
    .option('init-path', { type: 'string', describe: 'Path to the container-init binary' })
    .option('ulimit', { ...arr, describe: 'Ulimit options (e.g. nofile=1024:2048)' })
    .option('shm-size', { type: 'string', describe: 'Size of /dev/shm (format: <number>[<unit>], unit = b, k, m or g)' })
    .option('security-opt', { ...arr, describe: 'Security options (no-new-privileges, seccomp=unconfined, mask=, unmask=)' })
    .option('label', { alias: 'l', ...arr, describe: 'Set metadata on a container' })
    .option('annotation', { ...arr, describe: 'Add annotations to the container (key=value)' })
    .option('stop-signal', { type: 'string', describe: 'Signal to stop a container. Default is SIGTERM' })
    .option('stop-timeout', { type: 'number', describe: 'Timeout (in seconds) that containers stopped by user command have to exit. If exceeded, the container will be forcibly stopped via SIGKILL.' })
    .option('cidfile', { type: 'string', describe: 'Write the container ID to the file' })
    .option('replace', { type: 'boolean', describe: 'If a container with the same name exists, replace it' })
    .option('pull', { type: 'string', default: 'missing', choices: ['always', 'missing', 'never', 'newer'], describe: 'Pull image policy' })
    .option('network', { alias: 'net', type: 'string', describe: 'Connect a container to a network (pasta[:OPTS], slirp4netns[:OPTS], none, host, container:NAME, ns:PATH)' })
    .option('publish', { alias: 'p', ...arr, describe: "Publish a container's port, or a range of ports, to the host ([ip:][hostPort:]containerPort[/tcp|udp])" })
    .option('publish-all', { alias: 'P', type: 'boolean', describe: 'Publish all exposed ports to random ports on the host interfaces' })
    .option('dns', { ...arr, describe: 'Set custom DNS servers' })
    .option('dns-search', { ...arr, describe: 'Set custom DNS search domains' })
    .option('dns-option', { ...arr, describe: 'Set custom DNS options' })
    .option('add-host', { ...arr, describe: 'Add a custom host-to-IP mapping (host:ip)' })
    .option('sysctl', { ...arr, describe: 'Sysctl options' })
    .option('group-add', { ...arr, describe: 'Add additional groups to the primary container process' })
    .option('pid', { type: 'string', describe: 'PID namespace to use (host or private)' })
    .option('ipc', { type: 'string', describe: 'IPC namespace to use (host or private)' })
    .option('uts', { type: 'string', describe: 'UTS namespace to use (host or private)' })
    .option('detach-keys', { type: 'string', describe: 'Override the key sequence for detaching a container' })
    .option('restart', { type: 'string', describe: 'Restart policy to apply when a container exits (no, on-failure[:max_retries], always, unless-stopped)' })
    .option('sdnotify', { type: 'string', describe: 'Control sd-notify behavior (container, conmon, ignore)' }) as unknown as Argv<T & CreateCliOptions>;
}
