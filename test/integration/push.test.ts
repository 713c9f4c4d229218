// push against the real loopback registry (docker-registry, CNCF distribution), read back by
// skopeo, umoci and tsc-ctr itself.
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegistryClient } from '../../src/registry/client.js';
import { blobExists, mountBlob, uploadBlob } from '../../src/registry/upload.js';
import { validateImageSpec } from '../unit/image/image-spec-schema.js';
import { buildTwoLayer } from './archive-helpers.js';
import { harness, newStorage, runAsUser, runCli, startRegistry, userTempDir, type Registry, type Storage } from '../harness/index.js';

const h = harness();
const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const skopeo = (args: string[]) => runAsUser('skopeo', args, { timeoutMs: 120_000 });
const inspect = async (ref: string, extra: string[] = []) => {
  const r = await skopeo(['inspect', '--tls-verify=false', ...extra, `docker://${ref}`]);
  expect(r.stderr).toBe('');
  return r.stdout;
};

describe('push (rootless)', () => {
  let storage: Storage;
  let src: string;
  let id: string;
  let diffIds: string[];
  const dest = `${h.registry}/archive/pushed:v1`;

  beforeAll(async () => {
    storage = newStorage();
    src = buildTwoLayer('archive/pushsrc');
    const r = await runCli(['pull', '-q', src], { storage, timeoutMs: 180_000 });
    expect(r.stderr).toBe('');
    id = r.stdout.trim();
    diffIds = JSON.parse(await inspect(src, ['--config'])).rootfs.diff_ids;
  }, 300_000);

  it('pushes under a new name: layers mounted from the repository it came from, same image id, digest file', async () => {
    const digestfile = join(userTempDir('digest-'), 'd');
    const r = await runCli(['push', '--digestfile', digestfile, src, dest], { storage, timeoutMs: 120_000 });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trim().split('\n');
    expect(lines[0]).toBe('Getting image source signatures');
    expect(lines.filter((l) => l.startsWith('Copying blob'))).toHaveLength(2);
    expect(lines.filter((l) => l.endsWith('done (mounted)'))).toHaveLength(2);
    expect(lines.at(-1)).toBe('Writing manifest to image destination');
    const raw = await inspect(dest, ['--raw']);
    const digest = readFileSync(digestfile, 'utf8');
    expect(digest).toBe(sha(Buffer.from(raw)));
    const m = JSON.parse(raw);
    // pulled as Docker schema 2: pushed as that by default
    expect(m.mediaType).toBe('application/vnd.docker.distribution.manifest.v2+json');
    expect(m.config.digest).toBe(`sha256:${id}`);
    expect(JSON.parse(await inspect(dest, ['--config'])).rootfs.diff_ids).toEqual(diffIds);
  });

  it('is read by skopeo copy + umoci unpack with the same files', async () => {
    const layout = join(userTempDir('push-oci-'), 'l');
    const c = await skopeo(['copy', '--quiet', '--src-tls-verify=false', `docker://${dest}`, `oci:${layout}:t`]);
    expect(c.stderr).toBe('');
    const bundle = join(userTempDir('push-bundle-'), 'b');
    const u = await runAsUser('umoci', ['unpack', '--rootless', '--image', `${layout}:t`, bundle]);
    expect(u.code).toBe(0);
    expect(readFileSync(join(bundle, 'rootfs/etc/two.txt'), 'utf8')).toBe('second layer\n');
    expect(existsSync(join(bundle, 'rootfs/etc/group'))).toBe(false);
    expect(statSync(join(bundle, 'rootfs/data/hard')).ino).toBe(statSync(join(bundle, 'rootfs/bin/busybox')).ino);
  });

  it('is pulled back by tsc-ctr with the same id, and runs', async () => {
    const fresh = newStorage();
    const p = await runCli(['pull', '-q', dest], { storage: fresh, timeoutMs: 120_000 });
    expect(p.stdout.trim()).toBe(id);
    const run = await runCli(['run', '--rm', dest, 'cat', '/etc/two.txt'], { storage: fresh, timeoutMs: 120_000 });
    expect(run.stdout).toBe('second layer\n');
  });

  it('pushing again skips every blob', async () => {
    const r = await runCli(['image', 'push', src, `docker://${dest}`], { storage, timeoutMs: 120_000 });
    expect(r.code).toBe(0);
    const copying = r.stderr.split('\n').filter((l) => l.startsWith('Copying'));
    expect(copying).toHaveLength(3);
    for (const l of copying) expect(l).toMatch(/skipped: already exists$/);
  });

  it('pushes zstd layers with an OCI manifest; the image id stays the same', async () => {
    const zdest = `${h.registry}/archive/zstd:v1`;
    const r = await runCli(['push', '-q', '--compression-format', 'zstd', '--format', 'oci', src, zdest], { storage, timeoutMs: 120_000 });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const m = JSON.parse(await inspect(zdest, ['--raw']));
    expect(m.mediaType).toBe('application/vnd.oci.image.manifest.v1+json');
    expect(m.layers.map((l: { mediaType: string }) => l.mediaType)).toEqual(['application/vnd.oci.image.layer.v1.tar+zstd', 'application/vnd.oci.image.layer.v1.tar+zstd']);
    expect(m.config.digest).toBe(`sha256:${id}`);
    expect(validateImageSpec('manifest', m)).toEqual([]);
    const fresh = newStorage();
    const p = await runCli(['pull', '-q', zdest], { storage: fresh, timeoutMs: 120_000 });
    expect(p.stdout.trim()).toBe(id);
  });

  it('refuses zstd with a Docker manifest, an unknown image and a bad destination', async () => {
    const a = await runCli(['push', '--compression-format', 'zstd', '--format', 'v2s2', src, `${h.registry}/archive/x:1`], { storage });
    expect(a.code).toBe(125);
    expect(a.stderr.trim().split('\n').pop()).toBe('Error: zstd-compressed layers need an OCI manifest: use --format oci');
    const b = await runCli(['push', 'nosuch', `${h.registry}/archive/x:1`], { storage });
    expect(b.code).toBe(125);
    expect(b.stderr.trim().split('\n').pop()).toBe('Error: nosuch: image not known');
    const c = await runCli(['push', '--compression-format', 'lz4', src], { storage });
    expect(c.stderr.trim()).toBe('Error: unsupported compression format "lz4": use gzip or zstd');
  });

  it('a layer without a tar-split record is pushed as a deterministic tar: new diff ID and image id, same files, twice the same digest', async () => {
    const s = newStorage();
    const p = await runCli(['pull', '-q', src], { storage: s, timeoutMs: 120_000 });
    expect(p.stdout.trim()).toBe(id);
    // as if pulled by an older tsc-ctr: the records are root-of-userns owned files in the layer dirs
    for (const l of readdirSync(join(s.root, 'layers')).filter((d) => !d.startsWith('.'))) {
      const rm = await runCli(['unshare', 'rm', join(s.root, 'layers', l, 'tar-split.json.gz')], { storage: s });
      expect(rm.code).toBe(0);
    }
    const digests: string[] = [];
    for (const tag of ['a', 'b']) {
      const df = join(userTempDir('df-'), 'd');
      const r = await runCli(['push', '--digestfile', df, src, `${h.registry}/archive/norecord:${tag}`], { storage: s, timeoutMs: 120_000 });
      expect(r.code).toBe(0);
      expect(r.stderr).toContain('WARN[0000] image ');
      expect(r.stderr).toContain('were pushed as new tars');
      digests.push(readFileSync(df, 'utf8'));
    }
    expect(digests[0]).toBe(digests[1]);
    const cfg = JSON.parse(await inspect(`${h.registry}/archive/norecord:a`, ['--config']));
    expect(cfg.rootfs.diff_ids).toHaveLength(2);
    // this config was written by tsc-ctr (new diff IDs)
    expect(validateImageSpec('config', cfg)).toEqual([]);
    const fresh = newStorage();
    const back = await runCli(['pull', '-q', `${h.registry}/archive/norecord:a`], { storage: fresh, timeoutMs: 120_000 });
    expect(back.code).toBe(0);
    expect(back.stdout.trim()).not.toBe(id);
    const run = await runCli(['run', '--rm', `${h.registry}/archive/norecord:a`, 'sh', '-c', 'cat /etc/two.txt; stat -c %u:%g /data/owned; test -e /etc/group || echo gone'], {
      storage: fresh,
      timeoutMs: 120_000,
    });
    expect(run.stdout).toBe('second layer\n1000:1000\ngone\n');
  });
});

describe('push to a registry with htpasswd auth', () => {
  let reg: Registry;
  let storage: Storage;
  beforeAll(async () => {
    const hash = execFileSync('python3', ['-c', 'import crypt,sys; print(crypt.crypt(sys.argv[1], crypt.mksalt(crypt.METHOD_BLOWFISH)))', 'pw'], { encoding: 'utf8' }).trim();
    reg = await startRegistry({ htpasswd: `pusher:${hash}\n` });
    storage = newStorage();
    expect((await runCli(['pull', '-q', h.fixtures.busybox], { storage })).code).toBe(0);
  }, 60_000);
  afterAll(async () => reg?.stop());

  it('is refused without credentials', async () => {
    const r = await runCli(['push', '-q', '--tls-verify=false', h.fixtures.busybox, `${reg.host}/priv/bb:1`], { storage, timeoutMs: 60_000 });
    expect(r.code).toBe(125);
    expect(r.stderr).toMatch(/^Error: .*unauthorized|authentication required/);
  });

  it('pushes with credentials from --authfile (written by login)', async () => {
    const authfile = join(userTempDir('push-auth-'), 'auth.json');
    const l = await runCli(['login', '--tls-verify=false', '--authfile', authfile, '-u', 'pusher', '--password-stdin', reg.host], { input: 'pw\n' });
    expect(l.code).toBe(0);
    const r = await runCli(['push', '-q', '--tls-verify=false', '--authfile', authfile, h.fixtures.busybox, `${reg.host}/priv/viafile:1`], { storage, timeoutMs: 60_000 });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const i = await skopeo(['inspect', '--tls-verify=false', '--creds', 'pusher:pw', `docker://${reg.host}/priv/viafile:1`]);
    expect(i.code).toBe(0);
  });

  it('pushes with --creds; skopeo reads it back with the same config', async () => {
    const r = await runCli(['push', '-q', '--tls-verify=false', '--creds', 'pusher:pw', h.fixtures.busybox, `${reg.host}/priv/bb:1`], { storage, timeoutMs: 60_000 });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const i = await skopeo(['inspect', '--tls-verify=false', '--creds', 'pusher:pw', '--config', '--raw', `docker://${reg.host}/priv/bb:1`]);
    const local = JSON.parse(readFileSync(join(storage.root, 'images.json'), 'utf8'))[0].id;
    expect(sha(Buffer.from(i.stdout))).toBe(`sha256:${local}`);
  });
});

describe('blob uploads (library, against the loopback registry)', () => {
  const client = new RegistryClient(h.registry, { insecure: true });
  const dir = userTempDir('blobs-');
  afterAll(() => client.close());

  async function roundTrip(size: number, opts: { monolithicMax?: number; chunkSize?: number }) {
    const data = randomBytes(size);
    const file = join(dir, `b${size}`);
    writeFileSync(file, data);
    const digest = sha(data);
    expect(await blobExists(client, 'archive/blobs', digest)).toBe(false);
    const how = await uploadBlob(client, 'archive/blobs', digest, file, size, opts);
    expect(await blobExists(client, 'archive/blobs', digest)).toBe(true);
    const got = await client.getBlob('archive/blobs', digest);
    const chunks: Buffer[] = [];
    for await (const c of got.body) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks).equals(data)).toBe(true);
    rmSync(file);
    return { how, digest };
  }

  it('sends small blobs in one PUT', async () => {
    expect((await roundTrip(100_000, {})).how).toBe('monolithic');
  });

  it('sends large blobs in PATCH chunks (an uneven last chunk) then a closing PUT', async () => {
    expect((await roundTrip(2_500_000, { monolithicMax: 1_000_000, chunkSize: 1_000_000 })).how).toBe('chunked');
  });

  it('mounts a blob from another repository of the same registry; a missing blob is not mounted', async () => {
    const { digest } = await roundTrip(5000, {});
    expect(await mountBlob(client, 'archive/other', digest, 'archive/blobs')).toBe(true);
    expect(await blobExists(client, 'archive/other', digest)).toBe(true);
    expect(await mountBlob(client, 'archive/other', sha(Buffer.from('nothing')), 'archive/blobs')).toBe(false);
  });

  it('a wrong digest is refused by the registry with a clear error', async () => {
    const file = join(dir, 'wrong');
    writeFileSync(file, 'abc');
    await expect(uploadBlob(client, 'archive/blobs', sha(Buffer.from('abd')), file, 3)).rejects.toThrow(/uploading blob sha256:[0-9a-f]{64} to .*digest invalid/);
  });
});
