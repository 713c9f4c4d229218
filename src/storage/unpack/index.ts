/**
 * The layer unpacker: a layer blob stream (gzip, zstd or plain tar) written into an empty
 * directory, computing the layer's diff ID on the way.
 *
 *   blob ──▶ decompress.ts ──▶ sink (sha256 + byte cap) ──▶ tar-reader.ts ──▶ writer.ts ──▶ dest
 *
 * Our own tar parser and synchronous writes: node-tar's extract is 20–25× slower than GNU tar on
 * real layers (DESIGN.md §5); this path runs within 2× of it (bench/unpack.mjs). Hostile input
 * never writes outside `dest` (see writer.ts) and every failure names the layer and the entry;
 * the caller removes `dest` after an error.
 */
import { createHash } from 'node:crypto';
import { Writable, type Readable } from 'node:stream';
import { TscCtrError } from '../../errors.js';
import { decompressInto, peek, sniffCompression, type Compression } from './decompress.js';
import { HostileLayerError, UnpackError } from './errors.js';
import { TarFormatError } from './tar-header.js';
import { TarReader } from './tar-reader.js';
import { LayerWriter, OVERFLOW_ID } from './writer.js';

export { HostileLayerError, UnpackError } from './errors.js';
export { TarFormatError } from './tar-header.js';
export { DecompressError, compressionOfMediaType, sniffCompression, type Compression } from './decompress.js';
export { OVERFLOW_ID };

/** Limits used when the caller gives none; a program may change them once (e.g. from its config). */
export const unpackDefaults = {
  /** Uncompressed bytes one layer may hold (decompression-bomb guard). */
  maxSize: 64 * 1024 ** 3,
  /** Entries one layer may hold. */
  maxEntries: 4_000_000,
  /** Bytes of one PAX or GNU long-name header. */
  maxMetaSize: 1024 * 1024,
};

export interface UnpackOptions {
  /** Blob compression: from the media type (compressionOfMediaType), or 'auto' to go by the magic bytes. */
  compression: Compression | 'auto';
  /** 'overlay' (default): whiteouts as overlayfs stores them. 'naive': applied to `dest`, which holds the lower layers (a copying driver). */
  whiteouts?: 'overlay' | 'naive';
  /** Opaque directories get user.overlay.opaque (rootless overlay with userxattr) instead of trusted.overlay.opaque. */
  rootless: boolean;
  /** Cap on uncompressed bytes (tar stream and file content); default unpackDefaults.maxSize. */
  maxSize?: number;
  /** Cap on entries; default unpackDefaults.maxEntries. */
  maxEntries?: number;
  /** Highest ids mapped in our user namespace: owners above become 65534 (counted in overflowIds). */
  idLimit?: { uidMax: number; gidMax: number };
  /** Apply owners; false in a single-id namespace (Podman's ignore_chown_errors). Default true. */
  chown?: boolean;
  /** Names the layer in errors, usually its digest. */
  layerName?: string;
  /** Notes on what was skipped (device nodes, refused xattrs, unknown entry types). */
  onDebug?: (msg: string) => void;
  /** Sees every uncompressed byte, in order (the tar-split recorder of storage/layer-tar.ts). */
  tee?: (chunk: Buffer) => void;
}

export interface UnpackResult {
  /** sha256 of the uncompressed tar: the layer's diff ID. */
  diffId: string;
  /** Bytes of regular-file content written. */
  size: number;
  /** Bytes of the uncompressed tar (what containers/storage records as the diff size). */
  tarSize: number;
  entries: number;
  /** Entries whose uid or gid was above idLimit (they got 65534). */
  overflowIds: number;
  /** The highest of those ids (0 when none). */
  maxUnmappedId: number;
  /** Device nodes not created (no permission, rootless). */
  skippedDevices: number;
  /** xattrs refused by the filesystem or our privileges. */
  skippedXattrs: number;
}

function tooLarge(layer: string, max: number): HostileLayerError {
  return new HostileLayerError(layer, undefined, `uncompressed size exceeds the limit of ${max} bytes (a decompression bomb, or raise the limit)`, 'TSC_ERR_LAYER_TOO_LARGE');
}

/** A sink for uncompressed bytes: hashes them, enforces the byte cap, feeds `write` until `done()`. */
function hashingSink(layer: string, maxSize: number, write?: { write(c: Buffer): void; end(): void; done: boolean }, tee?: (c: Buffer) => void) {
  const hash = createHash('sha256');
  const stats = { bytes: 0 };
  const sink = new Writable({
    highWaterMark: 1024 * 1024,
    write(chunk: Buffer, _enc, cb) {
      try {
        stats.bytes += chunk.length;
        if (stats.bytes > maxSize) throw tooLarge(layer, maxSize);
        hash.update(chunk);
        tee?.(chunk);
        // After the end-of-archive marker the rest still counts for the diff ID.
        if (write && !write.done) write.write(chunk);
      } catch (err) {
        return cb(err as Error);
      }
      cb();
    },
    final(cb) {
      try {
        write?.end();
      } catch (err) {
        return cb(err as Error);
      }
      cb();
    },
  });
  return { sink, stats, digest: () => `sha256:${hash.digest('hex')}` };
}

async function resolveCompression(input: Readable, c: UnpackOptions['compression']): Promise<Compression> {
  return c === 'auto' ? sniffCompression(await peek(input, 4)) : c;
}

/** A tar format error, with where in the archive it happened. */
function formatError(layer: string, reader: TarReader, err: TarFormatError): UnpackError {
  if (reader.current !== undefined) return new UnpackError(layer, reader.current, err.message, { code: err.code, cause: err });
  const where = reader.last === undefined ? '' : ` (after entry ${JSON.stringify(reader.last)})`;
  return new UnpackError(layer, undefined, `${err.message}${where}`, { code: err.code, cause: err });
}

/**
 * Unpack a layer blob into `dest` (an existing, empty directory; for whiteouts 'naive', a copy
 * of the lower layers). Rejects with an UnpackError (HostileLayerError for unsafe content) that
 * names the layer and entry; `dest` is then in an unspecified state and the caller removes it.
 */
export async function unpackLayer(input: Readable, dest: string, opts: UnpackOptions): Promise<UnpackResult> {
  const layer = opts.layerName ?? 'layer';
  const maxSize = opts.maxSize ?? unpackDefaults.maxSize;
  const writer = new LayerWriter(dest, {
    layer,
    whiteouts: opts.whiteouts ?? 'overlay',
    rootless: opts.rootless,
    maxSize,
    idLimit: opts.idLimit,
    chown: opts.chown ?? true,
    debug: opts.onDebug ?? (() => {}),
  });
  const reader = new TarReader(writer, { maxEntries: opts.maxEntries ?? unpackDefaults.maxEntries, maxMetaSize: unpackDefaults.maxMetaSize });
  const { sink, stats, digest } = hashingSink(layer, maxSize, reader, opts.tee);
  try {
    await decompressInto(input, await resolveCompression(input, opts.compression), sink);
    writer.finish();
  } catch (err) {
    writer.abort();
    if (err instanceof TarFormatError) throw formatError(layer, reader, err);
    if (err instanceof UnpackError) throw err;
    if (err instanceof TscCtrError && err.code === 'TSC_ERR_DECOMPRESS') throw new UnpackError(layer, undefined, err.message, { code: err.code, cause: err });
    throw err;
  }
  return {
    diffId: digest(),
    size: writer.size,
    tarSize: stats.bytes,
    entries: reader.entries,
    overflowIds: writer.overflowIds,
    maxUnmappedId: writer.maxUnmappedId,
    skippedDevices: writer.skippedDevices,
    skippedXattrs: writer.skippedXattrs,
  };
}

/** The diff ID (sha256 of the uncompressed tar) and uncompressed size of a blob, without unpacking it. */
export async function computeDiffId(
  input: Readable,
  compression: UnpackOptions['compression'],
  opts: { maxSize?: number; layerName?: string } = {},
): Promise<{ diffId: string; tarSize: number }> {
  const layer = opts.layerName ?? 'layer';
  const { sink, stats, digest } = hashingSink(layer, opts.maxSize ?? unpackDefaults.maxSize);
  try {
    await decompressInto(input, await resolveCompression(input, compression), sink);
  } catch (err) {
    if (err instanceof TscCtrError && err.code === 'TSC_ERR_DECOMPRESS') throw new UnpackError(layer, undefined, err.message, { code: err.code, cause: err });
    throw err;
  }
  return { diffId: digest(), tarSize: stats.bytes };
}
