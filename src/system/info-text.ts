/**
 * How `info` is shown: Podman prints YAML (map keys sorted, go-yaml v2 layout) by default, JSON
 * with its json tags for `--format json`, and runs Go templates against the Go structs, whose
 * field names differ from the JSON keys (`{{.Host.Security.Rootless}}`, `{{.Store.GraphRoot}}`,
 * `{{.Host.CgroupsVersion}}` for "cgroupVersion"). templateView() gives the template engine an
 * object with the Go names whose toJSON() is the original, so `{{json .Host}}` still prints
 * Podman's JSON keys.
 */

/** JSON key → Go field name where simple capitalisation is not it (libpod/define/info.go). */
const GO_NAMES: Record<string, string> = {
  cgroupVersion: 'CgroupsVersion',
  cpus: 'CPUs',
  cpuUtilization: 'CPUUtilization',
  idMappings: 'IDMappings',
  ociRuntime: 'OCIRuntime',
  os: 'OS',
  slirp4netns: 'Slirp4NetNS',
  apparmorEnabled: 'AppArmorEnabled',
  capabilities: 'DefaultCapabilities',
  seccompEnabled: 'SECCOMPEnabled',
  seccompProfilePath: 'SECCOMPProfilePath',
  selinuxEnabled: 'SELinuxEnabled',
  gidmap: 'GIDMap',
  uidmap: 'UIDMap',
  container_id: 'ContainerID',
  host_id: 'HostID',
};

/** Go maps, not structs: their keys are data and stay as they are. */
const MAP_PATHS = new Set(['registries', 'store.graphOptions', 'store.graphStatus']);

export function goName(key: string): string {
  return GO_NAMES[key] ?? key.charAt(0).toUpperCase() + key.slice(1);
}

/** The object Go templates see: Go field names, with toJSON() returning the original. */
export function templateView(value: unknown, path = ''): unknown {
  if (Array.isArray(value)) return value.map((v) => templateView(v, path));
  if (value === null || typeof value !== 'object') return value;
  if (MAP_PATHS.has(path)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    out[goName(k)] = templateView(v, path ? `${path}.${k}` : k);
  }
  Object.defineProperty(out, 'toJSON', { value: () => value, enumerable: false });
  return out;
}

/** Strings go-yaml would read back as another type: they get double quotes. */
const YAML_AMBIGUOUS = /^(?:~|null|Null|NULL|true|True|TRUE|false|False|FALSE|y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF|[-+]?(?:\d[\d_]*)?\.?\d+(?:[eE][-+]?\d+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)|0x[0-9a-fA-F_]+|0o?[0-7_]+|0b[01_]+|\d{4}-\d\d?-\d\d?.*)$/;

/** A scalar string as go-yaml v2 writes it: plain when unambiguous, else quoted. */
export function yamlString(s: string): string {
  if (s === '') return '""';
  if (YAML_AMBIGUOUS.test(s)) return JSON.stringify(s);
  if (/[\x00-\x08\x0b-\x1f\x7f]/.test(s)) return JSON.stringify(s);
  const needsQuote =
    /^[\s\-?:,[\]{}#&*!|>'"%@`]/.test(s) || /\s$/.test(s) || s.includes(': ') || s.includes(' #') || s.endsWith(':') || s.includes('\t');
  if (!needsQuote) return s;
  return `'${s.replace(/'/g, "''")}'`;
}

function scalar(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return yamlString(v);
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return yamlString(String(v));
}

function isEmptyContainer(v: unknown): string | undefined {
  if (Array.isArray(v) && v.length === 0) return '[]';
  if (v && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0) return '{}';
  return undefined;
}

function isContainer(v: unknown): v is object {
  return v !== null && typeof v === 'object';
}

/** `key: value` lines for one value at `indent`, go-yaml v2 layout (sequences not indented under their key). */
function emit(lines: string[], prefix: string, v: unknown, indent: number): void {
  const pad = ' '.repeat(indent);
  const empty = isEmptyContainer(v);
  if (empty) {
    lines.push(`${prefix} ${empty}`);
    return;
  }
  if (typeof v === 'string' && v.includes('\n')) {
    lines.push(`${prefix} |-`);
    for (const l of v.replace(/\n+$/, '').split('\n')) lines.push(l === '' ? '' : `${pad}  ${l}`);
    return;
  }
  if (!isContainer(v)) {
    lines.push(`${prefix} ${scalar(v)}`);
    return;
  }
  lines.push(prefix);
  if (Array.isArray(v)) {
    for (const item of v) emitItem(lines, item, indent);
  } else {
    emitMap(lines, v as Record<string, unknown>, indent + 2);
  }
}

function emitMap(lines: string[], m: Record<string, unknown>, indent: number): void {
  const pad = ' '.repeat(indent);
  for (const k of Object.keys(m).sort()) {
    const v = m[k];
    if (v === undefined) continue;
    emit(lines, `${pad}${yamlString(k)}:`, v, indent);
  }
}

/** One `- item` of a sequence whose key sits at `indent`. */
function emitItem(lines: string[], item: unknown, indent: number): void {
  const pad = ' '.repeat(indent);
  if (!isContainer(item) || isEmptyContainer(item)) {
    lines.push(`${pad}- ${isEmptyContainer(item) ?? scalar(item)}`);
    return;
  }
  if (Array.isArray(item)) {
    lines.push(`${pad}-`);
    for (const x of item) emitItem(lines, x, indent + 2);
    return;
  }
  // A map in a sequence: its first key on the dash line, the rest aligned under it.
  const sub: string[] = [];
  emitMap(sub, item as Record<string, unknown>, indent + 2);
  sub[0] = `${pad}- ${sub[0]!.slice(indent + 2)}`;
  lines.push(...sub);
}

/** YAML text of a JSON-like value, keys sorted, as `podman info` prints. */
export function toYaml(value: Record<string, unknown>): string {
  const lines: string[] = [];
  emitMap(lines, value, 0);
  return lines.join('\n') + '\n';
}
