// Builds image store states through the Store API, for the storage and image-command tests.
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Store } from '../../../src/storage/store.js';
import type { RegistriesConf } from '../../../src/registry/registries-conf.js';
import type { ImageRecord } from '../../../src/storage/types.js';

export function sha(data: string | Buffer): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/** A registries.conf with docker.io as the only search registry and no aliases. */
export function testConf(over: Partial<RegistriesConf> = {}): RegistriesConf {
  return {
    registries: [],
    unqualifiedSearchRegistries: ['docker.io'],
    unqualifiedSearchRegistriesOrigin: '/test/registries.conf',
    shortNameMode: 'permissive',
    aliases: new Map(),
    credentialHelpers: [],
    files: [],
    sourceDescription: 'test',
    ...over,
  };
}

export function tempRoot(prefix = 'tsc-store-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function openStore(root: string, conf = testConf()): Store {
  return Store.open(
    { storageRoot: root, runRoot: join(root, '.run') },
    { registriesConf: conf, shortNameOptions: { aliasCachePath: join(root, '.no-alias-cache.conf') } },
  );
}

export interface LayerSpec {
  /** Content that makes the diff id unique. */
  seed: string;
  /** Bytes recorded as the unpacked size. */
  size?: number;
}

export interface ImageSpec {
  names?: string[];
  layers: LayerSpec[];
  created?: string;
  labels?: Record<string, string>;
  arch?: string;
  os?: string;
  /** Extra to make the config (and so the id) unique. */
  seed?: string;
  cmd?: string[];
  mediaType?: string;
}

/** Commit the layers (skipping present ones), write config + manifest, and record the image. */
export async function addImage(store: Store, spec: ImageSpec): Promise<ImageRecord> {
  const diffIds = spec.layers.map((l) => sha(`layer:${l.seed}`));
  const chain: string[] = [];
  for (let i = 0; i < spec.layers.length; i++) {
    const id = store.chainId(i ? chain[i - 1] : undefined, diffIds[i]!);
    chain.push(id);
    if (store.hasLayer(id)) continue;
    const tmp = await store.newLayerTemp();
    mkdirSync(join(tmp, 'diff'));
    writeFileSync(join(tmp, 'diff', `file-${spec.layers[i]!.seed}`), spec.layers[i]!.seed);
    await store.commitLayer(tmp, {
      chainId: id,
      diffId: diffIds[i]!,
      parent: i ? chain[i - 1] : undefined,
      size: spec.layers[i]!.size ?? 1000,
      compressed: [{ digest: sha(`gz:${spec.layers[i]!.seed}`), size: 500, mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip' }],
    });
  }
  const created = spec.created ?? '2024-01-02T03:04:05Z';
  const config = Buffer.from(
    JSON.stringify({
      created,
      architecture: spec.arch ?? 'amd64',
      os: spec.os ?? 'linux',
      author: 'tester',
      config: { Env: ['PATH=/usr/bin'], Cmd: spec.cmd ?? ['/bin/sh'], Labels: spec.labels, WorkingDir: '/' },
      rootfs: { type: 'layers', diff_ids: diffIds },
      history: [{ created, created_by: `build ${spec.seed ?? ''}`, comment: 'test' }],
      seed: spec.seed,
    }),
  );
  const configDigest = sha(config);
  const mediaType = spec.mediaType ?? 'application/vnd.oci.image.manifest.v1+json';
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType,
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: configDigest, size: config.length },
      layers: spec.layers.map((l) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: sha(`gz:${l.seed}`), size: 500 })),
      annotations: { 'org.example': 'yes' },
    }),
  );
  const manifestDigest = sha(manifest);
  store.writeBlob(configDigest, config);
  store.writeBlob(manifestDigest, manifest);
  return store.putImage({
    id: configDigest.slice(7),
    digest: manifestDigest,
    names: spec.names ?? [],
    manifestMediaType: mediaType,
    topLayer: chain[chain.length - 1],
    layers: chain,
    created,
  });
}

/** A container record that uses `img` (what `rmi` must respect). */
export function addContainer(root: string, id: string, img: ImageRecord, status = 'exited'): void {
  const dir = join(root, 'containers', id);
  mkdirSync(join(dir, 'upper'), { recursive: true });
  writeFileSync(join(dir, 'upper', 'written'), 'x'.repeat(1234));
  writeFileSync(
    join(dir, 'container.json'),
    JSON.stringify({ id, name: `ctr-${id.slice(0, 4)}`, imageId: img.id, imageName: img.names[0] ?? img.id, layers: img.layers, command: ['sh'], created: '2024-01-01T00:00:00Z', state: { status } }),
  );
}
