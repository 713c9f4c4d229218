// save and load against independent readers and writers: skopeo (docker-archive, oci-archive,
// oci layouts) and umoci. Layers pulled by tsc-ctr come back out with their original diff IDs.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, truncateSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { validateImageSpec } from '../unit/image/image-spec-schema.js';
import { buildTwoLayer } from './archive-helpers.js';
import { harness, newStorage, runAsUser, runCli, storageEnv, userTempDir, type Storage } from '../harness/index.js';

const h = harness();
const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const skopeo = (args: string[]) => runAsUser('skopeo', args, { timeoutMs: 120_000 });

function ociLayoutImage(dir: string): { config: string; layers: string[]; diffIds: string[] } {
  const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8'));
  const mdesc = index.manifests[0];
  const m = JSON.parse(readFileSync(join(dir, 'blobs/sha256', mdesc.digest.slice(7)), 'utf8'));
  const cfg = JSON.parse(readFileSync(join(dir, 'blobs/sha256', m.config.digest.slice(7)), 'utf8'));
  return { config: m.config.digest, layers: m.layers.map((l: { digest: string }) => l.digest), diffIds: cfg.rootfs.diff_ids };
}

function storeState(s: Storage): { images: string; layers: string[]; tmp: string[] } {
  const images = existsSync(join(s.root, 'images.json')) ? readFileSync(join(s.root, 'images.json'), 'utf8') : '';
  const layers = existsSync(join(s.root, 'layers')) ? readdirSync(join(s.root, 'layers')).filter((d) => !d.startsWith('.')).sort() : [];
  const tmp = existsSync(join(s.root, 'layers/.tmp')) ? readdirSync(join(s.root, 'layers/.tmp')) : [];
  return { images, layers, tmp };
}

describe('save (rootless)', () => {
  let storage: Storage;
  let ref: string;
  let id: string;
  let diffIds: string[];
  let out: string;

  beforeAll(async () => {
    storage = newStorage();
    out = userTempDir('save-');
    ref = buildTwoLayer('archive/two');
    const r = await runCli(['pull', '-q', ref], { storage, timeoutMs: 180_000 });
    expect(r.stderr).toBe('');
    id = r.stdout.trim();
    const cfg = JSON.parse((await skopeo(['inspect', '--tls-verify=false', '--config', `docker://${ref}`])).stdout);
    diffIds = cfg.rootfs.diff_ids;
  }, 300_000);

  it('records a tar-split per pulled layer, and the layers reassemble to their diff IDs (oci-dir)', async () => {
    const layers = readdirSync(join(storage.root, 'layers')).filter((d) => !d.startsWith('.'));
    expect(layers).toHaveLength(2);
    for (const l of layers) expect(existsSync(join(storage.root, 'layers', l, 'tar-split.json.gz'))).toBe(true);
    const dir = join(out, 'ocidir');
    const r = await runCli(['save', '--format', 'oci-dir', '-o', dir, ref], { storage });
    expect(r.stderr).toContain('Writing manifest to image destination');
    expect(r.code).toBe(0);
    const img = ociLayoutImage(dir);
    expect(img.config).toBe(`sha256:${id}`);
    expect(img.diffIds).toEqual(diffIds);
    // the layer blobs are the uncompressed tars: their digests are the diff IDs
    expect(img.layers).toEqual(diffIds);
    for (const d of img.layers) expect(sha(readFileSync(join(dir, 'blobs/sha256', d.slice(7))))).toBe(d);
  });

  it('writes index, layout, manifest and config that validate against the OCI image-spec schemas', () => {
    const dir = join(out, 'ocidir');
    const json = (p: string) => JSON.parse(readFileSync(join(dir, p), 'utf8'));
    const index = json('index.json');
    expect(validateImageSpec('index', index)).toEqual([]);
    expect(validateImageSpec('layout', json('oci-layout'))).toEqual([]);
    const m = json(`blobs/sha256/${index.manifests[0].digest.slice(7)}`);
    expect(validateImageSpec('manifest', m)).toEqual([]);
    expect(validateImageSpec('config', json(`blobs/sha256/${m.config.digest.slice(7)}`))).toEqual([]);
  });

  it('writes an oci-dir that umoci unpacks with the same files', async () => {
    const dir = join(out, 'ocidir');
    const bundle = join(userTempDir('umoci-'), 'b');
    const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8'));
    const tag = index.manifests[0].annotations['org.opencontainers.image.ref.name'];
    expect(tag).toBe(ref);
    // umoci wants a writable layout: a copy the test user owns
    const copy = join(userTempDir('umoci-src-'), 'l');
    execFileSync('cp', ['-r', dir, copy]);
    execFileSync('chown', ['-R', `${h.user.uid}:${h.user.gid}`, copy]);
    const r = await runAsUser('umoci', ['unpack', '--rootless', '--image', `${copy}:${tag}`, bundle]);
    expect(r.stderr + r.stdout).not.toMatch(/error/i);
    expect(r.code).toBe(0);
    expect(readFileSync(join(bundle, 'rootfs/etc/two.txt'), 'utf8')).toBe('second layer\n');
    expect(existsSync(join(bundle, 'rootfs/etc/group'))).toBe(false);
    expect(statSync(join(bundle, 'rootfs/data/hard')).ino).toBe(statSync(join(bundle, 'rootfs/bin/busybox')).ino);
  });

  it('writes a docker-archive skopeo reads back with the same image id and diff IDs', async () => {
    const file = join(out, 'docker.tar');
    const r = await runCli(['save', '-q', '-o', file, ref], { storage });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const manifest = JSON.parse(execFileSync('tar', ['-xOf', file, 'manifest.json'], { encoding: 'utf8' }));
    expect(manifest).toEqual([{ Config: `${id}.json`, RepoTags: [ref], Layers: diffIds.map((d) => `${d.slice(7)}.tar`) }]);
    // dir: keeps the manifest type, so the config arrives byte for byte
    const dest = join(userTempDir('skopeo-'), 'dir');
    const c = await skopeo(['copy', '--quiet', `docker-archive:${file}`, `dir:${dest}`]);
    expect(c.stderr).toBe('');
    const m = JSON.parse(readFileSync(join(dest, 'manifest.json'), 'utf8'));
    expect(m.config.digest).toBe(`sha256:${id}`);
    expect(JSON.parse(readFileSync(join(dest, id), 'utf8')).rootfs.diff_ids).toEqual(diffIds);
    expect(m.layers.map((l: { digest: string }) => l.digest)).toEqual(diffIds);
  });

  it('writes an oci-archive skopeo reads back with the same image id', async () => {
    const file = join(out, 'oci.tar');
    expect((await runCli(['image', 'save', '-q', '--format', 'oci-archive', '-o', file, ref], { storage })).code).toBe(0);
    const dest = join(userTempDir('skopeo-'), 'oci');
    const c = await skopeo(['copy', '--quiet', `oci-archive:${file}`, `oci:${dest}:x`]);
    expect(c.stderr).toBe('');
    expect(ociLayoutImage(dest).config).toBe(`sha256:${id}`);
  });

  it('saves to stdout when it is not a terminal; the same bytes twice (deterministic)', async () => {
    const a = join(out, 'stdout-a.tar');
    const b = join(out, 'stdout-b.tar');
    const env = storageEnv(storage);
    for (const f of [a, b]) {
      const r = await runAsUser('sh', ['-c', `"$0" "$1" save -q "$2" > "$3"`, process.execPath, h.bin, ref, f], { env });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
    }
    expect(sha(readFileSync(a))).toBe(sha(readFileSync(b)));
    expect(sha(readFileSync(a))).toBe(sha(readFileSync(join(out, 'docker.tar'))));
  });

  it('takes paths relative to the directory it was run in (also after entering the user namespace)', async () => {
    const cwd = userTempDir('rel-');
    const env = storageEnv(storage);
    const r = await runAsUser('sh', ['-c', `"$0" "$1" save -q -o rel.tar "$2" && "$0" "$1" load -q -i rel.tar`, process.execPath, h.bin, ref], { env, cwd, timeoutMs: 120_000 });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(`Loaded image: ${ref}\n`);
    expect(existsSync(join(cwd, 'rel.tar'))).toBe(true);
  });

  it('puts several images in one docker-archive with -m, and needs -m for that', async () => {
    const p = await runCli(['pull', '-q', h.fixtures.busybox], { storage });
    expect(p.code).toBe(0);
    const file = join(out, 'multi.tar');
    const no = await runCli(['save', '-o', file, ref, h.fixtures.busybox], { storage });
    expect(no.code).toBe(125);
    expect(no.stderr.trim()).toBe('Error: saving several images in one archive needs -m (--multi-image-archive)');
    expect(existsSync(file)).toBe(false);
    const r = await runCli(['save', '-q', '-m', '-o', file, ref, h.fixtures.busybox], { storage });
    expect(r.code).toBe(0);
    for (const [i, want] of [[0, id], [1, p.stdout.trim()]] as const) {
      const dest = join(userTempDir('skopeo-'), 'dir');
      const c = await skopeo(['copy', '--quiet', `docker-archive:${file}:@${i}`, `dir:${dest}`]);
      expect(c.stderr).toBe('');
      expect(JSON.parse(readFileSync(join(dest, 'manifest.json'), 'utf8')).config.digest).toBe(`sha256:${want}`);
    }
    // and our load reads both back into an empty store
    const fresh = newStorage();
    const l = await runCli(['load', '-i', file], { storage: fresh, timeoutMs: 120_000 });
    expect(l.code).toBe(0);
    expect(l.stdout).toBe(`Loaded image: ${ref}\nLoaded image: ${h.fixtures.busybox}\n`);
  });

  it('records every name given for one image as RepoTags; an id gives none', async () => {
    const other = `${h.registry}/archive/other:tag`;
    expect((await runCli(['tag', ref, other], { storage })).code).toBe(0);
    const file = join(out, 'tags.tar');
    expect((await runCli(['save', '-q', '-o', file, ref, other], { storage })).code).toBe(0);
    const manifest = JSON.parse(execFileSync('tar', ['-xOf', file, 'manifest.json'], { encoding: 'utf8' }));
    expect(manifest[0].RepoTags).toEqual([ref, other]);
    const byId = join(out, 'byid.tar');
    expect((await runCli(['save', '-q', '-o', byId, id.slice(0, 12)], { storage })).code).toBe(0);
    expect(JSON.parse(execFileSync('tar', ['-xOf', byId, 'manifest.json'], { encoding: 'utf8' }))[0].RepoTags).toEqual([]);
    expect((await runCli(['untag', id, other], { storage })).code).toBe(0);
  });

  it('refuses an unknown image and an unknown format, writing nothing', async () => {
    const a = await runCli(['save', '-o', join(out, 'x.tar'), 'nosuchimage'], { storage });
    expect(a.code).toBe(125);
    expect(a.stderr.trim()).toMatch(/^Error: nosuchimage: image not known$/);
    const b = await runCli(['save', '--format', 'zip', '-o', join(out, 'x.tar'), ref], { storage });
    expect(b.code).toBe(125);
    expect(b.stderr.trim()).toBe('Error: unsupported format "zip" for save: use one of docker-archive, oci-archive, oci-dir');
  });

  it('round-trips: save, rmi, load from stdin gives the same image, which runs', async () => {
    const file = join(out, 'docker.tar');
    expect((await runCli(['rmi', '-f', ref], { storage })).code).toBe(0);
    const env = storageEnv(storage);
    const r = await runAsUser('sh', ['-c', `"$0" "$1" load < "$2"`, process.execPath, h.bin, file], { env, timeoutMs: 120_000 });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`Loaded image: ${ref}\n`);
    const images = JSON.parse(readFileSync(join(storage.root, 'images.json'), 'utf8'));
    expect(images.find((i: { names: string[] }) => i.names.includes(ref)).id).toBe(id);
    const run = await runCli(['run', '--rm', ref, 'cat', '/etc/two.txt', '/data/owned'], { storage, timeoutMs: 120_000 });
    expect(run.stdout).toBe('second layer\napp data\n');
    expect(run.code).toBe(0);
    const own = await runCli(['run', '--rm', ref, 'stat', '-c', '%u:%g %a', '/data/owned'], { storage, timeoutMs: 120_000 });
    expect(own.stdout.trim()).toBe('1000:1000 640');
  });
});

describe('load (rootless)', () => {
  let storage: Storage;
  let dir: string;
  beforeAll(() => {
    storage = newStorage();
    dir = userTempDir('load-');
  });

  it('loads a docker-archive made by skopeo (a stand-in for podman save) and runs it', async () => {
    const file = join(dir, 'sk-docker.tar');
    const c = await skopeo(['copy', '--quiet', '--src-tls-verify=false', `docker://${h.fixtures.busybox}`, `docker-archive:${file}:example.com/sk/docker:v1`]);
    expect(c.stderr).toBe('');
    const r = await runCli(['load', '-i', file], { storage, timeoutMs: 120_000 });
    expect(r.stdout).toBe('Loaded image: example.com/sk/docker:v1\n');
    expect(r.code).toBe(0);
    const run = await runCli(['run', '--rm', 'example.com/sk/docker:v1', 'echo', 'hi'], { storage, timeoutMs: 120_000 });
    expect(run.stdout).toBe('hi\n');
  });

  it('loads an oci-archive made by skopeo, with its name from the index annotation', async () => {
    const file = join(dir, 'sk-oci.tar');
    const c = await skopeo(['copy', '--quiet', '--src-tls-verify=false', `docker://${h.fixtures.busybox}`, `oci-archive:${file}:example.com/sk/oci:v2`]);
    expect(c.stderr).toBe('');
    const r = await runCli(['load', '-q', '-i', file], { storage, timeoutMs: 120_000 });
    expect(r.stdout).toBe('Loaded image: example.com/sk/oci:v2\n');
    expect(r.code).toBe(0);
    const run = await runCli(['run', '--rm', 'example.com/sk/oci:v2', 'echo', 'oci'], { storage, timeoutMs: 120_000 });
    expect(run.stdout).toBe('oci\n');
  });

  it('loads docker legacy layouts (layers as <id>/layer.tar behind symlinks) and gzip-compressed archives', async () => {
    const file = join(dir, 'sk-legacy.tar');
    const c = await skopeo(['copy', '--quiet', '--src-tls-verify=false', `docker://${h.fixtures.busybox}`, `docker-archive:${file}:example.com/legacy/bb:1`]);
    expect(c.stderr).toBe('');
    const x = join(dir, 'legacy');
    execFileSync('mkdir', ['-p', join(x, 'aaa'), join(x, 'bbb')]);
    execFileSync('tar', ['-xf', file, '-C', x]);
    const manifest = JSON.parse(readFileSync(join(x, 'manifest.json'), 'utf8'));
    const layer = manifest[0].Layers[0];
    execFileSync('mv', [join(x, layer), join(x, 'aaa/layer.tar')]);
    execFileSync('ln', ['-s', '../aaa/layer.tar', join(x, 'bbb/layer.tar')]);
    manifest[0].Layers = ['bbb/layer.tar'];
    writeFileSync(join(x, 'manifest.json'), JSON.stringify(manifest));
    const legacy = join(dir, 'legacy.tar.gz');
    execFileSync('sh', ['-c', 'tar -cf - -C "$0" . | gzip > "$1"', x, legacy]);
    chmodSync(legacy, 0o644);
    const s = newStorage();
    const r = await runCli(['load', '-q', '-i', legacy], { storage: s, timeoutMs: 120_000 });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('Loaded image: example.com/legacy/bb:1\n');
  });

  describe('bad archives are refused and leave nothing behind', () => {
    let good: string;
    beforeAll(async () => {
      good = join(dir, 'good-oci');
      const c = await skopeo(['copy', '--quiet', '--src-tls-verify=false', `docker://${h.fixtures.tscBusybox}`, `oci:${good}:bad/image:1`]);
      expect(c.stderr).toBe('');
    });

    async function refused(input: string, message: RegExp): Promise<void> {
      const empty = newStorage();
      // a store that already holds something: nothing may be added or changed
      expect((await runCli(['pull', '-q', h.fixtures.busybox], { storage: empty })).code).toBe(0);
      const before = storeState(empty);
      const r = await runCli(['load', '-q', '-i', input], { storage: empty, timeoutMs: 120_000 });
      expect(r.code).toBe(125);
      const lines = r.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(message);
      const after = storeState(empty);
      expect(after.images).toBe(before.images);
      expect(after.layers).toEqual(before.layers);
      expect(after.tmp).toEqual([]);
    }

    function copyOf(name: string): string {
      const d = join(dir, name);
      execFileSync('cp', ['-r', good, d]);
      execFileSync('chown', ['-R', `${h.user.uid}:${h.user.gid}`, d]);
      return d;
    }

    function layerBlob(layout: string): string {
      const m = JSON.parse(readFileSync(join(layout, 'blobs/sha256', JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8')).manifests[0].digest.slice(7)), 'utf8'));
      return join(layout, 'blobs/sha256', m.layers[0].digest.slice(7));
    }

    it('a truncated archive', async () => {
      const file = join(dir, 'trunc.tar');
      execFileSync('tar', ['-cf', file, '-C', good, '.']);
      truncateSync(file, Math.floor(statSync(file).size / 2));
      chmodSync(file, 0o644);
      await refused(file, /^Error: .*(truncated|missing|unexpected end)/);
    });

    it('a missing layer blob', async () => {
      const d = copyOf('missing');
      rmSync(layerBlob(d));
      await refused(d, /^Error: blobs\/sha256\/[0-9a-f]{64} is missing from the archive$/);
    });

    it('a layer blob with the wrong digest', async () => {
      const d = copyOf('wrong');
      const p = layerBlob(d);
      const b = readFileSync(p);
      b[b.length - 100] ^= 0xff;
      writeFileSync(p, b);
      await refused(d, /^Error: layer sha256:[0-9a-f]{64}: .*(digest mismatch|invalid|corrupt|crc)/i);
    });

    it('a file that is not an archive', async () => {
      const f = join(dir, 'not.tar');
      writeFileSync(f, 'this is not a tar archive at all'.repeat(40));
      chmodSync(f, 0o644);
      await refused(f, /^Error: not a valid tar archive: /);
    });
  });
});

describe('save and load (rootful)', () => {
  it.skipIf(!h.root)('saves from one rootful store and loads into another with the same id; owners kept', async () => {
    const a = newStorage({ asRoot: true });
    const b = newStorage({ asRoot: true });
    const ref = buildTwoLayer('archive/rootful');
    const id = (await runCli(['pull', '-q', ref], { storage: a, timeoutMs: 120_000 })).stdout.trim();
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    const file = join(a.dir, 'rootful.tar');
    const s = await runCli(['save', '-q', '--format', 'oci-archive', '-o', file, ref], { storage: a });
    expect(s.code).toBe(0);
    const l = await runCli(['load', '-q', '-i', file], { storage: b, timeoutMs: 120_000 });
    expect(l.stdout).toBe(`Loaded image: ${ref}\n`);
    const images = JSON.parse(readFileSync(join(b.root, 'images.json'), 'utf8'));
    expect(images[0].id).toBe(id);
    const layer = images[0].layers.at(-1);
    expect(statSync(join(b.root, 'layers', layer, 'diff/data/owned')).uid).toBe(1000);
  });
});
