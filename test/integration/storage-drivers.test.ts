// Storage drivers: each one forced on a fresh store runs a multi-layer image with a whiteout and
// an opaque directory, commits a container and runs the commit, copies out, mounts a 120-layer
// image; the store keeps its driver and refuses another.
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { busyboxLayer, harness, newStorage, runCli, userTempDir, type Storage } from '../harness/index.js';

const LAYER_TYPE = 'application/vnd.oci.image.layer.v1.tar';

/** Write a blob into the layout; returns its descriptor. */
function blob(layout: string, data: Buffer, mediaType: string): { mediaType: string; digest: string; size: number } {
  const hex = createHash('sha256').update(data).digest('hex');
  writeFileSync(join(layout, 'blobs', 'sha256', hex), data);
  return { mediaType, digest: `sha256:${hex}`, size: data.length };
}

/** A layer tar of a directory made by GNU tar, owners 0:0 (marker files are plain files there). */
function tarOf(dir: string): Buffer {
  return execFileSync('tar', ['--numeric-owner', '--owner=0', '--group=0', '--sort=name', '--mtime=@1700000000', '-C', dir, '-cf', '-', '.'], { maxBuffer: 64 << 20 });
}

/**
 * An OCI layout written by hand (independent of our code), one image per tag: each layer is a
 * directory tree filled by a function.
 */
function writeLayout(layout: string, images: Record<string, ((dir: string) => void)[]>): void {
  mkdirSync(join(layout, 'blobs', 'sha256'), { recursive: true });
  writeFileSync(join(layout, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  const manifests = [];
  const scratch = mkdtempSync(join(harness().runDir, 'drv-layers-'));
  let n = 0;
  for (const [tag, fills] of Object.entries(images)) {
    const layers = [];
    for (const fill of fills) {
      const dir = join(scratch, String(n++));
      mkdirSync(dir);
      fill(dir);
      layers.push(blob(layout, tarOf(dir), LAYER_TYPE));
    }
    const config = {
      architecture: 'amd64',
      os: 'linux',
      config: { Env: ['PATH=/usr/sbin:/usr/bin:/sbin:/bin'], Cmd: ['/bin/sh'] },
      rootfs: { type: 'layers', diff_ids: layers.map((l) => l.digest) },
    };
    const cfg = blob(layout, Buffer.from(JSON.stringify(config)), 'application/vnd.oci.image.config.v1+json');
    const manifest = { schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: cfg, layers };
    const m = blob(layout, Buffer.from(JSON.stringify(manifest)), manifest.mediaType);
    manifests.push({ ...m, annotations: { 'org.opencontainers.image.ref.name': tag } });
  }
  writeFileSync(join(layout, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests }));
  execFileSync('chmod', ['-R', 'a+rX', join(layout, '..')]);
}

const files = (entries: Record<string, string>) => (dir: string) => {
  for (const [p, content] of Object.entries(entries)) {
    mkdirSync(join(dir, p, '..'), { recursive: true });
    writeFileSync(join(dir, p), content);
  }
};

/** base, then a layer adding files, then one deleting a file and making a dir opaque. */
const MULTI = [
  busyboxLayer,
  files({ 'gone.txt': 'gone\n', 'keep.txt': 'keep\n', 'opq/old.txt': 'old\n', 'opq/sub/older.txt': 'older\n' }),
  (dir: string) => {
    files({ '.wh.gone.txt': '', 'opq/.wh..wh..opq': '', 'opq/new.txt': 'new\n' })(dir);
    chmodSync(join(dir, 'opq'), 0o755);
  },
];

/** 120 layers: busybox and 119 one-file layers. */
const MANY = [busyboxLayer, ...Array.from({ length: 119 }, (_, i) => files({ [`layers/n${String(i).padStart(3, '0')}`]: `${i}\n` }))];

const DRIVERS = ['overlay', 'fuse-overlayfs'] as const;

let layout: string;

beforeAll(() => {
  layout = join(mkdtempSync(join(harness().runDir, 'drv-layout-')), 'layout');
  writeLayout(layout, { multi: MULTI, many: MANY });
}, 180_000);

const CASES = [...DRIVERS.map((d) => [d, 'rootless'] as const), ...DRIVERS.map((d) => [d, 'rootful'] as const)];

describe.each(CASES)('storage driver %s (%s)', (driver, mode) => {
  let storage: Storage;
  const cli = (args: string[], timeoutMs = 120_000) => runCli(['--storage-driver', driver, ...args], { storage, timeoutMs });
  if (mode === 'rootful' && !harness().root) return;

  beforeAll(async () => {
    storage = newStorage({ asRoot: mode === 'rootful' });
    const l = await cli(['load', '-q', '-i', layout]);
    expect(l.stderr).toBe('');
    expect(l.code).toBe(0);
  }, 240_000);

  it('is recorded in the store and shown by info', async () => {
    const rec = JSON.parse(readFileSync(join(storage.root, 'driver.json'), 'utf8'));
    expect(rec.driver).toBe(driver);
    // without the flag the store keeps its driver
    const info = JSON.parse((await runCli(['info', '--format', 'json'], { storage })).stdout);
    expect(info.store.graphDriverName).toBe('overlay'); // Podman's name for both overlay kinds
    expect(info.store.graphStatus['Native Overlay Diff']).toBe(String(driver === 'overlay'));
    expect(Boolean(info.store.graphOptions['overlay.mount_program'])).toBe(driver === 'fuse-overlayfs');
  });

  it('runs an image with a whiteout and an opaque dir, mounted by the driver', async () => {
    const r = await runCli(
      ['run', '--name', 'w', 'multi', 'sh', '-c', 'ls /; ls -A /opq; cat /keep.txt; grep -w " /" /proc/self/mountinfo | grep -o "fuse.fuse-overlayfs\\| overlay " | head -1; echo written > /opq/mine; rm /keep.txt'],
      { storage },
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = r.stdout.split('\n');
    expect(out).not.toContain('gone.txt');
    expect(out).toContain('keep.txt');
    expect(r.stdout).toContain('new.txt\nkeep\n');
    expect(r.stdout).not.toContain('old.txt');
    expect(r.stdout).not.toContain('sub');
    expect(out).toContain(driver === 'overlay' ? ' overlay ' : 'fuse.fuse-overlayfs');
  });

  it('commits the container and runs the commit', async () => {
    const c = await runCli(['commit', '-q', 'w', 'committed'], { storage });
    expect(c.stderr).toBe('');
    expect(c.code).toBe(0);
    const r = await runCli(['run', '--rm', 'committed', 'sh', '-c', 'ls -A /opq; test -e /keep.txt || echo nokeep; test -e /gone.txt || echo nogone'], { storage });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('mine\nnew.txt\nnokeep\nnogone\n');
  });

  it('copies a file out of the container', async () => {
    const dest = userTempDir('drv-cp-');
    const r = await runCli(['cp', 'w:/opq/mine', join(dest, 'mine')], { storage });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(readFileSync(join(dest, 'mine'), 'utf8')).toBe('written\n');
  });

  it('runs a 120-layer image', async () => {
    const r = await runCli(['run', '--rm', 'many', 'sh', '-c', 'ls /layers | wc -l; cat /layers/n000 /layers/n118'], { storage });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim().split(/\s+/)).toEqual(['119', '0', '118']);
  }, 120_000);

  it('refuses another driver on this store with exit 125', async () => {
    const other = DRIVERS.find((d) => d !== driver)!;
    const r = await runCli(['--storage-driver', other, 'ps'], { storage });
    expect(r.code).toBe(125);
    expect(r.stderr).toMatch(new RegExp(`^Error: database storage graph driver "${driver}" does not match our storage graph driver "${other}"`));
    const e = await runCli(['ps', '-a', '--format', '{{.Names}}'], { storage, env: { TSC_CTR_STORAGE_DRIVER: other } });
    expect(e.code).toBe(125);
    // the record is unchanged and the store still works
    expect(JSON.parse(readFileSync(join(storage.root, 'driver.json'), 'utf8')).driver).toBe(driver);
    expect((await runCli(['ps', '-a', '--format', '{{.Names}}'], { storage })).stdout).toBe('w\n');
  });
});

describe('storage driver choice', () => {
  it('an unknown driver is refused', async () => {
    const r = await runCli(['--storage-driver', 'zfs', 'ps'], { storage: newStorage() });
    expect(r.code).toBe(125);
    expect(r.stderr).toBe('Error: --storage-driver: storage driver "zfs" is not supported: choose one of overlay, fuse-overlayfs\n');
  });

  it('the probe decides on first use and the store keeps it', async () => {
    const storage = newStorage();
    expect((await runCli(['load', '-q', '-i', layout], { storage, timeoutMs: 240_000 })).code).toBe(0);
    const r = await runCli(['run', '--rm', 'multi', 'cat', '/keep.txt'], { storage });
    expect(r.stdout).toBe('keep\n');
    const rec = JSON.parse(readFileSync(join(storage.root, 'driver.json'), 'utf8'));
    expect(rec.chosenBy).toBe('probe');
    // this kernel mounts overlay in a user namespace: the probe picks it
    expect(rec.driver).toBe('overlay');
  }, 300_000);
});
