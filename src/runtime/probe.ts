import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { release, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { type StorePaths, hostUid, isRootless, resolvePaths } from '../config/paths.js';
import { HostError } from '../errors.js';
import { findProgram, writeCacheFile } from '../system/binaries.js';
import { detectCgroupMode } from '../system/cgroups.js';
import { readMountInfo } from '../system/host.js';

/**
 * Which OCI runtime can start a container on this host, found by starting one: a runtime that
 * is installed may still refuse rootless use (crun on a cgroup v1 hybrid host does). The answer
 * is cached in the run root with its reason, keyed by the runtimes' files and the kernel, so only
 * `system check` (and the first command after a change) pays for the probe.
 */

/** Runtimes tsc-ctr knows, in order of preference (DESIGN.md §1: crun if it works, else runc). */
export const RUNTIME_NAMES = ['crun', 'runc'] as const;

export interface RuntimeProbe {
  name: string;
  path: string;
  /** It started a container here. */
  ok: boolean;
  /** The runtime's own words when it could not (or why the probe could not run it). */
  error?: string;
  /** ISO time of the probe. */
  probedAt: string;
  /** Taken from the cache rather than probed now. */
  cached: boolean;
}

export interface ProbeOptions {
  /** Probe again even when the cache is valid (`system check`). */
  force?: boolean;
  /** Where the cache lives; default resolvePaths(). */
  paths?: StorePaths;
  /** Runtime names or paths to probe; default the installed ones of RUNTIME_NAMES. */
  runtimes?: string[];
  pathEnv?: string | undefined;
  /** Per-runtime time limit. */
  timeoutMs?: number;
}

const CACHE_NAME = 'runtime-probe.json';

interface CacheEntry {
  key: string;
  ok: boolean;
  error?: string;
  probedAt: string;
}

interface CacheFile {
  version: 1;
  host: string;
  runtimes: Record<string, CacheEntry>;
}

/** What invalidates every entry: the kernel, who we are, and the cgroup layout. */
function hostKey(): string {
  return [release(), hostUid(), isRootless() ? 'rootless' : 'rootful', detectCgroupMode(readMountInfo())].join('|');
}

function fileKey(path: string): string {
  const st = statSync(path);
  return `${st.ino}:${st.size}:${st.mtimeMs}`;
}

function readCache(runRoot: string, host: string): CacheFile {
  try {
    const c = JSON.parse(readFileSync(join(runRoot, CACHE_NAME), 'utf8')) as CacheFile;
    if (c.version === 1 && c.host === host && c.runtimes && typeof c.runtimes === 'object') return c;
  } catch {
    /* none yet */
  }
  return { version: 1, host, runtimes: {} };
}

/** Installed runtimes as {name, path}, in preference order. */
export function installedRuntimes(pathEnv: string | undefined = process.env.PATH): { name: string; path: string }[] {
  const out: { name: string; path: string }[] = [];
  for (const name of RUNTIME_NAMES) {
    const path = findProgram(name, pathEnv);
    if (path) out.push({ name, path });
  }
  return out;
}

/** The top-level entries of / a minimal rootfs mirrors: symlinks copied, real dirs bind-mounted. */
const HOST_DIRS = ['bin', 'sbin', 'lib', 'lib32', 'lib64', 'libx32'];

export interface ProbeBundle {
  dir: string;
  spec: Record<string, unknown>;
}

/**
 * The runtime spec of the probe container: the host's /usr (and /bin, /lib… when they are real
 * directories) bind-mounted read-only into an empty rootfs, running `true`. No cgroupsPath and
 * no resources, like a rootless container on a host without delegation; the namespaces a real
 * container gets (pid, ipc, uts, mount, network). Pure: `binds` are the host dirs to bind.
 */
export function probeSpec(truePath: string, binds: string[]): Record<string, unknown> {
  return {
    ociVersion: '1.0.2',
    process: {
      terminal: false,
      user: { uid: 0, gid: 0 },
      args: [truePath],
      env: ['PATH=/usr/sbin:/usr/bin:/sbin:/bin'],
      cwd: '/',
      noNewPrivileges: true,
    },
    root: { path: 'rootfs', readonly: true },
    hostname: 'tsc-ctr-probe',
    mounts: [
      { destination: '/proc', type: 'proc', source: 'proc' },
      { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
      ...binds.map((d) => ({ destination: d, type: 'bind', source: d, options: ['rbind', 'ro', 'nosuid', 'nodev'] })),
    ],
    linux: {
      namespaces: [{ type: 'pid' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }, { type: 'network' }],
    },
  };
}

/** Write the probe bundle (rootfs + config.json) under `dir`. */
export function writeProbeBundle(dir: string): ProbeBundle {
  const rootfs = join(dir, 'rootfs');
  for (const d of ['usr', 'proc', 'dev', 'tmp']) mkdirSync(join(rootfs, d), { recursive: true });
  const binds = ['/usr'];
  for (const name of HOST_DIRS) {
    let st;
    try {
      st = lstatSync(`/${name}`);
    } catch {
      continue;
    }
    if (st.isSymbolicLink()) symlinkSync(readlinkSync(`/${name}`), join(rootfs, name));
    else if (st.isDirectory()) {
      mkdirSync(join(rootfs, name));
      binds.push(`/${name}`);
    }
  }
  const truePath = existsSync('/usr/bin/true') ? '/usr/bin/true' : '/bin/true';
  const spec = probeSpec(truePath, binds);
  writeFileSync(join(dir, 'config.json'), JSON.stringify(spec, null, 1));
  return { dir, spec };
}

/** The runtime's stderr as one line: runc's JSON log lines unwrapped, its own name prefix dropped. */
export function cleanRuntimeError(stderr: string, name: string): string {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => {
      if (l.startsWith('{')) {
        try {
          const j = JSON.parse(l) as { msg?: string };
          if (typeof j.msg === 'string') return j.msg;
        } catch {
          /* plain text */
        }
      }
      return l;
    })
    .map((l) => l.replace(/^time="[^"]*" level=\w+ msg="(.*)"$/, '$1'))
    .map((l) => (l.startsWith(`${name}: `) ? l.slice(name.length + 2) : l));
  const text = lines.join('; ').replace(/\s+/g, ' ');
  return text.length > 400 ? `${text.slice(0, 397)}...` : text;
}

/** Start the probe container once with `runtimePath`; rootless inside `unshare --user --map-root-user`. */
export async function probeRuntime(runtimePath: string, opts: { pathEnv?: string | undefined; timeoutMs?: number } = {}): Promise<{ ok: boolean; error?: string }> {
  const name = basename(runtimePath);
  let prefix: string[] = [];
  // A rootless process outside any user namespace: give the runtime one, as the pause process does.
  if (process.getuid && process.getuid() !== 0) {
    const unshare = findProgram('unshare', opts.pathEnv ?? process.env.PATH);
    if (!unshare) return { ok: false, error: 'cannot test it: unshare (util-linux) not found on PATH' };
    prefix = [unshare, '--user', '--map-root-user', '--'];
  }
  const work = mkdtempSync(join(tmpdir(), 'tsc-ctr-probe-'));
  try {
    const bundle = join(work, 'bundle');
    const state = join(work, 'state');
    mkdirSync(bundle);
    mkdirSync(state, { mode: 0o700 });
    writeProbeBundle(bundle);
    const id = `tsc-ctr-probe-${process.pid}-${randomBytes(3).toString('hex')}`;
    const argv = [...prefix, runtimePath, '--root', state, 'run', '--bundle', bundle, id];
    const timeoutMs = opts.timeoutMs ?? 15000;
    const r = await new Promise<{ code: number | null; stderr: string; timedOut: boolean; spawnError?: string }>((resolve) => {
      const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'ignore', 'pipe'], cwd: work, env: process.env });
      let stderr = '';
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        child.kill('SIGKILL');
      }, timeoutMs);
      child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('error', (e) => {
        clearTimeout(timer);
        resolve({ code: null, stderr, timedOut, spawnError: e.message });
      });
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code, stderr, timedOut });
      });
    });
    if (r.spawnError) return { ok: false, error: `cannot execute ${runtimePath}: ${r.spawnError}` };
    if (r.timedOut) return { ok: false, error: `starting a test container did not finish within ${timeoutMs / 1000}s` };
    if (r.code === 0) return { ok: true };
    const text = cleanRuntimeError(r.stderr, name);
    return { ok: false, error: text || `${name} exited with status ${r.code}` };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * Probe each runtime (cached unless `force`). Results are in the order asked, only for runtimes
 * that exist; a runtime given by path that does not exist is reported as not ok.
 */
export async function probeRuntimes(opts: ProbeOptions = {}): Promise<RuntimeProbe[]> {
  const paths = opts.paths ?? resolvePaths();
  const pathEnv = opts.pathEnv ?? process.env.PATH;
  const wanted = opts.runtimes
    ? opts.runtimes.map((r) => ({ name: basename(r), path: findProgram(r, pathEnv) ?? r }))
    : installedRuntimes(pathEnv);
  const host = hostKey();
  const cache = readCache(paths.runRoot, host);
  let dirty = false;
  const results = await Promise.all(
    wanted.map(async ({ name, path }): Promise<RuntimeProbe> => {
      let key: string;
      try {
        key = fileKey(path);
      } catch {
        return { name, path, ok: false, error: `${path} not found`, probedAt: new Date().toISOString(), cached: false };
      }
      const hit = cache.runtimes[path];
      if (!opts.force && hit && hit.key === key) {
        return { name, path, ok: hit.ok, ...(hit.error ? { error: hit.error } : {}), probedAt: hit.probedAt, cached: true };
      }
      const r = await probeRuntime(path, { pathEnv, ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}) });
      const probedAt = new Date().toISOString();
      cache.runtimes[path] = { key, ok: r.ok, ...(r.error ? { error: r.error } : {}), probedAt };
      dirty = true;
      return { name, path, ok: r.ok, ...(r.error ? { error: r.error } : {}), probedAt, cached: false };
    }),
  );
  if (dirty) writeCacheFile(paths.runRoot, CACHE_NAME, cache);
  return results;
}

export interface ChosenRuntime {
  name: string;
  path: string;
  /** Why this one: asked for, or which others failed and how. */
  reason: string;
}

/**
 * The runtime to use: `preferred` (a name or path, from --runtime) as given, else the first of
 * RUNTIME_NAMES that can start a container here.
 */
export async function chooseRuntime(preferred?: string, opts: Omit<ProbeOptions, 'runtimes'> = {}): Promise<ChosenRuntime> {
  const pathEnv = opts.pathEnv ?? process.env.PATH;
  if (preferred) {
    const path = findProgram(preferred, pathEnv);
    if (!path) {
      throw new HostError(
        preferred.includes('/') ? `OCI runtime ${preferred} not found or not executable` : `OCI runtime "${preferred}" not found on PATH`,
        'TSC_ERR_RUNTIME_NOT_FOUND',
      );
    }
    return { name: basename(path), path, reason: 'chosen with --runtime' };
  }
  const probes = await probeRuntimes(opts);
  if (probes.length === 0) {
    throw new HostError(`no OCI runtime found: install crun or runc (searched ${RUNTIME_NAMES.join(', ')} on PATH)`, 'TSC_ERR_RUNTIME_NOT_FOUND');
  }
  const good = probes.find((p) => p.ok);
  const failed = probes.filter((p) => !p.ok && (!good || probes.indexOf(p) < probes.indexOf(good)));
  const why = failed.map((p) => `${p.name} cannot run containers here: ${p.error}`).join('; ');
  if (!good) {
    throw new HostError(`no OCI runtime can start a container here: ${why} (run \`tsc-ctr system check\`)`, 'TSC_ERR_RUNTIME_UNUSABLE');
  }
  return { name: good.name, path: good.path, reason: why ? `${why}; ${good.name} will be used` : `${good.name} can start containers here` };
}
