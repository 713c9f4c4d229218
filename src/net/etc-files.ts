/**
 * The /etc files a container gets (PODMAN-NOTES.md §4.4), as pure functions of the host's files
 * and the container's identity.
 */

export interface HostsInput {
  hostHosts: string;
  /** The container's own address, or undefined (no network / host network). */
  ip?: string | undefined;
  hostname: string;
  name: string;
  /** host.containers.internal; omitted when undefined. */
  hostIp?: string | undefined;
  addHosts?: { name: string; ip: string }[];
}

export function hostsFile(i: HostsInput): string {
  const lines: string[] = [];
  for (const h of i.addHosts ?? []) lines.push(`${h.ip}\t${h.name}`);
  const base = i.hostHosts.split('\n').filter((l) => l.trim() && !l.trim().startsWith('#'));
  lines.push(...base);
  const has = (name: string) => base.some((l) => l.split(/\s+/).slice(1).includes(name));
  if (!has('localhost')) lines.push('127.0.0.1\tlocalhost', '::1\tlocalhost');
  if (i.hostIp) lines.push(`${i.hostIp}\thost.containers.internal host.docker.internal`);
  const names = i.hostname === i.name ? i.name : `${i.hostname} ${i.name}`;
  lines.push(`${i.ip ?? '127.0.1.1'}\t${names}`);
  return lines.join('\n') + '\n';
}

export interface ResolvInput {
  hostResolv: string;
  /** Nameservers that go first (the network helper's resolver). */
  first?: string[];
  dns?: string[];
  dnsSearch?: string[];
  dnsOptions?: string[];
  ipv6?: boolean;
}

/** Loopback resolvers of the host do not answer inside the container's network namespace. */
function usable(ns: string, ipv6: boolean): boolean {
  if (/^127\./.test(ns) || ns === '::1') return false;
  if (ns.includes(':') && (!ipv6 || /^fe80:/i.test(ns))) return false;
  return true;
}

export function resolvConf(i: ResolvInput): string {
  const servers: string[] = [];
  const search: string[] = [];
  const options: string[] = [];
  for (const raw of i.hostResolv.split('\n')) {
    const f = raw.trim().split(/\s+/);
    if (f[0] === 'nameserver' && f[1]) servers.push(f[1]);
    else if ((f[0] === 'search' || f[0] === 'domain') && f.length > 1) search.push(...f.slice(1));
    else if (f[0] === 'options') options.push(...f.slice(1));
  }
  const ipv6 = i.ipv6 ?? false;
  let ns = i.dns?.length ? i.dns : [...(i.first ?? []), ...servers.filter((s) => usable(s, ipv6))];
  if (ns.length === 0) ns = ['8.8.8.8', '8.8.4.4'];
  const out: string[] = [];
  const s = i.dnsSearch?.length ? i.dnsSearch.filter((d) => d !== '.') : search;
  if (s.length) out.push(`search ${s.join(' ')}`);
  for (const n of [...new Set(ns)]) out.push(`nameserver ${n}`);
  const o = i.dnsOptions?.length ? i.dnsOptions : options;
  if (o.length) out.push(`options ${o.join(' ')}`);
  return out.join('\n') + '\n';
}
