import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A running registry: Debian's docker-registry (CNCF distribution 2.8) on loopback. */
export interface Registry {
  /** host:port on 127.0.0.1 */
  host: string;
  /** http://host:port or https://host:port */
  url: string;
  /** The temp directory holding the config and the blobs (deleted by stop). */
  dir: string;
  stop(): Promise<void>;
}

export interface RegistryOptions {
  /** Contents of an htpasswd file (bcrypt entries): the registry then requires Basic auth. */
  htpasswd?: string;
  /** Serve https with this certificate and key (PEM file paths). */
  tls?: { certificate: string; key: string };
  /** Parent of the storage dir (default: the system temp dir). */
  parentDir?: string;
  /** Extra top-level YAML appended to the config (e.g. a `notifications:` or `proxy:` section). */
  extraConfig?: string;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

/** distribution's config.yml (version 0.1): filesystem storage, deletes allowed, one listener. */
export function registryConfig(dir: string, port: number, opts: RegistryOptions): string {
  const lines = [
    'version: 0.1',
    'log:',
    '  level: error',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${join(dir, 'data')}`,
    '  delete:',
    '    enabled: true',
    'http:',
    `  addr: 127.0.0.1:${port}`,
  ];
  if (opts.tls) lines.push('  tls:', `    certificate: ${opts.tls.certificate}`, `    key: ${opts.tls.key}`);
  if (opts.htpasswd !== undefined) lines.push('auth:', '  htpasswd:', '    realm: tsc-ctr-test', `    path: ${join(dir, 'htpasswd')}`);
  return `${lines.join('\n')}\n${opts.extraConfig ?? ''}`;
}

async function startOnce(opts: RegistryOptions): Promise<Registry | 'port-taken'> {
  const dir = mkdtempSync(join(opts.parentDir ?? tmpdir(), 'tsc-registry-'));
  const port = await freePort();
  if (opts.htpasswd !== undefined) writeFileSync(join(dir, 'htpasswd'), opts.htpasswd);
  writeFileSync(join(dir, 'config.yml'), registryConfig(dir, port, opts));
  chmodSync(dir, 0o755);
  const proc = spawn('docker-registry', ['serve', join(dir, 'config.yml')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (d: Buffer) => {
    if (stderr.length < 64_000) stderr += d.toString();
  });
  let spawnError: Error | undefined;
  proc.on('error', (e) => (spawnError = e));
  const host = `127.0.0.1:${port}`;
  const url = `${opts.tls ? 'https' : 'http'}://${host}`;
  const stop = async (): Promise<void> => {
    if (proc.exitCode === null && proc.signalCode === null) {
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      const t = setTimeout(() => proc.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(t);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (spawnError) {
      await stop();
      throw new Error(`cannot start docker-registry (install the docker-registry package): ${spawnError.message}`);
    }
    if (proc.exitCode !== null) {
      await stop();
      if (/address already in use/.test(stderr)) return 'port-taken';
      throw new Error(`docker-registry exited with status ${proc.exitCode}: ${stderr.trim()}`);
    }
    try {
      // Any answer to /v2/ means it is serving; 401 when auth is on. Self-signed TLS is not
      // verified here: this only waits for the listener.
      if (opts.tls) {
        const { request } = await import('node:https');
        await new Promise<void>((resolve, reject) => {
          const req = request(`${url}/v2/`, { rejectUnauthorized: false }, (res) => {
            res.resume();
            resolve();
          });
          req.on('error', reject);
          req.end();
        });
        break;
      }
      const r = await fetch(`${url}/v2/`);
      if (r.status === 200 || r.status === 401) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`docker-registry did not answer ${url}/v2/ within 20 s: ${stderr.trim()}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { host, url, dir, stop };
}

/**
 * Start a registry on 127.0.0.1 with a free port and temp storage, and wait until GET /v2/
 * answers. Call as often as needed: each instance has its own port, storage and options.
 */
export async function startRegistry(opts: RegistryOptions = {}): Promise<Registry> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const r = await startOnce(opts);
    if (r !== 'port-taken') return r;
  }
  throw new Error('docker-registry: no free port after 5 attempts');
}

const MANIFEST_TYPES = [
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
].join(', ');

/** The digest the registry gives a manifest (plain http, no auth). */
export async function manifestDigest(host: string, repository: string, tag: string): Promise<string> {
  const r = await fetch(`http://${host}/v2/${repository}/manifests/${tag}`, { method: 'HEAD', headers: { Accept: MANIFEST_TYPES } });
  const digest = r.headers.get('docker-content-digest');
  if (r.status !== 200 || !digest) throw new Error(`HEAD ${host}/v2/${repository}/manifests/${tag}: HTTP ${r.status}`);
  return digest;
}
