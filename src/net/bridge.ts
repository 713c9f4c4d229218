/**
 * Containers on user-defined networks, as Podman does rootless: one shared network namespace per
 * run root (`netns/rootless-netns`) reaches the outside through slirp4netns; in it, a Linux bridge
 * per network with the gateway address and NAT; each container gets a veth pair whose far end is
 * its `eth0`. Names resolve through /etc/hosts: every container on a network lists the others,
 * and the lists are rewritten in place (the files are bind mounts) as containers come and go.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HostError } from '../errors.js';
import type { NsExec } from '../rootless/ns-exec.js';
import { writeFileAtomic } from '../storage/atomic.js';
import { findProgram } from '../system/binaries.js';
import type { ContainerContext } from '../container/context.js';
import { slirpArgs, startSlirp, stopHelper } from './helpers.js';
import { createNetns, execIn, netnsDir, removeNetns } from './netns.js';
import { freeAddress, type NetworkConfig, parseSubnet } from './networks.js';
import type { NetworkState } from './types.js';

interface SharedNetns {
  netnsPath: string;
  helperPid: number;
}

function sharedPaths(runRoot: string) {
  const dir = netnsDir(runRoot);
  return { netns: join(dir, 'rootless-netns'), state: join(dir, 'rootless-netns.json'), lock: join(dir, 'rootless-netns.lock'), log: join(dir, 'rootless-netns.log') };
}

async function withSharedLock<T>(runRoot: string, fn: () => Promise<T>): Promise<T> {
  const { mkdirSync } = await import('node:fs');
  mkdirSync(netnsDir(runRoot), { recursive: true, mode: 0o700 });
  const { FileLock } = await import('../native/flock.js');
  const lock = await FileLock.acquire(sharedPaths(runRoot).lock, 'exclusive', { wait: true });
  try {
    return await fn();
  } finally {
    lock?.release();
  }
}

function helperAlive(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0]!.endsWith('slirp4netns');
  } catch {
    return false;
  }
}

async function run(ns: NsExec, netns: string, script: string, what: string): Promise<string> {
  const r = await execIn(ns, ['nsenter', `--net=${netns}`, 'sh', '-ec', script]);
  if (r.code !== 0) throw new HostError(`${what}: ${r.stderr || `exit status ${r.code}`}`, 'TSC_ERR_NETWORK');
  return r.stdout;
}

async function ensureShared(ns: NsExec, runRoot: string): Promise<SharedNetns> {
  const p = sharedPaths(runRoot);
  try {
    const s = JSON.parse(readFileSync(p.state, 'utf8')) as SharedNetns;
    if (helperAlive(s.helperPid)) return s;
  } catch {
    /* none yet */
  }
  const slirp = findProgram('slirp4netns');
  if (!slirp) throw new HostError('slirp4netns not found on PATH: user-defined networks need it (install the slirp4netns package)', 'TSC_ERR_MISSING_PROGRAM');
  await createNetns(ns, p.netns);
  let pid = 0;
  try {
    pid = await startSlirp(ns, slirp, slirpArgs({ options: [], netns: p.netns }), p.log);
    await run(ns, p.netns, 'echo 1 > /proc/sys/net/ipv4/ip_forward', 'enabling forwarding in the rootless network namespace');
  } catch (err) {
    if (pid) await stopHelper(pid, 'slirp4netns');
    await removeNetns(ns, p.netns);
    throw err;
  }
  const s = { netnsPath: p.netns, helperPid: pid };
  writeFileAtomic(p.state, JSON.stringify(s) + '\n', { mode: 0o600 });
  return s;
}

/** Running containers' network states (run dirs), for addresses in use and peers by network. */
function peerStates(ctx: ContainerContext): { id: string; state: NetworkState }[] {
  const dir = join(ctx.paths.runRoot, 'containers');
  let ids: string[] = [];
  try {
    ids = readdirSync(dir);
  } catch {
    /* none */
  }
  const out: { id: string; state: NetworkState }[] = [];
  for (const id of ids) {
    try {
      out.push({ id, state: JSON.parse(readFileSync(join(dir, id, 'network.json'), 'utf8')) as NetworkState });
    } catch {
      /* not started, or no network */
    }
  }
  return out;
}

function vethName(id: string): string {
  return `veth${id.slice(0, 11)}`; // IFNAMSIZ: 15 characters
}

/** Attach the container's namespace to the network's bridge; returns its address and gateway. */
export async function attachToBridge(ctx: ContainerContext, ns: NsExec, id: string, netnsPath: string, net: NetworkConfig): Promise<{ ip: string; gateway: string; veth: string }> {
  return withSharedLock(ctx.paths.runRoot, async () => {
    const shared = await ensureShared(ns, ctx.paths.runRoot);
    const { subnet, gateway } = net.subnets[0]!;
    const { bits } = parseSubnet(subnet);
    const br = net.network_interface;
    const nat = net.internal ? '' : `iptables -t nat -C POSTROUTING -s ${subnet} ! -o ${br} -j MASQUERADE 2>/dev/null || iptables -t nat -A POSTROUTING -s ${subnet} ! -o ${br} -j MASQUERADE`;
    await run(
      ns,
      shared.netnsPath,
      `if ! ip link show ${br} >/dev/null 2>&1; then ip link add ${br} type bridge; ip addr add ${gateway}/${bits} dev ${br}; ip link set ${br} up; fi; ${nat}`,
      `creating bridge ${br} for network ${net.name}`,
    );
    const used = peerStates(ctx)
      .filter((p) => p.id !== id && p.state.kind === 'bridge' && p.state.network === net.name && p.state.ip)
      .map((p) => p.state.ip!);
    const ip = freeAddress(subnet, gateway, used);
    const veth = vethName(id);
    await run(
      ns,
      shared.netnsPath,
      `ip link del ${veth} 2>/dev/null || true; ip link add ${veth} type veth peer name eth0 netns ${netnsPath}; ip link set ${veth} master ${br} up`,
      `connecting the container to network ${net.name}`,
    );
    const route = net.internal ? '' : `ip route add default via ${gateway}`;
    await run(ns, netnsPath, `ip addr add ${ip}/${bits} dev eth0; ip link set eth0 up; ${route}`, `configuring eth0 on network ${net.name}`);
    return { ip, gateway, veth };
  });
}

/** Remove the container's veth; stop the shared namespace when no container uses it any more. */
export async function detachFromBridge(ctx: ContainerContext, ns: NsExec, id: string, veth: string | undefined): Promise<void> {
  await withSharedLock(ctx.paths.runRoot, async () => {
    const p = sharedPaths(ctx.paths.runRoot);
    let shared: SharedNetns | undefined;
    try {
      shared = JSON.parse(readFileSync(p.state, 'utf8')) as SharedNetns;
    } catch {
      return;
    }
    if (veth) await execIn(ns, ['nsenter', `--net=${shared.netnsPath}`, 'ip', 'link', 'del', veth]);
    const others = peerStates(ctx).filter((x) => x.id !== id && x.state.kind === 'bridge');
    if (others.length === 0) {
      await stopHelper(shared.helperPid, 'slirp4netns');
      await removeNetns(ns, shared.netnsPath);
      writeFileAtomic(p.state, '{}\n');
    }
  });
}

/** `ip\tname id12` lines for the running containers on `network`, except `self`. */
export function peerHostLines(ctx: ContainerContext, network: string, self: string): string[] {
  const lines: string[] = [];
  for (const p of peerStates(ctx)) {
    if (p.id === self || p.state.kind !== 'bridge' || p.state.network !== network || !p.state.ip) continue;
    const rec = ctx.containers.find(p.id);
    if (rec) lines.push(`${p.state.ip}\t${rec.name} ${p.id.slice(0, 12)}`);
  }
  return lines;
}

/**
 * Add (or, with `remove`, drop) our line in the /etc/hosts of the other containers on the
 * network. Written in place: a rename would leave the bind mount on the old file.
 */
export function updatePeerHosts(ctx: ContainerContext, network: string, self: string, line: string, remove: boolean): void {
  for (const p of peerStates(ctx)) {
    if (p.id === self || p.state.kind !== 'bridge' || p.state.network !== network) continue;
    const file = join(ctx.containers.userdataDir(p.id), 'hosts');
    try {
      const lines = readFileSync(file, 'utf8').split('\n').filter((l) => l !== '' && !l.endsWith(` ${self.slice(0, 12)}`));
      if (!remove) lines.push(line);
      writeFileSync(file, lines.join('\n') + '\n');
    } catch {
      /* that container is going away */
    }
  }
}
