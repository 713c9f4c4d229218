/**
 * The image records (`images.json`) and the rules Podman applies to them: how a name or id
 * finds an image (libimage LookupImage), how names move between images, what is dangling,
 * RepoTags and RepoDigests. Pure functions over ImageRecord arrays; Store does the I/O.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NotFoundError, TscCtrError, UsageError } from '../errors.js';
import {
  type ImageReference,
  formatReference,
  parseNormalizedReference,
  parseReferenceAllowShort,
  referenceName,
  withDefaultTag,
} from '../registry/reference.js';
import type { ImageRecord } from './types.js';

export const IMAGES_FILE = 'images.json';

/** Podman's ErrImageUnknown, as `<name>: image not known`. */
export class ImageNotKnownError extends NotFoundError {
  constructor(readonly input: string) {
    super(`${input}: image not known`, 'TSC_ERR_IMAGE_UNKNOWN');
  }
}

export class AmbiguousImageError extends TscCtrError {
  constructor(input: string, ids: string[]) {
    super(`${input}: more than one image matches (${ids.map((i) => i.slice(0, 12)).join(', ')}): use a longer ID`, {
      code: 'TSC_ERR_AMBIGUOUS_IMAGE',
    });
  }
}

export class CorruptStoreError extends TscCtrError {
  constructor(file: string, why: string) {
    super(`${file}: ${why} (the image store is damaged; remove the file to start over)`, { code: 'TSC_ERR_CORRUPT_STORE' });
  }
}

/** Read images.json once. Missing = no images. Never locked: the file only changes by rename. */
export function readImages(root: string): ImageRecord[] {
  const file = join(root, IMAGES_FILE);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new CorruptStoreError(file, `invalid JSON: ${(err as Error).message}`);
  }
  if (!Array.isArray(data)) throw new CorruptStoreError(file, 'not a JSON array');
  return data as ImageRecord[];
}

export function serializeImages(images: ImageRecord[]): string {
  return JSON.stringify(images, null, 1) + '\n';
}

/** A stored name parsed; undefined for a name we cannot parse (kept, but matches nothing). */
export function parseStoredName(name: string): ImageReference | undefined {
  try {
    return parseReferenceAllowShort(name);
  } catch {
    return undefined;
  }
}

/** Every manifest digest of the image (Podman: Digests() plus Digest()). */
export function imageDigests(img: ImageRecord): string[] {
  const out = [...(img.digests ?? [])];
  if (img.digest && !out.includes(img.digest)) out.push(img.digest);
  return out;
}

/** Names with a tag, e.g. `docker.io/library/alpine:latest` (Podman's RepoTags). */
export function repoTags(img: ImageRecord): string[] {
  return img.names.filter((n) => parseStoredName(n)?.tag !== undefined);
}

/** `repo@digest` for every name's repository and every digest, sorted (Podman's RepoDigests). */
export function repoDigests(img: ImageRecord): string[] {
  const out = new Set<string>();
  const digests = imageDigests(img);
  for (const n of img.names) {
    const ref = parseStoredName(n);
    if (!ref) continue;
    for (const d of digests) out.add(`${referenceName(ref)}@${d}`);
  }
  return [...out].sort();
}

/** No names: shown as `<none>`. (Podman also requires "no child images"; we build none.) */
export function isDangling(img: ImageRecord): boolean {
  return img.names.length === 0;
}

/**
 * Normalise a name the way `podman tag` does (libimage NormalizeName): a name without a
 * registry gets `localhost/`, Docker Hub names get `library/`, no tag means `latest`, a tag
 * next to a digest is dropped.
 */
export function normalizeTagName(name: string): ImageReference {
  if (name.startsWith('sha256:')) throw new UsageError(`${name}: tag by digest not supported`);
  const parsed = parseReferenceAllowShort(name);
  const full = parsed.domain === '' ? `localhost/${name.replace(/^\/+/, '')}` : name;
  const ref = parseNormalizedReference(full);
  if (ref.tag !== undefined && ref.digest !== undefined) delete ref.tag;
  return withDefaultTag(ref);
}

export interface ImageMatch {
  image: ImageRecord;
  /** The name the lookup settled on (Podman's resolvedName: rmi untags exactly this). */
  resolvedName: string;
  by: 'id' | 'digest' | 'name' | 'id-prefix' | 'repo-suffix';
}

const HEX = /^[a-f0-9]+$/;
const HEX64 = /^[a-f0-9]{64}$/;

/** Images whose names include `ref` (tagged), or that have its digest under its repository. */
function matchCandidate(images: ImageRecord[], ref: ImageReference): ImageRecord | undefined {
  const full = formatReference(ref);
  const exact = images.find((i) => i.names.includes(full));
  if (exact || ref.digest === undefined) return exact;
  const repo = referenceName(ref);
  return images.find(
    (i) => imageDigests(i).includes(ref.digest!) && i.names.some((n) => {
      const p = parseStoredName(n);
      return p !== undefined && referenceName(p) === repo;
    }),
  );
}

function byIdPrefix(images: ImageRecord[], input: string, prefix: string): ImageMatch | undefined {
  const hits = images.filter((i) => i.id.startsWith(prefix));
  if (hits.length > 1) throw new AmbiguousImageError(input, hits.map((i) => i.id));
  return hits[0] ? { image: hits[0], resolvedName: input, by: 'id-prefix' } : undefined;
}

/**
 * Find an image as Podman's LookupImage does: `sha256:<id or manifest digest>`, a full id,
 * then names (fully qualified as written; short names through `candidates` — alias,
 * `localhost/<name>`, the search registries — and Docker Hub last), then a unique id prefix,
 * then a short name matching the end of a stored repository (`alpine` → `quay.io/x/alpine`).
 * `candidates` come from shortnames.localCandidates; without them `localhost/` and Docker Hub
 * are tried.
 */
export function lookupImage(images: ImageRecord[], input: string, candidates?: ImageReference[]): ImageMatch | undefined {
  if (input === '') return undefined;
  if (input.startsWith('sha256:')) {
    const hex = input.slice(7);
    if (!HEX.test(hex)) return undefined;
    if (hex.length === 64) {
      const byId = images.find((i) => i.id === hex);
      if (byId) return { image: byId, resolvedName: input, by: 'id' };
      const byDigest = images.find((i) => imageDigests(i).includes(input));
      return byDigest ? { image: byDigest, resolvedName: input, by: 'digest' } : undefined;
    }
    return byIdPrefix(images, input, hex);
  }
  if (HEX64.test(input)) {
    const byId = images.find((i) => i.id === input);
    return byId ? { image: byId, resolvedName: input, by: 'id' } : undefined;
  }

  let parsed: ImageReference | undefined;
  try {
    parsed = parseReferenceAllowShort(input);
  } catch {
    parsed = undefined;
  }
  if (parsed) {
    // Docker compat: with both a tag and a digest, the digest alone counts.
    if (parsed.tag !== undefined && parsed.digest !== undefined) delete parsed.tag;
    const list: ImageReference[] = [];
    if (parsed.domain !== '') {
      list.push(withDefaultTag(parseNormalizedReference(formatReference(parsed))));
    } else {
      const name = formatReference(parsed);
      list.push(...(candidates ?? [withDefaultTag(parseNormalizedReference(`localhost/${name}`))]));
      try {
        list.push(withDefaultTag(parseNormalizedReference(name)));
      } catch {
        // not a valid Docker Hub name: only the other candidates apply
      }
    }
    for (const c of list) {
      const hit = matchCandidate(images, c);
      if (hit) return { image: hit, resolvedName: formatReference(c), by: 'name' };
    }
  }

  if (HEX.test(input)) {
    const hit = byIdPrefix(images, input, input);
    if (hit) return hit;
  }

  if (parsed && parsed.domain === '') return matchRepoSuffix(images, withDefaultTag(parsed));
  return undefined;
}

/** `alpine[:tag]` matching a stored `<anything>/alpine:tag` at a path boundary. */
function matchRepoSuffix(images: ImageRecord[], want: ImageReference): ImageMatch | undefined {
  const path = want.path;
  for (const img of images) {
    for (const n of img.names) {
      const ref = parseStoredName(n);
      if (!ref) continue;
      const repo = referenceName(ref);
      if (repo !== path && !repo.endsWith(`/${path}`)) continue;
      if (want.digest !== undefined) {
        if (!imageDigests(img).includes(want.digest)) continue;
        return { image: img, resolvedName: `${repo}@${want.digest}`, by: 'repo-suffix' };
      }
      if (ref.tag !== want.tag) continue;
      return { image: img, resolvedName: n, by: 'repo-suffix' };
    }
  }
  return undefined;
}

function dedupe(list: string[]): string[] {
  return [...new Set(list)];
}

/**
 * Insert or merge `rec` (same id = same image: names and digests are added), and take its
 * names away from every other image — a name belongs to one image, as in containers/storage.
 * An image left without names is dangling. Returns the new list and the stored record.
 */
export function mergeImage(images: ImageRecord[], rec: ImageRecord, now: string): { images: ImageRecord[]; stored: ImageRecord } {
  const names = dedupe(rec.names);
  const out: ImageRecord[] = [];
  let stored: ImageRecord | undefined;
  for (const img of images) {
    if (img.id === rec.id) {
      stored = {
        ...img,
        digest: rec.digest || img.digest,
        digests: dedupe([...imageDigests(img), ...imageDigests(rec)]),
        names: dedupe([...img.names, ...names]),
        namesHistory: dedupe([...names, ...(img.namesHistory ?? [])]),
        manifestMediaType: rec.manifestMediaType || img.manifestMediaType,
        topLayer: rec.topLayer ?? img.topLayer,
        layers: rec.layers.length ? rec.layers : img.layers,
        ...(rec.size !== undefined ? { size: rec.size } : {}),
        ...(rec.unmappedIds ? { unmappedIds: rec.unmappedIds } : {}),
      };
      out.push(stored);
    } else {
      const kept = img.names.filter((n) => !names.includes(n));
      out.push(kept.length === img.names.length ? img : { ...img, names: kept });
    }
  }
  if (!stored) {
    stored = {
      ...rec,
      names,
      digests: imageDigests(rec),
      namesHistory: dedupe([...names, ...(rec.namesHistory ?? [])]),
      stored: rec.stored ?? now,
    };
    out.push(stored);
  }
  return { images: out, stored };
}

/** Add one (already normalised) name to image `id`, moving it from whichever image had it. */
export function addName(images: ImageRecord[], id: string, name: string): ImageRecord[] {
  const target = images.find((i) => i.id === id);
  if (!target) throw new ImageNotKnownError(id);
  return mergeImage(images, { ...target, names: [name], digests: [], namesHistory: [] }, target.stored ?? '').images;
}

/** Remove names from image `id` (all when `names` is undefined). */
export function removeNames(images: ImageRecord[], id: string, names?: string[]): ImageRecord[] {
  return images.map((i) => (i.id !== id ? i : { ...i, names: names === undefined ? [] : i.names.filter((n) => !names.includes(n)) }));
}
