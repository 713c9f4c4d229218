/**
 * What integration tests use: who the test user is, where the registry and the fixtures are,
 * and how to run tsc-ctr (or anything else) as that user or as root, against a private store.
 *
 *   const h = harness();
 *   const storage = newStorage();                       // fresh store, removed after the file
 *   const r = await runCli(['pull', 'alpine'], { storage });
 *   it.skipIf(!h.root)('rootful …', …);                 // tests that need root
 */
import { spawn } from 'node:child_process';
import { chownSync, mkdirSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { inject } from 'vitest';
import { removeTestDir, RUN_MARKER, STORE_MARKER } from './cleanup.js';
import type { HarnessInfo } from './types.js';

export type { FixtureImage, HarnessInfo, TestUser } from './types.js';
export { startRegistry, manifestDigest, type Registry, type RegistryOptions } from './registry.js';
export { buildImage, pushImage, busyboxLayer, BUSYBOX_CONFIG, type ImageSpec, type LayerSpec, type PushOptions } from './fixtures.js';
export { registriesConf } from './registries-conf.js';

/** What globalSetup prepared (the same object in every test file). */
export function harness(): HarnessInfo {
  const h = inject('harness');
  if (!h) throw new Error('the test harness is not set up: integration tests run in the vitest project "integration" (test/harness/global-setup.ts)');
  return h;
}

export interface RunResult {
  code: number;
  /** The signal that ended the program, if one did (then code is 128 + its number). */
  signal?: NodeJS.Signals;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Run as root (rootful mode) instead of the test user. Needs a root test run (harness().root). */
  asRoot?: boolean;
  /** Extra environment (added to the clean one; `undefined` removes a variable). */
  env?: Record<string, string | undefined>;
  /** Written to stdin, then stdin is closed (default: closed at once). */
  input?: string | Buffer;
  /** Killed (the whole process group) after this long and the promise rejects. Default 60 s. */
  timeoutMs?: number;
  /** Default: the user's home (root: /root). */
  cwd?: string;
  /** Set XDG_RUNTIME_DIR (absent by default, as in a `su` session or CI job). */
  xdgRuntimeDir?: string;
  /**
   * CONTAINERS_REGISTRIES_CONF: the run's registries.conf by default; `false` leaves it unset, so
   * the program reads ~/.config/containers/registries.conf and /etc/containers/registries.conf.
   */
  registriesConf?: string | false;
}

const BASE_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const SIGNALS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGABRT: 6, SIGKILL: 9, SIGSEGV: 11, SIGPIPE: 13, SIGALRM: 14, SIGTERM: 15 };

/** The environment of a fresh login of the test user (or root): nothing inherited from vitest. */
export function cleanEnv(opts: RunOptions = {}): Record<string, string> {
  const h = harness();
  const asRoot = opts.asRoot === true;
  const name = asRoot ? 'root' : h.user.name;
  const env: Record<string, string | undefined> = {
    HOME: asRoot ? '/root' : h.user.home,
    USER: name,
    LOGNAME: name,
    PATH: BASE_PATH,
    LANG: 'C.UTF-8',
    [RUN_MARKER]: h.runId,
    ...(opts.registriesConf !== false ? { CONTAINERS_REGISTRIES_CONF: opts.registriesConf ?? h.registriesConf } : {}),
    ...(opts.xdgRuntimeDir ? { XDG_RUNTIME_DIR: opts.xdgRuntimeDir } : {}),
    ...opts.env,
  };
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v;
  return out;
}

/**
 * Run a program as the test user (spawn with its uid/gid) or, with asRoot, as root, in a clean
 * environment, in its own process group. Resolves with the exit code and the output.
 */
export function runAsUser(cmd: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
  const h = harness();
  if (opts.asRoot && !h.root) {
    return Promise.reject(new Error(`running as root needs a root test run; skip this test with it.skipIf(!harness().root)`));
  }
  const switchUser = !opts.asRoot && h.user.created;
  const timeoutMs = opts.timeoutMs ?? 60_000;
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      env: cleanEnv(opts),
      cwd: opts.cwd ?? (opts.asRoot ? '/root' : h.user.home),
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true, // own process group: a timeout kills everything it started in the foreground
      ...(switchUser ? { uid: h.user.uid, gid: h.user.gid } : {}),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`cannot run ${cmd}: ${err.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (timedOut) {
        reject(new Error(`timed out after ${timeoutMs} ms: ${cmd} ${args.join(' ')}\n--- stdout:\n${stdout}\n--- stderr:\n${stderr}`));
        return;
      }
      resolve({ code: code ?? 128 + (SIGNALS[signal ?? ''] ?? 0), ...(signal ? { signal } : {}), stdout, stderr });
    });
    child.stdin.on('error', () => {}); // the program may exit without reading its stdin
    child.stdin.end(opts.input ?? '');
  });
}

/** A private storage root and run root for one test file, owned by whoever runs the CLI. */
export interface Storage {
  /** The directory holding both (removed, with whatever runs from it, after the test file). */
  dir: string;
  root: string;
  runroot: string;
  asRoot: boolean;
}

/** Stores made in this test file; the setup file disposes of them after the file. */
const stores: Storage[] = [];

/**
 * A fresh, empty store: `--root`/`--runroot` for runCli. Rootless: under the test user's
 * per-run directory, owned by the user. Rootful (asRoot): under the run directory, owned by root.
 */
export function newStorage(opts: { asRoot?: boolean } = {}): Storage {
  const h = harness();
  if (opts.asRoot && !h.root) throw new Error('a rootful store needs a root test run; skip this test with it.skipIf(!harness().root)');
  const dir = mkdtempSync(join(opts.asRoot ? h.runDir : h.userDir, opts.asRoot ? 'rootful-' : 's-'));
  if (!opts.asRoot && h.user.created) chownSync(dir, h.user.uid, h.user.gid);
  const s: Storage = { dir, root: join(dir, 'root'), runroot: join(dir, 'run'), asRoot: opts.asRoot === true };
  stores.push(s);
  return s;
}

/** The same store for programs that are not runCli (e.g. `sh -c 'tsc-ctr …'`): TSC_CTR_ROOT/RUNROOT. */
export function storageEnv(s: Storage): Record<string, string> {
  return { TSC_CTR_ROOT: s.root, TSC_CTR_RUNROOT: s.runroot, [STORE_MARKER]: s.dir };
}

/** Kill what runs from a store (pause process, conmon, containers), unmount and delete it. */
export async function disposeStorage(s: Storage): Promise<void> {
  const i = stores.indexOf(s);
  if (i >= 0) stores.splice(i, 1);
  await removeTestDir(s.dir, [`${STORE_MARKER}=${s.dir}`]);
}

/** Dispose of every store this test file made (called by the setup file after each file). */
export async function disposeAllStorages(): Promise<void> {
  for (const s of [...stores]) await disposeStorage(s);
}

/** A directory the test user owns (e.g. for bind mounts), removed with the run. */
export function userTempDir(prefix = 'tmp-'): string {
  const h = harness();
  const dir = mkdtempSync(join(h.userDir, prefix));
  if (h.user.created) chownSync(dir, h.user.uid, h.user.gid);
  return dir;
}

/**
 * Run `tsc-ctr ARGS…` as the test user (or root: opts.asRoot, or a rootful storage), with
 * `--root`/`--runroot` of the given storage before the command.
 */
export function runCli(args: string[], opts: RunOptions & { storage?: Storage } = {}): Promise<RunResult> {
  const h = harness();
  const s = opts.storage;
  const storageArgs = s ? ['--root', s.root, '--runroot', s.runroot] : [];
  const env = s ? { [STORE_MARKER]: s.dir, ...opts.env } : opts.env;
  return runAsUser(process.execPath, [h.bin, ...storageArgs, ...args], { ...opts, env, asRoot: opts.asRoot ?? s?.asRoot });
}

/** mkdir -p a directory and give it (the last component) to the test user. */
export function mkdirForUser(path: string): string {
  const h = harness();
  mkdirSync(path, { recursive: true });
  if (h.user.created) chownSync(path, h.user.uid, h.user.gid);
  return path;
}
