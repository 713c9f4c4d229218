/**
 * `commit`: a container's changes (its overlay upper dir) become a new layer on top of its
 * image, and a new image: the image's config with the `--change` instructions applied, one more
 * diff id and one more history entry. The layer goes through the same unpacker as a pull, so it
 * is stored like any pulled layer and the new image runs like one. Must run inside our user
 * namespace when rootless: the upper dir holds files of subordinate ids, and the layer records
 * the ids the container sees.
 */
import { join } from 'node:path';
import { TscCtrError, UsageError } from '../errors.js';
import { type HistoryEntry, type ImageConfig, MediaType } from '../oci/image.js';
import type { ContainerStore } from '../storage/containers.js';
import { upperDiffTar } from '../storage/diff/upper.js';
import { normalizeTagName } from '../storage/images.js';
import type { Store } from '../storage/store.js';
import type { ContainerRecord } from '../container/types.js';
import { applyChanges, parseChanges } from './changes.js';
import { type ManifestFormat, imageLayerDescriptors, storeImage, storeLayerFromTar } from './new-image.js';

export interface CommitOptions {
  changes?: string[] | undefined;
  message?: string | undefined;
  author?: string | undefined;
  format?: ManifestFormat | undefined;
  /** Name for the image (`foo` → `localhost/foo:latest`); none = dangling. */
  name?: string | undefined;
  /** Rootless overlay keeps its whiteout and opaque markers in user.overlay.* xattrs. */
  rootless: boolean;
  progress?: (line: string) => void;
  created?: Date;
}

export interface CommitResult {
  id: string;
  name?: string | undefined;
  diffId: string;
}

export function parseFormat(f: string | undefined): ManifestFormat {
  if (f === undefined || f === 'oci') return 'oci';
  if (f === 'docker') return 'docker';
  throw new UsageError(`unrecognized image type "${f}": use oci or docker`);
}

/** The new image's config (pure): OCI fields of the base, changes applied, one layer more. */
export function commitConfig(
  base: ImageConfig,
  diffId: string,
  o: { changes?: string[] | undefined; message?: string | undefined; author?: string | undefined; createdBy: string; created: Date },
): ImageConfig {
  const created = o.created.toISOString();
  const entry: HistoryEntry = { created, created_by: o.createdBy };
  if (o.author) entry.author = o.author;
  if (o.message) entry.comment = o.message;
  const cfg: ImageConfig = {
    created,
    architecture: base.architecture,
    os: base.os,
    ...(base.variant ? { variant: base.variant } : {}),
    ...(base['os.version'] ? { 'os.version': base['os.version'] } : {}),
    config: applyChanges(base.config, parseChanges(o.changes)),
    rootfs: { type: 'layers', diff_ids: [...(base.rootfs?.diff_ids ?? []), diffId] },
    history: [...(base.history ?? []), entry],
  };
  const author = o.author ?? base.author;
  if (author) cfg.author = author;
  return cfg;
}

/** The upper dir of a container's rootfs (see container/start.ts). */
export function containerUpperDir(containers: ContainerStore, id: string): string {
  return join(containers.containerDir(id), 'upper');
}

/** Commit container `rec` as a new image. */
export async function commitContainer(store: Store, containers: ContainerStore, rec: ContainerRecord, opts: CommitOptions): Promise<CommitResult> {
  parseChanges(opts.changes);
  if (opts.name !== undefined) normalizeTagName(opts.name);
  const base = store.listImages().find((i) => i.id === rec.imageId);
  const baseConfig = base && store.imageConfig(base);
  if (!base || !baseConfig) {
    throw new TscCtrError(`container ${rec.name}: its image ${rec.imageId.slice(0, 12)} is no longer in the store, so there is no config to build on`, {
      code: 'TSC_ERR_IMAGE_UNKNOWN',
    });
  }
  if (base.layers.join(':') !== rec.layers.join(':')) {
    throw new TscCtrError(`container ${rec.name}: its image ${rec.imageId.slice(0, 12)} no longer has the layers the container was created on`, {
      code: 'TSC_ERR_STORE_CHANGED',
    });
  }
  const top = rec.layers[rec.layers.length - 1];
  opts.progress?.('Getting image source signatures');
  const tar = upperDiffTar(containerUpperDir(containers, rec.id), { rootless: opts.rootless });
  const layer = await storeLayerFromTar(store, tar, { parent: top, compression: 'none', layerName: `container ${rec.name}` });
  opts.progress?.(`Copying blob ${layer.diffId.slice(7, 19)} done`);
  const config = commitConfig(baseConfig, layer.diffId, {
    changes: opts.changes,
    message: opts.message,
    author: opts.author,
    createdBy: rec.command.join(' '),
    created: opts.created ?? new Date(),
  });
  const descriptors = [...imageLayerDescriptors(store, base, baseConfig), { mediaType: MediaType.OciLayer, digest: layer.diffId, size: layer.tarSize }];
  const img = await storeImage(store, {
    config,
    layers: [...rec.layers, layer.chainId],
    descriptors,
    format: opts.format ?? 'oci',
    name: opts.name,
  });
  opts.progress?.(`Copying config ${img.id.slice(0, 12)} done`);
  opts.progress?.('Writing manifest to image destination');
  return { id: img.id, name: img.names[0], diffId: layer.diffId };
}
