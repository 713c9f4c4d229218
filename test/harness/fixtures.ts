/**
 * Fixture images, built only with independent tools (umoci builds the OCI layout, skopeo pushes
 * it), never with tsc-ctr's own code: a bug in our image handling cannot hide itself here.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, lchownSync, linkSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { manifestDigest } from './registry.js';
import type { FixtureImage } from './types.js';

/** One entry of a declarative layer. Owners apply only when the harness runs as root. */
export type FileSpec =
  | string
  | { content: string | Buffer; mode?: number; uid?: number; gid?: number }
  | { dir: true; mode?: number; uid?: number; gid?: number }
  | { symlink: string; uid?: number; gid?: number }
  /** a hard link to another path of the rootfs (as in the image, e.g. `/bin/busybox`) */
  | { hardlink: string };

export interface LayerFiles {
  /** Paths (absolute inside the image) removed first: umoci repack turns them into whiteouts. */
  remove?: string[];
  files?: Record<string, FileSpec>;
}

/**
 * One layer: the changes made on top of the previous layers' rootfs, either declared or made by
 * a function that edits the unpacked rootfs directly.
 */
export type LayerSpec = LayerFiles | ((rootfs: string) => void);

export interface ImageConfigSpec {
  cmd?: string[];
  entrypoint?: string[];
  /** Default: a standard PATH. */
  env?: string[];
  labels?: Record<string, string>;
  user?: string;
  workdir?: string;
  exposedPorts?: string[];
  volumes?: string[];
  stopSignal?: string;
}

export interface ImageSpec {
  layers: LayerSpec[];
  config?: ImageConfigSpec;
  /** OCI architecture; default: this machine's. */
  architecture?: string;
  os?: string;
}

const asRoot = process.getuid?.() === 0;

function run(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`${cmd} ${args.join(' ')}: ${(e.stderr || e.message).trim()}`);
  }
}

/** Node's process.arch as an OCI architecture. */
export function hostArchitecture(): string {
  const map: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' };
  return map[process.arch] ?? process.arch;
}

function applyFiles(rootfs: string, layer: LayerFiles): void {
  for (const p of layer.remove ?? []) rmSync(join(rootfs, p), { recursive: true, force: true });
  for (const [p, spec] of Object.entries(layer.files ?? {})) {
    const path = join(rootfs, p);
    mkdirSync(dirname(path), { recursive: true });
    rmSync(path, { recursive: true, force: true });
    const s = typeof spec === 'string' ? { content: spec } : spec;
    if ('dir' in s) {
      mkdirSync(path, { recursive: true });
      chmodSync(path, s.mode ?? 0o755);
    } else if ('symlink' in s) {
      symlinkSync(s.symlink, path);
    } else if ('hardlink' in s) {
      linkSync(join(rootfs, s.hardlink), path);
      continue;
    } else {
      writeFileSync(path, s.content);
      chmodSync(path, s.mode ?? 0o644);
    }
    if (asRoot && ('uid' in s || 'gid' in s)) lchownSync(path, s.uid ?? 0, s.gid ?? 0);
  }
}

/**
 * Build an image into an OCI layout with umoci: one `unpack`/edit/`repack` per layer, then the
 * config. Returns the `oci:LAYOUT:TAG` reference skopeo reads. As root the rootfs keeps real
 * owners; otherwise umoci runs --rootless (everything owned by root in the image).
 */
export function buildImage(layout: string, tag: string, spec: ImageSpec): string {
  if (!spec.layers.length) throw new Error('an image needs at least one layer');
  if (!existsSync(join(layout, 'index.json'))) run('umoci', ['init', '--layout', layout]);
  const image = `${layout}:${tag}`;
  run('umoci', ['new', '--image', image]);
  const bundle = `${layout}.bundle-${tag}`;
  try {
    for (const layer of spec.layers) {
      rmSync(bundle, { recursive: true, force: true });
      run('umoci', ['unpack', ...(asRoot ? [] : ['--rootless']), '--image', image, bundle]);
      const rootfs = join(bundle, 'rootfs');
      if (typeof layer === 'function') layer(rootfs);
      else applyFiles(rootfs, layer);
      run('umoci', ['repack', '--image', image, bundle]);
    }
  } finally {
    rmSync(bundle, { recursive: true, force: true });
  }
  const c = spec.config ?? {};
  const args = ['config', '--image', image, '--architecture', spec.architecture ?? hostArchitecture(), '--os', spec.os ?? 'linux', '--author', 'tsc-ctr tests'];
  for (const a of c.cmd ?? []) args.push('--config.cmd', a);
  for (const a of c.entrypoint ?? []) args.push('--config.entrypoint', a);
  for (const e of c.env ?? ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin']) args.push('--config.env', e);
  for (const [k, v] of Object.entries(c.labels ?? {})) args.push('--config.label', `${k}=${v}`);
  if (c.user) args.push('--config.user', c.user);
  if (c.workdir) args.push('--config.workingdir', c.workdir);
  for (const p of c.exposedPorts ?? []) args.push('--config.exposedports', p);
  for (const v of c.volumes ?? []) args.push('--config.volume', v);
  if (c.stopSignal) args.push('--config.stopsignal', c.stopSignal);
  run('umoci', args);
  return `oci:${image}`;
}

export interface PushOptions {
  /** Layer compression in the registry (default: as built, gzip). */
  compression?: 'gzip' | 'zstd' | 'none';
  /** Manifest format: as built (OCI) unless set; `v2s2` for Docker schema 2. */
  format?: 'oci' | 'v2s2';
  /** `user:password` for a registry with auth. */
  creds?: string;
}

/** `skopeo copy` from an OCI layout to a registry on plain http (or self-signed https). */
export function pushImage(src: string, dest: string, opts: PushOptions = {}): void {
  const args = ['copy', '--quiet', '--dest-tls-verify=false'];
  if (opts.format) args.push('--format', opts.format);
  if (opts.compression === 'zstd') args.push('--dest-compress-format', 'zstd');
  if (opts.compression === 'gzip') args.push('--dest-compress-format', 'gzip');
  if (opts.compression === 'none') args.push('--dest-decompress');
  if (opts.creds) args.push('--dest-creds', opts.creds);
  run('skopeo', [...args, src, `docker://${dest}`]);
}

const BUSYBOX = '/bin/busybox';

/**
 * A busybox-static rootfs: /bin/busybox and a symlink per applet (`busybox --list`), passwd
 * and group with root, app (1000) and nobody, a sticky /tmp, and /home/app owned by 1000.
 */
export const busyboxLayer: LayerSpec = (rootfs) => {
  if (!existsSync(BUSYBOX)) throw new Error(`${BUSYBOX} is missing: install busybox-static (./scripts/setup --test)`);
  for (const d of ['bin', 'etc', 'root', 'tmp', 'home/app', 'var/tmp', 'proc', 'sys', 'dev']) mkdirSync(join(rootfs, d), { recursive: true });
  chmodSync(join(rootfs, 'tmp'), 0o1777);
  chmodSync(join(rootfs, 'var/tmp'), 0o1777);
  chmodSync(join(rootfs, 'root'), 0o700);
  copyFileSync(BUSYBOX, join(rootfs, 'bin/busybox'));
  chmodSync(join(rootfs, 'bin/busybox'), 0o755);
  for (const a of run(BUSYBOX, ['--list']).split('\n')) {
    if (a && a !== 'busybox' && !existsSync(join(rootfs, 'bin', a))) symlinkSync('busybox', join(rootfs, 'bin', a));
  }
  writeFileSync(
    join(rootfs, 'etc/passwd'),
    'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/home/app:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n',
  );
  writeFileSync(join(rootfs, 'etc/group'), 'root:x:0:\napp:x:1000:app\nnogroup:x:65534:\n');
  if (asRoot) lchownSync(join(rootfs, 'home/app'), 1000, 1000);
};

export const BUSYBOX_CONFIG: ImageConfigSpec = {
  cmd: ['/bin/sh'],
  env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
  labels: { 'org.tsc-ctr.fixture': 'busybox' },
};

/** A fixture: what to build, and where in the registry to push it (repository:tag, no host). */
export interface FixtureDef {
  image: ImageSpec;
  push: Record<string, { dest: string } & PushOptions>;
}

/**
 * The standard fixtures, by name. The same busybox image is pushed under several names so
 * that `alpine` (docker.io/library/alpine through the mirror) resolves offline.
 */
export const FIXTURES: Record<string, FixtureDef> = {
  busybox: {
    image: { layers: [busyboxLayer], config: BUSYBOX_CONFIG },
    push: {
      busybox: { dest: 'library/busybox:latest' },
      alpine: { dest: 'library/alpine:latest' },
      alpine3: { dest: 'library/alpine:3' },
      tscBusybox: { dest: 'tsc/busybox:latest' },
    },
  },
};

/** Build every fixture into `layout` and push it to the registry at `host`. */
export async function buildFixtures(layout: string, host: string, defs: Record<string, FixtureDef> = FIXTURES): Promise<Record<string, FixtureImage>> {
  const out: Record<string, FixtureImage> = {};
  for (const [tag, def] of Object.entries(defs)) {
    const src = buildImage(layout, tag, def.image);
    for (const [name, p] of Object.entries(def.push)) {
      pushImage(src, `${host}/${p.dest}`, p);
      const i = p.dest.lastIndexOf(':');
      const repository = p.dest.slice(0, i);
      const t = p.dest.slice(i + 1);
      out[name] = { ref: `${host}/${p.dest}`, repository, tag: t, digest: await manifestDigest(host, repository, t), labels: def.image.config?.labels ?? {} };
    }
  }
  return out;
}
