// Where the container lifecycle meets the other libraries: the runtime probe, the image store
// and the spec generator. Kept in one place so each of those can change behind it.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NotFoundError, TscCtrError, UsageError } from '../errors.js';
import type { ImageConfig } from '../oci/image.js';
import { serializeSpec } from '../oci/runtime.js';
import { chooseRuntime } from '../runtime/probe.js';
import type { OciRuntime } from '../runtime/oci-runtime.js';
import { readContainerUserFiles } from '../runtime/passwd.js';
import {
  bindSources,
  type ContainerConfig,
  type ContainerCreateOptions,
  generateSpec,
  type HostFacts,
  mappedIdCount,
  prepareCreateOptions,
  processArgs,
  readHostBasics,
  readSeccompProfile,
  requiredVolumes,
  readSourceMountFlags,
} from '../runtime/spec/index.js';
import { Store } from '../storage/store.js';
import { findProgram } from '../system/binaries.js';
import { log } from '../ui/log.js';
import type { ContainerContext } from './context.js';
import type { ContainerRecord } from './types.js';

/** The runtime a container uses: recorded at create, else --runtime, else the probe's choice. */
export async function selectRuntime(ctx: ContainerContext, recorded?: string): Promise<OciRuntime> {
  const chosen = await chooseRuntime(recorded || ctx.runtime, { paths: ctx.paths });
  return { path: chosen.path, stateRoot: join(ctx.paths.runRoot, 'runtime', chosen.name) };
}

export interface ResolvedImage {
  id: string;
  /** The name the user's words resolved to (shown by `ps`). */
  name: string;
  layers: string[];
  config: ImageConfig;
}

/** Pull in a child `tsc-ctr pull` (it enters the user namespace for unpacking itself). */
function pullWithCli(ctx: ContainerContext, name: string, o: Record<string, unknown>): Promise<void> {
  const args = [...ctx.self.slice(1), '--root', ctx.paths.storageRoot, '--runroot', ctx.paths.runRoot, 'pull'];
  if (o.quiet) args.push('--quiet');
  for (const k of ['platform', 'arch', 'os', 'variant', 'authfile', 'creds'] as const) if (typeof o[k] === 'string') args.push(`--${k}`, o[k] as string);
  if (o.tlsVerify === false) args.push('--tls-verify=false');
  args.push(name);
  return new Promise((resolve, reject) => {
    const c = spawn(ctx.self[0]!, args, { stdio: ['ignore', 'ignore', 'inherit'] });
    c.on('error', reject);
    c.on('close', (code) => (code === 0 ? resolve() : reject(new TscCtrError(`pulling ${name} failed`, { exitCode: 125 }))));
  });
}

/** The image for `run`/`create`, pulled first according to --pull (missing, always, never, newer). */
export async function resolveImageForContainer(ctx: ContainerContext, name: string, o: Record<string, unknown>): Promise<ResolvedImage> {
  const store = Store.open(ctx.paths);
  const policy = String(o.pull ?? 'missing');
  let match = policy === 'always' ? undefined : await store.lookupImage(name);
  if (!match && policy !== 'never') {
    await pullWithCli(ctx, name, o);
    match = await store.lookupImage(name);
  }
  if (!match) throw new NotFoundError(`${name}: image not known`, 'TSC_ERR_IMAGE_NOT_KNOWN');
  const config = store.imageConfig(match.image);
  if (!config) throw new TscCtrError(`image ${match.image.id.slice(0, 12)}: its config blob is missing from storage: pull it again`);
  const missing = store.missingLayers(match.image);
  if (missing.length) throw new TscCtrError(`image ${match.image.id.slice(0, 12)}: layer ${missing[0]} is missing from storage: pull it again`);
  return { id: match.image.id, name: match.resolvedName, layers: match.image.layers, config };
}

/** Validate the CLI options into the config the container keeps (env files read, host env captured). */
export function containerConfigFor(o: Record<string, unknown>, command: string[]): ContainerConfig {
  const envFile = ((o.envFile as string[] | undefined) ?? []).map((f) => {
    try {
      return readFileSync(f, 'utf8');
    } catch (err) {
      throw new UsageError(`reading env file "${f}": ${(err as Error).message}`);
    }
  });
  return prepareCreateOptions({ ...(o as ContainerCreateOptions), command, envFile }, { env: process.env, cwd: process.cwd() });
}

/** The process args (entrypoint/cmd rules); none at all is Podman's error. */
export function processArgsFor(config: ContainerConfig, image: ImageConfig): string[] {
  const args = processArgs(config, image.config);
  if (args.length === 0 || (args.length === 1 && args[0] === '')) {
    throw new UsageError('no command or entrypoint provided, and no CMD or ENTRYPOINT from image');
  }
  return args;
}

/** Overlay lower dirs for a container's layers: short links relative to the storage root, topmost first. */
export function imageLowerDirs(ctx: ContainerContext, layers: string[]): string[] {
  const store = Store.open(ctx.paths);
  return [...layers].reverse().map((id) => {
    const link = store.layerLink(id);
    if (!link) throw new TscCtrError(`layer ${id} is missing from storage: pull the image again`);
    return link.startsWith('l/') ? link : join('l', link);
  });
}

export interface SpecFiles {
  rootfs: string;
  hostname: string;
  hostsPath: string;
  resolvPath: string;
  hostnamePath: string;
  pausePid?: number | undefined;
  /** The network namespace file to join (src/net/setup.ts). */
  netnsPath?: string | undefined;
}

/** Named and anonymous volumes live under the storage root (volumes/NAME/_data). */
function volumeSources(ctx: ContainerContext, rec: ContainerRecord, config: ContainerConfig, image: ImageConfig | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of requiredVolumes(config, Object.keys(image?.config?.Volumes ?? {}))) {
    const name = v.name ?? `${rec.id.slice(0, 12)}-${v.destination.replace(/[^a-zA-Z0-9]+/g, '_')}`;
    const dir = join(ctx.paths.storageRoot, 'volumes', name, '_data');
    mkdirSync(dir, { recursive: true, mode: 0o755 });
    out[v.destination] = dir;
  }
  return out;
}

/** config.json text for a container about to start, from its recorded config and the host's facts now. */
export async function buildContainerSpec(ctx: ContainerContext, rec: ContainerRecord, f: SpecFiles): Promise<string> {
  const store = Store.open(ctx.paths);
  const image = store.findImage(rec.imageId);
  const imageConfig = image ? store.imageConfig(image) : undefined;
  const config = rec.createOptions as unknown as ContainerConfig;
  let availableGids: number | undefined;
  if (ctx.rootless && f.pausePid) {
    try {
      availableGids = mappedIdCount(readFileSync(`/proc/${f.pausePid}/gid_map`, 'utf8'));
    } catch {
      /* unknown: assume all */
    }
  }
  const initPath = findProgram('catatonit');
  // CAP_SYS_RESOURCE (bit 24): without it even root cannot raise hard rlimits.
  const capEff = /^CapEff:\s*([0-9a-f]+)$/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
  const canRaiseRlimits = !ctx.rootless && capEff !== undefined && (BigInt(`0x${capEff}`) >> 24n) % 2n === 1n;
  const host: HostFacts = {
    ...readHostBasics(),
    rootless: ctx.rootless,
    cgroups: { version: 1, usable: !ctx.rootless },
    ...(availableGids !== undefined ? { availableGids } : {}),
    canRaiseRlimits,
    containerId: rec.id,
    files: { resolvConf: f.resolvPath, hosts: f.hostsPath, hostname: f.hostnamePath },
    ...(initPath ? { initPath } : {}),
    ...(f.netnsPath ? { netnsPath: f.netnsPath } : {}),
    sourceMountFlags: readSourceMountFlags(bindSources(config, initPath)),
  };
  const seccomp = readSeccompProfile(config);
  if (seccomp) host.seccompProfile = seccomp;
  const { spec, warnings } = generateSpec({
    config,
    image: imageConfig?.config,
    host,
    users: readContainerUserFiles(f.rootfs),
    rootfs: f.rootfs,
    volumeSources: volumeSources(ctx, rec, config, imageConfig),
    created: rec.created,
  });
  for (const w of warnings) log.warn(w);
  // serializeSpec keeps uint64 rlimits (bigints) exact; JSON.stringify cannot write them
  return serializeSpec(spec, 1);
}
