import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { VerifyingStream, verifyBuffer } from '../../../src/image/verify.js';

const data = Buffer.from('hello layer\n'.repeat(1000));
const digest = `sha256:${createHash('sha256').update(data).digest('hex')}`;

async function drain(src: Buffer, v: VerifyingStream): Promise<number> {
  let n = 0;
  await pipeline(
    Readable.from([src.subarray(0, 100), src.subarray(100)]),
    v,
    new Writable({
      write(c, _e, cb) {
        n += c.length;
        cb();
      },
    }),
  );
  return n;
}

describe('VerifyingStream', () => {
  it('passes verified content through', async () => {
    expect(await drain(data, new VerifyingStream(digest, data.length, 'layer x'))).toBe(data.length);
  });
  it('fails on a digest mismatch', async () => {
    const bad = Buffer.from(data);
    bad[5] = 0;
    await expect(drain(bad, new VerifyingStream(digest, data.length, 'layer x'))).rejects.toThrow(/layer x: digest mismatch: expected sha256:/);
  });
  it('fails as soon as the size is exceeded', async () => {
    await expect(drain(Buffer.concat([data, data]), new VerifyingStream(digest, data.length, 'layer x'))).rejects.toThrow(/size mismatch/);
  });
  it('fails when the content is short', async () => {
    await expect(drain(data.subarray(0, 10), new VerifyingStream(digest, data.length, 'layer x'))).rejects.toThrow(/size mismatch/);
  });
  it('refuses malformed digests', () => {
    expect(() => new VerifyingStream('sha256:abc', 1, 'x')).toThrow(/invalid or unsupported digest/);
    expect(() => new VerifyingStream('md5:' + 'a'.repeat(32), 1, 'x')).toThrow(/invalid or unsupported digest/);
  });
});

describe('verifyBuffer', () => {
  it('accepts and rejects', () => {
    expect(() => verifyBuffer(data, digest, data.length, 'cfg')).not.toThrow();
    expect(() => verifyBuffer(data, digest, 3, 'cfg')).toThrow(/size mismatch/);
    expect(() => verifyBuffer(Buffer.from('x'), digest, undefined, 'cfg')).toThrow(/digest mismatch/);
  });
});
