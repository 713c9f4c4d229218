/**
 * A container's network at start and its teardown at cleanup: the namespace file, the helper
 * process, published ports, and the state file (runDir/network.json) that ties them together.
 */
export { readNetworkState, stateFile } from './state.js';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { HostError, TscCtrError } from '../errors.js';
import type { NsExec } from '../rootless/ns-exec.js';
import { writeFileAtomic } from '../storage/atomic.js';
import { Store } from '../storage/store.js';
import { findProgram } from '../system/binaries.js';
import type { ContainerContext } from '../container/context.js';
import type { ContainerRecord } from '../container/types.js';
import { attachToBridge, detachFromBridge, peerHostLines, updatePeerHosts } from './bridge.js';
import { chooseDefaultHelper, recordedChoice } from './choose.js';
import { hostsFile, resolvConf } from './etc-files.js';
import { pastaArgs, slirpAddPorts, slirpArgs, startPasta, startSlirp, stopHelper } from './helpers.js';
import { createNetns, netnsAddresses, netnsPathFor, removeNetns } from './netns.js';
import { exposedPortMappings, parseNetworkRequest, slirpOption } from './parse.js';
import { mergePublishAll, reserveHostPorts } from './ports.js';
import { readNetworkState, stateFile } from './state.js';
import { PASTA_DNS, SLIRP_DEFAULT_CIDR, type NetworkRequest, type NetworkState } from './types.js';


/** The recorded request; containers created before it was recorded get the default. */
export function networkRequest(rec: ContainerRecord): NetworkRequest {
  const net = rec.createOptions.net as NetworkRequest | undefined;
  if (net) return net;
  const mode = rec.createOptions.network;
  return parseNetworkRequest({ network: mode === 'private' ? undefined : (mode as string | undefined) });
}

function writeState(ctx: ContainerContext, id: string, s: NetworkState): void {
  mkdirSync(ctx.containers.runDir(id), { recursive: true, mode: 0o700 });
  writeFileAtomic(stateFile(ctx, id), JSON.stringify(s) + '\n', { mode: 0o600 });
}

/** `<net>.3` of slirp4netns's CIDR: its DNS forwarder. */
function slirpDns(cidr: string): string {
  const [a, b, c] = cidr.split('/')[0]!.split('.');
  return `${a}.${b}.${c}.3`;
}

function exposedPorts(ctx: ContainerContext, rec: ContainerRecord) {
  const store = Store.open(ctx.paths);
  const image = store.findImage(rec.imageId);
  const cfg = image ? store.imageConfig(image) : undefined;
  return exposedPortMappings(cfg?.config?.ExposedPorts as Record<string, unknown> | undefined);
}

/**
 * Set up the network a container is about to join. On failure nothing is left behind (no
 * namespace file, no helper) and the helper's own message is in the error.
 */
export async function setupNetwork(ctx: ContainerContext, rec: ContainerRecord, ns: NsExec): Promise<NetworkState> {
  await teardownNetwork(ctx, rec.id, ns); // a previous run that was not cleaned up
  const req = networkRequest(rec);
  let kind = req.kind;
  if (kind === 'default') {
    const choice = await chooseDefaultHelper(ns, ctx.paths, !ctx.rootless);
    if (!choice) throw new HostError('no network helper: install passt (pasta) or slirp4netns, or use --network none', 'TSC_ERR_MISSING_PROGRAM');
    kind = choice.name;
  }
  if (kind === 'host') return save(ctx, rec.id, { kind, ports: [] });
  if (kind === 'ns') {
    if (!existsSync(req.path!)) throw new TscCtrError(`network namespace ${req.path} does not exist`, { code: 'TSC_ERR_NETWORK' });
    return save(ctx, rec.id, { kind, joinPath: req.path!, ports: [] });
  }
  if (kind === 'container') {
    const other = ctx.containers.find(req.container!);
    if (!other) throw new TscCtrError(`no container with name or ID "${req.container}" found`, { code: 'TSC_ERR_NOT_FOUND', exitCode: 125 });
    const st = readNetworkState(ctx, other.id);
    const pid = other.state.pid;
    const join = st?.joinPath ?? (pid ? `/proc/${pid}/ns/net` : undefined);
    if (other.state.status !== 'running' || !join) throw new TscCtrError(`container ${other.name} is not running: cannot join its network namespace`, { code: 'TSC_ERR_NETWORK' });
    return save(ctx, rec.id, { kind, joinPath: join, ports: [], ...(st?.ip ? { ip: st.ip } : {}), ...(st?.gateway ? { gateway: st.gateway } : {}) });
  }

  const netnsPath = netnsPathFor(ctx.paths.runRoot, rec.id);
  if (kind === 'none') {
    await createNetns(ns, netnsPath);
    return save(ctx, rec.id, { kind, netnsPath, joinPath: netnsPath, ports: [] });
  }

  if (kind === 'bridge') {
    const { getNetwork } = await import('./networks.js');
    const net = getNetwork(ctx.paths, req.network!);
    await createNetns(ns, netnsPath);
    const state: NetworkState = { kind, netnsPath, joinPath: netnsPath, ports: [], network: net.name };
    try {
      save(ctx, rec.id, state); // recorded first, so teardown finds the veth after a failure
      const a = await attachToBridge(ctx, ns, rec.id, netnsPath, net);
      return save(ctx, rec.id, { ...state, ip: a.ip, gateway: a.gateway, veth: a.veth });
    } catch (err) {
      await teardownNetwork(ctx, rec.id, ns);
      throw err;
    }
  }

  const helper = findProgram(kind);
  if (!helper) throw new HostError(`${kind} not found on PATH: install the ${kind === 'pasta' ? 'passt' : 'slirp4netns'} package`, 'TSC_ERR_MISSING_PROGRAM');
  const wanted = req.publishAll ? mergePublishAll(req.ports, exposedPorts(ctx, rec)) : req.ports;
  const ports = await reserveHostPorts(wanted);
  await createNetns(ns, netnsPath);
  const state: NetworkState = { kind, netnsPath, joinPath: netnsPath, ports };
  try {
    const run = ctx.containers.runDir(rec.id);
    mkdirSync(run, { recursive: true, mode: 0o700 });
    if (kind === 'pasta') {
      const pidFile = join(run, 'pasta.pid');
      const pid = await startPasta(ns, helper, pastaArgs({ options: req.options, ports, netns: netnsPath, pidFile, realRoot: !ctx.rootless, mtu: recordedChoice()?.pastaMtu }), pidFile);
      state.helper = { name: 'pasta', pid };
    } else {
      // the API socket path must fit in sun_path (108 bytes): keep it short, next to the netns file
      const apiSocket = ports.length ? join(ctx.paths.runRoot, 'netns', `${rec.id.slice(0, 12)}.net`) : undefined;
      if (apiSocket) rmSync(apiSocket, { force: true });
      const pid = await startSlirp(ns, helper, slirpArgs({ options: req.options, netns: netnsPath, apiSocket }), join(run, 'slirp4netns.log'));
      state.helper = { name: 'slirp4netns', pid, ...(apiSocket ? { apiSocket } : {}) };
      save(ctx, rec.id, state); // recorded before the ports, so a failure below still stops the helper
      if (apiSocket) await slirpAddPorts(apiSocket, ports);
    }
    Object.assign(state, await netnsAddresses(ns, netnsPath));
    return save(ctx, rec.id, state);
  } catch (err) {
    if (state.helper) await stopHelper(state.helper.pid, state.helper.name);
    await removeNetns(ns, netnsPath);
    rmSync(stateFile(ctx, rec.id), { force: true });
    throw err;
  }
}

function save(ctx: ContainerContext, id: string, s: NetworkState): NetworkState {
  writeState(ctx, id, s);
  return s;
}

/** Stop the helper, unbind the namespace, forget the state. Safe to run twice. */
export async function teardownNetwork(ctx: ContainerContext, id: string, ns: NsExec): Promise<void> {
  const s = readNetworkState(ctx, id);
  if (!s) return;
  if (s.helper) await stopHelper(s.helper.pid, s.helper.name);
  if (s.helper?.apiSocket) rmSync(s.helper.apiSocket, { force: true });
  if (s.kind === 'bridge' && s.network) {
    updatePeerHosts(ctx, s.network, id, '', true);
    rmSync(stateFile(ctx, id), { force: true }); // before detach: we no longer count as a user of the shared namespace
    await detachFromBridge(ctx, ns, id, s.veth);
  }
  if (s.netnsPath) await removeNetns(ns, s.netnsPath);
  rmSync(stateFile(ctx, id), { force: true });
}

function readOr(path: string, fallback: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return fallback;
  }
}

/** The host's first global IPv4 (Podman's host.containers.internal when rootless). */
function hostIPv4(): string | undefined {
  for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  return undefined;
}

/** How the container reaches the host: slirp4netns routes to the host's own address; pasta maps its gateway to the host. */
export function hostAddressFor(state: NetworkState, req: NetworkRequest): string | undefined {
  if (state.kind === 'pasta') return state.gateway;
  if (state.kind === 'slirp4netns') {
    if (slirpOption(req.options, 'allow_host_loopback') === 'true') {
      const [a, b, c] = (slirpOption(req.options, 'cidr') ?? SLIRP_DEFAULT_CIDR).split('/')[0]!.split('.');
      return `${a}.${b}.${c}.2`;
    }
    return hostIPv4();
  }
  if (state.kind === 'host' || state.kind === 'bridge') return hostIPv4();
  return undefined;
}

/** Write the container's /etc/hosts and /etc/resolv.conf (run dir files bind-mounted by the runtime). */
export function writeEtcFiles(ctx: ContainerContext, rec: ContainerRecord, state: NetworkState, f: { hosts: string; resolv: string; hostname: string }): void {
  const req = networkRequest(rec);
  if (state.kind === 'container') {
    // Podman shares the other container's files: the namespace (and its addresses) are shared
    const other = ctx.containers.find(req.container!);
    if (other) {
      const dir = ctx.containers.userdataDir(other.id);
      writeFileAtomic(f.hosts, readOr(join(dir, 'hosts'), ''));
      writeFileAtomic(f.resolv, readOr(join(dir, 'resolv.conf'), ''));
      return;
    }
  }
  const hostIp = hostAddressFor(state, req);
  let peers: string[] = [];
  if (state.kind === 'bridge' && state.network && state.ip) {
    peers = peerHostLines(ctx, state.network, rec.id);
    updatePeerHosts(ctx, state.network, rec.id, `${state.ip}\t${rec.name} ${rec.id.slice(0, 12)}`, false);
  }
  const addHosts = req.addHosts.map((h) => ({ name: h.name, ip: h.ip === 'host-gateway' ? (hostIp ?? hostIPv4() ?? '127.0.0.1') : h.ip }));
  writeFileAtomic(f.hosts, hostsFile({ hostHosts: readOr('/etc/hosts', ''), hostname: f.hostname, name: rec.name, ip: state.ip, hostIp, addHosts }) + peers.map((l) => `${l}\n`).join(''));
  const first = state.kind === 'slirp4netns' ? [slirpDns(slirpOption(req.options, 'cidr') ?? SLIRP_DEFAULT_CIDR)] : state.kind === 'pasta' ? [PASTA_DNS] : state.kind === 'bridge' ? [slirpDns(SLIRP_DEFAULT_CIDR)] : [];
  writeFileAtomic(
    f.resolv,
    resolvConf({ hostResolv: readOr('/etc/resolv.conf', ''), first, dns: req.dns, dnsSearch: req.dnsSearch, dnsOptions: req.dnsOptions, ipv6: slirpOption(req.options, 'enable_ipv6') === 'true' }),
  );
}
