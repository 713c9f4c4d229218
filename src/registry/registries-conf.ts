/**
 * registries.conf (containers-registries.conf(5), v2 and the old v1 format): which files are
 * read, how drop-ins merge, prefix matching and the ordered list of endpoints a pull tries.
 * Behaviour follows containers/image v5.23 (vendored by Podman 4.3.1), pkg/sysregistriesv2.
 *
 * smol-toml is imported on first load only, so commands that never resolve an image name do
 * not pay for the parser.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { TscCtrError } from '../errors.js';
import {
  type ImageReference,
  domainError,
  formatReference,
  parseNormalizedReference,
  parseReference,
  parseReferenceAllowShort,
  referenceName,
} from './reference.js';

export type ShortNameMode = 'enforcing' | 'permissive' | 'disabled';
export type PullFromMirror = 'all' | 'digest-only' | 'tag-only';

export const DEFAULT_SHORT_NAME_MODE: ShortNameMode = 'permissive';
/** The credential-helpers entry that means "the auth.json files" (containers-auth.json(5)). */
export const AUTH_FILE_HELPER = 'containers-auth.json';

export interface MirrorConfig {
  location: string;
  insecure: boolean;
  /** Unset means "all" (or whatever mirror-by-digest-only of the registry says). */
  pullFromMirror?: PullFromMirror;
}

export interface RegistryConfig {
  /** What references it applies to: `example.com`, `example.com/ns`, or `*.example.com`. */
  prefix: string;
  /** Where to pull from instead; '' only for wildcard prefixes (pull from the matched host). */
  location: string;
  insecure: boolean;
  blocked: boolean;
  mirrorByDigestOnly: boolean;
  mirrors: MirrorConfig[];
  /** The file this entry came from, for error messages. */
  origin: string;
}

export interface AliasEntry {
  /** The fully qualified repository, or undefined when a later file reset the alias with "". */
  value: ImageReference | undefined;
  origin: string;
}

export interface RegistriesConf {
  /** Unique by prefix, sorted by prefix (as containers/image keeps them). */
  registries: RegistryConfig[];
  /** host[:port] entries tried, in order, for short names. */
  unqualifiedSearchRegistries: string[];
  /** The file that set unqualifiedSearchRegistries ('' when no registries.conf exists). */
  unqualifiedSearchRegistriesOrigin: string;
  shortNameMode: ShortNameMode;
  /** Short name (no tag) → alias, from [aliases] tables; the per-user cache is separate (shortnames.ts). */
  aliases: Map<string, AliasEntry>;
  credentialHelpers: string[];
  /** Files actually read, in order. */
  files: string[];
  /** "main file, drop-in dir, user drop-in dir", for messages. */
  sourceDescription: string;
}

/** A registries.conf problem: names the file, and the line when the TOML parser gave one. */
export class RegistriesConfError extends TscCtrError {
  readonly file: string | undefined;
  readonly line: number | undefined;
  constructor(message: string, file?: string, line?: number) {
    super(file ? `${file}${line ? `:${line}` : ''}: ${message}` : message, { code: 'TSC_ERR_REGISTRIES_CONF' });
    this.file = file;
    this.line = line;
  }
}

export class RegistryBlockedError extends TscCtrError {
  readonly prefix: string;
  constructor(prefix: string, origin: string) {
    super(`registry ${prefix} is blocked in registries.conf${origin ? ` (${origin})` : ''}`, { code: 'TSC_ERR_REGISTRY_BLOCKED' });
    this.prefix = prefix;
  }
}

export interface RegistriesConfPaths {
  /** The main registries.conf. */
  file: string;
  /** Drop-in directories, read in this order, `*.conf` files in lexical order within each. */
  dropInDirs: string[];
  /** A missing main file is an error (it was named explicitly) rather than an empty config. */
  fileMustExist: boolean;
}

export interface LoadRegistriesConfOptions {
  /** Explicit files, skipping the search (tests, a --registries-conf style option). */
  paths?: Partial<RegistriesConfPaths> & { file: string };
  env?: NodeJS.ProcessEnv;
  home?: string;
  /** System configuration directory; default /etc/containers. */
  systemDir?: string;
}

/**
 * Podman 4.3.1's search: `$CONTAINERS_REGISTRIES_CONF` (or the older `$REGISTRIES_CONFIG_PATH`)
 * names the main file; else `~/.config/containers/registries.conf` if it exists, with only the
 * user drop-in dir; else `/etc/containers/registries.conf`. Except in the user-file case both the
 * system and the user `registries.conf.d` are read — also when the main file comes from the
 * environment, because containers/image only replaces the file there, not the directories.
 */
export function registriesConfPaths(opts: Omit<LoadRegistriesConfOptions, 'paths'> = {}): RegistriesConfPaths {
  const env = opts.env ?? process.env;
  const home = opts.home ?? (env.HOME || homedir());
  const systemDir = opts.systemDir ?? '/etc/containers';
  const userFile = join(home, '.config', 'containers', 'registries.conf');
  const userDir = join(home, '.config', 'containers', 'registries.conf.d');
  const systemDropIns = join(systemDir, 'registries.conf.d');
  const fromEnv = env.CONTAINERS_REGISTRIES_CONF ?? env.REGISTRIES_CONFIG_PATH;
  if (fromEnv !== undefined && fromEnv !== '') {
    return { file: fromEnv, dropInDirs: [systemDropIns, userDir], fileMustExist: true };
  }
  if (exists(userFile)) return { file: userFile, dropInDirs: [userDir], fileMustExist: false };
  return { file: join(systemDir, 'registries.conf'), dropInDirs: [systemDropIns, userDir], fileMustExist: false };
}

function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}

/** One file as parsed, before merging. `undefined` fields were not set in the file. */
export interface PartialRegistriesConf {
  file: string;
  registries: RegistryConfig[];
  unqualifiedSearchRegistries: string[] | undefined;
  shortNameMode: ShortNameMode | undefined;
  credentialHelpers: string[] | undefined;
  aliases: Map<string, AliasEntry>;
}

type TomlParse = (text: string) => Record<string, unknown>;
let tomlParse: TomlParse | undefined;

async function loadToml(): Promise<TomlParse> {
  if (!tomlParse) {
    const mod = await import('smol-toml');
    tomlParse = mod.parse as TomlParse;
  }
  return tomlParse;
}

/** Load, validate and merge registries.conf and its drop-ins. */
export async function loadRegistriesConf(opts: LoadRegistriesConfOptions = {}): Promise<RegistriesConf> {
  const paths: RegistriesConfPaths = opts.paths
    ? { file: opts.paths.file, dropInDirs: opts.paths.dropInDirs ?? [], fileMustExist: opts.paths.fileMustExist ?? true }
    : registriesConfPaths(opts);
  const parse = await loadToml();
  const files: string[] = [];

  let main: PartialRegistriesConf;
  let mainText: string | undefined;
  try {
    mainText = readFileSync(paths.file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' || paths.fileMustExist) {
      throw new RegistriesConfError(`loading registries configuration: ${describeFsError(err)}`, paths.file);
    }
  }
  if (mainText !== undefined) {
    main = parseRegistriesConfText(parse, mainText, paths.file, false);
    files.push(paths.file);
  } else {
    main = emptyPartial('');
  }

  const conf: RegistriesConf = {
    registries: main.registries,
    unqualifiedSearchRegistries: main.unqualifiedSearchRegistries ?? [],
    unqualifiedSearchRegistriesOrigin: mainText === undefined ? '' : paths.file,
    // Unset in every file means permissive.
    shortNameMode: main.shortNameMode ?? DEFAULT_SHORT_NAME_MODE,
    aliases: main.aliases,
    credentialHelpers: main.credentialHelpers ?? [],
    files,
    sourceDescription: [paths.file, ...paths.dropInDirs].join(', '),
  };
  for (const file of dropInFiles(paths.dropInDirs)) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new RegistriesConfError(`loading drop-in registries configuration: ${describeFsError(err)}`, file);
    }
    const d = parseRegistriesConfText(parse, text, file, true);
    files.push(file);
    mergeInto(conf, d);
  }
  if (conf.credentialHelpers.length === 0) conf.credentialHelpers = [AUTH_FILE_HELPER];
  return conf;
}

function describeFsError(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (e.code === 'ENOENT') return 'no such file or directory';
  if (e.code === 'EACCES') return 'permission denied';
  if (e.code === 'EISDIR') return 'is a directory';
  return e.message;
}

function emptyPartial(file: string): PartialRegistriesConf {
  return {
    file,
    registries: [],
    unqualifiedSearchRegistries: undefined,
    shortNameMode: undefined,
    credentialHelpers: undefined,
    aliases: new Map(),
  };
}

/** `*.conf` files of each dir (not recursing), lexical order per dir; missing dirs are skipped. */
export function dropInFiles(dirs: string[]): string[] {
  const out: string[] = [];
  for (const dir of dirs) {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') continue;
      throw new RegistriesConfError(`reading registries.conf.d: ${describeFsError(err)}`, dir);
    }
    const names = entries.filter((e) => !e.isDirectory() && e.name.endsWith('.conf')).map((e) => e.name);
    names.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    for (const n of names) out.push(join(dir, n));
  }
  return out;
}

/** Drop-in semantics: registries replace by prefix, set keys replace, aliases merge per name. */
function mergeInto(conf: RegistriesConf, d: PartialRegistriesConf): void {
  const byPrefix = new Map(conf.registries.map((r) => [r.prefix, r]));
  for (const r of d.registries) byPrefix.set(r.prefix, r);
  conf.registries = sortByPrefix([...byPrefix.values()]);
  if (d.unqualifiedSearchRegistries !== undefined) {
    conf.unqualifiedSearchRegistries = d.unqualifiedSearchRegistries;
    conf.unqualifiedSearchRegistriesOrigin = d.file;
  }
  if (d.credentialHelpers !== undefined) conf.credentialHelpers = d.credentialHelpers;
  if (d.shortNameMode !== undefined) conf.shortNameMode = d.shortNameMode;
  for (const [k, v] of d.aliases) conf.aliases.set(k, v);
}

function sortByPrefix(regs: RegistryConfig[]): RegistryConfig[] {
  return regs.sort((a, b) => (a.prefix < b.prefix ? -1 : a.prefix > b.prefix ? 1 : 0));
}

// ---- one file ---------------------------------------------------------------------------------

class FieldError extends Error {}

function expectType<T>(v: unknown, what: string, type: 'string' | 'boolean'): T | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== type) throw new FieldError(`${what} must be a ${type}`);
  return v as T;
}

function expectStringArray(v: unknown, what: string): string[] | undefined {
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw new FieldError(`${what} must be an array of strings`);
  return v as string[];
}

function expectTable(v: unknown, what: string): Record<string, unknown> | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'object' || v === null || Array.isArray(v) || v instanceof Date) throw new FieldError(`${what} must be a table`);
  return v as Record<string, unknown>;
}

function expectTableArray(v: unknown, what: string): Record<string, unknown>[] | undefined {
  if (v === undefined) return undefined;
  if (!Array.isArray(v)) throw new FieldError(`${what} must be an array of tables ([[${what}]])`);
  return v.map((x, i) => expectTable(x, `${what}[${i}]`)!);
}

/** Trim trailing slashes; URI schemes are refused (containers/image parseLocation). */
function parseLocation(input: string): string {
  const trimmed = input.replace(/\/+$/, '');
  if (/^https?:\/\//.test(trimmed)) throw new FieldError(`invalid location '${input}': URI schemes are not supported`);
  return trimmed;
}

/**
 * Parse and validate one registries.conf text (no merging). `dropIn` files must use the v2
 * format. For tests and for tools that check one file.
 */
export async function parseRegistriesConf(text: string, file: string, opts: { dropIn?: boolean } = {}): Promise<PartialRegistriesConf> {
  return parseRegistriesConfText(await loadToml(), text, file, opts.dropIn ?? false);
}

function parseRegistriesConfText(parse: TomlParse, text: string, file: string, dropIn: boolean): PartialRegistriesConf {
  let doc: Record<string, unknown>;
  try {
    doc = parse(text);
  } catch (err) {
    const e = err as Error & { line?: number };
    const first = String(e.message).split('\n')[0] ?? 'invalid TOML';
    throw new RegistriesConfError(first.replace(/^Invalid TOML document: /, 'invalid TOML: '), file, e.line);
  }
  try {
    return interpret(doc, file, dropIn);
  } catch (err) {
    if (err instanceof FieldError) throw new RegistriesConfError(err.message, file);
    throw err;
  }
}

function interpret(doc: Record<string, unknown>, file: string, dropIn: boolean): PartialRegistriesConf {
  const out = emptyPartial(file);

  // v1: [registries.search] / [registries.insecure] / [registries.block], each `registries = [...]`.
  const v1 = expectTable(doc.registries, 'registries');
  const v1Lists = {
    search: expectStringArray(expectTable(v1?.search, 'registries.search')?.registries, 'registries.search.registries'),
    insecure: expectStringArray(expectTable(v1?.insecure, 'registries.insecure')?.registries, 'registries.insecure.registries'),
    block: expectStringArray(expectTable(v1?.block, 'registries.block')?.registries, 'registries.block.registries'),
  };
  const v1Nonempty = Object.values(v1Lists).some((l) => l !== undefined && l.length > 0);

  const usr = expectStringArray(doc['unqualified-search-registries'], 'unqualified-search-registries');
  const mode = expectType<string>(doc['short-name-mode'], 'short-name-mode', 'string');
  const helpers = expectStringArray(doc['credential-helpers'], 'credential-helpers');
  const aliasTable = expectTable(doc.aliases, 'aliases');
  const regTables = expectTableArray(doc.registry, 'registry');
  const v2Nonempty =
    (regTables?.length ?? 0) > 0 ||
    (usr?.length ?? 0) > 0 ||
    (helpers?.length ?? 0) > 0 ||
    (mode !== undefined && mode !== '') ||
    Object.keys(aliasTable ?? {}).length > 0;

  if (v1Nonempty) {
    if (dropIn) throw new FieldError('registry must be in v2 format but is in v1');
    if (v2Nonempty) throw new FieldError('mixing sysregistry v1/v2 is not supported');
    out.registries = convertV1(v1Lists, file);
    out.unqualifiedSearchRegistries = v1Lists.search ? checkSearchRegistries(v1Lists.search) : undefined;
    postProcessRegistries(out);
    return out;
  }

  out.registries = (regTables ?? []).map((t, i) => registryFromTable(t, i, file));
  postProcessRegistries(out);
  if (usr !== undefined) out.unqualifiedSearchRegistries = checkSearchRegistries(usr);
  if (mode !== undefined && mode !== '') {
    if (mode !== 'enforcing' && mode !== 'permissive' && mode !== 'disabled') {
      throw new FieldError(`invalid short-name mode: "${mode}" (enforcing, permissive or disabled)`);
    }
    out.shortNameMode = mode;
  }
  if (helpers !== undefined) out.credentialHelpers = helpers;
  if (aliasTable) out.aliases = parseAliases(aliasTable, file);
  return out;
}

function registryFromTable(t: Record<string, unknown>, i: number, file: string): RegistryConfig {
  const what = `[[registry]] #${i + 1}`;
  if (t['pull-from-mirror'] !== undefined) {
    throw new FieldError(`pull-from-mirror must not be set for a non-mirror registry (${what})`);
  }
  const mirrors = (expectTableArray(t.mirror, 'registry.mirror') ?? []).map((m, j) => {
    const mw = `${what} mirror #${j + 1}`;
    const loc = expectType<string>(m.location, `${mw} location`, 'string') ?? '';
    const pfm = expectType<string>(m['pull-from-mirror'], `${mw} pull-from-mirror`, 'string');
    const mirror: MirrorConfig = {
      location: parseLocation(loc),
      insecure: expectType<boolean>(m.insecure, `${mw} insecure`, 'boolean') ?? false,
    };
    if (pfm !== undefined && pfm !== '') {
      if (pfm !== 'all' && pfm !== 'digest-only' && pfm !== 'tag-only') {
        throw new FieldError(`unsupported pull-from-mirror value "${pfm}" for mirror "${loc}" (all, digest-only or tag-only)`);
      }
      mirror.pullFromMirror = pfm;
    }
    return mirror;
  });
  return {
    prefix: expectType<string>(t.prefix, `${what} prefix`, 'string') ?? '',
    location: expectType<string>(t.location, `${what} location`, 'string') ?? '',
    insecure: expectType<boolean>(t.insecure, `${what} insecure`, 'boolean') ?? false,
    blocked: expectType<boolean>(t.blocked, `${what} blocked`, 'boolean') ?? false,
    mirrorByDigestOnly: expectType<boolean>(t['mirror-by-digest-only'], `${what} mirror-by-digest-only`, 'boolean') ?? false,
    mirrors,
    origin: file,
  };
}

/** v1 → v2: blocked and insecure lists become [[registry]] entries, search becomes unqualified-search-registries. */
function convertV1(lists: { insecure?: string[] | undefined; block?: string[] | undefined }, file: string): RegistryConfig[] {
  const byLocation = new Map<string, RegistryConfig>();
  const get = (raw: string): RegistryConfig => {
    const location = parseLocation(raw);
    let r = byLocation.get(location);
    if (!r) {
      r = { prefix: location, location, insecure: false, blocked: false, mirrorByDigestOnly: false, mirrors: [], origin: file };
      byLocation.set(location, r);
    }
    return r;
  };
  for (const b of lists.block ?? []) get(b).blocked = true;
  for (const s of lists.insecure ?? []) get(s).insecure = true;
  return [...byLocation.values()];
}

/** Defaults, sanity checks and de-duplication of one file's registries (first entry per prefix wins). */
function postProcessRegistries(conf: PartialRegistriesConf): void {
  const byLocation = new Map<string, RegistryConfig[]>();
  for (const reg of conf.registries) {
    reg.location = parseLocation(reg.location);
    if (reg.prefix === '') {
      if (reg.location === '') throw new FieldError('invalid condition: both location and prefix are unset');
      reg.prefix = reg.location;
    } else {
      reg.prefix = parseLocation(reg.prefix);
      if (reg.prefix.startsWith('*.')) {
        if (/[/@:]/.test(reg.prefix)) {
          throw new FieldError(`wildcarded prefix should be in the format: *.example.com; prefix "${reg.prefix}" is incorrectly formatted`);
        }
      } else if (reg.location === '') {
        throw new FieldError(`invalid condition: location is unset and prefix "${reg.prefix}" is not in the format: *.example.com`);
      }
    }
    for (const m of reg.mirrors) {
      if (m.location === '') throw new FieldError(`invalid condition: mirror location is unset (registry "${reg.prefix}")`);
      if (reg.mirrorByDigestOnly && m.pullFromMirror !== undefined) {
        throw new FieldError(
          `cannot set mirror usage mirror-by-digest-only for the registry ("${reg.prefix}") and pull-from-mirror for per-mirror ("${m.location}") at the same time`,
        );
      }
    }
    const key = reg.location === '' ? reg.prefix : reg.location;
    const list = byLocation.get(key) ?? [];
    for (const other of list) {
      if (other.insecure !== reg.insecure) {
        throw new FieldError(`registry '${key}' is defined multiple times with conflicting 'insecure' setting`);
      }
      if (other.blocked !== reg.blocked) {
        throw new FieldError(`registry '${key}' is defined multiple times with conflicting 'blocked' setting`);
      }
    }
    list.push(reg);
    byLocation.set(key, list);
  }
  const unique = new Map<string, RegistryConfig>();
  for (const reg of conf.registries) if (!unique.has(reg.prefix)) unique.set(reg.prefix, reg);
  conf.registries = sortByPrefix([...unique.values()]);
}

function checkSearchRegistries(list: string[]): string[] {
  return list.map((raw) => {
    const r = parseLocation(raw);
    if (r === '' || domainError(r) !== undefined) throw new FieldError(`invalid unqualified-search-registries entry "${raw}"`);
    return r;
  });
}

/** [aliases]: left side a short name without tag or digest, right side a fully qualified repository or "" (reset). */
function parseAliases(table: Record<string, unknown>, file: string): Map<string, AliasEntry> {
  const out = new Map<string, AliasEntry>();
  const errors: string[] = [];
  for (const [name, value] of Object.entries(table)) {
    if (typeof value !== 'string') {
      errors.push(`alias "${name}" must be a string`);
      continue;
    }
    const nameErr = shortNameError(name);
    if (nameErr) errors.push(nameErr);
    if (value === '') {
      out.set(name, { value: undefined, origin: file });
      continue;
    }
    try {
      out.set(name, { value: parseAliasValue(value), origin: file });
    } catch (err) {
      errors.push((err as Error).message);
    }
  }
  if (errors.length) throw new FieldError(errors.join('; '));
  return out;
}

/** Why `name` cannot be the left side of an alias (a short name without tag or digest), or undefined. */
export function shortNameError(name: string): string | undefined {
  let ref: ImageReference;
  try {
    ref = parseReferenceAllowShort(name);
  } catch (err) {
    return `invalid short name "${name}": ${(err as { reason?: string }).reason ?? (err as Error).message}`;
  }
  if (ref.digest !== undefined) return `invalid short name "${name}": must not contain digest`;
  if (ref.tag !== undefined) return `invalid short name "${name}": must not contain tag`;
  if (ref.domain !== '') return `invalid short name "${name}": must not contain registry`;
  return undefined;
}

/** The right side of an alias: a fully qualified repository without tag or digest, normalised. */
export function parseAliasValue(value: string): ImageReference {
  let ref: ImageReference;
  try {
    ref = parseReferenceAllowShort(value);
  } catch (err) {
    throw new FieldError(`invalid alias "${value}": ${(err as { reason?: string }).reason ?? (err as Error).message}`);
  }
  if (ref.digest !== undefined) throw new FieldError(`invalid alias "${value}": must not contain digest`);
  if (ref.tag !== undefined) throw new FieldError(`invalid alias "${value}": must not contain tag`);
  if (ref.domain === '') throw new FieldError(`invalid alias "${value}": must contain registry and repository`);
  return parseNormalizedReference(value);
}

// ---- lookups ----------------------------------------------------------------------------------

/**
 * Length of the matched prefix when `ref` (a host, a repository or a full reference string,
 * starting with the host) is covered by `prefix`, else -1. A plain prefix must end at a `/`,
 * `:` or `@` of ref; `*.example.com` matches any subdomain host of example.com.
 */
export function refMatchingPrefix(ref: string, prefix: string): number {
  if (prefix.startsWith('*.')) {
    const suffix = prefix.slice(1); // ".example.com"
    const idx = ref.indexOf(suffix);
    if (idx < 0 || ref.slice(0, idx).includes('/')) return -1;
    const end = idx + suffix.length;
    if (end === ref.length) return end;
    return ':/@'.includes(ref[end]!) ? end : -1;
  }
  if (ref.length < prefix.length || !ref.startsWith(prefix)) return -1;
  if (ref.length === prefix.length) return prefix.length;
  return ':/@'.includes(ref[prefix.length]!) ? prefix.length : -1;
}

/** The [[registry]] with the longest prefix covering `ref` (a reference, or a host / repository string). */
export function findRegistry(conf: RegistriesConf, ref: ImageReference | string): RegistryConfig | undefined {
  const s = typeof ref === 'string' ? ref : referenceName(ref);
  let best: RegistryConfig | undefined;
  for (const r of conf.registries) {
    if (refMatchingPrefix(s, r.prefix) >= 0 && (!best || r.prefix.length > best.prefix.length)) best = r;
  }
  return best;
}

/** Whether the registry serving `domain` is marked insecure (TLS unchecked, http allowed). */
export function isInsecureRegistry(conf: RegistriesConf, domain: string): boolean {
  return findRegistry(conf, domain)?.insecure ?? false;
}

export interface PullSource {
  /** The reference rewritten to this endpoint's location. */
  reference: ImageReference;
  insecure: boolean;
  mirror: boolean;
}

/**
 * Endpoints to try, in order, for a fully qualified reference: usable mirrors first
 * (mirror-by-digest-only and pull-from-mirror decide with the reference's digest), then the
 * registry's own location. A blocked registry is an error; blocked mirrors are left out.
 */
export function pullSources(conf: RegistriesConf, ref: ImageReference): PullSource[] {
  if (ref.domain === '') throw new TscCtrError(`pullSources: "${ref.path}" is a short name; resolve it first`, { code: 'TSC_ERR_SHORT_NAME' });
  const reg = findRegistry(conf, ref);
  if (!reg) return [{ reference: ref, insecure: false, mirror: false }];
  if (reg.blocked) throw new RegistryBlockedError(reg.prefix, reg.origin);

  const digested = ref.digest !== undefined;
  const endpoints: { location: string; insecure: boolean; mirror: boolean }[] = [];
  if (reg.mirrorByDigestOnly) {
    if (digested) for (const m of reg.mirrors) endpoints.push({ location: m.location, insecure: m.insecure, mirror: true });
  } else {
    for (const m of reg.mirrors) {
      if (m.pullFromMirror === 'digest-only' && !digested) continue;
      if (m.pullFromMirror === 'tag-only' && digested) continue;
      endpoints.push({ location: m.location, insecure: m.insecure, mirror: true });
    }
  }
  endpoints.push({ location: reg.location, insecure: reg.insecure, mirror: false });

  const refString = formatReference(ref);
  const out: PullSource[] = [];
  for (const ep of endpoints) {
    const rewritten = rewriteReference(ref, refString, reg.prefix, ep.location);
    const other = ep.mirror ? findRegistry(conf, rewritten.domain) : undefined;
    if (other?.blocked) continue;
    out.push({ reference: rewritten, insecure: ep.insecure, mirror: ep.mirror });
  }
  return out;
}

/** Replace the matched prefix of ref by location (an empty wildcard location keeps ref). */
function rewriteReference(ref: ImageReference, refString: string, prefix: string, location: string): ImageReference {
  const n = refMatchingPrefix(refString, prefix);
  if (n < 0) throw new TscCtrError(`invalid prefix '${prefix}' for reference '${refString}'`, { code: 'TSC_ERR_REGISTRIES_CONF' });
  if (location === '') return ref;
  const rewritten = location + refString.slice(n);
  try {
    return parseReference(rewritten);
  } catch (err) {
    throw new TscCtrError(`rewriting reference ${refString} to location ${location}: ${(err as Error).message}`, {
      code: 'TSC_ERR_REGISTRIES_CONF',
    });
  }
}
