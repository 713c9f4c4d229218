/**
 * Short-name resolution (containers/image pkg/shortnames, as in Podman 4.3.1): what `alpine`
 * means for a pull, and where to look for it in local storage.
 *
 * Order for a pull: a fully qualified name is itself; else an alias (the machine-written cache
 * `~/.cache/containers/short-name-aliases.conf` first, then [aliases] of registries.conf);
 * else one candidate per unqualified-search registry. short-name-mode decides what happens
 * with several candidates: disabled and permissive (without a TTY) try them all in order,
 * enforcing without a TTY fails, and on a TTY the user picks one, which is then recorded in
 * the alias cache.
 */
import { mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { hostUid } from '../config/paths.js';
import { TscCtrError } from '../errors.js';
import {
  type ImageReference,
  formatReference,
  parseNormalizedReference,
  parseReferenceAllowShort,
  referenceName,
  trimReference,
  withDefaultTag,
} from './reference.js';
import {
  type AliasEntry,
  type RegistriesConf,
  type ShortNameMode,
  RegistriesConfError,
  parseAliasValue,
  shortNameError,
} from './registries-conf.js';

export class ShortNameError extends TscCtrError {
  constructor(message: string) {
    super(message, { code: 'TSC_ERR_SHORT_NAME' });
  }
}

export interface ShortNameOptions {
  env?: NodeJS.ProcessEnv;
  home?: string;
  /** The machine-written alias cache; default see aliasCachePath(). */
  aliasCachePath?: string;
  /** Whether we may prompt; default: stdin and stdout are both terminals (as Podman checks). */
  isTTY?: boolean;
  /** Overrides short-name-mode of registries.conf. */
  mode?: ShortNameMode;
}

export type ResolutionRationale = 'fully-qualified' | 'alias' | 'search-registries';

export interface ShortNameResolution {
  input: string;
  /** The input without tag or digest when it is a short name: the key an alias is recorded under. */
  shortName: string | undefined;
  /** Fully qualified references to try in order, each with a tag (`latest` by default) or digest. */
  candidates: ImageReference[];
  rationale: ResolutionRationale;
  /** The file the alias or the search registries came from. */
  origin: string;
  /** The line Podman prints before pulling (`Resolved "alpine" as an alias (…)`), if any. */
  description: string | undefined;
  /**
   * Several candidates and a TTY (mode enforcing or permissive): ask the user to pick one
   * (promptForImage), pull only that one and record it with recordShortNameAlias.
   */
  needsPrompt: boolean;
}

/** `$XDG_CACHE_HOME/containers/short-name-aliases.conf` (root: /var/cache/containers/…). */
export function aliasCachePath(opts: { env?: NodeJS.ProcessEnv; home?: string } = {}): string {
  const env = opts.env ?? process.env;
  if (hostUid(env) === 0) return '/var/cache/containers/short-name-aliases.conf';
  const cache = env.XDG_CACHE_HOME || join(opts.home ?? (env.HOME || homedir()), '.cache');
  return join(cache, 'containers', 'short-name-aliases.conf');
}

type TomlModule = typeof import('smol-toml');
let toml: TomlModule | undefined;
async function loadToml(): Promise<TomlModule> {
  toml ??= await import('smol-toml');
  return toml;
}

/** Read the alias cache; a missing file is an empty cache. Entries are validated like registries.conf aliases. */
export async function loadAliasCache(path: string): Promise<Map<string, AliasEntry>> {
  const raw = readAliasCacheRaw(path, await loadToml());
  const out = new Map<string, AliasEntry>();
  const errors: string[] = [];
  for (const [name, value] of Object.entries(raw)) {
    const nameErr = shortNameError(name);
    if (nameErr) errors.push(nameErr);
    if (value === '') {
      out.set(name, { value: undefined, origin: path });
      continue;
    }
    try {
      out.set(name, { value: parseAliasValue(value), origin: path });
    } catch (err) {
      errors.push((err as Error).message);
    }
  }
  if (errors.length) throw new RegistriesConfError(`loading short-name aliases: ${errors.join('; ')}`, path);
  return out;
}

function readAliasCacheRaw(path: string, t: TomlModule): Record<string, string> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new RegistriesConfError(`loading short-name aliases: ${(err as Error).message}`, path);
  }
  let doc: Record<string, unknown>;
  try {
    doc = t.parse(text) as Record<string, unknown>;
  } catch (err) {
    const e = err as Error & { line?: number };
    throw new RegistriesConfError(`loading short-name aliases: ${String(e.message).split('\n')[0]}`, path, e.line);
  }
  const aliases = doc.aliases ?? {};
  if (typeof aliases !== 'object' || aliases === null || Array.isArray(aliases)) {
    throw new RegistriesConfError('loading short-name aliases: [aliases] must be a table', path);
  }
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(aliases)) {
    if (typeof v !== 'string') throw new RegistriesConfError(`loading short-name aliases: alias "${k}" must be a string`, path);
    out[k] = v;
  }
  return out;
}

/**
 * The alias for a short name (no tag/digest): the cache wins over registries.conf, and an
 * empty value in the cache hides the config's alias (as in containers/image).
 */
export async function resolveAlias(
  conf: RegistriesConf,
  shortName: string,
  opts: ShortNameOptions = {},
): Promise<{ value: ImageReference; origin: string } | undefined> {
  const err = shortNameError(shortName);
  if (err) throw new ShortNameError(err);
  const cache = await loadAliasCache(opts.aliasCachePath ?? aliasCachePath(opts));
  const hit = cache.get(shortName) ?? conf.aliases.get(shortName);
  if (!hit || !hit.value) return undefined;
  return { value: hit.value, origin: hit.origin };
}

/** Alias value plus the tag/digest the user wrote. */
function withInputTagDigest(value: ImageReference, input: ImageReference): ImageReference {
  const out: ImageReference = trimReference(value);
  if (input.tag !== undefined) out.tag = input.tag;
  if (input.digest !== undefined) out.digest = input.digest;
  return out;
}

/** Resolve a name for pulling. See the module comment for the rules. */
export async function resolveShortName(conf: RegistriesConf, input: string, opts: ShortNameOptions = {}): Promise<ShortNameResolution> {
  const parsed = parseReferenceAllowShort(input);
  if (parsed.domain !== '') {
    return {
      input,
      shortName: undefined,
      candidates: [withDefaultTag(parseNormalizedReference(input))],
      rationale: 'fully-qualified',
      origin: '',
      description: undefined,
      needsPrompt: false,
    };
  }
  const mode = opts.mode ?? conf.shortNameMode;
  const shortName = referenceName(parsed);

  const alias = await resolveAlias(conf, shortName, opts);
  if (alias) {
    return {
      input,
      shortName,
      candidates: [withDefaultTag(withInputTagDigest(alias.value, parsed))],
      rationale: 'alias',
      origin: alias.origin,
      description: `Resolved "${shortName}" as an alias (${alias.origin})`,
      needsPrompt: false,
    };
  }

  const origin = conf.unqualifiedSearchRegistriesOrigin;
  if (conf.unqualifiedSearchRegistries.length === 0) {
    if (origin !== '') {
      throw new ShortNameError(
        `short-name "${input}" did not resolve to an alias and no unqualified-search registries are defined in "${origin}"`,
      );
    }
    throw new ShortNameError(`short-name "${input}" did not resolve to an alias and no containers-registries.conf(5) was found`);
  }
  const candidates = conf.unqualifiedSearchRegistries.map((reg) => withDefaultTag(parseNormalizedReference(`${reg}/${input}`)));
  const result: ShortNameResolution = {
    input,
    shortName,
    candidates,
    rationale: 'search-registries',
    origin,
    description: `Resolving "${shortName}" using unqualified-search registries (${origin})`,
    needsPrompt: false,
  };
  if (mode === 'disabled' || candidates.length === 1) return result;
  const tty = opts.isTTY ?? Boolean(process.stdin.isTTY && process.stdout.isTTY);
  if (!tty) {
    if (mode === 'enforcing') throw new ShortNameError('short-name resolution enforced but cannot prompt without a TTY');
    return result;
  }
  result.needsPrompt = true;
  return result;
}

/**
 * Names to look for in local storage, in Podman's order: the alias, then `localhost/<name>`,
 * then each unqualified-search registry. A fully qualified name is just itself.
 */
export async function localCandidates(conf: RegistriesConf, input: string, opts: ShortNameOptions = {}): Promise<ImageReference[]> {
  const parsed = parseReferenceAllowShort(input);
  if (parsed.domain !== '') return [withDefaultTag(parseNormalizedReference(input))];
  const out: ImageReference[] = [];
  const alias = await resolveAlias(conf, referenceName(parsed), opts);
  if (alias) out.push(withDefaultTag(withInputTagDigest(alias.value, parsed)));
  for (const reg of ['localhost', ...conf.unqualifiedSearchRegistries]) {
    out.push(withDefaultTag(parseNormalizedReference(`${reg}/${input}`)));
  }
  return out;
}

/**
 * Record `name` → `value` (tag and digest dropped) in the alias cache, as Podman does after a
 * prompted choice was pulled. Read-modify-write under `<cache>.lock`, written temp + rename.
 */
export async function recordShortNameAlias(name: string, value: ImageReference, opts: ShortNameOptions = {}): Promise<void> {
  await editAliasCache(name, formatReference(trimReference(value)), opts);
}

/** Remove an alias from the cache; aliases in registries.conf files are the user's to edit. */
export async function removeShortNameAlias(name: string, opts: ShortNameOptions = {}): Promise<void> {
  await editAliasCache(name, undefined, opts);
}

async function editAliasCache(name: string, value: string | undefined, opts: ShortNameOptions): Promise<void> {
  const err = shortNameError(name);
  if (err) throw new ShortNameError(err);
  if (value !== undefined) parseAliasValue(value);
  const path = opts.aliasCachePath ?? aliasCachePath(opts);
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const t = await loadToml();
  const { FileLock } = await import('../native/flock.js');
  const lock = await FileLock.acquire(`${path}.lock`, 'exclusive');
  try {
    const aliases = readAliasCacheRaw(path, t);
    if (value === undefined) {
      if (!(name in aliases)) {
        throw new ShortNameError(`short-name alias "${name}" not found in "${path}": please check registries.conf files`);
      }
      delete aliases[name];
    } else {
      aliases[name] = value;
    }
    const tmp = `${path}.tmp-${process.pid}`;
    try {
      writeFileSync(tmp, t.stringify({ aliases }) + '\n', { mode: 0o600 });
      renameSync(tmp, path);
    } catch (e) {
      try {
        unlinkSync(tmp);
      } catch {
        /* already gone */
      }
      throw e;
    }
  } finally {
    lock?.release();
  }
}

/**
 * Ask on the terminal which candidate to use (Podman: "Please select an image"). Returns the
 * chosen reference; fails when input ends without a valid choice.
 */
export async function promptForImage(
  candidates: ImageReference[],
  io: { input?: NodeJS.ReadableStream; output?: NodeJS.WritableStream } = {},
): Promise<ImageReference> {
  const { createInterface } = await import('node:readline');
  const input = io.input ?? process.stdin;
  const output = io.output ?? process.stderr;
  output.write('? Please select an image:\n');
  candidates.forEach((c, i) => output.write(`  ${i + 1}) ${formatReference(c)}\n`));
  const rl = createInterface({ input, terminal: false });
  const ask = () => output.write(`Enter a number [1-${candidates.length}]: `);
  try {
    ask();
    for await (const line of rl) {
      const n = Number(line.trim());
      if (Number.isInteger(n) && n >= 1 && n <= candidates.length) return candidates[n - 1]!;
      ask();
    }
  } finally {
    rl.close();
  }
  throw new ShortNameError('short-name resolution: no image was selected');
}
