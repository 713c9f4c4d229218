/**
 * `images` / `image ls`: Podman's ImageSummary per image, one row per repository:tag, its sort
 * orders and its `--filter` language (libimage filters.go). The command only prints.
 */
import { UsageError } from '../errors.js';
import { type ImageReference, formatReference, parseReferenceAllowShort, referenceName, trimReference } from '../registry/reference.js';
import { isDangling, parseStoredName, repoDigests, repoTags } from '../storage/images.js';
import type { Store } from '../storage/store.js';
import type { ImageRecord } from '../storage/types.js';
import { humanDuration } from '../ui/human.js';
import { asGoMap } from '../ui/template/values.js';
import { goTimeStringUTC, humanSizeWithPrecision } from '../ui/units.js';

/** Podman's `images --format json` element (4.3.1 keys plus HEAD's Dangling/Arch/Os/ReadOnly). */
export interface ImageSummaryJson {
  Id: string;
  ParentId: string;
  /** Always null, as Podman prints it (the rows carry Repository and Tag instead). */
  RepoTags: null;
  RepoDigests: string[];
  Size: number;
  SharedSize: number;
  VirtualSize: number;
  Labels: Record<string, string> | null;
  Containers: number;
  ReadOnly: boolean;
  Dangling: boolean;
  Arch: string;
  Digest: string;
  History: string[];
  Names: string[];
  Os: string;
  /** Unix seconds. */
  Created: number;
  /** RFC 3339. */
  CreatedAt: string;
}

/** The data of one image, before it is split into rows. */
export interface ImageSummary {
  record: ImageRecord;
  id: string;
  repoTags: string[];
  repoDigests: string[];
  size: number;
  labels: Record<string, string> | null;
  containers: number;
  readOnly: boolean;
  dangling: boolean;
  arch: string;
  os: string;
  digest: string;
  history: string[];
  names: string[];
  /** Unix seconds (Podman truncates to seconds). */
  created: number;
}

/** One `images` row: what `--format` templates see (Podman's imageReporter). */
export interface ImageRow {
  Repository: string;
  Tag: string;
  /** 12 characters, or `sha256:<full>` with --no-trunc. */
  ID: string;
  Id: string;
  ParentId: string;
  RepoTags: string[];
  RepoDigests: string[];
  Digest: string;
  /** "2 weeks ago". */
  Created: string;
  /** Go's time string: "2024-01-02 03:04:05 +0000 UTC". */
  CreatedAt: string;
  CreatedSince: string;
  CreatedTime: string;
  /** "7.34 MB". */
  Size: string;
  SharedSize: number;
  VirtualSize: number;
  Labels: Record<string, string> | null;
  Containers: number;
  ReadOnly: boolean;
  Dangling: boolean;
  Names: string[];
  /** Names the image had, joined by ", ". */
  History: string;
  Arch: string;
  Os: string;
  /** Not template fields: for sorting and JSON. */
  readonly summary: ImageSummary;
}

export const SORT_FIELDS = ['created', 'id', 'repository', 'size', 'tag'] as const;
export type SortField = (typeof SORT_FIELDS)[number];

export interface ListImagesOptions {
  /** Kept for Podman compatibility: we have no intermediate images, so it changes nothing. */
  all?: boolean;
  filters?: string[];
  /** `images IMAGE`: the same as `--filter reference=IMAGE`. */
  reference?: string;
  noTrunc?: boolean;
  sort?: string;
  /** Current time in ms (tests). */
  now?: number;
}

/** `images` size column: three significant digits and a space before the unit ("1.23 MB"). */
export function imageSizeColumn(bytes: number): string {
  const s = humanSizeWithPrecision(bytes, 3);
  let j = s.length - 1;
  while (j >= 0 && !/[0-9]/.test(s[j]!)) j--;
  return `${s.slice(0, j + 1)} ${s.slice(j + 1)}`;
}

function unixSeconds(iso: string): number {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? 0 : Math.floor(t / 1000);
}

export function summarize(store: Store, img: ImageRecord, containers: Map<string, string[]>): ImageSummary {
  const cfg = store.imageConfig(img);
  const labels = cfg?.config?.Labels;
  return {
    record: img,
    id: img.id,
    repoTags: repoTags(img),
    repoDigests: repoDigests(img),
    size: store.imageSize(img),
    // A Go map in templates whatever its keys look like (`{{.Labels}}` prints map[k:v]).
    labels: labels && Object.keys(labels).length ? asGoMap({ ...labels }) : null,
    containers: containers.get(img.id)?.length ?? 0,
    readOnly: !!img.readOnly,
    dangling: isDangling(img),
    arch: cfg?.architecture ?? '',
    os: cfg?.os ?? '',
    digest: img.digest,
    history: img.namesHistory ?? [],
    names: img.names,
    created: unixSeconds(img.created),
  };
}

/** Repository and tag of a stored name (Podman's tokenRepoTag). */
export function repoAndTag(name: string): [string, string] {
  const ref = parseStoredName(name);
  if (!ref) return ['<none>', '<none>'];
  return [referenceName(ref) || '<none>', ref.tag ?? '<none>'];
}

/** Rows of one image: one per tagged name, else one for its first name, else `<none> <none>`. */
export function imageRows(s: ImageSummary, opts: { noTrunc?: boolean; now?: number } = {}): ImageRow[] {
  const now = opts.now ?? Date.now();
  const createdDate = new Date(s.created * 1000);
  const human = `${humanDuration(now - createdDate.getTime())} ago`;
  const goTime = goTimeStringUTC(createdDate);
  const base = {
    ID: !opts.noTrunc && s.id.length >= 12 ? s.id.slice(0, 12) : `sha256:${s.id}`,
    Id: s.id,
    ParentId: '',
    RepoTags: s.repoTags,
    RepoDigests: s.repoDigests,
    Digest: s.digest,
    Created: human,
    CreatedAt: goTime,
    CreatedSince: human,
    CreatedTime: goTime,
    Size: imageSizeColumn(s.size),
    SharedSize: 0,
    VirtualSize: s.size,
    Labels: s.labels,
    Containers: s.containers,
    ReadOnly: s.readOnly,
    Dangling: s.dangling,
    Names: s.names,
    History: s.history.join(', '),
    Arch: s.arch,
    Os: s.os,
  };
  const mk = (repo: string, tag: string): ImageRow => {
    const row = { Repository: repo, Tag: tag, ...base } as ImageRow;
    Object.defineProperty(row, 'summary', { value: s, enumerable: false });
    return row;
  };
  if (!s.names.length) return [mk('<none>', '<none>')];
  const pairs = s.names.map(repoAndTag);
  const tagged = pairs.filter(([, t]) => t !== '<none>');
  return tagged.length ? tagged.map(([r, t]) => mk(r, t)) : [mk(...pairs[0]!)];
}

function cmp(a: string | number, b: string | number): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Podman's orders: created (newest first), id, repository (then tag), size, tag. Stable. */
export function sortRows(rows: ImageRow[], field: string = 'created'): ImageRow[] {
  const by: Record<string, (a: ImageRow, b: ImageRow) => number> = {
    created: (a, b) => b.summary.created - a.summary.created,
    id: (a, b) => cmp(a.ID, b.ID),
    repository: (a, b) => cmp(a.Repository, b.Repository) || cmp(a.Tag, b.Tag),
    size: (a, b) => a.summary.size - b.summary.size,
    tag: (a, b) => cmp(a.Tag, b.Tag),
  };
  const f = by[field];
  if (!f) throw new UsageError(`"${field}" is not a valid field for sorting. Choose from: ${SORT_FIELDS.join(', ')}`);
  return [...rows].sort(f);
}

/** The JSON element Podman prints for a row. */
export function rowJson(row: ImageRow): ImageSummaryJson {
  const s = row.summary;
  return {
    Id: s.id,
    ParentId: '',
    RepoTags: null,
    RepoDigests: s.repoDigests,
    Size: s.size,
    SharedSize: 0,
    VirtualSize: s.size,
    Labels: s.labels,
    Containers: s.containers,
    ReadOnly: s.readOnly,
    Dangling: s.dangling,
    Arch: s.arch,
    Digest: s.digest,
    History: s.history,
    Names: s.names,
    Os: s.os,
    Created: s.created,
    CreatedAt: new Date(s.created * 1000).toISOString().replace('.000Z', 'Z'),
  };
}

// ------------------------------------------------------------------- filters

export type ImagePredicate = (s: ImageSummary) => boolean;

const FILTER_FORMAT = 'must be in the format "filter=value or filter!=value"';

/** Go's path.Match: `*` and `?` do not cross `/`; `[...]` classes; `\` escapes. */
export function goPathMatch(pattern: string, name: string): boolean {
  let re = '^';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '\\' && i + 1 < pattern.length) re += `\\${pattern[++i]}`;
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end < 0) return false;
      let cls = pattern.slice(i + 1, end);
      if (cls.startsWith('^')) cls = `^${cls.slice(1)}`;
      re += `[${cls.replace(/\\/g, '\\\\')}]`;
      i = end;
    } else re += c.replace(/[.+^${}()|\]\\/]/g, '\\$&');
  }
  try {
    return new RegExp(`${re}$`).test(name);
  } catch {
    return false;
  }
}

/** The strings a reference filter glob is matched against for one stored name (libimage). */
export function referenceCandidates(name: string): string[] {
  const ref = parseStoredName(name);
  if (!ref) return [name];
  const full = formatReference(ref);
  const out = [full, ref.path, full.slice(full.lastIndexOf('/') + 1)];
  const trimmed = formatReference(trimReference(ref));
  if (trimmed !== full) {
    const tagOrDigest = full.slice(trimmed.length);
    out.push(trimmed, ref.path + tagOrDigest, trimmed.slice(trimmed.lastIndexOf('/') + 1));
  }
  return out;
}

/** containers/common MatchLabelFilters: `key` or `key=value`; `*` in the key is a glob. */
export function matchLabel(filter: string, labels: Record<string, string> | null): boolean {
  const eq = filter.indexOf('=');
  const key = eq < 0 ? filter : filter.slice(0, eq);
  const value = eq < 0 ? '' : filter.slice(eq + 1);
  for (const [k, v] of Object.entries(labels ?? {})) {
    if (value !== '' && v !== value) continue;
    if (k === key) return true;
    if (key.includes('*')) {
      const pat = `*${key}*`.replace(/\//g, '|');
      if (goPathMatch(pat, k.replace(/\//g, '|'))) return true;
    }
  }
  return false;
}

function parseBool(key: string, value: string): boolean {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(value)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(value)) return false;
  throw new UsageError(`non-boolean value "${value}" for ${key} filter`);
}

const DURATION_UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Go's time.ParseDuration, in ms; undefined when `s` is not a duration. */
export function parseGoDuration(s: string): number | undefined {
  const m = /^([+-]?)((?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|ms|s|m|h))+$/.exec(s);
  if (!m) return undefined;
  let total = 0;
  for (const part of s.replace(/^[+-]/, '').matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/g)) {
    total += Number(part[1]) * DURATION_UNITS[part[2]!]!;
  }
  return m[1] === '-' ? -total : total;
}

/** `until=` value: a Go duration before now, a unix timestamp, or a date/time. Returns ms. */
export function parseUntil(value: string, now: number): number {
  const d = parseGoDuration(value);
  if (d !== undefined && value !== '0') return now - d;
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value) * 1000;
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw new UsageError(`failed to parse value as time or duration: "${value}"`);
  return t;
}

/**
 * Compile `--filter` values (libimage): every filter must hold, except positive `reference`
 * filters, of which one must. Keys: after/since, before, containers, dangling, digest, id,
 * intermediate, label, manifest, readonly, reference, until; `!=` negates.
 */
export async function compileImageFilters(store: Store, images: ImageRecord[], filters: string[], now = Date.now()): Promise<ImagePredicate> {
  const preds: ImagePredicate[] = [];
  const wantRefs: string[] = [];
  const unwantRefs: string[] = [];
  const seen = new Map<string, string>();
  const once = (key: string, value: string) => {
    const prev = seen.get(key);
    if (prev !== undefined && prev !== value) throw new UsageError(`specifying "${key}" filter more than once with different values is not supported`);
    seen.set(key, value);
  };
  const imageTime = async (key: string, value: string): Promise<number> => {
    const m = await store.lookupImage(value, images);
    if (!m) throw new UsageError(`could not find local image for filter "${key}"="${value}": ${value}: image not known`);
    return unixSeconds(m.image.created);
  };
  for (const f of filters) {
    let key: string;
    let value: string;
    let negate = false;
    const ne = f.indexOf('!=');
    if (ne >= 0) {
      negate = true;
      key = f.slice(0, ne);
      value = f.slice(ne + 2);
    } else {
      const eq = f.indexOf('=');
      if (eq < 0) throw new UsageError(`invalid image filter "${f}": ${FILTER_FORMAT}`);
      key = f.slice(0, eq);
      value = f.slice(eq + 1);
    }
    let p: ImagePredicate;
    switch (key) {
      case 'after':
      case 'since': {
        const t = await imageTime(key, value);
        p = (s) => s.created > t;
        break;
      }
      case 'before': {
        const t = await imageTime(key, value);
        p = (s) => s.created < t;
        break;
      }
      case 'containers': {
        once(key, value);
        if (value !== 'true' && value !== 'false') throw new UsageError(`unsupported value "${value}" for containers filter`);
        const want = value === 'true';
        p = (s) => s.containers > 0 === want;
        break;
      }
      case 'dangling': {
        once(key, value);
        const want = parseBool(key, value);
        p = (s) => s.dangling === want;
        break;
      }
      case 'id':
        p = (s) => s.id.startsWith(value);
        break;
      case 'digest':
        if (!value.startsWith('sha256:')) throw new UsageError(`invalid value "${value}" for digest filter`);
        p = (s) => [s.digest, ...(s.record.digests ?? [])].some((d) => d.startsWith(value));
        break;
      case 'intermediate': {
        once(key, value);
        const want = parseBool(key, value);
        p = () => want === false; // no image here has child images
        break;
      }
      case 'label':
        p = (s) => matchLabel(value, s.labels);
        break;
      case 'manifest': {
        once(key, value);
        const want = parseBool(key, value);
        p = () => want === false; // manifest lists are not stored as images
        break;
      }
      case 'readonly': {
        once(key, value);
        const want = parseBool(key, value);
        p = (s) => s.readOnly === want;
        break;
      }
      case 'reference':
        (negate ? unwantRefs : wantRefs).push(value);
        continue;
      case 'until': {
        const t = parseUntil(value, now) / 1000;
        p = (s) => s.created < t;
        break;
      }
      default:
        throw new UsageError(`invalid image filter "${key}": ${FILTER_FORMAT}`);
    }
    preds.push(negate ? (s) => !p(s) : p);
  }
  if (wantRefs.length || unwantRefs.length) {
    const looked = new Map<string, string | undefined>();
    for (const v of [...wantRefs, ...unwantRefs]) {
      try {
        looked.set(v, (await store.lookupImage(v, images))?.image.id);
      } catch {
        looked.set(v, undefined);
      }
    }
    const matches = (s: ImageSummary, v: string) =>
      looked.get(v) === s.id || s.names.some((n) => referenceCandidates(n).some((c) => goPathMatch(v, c)));
    preds.push((s) => {
      if (unwantRefs.some((v) => matches(s, v))) return false;
      return wantRefs.length === 0 || wantRefs.some((v) => matches(s, v));
    });
  }
  return (s) => preds.every((p) => p(s));
}

/**
 * With exactly one positive reference filter that is a full name with a tag or digest, Podman
 * shows only the matching names of an image (libimage filterReferences).
 */
function narrowNames(filters: string[], s: ImageSummary): ImageSummary {
  const refs = filters.filter((f) => f.startsWith('reference=')).map((f) => f.slice(10));
  if (refs.length !== 1 || filters.some((f) => f.startsWith('reference!='))) return s;
  let want: ImageReference;
  try {
    want = parseReferenceAllowShort(refs[0]!);
  } catch {
    return s;
  }
  if (want.domain === '' || (want.tag === undefined && want.digest === undefined)) return s;
  const full = formatReference(want);
  const names = s.names.filter((n) => {
    if (want.digest !== undefined) return parseStoredName(n) !== undefined && referenceName(parseStoredName(n)!) === referenceName(want);
    return n === full;
  });
  return { ...s, names, repoTags: s.repoTags.filter((n) => names.includes(n)) };
}

/** Everything `images` shows: filtered, split into rows, sorted. */
export async function listImageRows(store: Store, opts: ListImagesOptions = {}): Promise<ImageRow[]> {
  const filters = [...(opts.filters ?? [])];
  if (opts.reference !== undefined) {
    if (filters.length) throw new UsageError('cannot specify an image and a filter(s)');
    filters.push(`reference=${opts.reference}`);
  }
  if (opts.sort !== undefined && !(SORT_FIELDS as readonly string[]).includes(opts.sort)) {
    throw new UsageError(`"${opts.sort}" is not a valid field for sorting. Choose from: ${SORT_FIELDS.join(', ')}`);
  }
  const images = store.listImages();
  const now = opts.now ?? Date.now();
  const pred = await compileImageFilters(store, images, filters, now);
  const byImage = store.containersByImage();
  const rows: ImageRow[] = [];
  for (const img of images) {
    const s = summarize(store, img, byImage);
    if (!pred(s)) continue;
    rows.push(...imageRows(narrowNames(filters, s), { noTrunc: !!opts.noTrunc, now }));
  }
  return sortRows(rows, opts.sort ?? 'created');
}

/** `images -q`: ids in row order, each once. */
export function uniqueIds(rows: ImageRow[]): string[] {
  return [...new Set(rows.map((r) => r.ID))];
}
