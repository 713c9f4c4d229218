/**
 * Decompression of layer blobs into a Writable: gzip through node:zlib, zstd through the `zstd`
 * program (Node 20's zlib has none), or nothing. Errors of any stage reject one promise and tear
 * the rest down.
 */
import { spawn } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { HostError, TscCtrError } from '../../errors.js';

export type Compression = 'gzip' | 'zstd' | 'none';

/** Output chunk size of gunzip: larger than zlib's 16 KiB default, so fewer JS round-trips. */
const GUNZIP_CHUNK = 128 * 1024;

/** A decompressor failed on the data (corrupt or truncated blob, wrong compression). */
export class DecompressError extends TscCtrError {
  constructor(message: string, cause?: unknown) {
    super(message, { code: 'TSC_ERR_DECOMPRESS', ...(cause === undefined ? {} : { cause }) });
  }
}

/** The compression of a layer media type (OCI and Docker), or undefined if it is not a layer type we know. */
export function compressionOfMediaType(mediaType: string): Compression | undefined {
  if (/(\+|\.)gzip$/.test(mediaType)) return 'gzip';
  if (/(\+|\.)zstd$/.test(mediaType)) return 'zstd';
  if (/\.tar$/.test(mediaType)) return 'none';
  return undefined;
}

/** What the first bytes of a blob say: gzip (1f 8b), zstd (28 b5 2f fd), else plain. */
export function sniffCompression(head: Buffer): Compression {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 4 && head.readUInt32LE(0) === 0xfd2fb528) return 'zstd';
  return 'none';
}

/** Read the first bytes of `input` without consuming them (they are put back). */
export async function peek(input: Readable, n: number): Promise<Buffer> {
  const got: Buffer[] = [];
  let len = 0;
  return await new Promise<Buffer>((resolve, reject) => {
    const done = (err?: Error) => {
      input.off('readable', onReadable);
      input.off('end', onEnd);
      input.off('error', done);
      const head = Buffer.concat(got, len);
      if (len > 0) input.unshift(head);
      if (err) reject(err);
      else resolve(head);
    };
    const onReadable = () => {
      let c: Buffer | null;
      while (len < n && (c = input.read() as Buffer | null) !== null) {
        got.push(c);
        len += c.length;
      }
      if (len >= n) done();
    };
    const onEnd = () => done();
    input.on('readable', onReadable);
    input.once('end', onEnd);
    input.once('error', done);
  });
}

/**
 * Stream `input` through the decompressor into `sink` (which sees the uncompressed bytes).
 * Resolves when the sink has finished; the first error wins (a decompressor's own complaint over
 * the broken pipe it causes).
 */
export async function decompressInto(input: Readable, compression: Compression, sink: Writable): Promise<void> {
  if (compression === 'none') return await pipeline(input, sink);
  if (compression === 'gzip') {
    const gunzip = createGunzip({ chunkSize: GUNZIP_CHUNK });
    try {
      return await pipeline(input, gunzip, sink);
    } catch (err) {
      // zlib's own errors carry Z_* codes; others reached it through the pipeline's teardown
      const code = (err as NodeJS.ErrnoException).code;
      if (typeof code === 'string' && code.startsWith('Z_')) throw new DecompressError(`gzip: ${(err as Error).message}`, err);
      throw err;
    }
  }
  return await zstdInto(input, sink);
}

async function zstdInto(input: Readable, sink: Writable): Promise<void> {
  const child = spawn('zstd', ['-d', '-c', '-q'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    if (stderr.length < 4096) stderr += d;
  });
  const exited = new Promise<{ code: number | null; spawnError?: Error }>((resolve) => {
    child.once('error', (e) => resolve({ code: null, spawnError: e }));
    child.once('close', (code) => resolve({ code }));
  });
  // The caller's stream failing (a digest mismatch, a network error) is the real cause even when
  // zstd then complains about a premature end.
  let inputErr: unknown;
  input.once('error', (e) => (inputErr ??= e));
  const ac = new AbortController();
  let first: unknown;
  const fail = (e: unknown) => {
    if (first !== undefined) return;
    first = e;
    // Kill before closing its stdin, so that it cannot exit with a "premature end" of its own:
    // killed, it has no exit code, and a code means zstd failed by itself. If its output has
    // already ended (a truncated blob ends the tar early), it is exiting by itself: let it say why.
    if (!child.stdout.readableEnded) child.kill('SIGKILL');
    else setTimeout(() => child.kill('SIGKILL'), 5000).unref();
    ac.abort();
  };
  const feeding = pipeline(input, child.stdin, { signal: ac.signal }).catch(fail);
  // The sink refusing data (a hostile entry, the size cap) while zstd still produces it: then
  // zstd's "broken pipe" is our doing, and the sink's error is the one to report.
  let sinkFirst = false;
  const draining = pipeline(child.stdout, sink, { signal: ac.signal }).catch((e: unknown) => {
    if (first === undefined && !child.stdout.readableEnded) sinkFirst = true;
    fail(e);
  });
  const [, , exit] = await Promise.all([feeding, draining, exited]);
  if (exit.spawnError) {
    const e = exit.spawnError as NodeJS.ErrnoException;
    if (e.code === 'ENOENT') throw new HostError('the zstd program is needed to unpack zstd-compressed layers: install the zstd package');
    throw new HostError(`cannot run zstd: ${e.message}`);
  }
  if (inputErr !== undefined) throw inputErr;
  if (sinkFirst) throw first;
  // zstd's own failure (corrupt or truncated data) explains the broken pipe or short tar it causes.
  if (exit.code !== 0 && exit.code !== null) {
    const msg = stderr.trim().split('\n').pop()?.replace(/^zstd:\s*/, '') || `exit status ${exit.code}`;
    throw new DecompressError(`zstd: ${msg}`);
  }
  if (first !== undefined) throw first;
}
