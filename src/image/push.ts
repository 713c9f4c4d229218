/**
 * `push IMAGE [DEST]`: an image of the store to a registry. Per layer, cheapest first:
 *  1. a compressed blob this layer was pulled as (same compression) that the destination
 *     repository already has (HEAD) → nothing sent;
 *  2. that blob mounted from another repository of the same registry that an image of ours
 *     came from (`POST …/uploads/?mount=&from=`);
 *  3. the layer tar rebuilt (exactly, from its tar-split record, or deterministically), compressed,
 *     then HEAD / mount / upload (one PUT, or PATCH chunks for large blobs).
 * Then the config and the manifest (media type of the chosen format). Layers without a record
 * change the diff IDs, so the config (and the image id) pushed is a rewritten one (export-layers.ts).
 * Must run where layer files are readable (our user namespace when rootless).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import { MediaType, layerCompression } from '../oci/image.js';
import { credentialsForReference, parseCreds } from '../registry/auth-file.js';
import { RegistryClient, type Credentials } from '../registry/client.js';
import { type ImageReference, formatReference, parseNormalizedReference, withDefaultTag } from '../registry/reference.js';
import { loadRegistriesConf, pullSources } from '../registry/registries-conf.js';
import { blobExists, mountBlob, putManifest, uploadBlob, type UploadOptions } from '../registry/upload.js';
import { parseStoredName } from '../storage/images.js';
import type { Store } from '../storage/store.js';
import type { ImageRecord } from '../storage/types.js';
import { buildManifest, exportImage, exportLayer, exportTempDir, layerMediaType, type LayerCompression, type ManifestFormat } from './export-layers.js';

export interface PushEvents {
  blob?(digest: string, how: 'exists' | 'mounted' | 'uploaded'): void;
  config?(digest: string, how: 'exists' | 'uploaded'): void;
  writingManifest?(): void;
  warn?(msg: string): void;
}

export interface PushOptions extends UploadOptions {
  tlsVerify?: boolean | undefined;
  authfile?: string | undefined;
  creds?: string | undefined;
  certDir?: string | undefined;
  format?: ManifestFormat | undefined;
  compression?: 'gzip' | 'zstd' | undefined;
  events?: PushEvents;
}

export interface PushResult {
  destination: string;
  manifestDigest: string;
  manifestMediaType: string;
}

/** `docker://host/repo:tag` or `host/repo:tag` → a fully qualified reference with a tag. */
export function parseDestination(dest: string): ImageReference {
  const s = dest.replace(/^docker:\/\//, '');
  if (/^[a-z-]+:(?!\d)/.test(s) && !s.includes('/')) throw new UsageError(`unsupported destination "${dest}": only registries (docker://) can be pushed to`);
  const r = parseNormalizedReference(s);
  return r.digest ? r : withDefaultTag(r);
}

/** Repositories on `domain` that images of the store were named after (mount sources). */
function mountSources(store: Store, chainId: string, domain: string, exceptPath: string): string[] {
  const out = new Set<string>();
  for (const img of store.listImages()) {
    if (!img.layers.includes(chainId)) continue;
    for (const n of [...img.names, ...(img.namesHistory ?? [])]) {
      const r = parseStoredName(n);
      if (r && r.domain === domain && r.path !== exceptPath) out.add(r.path);
    }
  }
  return [...out];
}

export async function pushImage(store: Store, input: string, destination: string | undefined, opts: PushOptions = {}): Promise<PushResult> {
  const img: ImageRecord = await store.getImage(input);
  let destRef: ImageReference;
  if (destination) destRef = parseDestination(destination);
  else {
    const m = await store.lookupImage(input);
    const name = m && (m.by === 'name' || m.by === 'repo-suffix') ? m.resolvedName : img.names[0];
    if (!name) throw new UsageError(`image ${input} has no name: give a destination (push IMAGE DESTINATION)`);
    destRef = parseDestination(name);
  }
  const compression: LayerCompression = opts.compression ?? 'gzip';
  const defaultFormat: ManifestFormat = img.manifestMediaType === MediaType.DockerManifest && compression !== 'zstd' ? 'v2s2' : 'oci';
  const format = opts.format ?? defaultFormat;
  layerMediaType(format, compression); // refuses zstd with v2s2 before any work

  const conf = await loadRegistriesConf();
  const regSrc = pullSources(conf, { ...destRef, digest: undefined }).at(-1)!;
  const insecure = opts.tlsVerify === undefined ? regSrc.insecure : !opts.tlsVerify;
  const credentials: Credentials | undefined = opts.creds ? parseCreds(opts.creds) : await credentialsForReference(destRef, { authfile: opts.authfile });
  const client = new RegistryClient(destRef.domain, { insecure, certDir: opts.certDir, credentials });
  const repo = destRef.path;
  const ev = opts.events ?? {};
  const dir = exportTempDir(store);
  try {
    const layers: { digest: string; size: number; mediaType: string }[] = [];
    // Known compressed blobs are only the right content when the layer keeps its diff ID.
    const { readTarSplit } = await import('../storage/layer-tar.js');
    const { layerDir } = await import('../storage/layers.js');
    const keepsDiffId = (l: string) => readTarSplit(layerDir(store.root, l)) !== undefined;

    const exported = await exportImageLazily(store, img, dir, compression, keepsDiffId);
    for (let i = 0; i < img.layers.length; i++) {
      const chain = img.layers[i]!;
      const info = store.layerInfo(chain)!;
      const sources = mountSources(store, chain, destRef.domain, repo);
      let done: { digest: string; size: number } | undefined;
      if (keepsDiffId(chain)) {
        for (const c of info.compressed.filter((c) => layerCompression(c.mediaType) === compression)) {
          if (await blobExists(client, repo, c.digest)) {
            ev.blob?.(c.digest, 'exists');
            done = c;
            break;
          }
          for (const from of sources) {
            if (await mountBlob(client, repo, c.digest, from)) {
              ev.blob?.(c.digest, 'mounted');
              done = c;
              break;
            }
          }
          if (done) break;
        }
      }
      if (!done) {
        const e = exported.layers[i] ?? (await exportLayer(store, chain, dir, compression));
        if (await blobExists(client, repo, e.digest)) ev.blob?.(e.digest, 'exists');
        else {
          let mounted = false;
          for (const from of sources) if (!mounted && (mounted = await mountBlob(client, repo, e.digest, from))) ev.blob?.(e.digest, 'mounted');
          if (!mounted) {
            await uploadBlob(client, repo, e.digest, e.path, e.size, opts);
            ev.blob?.(e.digest, 'uploaded');
          }
        }
        done = e;
      }
      layers.push({ digest: done.digest, size: done.size, mediaType: layerMediaType(format, compression) });
    }

    // The config: as stored, unless a layer got a new diff ID.
    const cfg = exported.config();
    if (cfg.rewritten) ev.warn?.(`image ${img.id.slice(0, 12)}: some layers have no record of their original tar (pulled by an older tsc-ctr or made locally); they were pushed as new tars, so the pushed image has the new id ${cfg.digest.slice(7, 19)}`);
    if (await blobExists(client, repo, cfg.digest)) ev.config?.(cfg.digest, 'exists');
    else {
      const p = join(dir, 'config.json');
      writeFileSync(p, cfg.bytes);
      await uploadBlob(client, repo, cfg.digest, p, cfg.bytes.length, opts);
      ev.config?.(cfg.digest, 'uploaded');
    }
    const m = buildManifest(format, { digest: cfg.digest, size: cfg.bytes.length }, layers);
    ev.writingManifest?.();
    await putManifest(client, repo, destRef.digest ?? destRef.tag ?? 'latest', m.body, m.mediaType);
    return { destination: formatReference(destRef), manifestDigest: m.digest, manifestMediaType: m.mediaType };
  } finally {
    await client.close();
    const { rmSync } = await import('node:fs');
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Layers without a tar-split record must be rebuilt before the config can be written (their new
 * diff IDs go into it); layers with one are rebuilt only if the registry needs their content.
 */
async function exportImageLazily(store: Store, img: ImageRecord, dir: string, compression: LayerCompression, keepsDiffId: (l: string) => boolean) {
  const allExact = img.layers.every(keepsDiffId);
  if (allExact) {
    const bytes = store.readBlob(`sha256:${img.id}`);
    return { layers: [] as Awaited<ReturnType<typeof exportLayer>>[], config: () => ({ bytes, digest: `sha256:${img.id}`, rewritten: false }) };
  }
  const e = await exportImage(store, img, dir, compression);
  return { layers: e.layers, config: () => ({ bytes: e.config, digest: e.configDigest, rewritten: e.rewritten }) };
}
