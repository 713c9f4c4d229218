/**
 * `--network`, `-p/--publish`, `--add-host`, `--dns*` parsing: pure, run at `create` so bad
 * flags are reported before anything exists.
 */
import { isIP } from 'node:net';
import { UsageError } from '../errors.js';
import type { NetworkKind, NetworkRequest, PortMapping, Protocol } from './types.js';

const SLIRP_KEYS = new Set(['allow_host_loopback', 'cidr', 'enable_ipv6', 'mtu', 'outbound_addr', 'outbound_addr6', 'port_handler']);

export function parseNetworkFlag(v: string | undefined): Pick<NetworkRequest, 'kind' | 'options' | 'container' | 'path' | 'network'> {
  if (v === undefined || v === '' || v === 'default' || v === 'private' || v === 'bridge') return { kind: 'default', options: [] };
  if (v === 'none' || v === 'host') return { kind: v, options: [] };
  const i = v.indexOf(':');
  const kind = i < 0 ? v : v.slice(0, i);
  const rest = i < 0 ? '' : v.slice(i + 1);
  if (kind === 'container') {
    if (!rest) throw new UsageError('--network container: needs a container name or id (container:NAME)');
    return { kind: 'container', options: [], container: rest };
  }
  if (kind === 'ns') {
    if (!rest.startsWith('/')) throw new UsageError(`--network ns: needs an absolute path to a network namespace (ns:PATH), got "${rest}"`);
    return { kind: 'ns', options: [], path: rest };
  }
  if (kind === 'slirp4netns' || kind === 'pasta') {
    const options = rest ? rest.split(',').filter((o) => o !== '') : [];
    if (kind === 'slirp4netns') for (const o of options) validateSlirpOption(o);
    return { kind, options };
  }
  // anything else names a user-defined network (checked against the store at create)
  if (i < 0 && /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(v)) return { kind: 'bridge', options: [], network: v };
  throw new UsageError(`--network=${v} is not supported: use none, host, pasta[:OPTS], slirp4netns[:OPTS], container:NAME, ns:PATH or a network name`);
}

function validateSlirpOption(o: string): void {
  const eq = o.indexOf('=');
  const key = eq < 0 ? o : o.slice(0, eq);
  const val = eq < 0 ? '' : o.slice(eq + 1);
  if (!SLIRP_KEYS.has(key)) throw new UsageError(`unknown option for slirp4netns: "${o}"`);
  const bool = () => {
    if (val !== 'true' && val !== 'false') throw new UsageError(`slirp4netns option ${key} must be true or false, got "${val}"`);
  };
  switch (key) {
    case 'allow_host_loopback':
    case 'enable_ipv6':
      bool();
      break;
    case 'mtu':
      if (!/^\d+$/.test(val) || Number(val) < 68 || Number(val) > 65521) throw new UsageError(`slirp4netns option mtu must be a number between 68 and 65521, got "${val}"`);
      break;
    case 'cidr': {
      const [addr, bits] = val.split('/');
      if (isIP(addr ?? '') !== 4 || !/^\d+$/.test(bits ?? '') || Number(bits) > 25) throw new UsageError(`slirp4netns option cidr must be an IPv4 network with a prefix of at most /25, got "${val}"`);
      break;
    }
    case 'port_handler':
      if (val !== 'slirp4netns' && val !== 'rootlesskit') throw new UsageError(`unknown port_handler for slirp4netns: "${val}"`);
      if (val === 'rootlesskit') throw new UsageError('slirp4netns port_handler=rootlesskit is not supported: tsc-ctr has no rootlessport; use port_handler=slirp4netns');
      break;
    default:
      if (!val) throw new UsageError(`slirp4netns option ${key} needs a value`);
  }
}

/** The value of `key=value` among slirp4netns options, last one wins. */
export function slirpOption(options: string[], key: string): string | undefined {
  let out: string | undefined;
  for (const o of options) if (o.startsWith(`${key}=`)) out = o.slice(key.length + 1);
  return out;
}

function port(s: string, what: string, spec: string): number {
  if (!/^\d+$/.test(s)) throw new UsageError(`invalid ${what} "${s}" in --publish ${spec}`);
  const n = Number(s);
  if (n < 1 || n > 65535) throw new UsageError(`${what} ${n} out of range 1-65535 in --publish ${spec}`);
  return n;
}

function portRange(s: string, what: string, spec: string): { start: number; count: number } {
  const [a, b] = s.split('-');
  const start = port(a ?? '', what, spec);
  if (b === undefined) return { start, count: 1 };
  const end = port(b, what, spec);
  if (end < start) throw new UsageError(`invalid ${what} range "${s}" in --publish ${spec}: the end is below the start`);
  return { start, count: end - start + 1 };
}

/** `-p [ip:][hostPort:]containerPort[/tcp|udp]`, ports may be ranges (`8080-8081:80-81`). */
export function parsePublish(spec: string): PortMapping[] {
  let rest = spec;
  let protocols: Protocol[] = ['tcp'];
  const slash = rest.lastIndexOf('/');
  if (slash >= 0 && !rest.slice(slash).includes(']')) {
    const p = rest.slice(slash + 1).toLowerCase();
    const list = p.split(',');
    for (const x of list) if (x !== 'tcp' && x !== 'udp') throw new UsageError(`unknown protocol "${x}" in --publish ${spec}: use tcp or udp`);
    protocols = [...new Set(list)] as Protocol[];
    rest = rest.slice(0, slash);
  }
  let hostIp = '';
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close < 0 || rest[close + 1] !== ':') throw new UsageError(`invalid IPv6 address in --publish ${spec}`);
    hostIp = rest.slice(1, close);
    rest = rest.slice(close + 2);
    if (isIP(hostIp) !== 6) throw new UsageError(`invalid IP address "${hostIp}" in --publish ${spec}`);
  }
  const parts = rest.split(':');
  if (parts.length > 3 || (hostIp && parts.length > 2)) throw new UsageError(`invalid --publish ${spec}: use [ip:][hostPort:]containerPort[/protocol]`);
  if (parts.length === 3) {
    hostIp = parts.shift()!;
    if (hostIp !== '' && isIP(hostIp) === 0) throw new UsageError(`invalid IP address "${hostIp}" in --publish ${spec}`);
  }
  const ctr = portRange(parts.pop()!, 'container port', spec);
  const hostPart = parts.pop() ?? '';
  let hostPort = 0;
  if (hostPart !== '') {
    const h = portRange(hostPart, 'host port', spec);
    if (h.count !== ctr.count) throw new UsageError(`host and container port ranges differ in length in --publish ${spec}`);
    hostPort = h.start;
  }
  return protocols.map((protocol) => ({ hostIp, hostPort, containerPort: ctr.start, range: ctr.count, protocol }));
}

/** `--add-host name[;name2]:ip` (ip may be `host-gateway`). */
export function parseAddHost(v: string): { name: string; ip: string } {
  const i = v.indexOf(':');
  if (i <= 0) throw new UsageError(`invalid --add-host "${v}": use HOST:IP`);
  const name = v.slice(0, i);
  let ip = v.slice(i + 1);
  if (ip.startsWith('[') && ip.endsWith(']')) ip = ip.slice(1, -1);
  if (ip !== 'host-gateway' && isIP(ip) === 0) throw new UsageError(`invalid IP address "${ip}" in --add-host ${v}`);
  return { name: name.split(';').join(' '), ip };
}

export interface NetworkFlags {
  network?: string | undefined;
  publish?: string[] | undefined;
  publishAll?: boolean | undefined;
  dns?: string[] | undefined;
  dnsSearch?: string[] | undefined;
  dnsOption?: string[] | undefined;
  addHost?: string[] | undefined;
}

/** All network flags of `create`/`run` into the recorded request. */
export function parseNetworkRequest(f: NetworkFlags): NetworkRequest {
  const base = parseNetworkFlag(f.network);
  const ports = (f.publish ?? []).flatMap(parsePublish);
  const own: NetworkKind[] = ['default', 'pasta', 'slirp4netns'];
  if ((ports.length || f.publishAll) && !own.includes(base.kind)) {
    throw new UsageError(`cannot publish ports with --network ${f.network}: only pasta and slirp4netns forward ports here`);
  }
  for (const d of f.dns ?? []) if (d !== 'none' && isIP(d) === 0) throw new UsageError(`invalid --dns "${d}": not an IP address`);
  const noOwnFiles = base.kind === 'container';
  if (noOwnFiles && ((f.dns ?? []).length || (f.addHost ?? []).length)) throw new UsageError('--dns and --add-host cannot be used with --network container:');
  return {
    ...base,
    ports,
    publishAll: !!f.publishAll,
    dns: f.dns ?? [],
    dnsSearch: f.dnsSearch ?? [],
    dnsOptions: f.dnsOption ?? [],
    addHosts: (f.addHost ?? []).map(parseAddHost),
  };
}

/** `8080/tcp` keys of the image's ExposedPorts into mappings to random host ports. */
export function exposedPortMappings(exposed: Record<string, unknown> | undefined): PortMapping[] {
  const out: PortMapping[] = [];
  for (const k of Object.keys(exposed ?? {})) {
    const [p, proto = 'tcp'] = k.split('/');
    const n = Number(p);
    if (!Number.isInteger(n) || n < 1 || n > 65535 || (proto !== 'tcp' && proto !== 'udp')) continue;
    out.push({ hostIp: '', hostPort: 0, containerPort: n, range: 1, protocol: proto });
  }
  return out;
}
