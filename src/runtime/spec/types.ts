/**
 * Inputs of the spec generator. Three stages, so that errors in flags show at `create` and a
 * container's spec can be regenerated at every start from data alone:
 *
 *   ContainerCreateOptions  — what `run`/`create` got on the command line, strings as typed
 *     │  prepareCreateOptions(options, {env, cwd})   (create time: host env and cwd captured)
 *     ▼
 *   ContainerConfig         — validated and normalised; JSON-serialisable; kept in the record
 *     │  generateSpec({config, image, host, users, …})   (start time, pure)
 *     ▼
 *   Spec                    — config.json
 */
import type { SeccompProfile } from './seccomp.js';
import type { NetworkRequest } from '../../net/types.js';

/** `run`/`create` flags, in Podman's names (the yargs option names of the commands). */
export interface ContainerCreateOptions {
  /** Arguments after the image name. */
  command?: string[];
  /** `--entrypoint`: a string, or a JSON array (`'["sh","-c"]'`); `''` clears the image's. */
  entrypoint?: string;
  /** `-e/--env K=V`, `K` (the host's value, dropped when unset), `K*` (every host variable with that prefix). */
  env?: string[];
  /** Contents of each `--env-file`, already read, in command-line order. */
  envFile?: string[];
  /** `--env-host`: the whole host environment. */
  envHost?: boolean;
  /** `--http-proxy` (default true): pass the host's proxy variables. */
  httpProxy?: boolean;
  /** `--unsetenv K` (image and default variables only), `--unsetenv-all`. */
  unsetenv?: string[];
  unsetenvAll?: boolean;
  workdir?: string;
  /** `-u/--user user[:group]`, names or ids. */
  user?: string;
  groupAdd?: string[];
  hostname?: string;
  capAdd?: string[];
  capDrop?: string[];
  privileged?: boolean;
  readOnly?: boolean;
  /** `--read-only-tmpfs` (default true): with `--read-only`, tmpfs on /tmp, /var/tmp and /run. */
  readOnlyTmpfs?: boolean;
  /** `--tmpfs /path[:opts]`. */
  tmpfs?: string[];
  /** `-v/--volume [src:]dst[:opts]`. */
  volume?: string[];
  /** `--mount type=bind|tmpfs|volume,…`. */
  mount?: string[];
  /** `--image-volume anonymous|tmpfs|ignore`: what the image's VOLUMEs become (default anonymous). */
  imageVolume?: string;
  init?: boolean;
  initPath?: string;
  /** `--ulimit name=soft[:hard]` (`-1` = unlimited), or `host`. */
  ulimit?: string[];
  /** `--shm-size 64m`. */
  shmSize?: string;
  securityOpt?: string[];
  stopSignal?: string;
  /** `--label K=V`: only `io.containers.capabilities` matters to the spec. */
  label?: string[];
  annotation?: string[];
  tty?: boolean;
  interactive?: boolean;
  sysctl?: string[];
  /** `--network`: `none`, `host`, or anything else (a private namespace; the helper is not our concern). */
  network?: string;
  pid?: string;
  ipc?: string;
  uts?: string;
  cgroupns?: string;
  /** `--umask` (octal, default 0022). */
  umask?: string;
  rm?: boolean;
  publishAll?: boolean;
  /** `-p`, `--dns*`, `--add-host` (src/net/parse.ts). */
  publish?: string[];
  dns?: string[];
  dnsSearch?: string[];
  dnsOption?: string[];
  addHost?: string[];
}

export type NamespaceMode = 'private' | 'host';
export type NetworkMode = 'private' | 'host' | 'none';

/** A bind or tmpfs mount from -v, --mount or --tmpfs, options validated but not yet defaulted. */
export interface MountRequest {
  type: 'bind' | 'tmpfs';
  destination: string;
  /** Absolute host path for binds; 'tmpfs' for tmpfs. */
  source: string;
  options: string[];
}

/** A named (or, without a name, anonymous) volume. The caller supplies its host path at start. */
export interface VolumeRequest {
  name?: string;
  destination: string;
  options: string[];
}

export interface RlimitRequest {
  /** `RLIMIT_NOFILE`, … */
  type: string;
  /** -1 = unlimited. */
  soft: number;
  hard: number;
}

/** Validated create options: what the container record keeps and the generator reads. */
export interface ContainerConfig {
  /**
   * undefined: the image's. Otherwise replaces it, and the image CMD is then used only when this
   * is `[]` (`--entrypoint '[]'`); `['']` (`--entrypoint ''`) means none and no image CMD.
   */
  entrypoint?: string[];
  command: string[];
  /** Variables from --env-file then -e, later wins, as `K=V` (host values captured at create). */
  env: string[];
  /** Host variables that override the image's: --env-host, or the proxy variables of --http-proxy. */
  hostEnv: string[];
  unsetEnv: string[];
  unsetEnvAll: boolean;
  workdir?: string;
  user?: string;
  groupAdd: string[];
  hostname?: string;
  /** Normalised `CAP_X` names, or `ALL`. */
  capAdd: string[];
  capDrop: string[];
  privileged: boolean;
  readOnly: boolean;
  readOnlyTmpfs: boolean;
  mounts: MountRequest[];
  volumes: VolumeRequest[];
  imageVolumeMode: 'anonymous' | 'tmpfs' | 'ignore';
  init: boolean;
  initPath?: string;
  rlimits: RlimitRequest[];
  /** `--ulimit host`: no rlimits in the spec, the process keeps the runtime's (the host's). */
  ulimitHost: boolean;
  /** /dev/shm size in bytes. */
  shmSize: number;
  noNewPrivileges: boolean;
  /** `unconfined`, a profile path, or undefined for the default profile. */
  seccompProfilePath?: string;
  mask: string[];
  unmask: string[];
  procOpts?: string[];
  stopSignal?: number;
  annotations: Record<string, string>;
  labels: Record<string, string>;
  tty: boolean;
  interactive: boolean;
  sysctls: Record<string, string>;
  network: NetworkMode;
  /** The network in full (helper, ports, DNS); absent in records made before it existed. */
  net?: NetworkRequest;
  pid: NamespaceMode;
  ipc: NamespaceMode;
  uts: NamespaceMode;
  cgroupns?: NamespaceMode;
  umask: number;
  autoRemove: boolean;
  publishAll: boolean;
}

export interface HostRlimit {
  soft: number | bigint;
  hard: number | bigint;
}

/** Mount flags of the filesystem a bind source lives on: a rootless bind cannot clear them. */
export interface SourceMountFlags {
  nosuid?: boolean;
  nodev?: boolean;
  noexec?: boolean;
}

/** What the generator needs to know about the host and this container's files. */
export interface HostFacts {
  /** Running without real root (inside our user namespace counts as rootless). */
  rootless: boolean;
  /** Usable = a cgroup can be created for the container (rootless v1: never). */
  cgroups: { version: 1 | 2; usable: boolean; path?: string };
  /**
   * gids mapped in the user namespace (rootless). Fewer than 5 → /dev/pts without `gid=5`; groups
   * of the user at or above it are skipped. undefined = all.
   */
  availableGids?: number;
  /** False when we cannot raise hard limits (no CAP_SYS_RESOURCE, as for root in some sandboxes): capped like rootless. */
  canRaiseRlimits?: boolean;
  /** The caller's current limits (Node raises its NOFILE soft limit to the hard one at start, as Podman does). */
  rlimits?: Partial<Record<string, HostRlimit>>;
  /** The capability bounding set of the caller; default: every capability we know. */
  boundingCaps?: string[];
  /** The host's own hostname (used with --uts=host / --network=host). */
  hostHostname: string;
  containerId: string;
  /** Host paths of the files bind-mounted into the container; a missing one is not mounted. */
  files?: {
    resolvConf?: string;
    hosts?: string;
    hostname?: string;
    containerEnv?: string;
    /** A directory with a tmpfs already mounted on it for /dev/shm; else the runtime mounts a tmpfs. */
    shm?: string;
  };
  /** The network namespace to join (private network). */
  netnsPath?: string;
  /** The init binary for --init when the options name none (catatonit). */
  initPath?: string;
  /** The default seccomp profile (containers format), if the host has one; none = no seccomp. */
  seccompProfile?: SeccompProfile;
  /** `process.arch` form (`x64`, `arm64`, …); default: this process's. */
  arch?: string;
  /** Kernel release (`uname -r`), for seccomp rules with `minKernel`. */
  kernel?: string;
  /** The kernel has mqueue (/proc/filesystems); default true. */
  mqueue?: boolean;
  /** The host has /dev/mqueue (bound in rootless with --ipc=host); default true. */
  hostDevMqueue?: boolean;
  /** Mount flags of each bind source's filesystem, by source path. */
  sourceMountFlags?: Record<string, SourceMountFlags>;
}

/** Everything `generateSpec` reads. */
export interface SpecInput {
  config: ContainerConfig;
  /** The image config's `config` section (Env, Entrypoint, Cmd, User, WorkingDir, Volumes, StopSignal, Labels). */
  image?: import('../../oci/image.js').ImageRuntimeConfig | undefined;
  host: HostFacts;
  /** The container's /etc/passwd and /etc/group (see readContainerUserFiles). */
  users?: import('../passwd.js').UserFiles;
  /** `root.path`: the mounted rootfs (absolute) or a path relative to the bundle. */
  rootfs: string;
  /** Host paths of named and anonymous volumes, by container destination. */
  volumeSources?: Record<string, string>;
  /** Creation time (RFC 3339) for the `io.kubernetes.cri-o.Created` annotation. */
  created?: string;
  /** Terminal size to start with (with tty). */
  consoleSize?: { height: number; width: number };
}
