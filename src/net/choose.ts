/**
 * The default network helper, chosen by measurement: each installed helper gets a throwaway
 * namespace and moves a block of data to a listener on the host; the faster one wins. The choice
 * is a property of the host (its helpers' builds and its kernel), so it is cached per user, keyed
 * by the helpers' files, and measured again when one of them changes.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir, networkInterfaces } from 'node:os';
import { join } from 'node:path';
import type { StorePaths } from '../config/paths.js';
import { type NsExec, wrap } from '../rootless/ns-exec.js';
import { writeFileAtomic } from '../storage/atomic.js';
import { findProgram } from '../system/binaries.js';
import { log } from '../ui/log.js';
import { startPasta, startSlirp, pastaArgs, slirpArgs, stopHelper } from './helpers.js';
import { createNetns, netnsAddresses, removeNetns } from './netns.js';

export type HelperName = 'pasta' | 'slirp4netns';

/** The cache file (JSON). */
export interface HelperChoice {
  name: HelperName;
  /** Measured container→host throughput, Gbit/s; absent = could not run. */
  gbits: Partial<Record<HelperName, number>>;
  /** The MTU pasta moved data fastest with (tried: PASTA_MTUS). */
  pastaMtu?: number;
  /** `path:size:mtime` of each helper measured: a change invalidates the choice. */
  key: string;
  measuredAt: string;
}

const BYTES = 512 * 1024 * 1024;
const MEASURE_MS = 1000;
/** Debian 12's pasta is erratic at 65520 and steady but slower at small MTUs: try a few. */
export const PASTA_MTUS = [65520, 16384, 4000];

export function choiceFile(env: NodeJS.ProcessEnv = process.env): string {
  if (env.TSC_CTR_NET_CHOICE_FILE) return env.TSC_CTR_NET_CHOICE_FILE;
  const uid = process.getuid?.() ?? 0;
  const base = uid === 0 ? '/var/cache' : env.XDG_CACHE_HOME || join(env.HOME || homedir(), '.cache');
  return join(base, 'tsc-ctr', 'network-helper.json');
}

/** Bumped when what is measured changes, so older records are measured again. */
const RECORD_VERSION = 'v2';

function helperKey(paths: Partial<Record<HelperName, string>>): string {
  return `${RECORD_VERSION};` + (Object.entries(paths) as [HelperName, string][])
    .map(([n, p]) => {
      const s = statSync(p);
      return `${n}=${p}:${s.size}:${s.mtimeMs}`;
    })
    .join(',');
}

export function installedHelpers(): Partial<Record<HelperName, string>> {
  const out: Partial<Record<HelperName, string>> = {};
  const p = findProgram('pasta');
  if (p) out.pasta = p;
  const s = findProgram('slirp4netns');
  if (s) out.slirp4netns = s;
  return out;
}

/** The recorded choice if it still matches the installed helpers. */
export function recordedChoice(): HelperChoice | undefined {
  const helpers = installedHelpers();
  try {
    const c = JSON.parse(readFileSync(choiceFile(), 'utf8')) as HelperChoice;
    return c.key === helperKey(helpers) && helpers[c.name] ? c : undefined;
  } catch {
    return undefined;
  }
}

/** Pure: the faster measured helper; pasta when neither could be measured but it exists. */
export function pickFaster(gbits: Partial<Record<HelperName, number>>, installed: HelperName[]): HelperName | undefined {
  const measured = installed.filter((n) => gbits[n] !== undefined).sort((a, b) => gbits[b]! - gbits[a]!);
  return measured[0] ?? installed[0];
}

function hostIPv4(): string | undefined {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return undefined;
}

/**
 * Bytes per second from inside `netns` to a listener here, sent by a Node child in the namespace.
 * Time-boxed: the sender offers BYTES, the listener stops after MEASURE_MS of data, so a slow
 * helper costs about a second, not a minute.
 */
async function measureInto(ns: NsExec, netns: string, target: string): Promise<number> {
  const server = createServer();
  let received = 0;
  let first = 0n;
  let last = 0n;
  server.on('connection', (c) => {
    c.on('error', () => {});
    c.on('data', (d: Buffer) => {
      if (!first) first = process.hrtime.bigint();
      received += d.length;
      last = process.hrtime.bigint();
      if (Number(last - first) / 1e6 > MEASURE_MS) c.destroy();
    });
  });
  await new Promise<void>((r) => server.listen(0, '0.0.0.0', r));
  const port = (server.address() as { port: number }).port;
  // the sender exits 0 however the connection ends once connected: the listener decides
  const script = `const s=require('net').connect(${port},${JSON.stringify(target)});const b=Buffer.alloc(1<<20,120);let n=${BYTES >> 20};function w(){while(n>0){n--;if(!s.write(b))return s.once('drain',w)}s.end()}s.on('connect',()=>{s.on('error',()=>process.exit(0));w()});s.on('error',e=>{console.error(e.message);process.exit(1)})`;
  const [cmd, args] = wrap(ns, ['nsenter', `--net=${netns}`, process.execPath, '-e', script]);
  try {
    await new Promise<void>((resolve, reject) => {
      const c = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], env: ns.env });
      let err = '';
      c.stderr.on('data', (d: Buffer) => (err += d.toString()));
      const timer = setTimeout(() => c.kill('SIGKILL'), MEASURE_MS + 5000);
      c.on('close', (code) => {
        clearTimeout(timer);
        if (code === 0 || received > 0) resolve();
        else reject(new Error(err.trim() || `sender exited ${code}`));
      });
    });
    await new Promise((r) => setTimeout(r, 50));
  } finally {
    server.close();
  }
  if (received < 4 * 1024 * 1024 || last <= first) throw new Error(`only ${received} bytes arrived`);
  return received / (Number(last - first) / 1e9);
}

async function measure(ns: NsExec, runRoot: string, name: HelperName, path: string, realRoot: boolean, mtu?: number): Promise<number> {
  const dir = join(runRoot, 'netns');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const netns = join(dir, `measure-${name}-${process.pid}`);
  await createNetns(ns, netns);
  let pid = 0;
  try {
    if (name === 'pasta') {
      const pidFile = `${netns}.pid`;
      pid = await startPasta(ns, path, pastaArgs({ options: [], ports: [], netns, pidFile, realRoot, mtu }), pidFile);
      const gw = (await netnsAddresses(ns, netns)).gateway;
      if (!gw) throw new Error('no gateway in the namespace');
      return await measureInto(ns, netns, gw); // the gateway is the host (pasta maps it)
    }
    pid = await startSlirp(ns, path, slirpArgs({ options: [], netns }), `${netns}.log`);
    const host = hostIPv4();
    if (!host) throw new Error('the host has no IPv4 address');
    return await measureInto(ns, netns, host);
  } finally {
    if (pid) await stopHelper(pid, name);
    await removeNetns(ns, netns);
  }
}

/** The default helper: the recorded choice, else measure now and record it. */
/** `realRoot`: rootful (pasta must keep root to open the namespace file, see pastaArgs). */
export async function chooseDefaultHelper(ns: NsExec, paths: StorePaths, realRoot: boolean): Promise<HelperChoice | undefined> {
  const have = recordedChoice();
  if (have) return have;
  const helpers = installedHelpers();
  const names = (['pasta', 'slirp4netns'] as HelperName[]).filter((n) => helpers[n]);
  if (names.length === 0) return undefined;
  const gbits: Partial<Record<HelperName, number>> = {};
  let pastaMtu: number | undefined;
  for (const n of names) {
    for (const mtu of n === 'pasta' ? PASTA_MTUS : [undefined]) {
      try {
        const g = Math.round(((await measure(ns, paths.runRoot, n, helpers[n]!, realRoot, mtu)) * 8) / 1e7) / 100;
        if (gbits[n] === undefined || g > gbits[n]!) {
          gbits[n] = g;
          if (n === 'pasta') pastaMtu = mtu;
        }
      } catch (err) {
        log.debug(`measuring ${n}${mtu ? ` at MTU ${mtu}` : ''}: ${(err as Error).message}`);
      }
    }
  }
  const choice: HelperChoice = { name: pickFaster(gbits, names)!, gbits, ...(pastaMtu ? { pastaMtu } : {}), key: helperKey(helpers), measuredAt: new Date().toISOString() };
  try {
    const file = choiceFile();
    mkdirSync(join(file, '..'), { recursive: true, mode: 0o700 });
    writeFileAtomic(file, JSON.stringify(choice, null, 1) + '\n', { mode: 0o600 });
  } catch (err) {
    log.debug(`recording the network helper choice: ${(err as Error).message}`);
  }
  return choice;
}

/** For `info`: the recorded choice, measuring first if there is none yet. */
export async function measuredDefaultHelper(paths: StorePaths, realRoot: boolean): Promise<HelperName | undefined> {
  const have = recordedChoice();
  if (have) return have.name;
  try {
    const { nsExec } = await import('../rootless/ns-exec.js');
    return (await chooseDefaultHelper(await nsExec(paths), paths, realRoot))?.name;
  } catch (err) {
    log.debug(`measuring the network helpers: ${(err as Error).message}`);
    return undefined;
  }
}
