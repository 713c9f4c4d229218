import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { TscCtrError } from '../errors.js';

export class DigestMismatchError extends TscCtrError {
  constructor(what: string, expected: string, actual: string) {
    super(`${what}: digest mismatch: expected ${expected}, got ${actual}`, { code: 'TSC_ERR_DIGEST_MISMATCH' });
  }
}

export class SizeMismatchError extends TscCtrError {
  constructor(what: string, expected: number, actual: number) {
    super(`${what}: size mismatch: expected ${expected} bytes, got ${actual}${actual > expected ? ' or more' : ''}`, {
      code: 'TSC_ERR_SIZE_MISMATCH',
    });
  }
}

const HEX = /^(sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$/;

export function checkDigestSyntax(digest: string, what: string): void {
  if (!HEX.test(digest)) throw new TscCtrError(`${what}: invalid or unsupported digest "${digest}"`, { code: 'TSC_ERR_BAD_DIGEST' });
}

export function digestOf(data: Buffer | string, algorithm = 'sha256'): string {
  return `${algorithm}:${createHash(algorithm).update(data).digest('hex')}`;
}

export function verifyBuffer(data: Buffer, digest: string, size: number | undefined, what: string): void {
  checkDigestSyntax(digest, what);
  if (size !== undefined && data.length !== size) throw new SizeMismatchError(what, size, data.length);
  const actual = digestOf(data, digest.split(':')[0]);
  if (actual !== digest) throw new DigestMismatchError(what, digest, actual);
}

/**
 * A pass-through that hashes and counts what flows through it and fails the stream when the
 * size is exceeded or, at the end, when digest or size differ: nothing unverified is committed.
 */
export class VerifyingStream extends Transform {
  private readonly hash;
  private count = 0;
  constructor(
    private readonly digest: string,
    private readonly size: number | undefined,
    private readonly what: string,
    private readonly onBytes?: (n: number) => void,
  ) {
    super();
    checkDigestSyntax(digest, what);
    this.hash = createHash(digest.split(':')[0]!);
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.count += chunk.length;
    if (this.size !== undefined && this.count > this.size) {
      cb(new SizeMismatchError(this.what, this.size, this.count));
      return;
    }
    this.hash.update(chunk);
    this.onBytes?.(chunk.length);
    cb(null, chunk);
  }
  override _flush(cb: TransformCallback): void {
    if (this.size !== undefined && this.count !== this.size) {
      cb(new SizeMismatchError(this.what, this.size, this.count));
      return;
    }
    const actual = `${this.digest.split(':')[0]}:${this.hash.digest('hex')}`;
    cb(actual === this.digest ? null : new DigestMismatchError(this.what, this.digest, actual));
  }
}
