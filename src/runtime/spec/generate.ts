/**
 * The OCI runtime config of one container, from its validated options, its image and facts about
 * the host: a pure function, so every rule has a table-driven test. The result matches what
 * rootless Podman 4 writes (PODMAN-NOTES §5), with the differences documented where they are made.
 */
import type { ImageRuntimeConfig } from '../../oci/image.js';
import { OCI_VERSION, type Linux, type Mount, type Process, type Spec } from '../../oci/runtime.js';
import { parseSignal } from '../../container/signals.js';
import { buildMounts, canMountSys } from './mounts.js';
import { containerHostname, namespaces } from './namespaces.js';
import { processArgs, processCwd, processEnv, processRlimits, processUser, userSpec } from './process.js';
import { convertSeccompProfile } from './seccomp.js';
import { kernelPathRules, processCapabilities, sysctls } from './security.js';
import type { SpecInput } from './types.js';

/** `io.container.manager`. Not Podman's `libpod`: tools that see that value (checkpointctl, OCI
 * hooks matching on it) go on to read libpod's own metadata, which tsc-ctr does not write. */
export const CONTAINER_MANAGER = 'tsc-ctr';

export interface GeneratedSpec {
  spec: Spec;
  /** Things the user may want to know (skipped groups, refused label capabilities…). */
  warnings: string[];
}

const bool = (b: boolean) => (b ? 'TRUE' : 'FALSE');

/** Stop signal number: --stop-signal, else the image's STOPSIGNAL, else SIGTERM. */
export function stopSignalOf(config: { stopSignal?: number | undefined }, image?: ImageRuntimeConfig): number {
  if (config.stopSignal !== undefined) return config.stopSignal;
  if (image?.StopSignal) return parseSignal(image.StopSignal);
  return 15;
}

/**
 * The rootfs propagation a shared or slave bind needs (libpod addRootPropagation): `shared` if any
 * mount wants shared propagation, else `slave` if any wants slave. Podman writes the recursive
 * names (`rshared`), which runc and crun accept but the spec's schema does not; Docker writes
 * these, and runc applies them to the container's root the same way.
 */
function rootPropagation(mounts: Mount[]): string | undefined {
  let p: string | undefined;
  for (const m of mounts) {
    for (const o of m.options ?? []) {
      if (o === 'shared' || o === 'rshared') return 'shared';
      if (o === 'slave' || o === 'rslave') p = 'slave';
    }
  }
  return p;
}

/** Build config.json. Throws UsageError/NotFoundError for what the inputs make impossible. */
export function generateSpec(input: SpecInput): GeneratedSpec {
  const { config, host, image } = input;
  const warnings: string[] = [];

  const { user, exec, home } = processUser(config, image, input.users ?? {}, host, warnings);
  const { hostname, inSpec } = containerHostname(config, host);
  const capabilities = processCapabilities(config, userSpec(config, image), host, warnings);

  const process: Process = {
    ...(config.tty ? { terminal: true } : {}),
    ...(config.tty && input.consoleSize ? { consoleSize: { ...input.consoleSize } } : {}),
    user,
    args: processArgs(config, image),
    env: processEnv(config, image, home, hostname),
    cwd: processCwd(config, image),
    capabilities,
  };
  const rlimits = processRlimits(config, host);
  if (rlimits) process.rlimits = rlimits;
  if (config.noNewPrivileges) process.noNewPrivileges = true;

  const mounts = buildMounts({
    config,
    host,
    imageVolumes: Object.keys(image?.Volumes ?? {}),
    volumeSources: input.volumeSources ?? {},
    uid: exec.uid,
    gid: exec.gid,
    initPath: config.initPath ?? host.initPath,
  });
  if (config.procOpts) {
    const proc = mounts.find((m) => m.destination === '/proc');
    if (proc) proc.options = [...config.procOpts];
  }

  const paths = kernelPathRules(config, host, !canMountSys(config, host), warnings);
  const linux: Linux = {
    namespaces: namespaces(config, host),
    ...(paths.maskedPaths.length ? { maskedPaths: paths.maskedPaths } : {}),
    ...(paths.readonlyPaths.length ? { readonlyPaths: paths.readonlyPaths } : {}),
  };
  const sysctl = sysctls(config);
  if (Object.keys(sysctl).length) linux.sysctl = sysctl;

  // Seccomp: none when unconfined, or privileged without an explicit profile; else the profile
  // the caller loaded (the default one, or --security-opt seccomp=FILE), if any.
  const explicit = config.seccompProfilePath !== undefined && config.seccompProfilePath !== 'unconfined';
  if (config.seccompProfilePath !== 'unconfined' && (!config.privileged || explicit) && host.seccompProfile) {
    const seccomp = convertSeccompProfile(host.seccompProfile, {
      arch: host.arch ?? globalThis.process.arch,
      boundingCaps: capabilities.bounding ?? [],
      kernel: host.kernel,
    });
    if (seccomp) linux.seccomp = seccomp;
  }

  if (host.cgroups.usable) {
    if (host.cgroups.path) linux.cgroupsPath = host.cgroups.path;
    linux.resources = {
      // Without a user namespace the device cgroup must deny by default (runc adds the standard devices back).
      ...(!host.rootless && !config.privileged ? { devices: [{ allow: false, access: 'rwm' }] } : {}),
      pids: { limit: 2048 },
    };
  }
  const propagation = rootPropagation(mounts);
  if (propagation) linux.rootfsPropagation = propagation;

  const annotations: Record<string, string> = { ...config.annotations };
  annotations['io.container.manager'] ??= CONTAINER_MANAGER;
  if (input.created) annotations['io.kubernetes.cri-o.Created'] = input.created;
  annotations['io.kubernetes.cri-o.TTY'] = String(config.tty);
  annotations['io.podman.annotations.autoremove'] = bool(config.autoRemove);
  annotations['io.podman.annotations.init'] = bool(config.init);
  annotations['io.podman.annotations.privileged'] = bool(config.privileged);
  annotations['io.podman.annotations.publish-all'] = bool(config.publishAll);
  annotations['org.opencontainers.image.stopSignal'] = String(stopSignalOf(config, image));

  const spec: Spec = {
    ociVersion: OCI_VERSION,
    process,
    root: { path: input.rootfs, ...(config.readOnly ? { readonly: true } : {}) },
    ...(inSpec ? { hostname } : {}),
    mounts,
    annotations,
    linux,
  };
  return { spec, warnings };
}
