// The image commands run as the real CLI (bundled from the sources into a private directory, so
// `dist/` is left alone) against a store built through the Store API.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { imageSizeColumn } from '../../../src/image/list.js';
import type { Store } from '../../../src/storage/store.js';
import type { ImageRecord } from '../../../src/storage/types.js';
import { goHumanSize } from '../../../src/ui/units.js';
import { addContainer, addImage, openStore, tempRoot } from './fixture.js';

let bundle: string;
let root: string;
let store: Store;

beforeAll(async () => {
  const { build } = await import('esbuild');
  mkdirSync(join(process.cwd(), '.tmp'), { recursive: true });
  bundle = mkdtempSync(join(process.cwd(), '.tmp', 'image-cli-'));
  await build({
    entryPoints: { cli: 'src/cli.ts' },
    outdir: bundle,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    external: ['koffi', 'ink', 'react', 'react/*', 'yoga-layout', 'yoga-layout/*'],
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
    define: { __TSC_CTR_VERSION__: '"test"', __TSC_CTR_BUILT__: '"test"', __TSC_CTR_COMMIT__: '""' },
    logLevel: 'error',
  });
  writeFileSync(join(bundle, 'run.mjs'), "import('./cli.js').then((m) => m.main(process.argv.slice(2)));\n");
}, 60_000);

afterAll(() => rmSync(bundle, { recursive: true, force: true }));

function cli(args: string[], input?: string): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(bundle, 'run.mjs'), '--root', root, '--runroot', join(root, '.run'), ...args], {
    encoding: 'utf8',
    input: input ?? '',
    env: { ...process.env, CONTAINERS_REGISTRIES_CONF: join(root, 'registries.conf'), XDG_CACHE_HOME: join(root, '.cache') },
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

let alpine: ImageRecord;
let busybox: ImageRecord;
let dangling: ImageRecord;

beforeEach(async () => {
  root = tempRoot('tsc-cli-');
  writeFileSync(join(root, 'registries.conf'), 'unqualified-search-registries = ["docker.io"]\n');
  store = openStore(root);
  alpine = await addImage(store, {
    names: ['docker.io/library/alpine:3.19', 'docker.io/library/alpine:latest'],
    layers: [{ seed: 'alp', size: 7_300_000 }],
    created: '2020-01-01T00:00:00Z',
    labels: { maintainer: 'someone' },
    seed: 'alpine',
  });
  busybox = await addImage(store, {
    names: ['docker.io/library/busybox:latest'],
    layers: [{ seed: 'bb', size: 4_200_000 }],
    created: '2021-06-01T00:00:00Z',
    seed: 'busybox',
  });
  dangling = await addImage(store, { layers: [{ seed: 'old', size: 1_000 }], created: '2019-01-01T00:00:00Z', seed: 'old' });
  return () => rmSync(root, { recursive: true, force: true });
});

const id12 = (i: ImageRecord) => i.id.slice(0, 12);

describe('images', () => {
  it('prints Podman\'s table: one row per tag, newest first, aligned', () => {
    const r = cli(['images']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe('REPOSITORY                 TAG         IMAGE ID      CREATED      SIZE');
    const row = (repo: string, tag: string, img: ImageRecord, created: string) =>
      `${repo.padEnd(27)}${tag.padEnd(12)}${id12(img).padEnd(14)}${created.padEnd(13)}${imageSizeColumn(img.size!)}`;
    const ago = (y: string) => `${Math.trunc((Date.now() - Date.parse(y)) / 3_600_000 / 24 / 365)} years ago`;
    expect(lines.slice(1)).toEqual([
      row('docker.io/library/busybox', 'latest', busybox, ago('2021-06-01T00:00:00Z')),
      row('docker.io/library/alpine', '3.19', alpine, ago('2020-01-01T00:00:00Z')),
      row('docker.io/library/alpine', 'latest', alpine, ago('2020-01-01T00:00:00Z')),
      row('<none>', '<none>', dangling, ago('2019-01-01T00:00:00Z')),
      '',
    ]);
    expect(imageSizeColumn(alpine.size!)).toMatch(/^7\.3\d? MB$/);
  });

  it('-q, -n, --no-trunc, --digests, --sort, --filter, IMAGE, and templates', () => {
    expect(cli(['images', '-q']).stdout).toBe([busybox, alpine, dangling].map((i) => `${id12(i)}\n`).join(''));
    expect(cli(['images', '-q', '--no-trunc', 'alpine']).stdout).toBe(`sha256:${alpine.id}\n`);
    expect(cli(['image', 'list', '-n']).stdout.split('\n')[0]).toMatch(/^docker\.io\/library\/busybox\s+latest/);
    expect(cli(['image', 'ls', '--digests']).stdout.split('\n')[1]).toContain(busybox.digest);
    expect(cli(['images', '--format', '{{.Repository}}:{{.Tag}}', '--sort', 'repository']).stdout).toBe(
      '<none>:<none>\ndocker.io/library/alpine:3.19\ndocker.io/library/alpine:latest\ndocker.io/library/busybox:latest\n',
    );
    expect(cli(['images', '--filter', 'dangling=true', '--format', '{{.ID}} {{.Dangling}}']).stdout).toBe(`${id12(dangling)} true\n`);
    expect(cli(['images', '--format', 'table {{.ID}} {{.Labels}}', 'docker.io/library/alpine:3.19']).stdout).toBe(
      `IMAGE ID      LABELS\n${id12(alpine)}  map[maintainer:someone]\n`,
    );
    const bad = cli(['images', '--sort', 'name']);
    expect(bad.code).toBe(125);
    expect(bad.stderr).toBe('Error: "name" is not a valid field for sorting. Choose from: created, id, repository, size, tag\n');
  });

  it('--format json has Podman\'s keys, one element per row', () => {
    const r = cli(['images', '--format', 'json']);
    const data = JSON.parse(r.stdout);
    expect(data).toHaveLength(4);
    expect(Object.keys(data[0])).toEqual([
      'Id', 'ParentId', 'RepoTags', 'RepoDigests', 'Size', 'SharedSize', 'VirtualSize', 'Labels', 'Containers',
      'ReadOnly', 'Dangling', 'Arch', 'Digest', 'History', 'Names', 'Os', 'Created', 'CreatedAt',
    ]);
    expect(data[0]).toMatchObject({ Id: busybox.id, RepoTags: null, Size: busybox.size, Created: Date.parse('2021-06-01T00:00:00Z') / 1000, CreatedAt: '2021-06-01T00:00:00Z' });
    expect(r.stdout.startsWith('[\n    {\n        "Id": ')).toBe(true);
  });
});

describe('inspect', () => {
  it('image inspect prints Podman\'s JSON and templates, and names the missing ones', () => {
    const r = cli(['image', 'inspect', 'alpine:3.19']);
    expect(r.code).toBe(0);
    const [d] = JSON.parse(r.stdout);
    expect(d.Id).toBe(alpine.id);
    expect(d.RepoTags).toEqual(alpine.names);
    expect(r.stdout.startsWith('[\n     {\n          "Id": ')).toBe(true); // Podman's 5-space indent
    const t = cli(['image', 'inspect', '--format', '{{.Id}} {{.ID}} {{.Config.Cmd}} {{.Architecture}} {{.Config.Entrypoint}}', alpine.id.slice(0, 8)]);
    expect(t.stdout).toBe(`${alpine.id} ${alpine.id} [/bin/sh] amd64 []\n`);
    const miss = cli(['image', 'inspect', 'busybox', 'nope', 'nada']);
    expect(miss.code).toBe(125);
    expect(JSON.parse(miss.stdout).map((x: { Id: string }) => x.Id)).toEqual([busybox.id]);
    expect(miss.stderr).toBe('nada: image not known\nError: nope: image not known\n');
  });

  it('top-level inspect finds images and says "no such object" otherwise', () => {
    expect(cli(['inspect', '--format', '{{.Os}}/{{.Architecture}}', 'busybox']).stdout).toBe('linux/amd64\n');
    const miss = cli(['inspect', 'nope']);
    expect(miss.code).toBe(125);
    expect(miss.stdout).toBe('[]\n');
    expect(miss.stderr).toBe('Error: no such object: "nope"\n');
    expect(cli(['inspect', '--type', 'image', 'nope']).stderr).toBe('Error: nope: image not known\n');
  });
});

describe('tag, untag, rmi, prune', () => {
  it('tag normalises names; untag removes one or all', () => {
    expect(cli(['tag', 'busybox', 'mybox', 'quay.io/me/box:1']).code).toBe(0);
    expect(store.findImage(busybox.id)!.names).toEqual(['docker.io/library/busybox:latest', 'localhost/mybox:latest', 'quay.io/me/box:1']);
    // a short name selects the image; all its names are listed (only a full name narrows them)
    expect(cli(['images', '--format', '{{.Repository}}:{{.Tag}}', 'mybox']).stdout).toBe(
      'docker.io/library/busybox:latest\nlocalhost/mybox:latest\nquay.io/me/box:1\n',
    );
    expect(cli(['images', '--format', '{{.Repository}}:{{.Tag}}', 'quay.io/me/box:1']).stdout).toBe('quay.io/me/box:1\n');
    expect(cli(['untag', 'busybox', 'mybox']).code).toBe(0);
    expect(cli(['image', 'untag', busybox.id]).code).toBe(0);
    expect(store.findImage(busybox.id)!.names).toEqual([]);
    const miss = cli(['tag', 'nope', 'x']);
    expect([miss.code, miss.stderr]).toEqual([125, 'Error: nope: image not known\n']);
  });

  it('rmi prints Untagged/Deleted and uses Podman\'s exit codes', () => {
    const r = cli(['rmi', 'alpine:3.19']);
    expect([r.code, r.stdout]).toEqual([0, 'Untagged: docker.io/library/alpine:3.19\n']);
    addContainer(root, '1'.repeat(64), busybox);
    const used = cli(['rmi', 'busybox', 'alpine', 'nope']);
    expect(used.code).toBe(2);
    expect(used.stdout).toBe(`Untagged: docker.io/library/alpine:latest\nDeleted: ${alpine.id}\n`);
    expect(used.stderr).toBe(`Error: 2 errors occurred:\n\t* nope: image not known\n\t* image used by ${'1'.repeat(64)}: image is in use by a container\n`);
    const missing = cli(['image', 'rm', 'nope']);
    expect([missing.code, missing.stderr]).toEqual([1, 'Error: nope: image not known\n']);
    expect(cli(['rmi', '-f', 'busybox']).stdout).toBe(`Untagged: docker.io/library/busybox:latest\nDeleted: ${busybox.id}\n`);
  });

  it('image prune asks first, then removes dangling images (-a: all unused)', () => {
    const no = cli(['image', 'prune'], 'n\n');
    expect(no.stdout).toBe('WARNING! This command removes all dangling images.\nAre you sure you want to continue? [y/N] ');
    expect(store.listImages()).toHaveLength(3);
    const eof = cli(['image', 'prune'], '');
    expect([eof.code, eof.stderr]).toEqual([125, 'Error: EOF\n']);
    const yes = cli(['image', 'prune'], 'y\n');
    expect(yes.stdout).toBe(`WARNING! This command removes all dangling images.\nAre you sure you want to continue? [y/N] ${dangling.id}\n`);
    addContainer(root, '2'.repeat(64), busybox);
    const all = cli(['image', 'prune', '-a', '-f']);
    expect(all.stdout).toBe(`${alpine.id}\n`);
    expect(store.listImages().map((i) => i.id)).toEqual([busybox.id]);
  });
});

describe('system df', () => {
  it('prints Podman\'s summary and verbose tables', () => {
    addContainer(root, '3'.repeat(64), busybox, 'running');
    const du = store.diskUsage();
    const r = cli(['system', 'df']);
    expect(r.code).toBe(0);
    const busyUnique = du.images.find((i) => i.id === busybox.id)!.uniqueSize;
    const reclaim = du.imagesSize - busyUnique;
    const pct = Math.round((reclaim / du.imagesSize) * 100);
    expect(r.stdout.split('\n')).toEqual([
      'TYPE           TOTAL       ACTIVE      SIZE        RECLAIMABLE',
      `Images         4           1           ${goHumanSize(du.imagesSize).padEnd(12)}${goHumanSize(reclaim)} (${pct}%)`,
      'Containers     1           1           1.234kB     0B (0%)',
      'Local Volumes  0           0           0B          0B (0%)',
      '',
    ]);
    const j = JSON.parse(cli(['system', 'df', '--format', 'json']).stdout);
    expect(Object.keys(j[0])).toEqual(['Type', 'Total', 'Active', 'RawSize', 'RawReclaimable', 'TotalCount', 'Size', 'Reclaimable']);
    expect(cli(['system', 'df', '--format', '{{.Type}}={{.Total}}']).stdout).toBe('Images=4\nContainers=1\nLocal Volumes=0\n');
    const v = cli(['system', 'df', '-v']).stdout;
    expect(v).toContain('Images space usage:\n\nREPOSITORY                 TAG         IMAGE ID      CREATED     SIZE');
    expect(v).toContain('\nContainers space usage:\n\nCONTAINER ID');
    expect(v).toContain('\nLocal Volumes space usage:\n\nVOLUME NAME');
    expect(cli(['system', 'df', '-v', '--format', 'json']).stderr).toBe('Error: cannot combine --format and --verbose flags\n');
    expect(JSON.parse(readFileSync(join(root, 'images.json'), 'utf8'))).toHaveLength(3);
  });
});
