/**
 * User-defined networks: one JSON file per network under `<storageRoot>/networks/` in
 * netavark's config shape (what `podman network inspect` prints), subnet choice as Podman's
 * (the first free 10.89.N.0/24).
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import type { StorePaths } from '../config/paths.js';
import { NotFoundError, TscCtrError, UsageError } from '../errors.js';
import { writeFileAtomic } from '../storage/atomic.js';

export interface NetworkConfig {
  name: string;
  id: string;
  driver: 'bridge';
  network_interface: string;
  created: string;
  subnets: { subnet: string; gateway: string }[];
  ipv6_enabled: boolean;
  internal: boolean;
  dns_enabled: boolean;
  labels?: Record<string, string>;
  ipam_options: { driver: 'host-local' };
}

const NAME_RE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;
/** Names the --network flag gives another meaning. */
const RESERVED = new Set(['none', 'host', 'bridge', 'default', 'private', 'pasta', 'slirp4netns', 'podman']);

export function networksDir(paths: StorePaths): string {
  return join(paths.storageRoot, 'networks');
}

export function listNetworks(paths: StorePaths): NetworkConfig[] {
  let names: string[];
  try {
    names = readdirSync(networksDir(paths)).filter((n) => n.endsWith('.json'));
  } catch {
    return [];
  }
  const out: NetworkConfig[] = [];
  for (const n of names) {
    try {
      out.push(JSON.parse(readFileSync(join(networksDir(paths), n), 'utf8')) as NetworkConfig);
    } catch {
      /* a half-written file cannot exist (atomic writes); an unreadable one is skipped */
    }
  }
  return out.sort((a, b) => a.created.localeCompare(b.created));
}

/** By name, full id, or a unique id prefix. */
export function findNetwork(paths: StorePaths, ref: string): NetworkConfig | undefined {
  const all = listNetworks(paths);
  const byName = all.find((n) => n.name === ref);
  if (byName) return byName;
  const byId = all.filter((n) => n.id.startsWith(ref));
  return byId.length === 1 ? byId[0] : undefined;
}

export function getNetwork(paths: StorePaths, ref: string): NetworkConfig {
  const n = findNetwork(paths, ref);
  if (!n) throw new NotFoundError(`unable to find network with name or ID ${ref}: network not found`, 'TSC_ERR_NO_SUCH_NETWORK');
  return n;
}

function ipToInt(ip: string): number {
  return ip.split('.').reduce((n, o) => n * 256 + Number(o), 0);
}

export function intToIp(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
}

/** [network address, prefix length] of `a.b.c.d/n`, normalised (host bits cleared). */
export function parseSubnet(cidr: string): { base: number; bits: number } {
  const [addr, b] = cidr.split('/');
  const bits = Number(b);
  if (isIP(addr ?? '') !== 4 || !/^\d+$/.test(b ?? '') || bits < 8 || bits > 30) throw new UsageError(`invalid subnet "${cidr}": use an IPv4 network a.b.c.d/N with N from 8 to 30`);
  const size = 2 ** (32 - bits);
  return { base: Math.floor(ipToInt(addr!) / size) * size, bits };
}

export function subnetContains(cidr: string, ip: string): boolean {
  const { base, bits } = parseSubnet(cidr);
  const n = ipToInt(ip);
  return n >= base && n < base + 2 ** (32 - bits);
}

function overlaps(a: string, b: string): boolean {
  const x = parseSubnet(a);
  const y = parseSubnet(b);
  return x.base < y.base + 2 ** (32 - y.bits) && y.base < x.base + 2 ** (32 - x.bits);
}

/** Pure: the first 10.89.N.0/24 that overlaps none of `taken`. */
export function freeSubnet(taken: string[]): string {
  for (let n = 0; n < 256; n++) {
    const s = `10.89.${n}.0/24`;
    if (!taken.some((t) => overlaps(s, t))) return s;
  }
  throw new TscCtrError('no free subnet left in 10.89.0.0/16: pass --subnet');
}

/** Pure: the lowest address of the subnet that is neither the gateway nor in `used`. */
export function freeAddress(subnet: string, gateway: string, used: string[]): string {
  const { base, bits } = parseSubnet(subnet);
  const last = base + 2 ** (32 - bits) - 1;
  const busy = new Set([gateway, ...used]);
  for (let n = base + 1; n < last; n++) if (!busy.has(intToIp(n))) return intToIp(n);
  throw new TscCtrError(`no free IP address left in subnet ${subnet}`);
}

export interface CreateNetworkOptions {
  name?: string | undefined;
  subnet?: string | undefined;
  gateway?: string | undefined;
  internal?: boolean | undefined;
  labels?: Record<string, string>;
  ignore?: boolean | undefined;
}

/** Caller holds the storage lock. */
export function createNetwork(paths: StorePaths, o: CreateNetworkOptions): NetworkConfig {
  const all = listNetworks(paths);
  let name = o.name;
  if (name === undefined) {
    for (let i = 1; ; i++) if (!all.some((n) => n.name === `podman${i}`)) return createNetwork(paths, { ...o, name: `podman${i}` });
  }
  if (!NAME_RE.test(name)) throw new UsageError(`network name ${name} invalid: names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*`);
  if (RESERVED.has(name)) throw new UsageError(`cannot create network with name "${name}" because it conflicts with a valid network mode`);
  const existing = all.find((n) => n.name === name);
  if (existing) {
    if (o.ignore) return existing;
    throw new TscCtrError(`network name ${name} already used: network already exists`, { code: 'TSC_ERR_NETWORK_EXISTS' });
  }
  let subnet: string;
  if (o.subnet) {
    const { base, bits } = parseSubnet(o.subnet);
    subnet = `${intToIp(base)}/${bits}`;
    const clash = all.find((n) => n.subnets.some((s) => overlaps(s.subnet, subnet)));
    if (clash) throw new TscCtrError(`subnet ${subnet} is already used by network ${clash.name}`);
  } else {
    subnet = freeSubnet(all.flatMap((n) => n.subnets.map((s) => s.subnet)));
  }
  const gateway = o.gateway ?? intToIp(parseSubnet(subnet).base + 1);
  if (isIP(gateway) !== 4 || !subnetContains(subnet, gateway)) throw new UsageError(`gateway ${gateway} is not in subnet ${subnet}`);
  const used = new Set(all.map((n) => n.network_interface));
  let ifIndex = 1;
  while (used.has(`podman${ifIndex}`)) ifIndex++;
  const cfg: NetworkConfig = {
    name,
    id: randomBytes(32).toString('hex'),
    driver: 'bridge',
    network_interface: `podman${ifIndex}`,
    created: new Date().toISOString(),
    subnets: [{ subnet, gateway }],
    ipv6_enabled: false,
    internal: !!o.internal,
    dns_enabled: true,
    ...(o.labels && Object.keys(o.labels).length ? { labels: o.labels } : {}),
    ipam_options: { driver: 'host-local' },
  };
  mkdirSync(networksDir(paths), { recursive: true, mode: 0o700 });
  writeFileAtomic(join(networksDir(paths), `${cfg.name}.json`), JSON.stringify(cfg, null, 2) + '\n', { mode: 0o600 });
  return cfg;
}

/** Caller holds the storage lock. */
export function removeNetworkFile(paths: StorePaths, cfg: NetworkConfig): void {
  rmSync(join(networksDir(paths), `${cfg.name}.json`), { force: true });
}
