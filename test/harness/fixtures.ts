import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** One layer: changes made to the previous layer's rootfs (run as root, so owners are real). */
export type LayerSpec = (rootfs: string) => void;

export interface ImageConfigSpec {
  cmd?: string[];
  entrypoint?: string[];
  env?: string[];
  labels?: Record<string, string>;
  user?: string;
  workdir?: string;
  exposedPorts?: string[];
  stopSignal?: string;
}

export interface ImageSpec {
  layers: LayerSpec[];
  config?: ImageConfigSpec;
  architecture?: string;
  os?: string;
}

function run(cmd: string, args: string[], cwd?: string): string {
  return execFileSync(cmd, args, { encoding: 'utf8', cwd, stdio: ['ignore', 'pipe', 'pipe'] });
}

const asRoot = process.getuid?.() === 0;

/**
 * Build an image into an OCI layout with umoci (independent of tsc-ctr's code). Returns the
 * `oci:DIR:TAG` reference skopeo understands.
 */
export function buildImage(layout: string, tag: string, spec: ImageSpec): string {
  if (!spec.layers.length) throw new Error('an image needs at least one layer');
  try {
    run('umoci', ['stat', '--image', `${layout}:__probe__`]);
  } catch {
    /* expected */
  }
  try {
    run('ls', [join(layout, 'index.json')]);
  } catch {
    run('umoci', ['init', '--layout', layout]);
  }
  run('umoci', ['new', '--image', `${layout}:${tag}`]);
  const bundle = `${layout}.bundle-${tag}`;
  for (const layer of spec.layers) {
    rmSync(bundle, { recursive: true, force: true });
    run('umoci', ['unpack', ...(asRoot ? [] : ['--rootless']), '--image', `${layout}:${tag}`, bundle]);
    layer(join(bundle, 'rootfs'));
    run('umoci', ['repack', '--image', `${layout}:${tag}`, bundle]);
  }
  rmSync(bundle, { recursive: true, force: true });
  const c = spec.config ?? {};
  const args = ['config', '--image', `${layout}:${tag}`, '--architecture', spec.architecture ?? 'amd64', '--os', spec.os ?? 'linux', '--author', 'tsc-ctr tests'];
  if (c.cmd) for (const a of c.cmd) args.push('--config.cmd', a);
  if (c.entrypoint) for (const a of c.entrypoint) args.push('--config.entrypoint', a);
  for (const e of c.env ?? ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin']) args.push('--config.env', e);
  for (const [k, v] of Object.entries(c.labels ?? {})) args.push('--config.label', `${k}=${v}`);
  if (c.user) args.push('--config.user', c.user);
  if (c.workdir) args.push('--config.workingdir', c.workdir);
  for (const p of c.exposedPorts ?? []) args.push('--config.exposedports', p);
  if (c.stopSignal) args.push('--config.stopsignal', c.stopSignal);
  run('umoci', args);
  return `oci:${layout}:${tag}`;
}

export interface PushOptions {
  /** Layer compression on the registry side. */
  compression?: 'gzip' | 'zstd' | 'none';
  /** Manifest format: OCI (default) or Docker schema 2. */
  format?: 'oci' | 'v2s2';
}

/** skopeo copy to a plain-http registry. */
export function pushImage(src: string, dest: string, opts: PushOptions = {}): void {
  const args = ['copy', '--quiet', '--dest-tls-verify=false'];
  if (opts.format) args.push('--format', opts.format);
  if (opts.compression === 'zstd') args.push('--dest-compress-format', 'zstd');
  if (opts.compression === 'none') args.push('--dest-decompress');
  run('skopeo', [...args, src, `docker://${dest}`]);
}

/** A busybox-static rootfs: the applets as symlinks, passwd/group with root, nobody and app (1000). */
export const busyboxLayer: LayerSpec = (rootfs) => {
  for (const d of ['bin', 'etc', 'root', 'tmp', 'home/app', 'var/tmp', 'proc', 'sys', 'dev']) mkdirSync(join(rootfs, d), { recursive: true });
  chmodSync(join(rootfs, 'tmp'), 0o1777);
  copyFileSync('/bin/busybox', join(rootfs, 'bin/busybox'));
  chmodSync(join(rootfs, 'bin/busybox'), 0o755);
  const applets = run('/bin/busybox', ['--list']).split('\n').filter((a) => a && a !== 'busybox');
  for (const a of applets) {
    try {
      symlinkSync('busybox', join(rootfs, 'bin', a));
    } catch {
      /* exists */
    }
  }
  writeFileSync(join(rootfs, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/home/app:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n');
  writeFileSync(join(rootfs, 'etc/group'), 'root:x:0:\napp:x:1000:app\nnogroup:x:65534:\n');
  if (asRoot) execFileSync('chown', ['1000:1000', join(rootfs, 'home/app')]);
};

export const BUSYBOX_CONFIG: ImageConfigSpec = {
  cmd: ['/bin/sh'],
  env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
  labels: { 'org.tsc-ctr.fixture': 'busybox' },
};
