import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Store, rmiExitCode } from '../../../src/storage/store.js';
import { addContainer, addImage, openStore, sha, tempRoot, testConf } from './fixture.js';

let root: string;
let store: Store;

beforeEach(() => {
  root = tempRoot();
  store = openStore(root);
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', '0']);
  return r.pid!;
}

describe('blobs', () => {
  it('stores a blob under its digest after verifying it', () => {
    const data = Buffer.from('{"hello":"world"}');
    const d = sha(data);
    expect(store.hasBlob(d)).toBe(false);
    store.writeBlob(d, data);
    expect(store.hasBlob(d)).toBe(true);
    expect(store.readBlob(d).equals(data)).toBe(true);
    expect(store.blobPath(d)).toBe(join(resolve(root), 'blobs', 'sha256', d.slice(7)));
    expect(readdirSync(join(root, 'blobs', '.ingest'))).toEqual([]);
  });

  it('refuses content that does not match the digest, naming both digests', () => {
    const claimed = sha('something else');
    expect(() => store.writeBlob(claimed, Buffer.from('actual'))).toThrow(new RegExp(`blob ${claimed}: content has digest ${sha('actual')}`));
    expect(store.hasBlob(claimed)).toBe(false);
    expect(existsSync(join(root, 'blobs'))).toBe(false); // verified before anything is written
  });

  it('refuses digests that are not sha256 hex (no path tricks)', () => {
    expect(() => store.blobPath('sha256:../../etc/passwd')).toThrow(/invalid blob digest/);
    expect(() => store.writeBlob('md5:abc', Buffer.from('x'))).toThrow(/invalid blob digest/);
    expect(() => store.readBlob(sha('missing'))).toThrow(/is not in the store/);
  });
});

describe('layers', () => {
  it('computes OCI chain ids', () => {
    const d1 = sha('a');
    const d2 = sha('b');
    expect(store.chainId(undefined, d1)).toBe(d1.slice(7));
    const expected = createHash('sha256').update(`${d1} ${d2}`).digest('hex');
    expect(store.chainId(d1.slice(7), d2)).toBe(expected);
    expect(store.chainId(d1, d2)).toBe(expected);
    expect(() => store.chainId(undefined, 'sha256:xyz')).toThrow(/invalid diff id/);
  });

  it('commits an unpacked temp dir as a layer with layer.json and a short link', async () => {
    const diffId = sha('layer-1');
    const id = store.chainId(undefined, diffId);
    const tmp = await store.newLayerTemp();
    expect(tmp.startsWith(join(resolve(root), 'layers', '.tmp', '.tmp-'))).toBe(true);
    mkdirSync(join(tmp, 'diff'));
    writeFileSync(join(tmp, 'diff', 'hello'), 'hi');
    expect(store.hasLayer(id)).toBe(false);
    const res = await store.commitLayer(tmp, { chainId: id, diffId, parent: undefined, size: 2, compressed: [{ digest: sha('gz'), size: 9, mediaType: 'm' }] });
    expect(res).toBe('committed');
    expect(existsSync(tmp)).toBe(false);
    expect(store.hasLayer(id)).toBe(true);
    const info = store.layerInfo(id)!;
    expect(info).toMatchObject({ diffID: diffId, chainID: id, parent: null, size: 2, compressed: [{ digest: sha('gz'), size: 9, mediaType: 'm' }], committedBy: process.pid });
    expect(info.link).toMatch(/^[A-Z2-7]{26}$/);
    const link = join(root, 'l', info.link);
    expect(readlinkSync(link)).toBe(`../layers/${id}/diff`);
    expect(readFileSync(join(link, 'hello'), 'utf8')).toBe('hi');
    expect(store.layerLink(id)).toBe(join('l', info.link));
    expect(realpathSync(store.layerDiffDir(id))).toBe(realpathSync(link));
  });

  it('refuses a chain id that does not follow from parent and diff id, and a dir outside layers/.tmp', async () => {
    const tmp = await store.newLayerTemp();
    mkdirSync(join(tmp, 'diff'));
    await expect(store.commitLayer(tmp, { chainId: sha('x').slice(7), diffId: sha('y'), parent: undefined, size: 0 })).rejects.toThrow(/chain id does not match/);
    const outside = mkdtempSync(join(root, 'x-'));
    await expect(store.commitLayer(outside, { chainId: sha('y').slice(7), diffId: sha('y'), parent: undefined, size: 0 })).rejects.toThrow(/not a temporary layer directory/);
  });

  it('two commits of the same chain id keep one copy and both succeed', async () => {
    const diffId = sha('shared');
    const id = store.chainId(undefined, diffId);
    const temps = await Promise.all([store.newLayerTemp(), store.newLayerTemp()]);
    temps.forEach((t, i) => {
      mkdirSync(join(t, 'diff'));
      writeFileSync(join(t, 'diff', 'f'), `copy ${i}`);
    });
    const other = openStore(root); // a second Store instance: separate lock fd, same lock file
    const results = await Promise.all([
      store.commitLayer(temps[0]!, { chainId: id, diffId, parent: null, size: 6, compressed: [{ digest: sha('gz-a'), size: 1, mediaType: 'm' }] }),
      other.commitLayer(temps[1]!, { chainId: id, diffId, parent: null, size: 6, compressed: [{ digest: sha('gz-b'), size: 1, mediaType: 'm' }] }),
    ]);
    expect(results.sort()).toEqual(['committed', 'existed']);
    expect(readdirSync(join(root, 'layers')).filter((n) => n !== '.tmp')).toEqual([id]);
    expect(readdirSync(join(root, 'layers', '.tmp'))).toEqual([]);
    expect(readdirSync(join(root, 'l'))).toHaveLength(1);
    // the compressed digest of the losing commit is remembered too (push can reuse either)
    expect(store.layerInfo(id)!.compressed.map((c) => c.digest).sort()).toEqual([sha('gz-a'), sha('gz-b')].sort());
  });

  it('removes crash leftovers of dead writers and keeps those of live ones', async () => {
    await store.newLayerTemp(); // creates the directories; our own temp is never stale
    const dead = deadPid();
    const live = spawn('sleep', ['30']);
    try {
        const deadDir = join(root, 'layers', '.tmp', `.tmp-${dead}-abcdef`);
        mkdirSync(join(deadDir, 'diff', 'deep'), { recursive: true });
        writeFileSync(join(deadDir, 'diff', 'deep', 'f'), 'x');
        const liveDir = join(root, 'layers', '.tmp', `.tmp-${live.pid}-abcdef`);
        mkdirSync(liveDir);
        const deadIngest = join(root, 'blobs', '.ingest', `.tmp-${dead}-0123-abc`);
        writeFileSync(deadIngest, 'partial');
        const deadImages = join(root, `.tmp-${dead}-99-images.json`);
        writeFileSync(deadImages, '[{"id":');
        const removed = await store.cleanupStale();
        expect(removed.sort()).toEqual([deadDir, deadIngest, deadImages].map((p) => resolve(p)).sort());
        expect(existsSync(deadDir)).toBe(false);
        expect(existsSync(liveDir)).toBe(true);
        expect(readdirSync(join(root, 'layers', '.tmp'))).toHaveLength(2); // ours + the live one
    } finally {
      live.kill();
    }
  });
});

describe('images', () => {
  it('records an image with its size and finds it by id, prefix, sha256:, name, short name and digest', async () => {
    const img = await addImage(store, { names: ['docker.io/library/alpine:3.19'], layers: [{ seed: 'a', size: 5000 }, { seed: 'b', size: 7000 }] });
    expect(img.size).toBe(12000 + store.readBlob(`sha256:${img.id}`).length + store.readBlob(img.digest).length);
    expect(img.topLayer).toBe(img.layers[1]);
    expect(store.listImages()).toHaveLength(1);
    expect(store.findImage(img.id)?.id).toBe(img.id);
    expect(store.findImage(img.id.slice(0, 5))?.id).toBe(img.id);
    expect(store.findImage(`sha256:${img.id}`)?.id).toBe(img.id);
    expect(store.findImage(img.digest)?.id).toBe(img.id);
    expect(store.findImage('docker.io/library/alpine:3.19')?.id).toBe(img.id);
    expect(store.findImage('docker.io/alpine:3.19')?.id).toBe(img.id);
    expect((await store.lookupImage('alpine:3.19'))?.resolvedName).toBe('docker.io/library/alpine:3.19');
    expect(await store.lookupImage('alpine')).toBeUndefined(); // :latest is not there
    expect((await store.lookupImage(`alpine@${img.digest}`))?.image.id).toBe(img.id);
    expect((await store.lookupImage(`docker.io/library/alpine:whatever@${img.digest}`))?.image.id).toBe(img.id);
    await expect(store.getImage('nothere')).rejects.toThrow('nothere: image not known');
  });

  it('tries localhost/ before the search registries, and matches a repository suffix last', async () => {
    const hub = await addImage(store, { names: ['docker.io/library/app:latest'], layers: [{ seed: 'h' }], seed: 'hub' });
    const local = await addImage(store, { names: ['localhost/app:latest'], layers: [{ seed: 'l' }], seed: 'local' });
    const quay = await addImage(store, { names: ['quay.io/team/tool:1'], layers: [{ seed: 'q' }], seed: 'quay' });
    expect((await store.lookupImage('app'))?.image.id).toBe(local.id);
    expect((await store.lookupImage('library/app'))?.image.id).toBe(hub.id);
    expect((await store.lookupImage('tool:1'))?.image.id).toBe(quay.id);
    expect((await store.lookupImage('team/tool:1'))?.image.id).toBe(quay.id);
    expect(await store.lookupImage('ool:1')).toBeUndefined();
    // an alias comes first
    const aliased = openStore(root, testConf({ aliases: new Map([['app', { value: { domain: 'quay.io', path: 'team/tool' }, origin: 'x' }]]) }));
    expect((await aliased.lookupImage('app:1'))?.image.id).toBe(quay.id);
  });

  it('refuses an ambiguous id prefix', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 40; i++) ids.push((await addImage(store, { layers: [{ seed: 'z' }], seed: `s${i}` })).id);
    const first = ids[0]!;
    const clash = ids.find((x, i) => i > 0 && x[0] === first[0]);
    expect(clash).toBeDefined(); // 40 ids over 16 first digits: some share one
    expect(() => store.findImage(first[0]!)).toThrow(/more than one image matches/);
  });

  it('moves a name to the image that is given it; the old one becomes dangling', async () => {
    const a = await addImage(store, { names: ['docker.io/library/x:latest', 'docker.io/library/x:1'], layers: [{ seed: 'a' }], seed: 'a' });
    const b = await addImage(store, { names: ['docker.io/library/x:latest'], layers: [{ seed: 'a' }], seed: 'b' });
    let list = store.listImages();
    expect(list.find((i) => i.id === a.id)!.names).toEqual(['docker.io/library/x:1']);
    expect(list.find((i) => i.id === b.id)!.names).toEqual(['docker.io/library/x:latest']);
    await addImage(store, { names: ['docker.io/library/x:1'], layers: [{ seed: 'a' }], seed: 'b' });
    list = store.listImages();
    expect(list.find((i) => i.id === a.id)!.names).toEqual([]);
    expect(list.find((i) => i.id === a.id)!.namesHistory).toEqual(['docker.io/library/x:latest', 'docker.io/library/x:1']);
    expect(list.find((i) => i.id === b.id)!.names).toEqual(['docker.io/library/x:latest', 'docker.io/library/x:1']);
    // one layer stored once for both images
    expect(readdirSync(join(root, 'layers')).filter((n) => n !== '.tmp')).toHaveLength(1);
  });

  it('tags with Podman normalisation and untags', async () => {
    const img = await addImage(store, { names: ['docker.io/library/busybox:latest'], layers: [{ seed: 'b' }] });
    expect(await store.tagImage(img.id, 'mine')).toBe('localhost/mine:latest');
    expect(await store.tagImage(img.id, 'quay.io/me/bb:v1')).toBe('quay.io/me/bb:v1');
    expect(await store.tagImage(img.id, 'docker.io/foo')).toBe('docker.io/library/foo:latest');
    await expect(store.tagImage(img.id, 'sha256:abc')).rejects.toThrow('tag by digest not supported');
    await expect(store.tagImage(img.id, 'Bad:Name')).rejects.toThrow(/invalid reference/);
    expect(store.findImage('localhost/mine:latest')?.id).toBe(img.id);
    await expect(store.untagImage(img.id, 'nothere')).rejects.toThrow('localhost/nothere:latest: tag not known');
    expect(await store.untagImage(img.id, 'mine')).toEqual(['localhost/mine:latest']);
    expect(await store.untagImage(img.id)).toEqual(['docker.io/library/busybox:latest', 'quay.io/me/bb:v1', 'docker.io/library/foo:latest']);
    expect(store.listImages()[0]!.names).toEqual([]);
  });

  it('refuses to record an image whose layer vanished (a concurrent rmi)', async () => {
    const img = await addImage(store, { names: ['docker.io/library/a:latest'], layers: [{ seed: 'gone' }] });
    await store.removeImages([img.id]);
    await expect(store.putImage({ ...img, names: ['docker.io/library/a:latest'] })).rejects.toThrow(/no longer in the store.*pull again/);
  });
});

describe('rmi', () => {
  it('removes the image, its unshared layers, links and blobs, and keeps shared ones', async () => {
    const a = await addImage(store, { names: ['docker.io/library/a:latest'], layers: [{ seed: 'base' }, { seed: 'a-top' }], seed: 'a' });
    const b = await addImage(store, { names: ['docker.io/library/b:latest'], layers: [{ seed: 'base' }, { seed: 'b-top' }], seed: 'b' });
    const aTop = store.layerInfo(a.layers[1]!)!;
    const r = await store.removeImages(['a']);
    expect(r.exitCode).toBe(0);
    expect(r.reports).toEqual([{ id: a.id, removed: true, untagged: ['docker.io/library/a:latest'], size: a.size }]);
    expect(store.hasLayer(a.layers[1]!)).toBe(false);
    expect(existsSync(join(root, 'l', aTop.link))).toBe(false);
    expect(store.hasLayer(a.layers[0]!)).toBe(true);
    expect(store.hasLayer(b.layers[1]!)).toBe(true);
    expect(store.hasBlob(`sha256:${a.id}`)).toBe(false);
    expect(store.hasBlob(a.digest)).toBe(false);
    expect(store.hasBlob(`sha256:${b.id}`)).toBe(true);
    expect(readdirSync(join(root, 'layers', '.tmp'))).toEqual([]);
    expect(readdirSync(join(root, 'l'))).toHaveLength(2);
  });

  it('only untags a name of an image that has several; by id it needs --force', async () => {
    const img = await addImage(store, { names: ['docker.io/library/a:1', 'docker.io/library/a:2'], layers: [{ seed: 'x' }] });
    const byId = await store.removeImages([img.id.slice(0, 12)]);
    expect(byId.exitCode).toBe(125);
    expect(byId.errors[0]!.error.message).toBe(`unable to delete image "${img.id}" by ID with more than one tag ([docker.io/library/a:1 docker.io/library/a:2]): please force removal`);
    const r = await store.removeImages(['a:1']);
    expect(r.reports).toEqual([{ id: img.id, removed: false, untagged: ['docker.io/library/a:1'], size: 0 }]);
    expect(store.listImages()[0]!.names).toEqual(['docker.io/library/a:2']);
    const forced = await store.removeImages([img.id], { force: true });
    expect(forced.reports[0]).toMatchObject({ removed: true, untagged: ['docker.io/library/a:2'] });
    expect(store.listImages()).toEqual([]);
  });

  it('refuses an image used by a container without --force (exit 2); with it keeps the container\'s layers', async () => {
    const img = await addImage(store, { names: ['docker.io/library/used:latest'], layers: [{ seed: 'u1' }, { seed: 'u2' }] });
    const ctr = 'c'.repeat(64);
    addContainer(root, ctr, img);
    const r = await store.removeImages(['used']);
    expect(r.exitCode).toBe(2);
    expect(r.errors.map((e) => e.error.message)).toEqual([`image used by ${ctr}: image is in use by a container`]);
    expect(store.listImages()).toHaveLength(1);
    const p = await store.pruneImages({ all: true });
    expect(p).toEqual([]);
    const f = await store.removeImages(['used'], { force: true });
    expect(f.exitCode).toBe(0);
    expect(store.listImages()).toEqual([]);
    expect(img.layers.every((l) => store.hasLayer(l))).toBe(true);
    // once the container is gone, the next removal collects them
    rmSync(join(root, 'containers', ctr), { recursive: true });
    await store.pruneImages();
    expect(img.layers.some((l) => store.hasLayer(l))).toBe(false);
  });

  it('reports unknown images with exit 1 and still removes the others; --all removes everything', async () => {
    const a = await addImage(store, { names: ['docker.io/library/a:latest'], layers: [{ seed: 'a' }], seed: 'a' });
    await addImage(store, { names: ['docker.io/library/b:latest'], layers: [{ seed: 'b' }], seed: 'b' });
    await addImage(store, { names: ['docker.io/library/c:latest'], layers: [{ seed: 'c' }], seed: 'c' });
    const r = await store.removeImages(['nope', 'a']);
    expect(r.exitCode).toBe(1);
    expect(r.errors.map((e) => e.error.message)).toEqual(['nope: image not known']);
    expect(r.reports.map((x) => x.id)).toEqual([a.id]);
    expect((await store.removeImages(['nope'], { ignore: true })).exitCode).toBe(0);
    await expect(store.removeImages(['b'], { all: true })).rejects.toThrow(/--all switch/);
    await expect(store.removeImages([])).rejects.toThrow('image name or ID must be specified');
    const all = await store.removeImages([], { all: true });
    expect(all.reports).toHaveLength(2);
    expect(store.listImages()).toEqual([]);
    expect(readdirSync(join(root, 'layers')).filter((n) => n !== '.tmp')).toEqual([]);
    expect(readdirSync(join(root, 'blobs', 'sha256'))).toEqual([]);
  });

  it('collects unreferenced layers only when the process that committed them is gone', async () => {
    // as another process's pull leaves it between its layer commit and its image record
    const diffId = sha('orphan');
    const id = store.chainId(undefined, diffId);
    mkdirSync(join(root, 'layers', id, 'diff'), { recursive: true });
    mkdirSync(join(root, 'l'), { recursive: true });
    symlinkSync(`../layers/${id}/diff`, join(root, 'l', 'ORPHANLINKAAAAAAAAAAAAAAAA'));
    const info = { diffID: diffId, chainID: id, parent: null, size: 1, created: '', compressed: [], link: 'ORPHANLINKAAAAAAAAAAAAAAAA' };
    const file = join(root, 'layers', id, 'layer.json');
    const live = spawn('sleep', ['30']);
    try {
      writeFileSync(file, JSON.stringify({ ...info, committedBy: live.pid }));
      await store.pruneImages();
      expect(store.hasLayer(id)).toBe(true); // a pull in another process may be about to record it
      writeFileSync(file, JSON.stringify({ ...info, committedBy: deadPid() }));
      await store.pruneImages();
      expect(store.hasLayer(id)).toBe(false);
      expect(readdirSync(join(root, 'l'))).toEqual([]);
    } finally {
      live.kill();
    }
  });

  it('maps error kinds to Podman\'s exit codes', () => {
    expect(rmiExitCode([])).toBe(0);
    expect(rmiExitCode(['unknown', 'unknown'])).toBe(1);
    expect(rmiExitCode(['unknown', 'in-use', 'other'])).toBe(2);
    expect(rmiExitCode(['unknown', 'other'])).toBe(125);
  });
});

describe('prune', () => {
  it('removes dangling images only, or every unused image with all', async () => {
    const old = await addImage(store, { names: ['docker.io/library/p:latest'], layers: [{ seed: 'p1' }], seed: 'old' });
    const cur = await addImage(store, { names: ['docker.io/library/p:latest'], layers: [{ seed: 'p2' }], seed: 'new' });
    const other = await addImage(store, { names: ['docker.io/library/q:latest'], layers: [{ seed: 'q' }], seed: 'q' });
    const kept = await addImage(store, { names: ['docker.io/library/k:latest'], layers: [{ seed: 'k' }], seed: 'k' });
    addContainer(root, 'd'.repeat(64), kept);
    const r = await store.pruneImages();
    expect(r.map((x) => x.id)).toEqual([old.id]);
    expect(store.hasLayer(old.layers[0]!)).toBe(false);
    expect(store.listImages().map((i) => i.id).sort()).toEqual([cur.id, other.id, kept.id].sort());
    const f = await store.pruneImages({ all: true, filter: (i) => i.id !== other.id });
    expect(f.map((x) => x.id)).toEqual([cur.id]);
    const a = await store.pruneImages({ all: true });
    expect(a.map((x) => x.id)).toEqual([other.id]);
    expect(store.listImages().map((i) => i.id)).toEqual([kept.id]);
  });
});

describe('disk usage', () => {
  it('splits shared and unique sizes and counts containers', async () => {
    const a = await addImage(store, { names: ['docker.io/library/a:1', 'docker.io/library/a:2'], layers: [{ seed: 'base', size: 100 }, { seed: 'a', size: 10 }], seed: 'a' });
    const b = await addImage(store, { layers: [{ seed: 'base', size: 100 }, { seed: 'b', size: 20 }], seed: 'b' });
    addContainer(root, 'e'.repeat(64), b, 'running');
    const du = store.diskUsage();
    const meta = (i: typeof a) => store.readBlob(`sha256:${i.id}`).length + store.readBlob(i.digest).length;
    expect(du.imagesSize).toBe(130 + meta(a) + meta(b));
    expect(du.images.map((r) => [r.repository, r.tag, r.sharedSize, r.uniqueSize, r.containers])).toEqual([
      ['docker.io/library/a', '1', 100, 10 + meta(a), 0],
      ['docker.io/library/a', '2', 100, 10 + meta(a), 0],
      ['<none>', '<none>', 100, 20 + meta(b), 1],
    ]);
    expect(du.containers).toEqual([expect.objectContaining({ id: 'e'.repeat(64), imageId: b.id, status: 'running', rwSize: 1234 })]);
  });
});

async function buildWriter(): Promise<string> {
  const { build } = await import('esbuild');
  // inside the repo, so the bundle resolves koffi from node_modules
  mkdirSync(join(process.cwd(), '.tmp'), { recursive: true });
  const script = join(mkdtempSync(join(process.cwd(), '.tmp', 'store-writer-')), 'writer.mjs');
  const storeTs = JSON.stringify(join(process.cwd(), 'src/storage/store.ts'));
  await build({
    stdin: {
      contents: `import { Store } from ${storeTs};
const [mode, root, id, n] = process.argv.slice(2);
const s = Store.open({ storageRoot: root });
for (let i = 0; i < Number(n); i++) {
  if (mode === 'churn') {
    // grow and shrink the file so a torn read would show
    await s.tagImage(id, 'quay.io/writer/' + 'x'.repeat(1 + (i % 7) * 20) + '/' + 'y'.repeat(1 + (i % 5) * 20) + ':' + i);
    if (i % 3 === 2) await s.untagImage(id);
  } else {
    await s.tagImage(id, 'quay.io/child/n:' + i);
  }
}
process.stdout.write('done');`,
      resolveDir: process.cwd(),
      loader: 'ts',
    },
    bundle: true,
    platform: 'node',
    format: 'esm',
    outfile: script,
    external: ['koffi'],
    logLevel: 'error',
  });
  return script;
}

function runWriter(script: string, args: string[]) {
  const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const exited = new Promise<{ code: number; out: string; err: string }>((r) => child.on('close', (c) => r({ code: c ?? -1, out, err })));
  return exited;
}

describe('images.json under concurrent processes', () => {
  let script: string;
  beforeEach(async () => {
    script = await buildWriter();
  });
  afterEach(() => rmSync(resolve(script, '..'), { recursive: true, force: true }));

  it('a reader never sees a partial file while another process rewrites it', async () => {
    const img = await addImage(store, { names: ['docker.io/library/w:latest'], layers: [{ seed: 'w' }] });
    const exited = runWriter(script, ['churn', root, img.id, '150']);
    let reads = 0;
    const sizes = new Set<number>();
    let running = true;
    void exited.then(() => (running = false));
    while (running) {
      const text = readFileSync(join(root, 'images.json'), 'utf8');
      const parsed = JSON.parse(text); // throws on a torn file
      expect(parsed[0].id).toBe(img.id);
      sizes.add(text.length);
      reads++;
      await new Promise((r) => setImmediate(r));
    }
    const r = await exited;
    expect(r.code, r.err).toBe(0);
    expect(r.out).toBe('done');
    expect(reads).toBeGreaterThan(20);
    expect(sizes.size).toBeGreaterThan(3); // we did read while it changed
    expect(readdirSync(root).filter((n) => n.includes('.tmp-'))).toEqual([]);
  }, 60_000);

  it('two writing processes lose no update (the storage lock serialises them)', async () => {
    const img = await addImage(store, { names: ['docker.io/library/w:latest'], layers: [{ seed: 'w' }] });
    const exited = runWriter(script, ['add', root, img.id, '150']);
    // start once the child is writing, so the two really overlap
    while (!store.listImages()[0]!.names.some((n) => n.startsWith('quay.io/child/'))) await new Promise((r) => setTimeout(r, 2));
    for (let i = 0; i < 60; i++) await store.tagImage(img.id, `quay.io/parent/n:${i}`);
    const r = await exited;
    expect(r.code, r.err).toBe(0);
    const names = store.listImages()[0]!.names;
    expect(names.filter((n) => n.startsWith('quay.io/child/'))).toHaveLength(150);
    expect(names.filter((n) => n.startsWith('quay.io/parent/'))).toHaveLength(60);
    // they interleaved: some child name was added after the first parent name
    expect(names.findLastIndex((n) => n.startsWith('quay.io/child/'))).toBeGreaterThan(names.findIndex((n) => n.startsWith('quay.io/parent/')));
  }, 60_000);
});
