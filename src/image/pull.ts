import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TscCtrError } from '../errors.js';
import {
  type ImageConfig,
  type ImageIndex,
  type ImageManifest,
  type Descriptor,
  MediaType,
  isIndexMediaType,
  isManifestMediaType,
  layerCompression,
} from '../oci/image.js';
import type { Credentials } from '../registry/client.js';
import { RegistryClient } from '../registry/client.js';
import type { ImageReference } from '../registry/reference.js';
import { formatReference } from '../registry/reference.js';
import type { Store } from '../storage/store.js';
import { maxMappedId, parseIdMapFile } from '../rootless/idmap.js';
import { selectManifest, wantedPlatform } from './platform.js';
import { VerifyingStream, digestOf, verifyBuffer } from './verify.js';

/** What a pull reports while it works; the command turns these into lines or a live view. */
export interface PullEvents {
  trying?(reference: string): void;
  layerStart?(digest: string, size: number, present: boolean): void;
  layerBytes?(digest: string, bytes: number): void;
  layerVerified?(digest: string): void;
  layerDone?(digest: string): void;
  config?(digest: string): void;
  writingManifest?(): void;
  warn?(message: string): void;
}

export interface PullSourceSpec {
  /** The reference to fetch from (a mirror's or the registry's own location). */
  reference: ImageReference;
  insecure: boolean;
}

export interface PullFromOptions {
  platform?: string | undefined;
  os?: string | undefined;
  arch?: string | undefined;
  variant?: string | undefined;
  certDir?: string | undefined;
  credentials?: Credentials | undefined;
  /** Layers fetched and unpacked at once. */
  parallel?: number | undefined;
  /** Cap on the bytes one layer may unpack to (gzip-bomb guard). */
  maxLayerSize?: number | undefined;
  events?: PullEvents | undefined;
}

export interface PulledImage {
  id: string;
  manifestDigest: string;
  manifestMediaType: string;
}

const MAX_JSON_BLOB = 16 * 1024 * 1024;
export const DEFAULT_MAX_LAYER_SIZE = 256 * 1024 ** 3;

/**
 * The unpacked-size cap per layer: TSC_CTR_MAX_LAYER_SIZE (bytes, or with a k/m/g suffix) lowers
 * or raises the generous default, e.g. on a small disk or to test the decompression-bomb guard.
 */
export function maxLayerSize(env: NodeJS.ProcessEnv = process.env): number {
  const v = env.TSC_CTR_MAX_LAYER_SIZE;
  if (v === undefined || v === '') return DEFAULT_MAX_LAYER_SIZE;
  const m = /^(\d+)([kmg]?)b?$/i.exec(v.trim());
  if (!m || Number(m[1]) <= 0) {
    throw new TscCtrError(`invalid TSC_CTR_MAX_LAYER_SIZE "${v}": expected a positive number of bytes (suffix k, m or g allowed)`, { code: 'TSC_ERR_USAGE' });
  }
  const unit = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[m[2]!.toLowerCase() as '' | 'k' | 'm' | 'g'];
  return Number(m[1]) * unit;
}

/** Ids our namespace maps: files owned by higher ids get the overflow id. Undefined = no limit. */
export function namespaceIdLimits(): { uidMax: number; gidMax: number } | undefined {
  try {
    const u = maxMappedId(parseIdMapFile(readFileSync('/proc/self/uid_map', 'utf8')));
    const g = maxMappedId(parseIdMapFile(readFileSync('/proc/self/gid_map', 'utf8')));
    if (u >= 4294967294) return undefined;
    return { uidMax: u, gidMax: g };
  } catch {
    return undefined;
  }
}

function parseJson<T>(buf: Buffer, what: string): T {
  try {
    return JSON.parse(buf.toString('utf8')) as T;
  } catch (err) {
    throw new TscCtrError(`${what}: invalid JSON: ${(err as Error).message}`, { code: 'TSC_ERR_BAD_MANIFEST' });
  }
}

function checkManifest(m: ImageManifest, what: string): void {
  if (!m || typeof m !== 'object' || !m.config || typeof m.config.digest !== 'string' || !Array.isArray(m.layers)) {
    throw new TscCtrError(`${what}: not an image manifest (no config or layers)`, { code: 'TSC_ERR_BAD_MANIFEST' });
  }
  for (const l of m.layers) {
    if (typeof l?.digest !== 'string' || typeof l.size !== 'number' || typeof l.mediaType !== 'string') {
      throw new TscCtrError(`${what}: layer entry without digest, size or media type`, { code: 'TSC_ERR_BAD_MANIFEST' });
    }
    if (layerCompression(l.mediaType) === undefined) {
      throw new TscCtrError(`${what}: layer ${l.digest} has unsupported media type "${l.mediaType}"`, {
        code: 'TSC_ERR_UNSUPPORTED_MEDIA_TYPE',
      });
    }
  }
}

async function runLimited<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failed: unknown;
  const worker = async () => {
    while (next < items.length && failed === undefined) {
      const item = items[next++]!;
      try {
        await fn(item);
      } catch (err) {
        failed ??= err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failed !== undefined) throw failed;
}

/**
 * Pull one image from one source into the store: manifest (through an index when there is
 * one), config, then the missing layers, verified and unpacked concurrently, then the image
 * record. Must run inside our user namespace when rootless, so file ownership is kept.
 */
export async function pullFrom(store: Store, src: PullSourceSpec, name: string, opts: PullFromOptions = {}): Promise<PulledImage> {
  const ev = opts.events ?? {};
  const ref = src.reference;
  const client = new RegistryClient(ref.domain, { insecure: src.insecure, certDir: opts.certDir, credentials: opts.credentials });
  const where = `docker://${formatReference(ref)}`;
  try {
    const tagOrDigest = ref.digest ?? ref.tag ?? 'latest';
    let m = await client.getManifest(ref.path, tagOrDigest);
    if (ref.digest) verifyBuffer(m.body, ref.digest, undefined, `manifest ${ref.digest}`);
    if (m.mediaType === MediaType.DockerManifestV1 || m.mediaType === MediaType.DockerManifestV1Signed) {
      throw new TscCtrError(
        `${where}: Docker schema 1 manifests are not supported (the image was pushed with a tool older than 2017; push it again with a current one)`,
        { code: 'TSC_ERR_SCHEMA1' },
      );
    }
    if (isIndexMediaType(m.mediaType)) {
      const index = parseJson<ImageIndex>(m.body, `${where}: manifest list`);
      if (!Array.isArray(index.manifests)) throw new TscCtrError(`${where}: manifest list without manifests`, { code: 'TSC_ERR_BAD_MANIFEST' });
      const desc = selectManifest(index, wantedPlatform(opts), where);
      m = await client.getManifest(ref.path, desc.digest);
      verifyBuffer(m.body, desc.digest, desc.size, `manifest ${desc.digest}`);
    }
    if (!isManifestMediaType(m.mediaType)) {
      throw new TscCtrError(`${where}: unsupported manifest type "${m.mediaType}"`, { code: 'TSC_ERR_UNSUPPORTED_MEDIA_TYPE' });
    }
    const manifestDigest = digestOf(m.body);
    if (!ref.digest && m.digest && m.digest !== manifestDigest && m.digest.startsWith('sha256:')) {
      throw new TscCtrError(`${where}: manifest digest mismatch: registry says ${m.digest}, content is ${manifestDigest}`, {
        code: 'TSC_ERR_DIGEST_MISMATCH',
      });
    }
    const manifest = parseJson<ImageManifest>(m.body, `${where}: manifest`);
    checkManifest(manifest, where);

    const cfgDesc = manifest.config;
    if (cfgDesc.size > MAX_JSON_BLOB) throw new TscCtrError(`${where}: config blob too large (${cfgDesc.size} bytes)`);
    let cfgBuf: Buffer;
    if (store.hasBlob(cfgDesc.digest)) cfgBuf = store.readBlob(cfgDesc.digest);
    else {
      ev.config?.(cfgDesc.digest);
      const blob = await client.getBlob(ref.path, cfgDesc.digest);
      const chunks: Buffer[] = [];
      const v = new VerifyingStream(cfgDesc.digest, cfgDesc.size, `config ${cfgDesc.digest}`);
      blob.body.on('error', (e) => v.destroy(e));
      for await (const c of blob.body.pipe(v)) chunks.push(c as Buffer);
      cfgBuf = Buffer.concat(chunks);
    }
    const config = parseJson<ImageConfig>(cfgBuf, `${where}: config ${cfgDesc.digest}`);
    const diffIds = config.rootfs?.diff_ids ?? [];
    if (diffIds.length !== manifest.layers.length) {
      throw new TscCtrError(
        `${where}: config lists ${diffIds.length} layer diff ids but the manifest has ${manifest.layers.length} layers`,
        { code: 'TSC_ERR_BAD_MANIFEST' },
      );
    }

    const chain: string[] = [];
    diffIds.forEach((d, i) => chain.push(store.chainId(i === 0 ? undefined : chain[i - 1], d)));
    const missing = manifest.layers
      .map((desc, i) => ({ desc, i }))
      .filter(({ i }) => !store.hasLayer(chain[i]!));
    for (const { desc, i } of manifest.layers.map((desc, i) => ({ desc, i }))) {
      ev.layerStart?.(desc.digest, desc.size, store.hasLayer(chain[i]!));
    }
    const limits = namespaceIdLimits();
    const cap = opts.maxLayerSize ?? maxLayerSize();
    let overflow = 0;
    let maxUnmapped = 0;
    // Layers download and unpack in parallel but are committed in order: a layer's parent must
    // be in the store before it (a crash then never leaves a child without its parent).
    const committed = new Map<number, Promise<void>>();
    const done = (i: number): Promise<void> => committed.get(i) ?? Promise.resolve();
    const gates = new Map<number, () => void>();
    for (const { i } of missing) committed.set(i, new Promise<void>((r) => gates.set(i, r)));
    await runLimited(missing, opts.parallel ?? 4, async ({ desc, i }) => {
      const r = await fetchLayer(store, client, ref.path, desc, {
        diffId: diffIds[i]!,
        chainId: chain[i]!,
        parent: i === 0 ? undefined : chain[i - 1],
        limits,
        maxSize: cap,
        events: ev,
        beforeCommit: () => (i === 0 ? Promise.resolve() : done(i - 1)),
        afterCommit: () => gates.get(i)?.(),
      });
      overflow += r.files;
      maxUnmapped = Math.max(maxUnmapped, r.maxId);
    });
    if (overflow > 0) {
      ev.warn?.(
        `image ${name}: ${overflow} ${overflow === 1 ? 'file' : 'files'} owned by ids beyond your subordinate id range (up to ${maxUnmapped}) got the overflow id 65534 (run \`tsc-ctr system check\` to see how to widen the range)`,
      );
    }

    ev.writingManifest?.();
    store.writeBlob(cfgDesc.digest, cfgBuf);
    store.writeBlob(manifestDigest, m.body);
    const id = cfgDesc.digest.replace(/^sha256:/, '');
    await store.putImage({
      id,
      digest: manifestDigest,
      names: [name],
      manifestMediaType: m.mediaType,
      topLayer: chain[chain.length - 1],
      layers: chain,
      created: config.created ?? new Date(0).toISOString(),
      ...(overflow > 0 ? { unmappedIds: { files: overflow, maxId: maxUnmapped } } : {}),
    });
    return { id, manifestDigest, manifestMediaType: m.mediaType };
  } finally {
    await client.close();
  }
}

interface LayerTask {
  diffId: string;
  chainId: string;
  parent: string | undefined;
  limits: { uidMax: number; gidMax: number } | undefined;
  maxSize: number;
  events: PullEvents;
  beforeCommit: () => Promise<void>;
  afterCommit: () => void;
}

/** Download, verify and unpack one layer into a temp dir, then commit it. Returns its files of unmapped owners. */
async function fetchLayer(store: Store, client: RegistryClient, repo: string, desc: Descriptor, t: LayerTask): Promise<{ files: number; maxId: number }> {
  const compression = layerCompression(desc.mediaType)!;
  const { unpackLayer } = await import('../storage/unpack/index.js');
  const { TarSplitRecorder, writeTarSplit } = await import('../storage/layer-tar.js');
  const record = new TarSplitRecorder();
  const temp = await store.newLayerTemp();
  try {
    const diffDir = join(temp, 'diff');
    mkdirSync(diffDir, { mode: 0o755 });
    const blob = await client.getBlob(repo, desc.digest);
    const v = new VerifyingStream(desc.digest, desc.size, `layer ${desc.digest}`, (n) => t.events.layerBytes?.(desc.digest, n));
    blob.body.on('error', (e) => v.destroy(e));
    const result = await unpackLayer(blob.body.pipe(v), diffDir, {
      compression,
      whiteouts: 'overlay',
      rootless: t.limits !== undefined || process.env._CONTAINERS_USERNS_CONFIGURED !== undefined,
      maxSize: t.maxSize,
      ...(t.limits ? { idLimit: t.limits } : {}),
      chown: t.limits === undefined || t.limits.uidMax > 0,
      layerName: desc.digest,
      tee: (c: Buffer) => record.write(c),
    } as any);
    t.events.layerVerified?.(desc.digest);
    if (result.diffId !== t.diffId) {
      throw new TscCtrError(`layer ${desc.digest}: uncompressed content ${result.diffId} does not match the config's diff id ${t.diffId}`, {
        code: 'TSC_ERR_DIGEST_MISMATCH',
      });
    }
    // What save and push need to give the layer out again with this same diff ID.
    writeTarSplit(temp, record.finish());
    await t.beforeCommit();
    await store.commitLayer(temp, {
      chainId: t.chainId,
      diffId: t.diffId,
      parent: t.parent ?? null,
      size: result.size,
      compressed: [{ digest: desc.digest, size: desc.size, mediaType: desc.mediaType }],
    });
    t.afterCommit();
    t.events.layerDone?.(desc.digest);
    return { files: result.overflowIds ?? 0, maxId: result.maxUnmappedId ?? 0 };
  } catch (err) {
    await store.discardTemp(temp);
    throw err;
  }
}
