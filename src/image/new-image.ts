/**
 * Images made here rather than pulled (import, commit): a layer tar stored exactly as a pulled
 * layer is (same unpacker, so the same refusals of hostile entries and the same ownership
 * rules), then a config and a manifest written as blobs and the image recorded. Must run inside
 * our user namespace when rootless, like a pull.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { TscCtrError } from '../errors.js';
import { type Descriptor, type ImageConfig, type ImageManifest, MediaType } from '../oci/image.js';
import { sha256Digest } from '../storage/blobs.js';
import { formatReference } from '../registry/reference.js';
import { normalizeTagName } from '../storage/images.js';
import type { Store } from '../storage/store.js';
import type { ImageRecord } from '../storage/types.js';
import type { Compression } from '../storage/unpack/decompress.js';
import { DEFAULT_MAX_LAYER_SIZE, namespaceIdLimits } from './pull.js';

export type ManifestFormat = 'oci' | 'docker';

export interface StoredLayer {
  /** Layer id (hex chain id). */
  chainId: string;
  diffId: string;
  /** Bytes of the uncompressed tar: the blob a manifest lists for this layer. */
  tarSize: number;
  /** Bytes of unpacked content. */
  size: number;
}

export interface StoreLayerOptions {
  /** Chain id of the layer below, if any. */
  parent?: string | undefined;
  compression?: Compression | 'auto';
  /** Names the layer in errors. */
  layerName: string;
  maxSize?: number;
  warn?: (message: string) => void;
}

/**
 * Unpack a layer tar into the store on top of `parent`. On any error nothing is left behind
 * (the temp dir is removed). A layer already present is reused.
 */
export async function storeLayerFromTar(store: Store, input: Readable, opts: StoreLayerOptions): Promise<StoredLayer> {
  const { unpackLayer } = await import('../storage/unpack/index.js');
  const limits = namespaceIdLimits();
  const temp = await store.newLayerTemp();
  try {
    const diffDir = join(temp, 'diff');
    mkdirSync(diffDir, { mode: 0o755 });
    const r = await unpackLayer(input, diffDir, {
      compression: opts.compression ?? 'auto',
      whiteouts: 'overlay',
      rootless: limits !== undefined || process.env._CONTAINERS_USERNS_CONFIGURED !== undefined,
      maxSize: opts.maxSize ?? DEFAULT_MAX_LAYER_SIZE,
      ...(limits ? { idLimit: limits } : {}),
      chown: limits === undefined || limits.uidMax > 0,
      layerName: opts.layerName,
    });
    if (r.overflowIds > 0) {
      opts.warn?.(`${opts.layerName}: ${r.overflowIds} files are owned by ids beyond your subordinate id range and were given the overflow id 65534`);
    }
    const chainId = store.chainId(opts.parent, r.diffId);
    await store.commitLayer(temp, {
      chainId,
      diffId: r.diffId,
      parent: opts.parent ?? null,
      size: r.size,
      // The uncompressed tar is the blob our manifests name for this layer.
      compressed: [{ digest: r.diffId, size: r.tarSize, mediaType: MediaType.OciLayer }],
    });
    return { chainId, diffId: r.diffId, tarSize: r.tarSize, size: r.size };
  } catch (err) {
    await store.discardTemp(temp).catch(() => {});
    throw err;
  }
}

const TO_DOCKER: Record<string, string> = {
  [MediaType.OciLayer]: MediaType.DockerLayer,
  [MediaType.OciLayerGzip]: MediaType.DockerLayerGzip,
  [MediaType.OciLayerNondistGzip]: MediaType.DockerLayerForeignGzip,
};
const TO_OCI: Record<string, string> = Object.fromEntries(Object.entries(TO_DOCKER).map(([k, v]) => [v, k]));

/** A layer media type in the other manifest format's spelling (zstd has no Docker name: kept). */
export function layerMediaTypeFor(format: ManifestFormat, mediaType: string): string {
  return (format === 'docker' ? TO_DOCKER[mediaType] : TO_OCI[mediaType]) ?? mediaType;
}

/**
 * The layer descriptors of a stored image, base first: from its manifest when it has one that
 * matches its layers, else from what each layer.json remembers (the uncompressed tar at worst).
 */
export function imageLayerDescriptors(store: Store, img: ImageRecord, config: ImageConfig): Descriptor[] {
  try {
    if (img.digest) {
      const m = JSON.parse(store.readBlob(img.digest).toString('utf8')) as ImageManifest;
      if (Array.isArray(m.layers) && m.layers.length === img.layers.length) return m.layers.map((l) => ({ mediaType: l.mediaType, digest: l.digest, size: l.size }));
    }
  } catch {
    // no manifest: fall back to the layers' own records
  }
  return img.layers.map((id, i) => {
    const info = store.layerInfo(id);
    const c = info?.compressed[0];
    if (c) return { mediaType: c.mediaType, digest: c.digest, size: c.size };
    const diffId = info?.diffID ?? config.rootfs.diff_ids[i];
    if (!diffId) throw new TscCtrError(`image ${img.id.slice(0, 12)}: layer ${id} has no record`, { code: 'TSC_ERR_CORRUPT_STORE' });
    return { mediaType: MediaType.OciLayer, digest: diffId, size: info?.size ?? 0 };
  });
}

export interface NewImage {
  config: ImageConfig;
  /** Chain ids, base first. */
  layers: string[];
  /** Manifest descriptors of the layers, base first. */
  descriptors: Descriptor[];
  format: ManifestFormat;
  /** A name to give the image (normalised like `tag`: `foo` → `localhost/foo:latest`); none = dangling. */
  name?: string | undefined;
}

/** The manifest of a new image (pure). */
export function buildManifest(format: ManifestFormat, configBytes: Buffer, descriptors: Descriptor[]): ImageManifest {
  return {
    schemaVersion: 2,
    mediaType: format === 'docker' ? MediaType.DockerManifest : MediaType.OciManifest,
    config: { mediaType: format === 'docker' ? MediaType.DockerConfig : MediaType.OciConfig, digest: sha256Digest(configBytes), size: configBytes.length },
    layers: descriptors.map((d) => ({ mediaType: layerMediaTypeFor(format, d.mediaType), digest: d.digest, size: d.size })),
  };
}

/** Write the config and manifest blobs and record the image. Returns the stored record. */
export async function storeImage(store: Store, img: NewImage): Promise<ImageRecord> {
  if (img.layers.length !== img.config.rootfs.diff_ids.length || img.descriptors.length !== img.layers.length) {
    throw new TscCtrError(`new image: ${img.layers.length} layers, ${img.config.rootfs.diff_ids.length} diff ids and ${img.descriptors.length} descriptors do not match`);
  }
  const names = img.name === undefined ? [] : [formatReference(normalizeTagName(img.name))];
  const configBytes = Buffer.from(JSON.stringify(img.config));
  const manifest = buildManifest(img.format, configBytes, img.descriptors);
  const manifestBytes = Buffer.from(JSON.stringify(manifest));
  const configDigest = manifest.config.digest;
  const manifestDigest = sha256Digest(manifestBytes);
  store.writeBlob(configDigest, configBytes);
  store.writeBlob(manifestDigest, manifestBytes);
  return store.putImage({
    id: configDigest.slice(7),
    digest: manifestDigest,
    names,
    manifestMediaType: manifest.mediaType!,
    topLayer: img.layers[img.layers.length - 1],
    layers: img.layers,
    created: img.config.created ?? new Date().toISOString(),
  });
}
