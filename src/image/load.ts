/**
 * `load`: images from a docker-archive, an oci-archive (both possibly gzip/zstd-compressed, from
 * a file or a stream) or an oci-dir into the store. Every blob is verified (digest and size where
 * the archive states them, diff IDs against the config) and every layer unpacked into a temp dir
 * before anything is committed: a bad archive leaves nothing behind. Layers get a tar-split
 * record, so a loaded image saves and pushes back with the same digests.
 * Must run inside our user namespace when rootless (unpacking keeps file owners).
 */
import { createHash } from 'node:crypto';
import { closeSync, createReadStream, existsSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { TscCtrError } from '../errors.js';
import { type Descriptor, type ImageConfig, type ImageIndex, type ImageManifest, MediaType, isIndexMediaType, layerCompression } from '../oci/image.js';
import { formatReference, parseNormalizedReference, withDefaultTag } from '../registry/reference.js';
import { maxMappedId, parseIdMapFile } from '../rootless/idmap.js';
import { tempName } from '../storage/atomic.js';
import { TarSplitRecorder, writeTarSplit } from '../storage/layer-tar.js';
import { layerTempDir } from '../storage/layers.js';
import type { Store } from '../storage/store.js';
import { decompressInto, peek, sniffCompression } from '../storage/unpack/decompress.js';
import { BadPathError, cleanEntryPath } from '../storage/unpack/paths.js';
import { TarFormatError } from '../storage/unpack/tar-header.js';
import { TarReader, type TarEntry } from '../storage/unpack/tar-reader.js';
import { VerifyingStream } from './verify.js';

export class BadArchiveError extends TscCtrError {
  constructor(message: string, code = 'TSC_ERR_BAD_ARCHIVE') {
    super(message, { code });
  }
}

export interface LoadOptions {
  onLayer?: (digest: string, present: boolean) => void;
  onDebug?: (msg: string) => void;
}

export interface LoadedImage {
  id: string;
  names: string[];
}

const MAX_JSON = 16 * 1024 * 1024;

/** An archive's files: a directory, plus symlinks seen in a tar (docker's legacy layout uses them). */
interface ArchiveFiles {
  root: string;
  links: Map<string, string>;
}

/** Unpack the archive tar (regular files and directories only; links remembered) into `dest`. */
async function extractArchive(input: Readable, dest: string): Promise<ArchiveFiles> {
  const links = new Map<string, string>();
  let fd: number | undefined;
  let current = '';
  const sink = {
    entry(e: TarEntry) {
      let rel: string;
      try {
        rel = cleanEntryPath(e.name);
      } catch (err) {
        throw new BadArchiveError(`archive entry ${JSON.stringify(e.name)}: ${(err as BadPathError).message}`);
      }
      if (!rel) return;
      if (e.kind === 'dir') {
        mkdirSync(join(dest, rel), { recursive: true, mode: 0o700 });
      } else if (e.kind === 'file') {
        mkdirSync(dirname(join(dest, rel)), { recursive: true, mode: 0o700 });
        current = rel;
        fd = openSync(join(dest, rel), 'wx', 0o600);
      } else if (e.kind === 'symlink' || e.kind === 'hardlink') {
        const target = e.kind === 'hardlink' ? e.linkname : join(dirname(rel), e.linkname);
        links.set(rel, target);
      }
    },
    data(c: Buffer) {
      let off = 0;
      while (off < c.length) off += writeSync(fd!, c, off, c.length - off);
    },
    endFile() {
      if (fd !== undefined) closeSync(fd);
      fd = undefined;
      current = '';
    },
  };
  const reader = new TarReader(sink, { maxEntries: 1_000_000, maxMetaSize: 1024 * 1024 });
  const w = new Writable({
    highWaterMark: 1024 * 1024,
    write(chunk: Buffer, _e, cb) {
      try {
        if (!reader.done) reader.write(chunk);
        cb();
      } catch (err) {
        cb(err as Error);
      }
    },
    final(cb) {
      try {
        reader.end();
        if (reader.entries === 0) throw new BadArchiveError('the archive is empty');
        cb();
      } catch (err) {
        cb(err as Error);
      }
    },
  });
  try {
    const head = await peek(input, 4);
    if (head.length === 0) throw new BadArchiveError('the archive is empty');
    await decompressInto(input, sniffCompression(head), w);
  } catch (err) {
    if (fd !== undefined) closeSync(fd);
    if (err instanceof TarFormatError) {
      const where = current ? ` (in ${current})` : '';
      throw new BadArchiveError(`not a valid tar archive: ${err.message.replace(' (truncated layer)', ' (truncated archive)')}${where}`);
    }
    if (err instanceof TscCtrError && !(err instanceof BadArchiveError)) throw new BadArchiveError(`reading the archive: ${err.message}`);
    throw err;
  }
  return { root: dest, links };
}

/** The file an archive member name stands for, links followed (inside the archive only). */
function memberPath(files: ArchiveFiles, name: string): string {
  let rel: string;
  try {
    rel = cleanEntryPath(name);
  } catch (err) {
    throw new BadArchiveError(`archive names ${JSON.stringify(name)}: ${(err as BadPathError).message}`);
  }
  for (let hops = 0; files.links.has(rel); hops++) {
    if (hops > 16) throw new BadArchiveError(`${name}: too many levels of links in the archive`);
    try {
      rel = cleanEntryPath(files.links.get(rel)!);
    } catch (err) {
      throw new BadArchiveError(`${name}: link leaves the archive (${(err as BadPathError).message})`);
    }
  }
  const p = join(files.root, rel);
  if (!existsSync(p) || !statSync(p).isFile()) throw new BadArchiveError(`${name} is missing from the archive`, 'TSC_ERR_BLOB_MISSING');
  return p;
}

function readJson<T>(path: string, what: string): { value: T; bytes: Buffer } {
  if (statSync(path).size > MAX_JSON) throw new BadArchiveError(`${what} is too large`);
  const bytes = readFileSync(path);
  try {
    return { value: JSON.parse(bytes.toString('utf8')) as T, bytes };
  } catch (err) {
    throw new BadArchiveError(`${what}: invalid JSON: ${(err as Error).message}`);
  }
}

const sha256 = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

function verifyBytes(bytes: Buffer, desc: { digest: string; size?: number }, what: string): void {
  if (desc.size !== undefined && bytes.length !== desc.size) throw new BadArchiveError(`${what}: size ${bytes.length}, expected ${desc.size}`, 'TSC_ERR_SIZE_MISMATCH');
  const d = sha256(bytes);
  if (d !== desc.digest) throw new BadArchiveError(`${what}: digest ${d}, expected ${desc.digest}`, 'TSC_ERR_DIGEST_MISMATCH');
}

interface PlannedLayer {
  path: string;
  /** Stated blob digest and size (OCI), verified while reading. */
  digest?: string;
  size?: number;
  mediaType?: string;
}

interface PlannedImage {
  config: Buffer;
  configDigest: string;
  manifest: Buffer;
  manifestMediaType: string;
  layers: PlannedLayer[];
  names: string[];
}

function normalizeName(n: string): string | undefined {
  try {
    const r = parseNormalizedReference(n);
    return formatReference(r.digest ? r : withDefaultTag(r));
  } catch {
    return undefined;
  }
}

function planDocker(files: ArchiveFiles): PlannedImage[] {
  type Entry = { Config: string; RepoTags?: string[] | null; Layers: string[]; LayerSources?: Record<string, { digest: string; size: number; mediaType: string }> };
  const { value } = readJson<Entry[]>(memberPath(files, 'manifest.json'), 'manifest.json');
  if (!Array.isArray(value) || !value.length) throw new BadArchiveError('manifest.json lists no images');
  return value.map((e, i) => {
    if (typeof e?.Config !== 'string' || !Array.isArray(e.Layers)) throw new BadArchiveError(`manifest.json entry ${i}: no Config or Layers`);
    const cfgPath = memberPath(files, e.Config);
    const config = readJson<ImageConfig>(cfgPath, e.Config).bytes;
    const configDigest = sha256(config);
    // docker and containers/image name the config by its digest: a different one is a corrupt archive.
    const m = /(?:^|\/)([a-f0-9]{64})(?:\.json)?$/.exec(e.Config);
    if (m && `sha256:${m[1]}` !== configDigest) throw new BadArchiveError(`${e.Config}: content has digest ${configDigest}`, 'TSC_ERR_DIGEST_MISMATCH');
    const layers = e.Layers.map((l) => ({ path: memberPath(files, l) }));
    const names = (e.RepoTags ?? []).map(normalizeName).filter((n): n is string => !!n);
    return { config, configDigest, manifest: Buffer.alloc(0), manifestMediaType: MediaType.DockerManifest, layers, names };
  });
}

function blobPathOf(files: ArchiveFiles, d: Descriptor, what: string): string {
  if (typeof d?.digest !== 'string' || !/^sha256:[a-f0-9]{64}$/.test(d.digest)) throw new BadArchiveError(`${what}: invalid digest ${JSON.stringify(d?.digest)}`);
  return memberPath(files, `blobs/sha256/${d.digest.slice(7)}`);
}

function planOci(files: ArchiveFiles): PlannedImage[] {
  const { value: index } = readJson<ImageIndex>(memberPath(files, 'index.json'), 'index.json');
  if (!Array.isArray(index?.manifests)) throw new BadArchiveError('index.json lists no manifests');
  const out: PlannedImage[] = [];
  const visit = (desc: Descriptor, name: string | undefined, depth: number) => {
    const bytes = readFileSync(blobPathOf(files, desc, 'manifest'));
    verifyBytes(bytes, desc, `manifest ${desc.digest}`);
    if (isIndexMediaType(desc.mediaType)) {
      if (depth > 2) throw new BadArchiveError('indexes nested too deep');
      const idx = JSON.parse(bytes.toString('utf8')) as ImageIndex;
      const pick = idx.manifests.find((m) => !m.platform || (m.platform.os === 'linux' && m.platform.architecture === 'amd64')) ?? idx.manifests[0];
      if (pick) visit(pick, name, depth + 1);
      return;
    }
    let man: ImageManifest;
    try {
      man = JSON.parse(bytes.toString('utf8')) as ImageManifest;
    } catch {
      throw new BadArchiveError(`manifest ${desc.digest}: invalid JSON`);
    }
    if (!man.config || !Array.isArray(man.layers)) throw new BadArchiveError(`manifest ${desc.digest}: no config or layers`);
    const config = readFileSync(blobPathOf(files, man.config, 'config'));
    verifyBytes(config, man.config, `config ${man.config.digest}`);
    const layers = man.layers.map((l) => {
      if (layerCompression(l.mediaType) === undefined) throw new BadArchiveError(`layer ${l.digest}: unsupported media type ${l.mediaType}`);
      return { path: blobPathOf(files, l, `layer ${l.digest}`), digest: l.digest, size: l.size, mediaType: l.mediaType };
    });
    const n = name ? normalizeName(name) : undefined;
    const prev = out.find((p) => p.configDigest === man.config.digest);
    if (prev) {
      if (n && !prev.names.includes(n)) prev.names.push(n);
      return;
    }
    out.push({ config, configDigest: man.config.digest, manifest: bytes, manifestMediaType: desc.mediaType || man.mediaType || MediaType.OciManifest, layers, names: n ? [n] : [] });
  };
  for (const d of index.manifests) visit(d, d.annotations?.['org.opencontainers.image.ref.name'], 0);
  if (!out.length) throw new BadArchiveError('index.json lists no images');
  return out;
}

/** Highest ids our namespace maps (undefined: all), as pull uses them. */
function idLimits(): { uidMax: number; gidMax: number } | undefined {
  try {
    const u = maxMappedId(parseIdMapFile(readFileSync('/proc/self/uid_map', 'utf8')));
    const g = maxMappedId(parseIdMapFile(readFileSync('/proc/self/gid_map', 'utf8')));
    return u >= 4294967294 ? undefined : { uidMax: u, gidMax: g };
  } catch {
    return undefined;
  }
}

/** A layer already stored is not unpacked again, but its blob in the archive is still checked. */
async function verifyPresent(l: PlannedLayer, diffId: string): Promise<void> {
  const what = `layer ${l.digest ?? diffId}`;
  try {
    if (l.digest) {
      const v = new VerifyingStream(l.digest, l.size, what);
      const src = createReadStream(l.path);
      src.on('error', (e) => v.destroy(e));
      for await (const _ of src.pipe(v)) void _;
      return;
    }
    const { computeDiffId } = await import('../storage/unpack/index.js');
    const r = await computeDiffId(createReadStream(l.path), 'auto', { layerName: what });
    if (r.diffId !== diffId) throw new BadArchiveError(`${what}: uncompressed content has digest ${r.diffId}, the config says ${diffId}`, 'TSC_ERR_DIGEST_MISMATCH');
  } catch (err) {
    if (err instanceof BadArchiveError) throw err;
    const e = err as TscCtrError;
    throw new BadArchiveError(`${what}: ${e.message}`, e.code ?? 'TSC_ERR_BAD_ARCHIVE');
  }
}

interface Unpacked {
  temp: string;
  chainId: string;
  parent: string | undefined;
  diffId: string;
  size: number;
  compressed?: { digest: string; size: number; mediaType: string };
}

/** Load every image of the archive at `input` (file or directory) or of the stream. */
export async function loadImages(store: Store, input: string | Readable, opts: LoadOptions = {}): Promise<LoadedImage[]> {
  await store.cleanupStale();
  const temps: string[] = [];
  let extracted: string | undefined;
  try {
    let files: ArchiveFiles;
    if (typeof input === 'string' && existsSync(input) && statSync(input).isDirectory()) {
      files = { root: input, links: new Map() };
    } else {
      if (typeof input === 'string' && !existsSync(input)) throw new TscCtrError(`${input}: no such file or directory`, { code: 'TSC_ERR_NOT_FOUND' });
      const stream = typeof input === 'string' ? createReadStream(input) : input;
      mkdirSync(layerTempDir(store.root), { recursive: true, mode: 0o700 });
      extracted = join(layerTempDir(store.root), tempName('-load'));
      mkdirSync(extracted, { mode: 0o700 });
      files = await extractArchive(stream, extracted);
    }
    const isOci = existsSync(join(files.root, 'oci-layout')) || existsSync(join(files.root, 'index.json'));
    if (!isOci && !existsSync(join(files.root, 'manifest.json'))) {
      throw new BadArchiveError('unknown archive format: no manifest.json (docker-archive) and no oci-layout or index.json (OCI layout)');
    }
    const plans = isOci ? planOci(files) : planDocker(files);

    // Everything unpacked and verified before anything is committed.
    const unpacked: Unpacked[][] = [];
    const byChain = new Map<string, Unpacked>();
    for (const p of plans) {
      const cfg = JSON.parse(p.config.toString('utf8')) as ImageConfig;
      const diffIds = cfg.rootfs?.diff_ids ?? [];
      if (diffIds.length !== p.layers.length) {
        throw new BadArchiveError(`image ${p.configDigest.slice(7, 19)}: config lists ${diffIds.length} layers, the manifest ${p.layers.length}`);
      }
      const list: Unpacked[] = [];
      let parent: string | undefined;
      for (let i = 0; i < p.layers.length; i++) {
        const chain = store.chainId(parent, diffIds[i]!);
        const present = store.hasLayer(chain) || byChain.has(chain);
        opts.onLayer?.(p.layers[i]!.digest ?? diffIds[i]!, present);
        if (!present) {
          const u = await unpackOne(store, p.layers[i]!, diffIds[i]!, chain, parent, temps, opts);
          byChain.set(chain, u);
          list.push(u);
        } else await verifyPresent(p.layers[i]!, diffIds[i]!);
        parent = chain;
      }
      unpacked.push(list);
    }

    const loaded: LoadedImage[] = [];
    for (let k = 0; k < plans.length; k++) {
      const p = plans[k]!;
      for (const u of unpacked[k]!) {
        await store.commitLayer(u.temp, { chainId: u.chainId, diffId: u.diffId, parent: u.parent ?? null, size: u.size, ...(u.compressed ? { compressed: [u.compressed] } : {}) });
        temps.splice(temps.indexOf(u.temp), 1);
      }
      const cfg = JSON.parse(p.config.toString('utf8')) as ImageConfig;
      let manifest = p.manifest;
      if (!manifest.length) {
        // A docker-archive has no manifest: describe its layers as they were in the archive.
        const layers = p.layers.map((l, i) => ({ mediaType: MediaType.DockerLayer, digest: cfg.rootfs.diff_ids[i]!, size: statSync(l.path).size }));
        manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MediaType.DockerManifest, config: { mediaType: MediaType.DockerConfig, digest: p.configDigest, size: p.config.length }, layers }));
      }
      const manifestDigest = sha256(manifest);
      store.writeBlob(p.configDigest, p.config);
      store.writeBlob(manifestDigest, manifest);
      const chain: string[] = [];
      cfg.rootfs.diff_ids.forEach((d, i) => chain.push(store.chainId(i === 0 ? undefined : chain[i - 1], d)));
      const id = p.configDigest.slice(7);
      await store.putImage({
        id,
        digest: manifestDigest,
        names: p.names,
        manifestMediaType: p.manifestMediaType,
        topLayer: chain.at(-1),
        layers: chain,
        created: cfg.created ?? new Date(0).toISOString(),
      });
      loaded.push({ id, names: p.names });
    }
    return loaded;
  } finally {
    for (const t of temps) await store.discardTemp(t).catch(() => {});
    if (extracted) rmSync(extracted, { recursive: true, force: true });
  }
}

async function unpackOne(store: Store, l: PlannedLayer, diffId: string, chainId: string, parent: string | undefined, temps: string[], opts: LoadOptions): Promise<Unpacked> {
  const { unpackLayer } = await import('../storage/unpack/index.js');
  const temp = await store.newLayerTemp();
  temps.push(temp);
  const diff = join(temp, 'diff');
  mkdirSync(diff, { mode: 0o755 });
  const rec = new TarSplitRecorder();
  const what = `layer ${l.digest ?? diffId}`;
  const src = createReadStream(l.path);
  let body: Readable = src;
  if (l.digest) body = src.pipe(new VerifyingStream(l.digest, l.size, what));
  src.on('error', (e) => body.destroy(e));
  const limits = idLimits();
  let result;
  try {
    result = await unpackLayer(body, diff, {
      compression: 'auto',
      whiteouts: 'overlay',
      rootless: limits !== undefined || process.env._CONTAINERS_USERNS_CONFIGURED !== undefined,
      ...(limits ? { idLimit: limits } : {}),
      chown: limits === undefined || limits.uidMax > 0,
      layerName: l.digest ?? diffId,
      tee: (c) => rec.write(c),
      ...(opts.onDebug ? { onDebug: opts.onDebug } : {}),
    });
  } catch (err) {
    const e = err as TscCtrError;
    throw new BadArchiveError(`${what}: ${e.message}`, e.code ?? 'TSC_ERR_BAD_ARCHIVE');
  }
  if (result.diffId !== diffId) {
    throw new BadArchiveError(`${what}: uncompressed content has digest ${result.diffId}, the config says ${diffId}`, 'TSC_ERR_DIGEST_MISMATCH');
  }
  writeTarSplit(temp, rec.finish());
  const compressed = l.mediaType && l.digest && l.size !== undefined ? { digest: l.digest, size: l.size, mediaType: l.mediaType } : undefined;
  return { temp, chainId, parent, diffId, size: result.size, ...(compressed ? { compressed } : {}) };
}
