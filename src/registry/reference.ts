/**
 * Image references: `[domain[:port]/]path[:tag][@digest]`, with the grammar of
 * distribution/reference and the Docker Hub normalisation Podman applies (containers/image's
 * fork of it: a first component is a registry only if it has a `.` or a `:` or is `localhost`).
 *
 * The grammar is checked piece by piece rather than with one big regular expression, so an
 * error can say which piece is wrong ("invalid tag", "repository name must be lowercase").
 */
import { TscCtrError } from '../errors.js';

/** A parsed reference. `domain` is '' only for short names (see parseReferenceAllowShort). */
export interface ImageReference {
  /** Registry host[:port], e.g. `docker.io`, `localhost:5000`, `[::1]:5000`. */
  domain: string;
  /** Repository path inside the registry, e.g. `library/alpine`. */
  path: string;
  tag?: string;
  /** `algorithm:hex`, e.g. `sha256:…`. */
  digest?: string;
}

export const DEFAULT_DOMAIN = 'docker.io';
/** Old name of Docker Hub, still seen in user input and auth files; normalised to docker.io. */
export const LEGACY_DEFAULT_DOMAIN = 'index.docker.io';
/** Namespace of Docker Hub's official images: `alpine` is `docker.io/library/alpine`. */
export const OFFICIAL_REPO_PREFIX = 'library/';
export const DEFAULT_TAG = 'latest';
/** Longest allowed repository name (domain + '/' + path), as distribution enforces it. */
export const NAME_TOTAL_LENGTH_MAX = 255;

/** Digest algorithms we can verify, with the length of their hex encoding. */
const DIGEST_HEX_LENGTH: Record<string, number> = { sha256: 64, sha384: 96, sha512: 128 };

export class InvalidReferenceError extends TscCtrError {
  readonly input: string;
  readonly reason: string;
  constructor(input: string, reason: string) {
    super(`invalid reference "${input}": ${reason}`, { code: 'TSC_ERR_INVALID_REFERENCE' });
    this.input = input;
    this.reason = reason;
  }
}

// Pieces of the grammar (distribution/reference regexp.go), each anchored.
const DOMAIN_COMPONENT = /^(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])$/;
const IPV6_HOST = /^\[[a-fA-F0-9:]+\]$/;
const PORT = /^[0-9]+$/;
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^\w[\w.-]{0,127}$/;
const DIGEST = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/;
const IMAGE_ID = /^[a-f0-9]{64}$/;

/** Why `domain` is not a valid `host[:port]`, or undefined when it is. */
export function domainError(domain: string): string | undefined {
  let host = domain;
  let port: string | undefined;
  if (domain.startsWith('[')) {
    const close = domain.indexOf(']');
    if (close < 0) return `invalid registry "${domain}": unterminated IPv6 address`;
    host = domain.slice(0, close + 1);
    const rest = domain.slice(close + 1);
    if (rest !== '') {
      if (!rest.startsWith(':')) return `invalid registry "${domain}": unexpected "${rest}" after the IPv6 address`;
      port = rest.slice(1);
    }
    if (!IPV6_HOST.test(host)) return `invalid registry "${domain}": invalid IPv6 address`;
  } else {
    const colon = domain.indexOf(':');
    if (colon >= 0) {
      host = domain.slice(0, colon);
      port = domain.slice(colon + 1);
    }
    if (host === '') return `invalid registry "${domain}": empty host name`;
    for (const c of host.split('.')) {
      if (!DOMAIN_COMPONENT.test(c)) {
        return `invalid registry "${domain}": host name component "${c}" must be letters, digits and inner dashes`;
      }
    }
  }
  if (port !== undefined && !PORT.test(port)) return `invalid registry "${domain}": port "${port}" is not a number`;
  return undefined;
}

/** Why `path` is not a valid repository path, or undefined when it is. */
function pathError(path: string): string | undefined {
  if (path === '') return 'repository name must have at least one component';
  const parts = path.split('/');
  if (parts.some((p) => p === '')) return 'repository name has an empty path component';
  if (parts.every((p) => PATH_COMPONENT.test(p.toLowerCase())) && path !== path.toLowerCase()) {
    return 'repository name must be lowercase';
  }
  const bad = parts.find((p) => !PATH_COMPONENT.test(p));
  if (bad !== undefined) {
    return `invalid repository name component "${bad}" (lowercase letters and digits, separated by one ".", one or two "_", or dashes)`;
  }
  return undefined;
}

/** Why `tag` is not valid, or undefined. */
export function tagError(tag: string): string | undefined {
  if (TAG.test(tag)) return undefined;
  return `invalid tag "${tag}" (1 to 128 of letters, digits, "_", "." and "-", not starting with "." or "-")`;
}

/** Why `digest` is not a valid `algorithm:hex` we can verify, or undefined. */
export function digestError(digest: string): string | undefined {
  if (!DIGEST.test(digest)) return `invalid digest "${digest}" (expected algorithm:hex, e.g. sha256:<64 hex digits>)`;
  const colon = digest.indexOf(':');
  const algo = digest.slice(0, colon);
  const hex = digest.slice(colon + 1);
  const want = DIGEST_HEX_LENGTH[algo];
  if (want === undefined) return `invalid digest "${digest}": unsupported digest algorithm "${algo}" (sha256, sha384 or sha512)`;
  if (hex.length !== want || !/^[a-f0-9]+$/.test(hex)) {
    return `invalid digest "${digest}": ${algo} needs ${want} lowercase hex digits`;
  }
  return undefined;
}

interface Split {
  name: string;
  tag?: string;
  digest?: string;
}

/** Cut `name[:tag][@digest]`: the digest after the first '@', the tag after the first ':' of the last path component. */
function splitTagDigest(input: string, s: string): Split {
  const out: Split = { name: s };
  const at = s.indexOf('@');
  if (at >= 0) {
    const digest = s.slice(at + 1);
    const err = digestError(digest);
    if (err) throw new InvalidReferenceError(input, err);
    out.digest = digest;
    out.name = s.slice(0, at);
  }
  const lastSlash = out.name.lastIndexOf('/');
  const colon = out.name.indexOf(':', lastSlash + 1);
  if (colon >= 0) {
    const tag = out.name.slice(colon + 1);
    const err = tagError(tag);
    if (err) throw new InvalidReferenceError(input, err);
    out.tag = tag;
    out.name = out.name.slice(0, colon);
  }
  return out;
}

/** A first path component names a registry when it has a '.' or ':' or is `localhost`. */
export function looksLikeDomain(component: string): boolean {
  return component === 'localhost' || /[.:]/.test(component);
}

/** domain/path split by the Podman rule; domain '' when the name has no registry. */
function splitDomain(name: string): { domain: string; path: string } {
  const slash = name.indexOf('/');
  if (slash >= 0 && looksLikeDomain(name.slice(0, slash))) {
    return { domain: name.slice(0, slash), path: name.slice(slash + 1) };
  }
  return { domain: '', path: name };
}

function build(input: string, domain: string, path: string, sp: Split): ImageReference {
  if (domain !== '') {
    const err = domainError(domain);
    if (err) throw new InvalidReferenceError(input, err);
  }
  const err = pathError(path);
  if (err) throw new InvalidReferenceError(input, err);
  const nameLength = domain === '' ? path.length : domain.length + 1 + path.length;
  if (nameLength > NAME_TOTAL_LENGTH_MAX) {
    throw new InvalidReferenceError(input, `name too long (${nameLength} > ${NAME_TOTAL_LENGTH_MAX})`);
  }
  const ref: ImageReference = { domain, path };
  if (sp.tag !== undefined) ref.tag = sp.tag;
  if (sp.digest !== undefined) ref.digest = sp.digest;
  return ref;
}

/**
 * Parse exactly as written, short names allowed: `alpine` → {domain: '', path: 'alpine'}.
 * No Docker Hub rewriting. For deciding whether input is a short name and for splitting it.
 */
export function parseReferenceAllowShort(s: string): ImageReference {
  if (s === '') throw new InvalidReferenceError(s, 'repository name must have at least one component');
  const sp = splitTagDigest(s, s);
  const { domain, path } = splitDomain(sp.name);
  return build(s, domain, path, sp);
}

/**
 * Parse a fully qualified reference strictly: the registry must be written, nothing is
 * rewritten (no `library/`, no default tag). For stored names and rewritten references.
 */
export function parseReference(s: string): ImageReference {
  const ref = parseReferenceAllowShort(s);
  if (ref.domain === '') {
    throw new InvalidReferenceError(s, 'not fully qualified: the registry is missing (e.g. docker.io/library/alpine)');
  }
  return ref;
}

/**
 * Parse user input with Docker's normalisation: `alpine` → docker.io/library/alpine,
 * `user/x` → docker.io/user/x, `index.docker.io/x` → docker.io/library/x. No default tag is
 * added (see withDefaultTag), so callers can tell `alpine` from `alpine:latest`.
 */
export function parseNormalizedReference(s: string): ImageReference {
  if (s === '') throw new InvalidReferenceError(s, 'repository name must have at least one component');
  if (IMAGE_ID.test(s)) {
    throw new InvalidReferenceError(s, 'a 64-character hexadecimal string is an image ID, not a repository name');
  }
  const sp = splitTagDigest(s, s);
  let { domain, path } = splitDomain(sp.name);
  if (domain === '' || domain === LEGACY_DEFAULT_DOMAIN) domain = DEFAULT_DOMAIN;
  if (domain === DEFAULT_DOMAIN && !path.includes('/') && path !== '') path = OFFICIAL_REPO_PREFIX + path;
  return build(s, domain, path, sp);
}

/** True when `s` is a valid reference without a registry (`alpine`, `library/fedora:37`). Invalid input is not a short name. */
export function isShortName(s: string): boolean {
  try {
    return parseReferenceAllowShort(s).domain === '';
  } catch {
    return false;
  }
}

/** `alpine` → `alpine:latest`; references with a tag or a digest are returned as they are. */
export function withDefaultTag(ref: ImageReference): ImageReference {
  if (ref.tag !== undefined || ref.digest !== undefined) return ref;
  return { ...ref, tag: DEFAULT_TAG };
}

/** The repository alone: tag and digest dropped. */
export function trimReference(ref: ImageReference): ImageReference {
  return { domain: ref.domain, path: ref.path };
}

/** `domain/path` (just `path` for a short name). */
export function referenceName(ref: ImageReference): string {
  return ref.domain === '' ? ref.path : `${ref.domain}/${ref.path}`;
}

/** Docker's familiar name: docker.io dropped, and `library/` for official images. */
export function familiarName(ref: ImageReference): string {
  if (ref.domain !== DEFAULT_DOMAIN) return referenceName(ref);
  if (ref.path.startsWith(OFFICIAL_REPO_PREFIX)) {
    const rest = ref.path.slice(OFFICIAL_REPO_PREFIX.length);
    if (!rest.includes('/')) return rest;
  }
  return ref.path;
}

/**
 * The reference as a string: full (`docker.io/library/alpine:latest`, what Podman prints and
 * stores) by default, or familiar (`alpine:latest`) for Docker-style display.
 */
export function formatReference(ref: ImageReference, opts: { familiar?: boolean } = {}): string {
  let s = opts.familiar ? familiarName(ref) : referenceName(ref);
  if (ref.tag !== undefined) s += `:${ref.tag}`;
  if (ref.digest !== undefined) s += `@${ref.digest}`;
  return s;
}
