import { spawnSync } from 'node:child_process';
import { accessSync, constants, mkdirSync, readFileSync, realpathSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Helper programs (conmon, crun, runc, pasta, newuidmap…): where they are, which version, which
 * package. Lookups are cheap; versions and packages cost a process each, so they are cached in
 * the run root keyed by the program's inode, size and mtime.
 */

/**
 * Searched after $PATH: Debian installs runc in /usr/sbin, which a normal user's PATH lacks, and
 * Podman's packages put conmon and catatonit under libexec. The helpers a rootless user needs
 * from /usr/bin (newuidmap, unshare) are deliberately *not* fallbacks: with them missing from
 * PATH the user's shell cannot run them either, and `system check` must say so.
 */
export const FALLBACK_DIRS = ['/usr/local/sbin', '/usr/sbin', '/sbin', '/usr/local/libexec/podman', '/usr/libexec/podman', '/usr/lib/podman'];

const cache = new Map<string, string | undefined>();

function isExecutableFile(p: string): boolean {
  try {
    accessSync(p, constants.X_OK);
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

/** The directories searched for `name`, in order: $PATH, then FALLBACK_DIRS. */
export function searchDirs(pathEnv: string | undefined = process.env.PATH): string[] {
  const dirs = (pathEnv ?? '/usr/local/bin:/usr/bin:/bin').split(':').filter(Boolean);
  for (const d of FALLBACK_DIRS) if (!dirs.includes(d)) dirs.push(d);
  return dirs;
}

/** The absolute path of an executable program, like `command -v` (plus FALLBACK_DIRS). */
export function findProgram(name: string, pathEnv: string | undefined = process.env.PATH): string | undefined {
  if (name.includes('/')) return isExecutableFile(name) ? name : undefined;
  const key = `${pathEnv}\0${name}`;
  if (cache.has(key)) return cache.get(key);
  let found: string | undefined;
  for (const dir of searchDirs(pathEnv)) {
    const p = join(dir, name);
    if (isExecutableFile(p)) {
      found = p;
      break;
    }
  }
  cache.set(key, found);
  return found;
}

/** Forget earlier lookups (tests that change PATH contents in-process). */
export function clearProgramCache(): void {
  cache.clear();
}

/** `--version` output, trimmed; '' when the program fails. Some print it on stderr. */
export function programVersion(path: string, args: string[] = ['--version']): string {
  const r = spawnSync(path, args, { encoding: 'utf8', timeout: 5000, stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.error) return '';
  const out = (r.stdout ?? '').trim();
  return out || (r.status === 0 ? (r.stderr ?? '').trim() : '');
}

/** Parse the first `x.y[.z]` in a version text. */
export function parseVersion(text: string): [number, number, number] | undefined {
  const m = /(\d+)\.(\d+)(?:\.(\d+))?/.exec(text);
  if (!m) return undefined;
  return [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)];
}

export function versionAtLeast(v: [number, number, number], min: [number, number, number]): boolean {
  for (let i = 0; i < 3; i++) {
    if (v[i]! !== min[i]!) return v[i]! > min[i]!;
  }
  return true;
}

/**
 * The distribution package that owns each path, as Podman reports it: `name_version_arch`
 * (dpkg) or `name-version-release.arch` (rpm); 'Unknown' when no package manager claims it.
 * One dpkg-query/rpm call for all paths (≈100 ms, hence the cache).
 */
export function owningPackages(paths: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of paths) out[p] = 'Unknown';
  if (paths.length === 0) return out;
  // dpkg lists the path it installed: resolve symlinks (pasta → passt) and merged-/usr aliases.
  const real = new Map<string, string>();
  for (const p of paths) {
    let r = p;
    try {
      r = realpathSync(p);
    } catch {
      /* keep p */
    }
    real.set(p, r);
  }
  const dpkg = findProgram('dpkg-query');
  if (dpkg) {
    const candidates = [...new Set([...real.values(), ...paths, ...[...real.values()].map(unmerged).filter((x): x is string => !!x)])];
    const r = spawnSync(dpkg, ['-S', ...candidates], { encoding: 'utf8', timeout: 10000, stdio: ['ignore', 'pipe', 'ignore'] });
    const owner = new Map<string, string>();
    for (const line of (r.stdout ?? '').split('\n')) {
      const m = /^([^:]+)(?::[^:]+)?: (\/.*)$/.exec(line.trim());
      if (m && !m[1]!.includes(',')) owner.set(m[2]!, m[1]!);
    }
    const names = new Set(owner.values());
    const versions = new Map<string, string>();
    if (names.size) {
      const q = spawnSync(dpkg, ['-W', '-f', '${Package}\t${Package}_${Version}_${Architecture}\n', ...names], {
        encoding: 'utf8',
        timeout: 10000,
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      for (const line of (q.stdout ?? '').split('\n')) {
        const [n, full] = line.split('\t');
        if (n && full) versions.set(n, full);
      }
    }
    for (const p of paths) {
      const r2 = real.get(p)!;
      const pkg = owner.get(r2) ?? owner.get(p) ?? owner.get(unmerged(r2) ?? '');
      if (pkg) out[p] = versions.get(pkg) ?? pkg;
    }
    return out;
  }
  const rpm = findProgram('rpm');
  if (rpm) {
    for (const p of paths) {
      const r = spawnSync(rpm, ['-qf', real.get(p)!], { encoding: 'utf8', timeout: 10000, stdio: ['ignore', 'pipe', 'ignore'] });
      const line = (r.stdout ?? '').trim().split('\n')[0];
      if (r.status === 0 && line) out[p] = line;
    }
  }
  return out;
}

/** /usr/bin/x → /bin/x: dpkg may have the pre-merged-/usr path on record. */
function unmerged(p: string): string | undefined {
  const m = /^\/usr(\/(?:s?bin|lib\w*)\/.*)$/.exec(p);
  return m ? m[1] : undefined;
}

export interface ProgramFacts {
  name: string;
  path: string;
  /** `--version` output, as the program prints it (several lines for crun, runc, slirp4netns). */
  version: string;
  /** Owning package (see owningPackages), 'Unknown' when none. */
  package: string;
}

interface CacheEntry {
  key: string;
  version: string;
  package: string;
}

interface CacheFile {
  version: 1;
  programs: Record<string, CacheEntry>;
}

const CACHE_NAME = 'programs.json';

function fileKey(path: string): string | undefined {
  try {
    const st = statSync(path);
    return `${st.ino}:${st.size}:${st.mtimeMs}`;
  } catch {
    return undefined;
  }
}

function readCache(dir: string | undefined): CacheFile {
  if (!dir) return { version: 1, programs: {} };
  try {
    const c = JSON.parse(readFileSync(join(dir, CACHE_NAME), 'utf8')) as CacheFile;
    if (c.version === 1 && c.programs && typeof c.programs === 'object') return c;
  } catch {
    /* no cache yet */
  }
  return { version: 1, programs: {} };
}

/** Write a cache file into the run root: temp file + rename; a failure only costs speed. */
export function writeCacheFile(dir: string, name: string, value: unknown): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const tmp = join(dir, `.${name}.${process.pid}.tmp`);
    writeFileSync(tmp, JSON.stringify(value, null, 1), { mode: 0o600 });
    renameSync(tmp, join(dir, name));
  } catch {
    /* not writable (e.g. another user's run root): work uncached */
  }
}

export interface DescribeOptions {
  /** The run root: where the cache lives. Without it nothing is cached. */
  cacheDir?: string | undefined;
  /** Ignore cached entries (system check). */
  force?: boolean;
  pathEnv?: string | undefined;
}

/**
 * Path, version and package of each named program (or path); missing programs are left out.
 * Versions and packages come from the cache when the binary is unchanged.
 */
export function describePrograms(names: string[], opts: DescribeOptions = {}): Record<string, ProgramFacts> {
  const cache = readCache(opts.cacheDir);
  const out: Record<string, ProgramFacts> = {};
  const fresh: { name: string; path: string; key: string }[] = [];
  for (const name of names) {
    const path = findProgram(name, opts.pathEnv ?? process.env.PATH);
    if (!path) continue;
    const key = fileKey(path);
    if (!key) continue;
    const hit = cache.programs[path];
    if (!opts.force && hit && hit.key === key) {
      out[name] = { name, path, version: hit.version, package: hit.package };
    } else {
      fresh.push({ name, path, key });
    }
  }
  if (fresh.length === 0) return out;
  const pkgs = owningPackages(fresh.map((f) => f.path));
  for (const f of fresh) {
    const version = programVersion(f.path);
    const pkg = pkgs[f.path] ?? 'Unknown';
    out[f.name] = { name: f.name, path: f.path, version, package: pkg };
    cache.programs[f.path] = { key: f.key, version, package: pkg };
  }
  if (opts.cacheDir) writeCacheFile(opts.cacheDir, CACHE_NAME, cache);
  return out;
}
