/**
 * The user-mode network helpers: argv builders (pure) and starting them detached inside the user
 * namespace, attached to a namespace file. Flags per PODMAN-NOTES.md §4.1 and §4.3.
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { HostError } from '../errors.js';
import { type NsExec, wrap } from '../rootless/ns-exec.js';
import { slirpOption } from './parse.js';
import { PASTA_DNS, type PortMapping } from './types.js';

/** Where a port range goes in pasta's syntax: `[HOSTIP/]H1[-H2]:C1[-C2]`. */
function pastaPortSpec(p: PortMapping): string {
  const span = (start: number) => (p.range > 1 ? `${start}-${start + p.range - 1}` : `${start}`);
  return `${p.hostIp ? `${p.hostIp}/` : ''}${span(p.hostPort)}:${span(p.containerPort)}`;
}

const has = (opts: string[], ...names: string[]) => opts.some((o) => names.some((n) => o === n || o.startsWith(`${n}=`)));

export function pastaArgs(opts: { options: string[]; ports: PortMapping[]; netns: string; pidFile: string; realRoot?: boolean; mtu?: number | undefined }): string[] {
  const user = opts.options;
  const args = ['--config-net', ...user];
  // As real root, this pasta drops to "nobody" before it opens the namespace file, which lives
  // in root-only directories: keep root (rootless, it runs as our own id in the user namespace).
  if (opts.realRoot && !has(user, '--runas')) args.push('--runas', '0');
  const tcp = opts.ports.filter((p) => p.protocol === 'tcp');
  const udp = opts.ports.filter((p) => p.protocol === 'udp');
  for (const p of tcp) args.push('-t', pastaPortSpec(p));
  for (const p of udp) args.push('-u', pastaPortSpec(p));
  if (!tcp.length && !has(user, '-t', '--tcp-ports')) args.push('-t', 'none');
  if (!udp.length && !has(user, '-u', '--udp-ports')) args.push('-u', 'none');
  if (!has(user, '-T', '--tcp-ns')) args.push('-T', 'none');
  if (!has(user, '-U', '--udp-ns')) args.push('-U', 'none');
  if (!has(user, '--dns-forward')) args.push('--dns-forward', PASTA_DNS);
  // pasta's tap path is slow at the host's MTU (0.16-0.27 Gbit/s at 1400 here); the MTU that
  // measured best (choose.ts), else the largest
  if (!has(user, '-m', '--mtu')) args.push('--mtu', String(opts.mtu ?? 65520));
  if (!has(user, '-d', '--debug', '--trace')) args.push('--quiet');
  args.push('--netns', opts.netns, '--pid', opts.pidFile);
  return args;
}

export function slirpArgs(opts: { options: string[]; netns: string; apiSocket?: string | undefined }): string[] {
  const o = opts.options;
  const args: string[] = [];
  if (slirpOption(o, 'allow_host_loopback') !== 'true') args.push('--disable-host-loopback');
  args.push(`--mtu=${slirpOption(o, 'mtu') ?? '65520'}`, '--enable-sandbox', '--enable-seccomp');
  if (slirpOption(o, 'enable_ipv6') === 'true') args.push('--enable-ipv6');
  args.push('-c', '-r', '3');
  const cidr = slirpOption(o, 'cidr');
  if (cidr) args.push(`--cidr=${cidr}`);
  const out4 = slirpOption(o, 'outbound_addr');
  if (out4) args.push(`--outbound-addr=${out4}`);
  const out6 = slirpOption(o, 'outbound_addr6');
  if (out6) args.push(`--outbound-addr6=${out6}`);
  if (opts.apiSocket) args.push('--api-socket', opts.apiSocket);
  args.push('--netns-type=path', opts.netns, 'tap0');
  return args;
}

/** pasta writes "Failed to send … to syslog" for every line when there is no syslog. */
function helperMessage(text: string): string {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !/^Failed to send \d+ bytes to syslog/.test(l))
    .join('; ');
}

/** Start pasta; it forks into the background once the namespace is configured. */
export async function startPasta(ns: NsExec, pasta: string, args: string[], pidFile: string): Promise<number> {
  rmSync(pidFile, { force: true });
  const [cmd, argv] = wrap(ns, [pasta, ...args]);
  const child = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'], env: ns.env, cwd: '/', detached: true });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number>((resolve) => {
    child.on('error', (e) => {
      out += e.message;
      resolve(127);
    });
    child.on('exit', (c) => resolve(c ?? 1));
  });
  // the daemonized pasta may hold our pipes: stop reading, do not wait for EOF
  child.stdout.destroy();
  child.stderr.destroy();
  let pid = NaN;
  try {
    pid = Number(readFileSync(pidFile, 'utf8').trim());
  } catch {
    /* reported below */
  }
  if (code !== 0 || !Number.isInteger(pid) || pid <= 0) {
    throw new HostError(`pasta failed: ${helperMessage(out) || `exit status ${code}`}`, 'TSC_ERR_NETWORK_HELPER');
  }
  return pid;
}

/** Start slirp4netns detached; it writes "1" to fd 3 when tap0 is configured. */
export async function startSlirp(ns: NsExec, slirp: string, args: string[], logPath: string): Promise<number> {
  const log = openSync(logPath, 'w', 0o600);
  const [cmd, argv] = wrap(ns, [slirp, ...args]);
  const child = spawn(cmd, argv, { stdio: ['ignore', log, log, 'pipe'], env: ns.env, cwd: '/', detached: true });
  closeSync(log);
  const ready = child.stdio[3] as NodeJS.ReadableStream & { destroy(): void };
  const ok = await new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), 10_000);
    ready.once('data', () => {
      clearTimeout(timer);
      resolve(true);
    });
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(false);
    });
    child.once('error', () => resolve(false));
  });
  ready.destroy();
  if (!ok || child.pid === undefined) {
    if (child.pid !== undefined && child.exitCode === null) child.kill('SIGKILL');
    let msg = '';
    try {
      msg = helperMessage(readFileSync(logPath, 'utf8'));
    } catch {
      /* none */
    }
    throw new HostError(`slirp4netns failed: ${msg || 'it did not become ready'}`, 'TSC_ERR_NETWORK_HELPER');
  }
  child.unref();
  return child.pid;
}

/** One request on slirp4netns's API socket (JSON in, JSON out, after shutdown of our side). */
export function slirpApi(socket: string, request: unknown): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const s = connect(socket);
    let data = '';
    s.on('connect', () => s.end(`${JSON.stringify(request)}\n`));
    s.on('data', (d) => (data += d.toString()));
    s.on('error', reject);
    s.on('close', () => {
      try {
        resolve(JSON.parse(data) as Record<string, unknown>);
      } catch {
        reject(new Error(`slirp4netns API answered "${data.trim()}"`));
      }
    });
  });
}

/** Publish ports through slirp4netns (port_handler=slirp4netns): slirp itself listens on the host. */
export async function slirpAddPorts(socket: string, ports: PortMapping[]): Promise<void> {
  for (const p of ports) {
    for (let i = 0; i < p.range; i++) {
      const r = await slirpApi(socket, {
        execute: 'add_hostfwd',
        arguments: { proto: p.protocol, host_addr: p.hostIp || '0.0.0.0', host_port: p.hostPort + i, guest_addr: '', guest_port: p.containerPort + i },
      });
      if (r.error) {
        const e = r.error as { desc?: string };
        throw new HostError(`slirp4netns could not publish ${p.hostIp || '0.0.0.0'}:${p.hostPort + i}/${p.protocol}: ${e.desc ?? JSON.stringify(r.error)}`, 'TSC_ERR_PORT');
      }
    }
  }
}

function isHelper(pid: number, name: string): boolean {
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return !!cmdline.split('\0')[0]?.endsWith(name);
  } catch {
    return false;
  }
}

/**
 * Stop a helper if the pid is still that helper (pids get reused), and wait until it is gone:
 * while it runs it holds the namespace file open, and the file cannot be unmounted.
 */
export async function stopHelper(pid: number, name: string): Promise<void> {
  if (!isHelper(pid, name)) return;
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  // helpers usually exit within a few ms of SIGTERM: poll fast first (this is on the path of
  // every `run --rm`), then back off; SIGKILL after about a second
  let waited = 0;
  let killed = false;
  for (let step = 2; waited < 2000 && isHelper(pid, name); step = Math.min(step * 2, 50)) {
    if (!killed && waited >= 1000) {
      killed = true;
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    await new Promise((r) => setTimeout(r, step));
    waited += step;
  }
}
