/** Entry names → safe relative paths, and the whiteout naming of OCI/AUFS layers. Pure. */

/** Why a name was refused (the writer turns it into a HostileLayerError). */
export class BadPathError extends Error {}

/**
 * The relative path an entry name stands for: `./a//b/` → `a/b`, `./` → `` (the layer root).
 * Refused: absolute names, NUL bytes and any `..` component (even `a/../b`, which would stay
 * inside: no layer writer emits it, and refusing is simpler to trust than resolving).
 */
export function cleanEntryPath(raw: string): string {
  if (raw.includes('\0')) throw new BadPathError('name contains a NUL byte');
  if (raw.charCodeAt(0) === 0x2f) throw new BadPathError('absolute path');
  const parts = raw.split('/');
  let clean = true;
  for (const p of parts) {
    if (p === '..') throw new BadPathError('path escapes the layer directory');
    if (p === '' || p === '.') clean = false;
  }
  if (clean) return raw;
  return parts.filter((p) => p !== '' && p !== '.').join('/');
}

/** `a/b/c` → `a/b`; `c` → `` (the root). */
export function parentOf(rel: string): string {
  const i = rel.lastIndexOf('/');
  return i < 0 ? '' : rel.slice(0, i);
}

export const WHITEOUT_PREFIX = '.wh.';
export const WHITEOUT_META_PREFIX = '.wh..wh.';
export const WHITEOUT_OPAQUE = '.wh..wh..opq';

export type Whiteout =
  /** `.wh.NAME`: NAME (here the path `target`) is deleted in this layer. */
  | { kind: 'whiteout'; target: string }
  /** `.wh..wh..opq`: directory `dir` hides everything below it from lower layers. */
  | { kind: 'opaque'; dir: string }
  /** AUFS bookkeeping (`.wh..wh.plnk/…`, `.wh..wh.aufs`): not content, skipped. */
  | { kind: 'meta' };

/** Classify a clean path; undefined for ordinary entries. */
export function whiteoutOf(rel: string): Whiteout | undefined {
  // Cheap reject first: almost no entry contains ".wh.".
  if (!rel.includes(WHITEOUT_PREFIX)) return undefined;
  if (rel.startsWith(WHITEOUT_META_PREFIX)) {
    const first = rel.split('/', 1)[0]!;
    if (first !== WHITEOUT_OPAQUE) return { kind: 'meta' };
  }
  const slash = rel.lastIndexOf('/');
  const base = slash < 0 ? rel : rel.slice(slash + 1);
  if (!base.startsWith(WHITEOUT_PREFIX)) return undefined;
  const dir = slash < 0 ? '' : rel.slice(0, slash);
  if (base === WHITEOUT_OPAQUE) return { kind: 'opaque', dir };
  if (base.startsWith(WHITEOUT_META_PREFIX)) return { kind: 'meta' };
  const name = base.slice(WHITEOUT_PREFIX.length);
  if (name === '' || name === '.' || name === '..') throw new BadPathError('invalid whiteout name');
  return { kind: 'whiteout', target: dir ? `${dir}/${name}` : name };
}
