/**
 * The network part of a container's recorded config (ContainerConfig.net), and what a started
 * container's network is (run dir network.json). Both JSON.
 */

export type NetworkKind = 'pasta' | 'slirp4netns' | 'none' | 'host' | 'container' | 'ns' | 'default' | 'bridge';
export type Protocol = 'tcp' | 'udp';

/** One `-p` mapping after range expansion is left to the helper: a range is kept whole. */
export interface PortMapping {
  /** '' = all addresses. */
  hostIp: string;
  /** 0 = chosen at start (a free port). */
  hostPort: number;
  containerPort: number;
  /** Number of consecutive ports (1 for a single port). */
  range: number;
  protocol: Protocol;
}

export interface NetworkRequest {
  kind: NetworkKind;
  /** `pasta:OPTS` / `slirp4netns:OPTS`, split on commas. */
  options: string[];
  /** container:NAME */
  container?: string;
  /** ns:PATH */
  path?: string;
  /** A user-defined network's name (kind bridge). */
  network?: string;
  ports: PortMapping[];
  publishAll: boolean;
  dns: string[];
  dnsSearch: string[];
  dnsOptions: string[];
  /** --add-host name:ip (ip may be `host-gateway`). */
  addHosts: { name: string; ip: string }[];
}

/** What start set up (runDir/network.json); read by cleanup, `port` and `inspect`. */
export interface NetworkState {
  kind: NetworkKind;
  /** The bind-mounted namespace file we created (removed by cleanup), if any. */
  netnsPath?: string;
  /** The namespace the container joins (ours, another container's, or ns:PATH). */
  joinPath?: string;
  helper?: { name: 'pasta' | 'slirp4netns'; pid: number; apiSocket?: string };
  /** kind bridge: the network and our end of the veth pair in the shared namespace. */
  network?: string;
  veth?: string;
  ip?: string;
  gateway?: string;
  /** Published ports as actually bound (random host ports resolved). */
  ports: PortMapping[];
}

export const SLIRP_DEFAULT_CIDR = '10.0.2.0/24';
/** Podman's address for pasta's DNS forwarder. */
export const PASTA_DNS = '169.254.1.1';
