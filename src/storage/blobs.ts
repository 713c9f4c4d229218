/**
 * The content store: `blobs/sha256/<hex>` holds manifests and configs. A blob is written under
 * `blobs/.ingest/<temp>`, its sha256 checked, then renamed to its digest, so nothing is ever
 * readable under a digest it does not have (containerd's discipline). Content-addressed writes
 * are idempotent, which is why writing needs no lock: two writers of one digest rename equal
 * bytes over each other. Deletion does take the storage lock (see Store).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { NotFoundError, TscCtrError } from '../errors.js';
import { writeFileAtomic } from './atomic.js';

const SHA256 = /^sha256:([a-f0-9]{64})$/;

export class DigestError extends TscCtrError {
  constructor(message: string, code = 'TSC_ERR_BAD_DIGEST') {
    super(message, { code });
  }
}

/** The hex of a `sha256:<hex>` digest; anything else (other algorithms, bad hex) is refused. */
export function digestHex(digest: string): string {
  const m = SHA256.exec(digest);
  if (!m) throw new DigestError(`invalid blob digest "${digest}": expected sha256:<64 lowercase hex digits>`);
  return m[1]!;
}

export function sha256Digest(data: Buffer | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

export function blobsDir(root: string): string {
  return join(root, 'blobs', 'sha256');
}

export function ingestDir(root: string): string {
  return join(root, 'blobs', '.ingest');
}

export function blobPath(root: string, digest: string): string {
  return join(blobsDir(root), digestHex(digest));
}

export function hasBlob(root: string, digest: string): boolean {
  return existsSync(blobPath(root, digest));
}

/** Bytes of a stored blob, or 0 when it is missing. */
export function blobSize(root: string, digest: string): number {
  try {
    return statSync(blobPath(root, digest)).size;
  } catch {
    return 0;
  }
}

/** A stored blob. Not re-verified: it was verified when written. */
export function readBlob(root: string, digest: string): Buffer {
  try {
    return readFileSync(blobPath(root, digest));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new NotFoundError(`blob ${digest} is not in the store at ${root}`, 'TSC_ERR_BLOB_UNKNOWN');
    }
    throw err;
  }
}

/** Verify `data` against `digest`, then store it (temp in blobs/.ingest, fsync, rename). */
export function writeBlob(root: string, digest: string, data: Buffer): void {
  const hex = digestHex(digest);
  const actual = sha256Digest(data);
  if (actual !== digest) {
    throw new DigestError(`blob ${digest}: content has digest ${actual}, refusing to store it`, 'TSC_ERR_DIGEST_MISMATCH');
  }
  mkdirSync(blobsDir(root), { recursive: true, mode: 0o700 });
  mkdirSync(ingestDir(root), { recursive: true, mode: 0o700 });
  writeFileAtomic(join(blobsDir(root), hex), data, { mode: 0o644, tmpDir: ingestDir(root) });
}

/** Caller holds the storage lock. */
export function removeBlob(root: string, digest: string): void {
  rmSync(blobPath(root, digest), { force: true });
}
