import { rmSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describeProblems, imageProblems, inspectImage } from '../../../src/image/inspect.js';
import {
  goPathMatch,
  imageSizeColumn,
  listImageRows,
  matchLabel,
  parseGoDuration,
  referenceCandidates,
  rowJson,
  uniqueIds,
} from '../../../src/image/list.js';
import type { Store } from '../../../src/storage/store.js';
import { humanDuration } from '../../../src/ui/human.js';
import { goFormatG, goHumanSize, goTimeStringUTC } from '../../../src/ui/units.js';
import { addContainer, addImage, openStore, tempRoot } from './fixture.js';

describe('human sizes and times (go-units)', () => {
  it('formats like Go %g', () => {
    expect(goFormatG(5.594, 3)).toBe('5.59');
    expect(goFormatG(12.35, 3)).toBe('12.3');
    expect(goFormatG(100, 3)).toBe('100');
    expect(goFormatG(999.6, 3)).toBe('1e+03');
    expect(goFormatG(1, 4)).toBe('1');
    expect(goFormatG(7.3384, 4)).toBe('7.338');
    expect(goFormatG(0, 3)).toBe('0');
  });

  it('sizes: images column (3 digits, a space) and df (4 digits)', () => {
    expect(imageSizeColumn(0)).toBe('0 B');
    expect(imageSizeColumn(892)).toBe('892 B');
    expect(imageSizeColumn(7_338_000)).toBe('7.34 MB');
    expect(imageSizeColumn(1_234_567_890)).toBe('1.23 GB');
    expect(imageSizeColumn(999_600)).toBe('1e+03 kB');
    expect(imageSizeColumn(12_345)).toBe('12.3 kB');
    expect(goHumanSize(7_338_412)).toBe('7.338MB');
    expect(goHumanSize(0)).toBe('0B');
  });

  it('durations', () => {
    const s = 1000;
    const h = 3600 * s;
    expect(humanDuration(500)).toBe('Less than a second');
    expect(humanDuration(1 * s)).toBe('1 second');
    expect(humanDuration(59 * s)).toBe('59 seconds');
    expect(humanDuration(60 * s)).toBe('About a minute');
    expect(humanDuration(119 * s)).toBe('About a minute');
    expect(humanDuration(45 * 60 * s)).toBe('45 minutes');
    expect(humanDuration(90 * 60 * s)).toBe('2 hours');
    expect(humanDuration(80 * 60 * s)).toBe('About an hour');
    expect(humanDuration(47 * h)).toBe('47 hours');
    expect(humanDuration(48 * h)).toBe('2 days');
    expect(humanDuration(14 * 24 * h)).toBe('2 weeks');
    expect(humanDuration(59 * 24 * h)).toBe('8 weeks');
    expect(humanDuration(60 * 24 * h)).toBe('2 months');
    expect(humanDuration(800 * 24 * h)).toBe('2 years');
  });

  it('Go time strings', () => {
    expect(goTimeStringUTC(new Date('2024-01-02T03:04:05Z'))).toBe('2024-01-02 03:04:05 +0000 UTC');
    expect(goTimeStringUTC(new Date('2024-01-02T03:04:05.5Z'))).toBe('2024-01-02 03:04:05.5 +0000 UTC');
  });

  it('Go durations', () => {
    expect(parseGoDuration('10m')).toBe(600_000);
    expect(parseGoDuration('1h30m')).toBe(5_400_000);
    expect(parseGoDuration('1.5s')).toBe(1500);
    expect(parseGoDuration('2024-01-01')).toBeUndefined();
  });
});

describe('filter helpers', () => {
  it('glob like Go path.Match', () => {
    expect(goPathMatch('alp*', 'alpine:latest')).toBe(true);
    expect(goPathMatch('*', 'docker.io/library/alpine')).toBe(false);
    expect(goPathMatch('*/alpine', 'library/alpine')).toBe(true);
    expect(goPathMatch('a?pine', 'alpine')).toBe(true);
    expect(goPathMatch('[ab]lpine', 'blpine')).toBe(true);
    expect(goPathMatch('alpine.x', 'alpineXx')).toBe(false);
  });

  it('reference candidates of a stored name', () => {
    expect(referenceCandidates('docker.io/library/alpine:3.19')).toEqual([
      'docker.io/library/alpine:3.19',
      'library/alpine',
      'alpine:3.19',
      'docker.io/library/alpine',
      'library/alpine:3.19',
      'alpine',
    ]);
  });

  it('labels', () => {
    expect(matchLabel('a', { a: '1' })).toBe(true);
    expect(matchLabel('a=1', { a: '1' })).toBe(true);
    expect(matchLabel('a=2', { a: '1' })).toBe(false);
    expect(matchLabel('org.*', { 'org.opencontainers.x': 'v' })).toBe(true);
    expect(matchLabel('a', null)).toBe(false);
  });
});

describe('image list', () => {
  let root: string;
  let store: Store;
  const NOW = Date.parse('2024-03-01T00:00:00Z');
  beforeEach(() => {
    root = tempRoot();
    store = openStore(root);
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  async function fill() {
    const alpine = await addImage(store, {
      names: ['docker.io/library/alpine:3.19', 'docker.io/library/alpine:latest'],
      layers: [{ seed: 'alp', size: 7_000_000 }],
      created: '2024-01-27T00:30:56Z',
      labels: { maintainer: 'a' },
      seed: 'alpine',
    });
    const busy = await addImage(store, {
      names: ['docker.io/library/busybox:latest'],
      layers: [{ seed: 'bb', size: 4_000_000 }],
      created: '2024-02-20T10:00:00Z',
      seed: 'busybox',
    });
    const old = await addImage(store, { names: [], layers: [{ seed: 'old', size: 1000 }], created: '2023-01-01T00:00:00Z', seed: 'old' });
    const digested = await addImage(store, {
      names: ['quay.io/x/app@sha256:' + 'a'.repeat(64)],
      layers: [{ seed: 'app', size: 100 }],
      created: '2024-02-01T00:00:00Z',
      seed: 'app',
      labels: { tier: 'web' },
    });
    return { alpine, busy, old, digested };
  }

  it('one row per tag, <none> for dangling, newest first, with Podman fields', async () => {
    const { alpine, busy, old, digested } = await fill();
    addContainer(root, 'f'.repeat(64), busy);
    const rows = await listImageRows(store, { now: NOW });
    expect(rows.map((r) => [r.Repository, r.Tag, r.ID])).toEqual([
      ['docker.io/library/busybox', 'latest', busy.id.slice(0, 12)],
      ['quay.io/x/app', '<none>', digested.id.slice(0, 12)],
      ['docker.io/library/alpine', '3.19', alpine.id.slice(0, 12)],
      ['docker.io/library/alpine', 'latest', alpine.id.slice(0, 12)],
      ['<none>', '<none>', old.id.slice(0, 12)],
    ]);
    const b = rows[0]!;
    expect(b.Created).toBe('9 days ago');
    expect(b.CreatedAt).toBe('2024-02-20 10:00:00 +0000 UTC');
    expect(b.Size).toBe(imageSizeColumn(busy.size!));
    expect(b.Size).toMatch(/^4\.0\d? MB$|^4 MB$/);
    expect(b.Containers).toBe(1);
    expect(b.Dangling).toBe(false);
    expect(rows[4]!.Dangling).toBe(true);
    // RepoDigests pair every repository with the image's manifest digests (not the digest in a name)
    expect(rows[1]!.RepoDigests).toEqual([`quay.io/x/app@${digested.digest}`]);
    expect(uniqueIds(rows)).toHaveLength(4);
    const noTrunc = await listImageRows(store, { now: NOW, noTrunc: true });
    expect(noTrunc[0]!.ID).toBe(`sha256:${busy.id}`);
    const j = rowJson(rows[2]!);
    expect(Object.keys(j)).toEqual([
      'Id', 'ParentId', 'RepoTags', 'RepoDigests', 'Size', 'SharedSize', 'VirtualSize', 'Labels', 'Containers',
      'ReadOnly', 'Dangling', 'Arch', 'Digest', 'History', 'Names', 'Os', 'Created', 'CreatedAt',
    ]);
    expect(j).toMatchObject({
      Id: alpine.id,
      RepoTags: null,
      Size: alpine.size,
      Labels: { maintainer: 'a' },
      Digest: alpine.digest,
      Names: alpine.names,
      Arch: 'amd64',
      Os: 'linux',
      Created: Date.parse('2024-01-27T00:30:56Z') / 1000,
      CreatedAt: '2024-01-27T00:30:56Z',
    });
  });

  it('sorts by id, repository, size and tag, and refuses other fields', async () => {
    await fill();
    const byRepo = await listImageRows(store, { now: NOW, sort: 'repository' });
    expect(byRepo.map((r) => `${r.Repository}:${r.Tag}`)).toEqual([
      '<none>:<none>',
      'docker.io/library/alpine:3.19',
      'docker.io/library/alpine:latest',
      'docker.io/library/busybox:latest',
      'quay.io/x/app:<none>',
    ]);
    const bySize = await listImageRows(store, { now: NOW, sort: 'size' });
    expect(bySize.map((r) => r.Repository)[0]).toBe('quay.io/x/app');
    const byId = await listImageRows(store, { now: NOW, sort: 'id' });
    expect(byId.map((r) => r.ID)).toEqual([...byId.map((r) => r.ID)].sort());
    await expect(listImageRows(store, { sort: 'name' })).rejects.toThrow('"name" is not a valid field for sorting. Choose from: created, id, repository, size, tag');
  });

  it('filters: reference (glob, familiar, positional), dangling, label, before/since, until, id, containers', async () => {
    const { alpine, busy, old, digested } = await fill();
    addContainer(root, 'f'.repeat(64), busy);
    const ids = async (o: Parameters<typeof listImageRows>[1]) => [...new Set((await listImageRows(store, { now: NOW, ...o })).map((r) => r.Id))];
    expect(await ids({ filters: ['reference=alpine'] })).toEqual([alpine.id]);
    expect(await ids({ filters: ['reference=alp*'] })).toEqual([alpine.id]);
    expect(await ids({ filters: ['reference=*/alpine:3.19'] })).toEqual([alpine.id]);
    expect(await ids({ reference: 'busybox' })).toEqual([busy.id]);
    expect(await ids({ filters: ['reference=alpine', 'reference=busybox'] })).toEqual([busy.id, alpine.id]);
    expect(await ids({ filters: ['reference!=alpine'] })).toEqual([busy.id, digested.id, old.id]);
    expect(await ids({ filters: ['dangling=true'] })).toEqual([old.id]);
    expect(await ids({ filters: ['dangling=false'] })).toHaveLength(3);
    expect(await ids({ filters: ['label=tier=web'] })).toEqual([digested.id]);
    expect(await ids({ filters: ['label=maintainer'] })).toEqual([alpine.id]);
    expect(await ids({ filters: ['label!=maintainer', 'dangling=false'] })).toEqual([busy.id, digested.id]);
    expect(await ids({ filters: ['before=busybox'] })).toEqual([digested.id, alpine.id, old.id]);
    expect(await ids({ filters: ['since=alpine:3.19'] })).toEqual([busy.id, digested.id]);
    expect(await ids({ filters: ['until=2024-01-01T00:00:00Z'] })).toEqual([old.id]);
    expect(await ids({ filters: ['until=720h'] })).toEqual([alpine.id, old.id]); // before 2024-01-31
    expect(await ids({ filters: [`id=${old.id.slice(0, 6)}`] })).toEqual([old.id]);
    expect(await ids({ filters: ['containers=true'] })).toEqual([busy.id]);
    // a single full reference narrows the rows to that name
    const narrowed = await listImageRows(store, { now: NOW, filters: ['reference=docker.io/library/alpine:latest'] });
    expect(narrowed.map((r) => r.Tag)).toEqual(['latest']);
    await expect(listImageRows(store, { filters: ['bogus'] })).rejects.toThrow('invalid image filter "bogus": must be in the format "filter=value or filter!=value"');
    await expect(listImageRows(store, { filters: ['color=red'] })).rejects.toThrow('invalid image filter "color"');
    await expect(listImageRows(store, { filters: ['dangling=maybe'] })).rejects.toThrow('non-boolean value "maybe" for dangling filter');
    await expect(listImageRows(store, { filters: ['before=nothere'] })).rejects.toThrow(/could not find local image for filter "before"="nothere"/);
    await expect(listImageRows(store, { filters: ['dangling=true'], reference: 'x' })).rejects.toThrow('cannot specify an image and a filter(s)');
  });
});

describe('image inspect data', () => {
  let root: string;
  let store: Store;
  beforeEach(() => {
    root = tempRoot();
    store = openStore(root);
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('has Podman\'s keys and values', async () => {
    const img = await addImage(store, {
      names: ['docker.io/library/alpine:latest'],
      layers: [{ seed: 'l1', size: 10 }, { seed: 'l2', size: 20 }],
      labels: { a: 'b' },
      cmd: ['/bin/sh', '-c', 'true'],
    });
    const d = inspectImage(store, img);
    expect(Object.keys(d)).toEqual([
      'Id', 'Digest', 'RepoTags', 'RepoDigests', 'Parent', 'Comment', 'Created', 'Config', 'Version', 'Author', 'Architecture', 'Os',
      'Size', 'VirtualSize', 'GraphDriver', 'RootFS', 'Labels', 'Annotations', 'ManifestType', 'User', 'History', 'NamesHistory',
    ]);
    expect(d).toMatchObject({
      Id: img.id,
      Digest: img.digest,
      RepoTags: ['docker.io/library/alpine:latest'],
      RepoDigests: [`docker.io/library/alpine@${img.digest}`],
      Comment: 'test',
      Created: '2024-01-02T03:04:05Z',
      Config: { Env: ['PATH=/usr/bin'], Cmd: ['/bin/sh', '-c', 'true'], WorkingDir: '/', Labels: { a: 'b' } },
      Author: 'tester',
      Architecture: 'amd64',
      Os: 'linux',
      Size: img.size,
      Labels: { a: 'b' },
      Annotations: { 'org.example': 'yes' },
      ManifestType: 'application/vnd.oci.image.manifest.v1+json',
      User: '',
      NamesHistory: ['docker.io/library/alpine:latest'],
    });
    expect(d.RootFS.Layers).toHaveLength(2);
    expect(d.GraphDriver).toEqual({ Name: 'overlay', Data: { LowerDir: store.layerDiffDir(img.layers[0]!), UpperDir: store.layerDiffDir(img.layers[1]!) } });
    expect((d as unknown as { ID: string }).ID).toBe(img.id);
    expect(JSON.stringify(d)).not.toContain('"ID"');
    expect(describeProblems(img, imageProblems(store, img))).toBeUndefined();
    rmSync(store.layerDiffDir(img.layers[0]!).replace(/\/diff$/, ''), { recursive: true });
    expect(describeProblems(img, imageProblems(store, img))).toBe(`image ${img.id.slice(0, 12)} is broken (layer ${img.layers[0]!.slice(0, 12)} missing): remove it and pull it again`);
  });
});
