/**
 * A started container's network in the shapes other commands print: `inspect`'s NetworkSettings
 * and `ps`'s Ports (PODMAN-NOTES.md §7). Pure, over the state setup.ts records
 * (readNetworkState(ctx, id)); undefined state = not running.
 */
import type { NetworkState } from './types.js';

export interface PsPort {
  host_ip: string;
  container_port: number;
  host_port: number;
  range: number;
  protocol: string;
}

/** `ps --format json` Ports: null when none, as Podman prints it. */
export function psPorts(state: NetworkState | undefined): PsPort[] | null {
  const ports = state?.ports ?? [];
  if (!ports.length) return null;
  return ports.map((p) => ({ host_ip: p.hostIp, container_port: p.containerPort, host_port: p.hostPort, range: p.range, protocol: p.protocol }));
}

/** `ps` PORTS column: `127.0.0.1:8080->80/tcp, 0.0.0.0:9000-9001->90-91/udp`. */
export function psPortsText(state: NetworkState | undefined): string {
  return portsText(psPorts(state));
}

/** The PORTS column from `ps --format json`'s Ports. */
export function portsText(ports: PsPort[] | null): string {
  return (ports ?? [])
    .map((p) => {
      const span = (s: number) => (p.range > 1 ? `${s}-${s + p.range - 1}` : `${s}`);
      return `${p.host_ip || '0.0.0.0'}:${span(p.host_port)}->${span(p.container_port)}/${p.protocol}`;
    })
    .join(', ');
}

export interface NetworkSettings {
  EndpointID: string;
  Gateway: string;
  IPAddress: string;
  IPPrefixLen: number;
  IPv6Gateway: string;
  GlobalIPv6Address: string;
  GlobalIPv6PrefixLen: number;
  MacAddress: string;
  Bridge: string;
  SandboxID: string;
  HairpinMode: boolean;
  LinkLocalIPv6Address: string;
  LinkLocalIPv6PrefixLen: number;
  Ports: Record<string, { HostIp: string; HostPort: string }[] | null>;
  SandboxKey: string;
}

/**
 * `inspect` NetworkSettings. Like Podman with slirp4netns/pasta, the addresses are left empty
 * unless the container is on a user-defined network (Podman only reports those).
 */
export function networkSettings(state: NetworkState | undefined, prefixLen = 24): NetworkSettings {
  const ports: NetworkSettings['Ports'] = {};
  for (const p of state?.ports ?? []) {
    for (let i = 0; i < p.range; i++) {
      const key = `${p.containerPort + i}/${p.protocol}`;
      (ports[key] ??= []).push({ HostIp: p.hostIp, HostPort: String(p.hostPort + i) });
    }
  }
  const bridge = state?.kind === 'bridge';
  return {
    EndpointID: '',
    Gateway: bridge ? (state.gateway ?? '') : '',
    IPAddress: bridge ? (state.ip ?? '') : '',
    IPPrefixLen: bridge && state.ip ? prefixLen : 0,
    IPv6Gateway: '',
    GlobalIPv6Address: '',
    GlobalIPv6PrefixLen: 0,
    MacAddress: '',
    Bridge: '',
    SandboxID: '',
    HairpinMode: false,
    LinkLocalIPv6Address: '',
    LinkLocalIPv6PrefixLen: 0,
    Ports: ports,
    SandboxKey: state?.joinPath ?? '',
  };
}
