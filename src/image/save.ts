/**
 * `save`: images of the store written as a docker-archive (docker save's format: manifest.json,
 * `<config hex>.json`, `<diff id hex>.tar`), an oci-archive (a tar of an OCI image layout) or an
 * oci-dir (the layout as a directory). Layers are written uncompressed, as Podman does, so their
 * digests are the diff IDs; exact when the layer has a tar-split record, else deterministic (and
 * the config is rewritten with the new diff IDs, see export-layers.ts).
 *
 * Nothing appears under the output name until it is complete: a file goes to a temp name beside
 * it and is renamed, a directory likewise. Must run where layer files are readable (our userns).
 */
import { createReadStream, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, copyFileSync, writeFileSync, createWriteStream } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { TscCtrError, UsageError } from '../errors.js';
import { MediaType } from '../oci/image.js';
import { fsyncDir, tempName } from '../storage/atomic.js';
import { encodeTarHeader } from '../storage/layer-tar.js';
import type { Store } from '../storage/store.js';
import type { ImageRecord } from '../storage/types.js';
import { buildManifest, exportImage, exportTempDir, layerMediaType, type ExportedImage, type ExportedLayer } from './export-layers.js';

export type SaveFormat = 'docker-archive' | 'oci-archive' | 'oci-dir';
export const SAVE_FORMATS: SaveFormat[] = ['docker-archive', 'oci-archive', 'oci-dir'];

export interface SaveOptions {
  format: SaveFormat;
  /** Several distinct images in one docker-archive (`-m`). */
  multiImage?: boolean;
  /** File or directory to write; undefined = `stream` (stdout). */
  output?: string;
  stream?: Writable;
  /** Called once per layer written (for progress lines). */
  onLayer?: (l: ExportedLayer) => void;
  onWarning?: (msg: string) => void;
}

/** One member of an archive: bytes or a file's content. */
export interface ArchiveMember {
  name: string;
  data?: Buffer;
  path?: string;
  size: number;
}

/** A plain tar of `members` (files, with their parent directories first), mtime 0, root-owned. */
export async function* tarMembers(members: ArchiveMember[]): AsyncGenerator<Buffer> {
  const dirs = new Set<string>();
  for (const m of members) {
    const parts = m.name.split('/').slice(0, -1);
    for (let i = 1; i <= parts.length; i++) {
      const d = parts.slice(0, i).join('/');
      if (dirs.has(d)) continue;
      dirs.add(d);
      yield encodeTarHeader({ name: `${d}/`, type: '5', mode: 0o755, uid: 0, gid: 0, size: 0, mtime: 0 });
    }
    yield encodeTarHeader({ name: m.name, type: '0', mode: 0o644, uid: 0, gid: 0, size: m.size, mtime: 0 });
    if (m.data) yield m.data;
    else if (m.path) {
      let n = 0;
      for await (const c of createReadStream(m.path, { highWaterMark: 1024 * 1024 })) {
        n += (c as Buffer).length;
        yield c as Buffer;
      }
      if (n !== m.size) throw new TscCtrError(`${m.name}: ${m.path} changed while being archived`);
    }
    const pad = (512 - (m.size % 512)) % 512;
    if (pad) yield Buffer.alloc(pad);
  }
  yield Buffer.alloc(1024);
}

interface Target {
  image: ImageRecord;
  /** Names to record (RepoTags / ref.name): fully qualified. */
  names: string[];
}

async function resolveTargets(store: Store, inputs: string[], opts: SaveOptions): Promise<Target[]> {
  if (!inputs.length) throw new UsageError('need at least 1 argument');
  const images = store.listImages();
  const targets: Target[] = [];
  for (const input of inputs) {
    const m = await store.lookupImage(input, images);
    if (!m) throw new TscCtrError(`${input}: image not known`, { code: 'TSC_ERR_IMAGE_UNKNOWN' });
    // By id or digest: no name goes with it (Podman's RepoTags stay empty).
    const name = m.by === 'name' || m.by === 'repo-suffix' ? m.resolvedName : undefined;
    let t = targets.find((x) => x.image.id === m.image.id);
    if (!t) targets.push((t = { image: m.image, names: [] }));
    if (name && !t.names.includes(name)) t.names.push(name);
  }
  if (targets.length > 1) {
    if (opts.format !== 'docker-archive') throw new UsageError(`saving several images needs --format docker-archive (not ${opts.format})`);
    if (!opts.multiImage) throw new UsageError('saving several images in one archive needs -m (--multi-image-archive)');
  }
  return targets;
}

function dockerArchiveMembers(images: { t: Target; e: ExportedImage }[]): ArchiveMember[] {
  const members: ArchiveMember[] = [];
  const seen = new Set<string>();
  const manifest: { Config: string; RepoTags: string[]; Layers: string[] }[] = [];
  const repositories: Record<string, Record<string, string>> = {};
  for (const { t, e } of images) {
    const cfgName = `${e.configDigest.slice(7)}.json`;
    if (!seen.has(cfgName)) {
      seen.add(cfgName);
      members.push({ name: cfgName, data: e.config, size: e.config.length });
    }
    const layers: string[] = [];
    for (const l of e.layers) {
      const n = `${l.diffID.slice(7)}.tar`;
      layers.push(n);
      if (!seen.has(n)) {
        seen.add(n);
        members.push({ name: n, path: l.path, size: l.size });
      }
    }
    const tags = t.names.filter((n) => !n.includes('@'));
    manifest.push({ Config: cfgName, RepoTags: tags, Layers: layers });
    const top = e.layers.at(-1);
    for (const tag of tags) {
      const i = tag.lastIndexOf(':');
      if (top) (repositories[tag.slice(0, i)] ??= {})[tag.slice(i + 1)] = top.diffID.slice(7);
    }
  }
  const mj = Buffer.from(JSON.stringify(manifest));
  members.push({ name: 'manifest.json', data: mj, size: mj.length });
  const rj = Buffer.from(JSON.stringify(repositories));
  members.push({ name: 'repositories', data: rj, size: rj.length });
  return members;
}

function ociLayoutMembers(images: { t: Target; e: ExportedImage }[]): ArchiveMember[] {
  const members: ArchiveMember[] = [];
  const seen = new Set<string>();
  const blob = (digest: string, m: Omit<ArchiveMember, 'name'>) => {
    const name = `blobs/sha256/${digest.slice(7)}`;
    if (seen.has(name)) return;
    seen.add(name);
    members.push({ name, ...m });
  };
  const manifests: object[] = [];
  for (const { t, e } of images) {
    blob(e.configDigest, { data: e.config, size: e.config.length });
    for (const l of e.layers) blob(l.digest, { path: l.path, size: l.size });
    const m = buildManifest(
      'oci',
      { digest: e.configDigest, size: e.config.length },
      e.layers.map((l) => ({ digest: l.digest, size: l.size, mediaType: layerMediaType('oci', l.compression) })),
    );
    blob(m.digest, { data: m.body, size: m.body.length });
    const names = t.names.filter((n) => !n.includes('@'));
    const desc = { mediaType: MediaType.OciManifest, digest: m.digest, size: m.body.length };
    if (!names.length) manifests.push(desc);
    for (const n of names) manifests.push({ ...desc, annotations: { 'org.opencontainers.image.ref.name': n } });
  }
  const layout = Buffer.from(JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  const index = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MediaType.OciIndex, manifests }));
  return [{ name: 'oci-layout', data: layout, size: layout.length }, ...members, { name: 'index.json', data: index, size: index.length }];
}

/** Write `members` as a directory tree at `dest` (which must not exist or be empty), atomically. */
function writeDirectory(dest: string, members: ArchiveMember[]): void {
  const abs = resolve(dest);
  if (existsSync(abs)) {
    if (!statSync(abs).isDirectory()) throw new TscCtrError(`${dest} exists and is not a directory`, { code: 'TSC_ERR_OUTPUT' });
    if (readdirSync(abs).length) throw new TscCtrError(`${dest} is not empty: refusing to write an OCI layout into it`, { code: 'TSC_ERR_OUTPUT' });
  }
  const tmp = join(dirname(abs), tempName(`-${basename(abs)}`));
  mkdirSync(tmp, { mode: 0o755 });
  try {
    for (const m of members) {
      const p = join(tmp, m.name);
      mkdirSync(dirname(p), { recursive: true, mode: 0o755 });
      if (m.data) writeFileSync(p, m.data, { mode: 0o644 });
      else copyFileSync(m.path!, p);
    }
    if (existsSync(abs)) rmSync(abs, { recursive: true });
    renameSync(tmp, abs);
    fsyncDir(dirname(abs));
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
}

/** Save `inputs` (names or ids) as opts.format to opts.output or opts.stream. */
export async function saveImages(store: Store, inputs: string[], opts: SaveOptions): Promise<void> {
  if (!SAVE_FORMATS.includes(opts.format)) throw new UsageError(`unsupported format "${opts.format}" for save: use one of ${SAVE_FORMATS.join(', ')}`);
  if (opts.format === 'oci-dir' && !opts.output) throw new UsageError('--format oci-dir needs -o (--output) DIRECTORY');
  const targets = await resolveTargets(store, inputs, opts);
  const dir = exportTempDir(store);
  try {
    const cache = new Map<string, ExportedLayer>();
    const done: { t: Target; e: ExportedImage }[] = [];
    for (const t of targets) {
      const e = await exportImage(store, t.image, dir, 'none', cache, opts.onLayer);
      if (e.rewritten) {
        opts.onWarning?.(
          `image ${t.image.id.slice(0, 12)}: some layers have no record of their original tar (pulled by an older tsc-ctr or made locally); they are written as new tars, so the saved image has the new id ${e.configDigest.slice(7, 19)}`,
        );
      }
      done.push({ t, e });
    }
    const members = opts.format === 'docker-archive' ? dockerArchiveMembers(done) : ociLayoutMembers(done);
    if (opts.format === 'oci-dir') return writeDirectory(opts.output!, members);
    if (opts.output) {
      const abs = resolve(opts.output);
      const tmp = join(dirname(abs), tempName(`-${basename(abs)}`));
      try {
        await pipeline(Readable.from(tarMembers(members)), createWriteStream(tmp, { mode: 0o644 }));
        renameSync(tmp, abs);
        fsyncDir(dirname(abs));
      } catch (err) {
        rmSync(tmp, { force: true });
        throw err;
      }
      return;
    }
    if (!opts.stream) throw new UsageError('no output: give -o FILE');
    await pipeline(Readable.from(tarMembers(members)), opts.stream, { end: false });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
