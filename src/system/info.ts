import { DEFAULT_CAPABILITIES } from '../runtime/spec/security.js';
import { existsSync, readFileSync, readdirSync, statfsSync } from 'node:fs';
import { availableParallelism, homedir, hostname, release } from 'node:os';
import { join } from 'node:path';
import { type PathOverrides, type StorePaths, hostUid, isRootless, resolvePaths } from '../config/paths.js';
import { type IdMapping, namespaceMappings } from '../rootless/idmap.js';
import { readSubIdRanges, subIdFilePath } from '../rootless/subid.js';
import { hostGid } from '../rootless/userns.js';
import { describePrograms } from './binaries.js';
import { cgroupsInfo } from './cgroups.js';
import { defaultNetworkHelper } from './checks/programs.js';
import { existingAncestor, fsTypeOf, formatUptime, readMemInfo, readOsRelease, readSysValue, readUptimeSeconds, userNameOf } from './host.js';
import { hostPlatform } from './platform.js';
import { type VersionInfo, versionInfo } from './version.js';

/**
 * `tsc-ctr info`: Podman's `podman info` document (libpod/define/info.go), filled with what is
 * true for tsc-ctr. JSON keys are Podman's; the Go-template view (Go field names) is built by
 * info-text.ts. Fields Podman has and tsc-ctr has no equivalent for (buildahVersion,
 * remoteSocket, databaseBackend, networkBackendInfo) are left out.
 */

export interface IdMap {
  container_id: number;
  host_id: number;
  size: number;
}

export interface ProgramInfo {
  package: string;
  path: string;
  version: string;
}

export interface HelperInfo {
  executable: string;
  package: string;
  version: string;
}

export interface HostInfo {
  arch: string;
  cgroupManager: 'cgroupfs';
  cgroupVersion: 'v1' | 'v2';
  cgroupControllers: string[];
  conmon: ProgramInfo;
  cpus: number;
  distribution: { distribution: string; variant?: string; version: string; codename?: string };
  eventLogger: 'file';
  hostname: string;
  idMappings: { gidmap: IdMap[]; uidmap: IdMap[] };
  kernel: string;
  logDriver: 'k8s-file';
  memFree: number;
  memTotal: number;
  networkBackend: string;
  ociRuntime: ProgramInfo & { name: string };
  os: 'linux';
  rootlessNetworkCmd: string;
  security: {
    apparmorEnabled: boolean;
    capabilities: string;
    rootless: boolean;
    seccompEnabled: boolean;
    seccompProfilePath: string;
    selinuxEnabled: boolean;
  };
  serviceIsRemote: false;
  slirp4netns: HelperInfo;
  pasta: HelperInfo;
  swapFree: number;
  swapTotal: number;
  uptime: string;
  variant: string;
}

export interface StoreInfo {
  configFile: string;
  containerStore: { number: number; paused: number; running: number; stopped: number };
  graphDriverName: string;
  graphOptions: Record<string, unknown>;
  graphRoot: string;
  graphRootAllocated: number;
  graphRootUsed: number;
  graphStatus: Record<string, string>;
  imageCopyTmpDir: string;
  imageStore: { number: number };
  runRoot: string;
  volumePath: string;
  transientStore: false;
}

export interface Info {
  host: HostInfo;
  store: StoreInfo;
  registries: { search: string[] };
  plugins: { volume: string[]; network: string[]; log: string[]; authorization: null };
  version: VersionInfo['Client'];
}

export interface InfoOptions extends PathOverrides {
  /** --runtime */
  runtime?: string | undefined;
  env?: NodeJS.ProcessEnv;
}


/** Podman's idMappings: 0 → own id (size 1), then the subordinate ranges back to back. Rootful: none. */
export function idMappings(rootless: boolean, uid: number, gid: number, uidRanges: { start: number; count: number }[], gidRanges: { start: number; count: number }[]): HostInfo['idMappings'] {
  const conv = (m: IdMapping[]): IdMap[] => m.map((x) => ({ container_id: x.containerId, host_id: x.hostId, size: x.size }));
  if (!rootless) return { gidmap: [], uidmap: [] };
  return { gidmap: conv(namespaceMappings(gid, gidRanges)), uidmap: conv(namespaceMappings(uid, uidRanges)) };
}

/** Podman's `podman info` version text for a helper: multi-line `--version` output, conmon's joined with ", ". */
function joinLines(v: string): string {
  return v.split('\n').map((l) => l.trim()).filter(Boolean).join(', ');
}

/** registries.conf files in the order containers/image reads them (PODMAN-NOTES.md §6.3). */
export function registriesConfFiles(env: NodeJS.ProcessEnv = process.env): string[] {
  if (env.CONTAINERS_REGISTRIES_CONF) return [env.CONTAINERS_REGISTRIES_CONF];
  const configHome = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config');
  const userMain = join(configHome, 'containers', 'registries.conf');
  const dropIns = (dir: string) => {
    try {
      return readdirSync(dir)
        .filter((f) => f.endsWith('.conf'))
        .sort()
        .map((f) => join(dir, f));
    } catch {
      return [];
    }
  };
  const userD = dropIns(join(configHome, 'containers', 'registries.conf.d'));
  if (existsSync(userMain)) return [userMain, ...userD];
  return ['/etc/containers/registries.conf', ...dropIns('/etc/containers/registries.conf.d'), ...userD];
}

/**
 * unqualified-search-registries, the last file that sets it winning. Deliberately minimal: the
 * full resolver (aliases, mirrors, insecure) is src/registry/registries-conf.ts.
 */
export async function searchRegistries(env: NodeJS.ProcessEnv = process.env): Promise<string[]> {
  const { parse } = await import('smol-toml');
  let search: string[] = [];
  for (const f of registriesConfFiles(env)) {
    let text: string;
    try {
      text = readFileSync(f, 'utf8');
    } catch {
      continue;
    }
    try {
      const doc = parse(text) as Record<string, unknown>;
      const v = doc['unqualified-search-registries'];
      if (Array.isArray(v)) search = v.filter((x): x is string => typeof x === 'string');
    } catch {
      /* a broken file is reported by the commands that resolve names */
    }
  }
  return search;
}

/** Count images in <storageRoot>/images.json, whatever shape the image store settles on. */
export function countImages(storageRoot: string): number {
  try {
    const j = JSON.parse(readFileSync(join(storageRoot, 'images.json'), 'utf8')) as unknown;
    if (Array.isArray(j)) return j.length;
    if (j && typeof j === 'object') {
      const inner = (j as Record<string, unknown>).images;
      if (Array.isArray(inner)) return inner.length;
      if (inner && typeof inner === 'object') return Object.keys(inner).length;
      return Object.keys(j).length;
    }
  } catch {
    /* no images yet */
  }
  return 0;
}

async function containerCounts(paths: StorePaths): Promise<StoreInfo['containerStore']> {
  const { ContainerStore } = await import('../storage/containers.js');
  const all = new ContainerStore(paths).list();
  const running = all.filter((c) => c.state.status === 'running').length;
  return { number: all.length, paused: 0, running, stopped: all.length - running };
}

function fsStats(path: string): { allocated: number; used: number } {
  try {
    const s = statfsSync(existingAncestor(path));
    return { allocated: Number(s.blocks) * Number(s.bsize), used: (Number(s.blocks) - Number(s.bfree)) * Number(s.bsize) };
  } catch {
    return { allocated: 0, used: 0 };
  }
}

/** Podman's "Backing Filesystem" names. */
function backingFs(fsType: string): string {
  return /^ext[234]$/.test(fsType) ? 'extfs' : fsType;
}

/**
 * Everything `info` prints. Probe results (runtime, overlay) and helper versions come from the
 * run root's caches, so with a warm cache this starts no container and no helper.
 */
export async function systemInfo(opts: InfoOptions = {}): Promise<Info> {
  const env = opts.env ?? process.env;
  const rootless = isRootless(env);
  const uid = hostUid(env);
  const gid = hostGid(env);
  const paths = resolvePaths({ root: opts.root, runroot: opts.runroot }, env);
  const pathEnv = env.PATH;
  const { chooseRuntime, installedRuntimes } = await import('../runtime/probe.js');

  const [runtime, storage, search, containers] = await Promise.all([
    chooseRuntime(opts.runtime, { paths, pathEnv }).catch(() => {
      const first = installedRuntimes(pathEnv)[0];
      return first ? { ...first, reason: 'no runtime could start a container here' } : undefined;
    }),
    import('../storage/driver.js').then((d) => d.describeStoreDriver({ paths, rootless, pathEnv, env })),
    searchRegistries(env),
    containerCounts(paths),
  ]);

  const progs = describePrograms(
    ['conmon', 'pasta', 'slirp4netns', 'fuse-overlayfs', ...(runtime ? [runtime.path] : [])],
    { cacheDir: paths.runRoot, pathEnv },
  );
  const rt = runtime ? progs[runtime.path] : undefined;
  const helper = (name: 'pasta' | 'slirp4netns'): HelperInfo => {
    const p = progs[name];
    if (!p) return { executable: '', package: '', version: '' };
    return { executable: p.path, package: p.package, version: name === 'pasta' ? (p.version.split('\n')[0] ?? '') : p.version };
  };
  // the helper measured fastest here (src/net/choose.ts), as `run` will use it by default
  const net = (await (await import('../net/choose.js')).measuredDefaultHelper(paths, !rootless)) ?? defaultNetworkHelper(pathEnv) ?? '';
  const cg = cgroupsInfo({ rootless, uid });
  const os = readOsRelease();
  const mem = readMemInfo();
  const who = { name: userNameOf(uid, env), uid };
  const plat = hostPlatform();

  const host: HostInfo = {
    arch: plat.architecture,
    cgroupManager: 'cgroupfs',
    cgroupVersion: cg.version,
    cgroupControllers: cg.controllers,
    conmon: { package: progs.conmon?.package ?? '', path: progs.conmon?.path ?? '', version: joinLines(progs.conmon?.version ?? '') },
    cpus: availableParallelism(),
    distribution: {
      distribution: os.id,
      ...(os.variantId ? { variant: os.variantId } : {}),
      version: os.versionId,
      ...(os.codename ? { codename: os.codename } : {}),
    },
    eventLogger: 'file',
    hostname: hostname(),
    idMappings: idMappings(
      rootless,
      uid,
      gid,
      rootless ? readSubIdRanges('uid', who, subIdFilePath('uid', env)) : [],
      rootless ? readSubIdRanges('gid', who, subIdFilePath('gid', env)) : [],
    ),
    kernel: release(),
    logDriver: 'k8s-file',
    memFree: mem.memFree,
    memTotal: mem.memTotal,
    networkBackend: net,
    ociRuntime: { name: runtime?.name ?? '', package: rt?.package ?? '', path: runtime?.path ?? '', version: rt?.version ?? '' },
    os: 'linux',
    rootlessNetworkCmd: net,
    security: {
      apparmorEnabled: readSysValue('/sys/module/apparmor/parameters/enabled') === 'Y',
      capabilities: DEFAULT_CAPABILITIES.join(','),
      rootless,
      seccompEnabled: /^Seccomp:/m.test(readSysValue('/proc/self/status') ?? ''),
      seccompProfilePath: '',
      selinuxEnabled: existsSync('/sys/fs/selinux/enforce'),
    },
    serviceIsRemote: false,
    slirp4netns: helper('slirp4netns'),
    pasta: helper('pasta'),
    swapFree: mem.swapFree,
    swapTotal: mem.swapTotal,
    uptime: formatUptime(readUptimeSeconds()),
    variant: plat.variant ?? '',
  };

  const fs = fsStats(paths.storageRoot);
  const fsType = fsTypeOf(paths.storageRoot);
  const graphOptions: Record<string, unknown> = {};
  if (storage.driver === 'fuse-overlayfs') {
    const f = progs['fuse-overlayfs'];
    graphOptions['overlay.mount_program'] = { Executable: storage.mountProgram ?? f?.path ?? '', Package: f?.package ?? 'Unknown', Version: f?.version ?? '' };
  }
  const store: StoreInfo = {
    configFile: join(paths.configDir, 'storage.conf'),
    containerStore: containers,
    // Podman names fuse-overlayfs "overlay" with a mount_program option; vfs is its own driver.
    graphDriverName: storage.driver === 'vfs' ? 'vfs' : 'overlay',
    graphOptions,
    graphRoot: paths.storageRoot,
    graphRootAllocated: fs.allocated,
    graphRootUsed: fs.used,
    graphStatus:
      storage.driver === 'vfs'
        ? {}
        : {
            'Backing Filesystem': backingFs(fsType),
            'Native Overlay Diff': String(storage.driver === 'overlay'),
            'Supports d_type': 'true',
            'Using metacopy': 'false',
          },
    imageCopyTmpDir: env.TMPDIR || '/var/tmp',
    imageStore: { number: countImages(paths.storageRoot) },
    runRoot: paths.runRoot,
    volumePath: join(paths.storageRoot, 'volumes'),
    transientStore: false,
  };

  return {
    host,
    store,
    registries: { search },
    plugins: { volume: [], network: [], log: ['k8s-file'], authorization: null },
    version: versionInfo().Client,
  };
}
