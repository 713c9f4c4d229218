/**
 * Host side of published ports: is a port free (checked before the container starts, so the user
 * sees which port, not a helper's failure later), random ports, and `port`'s output format.
 */
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import { TscCtrError } from '../errors.js';
import type { PortMapping, Protocol } from './types.js';

function tryBind(protocol: Protocol, ip: string, port: number): Promise<{ ok: true; port: number } | { ok: false; error: string }> {
  return new Promise((resolve) => {
    if (protocol === 'tcp') {
      const s = createServer();
      s.once('error', (e: NodeJS.ErrnoException) => resolve({ ok: false, error: e.code ?? e.message }));
      s.listen({ host: ip, port, exclusive: true }, () => {
        const got = (s.address() as { port: number }).port;
        s.close(() => resolve({ ok: true, port: got }));
      });
    } else {
      const s = createSocket(ip.includes(':') ? 'udp6' : 'udp4');
      s.once('error', (e: NodeJS.ErrnoException) => resolve({ ok: false, error: e.code ?? e.message }));
      s.bind({ address: ip, port, exclusive: true }, () => {
        const got = s.address().port;
        s.close(() => resolve({ ok: true, port: got }));
      });
    }
  });
}

function bindAddr(p: PortMapping): string {
  return p.hostIp || '0.0.0.0';
}

/**
 * Give every mapping a host port (random free ones for hostPort 0) and make sure all of them
 * can be bound now. Throws a one-line error naming the first port that cannot.
 */
export async function reserveHostPorts(ports: PortMapping[]): Promise<PortMapping[]> {
  const out: PortMapping[] = [];
  for (const p of ports) {
    let hostPort = p.hostPort;
    if (hostPort === 0) {
      // a range needs consecutive free ports: try a few random starts
      let found = 0;
      for (let attempt = 0; attempt < 20 && !found; attempt++) {
        const first = await tryBind(p.protocol, bindAddr(p), 0);
        if (!first.ok) break;
        if (first.port + p.range - 1 > 65535) continue;
        let all = true;
        for (let i = 1; i < p.range && all; i++) all = (await tryBind(p.protocol, bindAddr(p), first.port + i)).ok;
        if (all) found = first.port;
      }
      if (!found) throw new TscCtrError(`cannot find ${p.range} free host port(s) for ${p.containerPort}/${p.protocol}`, { code: 'TSC_ERR_PORT' });
      hostPort = found;
    } else {
      for (let i = 0; i < p.range; i++) {
        const r = await tryBind(p.protocol, bindAddr(p), hostPort + i);
        if (!r.ok) {
          const why = r.error === 'EADDRINUSE' ? 'address already in use' : r.error === 'EACCES' ? 'permission denied (ports below 1024 need root or net.ipv4.ip_unprivileged_port_start)' : r.error;
          throw new TscCtrError(`cannot publish port ${p.containerPort + i}/${p.protocol}: host port ${bindAddr(p)}:${hostPort + i}: ${why}`, { code: 'TSC_ERR_PORT' });
        }
      }
    }
    out.push({ ...p, hostPort });
  }
  return out;
}

/** Ports the user asked for and the image's exposed ones not already published (-P). */
export function mergePublishAll(ports: PortMapping[], exposed: PortMapping[]): PortMapping[] {
  const covered = (e: PortMapping) => ports.some((p) => p.protocol === e.protocol && e.containerPort >= p.containerPort && e.containerPort < p.containerPort + p.range);
  return [...ports, ...exposed.filter((e) => !covered(e))];
}

/** One line per published port: `80/tcp -> 0.0.0.0:8080` (Podman's `port` format). */
export function portLines(ports: PortMapping[], filter?: { port: number; protocol: Protocol }): string[] {
  const lines: string[] = [];
  for (const p of ports) {
    for (let i = 0; i < p.range; i++) {
      const c = p.containerPort + i;
      if (filter && (filter.port !== c || filter.protocol !== p.protocol)) continue;
      const host = `${p.hostIp.includes(':') ? `[${p.hostIp}]` : p.hostIp || '0.0.0.0'}:${p.hostPort + i}`;
      lines.push(filter ? host : `${c}/${p.protocol} -> ${host}`);
    }
  }
  return lines;
}
