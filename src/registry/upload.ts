/**
 * The push half of the distribution API: blob existence checks, cross-repository mounts, blob
 * uploads (one PUT for small blobs, PATCH chunks then a closing PUT for large ones) and manifest
 * PUTs. Authentication (push scope) is the client's: the first request of a push is a small,
 * replayable one, so the challenge is answered before any body is streamed.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import type { RegistryClient } from './client.js';
import { RegistryError } from './errors.js';

const PUSH = 'pull,push';

export interface UploadOptions {
  /** Blobs larger than this are sent in PATCH chunks of `chunkSize` (default 32 MiB). */
  monolithicMax?: number;
  chunkSize?: number;
  onBytes?: (n: number) => void;
}

export const DEFAULT_MONOLITHIC_MAX = 32 * 1024 * 1024;
export const DEFAULT_CHUNK_SIZE = 16 * 1024 * 1024;

/** Does `repo` hold the blob? HEAD with push scope (the token then serves the whole push). */
export async function blobExists(client: RegistryClient, repo: string, digest: string): Promise<boolean> {
  const r = await client.send({ method: 'HEAD', path: `/v2/${repo}/blobs/${digest}`, repo, actions: PUSH }, [200, 404]);
  await r.body.dump();
  return r.statusCode === 200;
}

function location(r: { headers: Record<string, string | string[] | undefined> }, what: string): string {
  const l = r.headers.location;
  const v = Array.isArray(l) ? l[0] : l;
  if (!v) throw new RegistryError(`${what}: the registry answered without a Location header`, 0);
  return v;
}

/** `loc` with `key=value` added to its query (Location URLs often carry state parameters). */
export function withQuery(loc: string, key: string, value: string): string {
  return `${loc}${loc.includes('?') ? '&' : '?'}${key}=${encodeURIComponent(value)}`;
}

/**
 * Ask `repo` to mount `digest` from `from` on the same registry. True when mounted (201); a
 * registry that cannot (202: it opened an upload instead) gets that upload cancelled.
 */
export async function mountBlob(client: RegistryClient, repo: string, digest: string, from: string): Promise<boolean> {
  const path = `/v2/${repo}/blobs/uploads/?mount=${encodeURIComponent(digest)}&from=${encodeURIComponent(from)}`;
  const r = await client.send(
    { method: 'POST', path, repo, actions: PUSH, scope: `repository:${repo}:${PUSH} repository:${from}:pull`, headers: { 'content-length': '0' }, body: Buffer.alloc(0) },
    [201, 202],
  );
  await r.body.dump();
  if (r.statusCode === 201) return true;
  try {
    const d = await client.send({ method: 'DELETE', path: location(r, 'mount'), repo, actions: PUSH }, [200, 204, 404]);
    await d.body.dump();
  } catch {
    // an abandoned upload session expires on its own
  }
  return false;
}

function readChunk(fd: number, pos: number, len: number): Buffer {
  const buf = Buffer.allocUnsafe(len);
  let off = 0;
  while (off < len) {
    const n = readSync(fd, buf, off, len - off, pos + off);
    if (n === 0) throw new Error(`file ended early at ${pos + off} of a ${len}-byte chunk`);
    off += n;
  }
  return buf;
}

/**
 * Upload the blob in file `path` (`size` bytes, digest `digest`) to `repo`. Returns how it was
 * sent. Chunks are Buffers (replayable on retry), so memory stays at one chunk.
 */
export async function uploadBlob(
  client: RegistryClient,
  repo: string,
  digest: string,
  path: string,
  size: number,
  opts: UploadOptions = {},
): Promise<'monolithic' | 'chunked'> {
  const start = await client.send({ method: 'POST', path: `/v2/${repo}/blobs/uploads/`, repo, actions: PUSH, headers: { 'content-length': '0' }, body: Buffer.alloc(0) }, [202]);
  await start.body.dump();
  let loc = location(start, `starting the upload of ${digest}`);
  const fd = openSync(path, 'r');
  try {
    const max = opts.monolithicMax ?? DEFAULT_MONOLITHIC_MAX;
    if (size <= max) {
      const body = readChunk(fd, 0, size);
      const r = await client.send(
        { method: 'PUT', path: withQuery(loc, 'digest', digest), repo, actions: PUSH, headers: { 'content-type': 'application/octet-stream', 'content-length': String(size) }, body },
        [201, 204],
      );
      await r.body.dump();
      opts.onBytes?.(size);
      return 'monolithic';
    }
    const chunk = Math.max(1, opts.chunkSize ?? DEFAULT_CHUNK_SIZE);
    for (let pos = 0; pos < size; pos += chunk) {
      const len = Math.min(chunk, size - pos);
      const body = readChunk(fd, pos, len);
      const r = await client.send(
        {
          method: 'PATCH',
          path: loc,
          repo,
          actions: PUSH,
          headers: { 'content-type': 'application/octet-stream', 'content-length': String(len), 'content-range': `${pos}-${pos + len - 1}` },
          body,
        },
        [202, 204],
      );
      await r.body.dump();
      loc = location(r, `uploading ${digest}`);
      opts.onBytes?.(len);
    }
    const done = await client.send({ method: 'PUT', path: withQuery(loc, 'digest', digest), repo, actions: PUSH, headers: { 'content-length': '0' }, body: Buffer.alloc(0) }, [201, 204]);
    await done.body.dump();
    return 'chunked';
  } catch (err) {
    if (err instanceof RegistryError) err.message = `uploading blob ${digest} to ${client.registry}/${repo}: ${err.message}`;
    throw err;
  } finally {
    closeSync(fd);
  }
}

/** PUT a manifest under `reference` (tag or digest) with its media type. */
export async function putManifest(client: RegistryClient, repo: string, reference: string, body: Buffer, mediaType: string): Promise<void> {
  try {
    const r = await client.send(
      { method: 'PUT', path: `/v2/${repo}/manifests/${reference}`, repo, actions: PUSH, headers: { 'content-type': mediaType, 'content-length': String(body.length) }, body },
      [200, 201, 202],
    );
    await r.body.dump();
  } catch (err) {
    if (err instanceof RegistryError) err.message = `writing manifest to ${client.registry}/${repo}:${reference}: ${err.message}`;
    throw err;
  }
}
