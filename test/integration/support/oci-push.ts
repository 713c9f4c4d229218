/**
 * Hand-made images for the pull tests: tar layers written byte by byte (so they can hold what no
 * well-behaved tool writes: `../` names, links out of the layer), pushed to a loopback registry
 * with plain HTTP requests of the distribution API. Nothing here uses tsc-ctr's own code.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

export const MT = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
} as const;

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: { os: string; architecture: string; variant?: string };
  annotations?: Record<string, string>;
}

export function sha256(buf: Buffer): string {
  return `sha256:${createHash('sha256').update(buf).digest('hex')}`;
}

/** One tar entry. Types: 0 file, 1 hardlink, 2 symlink, 5 dir, 6 fifo. */
export interface TarEntrySpec {
  name: string;
  type?: '0' | '1' | '2' | '5' | '6';
  content?: Buffer | string;
  /** Declared size when content is absent (a header that promises more than it has is not needed here). */
  linkname?: string;
  mode?: number;
  uid?: number;
  gid?: number;
  /** PAX records (e.g. `SCHILY.xattr.security.capability`). */
  pax?: Record<string, Buffer | string>;
}

function octal(n: number, width: number): string {
  return n.toString(8).padStart(width - 1, '0') + '\0';
}

function header(name: string, type: string, size: number, e: { linkname?: string; mode?: number; uid?: number; gid?: number }): Buffer {
  const h = Buffer.alloc(512);
  if (Buffer.byteLength(name) > 100) throw new Error(`tar name too long for ustar: ${name}`);
  h.write(name, 0, 100, 'utf8');
  h.write(octal(e.mode ?? (type === '5' ? 0o755 : 0o644), 8), 100, 'ascii');
  h.write(octal(e.uid ?? 0, 8), 108, 'ascii');
  h.write(octal(e.gid ?? 0, 8), 116, 'ascii');
  h.write(octal(size, 12), 124, 'ascii');
  h.write(octal(1_700_000_000, 12), 136, 'ascii');
  h.write('        ', 148, 'ascii');
  h.write(type, 156, 'ascii');
  if (e.linkname) h.write(e.linkname, 157, 100, 'utf8');
  h.write('ustar\0', 257, 'ascii');
  h.write('00', 263, 'ascii');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(octal(sum, 7) + ' ', 148, 'ascii');
  return h;
}

function padded(data: Buffer): Buffer[] {
  const pad = (512 - (data.length % 512)) % 512;
  return pad ? [data, Buffer.alloc(pad)] : [data];
}

function paxRecords(records: Record<string, Buffer | string>): Buffer {
  const out: Buffer[] = [];
  for (const [k, v] of Object.entries(records)) {
    const body = Buffer.concat([Buffer.from(` ${k}=`), Buffer.from(v), Buffer.from('\n')]);
    // the length counts its own digits
    let len = body.length + 1;
    while (String(len).length + body.length !== len) len = String(len).length + body.length;
    out.push(Buffer.concat([Buffer.from(String(len)), body]));
  }
  return Buffer.concat(out);
}

/** A plain (uncompressed) tar archive of the entries, in order, with the end-of-archive marker. */
export function makeTar(entries: TarEntrySpec[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    const type = e.type ?? '0';
    // names and link targets too long for ustar go in PAX records, as GNU tar --format=pax does
    const pax: Record<string, Buffer | string> = { ...e.pax };
    let name = e.name;
    let linkname = e.linkname;
    if (Buffer.byteLength(name) > 100) [pax.path, name] = [name, `long-${sha256(Buffer.from(name)).slice(7, 27)}`];
    if (linkname && Buffer.byteLength(linkname) > 100) [pax.linkpath, linkname] = [linkname, 'long-link'];
    if (Object.keys(pax).length) {
      const body = paxRecords(pax);
      parts.push(header(`PaxHeaders/${name}`.slice(0, 99), 'x', body.length, {}), ...padded(body));
    }
    const content = type === '0' ? Buffer.from(e.content ?? '') : Buffer.alloc(0);
    parts.push(header(name, type, content.length, { ...e, ...(linkname === undefined ? {} : { linkname }) }));
    if (content.length) parts.push(...padded(content));
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

/** Monolithic blob upload (POST then PUT ?digest=); returns the descriptor. */
export async function putBlob(host: string, repo: string, data: Buffer, mediaType: string): Promise<Descriptor> {
  const digest = sha256(data);
  const start = await fetch(`http://${host}/v2/${repo}/blobs/uploads/`, { method: 'POST' });
  const loc = start.headers.get('location');
  if (start.status !== 202 || !loc) throw new Error(`POST blob upload ${repo}: HTTP ${start.status}`);
  const url = new URL(loc, `http://${host}`);
  url.searchParams.set('digest', digest);
  const put = await fetch(url, { method: 'PUT', body: data, headers: { 'Content-Type': 'application/octet-stream' } });
  if (put.status !== 201) throw new Error(`PUT blob ${digest} to ${repo}: HTTP ${put.status} ${await put.text()}`);
  return { mediaType, digest, size: data.length };
}

/** PUT a manifest (or index) under `ref` (a tag or a digest); returns its descriptor. */
export async function putManifest(host: string, repo: string, ref: string, mediaType: string, doc: unknown): Promise<Descriptor> {
  const body = Buffer.from(JSON.stringify(doc));
  const r = await fetch(`http://${host}/v2/${repo}/manifests/${ref}`, { method: 'PUT', body, headers: { 'Content-Type': mediaType } });
  if (r.status !== 201) throw new Error(`PUT manifest ${repo}:${ref}: HTTP ${r.status} ${await r.text()}`);
  return { mediaType, digest: sha256(body), size: body.length };
}

export interface LayerBlob {
  /** The blob as stored in the registry (maybe compressed). */
  blob: Buffer;
  mediaType: string;
  /** sha256 of the uncompressed tar. */
  diffId: string;
}

export function gzipLayer(tar: Buffer, mediaType: string = MT.ociLayerGzip): LayerBlob {
  return { blob: gzipSync(tar), mediaType, diffId: sha256(tar) };
}

/**
 * Push an image made of these layers: blobs, config, manifest. `docker` picks Docker schema 2
 * media types for the config and manifest. Returns the manifest descriptor and config digest.
 */
export async function pushLayers(
  host: string,
  repo: string,
  tag: string | undefined,
  layers: LayerBlob[],
  opts: { architecture?: string; os?: string; variant?: string; docker?: boolean; cmd?: string[]; labels?: Record<string, string> } = {},
): Promise<{ manifest: Descriptor; configDigest: string }> {
  const config = {
    created: '2024-01-01T00:00:00Z',
    architecture: opts.architecture ?? 'amd64',
    os: opts.os ?? 'linux',
    ...(opts.variant ? { variant: opts.variant } : {}),
    config: { Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], Cmd: opts.cmd ?? ['/bin/sh'], Labels: opts.labels ?? {} },
    rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
    history: layers.map(() => ({ created: '2024-01-01T00:00:00Z', created_by: 'tsc-ctr tests' })),
  };
  const cfg = await putBlob(host, repo, Buffer.from(JSON.stringify(config)), opts.docker ? MT.dockerConfig : MT.ociConfig);
  const layerDescs: Descriptor[] = [];
  for (const l of layers) layerDescs.push(await putBlob(host, repo, l.blob, l.mediaType));
  const mediaType = opts.docker ? MT.dockerManifest : MT.ociManifest;
  const doc = { schemaVersion: 2, mediaType, config: cfg, layers: layerDescs };
  const body = Buffer.from(JSON.stringify(doc));
  const manifest = await putManifest(host, repo, tag ?? sha256(body), mediaType, doc);
  return { manifest, configDigest: cfg.digest };
}

/** The (gzip) layers of an image in an OCI layout, by tag: what the harness built with umoci. */
export function layoutLayers(layout: string, tag: string): LayerBlob[] {
  const blob = (d: string) => readFileSync(join(layout, 'blobs', ...d.split(':')));
  const index = JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8')) as { manifests: (Descriptor & { annotations?: Record<string, string> })[] };
  const desc = index.manifests.find((m) => m.annotations?.['org.opencontainers.image.ref.name'] === tag);
  if (!desc) throw new Error(`no tag ${tag} in ${layout}`);
  const manifest = JSON.parse(blob(desc.digest).toString()) as { config: Descriptor; layers: Descriptor[] };
  const config = JSON.parse(blob(manifest.config.digest).toString()) as { rootfs: { diff_ids: string[] } };
  return manifest.layers.map((l, i) => ({ blob: blob(l.digest), mediaType: l.mediaType, diffId: config.rootfs.diff_ids[i]! }));
}
