/**
 * `container inspect`: Podman's InspectContainerData, built from what we know about a
 * container: its record (the spec inputs the user gave), the generated config.json when it has
 * been started, the state from files, and the image. Fields we cannot know (networking until it
 * lands, cgroup limits we do not set) have Podman's zero values.
 */
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { ImageConfig } from '../oci/image.js';
import { DEFAULT_CAPABILITIES, ALL_CAPABILITIES, mergeCapabilities } from '../runtime/spec/security.js';
import { CONTAINER_INIT_PATH } from '../runtime/spec/mounts.js';
import { processEnv } from '../runtime/spec/process.js';
import type { ContainerConfig } from '../runtime/spec/types.js';
import { networkSettings } from '../net/inspect.js';
import { readNetworkState } from '../net/state.js';
import type { NetworkRequest, NetworkState } from '../net/types.js';
import type { ContainerContext } from './context.js';
import { containerFiles } from './start.js';
import { currentState } from './state.js';
import { liveExecSessions } from './exec-sessions.js';
import type { ContainerRecord, ContainerStateRecord } from './types.js';

/** Go's zero time.Time, as encoding/json writes it. */
export const ZERO_TIME = '0001-01-01T00:00:00Z';
const UINT64_MAX = 18446744073709551615n;

/** The parts of config.json inspect reads. */
export interface SpecView {
  ociVersion?: string;
  process?: {
    args?: string[];
    env?: string[];
    cwd?: string;
    capabilities?: { effective?: string[]; bounding?: string[] };
    rlimits?: { type: string; soft: number; hard: number }[];
  };
  annotations?: Record<string, string>;
}

/** What inspect needs besides the record; gathered by the caller (files, store, runtime probe). */
export interface InspectFacts {
  state: ContainerStateRecord;
  spec: SpecView | undefined;
  image: ImageConfig | undefined;
  imageDigest: string;
  files: ReturnType<typeof containerFiles>;
  /** Absolute diff dirs of the image layers, topmost first. */
  layerDirs: string[];
  runtimeName: string;
  volumeDir: (name: string) => string;
  size?: { rw: number; rootfs: number } | undefined;
  /** What start set up (running containers only). */
  network?: NetworkState | undefined;
  /** Exec sessions whose process still runs. */
  execIds?: string[];
}

/** Podman's HostConfig.NetworkMode for the recorded `--network` request. */
function networkModeOf(rec: ContainerRecord, config: ContainerConfig): string {
  const req = rec.createOptions.net as NetworkRequest | undefined;
  if (!req) return config.network === 'host' ? 'host' : config.network === 'none' ? 'none' : 'private';
  if (req.kind === 'container') return `container:${req.container ?? ''}`;
  if (req.kind === 'ns') return `ns:${req.path ?? ''}`;
  if (req.kind === 'bridge') return req.network ?? 'bridge';
  return req.kind;
}

/** Podman's HostConfig.PortBindings: what was asked (host port "" when chosen at start). */
function portBindingsOf(rec: ContainerRecord): Record<string, { HostIp: string; HostPort: string }[]> {
  const req = rec.createOptions.net as NetworkRequest | undefined;
  const out: Record<string, { HostIp: string; HostPort: string }[]> = {};
  for (const p of req?.ports ?? []) {
    for (let i = 0; i < p.range; i++) {
      (out[`${p.containerPort + i}/${p.protocol}`] ??= []).push({ HostIp: p.hostIp, HostPort: p.hostPort ? String(p.hostPort + i) : '' });
    }
  }
  return out;
}

function statusName(s: ContainerStateRecord['status']): string {
  return s === 'removing' ? 'removing' : s;
}

function rlimitValue(n: number): number | bigint {
  return n < 0 || n >= 2 ** 53 ? UINT64_MAX : n;
}

/** `-v`/`--mount` binds and volumes as Podman's Mounts and Binds. */
function mountsOf(config: ContainerConfig, volumeDir: (name: string) => string) {
  const mounts: Record<string, unknown>[] = [];
  const binds: string[] = [];
  const split = (options: string[]) => {
    const rw = !options.includes('ro');
    const propagation = options.find((o) => /^r?(private|shared|slave)$/.test(o)) ?? 'rprivate';
    const rest = options.filter((o) => o !== 'ro' && o !== 'rw' && o !== propagation);
    return { rw, propagation, rest };
  };
  for (const m of config.mounts ?? []) {
    if (m.type !== 'bind') continue;
    const { rw, propagation, rest } = split(m.options);
    const opts = rest.length ? rest : ['rbind'];
    mounts.push({ Type: 'bind', Source: m.source, Destination: m.destination, Driver: '', Mode: '', Options: opts, RW: rw, Propagation: propagation });
    binds.push(`${m.source}:${m.destination}:${[rw ? 'rw' : 'ro', propagation, ...opts].join(',')}`);
  }
  for (const v of config.volumes ?? []) {
    if (!v.name) continue;
    const { rw, rest } = split(v.options);
    const opts = rest.length ? rest : ['nosuid', 'nodev', 'rbind'];
    mounts.push({ Type: 'volume', Name: v.name, Source: volumeDir(v.name), Destination: v.destination, Driver: 'local', Mode: '', Options: opts, RW: rw, Propagation: 'rprivate' });
    binds.push(`${v.name}:${v.destination}:${[rw ? 'rw' : 'ro', 'rprivate', ...opts].join(',')}`);
  }
  return { mounts, binds };
}

function securityOpts(config: ContainerConfig): string[] {
  const out: string[] = [];
  if (config.noNewPrivileges) out.push('no-new-privileges');
  if (config.seccompProfilePath) out.push(`seccomp=${config.seccompProfilePath}`);
  for (const m of config.mask ?? []) out.push(`mask=${m}`);
  for (const m of config.unmask ?? []) out.push(`unmask=${m}`);
  return out;
}

function nsMode(m: string | undefined): string {
  return m === 'host' ? 'host' : 'private';
}

/** The entrypoint the container runs with: the user's (`--entrypoint`), else the image's. */
function entrypointOf(config: ContainerConfig, image: ImageConfig | undefined): string[] {
  if (config.entrypoint !== undefined) return config.entrypoint.filter((a, i, all) => !(all.length === 1 && a === ''));
  return image?.config?.Entrypoint ?? [];
}

/** Podman's InspectContainerData for one container. Pure: every fact comes in `f`. */
export function inspectContainerData(rec: ContainerRecord, f: InspectFacts): Record<string, unknown> {
  const config = rec.createOptions as unknown as ContainerConfig;
  const img = f.image?.config;
  const s = f.state;
  const running = s.status === 'running' || s.status === 'stopping';
  const args = f.spec?.process?.args ?? rec.command;
  const hostname = config.hostname ?? rec.id.slice(0, 12);
  const user = config.user ?? img?.User ?? '';
  const env = f.spec?.process?.env ?? processEnv(config, img, user === '' || user === 'root' || user.startsWith('0') ? '/root' : '/', hostname);
  const entrypoint = entrypointOf(config, f.image);
  // --init runs the command under catatonit: the command the user gave follows its `--`
  const userArgs = config.init && rec.command[0] === CONTAINER_INIT_PATH && rec.command[1] === '--' ? rec.command.slice(2) : rec.command;
  const cmd = userArgs.slice(0, entrypoint.length).join('\0') === entrypoint.join('\0') ? userArgs.slice(entrypoint.length) : userArgs;
  const caps = f.spec?.process?.capabilities;
  const effective = caps?.effective ?? (config.privileged ? [...ALL_CAPABILITIES] : mergeCapabilities(DEFAULT_CAPABILITIES, config.capAdd ?? [], config.capDrop ?? [], [...ALL_CAPABILITIES]));
  const bounding = caps?.bounding ?? effective;
  const { mounts, binds } = mountsOf(config, f.volumeDir);
  const tmpfs: Record<string, string> = {};
  for (const m of config.mounts ?? []) if (m.type === 'tmpfs') tmpfs[m.destination] = m.options.join(',');
  const rlimits = f.spec?.process?.rlimits ?? (config.rlimits ?? []).map((r) => ({ type: r.type, soft: r.soft, hard: r.hard }));
  const volumes: Record<string, object> = {};
  for (const v of config.volumes ?? []) volumes[v.destination] = {};
  for (const m of config.mounts ?? []) if (m.type === 'bind') volumes[m.destination] = {};
  const lower = f.layerDirs.join(':');

  const out: Record<string, unknown> = {
    Id: rec.id,
    Created: rec.created,
    Path: args[0] ?? '',
    Args: args.slice(1),
    State: {
      OciVersion: f.spec?.ociVersion ?? '',
      Status: statusName(s.status),
      Running: running,
      Paused: false,
      Restarting: false,
      OOMKilled: false,
      Dead: false,
      Pid: running ? (s.pid ?? 0) : 0,
      ...(running && s.conmonPid ? { ConmonPid: s.conmonPid } : {}),
      ExitCode: s.exitCode ?? 0,
      Error: s.error ?? '',
      StartedAt: s.startedAt ?? ZERO_TIME,
      FinishedAt: s.finishedAt ?? ZERO_TIME,
      Health: { Status: '', FailingStreak: 0, Log: null },
      CheckpointedAt: ZERO_TIME,
      RestoredAt: ZERO_TIME,
    },
    Image: rec.imageId,
    ImageDigest: f.imageDigest,
    ImageName: rec.imageName,
    Rootfs: '',
    Pod: '',
    ResolvConfPath: f.files.resolv,
    HostnamePath: f.files.hostname,
    HostsPath: f.files.hosts,
    StaticDir: f.files.userdata,
    OCIConfigPath: f.files.config,
    OCIRuntime: f.runtimeName,
    ConmonPidFile: f.files.conmonPid,
    PidFile: f.files.pidFile,
    Name: rec.name,
    RestartCount: s.restartCount ?? 0,
    Driver: 'overlay',
    MountLabel: '',
    ProcessLabel: '',
    AppArmorProfile: '',
    EffectiveCaps: effective,
    BoundingCaps: bounding,
    ExecIDs: f.execIds ?? [],
    GraphDriver: {
      Name: 'overlay',
      Data: { ...(lower ? { LowerDir: lower } : {}), MergedDir: f.files.merged, UpperDir: f.files.upper, WorkDir: f.files.work },
    },
    ...(f.size ? { SizeRw: f.size.rw, SizeRootFs: f.size.rootfs } : {}),
    Mounts: mounts,
    Dependencies: [],
    NetworkSettings: networkSettings(f.network),
    Namespace: '',
    IsInfra: false,
    IsService: false,
    Config: {
      Hostname: hostname,
      Domainname: '',
      User: user,
      AttachStdin: false,
      AttachStdout: false,
      AttachStderr: false,
      Tty: rec.tty,
      OpenStdin: rec.stdin,
      StdinOnce: false,
      Env: env,
      Cmd: cmd,
      Image: rec.imageName,
      Volumes: Object.keys(volumes).length ? volumes : null,
      WorkingDir: f.spec?.process?.cwd ?? config.workdir ?? (img?.WorkingDir || '/'),
      Entrypoint: entrypoint.join(' '),
      OnBuild: null,
      Labels: rec.labels,
      Annotations: f.spec?.annotations ?? config.annotations ?? {},
      StopSignal: rec.stopSignal,
      // omitempty in Podman: absent for containers not created by our CLI
      ...(rec.createCommand?.length ? { CreateCommand: rec.createCommand } : {}),
      Umask: (config.umask ?? 0o22).toString(8).padStart(4, '0'),
      Timeout: 0,
      StopTimeout: rec.stopTimeout,
    },
    HostConfig: {
      Binds: binds,
      CgroupManager: 'cgroupfs',
      CgroupMode: nsMode(config.cgroupns),
      ContainerIDFile: '',
      LogConfig: { Type: 'k8s-file', Config: null, Path: f.files.log, Tag: '', Size: '0B' },
      NetworkMode: networkModeOf(rec, config),
      PortBindings: portBindingsOf(rec),
      RestartPolicy: { Name: '', MaximumRetryCount: 0 },
      AutoRemove: rec.autoRemove,
      VolumeDriver: '',
      VolumesFrom: null,
      CapAdd: config.capAdd ?? [],
      CapDrop: config.capDrop ?? [],
      Dns: [],
      DnsOptions: [],
      DnsSearch: [],
      ExtraHosts: [],
      GroupAdd: config.groupAdd ?? [],
      IpcMode: nsMode(config.ipc),
      Cgroup: '',
      Cgroups: 'default',
      Links: null,
      OomScoreAdj: 0,
      PidMode: nsMode(config.pid),
      Privileged: !!config.privileged,
      PublishAllPorts: !!config.publishAll,
      ReadonlyRootfs: !!config.readOnly,
      SecurityOpt: securityOpts(config),
      Tmpfs: tmpfs,
      UTSMode: nsMode(config.uts),
      UsernsMode: '',
      ShmSize: config.shmSize ?? 0,
      Runtime: 'oci',
      ConsoleSize: [0, 0],
      Isolation: '',
      CpuShares: 0,
      Memory: 0,
      NanoCpus: 0,
      CgroupParent: '',
      BlkioWeight: 0,
      BlkioWeightDevice: null,
      BlkioDeviceReadBps: null,
      BlkioDeviceWriteBps: null,
      BlkioDeviceReadIOps: null,
      BlkioDeviceWriteIOps: null,
      CpuPeriod: 0,
      CpuQuota: 0,
      CpuRealtimePeriod: 0,
      CpuRealtimeRuntime: 0,
      CpusetCpus: '',
      CpusetMems: '',
      Devices: [],
      DiskQuota: 0,
      KernelMemory: 0,
      MemoryReservation: 0,
      MemorySwap: 0,
      MemorySwappiness: 0,
      OomKillDisable: false,
      ...(config.init ? { Init: true } : {}),
      PidsLimit: 0,
      Ulimits: rlimits.map((r) => ({ Name: r.type, Soft: rlimitValue(r.soft), Hard: rlimitValue(r.hard) })),
      CpuCount: 0,
      CpuPercent: 0,
      IOMaximumIOps: 0,
      IOMaximumBandwidth: 0,
      CgroupConf: null,
    },
  };
  return out;
}

function readSpec(path: string): SpecView | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as SpecView;
  } catch {
    return undefined;
  }
}

/** Gather the facts for one container and build its inspect data. */
export async function inspectContainer(ctx: ContainerContext, rec: ContainerRecord, o: { size?: boolean } = {}): Promise<Record<string, unknown>> {
  const { Store, treeSize } = await import('../storage/store.js');
  const store = Store.open(ctx.paths);
  const files = containerFiles(ctx, rec.id);
  const image = store.findImage(rec.imageId);
  const imageConfig = image ? store.imageConfig(image) : undefined;
  let runtimeName = rec.runtime ? basename(rec.runtime) : '';
  if (!runtimeName) {
    const { selectRuntime } = await import('./adapters.js');
    runtimeName = await selectRuntime(ctx, rec.runtime).then((r) => basename(r.path)).catch(() => '');
  }
  let size: InspectFacts['size'];
  if (o.size) {
    const rw = treeSize(files.upper);
    size = { rw, rootfs: rw + rec.layers.reduce((n, l) => n + (store.layerInfo(l)?.size ?? 0), 0) };
  }
  return inspectContainerData(rec, {
    state: currentState(ctx.containers, rec),
    spec: readSpec(files.config),
    image: imageConfig,
    imageDigest: image?.digest ?? '',
    files,
    layerDirs: [...rec.layers].reverse().map((l) => store.layerDiffDir(l)),
    runtimeName,
    volumeDir: (name) => join(ctx.paths.storageRoot, 'volumes', name, '_data'),
    size,
    network: readNetworkState(ctx, rec.id),
    execIds: liveExecSessions(files.userdata),
  });
}
