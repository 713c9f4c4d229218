/**
 * Pull of the manifest and layer formats a registry may serve: an OCI index and a Docker
 * manifest list (host platform, another one, an attestation), and gzip / zstd / uncompressed
 * layers. Fixtures come from umoci + skopeo or from hand-written JSON pushed with plain HTTP.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { hostArchitecture } from '../harness/fixtures.js';
import { harness, newStorage, runCli, type Storage } from '../harness/index.js';
import { type Descriptor, gzipLayer, layoutLayers, makeTar, MT, pushLayers, putManifest } from './support/oci-push.js';

const hostArch = hostArchitecture();
const otherArch = hostArch === 'arm64' ? 'amd64' : 'arm64';
const hex = (d: string) => d.replace(/^sha256:/, '');

/** A multi-arch image: attestation first (it must be skipped), then another arch, then ours. */
async function pushMulti(repo: string, docker: boolean): Promise<Record<string, string>> {
  const h = harness();
  const ids: Record<string, string> = {};
  const base = layoutLayers(h.layout, 'busybox');
  const marker = (text: string) => gzipLayer(makeTar([{ name: 'arch.txt', content: text }]), docker ? MT.dockerLayerGzip : MT.ociLayerGzip);
  const host = await pushLayers(h.registry, repo, undefined, [...base, marker(`${hostArch}\n`)], { architecture: hostArch, docker, cmd: ['cat', '/arch.txt'] });
  const other = await pushLayers(h.registry, repo, undefined, [...base, marker(`${otherArch}\n`)], { architecture: otherArch, docker });
  // An attestation as BuildKit writes it: a manifest whose platform is unknown/unknown.
  const att = await pushLayers(h.registry, repo, undefined, [gzipLayer(makeTar([{ name: 'intoto.json', content: '{}' }]))], { architecture: 'unknown', os: 'unknown' });
  ids[`${repo}:host`] = hex(host.configDigest);
  ids[`${repo}:other`] = hex(other.configDigest);
  ids[`${repo}:att`] = hex(att.configDigest);
  const entries: Descriptor[] = [
    { ...att.manifest, platform: { os: 'unknown', architecture: 'unknown' }, annotations: { 'vnd.docker.reference.type': 'attestation-manifest' } },
    { ...other.manifest, platform: { os: 'linux', architecture: otherArch, ...(otherArch === 'arm64' ? { variant: 'v8' } : {}) } },
    { ...host.manifest, platform: { os: 'linux', architecture: hostArch } },
  ];
  if (docker) {
    // a Docker list holds only Docker manifests: the attestation is an OCI one, so leave it out there
    await putManifest(h.registry, repo, 'multi', MT.dockerList, { schemaVersion: 2, mediaType: MT.dockerList, manifests: entries.slice(1) });
  } else {
    await putManifest(h.registry, repo, 'multi', MT.ociIndex, { schemaVersion: 2, mediaType: MT.ociIndex, manifests: entries });
  }
  return ids;
}

describe('pull: OCI index and Docker manifest list (rootless)', () => {
  const h = harness();
  let storage: Storage;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    storage = newStorage();
    Object.assign(ids, await pushMulti('pullfmt/oci-index', false), await pushMulti('pullfmt/docker-list', true));
  });

  for (const repo of ['pullfmt/oci-index', 'pullfmt/docker-list']) {
    describe(repo, () => {
      const ref = () => `${h.registry}/${repo}:multi`;

      it('resolves to the host platform, and the image runs', async () => {
        const r = await runCli(['pull', ref()], { storage, timeoutMs: 120_000 });
        expect(r.stderr).not.toMatch(/Error/);
        expect(r.code).toBe(0);
        expect(r.stdout.trim().split('\n').pop()).toBe(ids[`${repo}:host`]);
        const run = await runCli(['run', '--rm', ref()], { storage, timeoutMs: 120_000 });
        expect(run.stderr).toBe('');
        expect(run.stdout).toBe(`${hostArch}\n`);
      });

      it('--platform and --arch choose the other architecture', async () => {
        const p = await runCli(['pull', '-q', '--platform', `linux/${otherArch}`, ref()], { storage, timeoutMs: 120_000 });
        expect(p.stderr).toBe('');
        expect(p.stdout).toBe(`${ids[`${repo}:other`]}\n`);
        const a = await runCli(['pull', '-q', '--arch', otherArch, ref()], { storage, timeoutMs: 120_000 });
        expect(a.stdout).toBe(`${ids[`${repo}:other`]}\n`);
        // the attestation never becomes an image
        const all = await runCli(['images', '-q', '--no-trunc'], { storage });
        expect(all.stdout).not.toContain(ids[`${repo}:att`]);
      });

      it('a platform that is not there: exit 125 and the platforms available', async () => {
        const r = await runCli(['pull', '--platform', 'linux/s390x', ref()], { storage });
        expect(r.code).toBe(125);
        const last = r.stderr.trim().split('\n').pop()!;
        expect(last).toMatch(/^Error: .*no image found for platform linux\/s390x \(available: (.*)\)$/);
        const avail = /\(available: (.*)\)$/.exec(last)![1]!.split(', ').sort();
        const expected = [`linux/${hostArch}`, `linux/${otherArch}${otherArch === 'arm64' ? '/v8' : ''}`].sort();
        expect(avail).toEqual(expected);
        expect(last).not.toContain('unknown');
      });
    });
  }
});

/** The busybox fixture's layer, recompressed by independent tools (zlib, the zstd binary), as pullfmt/COMPRESSION:latest. */
async function pushCompressed(compression: 'gzip' | 'zstd' | 'none', mediaType: string): Promise<void> {
  const h = harness();
  const layers = layoutLayers(h.layout, 'busybox').map((l) => {
    const tar = gunzipSync(l.blob);
    const blob = compression === 'gzip' ? gzipSync(tar) : compression === 'zstd' ? execFileSync('zstd', ['-q', '-c', '-3'], { input: tar, maxBuffer: 1 << 30 }) : tar;
    return { blob, mediaType, diffId: l.diffId };
  });
  await pushLayers(h.registry, `pullfmt/${compression}`, 'latest', layers, { architecture: hostArch });
}

describe('pull: layer compression (rootless)', () => {
  const h = harness();
  let storage: Storage;
  beforeAll(() => {
    storage = newStorage();
  });

  const cases = [
    { compression: 'gzip', mediaType: MT.ociLayerGzip },
    { compression: 'zstd', mediaType: 'application/vnd.oci.image.layer.v1.tar+zstd' },
    { compression: 'none', mediaType: MT.ociLayer },
  ] as const;

  for (const c of cases) {
    it(`${c.compression} layers pull and run`, async () => {
      const dest = `${h.registry}/pullfmt/${c.compression}:latest`;
      await pushCompressed(c.compression, c.mediaType);
      const m = await fetch(`http://${h.registry}/v2/pullfmt/${c.compression}/manifests/latest`, { headers: { Accept: MT.ociManifest } });
      const manifest = (await m.json()) as { layers: Descriptor[] };
      expect(manifest.layers.map((l) => l.mediaType)).toEqual([c.mediaType]);

      const p = await runCli(['pull', '-q', dest], { storage, timeoutMs: 120_000 });
      expect(p.stderr).toBe('');
      expect(p.code).toBe(0);
      const r = await runCli(['run', '--rm', dest, '/bin/sh', '-c', 'echo ran; stat -c %u:%g /home/app'], { storage, timeoutMs: 120_000 });
      expect(r.stderr).toBe('');
      expect(r.stdout).toBe('ran\n1000:1000\n');
    });
  }

  it('all three unpack to the same layer, stored once', async () => {
    // three images (different manifests and blobs), one diff id: one layer directory
    const imgs = await runCli(['images', '--format', '{{.Repository}}'], { storage });
    expect(imgs.stdout.trim().split('\n').sort()).toEqual(cases.map((c) => `${h.registry}/pullfmt/${c.compression}`).sort());
    expect(readdirSync(join(storage.root, 'layers')).filter((d) => !d.startsWith('.'))).toHaveLength(1);
});
});

describe.skipIf(!harness().root)('pull: formats (rootful)', () => {
  const h = harness();

  it('an OCI index resolves to the host platform and a zstd image runs, as root', async () => {
    const storage = newStorage({ asRoot: true });
    await pushMulti('pullfmt/oci-index', false);
    await pushCompressed('zstd', 'application/vnd.oci.image.layer.v1.tar+zstd');
    const idx = `${h.registry}/pullfmt/oci-index:multi`;
    const p = await runCli(['pull', '-q', idx], { storage, timeoutMs: 120_000 });
    expect(p.stderr).toBe('');
    expect(p.code).toBe(0);
    const run = await runCli(['run', '--rm', idx], { storage, timeoutMs: 120_000 });
    expect(run.stdout).toBe(`${hostArch}\n`);
    const z = `${h.registry}/pullfmt/zstd:latest`;
    expect((await runCli(['pull', '-q', z], { storage, timeoutMs: 120_000 })).code).toBe(0);
    const r = await runCli(['run', '--rm', z, 'stat', '-c', '%u:%g', '/home/app'], { storage, timeoutMs: 120_000 });
    expect(r.stdout).toBe('1000:1000\n');
  });
});
