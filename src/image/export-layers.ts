/**
 * An image of the store as blobs ready to write out (save) or upload (push): its config and each
 * layer as a tar file, uncompressed or compressed, with digests and sizes.
 *
 * Layers with a tar-split record are rebuilt byte for byte, and their sha256 must equal the diff
 * ID (else the layer changed on disk: a clear error, nothing written). Layers without one get a
 * deterministic tar and so a new diff ID; the config then gets the new diff IDs (and so the image
 * a new id) and the manifest the new blobs: the image is the same files, under a new identity.
 * Must run where the layer files are readable (inside our user namespace when rootless).
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createWriteStream, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Duplex, Readable, Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { TscCtrError } from '../errors.js';
import { type ImageConfig, type ImageManifest, MediaType } from '../oci/image.js';
import { tempName } from '../storage/atomic.js';
import { layerTar, LayerTarError } from '../storage/layer-tar.js';
import { layerDir, layerTempDir } from '../storage/layers.js';
import type { Store } from '../storage/store.js';
import type { ImageRecord } from '../storage/types.js';

export type LayerCompression = 'none' | 'gzip' | 'zstd';

export interface ExportedLayer {
  chainId: string;
  /** sha256 of the uncompressed tar (equal to the stored diff ID when `exact`). */
  diffID: string;
  exact: boolean;
  /** The blob file (in the export's temp dir). */
  path: string;
  digest: string;
  size: number;
  compression: LayerCompression;
}

function hashing(h: ReturnType<typeof createHash>, count: { n: number }): Transform {
  return new Transform({
    transform(c: Buffer, _e, cb) {
      h.update(c);
      count.n += c.length;
      cb(null, c);
    },
  });
}

function zstdStream(): { stream: Transform; done: Promise<void> } {
  const child = spawn('zstd', ['-3', '-c', '-q', '--no-progress'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<void>((resolve, reject) => {
    child.on('error', (e: NodeJS.ErrnoException) =>
      reject(e.code === 'ENOENT' ? new TscCtrError('zstd compression needs the zstd program: install the zstd package', { code: 'TSC_ERR_HOST' }) : e),
    );
    child.on('close', (code) => (code === 0 ? resolve() : reject(new TscCtrError(`zstd failed: ${stderr.trim() || `exit status ${code}`}`))));
  });
  const stream = Duplex.from({ writable: child.stdin, readable: child.stdout }) as unknown as Transform;
  return { stream, done };
}

/**
 * Write the tar of layer `chainId` into `dir` (compressed as asked), hashing it on the way.
 * An exact layer whose rebuilt tar does not hash to its diff ID is an error.
 */
export async function exportLayer(store: Store, chainId: string, dir: string, compression: LayerCompression): Promise<ExportedLayer> {
  const info = store.layerInfo(chainId);
  if (!info) throw new TscCtrError(`layer ${chainId} is not in the store`, { code: 'TSC_ERR_LAYER_UNKNOWN' });
  let getXattr: ((p: string, n: string) => Buffer | undefined) | undefined;
  try {
    const { lgetxattr } = await import('../native/xattr.js');
    getXattr = (p, n) => {
      try {
        return lgetxattr(p, n);
      } catch {
        return undefined;
      }
    };
  } catch {
    getXattr = undefined;
  }
  const src = layerTar(layerDir(store.root, chainId), getXattr);
  const path = join(dir, `${chainId}${compression === 'none' ? '.tar' : compression === 'gzip' ? '.tar.gz' : '.tar.zst'}`);
  const uHash = createHash('sha256');
  const uCount = { n: 0 };
  const cHash = createHash('sha256');
  const cCount = { n: 0 };
  const stages: (NodeJS.ReadableStream | NodeJS.WritableStream | Transform)[] = [Readable.from(src.chunks, { objectMode: false }), hashing(uHash, uCount)];
  let zstdDone: Promise<void> | undefined;
  if (compression === 'gzip') stages.push(createGzip({ level: 6 }));
  else if (compression === 'zstd') {
    const z = zstdStream();
    stages.push(z.stream);
    zstdDone = z.done;
  }
  stages.push(hashing(cHash, cCount));
  stages.push(createWriteStream(path, { mode: 0o600 }));
  try {
    await (pipeline as (...s: unknown[]) => Promise<void>)(...stages);
    await zstdDone;
  } catch (err) {
    rmSync(path, { force: true });
    if (err instanceof LayerTarError) throw new LayerTarError(`layer ${chainId}: ${err.message}`, err.code);
    throw err;
  }
  const diffID = `sha256:${uHash.digest('hex')}`;
  if (src.exact && diffID !== info.diffID) {
    rmSync(path, { force: true });
    throw new LayerTarError(
      `layer ${chainId}: the tar rebuilt from the layer directory has digest ${diffID}, not its diff ID ${info.diffID} (the layer's files were changed after it was unpacked)`,
      'TSC_ERR_DIGEST_MISMATCH',
    );
  }
  const digest = compression === 'none' ? diffID : `sha256:${cHash.digest('hex')}`;
  return { chainId, diffID, exact: src.exact, path, digest, size: compression === 'none' ? uCount.n : cCount.n, compression };
}

/** An image ready to write: config bytes (rewritten when a layer got a new diff ID) and layer blobs. */
export interface ExportedImage {
  record: ImageRecord;
  config: Buffer;
  configDigest: string;
  /** The stored config, parsed (before any rewrite). */
  parsedConfig: ImageConfig;
  layers: ExportedLayer[];
  /** Some layer had no record: the image id changed. */
  rewritten: boolean;
}

/** A temp dir for export blobs on the store's filesystem (removed by the caller; a crash leaves a stale temp). */
export function exportTempDir(store: Store): string {
  const dir = join(layerTempDir(store.root), tempName('-export'));
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return dir;
}

/**
 * Blobs of `img`, layers written into `dir`. `cache` shares layer files between images of one
 * archive (same layer and compression → one file).
 */
export async function exportImage(
  store: Store,
  img: ImageRecord,
  dir: string,
  compression: LayerCompression,
  cache: Map<string, ExportedLayer> = new Map(),
  onLayer?: (l: ExportedLayer) => void,
): Promise<ExportedImage> {
  const cfgBuf = store.readBlob(`sha256:${img.id}`);
  const cfg = JSON.parse(cfgBuf.toString('utf8')) as ImageConfig;
  const out: ExportedLayer[] = [];
  for (const l of img.layers) {
    const key = `${l}:${compression}`;
    let e = cache.get(key);
    if (!e) {
      e = await exportLayer(store, l, dir, compression);
      cache.set(key, e);
      onLayer?.(e);
    }
    out.push(e);
  }
  const diffIds = out.map((l) => l.diffID);
  const same = diffIds.length === (cfg.rootfs?.diff_ids ?? []).length && diffIds.every((d, i) => d === cfg.rootfs.diff_ids[i]);
  if (same) {
    return { record: img, config: cfgBuf, configDigest: `sha256:${img.id}`, parsedConfig: cfg, layers: out, rewritten: false };
  }
  const next: ImageConfig = { ...cfg, rootfs: { type: 'layers', diff_ids: diffIds } };
  const buf = Buffer.from(JSON.stringify(next));
  return { record: img, config: buf, configDigest: `sha256:${createHash('sha256').update(buf).digest('hex')}`, parsedConfig: cfg, layers: out, rewritten: true };
}

export type ManifestFormat = 'oci' | 'v2s2';

/** Layer media type for a manifest format and compression. */
export function layerMediaType(format: ManifestFormat, compression: LayerCompression): string {
  if (format === 'v2s2') {
    if (compression === 'zstd') throw new TscCtrError('zstd-compressed layers need an OCI manifest: use --format oci', { code: 'TSC_ERR_USAGE' });
    return compression === 'gzip' ? MediaType.DockerLayerGzip : MediaType.DockerLayer;
  }
  return compression === 'gzip' ? MediaType.OciLayerGzip : compression === 'zstd' ? MediaType.OciLayerZstd : MediaType.OciLayer;
}

/** An image manifest naming `config` and `layers` (descriptors already chosen). Pure. */
export function buildManifest(
  format: ManifestFormat,
  config: { digest: string; size: number },
  layers: { digest: string; size: number; mediaType: string }[],
): { body: Buffer; mediaType: string; digest: string } {
  const mediaType = format === 'oci' ? MediaType.OciManifest : MediaType.DockerManifest;
  const m: ImageManifest = {
    schemaVersion: 2,
    mediaType,
    config: { mediaType: format === 'oci' ? MediaType.OciConfig : MediaType.DockerConfig, digest: config.digest, size: config.size },
    layers: layers.map((l) => ({ mediaType: l.mediaType, digest: l.digest, size: l.size })),
  };
  const body = Buffer.from(JSON.stringify(m));
  return { body, mediaType, digest: `sha256:${createHash('sha256').update(body).digest('hex')}` };
}

/** A writable that hashes and counts (for callers that stream a blob somewhere and need its digest). */
export function digestSink(): { sink: Writable; digest: () => string; size: () => number } {
  const h = createHash('sha256');
  let n = 0;
  const sink = new Writable({
    write(c: Buffer, _e, cb) {
      h.update(c);
      n += c.length;
      cb();
    },
  });
  return { sink, digest: () => `sha256:${h.digest('hex')}`, size: () => n };
}
