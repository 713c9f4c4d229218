/**
 * The spec's mount list (start time): the default kernel filesystems, the user's mounts and
 * volumes, the files tsc-ctr binds in (/etc/resolv.conf, /etc/hosts, /run/.containerenv,
 * /etc/hostname, /dev/shm), sorted so that a parent is always mounted before what lies under it.
 * Rules from Podman's pkg/specgen/generate/{oci_linux,storage}.go, libpod's generateSpec and
 * pkg/util/mount_opts.go. The flags themselves are parsed in mount-flags.ts.
 */
import { posix } from 'node:path';
import { UsageError } from '../../errors.js';
import type { Mount } from '../../oci/runtime.js';
import { PROPAGATION, cleanContainerPath } from './mount-flags.js';
import type { ContainerConfig, HostFacts, MountRequest, SourceMountFlags, VolumeRequest } from './types.js';

/** Where `--init` puts the init binary in the container (Podman's path, which its docs name). */
export const CONTAINER_INIT_PATH = '/run/podman-init';

/**
 * Complete a bind or tmpfs mount's options (Podman's ProcessOptions): each kind at most once;
 * defaults `rw`, `rprivate` (`private` for a non-recursive `bind`), the source filesystem's
 * nosuid/nodev/noexec for binds (a rootless bind cannot clear them), nosuid+nodev for tmpfs,
 * `tmpcopyup` for tmpfs, `rbind` for binds.
 */
export function processMountOptions(options: string[], isTmpfs: boolean, sourceFlags?: SourceMountFlags): string[] {
  const found = new Set<string>();
  const once = (group: string, msg: string) => {
    if (found.has(group)) throw new UsageError(msg);
    found.add(group);
  };
  const onlyTmpfs = (k: string) => {
    if (!isTmpfs) throw new UsageError(`the '${k}' option is only allowed with tmpfs mounts`);
  };
  let recursive = true;
  const out: string[] = [];
  for (const opt of options) {
    const key = opt.split('=', 1)[0]!;
    switch (key) {
      case 'exec':
      case 'noexec':
        once('exec', "only one of 'noexec' and 'exec' can be used");
        break;
      case 'suid':
      case 'nosuid':
        once('suid', "only one of 'nosuid' and 'suid' can be used");
        break;
      case 'dev':
      case 'nodev':
        once('dev', "only one of 'nodev' and 'dev' can be used");
        break;
      case 'rw':
      case 'ro':
        once('rw', "only one of 'rw' and 'ro' can be used");
        break;
      case 'size':
        onlyTmpfs(key);
        once('size', 'only one tmpfs size can be specified');
        break;
      case 'mode':
        onlyTmpfs(key);
        once('mode', 'only one tmpfs mode can be specified');
        break;
      case 'noatime':
        onlyTmpfs(key);
        break;
      case 'tmpcopyup':
        onlyTmpfs(key);
        once('copyup', "the 'tmpcopyup' or 'notmpcopyup' option can only be set once");
        break;
      case 'notmpcopyup':
        onlyTmpfs(key);
        once('copyup', "the 'tmpcopyup' or 'notmpcopyup' option can only be set once");
        continue; // not for the runtime
      case 'bind':
      case 'rbind':
        if (isTmpfs) throw new UsageError("the 'bind' and 'rbind' options are not allowed with tmpfs mounts");
        once('bind', "only one of 'rbind' and 'bind' can be used");
        if (key === 'bind') recursive = false;
        break;
      case 'z':
      case 'Z':
        if (isTmpfs) throw new UsageError("the 'z' and 'Z' options are not allowed with tmpfs mounts");
        once('label', "only one of 'z' and 'Z' can be used");
        break;
      case 'U':
        once('U', "the 'U' option can only be set once");
        break;
      case 'copy':
      case 'nocopy':
        once('copy', "only one of 'nocopy' and 'copy' can be used");
        break;
      case 'consistency':
        continue;
      default:
        if (PROPAGATION.includes(key)) {
          once('propagation', 'only one root propagation mode can be used');
          break;
        }
        throw new UsageError(`unknown mount option "${opt}"`);
    }
    out.push(opt);
  }
  if (!found.has('rw')) out.push('rw');
  if (!found.has('propagation')) out.push(recursive ? 'rprivate' : 'private');
  const defaults = isTmpfs ? { noexec: false, nosuid: true, nodev: true } : (sourceFlags ?? {});
  if (!found.has('exec') && defaults.noexec) out.push('noexec');
  if (!found.has('suid') && defaults.nosuid) out.push('nosuid');
  if (!found.has('dev') && defaults.nodev) out.push('nodev');
  if (isTmpfs && !found.has('copyup')) out.push('tmpcopyup');
  if (!isTmpfs && !found.has('bind')) out.push('rbind');
  return out;
}

/** Strip what only tsc-ctr acts on (SELinux labels, volume copy-up) and turn tmpfs `U` into the user's ids. */
function runtimeOptions(options: string[], uid: number, gid: number): string[] {
  const out: string[] = [];
  for (const o of options) {
    if (o === 'z' || o === 'Z' || o === 'copy' || o === 'nocopy') continue;
    if (o === 'U') out.push(`uid=${uid}`, `gid=${gid}`);
    else out.push(o);
  }
  return out;
}

/** What decides the default mounts. */
export interface MountContext {
  config: ContainerConfig;
  host: HostFacts;
  /** VOLUMEs of the image (container paths). */
  imageVolumes: string[];
  /** Host paths of named/anonymous volumes by destination. */
  volumeSources: Record<string, string>;
  /** The container user's ids, for tmpfs `U`. */
  uid: number;
  gid: number;
  /** Resolved init binary path when --init. */
  initPath?: string | undefined;
}

/** Whether a fresh sysfs can be mounted: not rootless with the host's network namespace. */
export function canMountSys(config: ContainerConfig, host: HostFacts): boolean {
  return !(config.network === 'host' && host.rootless);
}

/** /sys/fs/cgroup read-write only on cgroup v2 with `unmask=ALL|/sys/fs/cgroup`, or privileged. */
function cgroupPermission(config: ContainerConfig, host: HostFacts): 'ro' | 'rw' {
  if (config.privileged && canMountSys(config, host)) return 'rw';
  if (host.cgroups.version !== 2) return 'ro';
  if (config.unmask[0]?.toUpperCase() === 'ALL') return 'rw';
  return config.unmask.some((p) => posix.normalize(p) === '/sys/fs/cgroup') ? 'rw' : 'ro';
}

/** The kernel filesystems every container gets, adjusted for rootless and host namespaces. */
export function defaultMounts(config: ContainerConfig, host: HostFacts): Mount[] {
  const inUserNS = host.rootless;
  const out: Mount[] = [];
  if (inUserNS && config.pid === 'host') {
    // A user namespace cannot mount a proc for a pid namespace it does not own.
    out.push({ destination: '/proc', type: 'bind', source: '/proc', options: ['rbind', 'nosuid', 'noexec', 'nodev'] });
  } else {
    out.push({ destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] });
  }
  const devOpts = ['nosuid', 'noexec', 'strictatime', 'mode=755', 'size=65536k'];
  if (config.readOnly && !config.readOnlyTmpfs) devOpts.push('ro');
  out.push({ destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: devOpts });
  // gid=5 (tty) must be mapped in the user namespace, else the devpts mount fails.
  const gid5 = !host.rootless || host.availableGids === undefined || host.availableGids >= 5;
  out.push({
    destination: '/dev/pts',
    type: 'devpts',
    source: 'devpts',
    options: gid5
      ? ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5']
      : ['rprivate', 'nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620'],
  });
  if (host.mqueue !== false) {
    if (inUserNS && config.ipc === 'host') {
      // A user namespace cannot mount mqueue for the host's IPC namespace: bind the host's, if any.
      if (host.hostDevMqueue !== false) {
        out.push({ destination: '/dev/mqueue', type: 'bind', source: '/dev/mqueue', options: ['bind', 'nosuid', 'noexec', 'nodev'] });
      }
    } else {
      out.push({ destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] });
    }
  }
  const sysOk = canMountSys(config, host);
  if (!sysOk) {
    // Rootless with the host's network namespace: sysfs belongs to that netns; bind the host's.
    out.push({ destination: '/sys', type: 'bind', source: '/sys', options: ['rprivate', 'nosuid', 'noexec', 'nodev', config.privileged ? 'rw' : 'ro', 'rbind'] });
  } else if (config.privileged) {
    out.push({ destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['rprivate', 'nosuid', 'noexec', 'nodev', 'rw'] });
  } else {
    out.push({ destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] });
  }
  if (sysOk) {
    out.push({
      destination: '/sys/fs/cgroup',
      type: 'cgroup',
      source: 'cgroup',
      options: ['rprivate', 'nosuid', 'noexec', 'nodev', 'relatime', cgroupPermission(config, host)],
    });
  }
  return out;
}

/** Path depth for ordering: parents (fewer components) first; equal depths keep their order. */
function depth(dest: string): number {
  const p = posix.normalize(dest).replace(/\/+$/, '');
  return p === '' ? 0 : (p.match(/\//g) ?? []).length;
}

/** Mounts ordered so no mount hides one made before it (a stable sort by depth). */
export function sortMounts(mounts: Mount[]): Mount[] {
  return mounts
    .map((m, i) => ({ m, i, d: depth(m.destination) }))
    .sort((a, b) => a.d - b.d || a.i - b.i)
    .map((x) => x.m);
}

/** The spec's `mounts`. Throws when a volume has no host path. */
export function buildMounts(ctx: MountContext): Mount[] {
  const { config, host } = ctx;
  // User mounts by destination; image VOLUMEs and the read-only tmpfs fill only free places.
  const user = new Map<string, { kind: 'mount'; m: MountRequest } | { kind: 'volume'; v: VolumeRequest }>();
  for (const m of config.mounts) user.set(m.destination, { kind: 'mount', m });
  for (const v of config.volumes) user.set(v.destination, { kind: 'volume', v });
  if (config.init) {
    if (!ctx.initPath) throw new UsageError('no path to init binary found but container requested an init');
    if (config.pid !== 'private') throw new UsageError("cannot add init binary as PID 1 (PID namespace isn't private)");
    if (user.has(CONTAINER_INIT_PATH)) throw new UsageError(`conflict with mount added by --init to "${CONTAINER_INIT_PATH}"`);
    user.set(CONTAINER_INIT_PATH, { kind: 'mount', m: { type: 'bind', destination: CONTAINER_INIT_PATH, source: ctx.initPath, options: ['bind', 'ro'] } });
  }
  for (const raw of ctx.imageVolumes) {
    const dest = cleanContainerPath(raw.startsWith('/') ? raw : `/${raw}`);
    if (user.has(dest) || config.imageVolumeMode === 'ignore') continue;
    const options = ['rprivate', 'rw', 'nodev', 'exec'];
    if (config.imageVolumeMode === 'tmpfs') user.set(dest, { kind: 'mount', m: { type: 'tmpfs', destination: dest, source: 'tmpfs', options } });
    else user.set(dest, { kind: 'volume', v: { destination: dest, options } });
  }
  if (config.readOnly && config.readOnlyTmpfs) {
    for (const dest of ['/tmp', '/var/tmp', '/run']) {
      if (!user.has(dest)) {
        user.set(dest, { kind: 'mount', m: { type: 'tmpfs', destination: dest, source: 'tmpfs', options: ['rw', 'rprivate', 'nosuid', 'nodev', 'tmpcopyup'] } });
      }
    }
  }

  const userMounts: Mount[] = [];
  const volumeMounts: Mount[] = [];
  for (const e of user.values()) {
    if (e.kind === 'mount') {
      const m = e.m;
      const isTmpfs = m.type === 'tmpfs';
      const opts = runtimeOptions(processMountOptions(m.options, isTmpfs, isTmpfs ? undefined : host.sourceMountFlags?.[m.source]), ctx.uid, ctx.gid);
      userMounts.push({ destination: m.destination, type: m.type, source: m.source, options: opts });
    } else {
      const v = e.v;
      const src = ctx.volumeSources[v.destination];
      if (!src) throw new UsageError(`no host directory for the ${v.name ? `volume "${v.name}"` : 'anonymous volume'} at "${v.destination}"`);
      // Volumes live in our storage: nosuid,nodev by default (Podman's ProcessOptions with no source).
      const opts = runtimeOptions(processMountOptions(v.options, false, { nosuid: true, nodev: true }), ctx.uid, ctx.gid);
      volumeMounts.push({ destination: v.destination, type: 'bind', source: src, options: opts });
    }
  }

  // Defaults that a user mount replaces; everything under /dev goes if the user mounts /dev.
  const userDests = new Set([...userMounts, ...volumeMounts].map((m) => m.destination));
  const defaults = defaultMounts(config, host).filter(
    (m) => !userDests.has(m.destination) && !(userDests.has('/dev') && m.destination.startsWith('/dev/')),
  );

  const binds: Mount[] = [];
  const files = host.files ?? {};
  const bindFile = (destination: string, source: string | undefined) => {
    if (!source || userDests.has(destination)) return;
    const options = ['bind', 'rprivate'];
    if (config.readOnly) options.push('ro', 'nosuid', 'noexec', 'nodev');
    binds.push({ destination, type: 'bind', source, options });
  };
  if (config.network !== 'none') bindFile('/etc/resolv.conf', files.resolvConf);
  bindFile('/etc/hosts', files.hosts);
  bindFile('/run/.containerenv', files.containerEnv);
  bindFile('/etc/hostname', files.hostname);
  if (!userDests.has('/dev/shm')) {
    if (config.ipc === 'host') {
      binds.push({ destination: '/dev/shm', type: 'bind', source: '/dev/shm', options: ['bind', 'rprivate', 'nosuid', 'noexec', 'nodev'] });
    } else if (files.shm) {
      binds.push({ destination: '/dev/shm', type: 'bind', source: files.shm, options: ['bind', 'rprivate', 'nosuid', 'noexec', 'nodev'] });
    } else {
      // No pre-mounted shm dir: the runtime mounts the tmpfs itself (size in KiB, as runc's default).
      const kib = Math.max(1, Math.ceil(config.shmSize / 1024));
      binds.push({ destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', `size=${kib}k`] });
    }
  }
  return sortMounts([...userMounts, ...defaults, ...volumeMounts, ...binds]);
}

/** The volumes a container needs at start (named and anonymous, image VOLUMEs included), for the caller to create. */
export function requiredVolumes(config: ContainerConfig, imageVolumes: string[]): VolumeRequest[] {
  const out = [...config.volumes];
  const dests = new Set([...config.mounts.map((m) => m.destination), ...config.volumes.map((v) => v.destination)]);
  if (config.imageVolumeMode === 'anonymous') {
    for (const raw of imageVolumes) {
      const dest = cleanContainerPath(raw.startsWith('/') ? raw : `/${raw}`);
      if (!dests.has(dest)) {
        dests.add(dest);
        out.push({ destination: dest, options: ['rprivate', 'rw', 'nodev', 'exec'] });
      }
    }
  }
  return out;
}
