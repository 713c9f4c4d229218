/**
 * The per-user image store (DESIGN.md §2):
 *
 *   <root>/storage.lock                 the one writer lock (lock.ts)
 *   <root>/blobs/sha256/<hex>           manifests and configs, verified (blobs.ts)
 *   <root>/layers/<chainid>/diff/       unpacked layers + layer.json (layers.ts)
 *   <root>/l/<short> -> ../layers/<chainid>/diff
 *   <root>/images.json                  image records (images.ts)
 *   <root>/containers/<id>/container.json   read here only to know which images are in use
 *
 * Every mutation of images.json, layers/ or l/ runs under the storage lock and lands by
 * rename; readers take no lock and read images.json once per operation. Layers are shared:
 * one copy per chain id, reference-counted from images.json and container records when an
 * image is removed (never stored). Slow deletions happen after the lock is released, on trees
 * renamed into layers/.tmp/ under a temp name, so a crash mid-way leaves only temp names.
 */
import { existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, readlinkSync, renameSync, rmSync, symlinkSync, unlinkSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import type { StorePaths } from '../config/paths.js';
import { isRootless } from '../config/paths.js';
import { TscCtrError, UsageError } from '../errors.js';
import type { ImageConfig } from '../oci/image.js';
import { type ImageReference, formatReference, parseReferenceAllowShort } from '../registry/reference.js';
import type { RegistriesConf } from '../registry/registries-conf.js';
import type { ShortNameOptions } from '../registry/shortnames.js';
import { fsyncDir, isStaleTemp, pidAlive, tempName, writeFileAtomic } from './atomic.js';
import * as blobs from './blobs.js';
import {
  IMAGES_FILE,
  ImageNotKnownError,
  addName,
  imageDigests,
  lookupImage,
  mergeImage,
  normalizeTagName,
  parseStoredName,
  readImages,
  removeNames,
  serializeImages,
  type ImageMatch,
} from './images.js';
import * as layers from './layers.js';
import { withStorageLock } from './lock.js';
import type {
  ContainerDiskUsage,
  ContainerRef,
  DiskUsage,
  ImageDiskUsage,
  ImageRecord,
  LayerInfo,
  NewLayer,
  PruneOptions,
  RemoveErrorKind,
  RemoveImageReport,
  RemoveImagesOptions,
  RemoveImagesResult,
} from './types.js';

export class ImageInUseError extends TscCtrError {
  constructor(containerId: string) {
    super(`image used by ${containerId}: image is in use by a container`, { code: 'TSC_ERR_IMAGE_IN_USE', exitCode: 2 });
  }
}

export class StoreConsistencyError extends TscCtrError {
  constructor(message: string) {
    super(message, { code: 'TSC_ERR_STORE_CHANGED' });
  }
}

export interface StoreOptions {
  /**
   * Delete a directory tree that may hold files owned by subordinate ids. Default: rm, and when
   * that is refused rootless, `rm -rf` inside the user namespace.
   */
  removeTree?: (path: string) => Promise<void>;
  /** registries.conf for short-name lookups; loaded on first need when absent. */
  registriesConf?: RegistriesConf;
  shortNameOptions?: ShortNameOptions;
}

/** Where the store is: a StorePaths, or just the storage root (library use, tests). */
export type StoreLocation = Pick<StorePaths, 'storageRoot'> & Partial<StorePaths>;

/**
 * Layers this process committed (or found committed) for an image it has not recorded yet:
 * not garbage, though nothing references them. Other processes' such layers are protected by
 * `committedBy` naming a live pid.
 */
const pendingLayers = new Set<string>();

export class Store {
  readonly root: string;
  private conf: RegistriesConf | undefined;
  private cleaned = false;
  private readonly configCache = new Map<string, ImageConfig | null>();

  private constructor(
    readonly paths: StoreLocation,
    private readonly opts: StoreOptions,
  ) {
    this.root = resolve(paths.storageRoot);
    this.conf = opts.registriesConf;
  }

  /** Nothing is created on disk until the first write (read-only commands leave no trace). */
  static open(paths: StoreLocation, opts: StoreOptions = {}): Store {
    return new Store(paths, opts);
  }

  /** Run `fn` holding the storage lock (re-entrant within one async call chain). */
  withLock<T>(fn: () => T | Promise<T>): Promise<T> {
    return withStorageLock(this.root, fn);
  }

  private ensureDirs(): void {
    for (const d of [this.root, join(this.root, 'blobs'), blobs.blobsDir(this.root), blobs.ingestDir(this.root), layers.layersDir(this.root), layers.layerTempDir(this.root), layers.linksDir(this.root)]) {
      mkdirSync(d, { recursive: true, mode: 0o700 });
    }
  }

  // ---------------------------------------------------------------- blobs

  blobPath(digest: string): string {
    return blobs.blobPath(this.root, digest);
  }

  hasBlob(digest: string): boolean {
    return blobs.hasBlob(this.root, digest);
  }

  readBlob(digest: string): Buffer {
    return blobs.readBlob(this.root, digest);
  }

  /**
   * Verify and store a blob. No lock: content-addressed renames are idempotent, and putImage
   * (under the lock) checks the blobs it names are still there.
   */
  writeBlob(digest: string, data: Buffer): void {
    blobs.writeBlob(this.root, digest, data);
  }

  // ---------------------------------------------------------------- layers

  /** OCI chain id (hex) of a layer with diff id `diffId` on top of `parent`. */
  chainId(parent: string | null | undefined, diffId: string): string {
    return layers.chainId(parent, diffId);
  }

  hasLayer(chainId: string): boolean {
    return layers.hasLayer(this.root, chainId);
  }

  layerInfo(chainId: string): LayerInfo | undefined {
    return layers.readLayerInfo(this.root, chainId);
  }

  layerDiffDir(chainId: string): string {
    return layers.layerDiffDir(this.root, chainId);
  }

  /** `l/<short>` relative to the storage root (what overlay lowerdir lists use), if known. */
  layerLink(chainId: string): string | undefined {
    const info = this.layerInfo(chainId);
    return info?.link ? join('l', info.link) : undefined;
  }

  listLayers(): LayerInfo[] {
    const out: LayerInfo[] = [];
    for (const id of layers.listLayerIds(this.root)) {
      const info = this.layerInfo(id);
      if (info) out.push(info);
    }
    return out;
  }

  /** An empty directory inside layers/.tmp/ to unpack into (then `commitLayer`). */
  async newLayerTemp(): Promise<string> {
    this.ensureDirs();
    // The first write of a pull clears what crashed pulls left (DESIGN.md §2).
    if (!this.cleaned) {
      this.cleaned = true;
      await this.cleanupStale();
    }
    const dir = join(layers.layerTempDir(this.root), tempName());
    mkdirSync(dir, { mode: 0o700 });
    return dir;
  }

  private assertTemp(dir: string): string {
    const abs = resolve(dir);
    const tmp = layers.layerTempDir(this.root) + sep;
    if (!abs.startsWith(tmp) || abs.slice(tmp.length).includes(sep)) {
      throw new TscCtrError(`${dir} is not a temporary layer directory of the store at ${this.root}`, { code: 'TSC_ERR_NOT_TEMP' });
    }
    return abs;
  }

  /**
   * Make an unpacked temp dir (with `diff/` inside) the layer `info.chainId`: write its
   * layer.json, create its short link, rename it into layers/. Under the lock. If the layer
   * appeared meanwhile (a concurrent pull of a shared layer), ours is deleted and the existing
   * one gains our compressed digest: 'existed'.
   */
  async commitLayer(tempDir: string, info: NewLayer): Promise<'committed' | 'existed'> {
    const dir = this.assertTemp(tempDir);
    const id = layers.layerId(info.chainId);
    const parent = info.parent === undefined || info.parent === null ? null : layers.layerId(info.parent);
    const expect = layers.chainId(parent, info.diffId);
    if (expect !== id) {
      throw new TscCtrError(`layer ${id}: chain id does not match diff id ${info.diffId} on parent ${parent ?? '(none)'} (expected ${expect})`, {
        code: 'TSC_ERR_BAD_LAYER_ID',
      });
    }
    if (!existsSync(join(dir, 'diff'))) {
      throw new TscCtrError(`${dir}: no diff/ directory to commit as layer ${id}`, { code: 'TSC_ERR_NOT_TEMP' });
    }
    const outcome = await this.withLock(() => {
      this.ensureDirs();
      const final = layers.layerDir(this.root, id);
      const existing = this.layerInfo(id);
      pendingLayers.add(`${this.root}:${id}`);
      if (existing) {
        // Claim it (committedBy) so a concurrent rmi does not collect it before our image
        // record references it, and remember the compressed digest we saw.
        const known = new Set(existing.compressed.map((c) => c.digest));
        const extra = (info.compressed ?? []).filter((c) => !known.has(c.digest));
        const updated: LayerInfo = { ...existing, compressed: [...existing.compressed, ...extra], committedBy: process.pid };
        writeFileAtomic(join(final, 'layer.json'), JSON.stringify(updated, null, 1), { mode: 0o644 });
        return 'existed' as const;
      }
      if (parent !== null && !this.hasLayer(parent)) {
        throw new StoreConsistencyError(`layer ${id}: its parent layer ${parent} is no longer in the store (removed while pulling?): pull again`);
      }
      let link = layers.newLinkName();
      while (existsSync(join(layers.linksDir(this.root), link))) link = layers.newLinkName();
      const record: LayerInfo = {
        diffID: info.diffId,
        chainID: id,
        parent,
        size: info.size,
        created: new Date().toISOString(),
        compressed: info.compressed ?? [],
        link,
        committedBy: process.pid,
      };
      writeFileAtomic(join(dir, 'layer.json'), JSON.stringify(record, null, 1), { mode: 0o644 });
      // The link first: dangling for an instant, but under the lock nobody looks. A crash here
      // leaves a dangling link, which garbage collection removes.
      symlinkSync(layers.linkTarget(id), join(layers.linksDir(this.root), link));
      fsyncDir(layers.linksDir(this.root));
      renameSync(dir, final);
      fsyncDir(layers.layersDir(this.root));
      return 'committed' as const;
    });
    if (outcome === 'existed') await this.discardTemp(dir);
    return outcome;
  }

  /** Delete a temp dir from newLayerTemp (a failed or redundant unpack). */
  async discardTemp(dir: string): Promise<void> {
    await this.removeTree(this.assertTemp(dir));
  }

  /**
   * Remove what crashed writers left: temp dirs and files whose creator pid is dead, in
   * layers/.tmp/, blobs/.ingest/ and beside images.json. Needs no lock: nobody else owns them.
   */
  async cleanupStale(): Promise<string[]> {
    const removed: string[] = [];
    for (const dir of [layers.layerTempDir(this.root), blobs.ingestDir(this.root), this.root]) {
      let names: string[];
      try {
        names = readdirSync(dir);
      } catch {
        continue;
      }
      for (const n of names) {
        if (!n.startsWith('.tmp-') && !n.includes('.tmp-')) continue;
        if (!isStaleTemp(n)) continue;
        const p = join(dir, n);
        try {
          if (lstatSync(p).isDirectory()) await this.removeTree(p);
          else rmSync(p, { force: true });
          removed.push(p);
        } catch {
          // another cleaner got there first, or it is not ours to remove: leave it
        }
      }
    }
    return removed;
  }

  private async removeTree(path: string): Promise<void> {
    if (this.opts.removeTree) return this.opts.removeTree(path);
    try {
      await rm(path, { recursive: true, force: true });
      return;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (!(code === 'EACCES' || code === 'EPERM' || code === 'ENOTEMPTY') || !isRootless() || !this.paths.runRoot) throw err;
    }
    // Files owned by subordinate ids (or directories without write permission) can only be
    // removed as root of our user namespace.
    const { nsExec, removeTree } = await import('../rootless/ns-exec.js');
    const ns = await nsExec(this.paths as StorePaths);
    if (ns.inside) throw new TscCtrError(`removing ${path}: permission denied`, { code: 'TSC_ERR_EACCES' });
    await removeTree(ns, path);
  }

  // ---------------------------------------------------------------- images

  /** All image records, read once (no lock). */
  listImages(): ImageRecord[] {
    return readImages(this.root);
  }

  /** Synchronous lookup; short names use `candidates` (see lookupImage) or localhost/ and Docker Hub. */
  findImage(nameOrId: string, candidates?: ImageReference[]): ImageRecord | undefined {
    return lookupImage(this.listImages(), nameOrId, candidates)?.image;
  }

  /** Podman's local lookup order for short names: alias, localhost/, search registries (registries.conf). */
  async shortNameCandidates(input: string): Promise<ImageReference[] | undefined> {
    let short: boolean;
    try {
      short = parseReferenceAllowShort(input).domain === '';
    } catch {
      return undefined;
    }
    if (!short || input.startsWith('sha256:') || /^[a-f0-9]{64}$/.test(input)) return undefined;
    const { localCandidates } = await import('../registry/shortnames.js');
    if (!this.conf) {
      const { loadRegistriesConf } = await import('../registry/registries-conf.js');
      const so = this.opts.shortNameOptions ?? {};
      this.conf = await loadRegistriesConf({ ...(so.env ? { env: so.env } : {}), ...(so.home ? { home: so.home } : {}) });
    }
    return localCandidates(this.conf, input, this.opts.shortNameOptions ?? {});
  }

  /** Look an image up with the full short-name rules; undefined when there is none. */
  async lookupImage(nameOrId: string, images: ImageRecord[] = this.listImages()): Promise<ImageMatch | undefined> {
    return lookupImage(images, nameOrId, await this.shortNameCandidates(nameOrId));
  }

  /** Like lookupImage, but `<name>: image not known` when there is none. */
  async getImage(nameOrId: string, images?: ImageRecord[]): Promise<ImageRecord> {
    const m = await this.lookupImage(nameOrId, images);
    if (!m) throw new ImageNotKnownError(nameOrId);
    return m.image;
  }

  /** The parsed config blob of an image, or undefined when missing or unreadable. */
  imageConfig(img: ImageRecord): ImageConfig | undefined {
    const hit = this.configCache.get(img.id);
    if (hit !== undefined) return hit ?? undefined;
    let cfg: ImageConfig | null = null;
    try {
      cfg = JSON.parse(this.readBlob(`sha256:${img.id}`).toString('utf8')) as ImageConfig;
    } catch {
      cfg = null;
    }
    this.configCache.set(img.id, cfg);
    return cfg ?? undefined;
  }

  /** Layers of the image that are not in the store (a broken image), base first. */
  missingLayers(img: ImageRecord): string[] {
    return img.layers.filter((l) => !this.hasLayer(l));
  }

  /** Podman's SIZE: unpacked layers + manifest and config. */
  computeImageSize(img: ImageRecord): number {
    let size = blobs.blobSize(this.root, `sha256:${img.id}`);
    if (img.digest) size += blobs.blobSize(this.root, img.digest);
    for (const l of img.layers) size += this.layerInfo(l)?.size ?? 0;
    return size;
  }

  imageSize(img: ImageRecord): number {
    return img.size ?? this.computeImageSize(img);
  }

  private writeImages(images: ImageRecord[]): void {
    this.ensureDirs();
    writeFileAtomic(join(this.root, IMAGES_FILE), serializeImages(images), { mode: 0o600 });
  }

  /**
   * Insert or merge an image record (under the lock). Its names move to it from any other
   * image. Its layers and blobs must be in the store: a concurrent rmi may have removed a layer
   * this pull found present, and then the pull must be repeated rather than record a broken image.
   */
  async putImage(rec: ImageRecord): Promise<ImageRecord> {
    if (!/^[a-f0-9]{64}$/.test(rec.id)) throw new TscCtrError(`invalid image id "${rec.id}"`, { code: 'TSC_ERR_BAD_IMAGE_ID' });
    const layerIds = rec.layers.map((l) => layers.layerId(l));
    const top = layerIds.length ? layerIds[layerIds.length - 1] : undefined;
    const names = rec.names.map((n) => {
      const ref = parseStoredName(n);
      if (!ref || ref.domain === '') throw new TscCtrError(`image name "${n}" is not a fully qualified reference`, { code: 'TSC_ERR_INVALID_REFERENCE' });
      return n;
    });
    return this.withLock(() => {
      const missing = layerIds.filter((l) => !this.hasLayer(l));
      if (missing.length) {
        throw new StoreConsistencyError(`image ${rec.id.slice(0, 12)}: layer ${missing[0]} is no longer in the store (removed while pulling?): pull again`);
      }
      for (const d of [`sha256:${rec.id}`, rec.digest]) {
        if (d && !this.hasBlob(d)) throw new StoreConsistencyError(`image ${rec.id.slice(0, 12)}: blob ${d} is not in the store: pull again`);
      }
      const clean: ImageRecord = { ...rec, names, layers: layerIds, topLayer: top };
      clean.size = this.computeImageSize(clean);
      const { images, stored } = mergeImage(this.listImages(), clean, new Date().toISOString());
      this.writeImages(images);
      for (const l of layerIds) pendingLayers.delete(`${this.root}:${l}`);
      return stored;
    });
  }

  /** Add a name (normalised like `podman tag`: `foo` → `localhost/foo:latest`). Returns it. */
  async tagImage(id: string, name: string): Promise<string> {
    const full = formatReference(normalizeTagName(name));
    await this.withLock(() => this.writeImages(addName(this.listImages(), id, full)));
    return full;
  }

  /**
   * Remove one name (normalised as for tag; `<name>: tag not known` if the image lacks it), or
   * every name when `name` is undefined. Returns the names removed.
   */
  async untagImage(id: string, name?: string): Promise<string[]> {
    const full = name === undefined ? undefined : formatReference(normalizeTagName(name));
    return this.withLock(() => {
      const images = this.listImages();
      const img = images.find((i) => i.id === id);
      if (!img) throw new ImageNotKnownError(id);
      if (full !== undefined && !img.names.includes(full)) throw new TscCtrError(`${full}: tag not known`, { code: 'TSC_ERR_TAG_UNKNOWN' });
      const gone = full === undefined ? img.names : [full];
      if (gone.length) this.writeImages(removeNames(images, id, gone));
      return gone;
    });
  }

  /** Container records (containers/<id>/container.json); unreadable ones are skipped. */
  listContainerRefs(): ContainerRef[] {
    const dir = join(this.root, 'containers');
    let ids: string[];
    try {
      ids = readdirSync(dir);
    } catch {
      return [];
    }
    const out: ContainerRef[] = [];
    for (const id of ids) {
      if (id.startsWith('.')) continue;
      try {
        const r = JSON.parse(readFileSync(join(dir, id, 'container.json'), 'utf8')) as ContainerRef;
        if (r && typeof r.imageId === 'string') out.push(r);
      } catch {
        // a container being created or removed
      }
    }
    return out;
  }

  /** image id → ids of the containers using it. */
  containersByImage(refs: ContainerRef[] = this.listContainerRefs()): Map<string, string[]> {
    const m = new Map<string, string[]>();
    for (const c of refs) {
      const l = m.get(c.imageId);
      if (l) l.push(c.id);
      else m.set(c.imageId, [c.id]);
    }
    return m;
  }

  /**
   * `rmi` with Podman's rules (libimage RemoveImages): a name of an image with several names is
   * only untagged; an id with several names needs force; an image used by a container needs
   * force (its layers then stay for the container). Unused layers and blobs are removed.
   * Per-target errors are collected, with Podman's exit code.
   */
  async removeImages(targets: string[], opts: RemoveImagesOptions = {}): Promise<RemoveImagesResult> {
    if (!targets.length && !opts.all) throw new UsageError('image name or ID must be specified');
    if (targets.length && opts.all) throw new UsageError('when using the --all switch, you may not pass any images names or IDs');
    const force = !!opts.force;
    const ignore = !!opts.ignore || force;
    const candidates = new Map<string, ImageReference[] | undefined>();
    for (const t of targets) candidates.set(t, await this.shortNameCandidates(t));

    const trash: string[] = [];
    const outcome = await this.withLock(() => {
      let images = this.listImages();
      const ctrs = this.listContainerRefs();
      const errors: { kind: RemoveErrorKind; error: Error }[] = [];
      const order: string[] = [];
      const refs = new Map<string, string[]>();
      if (opts.all) {
        for (const i of images) {
          order.push(i.id);
          refs.set(i.id, ['']);
        }
      }
      for (const t of targets) {
        let m: ImageMatch | undefined;
        try {
          m = lookupImage(images, t, candidates.get(t));
        } catch (err) {
          errors.push({ kind: 'other', error: err as Error });
          continue;
        }
        if (!m) {
          if (!ignore) errors.push({ kind: 'unknown', error: new ImageNotKnownError(t) });
          continue;
        }
        if (!refs.has(m.image.id)) {
          order.push(m.image.id);
          refs.set(m.image.id, []);
        }
        refs.get(m.image.id)!.push(m.resolvedName);
      }

      const reports = new Map<string, RemoveImageReport>();
      const removed: ImageRecord[] = [];
      let changed = false;
      for (const id of order) {
        for (const ref of refs.get(id)!) {
          const img = images.find((i) => i.id === id);
          let rep = reports.get(id);
          if (rep?.removed || !img) break;
          if (!rep) {
            rep = { id, removed: false, untagged: [], size: 0 };
          }
          const n = img.names.length;
          if (ref !== '' && n !== 1) {
            const byId = id.startsWith(ref);
            const byDigest = ref.startsWith('sha256:');
            if (!force && n > 1 && (byId || byDigest)) {
              errors.push({
                kind: 'other',
                error: new TscCtrError(
                  `unable to delete image "${id}" by ${byId ? 'ID' : 'digest'} with more than one tag ([${img.names.join(' ')}]): please force removal`,
                  { code: 'TSC_ERR_IMAGE_HAS_TAGS' },
                ),
              });
              continue;
            }
            if (!byId && !byDigest) {
              if (!img.names.includes(ref)) {
                errors.push({ kind: 'other', error: new TscCtrError(`${ref}: tag not known`, { code: 'TSC_ERR_TAG_UNKNOWN' }) });
                continue;
              }
              images = removeNames(images, id, [ref]);
              changed = true;
              rep.untagged.push(ref);
              if (!reports.has(id)) reports.set(id, rep);
              if (n - 1 > 0) continue;
            }
          }
          if (!reports.has(id)) reports.set(id, rep);
          const users = ctrs.filter((c) => c.imageId === id);
          if (users.length && !force) {
            errors.push({ kind: 'in-use', error: new ImageInUseError(users[0]!.id) });
            continue;
          }
          const current = images.find((i) => i.id === id)!;
          rep.size = this.imageSize(current);
          rep.untagged.push(...current.names);
          rep.removed = true;
          removed.push(current);
          images = images.filter((i) => i.id !== id);
          changed = true;
        }
      }
      if (changed) this.writeImages(images);
      if (removed.length) trash.push(...this.collectGarbage(images, ctrs, removed));
      return { reports: [...reports.values()], errors };
    });
    await this.emptyTrash(trash);
    await this.cleanupStale();
    return { ...outcome, exitCode: rmiExitCode(outcome.errors.map((e) => e.kind)) };
  }

  /** Remove image `id` (resolved already) with rmi's rules. */
  async removeImage(id: string, opts: { force?: boolean } = {}): Promise<RemoveImagesResult> {
    return this.removeImages([id], { force: !!opts.force });
  }

  /**
   * `image prune`: dangling images (or, with `all`, every image) not used by a container and
   * passing `filter`. Returns what was removed.
   */
  async pruneImages(opts: PruneOptions = {}): Promise<RemoveImageReport[]> {
    const trash: string[] = [];
    const reports = await this.withLock(() => {
      let images = this.listImages();
      const ctrs = this.listContainerRefs();
      const used = new Set(ctrs.map((c) => c.imageId));
      const out: RemoveImageReport[] = [];
      const removed: ImageRecord[] = [];
      for (const img of images) {
        if (img.readOnly || used.has(img.id)) continue;
        if (!opts.all && img.names.length > 0) continue;
        if (opts.filter && !opts.filter(img)) continue;
        out.push({ id: img.id, removed: true, untagged: [...img.names], size: this.imageSize(img) });
        removed.push(img);
      }
      const gone = new Set(removed.map((i) => i.id));
      images = images.filter((i) => !gone.has(i.id));
      if (removed.length) this.writeImages(images);
      trash.push(...this.collectGarbage(images, ctrs, removed));
      return out;
    });
    await this.emptyTrash(trash);
    await this.cleanupStale();
    return reports;
  }

  /**
   * Under the lock: hide every layer no image or container references (and whose committing
   * process is gone) by renaming it into layers/.tmp/, drop its short link, delete the blobs of
   * `removed` images no remaining image shares, and dangling short links. Returns the renamed
   * trees for emptyTrash, to delete after the lock is released.
   */
  private collectGarbage(images: ImageRecord[], ctrs: ContainerRef[], removed: ImageRecord[]): string[] {
    const referenced = new Set<string>();
    for (const i of images) for (const l of i.layers) referenced.add(l);
    for (const c of ctrs) for (const l of c.layers ?? []) referenced.add(l);
    const trash: string[] = [];
    const tmp = layers.layerTempDir(this.root);
    for (const id of layers.listLayerIds(this.root)) {
      if (referenced.has(id)) continue;
      const info = this.layerInfo(id);
      if (pendingLayers.has(`${this.root}:${id}`)) continue;
      if (info?.committedBy !== undefined && info.committedBy !== process.pid && pidAlive(info.committedBy)) continue;
      if (info?.link) rmSync(join(layers.linksDir(this.root), info.link), { force: true });
      mkdirSync(tmp, { recursive: true, mode: 0o700 });
      const dest = join(tmp, tempName('-rm'));
      try {
        renameSync(layers.layerDir(this.root, id), dest);
        trash.push(dest);
      } catch {
        // already gone
      }
    }
    if (trash.length) fsyncDir(layers.layersDir(this.root));

    const keep = new Set<string>();
    for (const i of images) {
      keep.add(`sha256:${i.id}`);
      for (const d of imageDigests(i)) keep.add(d);
    }
    for (const r of removed) {
      for (const d of [`sha256:${r.id}`, ...imageDigests(r)]) {
        if (!keep.has(d)) {
          try {
            blobs.removeBlob(this.root, d);
          } catch {
            // an invalid digest in an old record: nothing stored under it
          }
        }
      }
    }

    const ldir = layers.linksDir(this.root);
    let links: string[] = [];
    try {
      links = readdirSync(ldir);
    } catch {
      links = [];
    }
    for (const l of links) {
      const p = join(ldir, l);
      try {
        if (!existsSync(resolve(ldir, readlinkSync(p)))) unlinkSync(p);
      } catch {
        // not a link, or gone
      }
    }
    return trash;
  }

  private async emptyTrash(trees: string[]): Promise<void> {
    for (const t of trees) {
      try {
        await this.removeTree(t);
      } catch {
        // left as a temp name: cleanupStale removes it once this process is gone
      }
    }
  }

  // ---------------------------------------------------------------- disk usage

  /** Podman's `system df` data: images (one row per name), containers' writable layers, volumes. */
  diskUsage(): DiskUsage {
    const images = this.listImages();
    const ctrs = this.listContainerRefs();
    const byImage = this.containersByImage(ctrs);
    const sizes = new Map<string, number>();
    let imagesSize = 0;
    for (const l of this.listLayers()) {
      sizes.set(l.chainID, l.size);
      imagesSize += l.size;
    }
    const count = new Map<string, number>();
    for (const i of images) for (const l of new Set(i.layers)) count.set(l, (count.get(l) ?? 0) + 1);

    const rows: ImageDiskUsage[] = [];
    for (const img of images) {
      let shared = 0;
      let unique = 0;
      for (const l of new Set(img.layers)) {
        const s = sizes.get(l) ?? 0;
        if ((count.get(l) ?? 0) > 1) shared += s;
        else unique += s;
      }
      const meta = blobs.blobSize(this.root, `sha256:${img.id}`) + (img.digest ? blobs.blobSize(this.root, img.digest) : 0);
      unique += meta;
      imagesSize += meta;
      const base: ImageDiskUsage = {
        id: img.id,
        repository: '<none>',
        tag: '<none>',
        created: img.created,
        size: shared + unique,
        sharedSize: shared,
        uniqueSize: unique,
        containers: byImage.get(img.id)?.length ?? 0,
      };
      const named = img.names.map(parseStoredName).filter((r): r is ImageReference => r !== undefined);
      if (!named.length) rows.push(base);
      for (const r of named) rows.push({ ...base, repository: r.domain ? `${r.domain}/${r.path}` : r.path, tag: r.tag ?? '<none>' });
    }

    const containers: ContainerDiskUsage[] = ctrs.map((c) => ({
      id: c.id,
      imageId: c.imageId,
      command: c.command ?? [],
      name: c.name ?? '',
      created: c.created ?? '',
      status: c.state?.status ?? 'unknown',
      rwSize: treeSize(join(this.root, 'containers', c.id, 'upper')),
    }));
    return { images: rows, imagesSize, containers, volumes: [] };
  }
}

/** Bytes of regular files and symlinks under `dir` (unreadable parts are skipped). */
export function treeSize(dir: string): number {
  let total = 0;
  const stack = [dir];
  const seen = new Set<string>();
  while (stack.length) {
    const d = stack.pop()!;
    let names: string[];
    try {
      names = readdirSync(d);
    } catch {
      continue;
    }
    for (const n of names) {
      const p = join(d, n);
      let st;
      try {
        st = lstatSync(p, { bigint: false });
      } catch {
        continue;
      }
      if (st.isDirectory()) stack.push(p);
      else if (st.nlink > 1) {
        // count hard-linked files once
        const key = `${st.dev}:${st.ino}`;
        if (seen.has(key)) continue;
        seen.add(key);
        total += st.size;
      } else total += st.size;
    }
  }
  return total;
}

/** Podman's rmi exit code: 2 if any image is in use, 1 if only unknown images, else 125. */
export function rmiExitCode(kinds: RemoveErrorKind[]): number {
  if (!kinds.length) return 0;
  if (kinds.includes('in-use')) return 2;
  if (kinds.every((k) => k === 'unknown')) return 1;
  return 125;
}

/** One row of `system df`. */
export interface DfSummaryRow {
  Type: string;
  Total: number;
  Active: number;
  RawSize: number;
  RawReclaimable: number;
}

/** Podman's `system df` summary rows from disk usage data. */
export function diskUsageSummary(du: DiskUsage): DfSummaryRow[] {
  let active = 0;
  let used = 0;
  const seen = new Set<string>();
  for (const i of du.images) {
    if (seen.has(i.id)) continue;
    seen.add(i.id);
    if (i.containers > 0) {
      active++;
      used += i.uniqueSize;
    }
  }
  let cActive = 0;
  let cSize = 0;
  let cReclaim = 0;
  for (const c of du.containers) {
    if (c.status === 'running') cActive++;
    else cReclaim += c.rwSize;
    cSize += c.rwSize;
  }
  let vActive = 0;
  let vSize = 0;
  let vReclaim = 0;
  for (const v of du.volumes) {
    vActive += v.links;
    vSize += v.size;
    vReclaim += v.reclaimable;
  }
  return [
    { Type: 'Images', Total: du.images.length, Active: active, RawSize: du.imagesSize, RawReclaimable: du.imagesSize - used },
    { Type: 'Containers', Total: du.containers.length, Active: cActive, RawSize: cSize, RawReclaimable: cReclaim },
    { Type: 'Local Volumes', Total: du.volumes.length, Active: vActive, RawSize: vSize, RawReclaimable: vReclaim },
  ];
}
