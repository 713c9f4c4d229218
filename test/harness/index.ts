import { spawn } from 'node:child_process';
import { chownSync, mkdirSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { inject } from 'vitest';
import type { HarnessInfo } from './types.js';

export type { HarnessInfo } from './types.js';

export function harness(): HarnessInfo {
  return inject('harness');
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Run as root (rootful mode) instead of the test user. */
  asRoot?: boolean;
  env?: Record<string, string>;
  input?: string;
  timeoutMs?: number;
  cwd?: string;
}

const BASE_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Run any program as the test user (or as root), with a clean environment like a login. */
export function runAsUser(cmd: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
  const h = harness();
  const asUser = !opts.asRoot && h.user.created;
  const home = opts.asRoot ? '/root' : h.user.home;
  const env: Record<string, string> = {
    HOME: home,
    USER: opts.asRoot ? 'root' : h.user.name,
    LOGNAME: opts.asRoot ? 'root' : h.user.name,
    PATH: BASE_PATH,
    LANG: 'C.UTF-8',
    ...(opts.asRoot ? { CONTAINERS_REGISTRIES_CONF: h.rootRegistriesConf } : {}),
    ...opts.env,
  };
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      env,
      cwd: opts.cwd ?? home,
      stdio: ['pipe', 'pipe', 'pipe'],
      ...(asUser ? { uid: h.user.uid, gid: h.user.gid } : {}),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`timed out after ${opts.timeoutMs ?? 60_000} ms: ${cmd} ${args.join(' ')}\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, opts.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr });
    });
    child.stdin.on('error', () => {}); // the program may exit without reading its stdin
    child.stdin.end(opts.input ?? '');
  });
}

/** A private storage root and run root for one test file, owned by whoever runs the CLI. */
export interface Storage {
  root: string;
  runroot: string;
  asRoot: boolean;
}

export function newStorage(opts: { asRoot?: boolean } = {}): Storage {
  const h = harness();
  if (opts.asRoot) {
    const base = mkdtempSync('/tmp/tsc-root-store-');
    return { root: join(base, 'root'), runroot: join(base, 'run'), asRoot: true };
  }
  const base = join(h.user.home, 'stores');
  mkdirSync(base, { recursive: true });
  const dir = mkdtempSync(join(base, 's-'));
  if (h.user.created) {
    chownSync(base, h.user.uid, h.user.gid);
    chownSync(dir, h.user.uid, h.user.gid);
  }
  return { root: join(dir, 'root'), runroot: join(dir, 'run'), asRoot: false };
}

/** Run `tsc-ctr args…` as the test user (or root), optionally against a private storage. */
export function runCli(args: string[], opts: RunOptions & { storage?: Storage } = {}): Promise<RunResult> {
  const h = harness();
  const s = opts.storage;
  const storageArgs = s ? ['--root', s.root, '--runroot', s.runroot] : [];
  return runAsUser(process.execPath, [h.bin, ...storageArgs, ...args], { ...opts, asRoot: opts.asRoot ?? s?.asRoot });
}
