/**
 * `import`: a root filesystem tarball (plain, gzip or zstd, told apart by its first bytes) from
 * a file, stdin or an http(s) URL becomes a one-layer image. The tarball goes through the
 * layer unpacker, so hostile archives are refused exactly as in a pull and leave nothing behind.
 */
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { NotFoundError, TscCtrError, UsageError } from '../errors.js';
import type { ImageConfig } from '../oci/image.js';
import { normalizeTagName } from '../storage/images.js';
import type { Store } from '../storage/store.js';
import { hostPlatform } from '../system/platform.js';
import { applyChanges, parseChanges } from './changes.js';
import { storeImage, storeLayerFromTar } from './new-image.js';

export interface ImportOptions {
  /** `--change` instructions (Dockerfile syntax). */
  changes?: string[] | undefined;
  message?: string | undefined;
  os?: string | undefined;
  arch?: string | undefined;
  variant?: string | undefined;
  /** Name for the image (`foo` → `localhost/foo:latest`); none = dangling. */
  reference?: string | undefined;
  /** Progress lines (Podman's "Copying blob …"). */
  progress?: (line: string) => void;
  warn?: (message: string) => void;
  /** stdin for source `-`. */
  stdin?: Readable;
  /** Fixed creation time (reproducible images); default now. */
  created?: Date;
}

export interface ImportResult {
  id: string;
  name?: string | undefined;
}

export function isUrl(source: string): boolean {
  return /^https?:\/\//i.test(source);
}

async function openUrl(url: string): Promise<Readable> {
  // undici is CommonJS: bundled, its exports may sit under `default`.
  const mod = (await import('undici')) as typeof import('undici') & { default?: typeof import('undici') };
  const { request, EnvHttpProxyAgent } = mod.default ?? mod;
  // HTTP(S)_PROXY and NO_PROXY apply, as for registries.
  const agent = new EnvHttpProxyAgent();
  const fail = (e: TscCtrError): never => {
    void agent.close().catch(() => {});
    throw e;
  };
  let where = url;
  for (let hops = 0; ; hops++) {
    let res;
    try {
      res = await request(where, { method: 'GET', dispatcher: agent });
    } catch (err) {
      return fail(new TscCtrError(`downloading ${url}: ${(err as Error).message}`, { code: 'TSC_ERR_DOWNLOAD', cause: err }));
    }
    const loc = res.headers.location;
    if (res.statusCode >= 300 && res.statusCode < 400 && typeof loc === 'string' && hops < 5) {
      res.body.resume();
      where = new URL(loc, where).toString();
      continue;
    }
    if (res.statusCode !== 200) {
      res.body.resume();
      return fail(new TscCtrError(`downloading ${url}: the server answered HTTP ${res.statusCode}`, { code: 'TSC_ERR_DOWNLOAD' }));
    }
    res.body.once('close', () => void agent.close().catch(() => {}));
    return res.body;
  }
}

async function openFile(path: string): Promise<Readable> {
  const s = createReadStream(path);
  await new Promise<void>((resolve, reject) => {
    s.once('open', () => resolve());
    s.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') reject(new NotFoundError(`opening ${path}: no such file or directory`));
      else if (err.code === 'EISDIR') reject(new UsageError(`${path} is a directory: import needs a tarball`));
      else reject(new TscCtrError(`opening ${path}: ${err.message}`, { cause: err }));
    });
  });
  return s;
}

/** The tarball's stream: `-` is stdin, http(s):// a download, anything else a file. */
export async function openImportSource(source: string, stdin: Readable = process.stdin): Promise<Readable> {
  if (source === '-') return stdin;
  if (isUrl(source)) return openUrl(source);
  return openFile(source);
}

/** The config of an imported image (pure). */
export function importConfig(diffId: string, o: Pick<ImportOptions, 'changes' | 'message' | 'os' | 'arch' | 'variant'> & { source: string; created: Date }): ImageConfig {
  const host = hostPlatform();
  const created = o.created.toISOString();
  const variant = o.variant ?? (o.arch === undefined ? host.variant : undefined);
  return {
    created,
    architecture: o.arch ?? host.architecture,
    os: o.os ?? host.os,
    ...(variant ? { variant } : {}),
    config: applyChanges({}, parseChanges(o.changes)),
    rootfs: { type: 'layers', diff_ids: [diffId] },
    history: [{ created, created_by: `/bin/sh -c #(nop) ADD file:${diffId.slice(7)} in / `, comment: o.message ?? `imported from ${o.source === '-' ? 'stdin' : o.source}` }],
  };
}

/** Import `source` (a path, `-` or a URL) as a new image. */
export async function importImage(store: Store, source: string, opts: ImportOptions = {}): Promise<ImportResult> {
  // Refuse bad --change values and names before reading anything.
  parseChanges(opts.changes);
  if (opts.reference !== undefined) normalizeTagName(opts.reference);
  const input = await openImportSource(source, opts.stdin);
  opts.progress?.('Getting image source signatures');
  const layer = await storeLayerFromTar(store, input, {
    compression: 'auto',
    layerName: source === '-' ? 'tarball from stdin' : source,
    ...(opts.warn ? { warn: opts.warn } : {}),
  });
  opts.progress?.(`Copying blob ${layer.diffId.slice(7, 19)} done`);
  const config = importConfig(layer.diffId, { ...opts, source, created: opts.created ?? new Date() });
  const rec = await storeImage(store, {
    config,
    layers: [layer.chainId],
    descriptors: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: layer.diffId, size: layer.tarSize }],
    format: 'oci',
    name: opts.reference,
  });
  opts.progress?.(`Copying config ${rec.id.slice(0, 12)} done`);
  opts.progress?.('Writing manifest to image destination');
  return { id: rec.id, name: rec.names[0] };
}
