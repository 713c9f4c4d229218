/**
 * Namespaces and hostname (Podman's pkg/specgen/generate/namespaces_linux.go). No user namespace
 * in the spec: rootless containers share the one tsc-ctr's pause process holds.
 */
import type { LinuxNamespace } from '../../oci/runtime.js';
import type { ContainerConfig, HostFacts } from './types.js';

/** In the order Podman writes them: pid, network, ipc, uts, mount, then cgroup. */
export function namespaces(config: ContainerConfig, host: HostFacts): LinuxNamespace[] {
  const out: LinuxNamespace[] = [];
  if (config.pid === 'private') out.push({ type: 'pid' });
  if (config.network !== 'host' && host.netnsPath) out.push({ type: 'network', path: host.netnsPath });
  else if (config.network !== 'host') out.push({ type: 'network' }); // none: a new, empty namespace (loopback only)
  if (config.ipc === 'private') out.push({ type: 'ipc' });
  if (config.uts === 'private') out.push({ type: 'uts' });
  out.push({ type: 'mount' });
  // A private cgroup namespace is Podman's default on cgroup v2 only.
  const cgroupns = config.cgroupns ?? (host.cgroups.version === 2 ? 'private' : 'host');
  if (cgroupns === 'private') out.push({ type: 'cgroup' });
  return out;
}

/**
 * The container's hostname: --hostname, else the host's when sharing its UTS or network
 * namespace, else the 12-character container id. `inSpec` is false when the host's UTS namespace
 * is shared and no name was asked for: the runtime must not set one then.
 */
export function containerHostname(config: ContainerConfig, host: HostFacts): { hostname: string; inSpec: boolean } {
  if (config.hostname) return { hostname: config.hostname, inSpec: true };
  if (config.uts === 'host') return { hostname: host.hostHostname, inSpec: false };
  if (config.network === 'host') return { hostname: host.hostHostname, inSpec: true };
  return { hostname: host.containerId.slice(0, 12), inSpec: true };
}
