/**
 * Parsing of the mount flags of `run`/`create` (create time): `-v/--volume`, `--mount` and
 * `--tmpfs`, with Podman's rules and messages (pkg/specgenutil/volumes.go, pkg/specgen/volumes.go,
 * containers/common pkg/parse). Relative host paths are resolved against the caller's cwd here,
 * because the spec is generated again at every start, from another cwd.
 */
import { posix } from 'node:path';
import { UsageError } from '../../errors.js';
import type { MountRequest, VolumeRequest } from './types.js';

/** Volume names, as Podman's: `[a-zA-Z0-9][a-zA-Z0-9_.-]*`. */
const VOLUME_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

export const PROPAGATION = ['private', 'rprivate', 'shared', 'rshared', 'slave', 'rslave', 'unbindable', 'runbindable'];

/** `invalid container path "x", must be an absolute path`; returns the cleaned path. */
export function cleanContainerPath(p: string): string {
  if (p === '') throw new UsageError('container directory cannot be empty');
  if (!p.startsWith('/')) throw new UsageError(`invalid container path "${p}", must be an absolute path`);
  const c = posix.normalize(p);
  return c.length > 1 ? c.replace(/\/+$/, '') : c;
}

/**
 * Options after `-v src:dst:` — each kind at most once (containers/common ValidateVolumeOpts).
 * `cached`/`delegated` (macOS) are dropped. Features tsc-ctr does not have yet are refused here,
 * at create, with the reason.
 */
export function validateVolumeOpts(options: string[], flag: string): string[] {
  const seen = new Map<string, string>();
  const once = (group: string, what: string, opt: string) => {
    if (seen.has(group)) throw new UsageError(`invalid options "${options.join(', ')}", can only specify 1 ${what} option`);
    seen.set(group, opt);
  };
  const out: string[] = [];
  for (const opt of options) {
    if (opt === 'O' || opt.startsWith('upperdir') || opt.startsWith('workdir')) {
      throw new UsageError(`overlay volumes (:O) are not supported yet: ${flag}`);
    }
    if (opt.startsWith('idmap')) throw new UsageError(`idmapped mounts are not supported yet: ${flag}`);
    switch (opt) {
      case 'noexec':
      case 'exec':
        once('exec', "'noexec' or 'exec'", opt);
        break;
      case 'nodev':
      case 'dev':
        once('dev', "'nodev' or 'dev'", opt);
        break;
      case 'nosuid':
      case 'suid':
        once('suid', "'nosuid' or 'suid'", opt);
        break;
      case 'rw':
      case 'ro':
        once('rw', "'rw' or 'ro'", opt);
        break;
      case 'z':
      case 'Z':
        once('label', "'z', 'Z', or 'O'", opt);
        break;
      case 'U':
        once('U', "'U'", opt);
        break;
      case 'bind':
      case 'rbind':
        once('bind', "'[r]bind'", opt);
        break;
      case 'copy':
      case 'nocopy':
        once('copy', "'copy' or 'nocopy'", opt);
        break;
      case 'cached':
      case 'delegated':
        continue;
      default:
        if (PROPAGATION.includes(opt)) {
          once('propagation', "'[r]shared', '[r]private', '[r]slave' or '[r]unbindable'", opt);
          break;
        }
        throw new UsageError(`invalid option type "${opt}" in ${flag}`);
    }
    out.push(opt);
  }
  return out;
}

function resolveHostPath(src: string, cwd: string): string {
  return posix.resolve(cwd, src);
}

/**
 * One `-v/--volume` value. `dst` alone is an anonymous volume; a source starting with `/` or `.`
 * is a host directory (relative ones resolved against `cwd`, as Podman does for `./x`); any other
 * source names a volume.
 */
export function parseVolumeFlag(vol: string, cwd: string): { mount?: MountRequest; volume?: VolumeRequest } {
  const flag = `-v ${vol}`;
  const parts = vol.split(':');
  if (parts.length > 3) throw new UsageError(`incorrect volume format "${vol}", should be [host-dir:]ctr-dir[:option]`);
  if (parts.length === 1) return { volume: { destination: cleanContainerPath(parts[0]!), options: [] } };
  const [src = '', dst = '', opts] = parts;
  if (src === '') throw new UsageError(`host directory cannot be empty: ${flag}`);
  const destination = cleanContainerPath(dst);
  const options = opts === undefined ? [] : validateVolumeOpts(opts.split(','), flag);
  if (src.startsWith('/') || src.startsWith('.')) {
    if (options.includes('U')) throw new UsageError(`the U (chown) option is not supported yet for host directories: ${flag}`);
    if (options.includes('copy') || options.includes('nocopy')) throw new UsageError(`'copy' and 'nocopy' apply to volumes only: ${flag}`);
    return { mount: { type: 'bind', destination, source: resolveHostPath(src, cwd), options } };
  }
  if (!VOLUME_NAME.test(src)) {
    const hint = src.includes('/') ? ` (for a host directory use an absolute path or ./${src})` : '';
    throw new UsageError(`invalid volume name "${src}": names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*${hint}`);
  }
  if (options.includes('U')) throw new UsageError(`the U (chown) option is not supported yet for volumes: ${flag}`);
  return { volume: { name: src, destination, options } };
}

/** One `--tmpfs /path[:opts]`. */
export function parseTmpfsFlag(spec: string): MountRequest {
  const i = spec.indexOf(':');
  const dest = i < 0 ? spec : spec.slice(0, i);
  const options = i < 0 || spec.slice(i + 1) === '' ? [] : spec.slice(i + 1).split(',');
  return { type: 'tmpfs', destination: cleanContainerPath(dest), source: 'tmpfs', options };
}

/** Split a `--mount` value like Go's csv reader: commas separate, double quotes group. */
function splitCsv(s: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (quoted) {
      if (c === '"' && s[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"' && cur === '') quoted = true;
    else if (c === ',') {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  if (quoted) throw new UsageError(`invalid --mount value ${s}: unterminated quote`);
  out.push(cur);
  return out;
}

const MOUNT_SYNTAX = 'incorrect mount format: should be --mount type=<bind|tmpfs|volume>,[src=<host-dir|volume-name>,]target=<ctr-dir>[,options]';

function boolOpt(key: string, val: string | undefined, flag: string): boolean {
  if (val === undefined) return true;
  switch (val.toLowerCase()) {
    case 'true':
      return true;
    case 'false':
      return false;
    default:
      throw new UsageError(`'${key}' must be set to true or false, instead received "${val}": ${flag}`);
  }
}

/**
 * One `--mount` value: `type=bind,src=/a,dst=/b[,ro][,bind-propagation=…]`,
 * `type=tmpfs,dst=/t[,tmpfs-size=64m][,tmpfs-mode=1777]`, `type=volume[,src=name],dst=/v`.
 */
export function parseMountFlag(value: string, cwd: string): { mount?: MountRequest; volume?: VolumeRequest } {
  const flag = `--mount ${value}`;
  let type: string | undefined;
  const tokens: string[] = [];
  for (const t of splitCsv(value)) {
    const m = /^type=(.*)$/.exec(t);
    if (m && type === undefined) type = m[1];
    else tokens.push(t);
  }
  if (type === undefined) throw new UsageError(MOUNT_SYNTAX);
  if (type !== 'bind' && type !== 'tmpfs' && type !== 'volume') {
    if (['image', 'devpts', 'glob', 'artifact', 'ramfs'].includes(type)) throw new UsageError(`--mount type=${type} is not supported yet`);
    throw new UsageError(`invalid filesystem type "${type}"`);
  }
  const options: string[] = [];
  const set = new Set<string>();
  const once = (group: string, what: string) => {
    if (set.has(group)) throw new UsageError(`cannot pass ${what} options more than once: ${flag}`);
    set.add(group);
  };
  let source: string | undefined;
  let destination: string | undefined;
  for (const tok of tokens) {
    const eq = tok.indexOf('=');
    const key = eq < 0 ? tok : tok.slice(0, eq);
    const val = eq < 0 ? undefined : tok.slice(eq + 1);
    const need = () => {
      if (val === undefined) throw new UsageError(`must provide an argument for option ${key}: ${flag}`);
      return val;
    };
    switch (key) {
      case 'src':
      case 'source':
        if (type === 'tmpfs') throw new UsageError(`source is not supported with tmpfs mounts: ${flag}`);
        source = need();
        if (source === '' && type === 'bind') throw new UsageError(`host directory cannot be empty: ${flag}`);
        break;
      case 'target':
      case 'dst':
      case 'destination':
        destination = cleanContainerPath(need());
        break;
      case 'readonly':
      case 'ro':
      case 'rw': {
        once('rw', "'readonly', 'ro', or 'rw'");
        const on = boolOpt(key, val, flag);
        const ro = key === 'rw' ? !on : on;
        if (ro) options.push('ro');
        else if (key === 'rw') options.push('rw');
        break;
      }
      case 'nosuid':
      case 'suid':
        once('suid', "'nosuid' and 'suid'");
        options.push(key);
        break;
      case 'nodev':
      case 'dev':
        once('dev', "'nodev' and 'dev'");
        options.push(key);
        break;
      case 'noexec':
      case 'exec':
        once('exec', "'noexec' and 'exec'");
        options.push(key);
        break;
      case 'U':
      case 'chown':
        once('U', "'U' or 'chown'");
        if (boolOpt(key, val, flag)) {
          if (type !== 'tmpfs') throw new UsageError(`the U (chown) option is not supported yet for ${type} mounts: ${flag}`);
          options.push('U');
        }
        break;
      case 'consistency':
        break;
      default:
        if (type === 'bind') {
          if (key === 'bind-propagation') {
            const p = need();
            if (!PROPAGATION.includes(p)) throw new UsageError(`invalid bind-propagation "${p}": ${flag}`);
            once('propagation', 'bind-propagation');
            options.push(p);
            break;
          }
          if (key === 'bind-nonrecursive') {
            if (boolOpt(key, val, flag)) options.push('bind');
            break;
          }
          if (PROPAGATION.includes(key)) {
            once('propagation', 'propagation');
            options.push(key);
            break;
          }
          if (key === 'z' || key === 'Z' || key === 'relabel') break; // SELinux relabelling: no SELinux support
        }
        if (type === 'tmpfs') {
          if (key === 'tmpfs-size') {
            options.push(`size=${need()}`);
            break;
          }
          if (key === 'tmpfs-mode') {
            const mode = need();
            if (!/^[0-7]{1,4}$/.test(mode)) throw new UsageError(`invalid tmpfs-mode "${mode}": must be octal: ${flag}`);
            options.push(`mode=${mode}`);
            break;
          }
          if (key === 'tmpcopyup' || key === 'notmpcopyup') {
            once('copyup', "'tmpcopyup' and 'notmpcopyup'");
            options.push(key);
            break;
          }
        }
        if (type === 'volume') {
          if (key === 'volume-opt') break; // driver options: the local driver has none that matter here
          if (key === 'volume-nocopy' || key === 'nocopy') {
            if (boolOpt(key, val, flag)) options.push('nocopy');
            break;
          }
        }
        throw new UsageError(`invalid mount option "${key}": ${flag}`);
    }
  }
  if (destination === undefined) throw new UsageError(`must set volume destination: ${flag}`);
  if (type === 'tmpfs') return { mount: { type: 'tmpfs', destination, source: 'tmpfs', options } };
  if (type === 'volume') {
    if (source !== undefined && source !== '' && !VOLUME_NAME.test(source)) {
      throw new UsageError(`invalid volume name "${source}": names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*`);
    }
    return { volume: { ...(source ? { name: source } : {}), destination, options } };
  }
  return { mount: { type: 'bind', destination, source: resolveHostPath(source ?? destination, cwd), options } };
}

function sameOptions(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/**
 * All of -v, --mount and --tmpfs of one container. A destination may be used once (an exact
 * repeat of the same -v or --tmpfs is ignored, as Podman does).
 */
export function collectMounts(
  flags: { volume?: string[] | undefined; mount?: string[] | undefined; tmpfs?: string[] | undefined },
  cwd: string,
): { mounts: MountRequest[]; volumes: VolumeRequest[] } {
  const mounts = new Map<string, MountRequest>();
  const volumes = new Map<string, VolumeRequest>();
  const dup = (d: string) => new UsageError(`duplicate mount destination "${d}"`);
  const taken = (d: string) => mounts.has(d) || volumes.has(d);
  for (const m of flags.mount ?? []) {
    const r = parseMountFlag(m, cwd);
    const d = (r.mount ?? r.volume)!.destination;
    if (taken(d)) throw dup(d);
    if (r.mount) mounts.set(d, r.mount);
    else volumes.set(d, r.volume!);
  }
  for (const v of flags.volume ?? []) {
    const r = parseVolumeFlag(v, cwd);
    if (r.mount) {
      const prev = mounts.get(r.mount.destination);
      if (prev && prev.type === 'bind' && prev.source === r.mount.source && sameOptions(prev.options, r.mount.options)) continue;
      if (taken(r.mount.destination)) throw dup(r.mount.destination);
      mounts.set(r.mount.destination, r.mount);
    } else {
      const vol = r.volume!;
      const prev = volumes.get(vol.destination);
      if (prev && prev.name === vol.name && vol.name !== undefined) continue;
      if (taken(vol.destination)) throw dup(vol.destination);
      volumes.set(vol.destination, vol);
    }
  }
  for (const t of flags.tmpfs ?? []) {
    const m = parseTmpfsFlag(t);
    const prev = mounts.get(m.destination);
    if (prev && prev.type === 'tmpfs') continue;
    if (taken(m.destination)) throw dup(m.destination);
    mounts.set(m.destination, m);
  }
  return { mounts: [...mounts.values()], volumes: [...volumes.values()] };
}
