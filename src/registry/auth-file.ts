/**
 * Registry credentials in auth.json / Docker config files (containers-auth.json(5)), read in
 * Podman's order and written the way `podman login` writes them.
 *
 * Read order: `--authfile` / `$REGISTRY_AUTH_FILE` alone when given; else
 * `<runtime dir>/containers/auth.json`, `$XDG_CONFIG_HOME/containers/auth.json`,
 * `$DOCKER_CONFIG/config.json` (or `~/.docker/config.json`), `~/.dockercfg` (legacy format).
 * The first file that has credentials for the key wins; inside a file the most specific key
 * (`registry/ns/repo`, then `registry/ns`, then `registry`) wins, then keys written as URLs
 * (`https://index.docker.io/v1/`) are matched by host.
 *
 * The runtime dir is `$XDG_RUNTIME_DIR`; without it root uses `/run/containers/0`, and a
 * rootless user gets what Podman would export as XDG_RUNTIME_DIR: `/run/user/<uid>` when it is
 * theirs, else `$TMPDIR/tsc-ctr-run-<uid>` (our run root), because `/run/containers/<uid>` is
 * not writable for them.
 */
import { Buffer } from 'node:buffer';
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { hostUid } from '../config/paths.js';
import { TscCtrError } from '../errors.js';
import type { Credentials } from './client.js';
import { AuthError } from './errors.js';
import { type ImageReference, referenceName } from './reference.js';
import { AUTH_FILE_HELPER } from './registries-conf.js';

/** One `auths` entry. Unknown fields (`email`, …) are kept when the file is rewritten. */
export interface AuthEntry {
  /** base64("user:password") */
  auth?: string;
  /** OAuth2 refresh token. */
  identitytoken?: string;
  [field: string]: unknown;
}

/** auth.json / config.json. Unknown top-level keys are kept when the file is rewritten. */
export interface AuthFileContents {
  auths?: Record<string, AuthEntry>;
  credHelpers?: Record<string, string>;
  [key: string]: unknown;
}

export interface AuthPath {
  path: string;
  /** `~/.dockercfg`: the file is just the `auths` map, keyed by registry URL. */
  legacyFormat: boolean;
}

export interface AuthFileOptions {
  /** `--authfile`; falls back to `$REGISTRY_AUTH_FILE`. When set, it is the only file used. */
  authfile?: string | undefined;
  env?: NodeJS.ProcessEnv;
  home?: string;
  /** Host uid; default the real uid (also inside our user namespace). */
  uid?: number;
  /** Overrides the runtime dir (see the module comment). */
  runtimeDir?: string;
  /** registries.conf credential-helpers; default the auth files only. */
  credentialHelpers?: string[];
}

export class AuthFileError extends TscCtrError {
  readonly path: string;
  constructor(path: string, message: string) {
    super(message, { code: 'TSC_ERR_AUTH_FILE' });
    this.path = path;
  }
}

function homeOf(opts: AuthFileOptions): string {
  const env = opts.env ?? process.env;
  return opts.home ?? (env.HOME || homedir());
}

function userAuthfile(opts: AuthFileOptions): string | undefined {
  const env = opts.env ?? process.env;
  const f = opts.authfile ?? env.REGISTRY_AUTH_FILE;
  return f === undefined || f === '' ? undefined : f;
}

function ownedPrivateDir(path: string, uid: number): boolean {
  try {
    const st = statSync(path);
    return st.isDirectory() && st.uid === uid && (st.mode & 0o077) === 0;
  } catch {
    return false;
  }
}

/**
 * The file `login` writes and `logout` edits: `--authfile`/`$REGISTRY_AUTH_FILE`, else
 * `$XDG_RUNTIME_DIR/containers/auth.json`; without XDG_RUNTIME_DIR root uses
 * `/run/containers/0/auth.json` (containers/image) and a rootless user the runtime dir Podman
 * would export (see the module comment).
 */
export function defaultAuthFile(opts: AuthFileOptions = {}): string {
  const explicit = userAuthfile(opts);
  if (explicit) return explicit;
  if (opts.runtimeDir) return join(opts.runtimeDir, 'containers', 'auth.json');
  const env = opts.env ?? process.env;
  if (env.XDG_RUNTIME_DIR) return join(env.XDG_RUNTIME_DIR, 'containers', 'auth.json');
  const uid = opts.uid ?? hostUid(env);
  if (uid === 0) return `/run/containers/${uid}/auth.json`;
  const runUser = `/run/user/${uid}`;
  const dir = ownedPrivateDir(runUser, uid) ? runUser : join(env.TMPDIR || '/tmp', `tsc-ctr-run-${uid}`);
  return join(dir, 'containers', 'auth.json');
}

/** Files consulted for credentials, in order. Some may not exist. */
export function authFilePaths(opts: AuthFileOptions = {}): AuthPath[] {
  const explicit = userAuthfile(opts);
  if (explicit) return [{ path: explicit, legacyFormat: false }];
  const env = opts.env ?? process.env;
  const home = homeOf(opts);
  const configHome = env.XDG_CONFIG_HOME || join(home, '.config');
  return [
    { path: defaultAuthFile(opts), legacyFormat: false },
    { path: join(configHome, 'containers', 'auth.json'), legacyFormat: false },
    { path: env.DOCKER_CONFIG ? join(env.DOCKER_CONFIG, 'config.json') : join(home, '.docker', 'config.json'), legacyFormat: false },
    { path: join(home, '.dockercfg'), legacyFormat: true },
  ];
}

/** Read an auth file; a missing file is empty. Invalid JSON is an error naming the file. */
export function readAuthFile(path: string, legacyFormat = false): AuthFileContents {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ENOENT' || e.code === 'ENOTDIR') return { auths: {} };
    throw new AuthFileError(path, `reading auth file ${path}: ${e.code === 'EACCES' ? 'permission denied' : e.message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new AuthFileError(path, `auth file ${path} is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new AuthFileError(path, `auth file ${path} is not a JSON object`);
  }
  if (legacyFormat) return { auths: json as Record<string, AuthEntry> };
  const c = json as AuthFileContents;
  if (c.auths !== undefined && (typeof c.auths !== 'object' || c.auths === null || Array.isArray(c.auths))) {
    throw new AuthFileError(path, `auth file ${path}: "auths" must be an object`);
  }
  if (c.credHelpers !== undefined && (typeof c.credHelpers !== 'object' || c.credHelpers === null || Array.isArray(c.credHelpers))) {
    throw new AuthFileError(path, `auth file ${path}: "credHelpers" must be an object`);
  }
  return c;
}

/**
 * Check a key given to login/logout/lookup: a registry (`quay.io`, `localhost:5000`) or a
 * namespace/repository in one (`quay.io/ns/repo`). Returns whether it is namespaced.
 */
export function validateAuthKey(key: string): boolean {
  if (/^https?:\/\//.test(key)) throw new AuthError(`key ${key} contains http[s]:// prefix`);
  if (key.includes('@')) throw new AuthError(`key ${key} contains a '@' character`);
  const slash = key.indexOf('/');
  if (slash >= 0 && key.slice(slash + 1).includes(':')) throw new AuthError(`key ${key} contains a ':' character after host[:port]`);
  if (key === '') throw new AuthError('empty registry key');
  return slash >= 0;
}

/**
 * What the user typed for login/logout → the key stored in auth.json: scheme and trailing `/`
 * dropped, Docker Hub's other names → `docker.io`; without `acceptRepositories` only the host.
 */
export function normalizeAuthKey(input: string, opts: { acceptRepositories?: boolean } = {}): string {
  let s = input.replace(/^https?:\/\//, '').replace(/\/+$/, '');
  if (!opts.acceptRepositories) s = s.split('/')[0]!;
  const slash = s.indexOf('/');
  const host = slash < 0 ? s : s.slice(0, slash);
  const rest = slash < 0 ? '' : s.slice(slash);
  const dockerHub = host === 'index.docker.io' || host === 'registry-1.docker.io' || host === 'docker.io';
  if (dockerHub) return rest === '/v1' ? 'docker.io' : `docker.io${rest}`;
  return s;
}

/** Docker Hub's several names compare equal (containers/image normalizeRegistry). */
function canonicalRegistry(registry: string): string {
  return registry === 'registry-1.docker.io' || registry === 'docker.io' ? 'index.docker.io' : registry;
}

/** A file key as a host: scheme stripped and, for URL-style or legacy keys, the path dropped. */
function keyHost(key: string, legacyFormat: boolean): string {
  const stripped = key.replace(/^https?:\/\//, '');
  const host = legacyFormat || stripped !== key ? stripped.split('/')[0]! : stripped;
  return canonicalRegistry(host);
}

/** `quay.io/ns/repo` → [`quay.io/ns/repo`, `quay.io/ns`, `quay.io`]. */
export function authKeysForKey(key: string): string[] {
  const out: string[] = [];
  let k = key;
  for (;;) {
    out.push(k);
    const i = k.lastIndexOf('/');
    if (i < 0) return out;
    k = k.slice(0, i);
  }
}

function decodeEntry(path: string, key: string, e: AuthEntry): Credentials | undefined {
  if (typeof e !== 'object' || e === null) return undefined;
  const token = typeof e.identitytoken === 'string' && e.identitytoken !== '' ? e.identitytoken : undefined;
  if (typeof e.auth !== 'string' || e.auth === '') return token ? { identityToken: token } : undefined;
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(e.auth) || e.auth.length % 4 !== 0) {
    throw new AuthFileError(path, `auth file ${path}: the "auth" value for "${key}" is not valid base64`);
  }
  const decoded = Buffer.from(e.auth, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  // Docker writes `{}`-like entries when a credential helper holds the secret: nothing here.
  if (colon < 0) return token ? { identityToken: token } : undefined;
  const creds: Credentials = { username: decoded.slice(0, colon), password: decoded.slice(colon + 1).replace(/^\0+|\0+$/g, '') };
  if (token) creds.identityToken = token;
  return creds;
}

export interface FoundCredentials {
  credentials: Credentials;
  /** The file, or `credential helper <name>`. */
  source: string;
  /** The key that matched. */
  key: string;
}

/** Credentials for `key` in one file (credHelpers entry for the registry first, as containers/image). */
async function findInFile(key: string, registry: string, p: AuthPath, env: NodeJS.ProcessEnv): Promise<FoundCredentials | undefined> {
  const c = readAuthFile(p.path, p.legacyFormat);
  const helper = c.credHelpers?.[registry];
  if (typeof helper === 'string' && helper !== '') {
    const creds = await credentialHelperGet(helper, registry, env);
    return creds ? { credentials: creds, source: `credential helper ${helper} (credHelpers in ${p.path})`, key: registry } : undefined;
  }
  const auths = c.auths ?? {};
  const keys = p.legacyFormat ? [registry] : authKeysForKey(key);
  for (const k of keys) {
    if (Object.prototype.hasOwnProperty.call(auths, k)) {
      const creds = decodeEntry(p.path, k, auths[k]!);
      return creds ? { credentials: creds, source: p.path, key: k } : undefined;
    }
  }
  const want = canonicalRegistry(registry);
  for (const [k, v] of Object.entries(auths)) {
    if (keyHost(k, p.legacyFormat) === want) {
      const creds = decodeEntry(p.path, k, v);
      return creds ? { credentials: creds, source: p.path, key: k } : undefined;
    }
  }
  return undefined;
}

/**
 * Credentials for a registry, namespace or repository key (`docker.io/library/alpine`), from
 * the helpers of registries.conf in order (the auth files by default). Undefined: anonymous.
 */
export async function lookupCredentials(key: string, opts: AuthFileOptions = {}): Promise<FoundCredentials | undefined> {
  validateAuthKey(key);
  const env = opts.env ?? process.env;
  const slash = key.indexOf('/');
  const registry = slash < 0 ? key : key.slice(0, slash);
  const errors: string[] = [];
  for (const helper of opts.credentialHelpers ?? [AUTH_FILE_HELPER]) {
    try {
      if (helper === AUTH_FILE_HELPER) {
        for (const p of authFilePaths(opts)) {
          const found = await findInFile(key, registry, p, env);
          if (found) return found;
        }
      } else {
        const creds = await credentialHelperGet(helper, registry, env);
        if (creds) return { credentials: creds, source: `credential helper ${helper}`, key: registry };
      }
    } catch (err) {
      errors.push((err as Error).message);
    }
  }
  if (errors.length === 1) throw new AuthError(errors[0]!);
  if (errors.length > 1) throw new AuthError(`looking up credentials for ${key}: ${errors.join('; ')}`);
  return undefined;
}

/** Credentials for pulling or pushing `ref` (looked up by `domain/path`). */
export async function credentialsForReference(ref: ImageReference, opts: AuthFileOptions = {}): Promise<Credentials | undefined> {
  return (await lookupCredentials(referenceName(ref), opts))?.credentials;
}

// ---- credential helpers -----------------------------------------------------------------------

const NOT_FOUND_MESSAGE = 'credentials not found in native keychain';

/**
 * Run `docker-credential-<helper> <action>` with `stdin`, as the Docker credential-helper
 * protocol says. Rejects with a clear error when the helper is not installed.
 */
async function runHelper(helper: string, action: 'get' | 'store' | 'erase', stdin: string, env: NodeJS.ProcessEnv): Promise<string> {
  const { spawn } = await import('node:child_process');
  const program = `docker-credential-${helper}`;
  return new Promise((resolve, reject) => {
    const child = spawn(program, [action], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') reject(new AuthError(`credential helper ${program} is not installed (not found in $PATH)`));
      else reject(new AuthError(`running credential helper ${program}: ${e.message}`));
    });
    child.on('close', (code) => {
      const stdout = Buffer.concat(out).toString('utf8');
      if (code === 0) return resolve(stdout);
      const msg = (stdout.trim() || Buffer.concat(err).toString('utf8').trim()).split('\n')[0] ?? '';
      reject(Object.assign(new AuthError(`credential helper ${program} ${action}: ${msg || `exit status ${code}`}`), { helperMessage: msg }));
    });
    child.stdin.on('error', () => {
      /* the helper may exit without reading; its exit status tells */
    });
    child.stdin.end(stdin);
  });
}

/** `get` for one registry; undefined when the helper has nothing for it. */
export async function credentialHelperGet(helper: string, registry: string, env: NodeJS.ProcessEnv = process.env): Promise<Credentials | undefined> {
  let stdout: string;
  try {
    stdout = await runHelper(helper, 'get', registry, env);
  } catch (err) {
    if ((err as { helperMessage?: string }).helperMessage === NOT_FOUND_MESSAGE) return undefined;
    throw err;
  }
  let j: { Username?: string; Secret?: string };
  try {
    j = JSON.parse(stdout);
  } catch {
    throw new AuthError(`credential helper docker-credential-${helper} get: output is not JSON`);
  }
  if (!j.Secret && !j.Username) return undefined;
  if (j.Username === '<token>') return { identityToken: j.Secret ?? '' };
  return { username: j.Username ?? '', password: j.Secret ?? '' };
}

// ---- writing ----------------------------------------------------------------------------------

/** Write JSON atomically: temp file (0600) in the same dir, fsync, rename; the dir is made 0700. */
function writeAuthFileAtomic(path: string, contents: AuthFileContents): void {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const tmp = join(dir, `.${basename(path)}.tmp-${process.pid}-${Date.now()}`);
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    try {
      writeSync(fd, JSON.stringify(contents, null, '\t') + '\n');
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (err) {
    try {
      unlinkSync(tmp);
    } catch {
      /* renamed or gone */
    }
    throw err;
  }
}

function writeTarget(file: string, opts: AuthFileOptions): void {
  // containers/image refuses to guess when XDG_RUNTIME_DIR points nowhere.
  const env = opts.env ?? process.env;
  const xdg = env.XDG_RUNTIME_DIR;
  if (!userAuthfile(opts) && !opts.runtimeDir && xdg && file.startsWith(xdg)) {
    try {
      statSync(xdg);
    } catch {
      throw new AuthFileError(file, `"${xdg}" directory set by $XDG_RUNTIME_DIR does not exist. Either create the directory or unset $XDG_RUNTIME_DIR.`);
    }
  }
}

/**
 * Store `user:password` for `key` (a registry, or a namespace/repository in one) in `file`,
 * keeping every other key of the file. When the file names a credential helper for the key,
 * the helper stores the secret instead. Returns where the credentials went.
 */
export async function setCredentials(
  file: string,
  key: string,
  username: string,
  password: string,
  opts: AuthFileOptions = {},
): Promise<string> {
  const namespaced = validateAuthKey(key);
  writeTarget(file, opts);
  const c = readAuthFile(file);
  const helper = c.credHelpers?.[key];
  if (typeof helper === 'string' && helper !== '') {
    if (namespaced) throw new AuthError(`namespaced key is not supported for credential helper ${helper}`);
    await runHelper(helper, 'store', JSON.stringify({ ServerURL: key, Username: username, Secret: password }), opts.env ?? process.env);
    return `credential helper ${helper}`;
  }
  const auths = { ...(c.auths ?? {}) };
  const old = auths[key];
  const entry: AuthEntry = { ...(old && typeof old === 'object' ? old : {}), auth: Buffer.from(`${username}:${password}`).toString('base64') };
  // A new password replaces any token issued for the old login.
  delete entry.identitytoken;
  auths[key] = entry;
  writeAuthFileAtomic(file, { ...c, auths });
  return file;
}

/**
 * Remove the credentials for `key` from `file` (and its credential helper, if the file names
 * one). Returns false when there was nothing to remove ("not logged in").
 */
export async function removeCredentials(file: string, key: string, opts: AuthFileOptions = {}): Promise<boolean> {
  const namespaced = validateAuthKey(key);
  const c = readAuthFile(file);
  let removed = false;
  const helper = c.credHelpers?.[key];
  if (typeof helper === 'string' && helper !== '' && !namespaced) {
    try {
      await runHelper(helper, 'erase', key, opts.env ?? process.env);
      removed = true;
    } catch (err) {
      if ((err as { helperMessage?: string }).helperMessage !== NOT_FOUND_MESSAGE) throw err;
    }
  }
  if (c.auths && Object.prototype.hasOwnProperty.call(c.auths, key)) {
    const auths = { ...c.auths };
    delete auths[key];
    writeAuthFileAtomic(file, { ...c, auths });
    removed = true;
  }
  return removed;
}

/** Remove every credential from `file` (`logout --all`). */
export function removeAllCredentials(file: string): void {
  const c = readAuthFile(file);
  writeAuthFileAtomic(file, { ...c, auths: {}, credHelpers: {} });
}

/** `--creds user[:password]`: the password is undefined when there is no ':' (the caller prompts). */
export function parseCreds(creds: string): { username: string; password: string | undefined } {
  if (creds === '') throw new AuthError("credentials can't be empty");
  const colon = creds.indexOf(':');
  if (colon < 0) return { username: creds, password: undefined };
  const username = creds.slice(0, colon);
  if (username === '') throw new AuthError("username can't be empty");
  return { username, password: creds.slice(colon + 1) };
}
