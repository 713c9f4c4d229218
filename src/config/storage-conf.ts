/**
 * CONTAINERS_STORAGE_CONF (containers-storage.conf(5)): a CI job points it at a file that puts
 * storage on a cache directory. Only the [storage] keys that say where things go are read;
 * the file is small and read on every command, so a few lines of parsing instead of a TOML
 * library on the start-up path.
 */
import { readFileSync } from 'node:fs';
import { TscCtrError } from '../errors.js';

export interface StorageConf {
  graphroot?: string;
  runroot?: string;
  /** rootless_storage_path: the graph root for rootless users ($USER, $UID, $HOME expanded). */
  rootlessStoragePath?: string;
  driver?: string;
}

const KEYS: Record<string, keyof StorageConf> = {
  graphroot: 'graphroot',
  runroot: 'runroot',
  rootless_storage_path: 'rootlessStoragePath',
  driver: 'driver',
};

function unquote(v: string, where: string): string {
  const m = /^"((?:[^"\\]|\\.)*)"|^'([^']*)'/.exec(v);
  if (!m) throw new TscCtrError(`${where}: expected a quoted string`, { code: 'TSC_ERR_STORAGE_CONF' });
  if (m[2] !== undefined) return m[2];
  return m[1]!.replace(/\\(["\\nt])/g, (_s, c: string) => ({ n: '\n', t: '\t' })[c] ?? c);
}

/** The [storage] table's location keys (pure). Other tables and keys are ignored. */
export function parseStorageConf(text: string, file = 'storage.conf'): StorageConf {
  const out: StorageConf = {};
  let table = '';
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const t = /^\[\s*([^\]]+?)\s*\]/.exec(line);
    if (t) {
      table = t[1]!;
      return;
    }
    if (table !== 'storage') return;
    const kv = /^([A-Za-z0-9_-]+)\s*=\s*(.*)$/.exec(line);
    if (!kv) return;
    const key = KEYS[kv[1]!];
    if (key) out[key] = unquote(kv[2]!.trim(), `${file}:${i + 1}: ${kv[1]}`);
  });
  return out;
}

export function expandStorageVars(path: string, vars: { uid: number; user: string; home: string }): string {
  return path.replace(/\$(UID|USER|HOME)\b|\$\{(UID|USER|HOME)\}/g, (_m, a?: string, b?: string) => {
    const k = (a ?? b) as 'UID' | 'USER' | 'HOME';
    return k === 'UID' ? String(vars.uid) : k === 'USER' ? vars.user : vars.home;
  });
}

/** Read $CONTAINERS_STORAGE_CONF, if set: a missing or unreadable file is an error, not ignored. */
export function readStorageConfFromEnv(env: NodeJS.ProcessEnv): (StorageConf & { file: string }) | undefined {
  const file = env.CONTAINERS_STORAGE_CONF;
  if (!file) return undefined;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new TscCtrError(`reading CONTAINERS_STORAGE_CONF=${file}: ${(err as Error).message}`, { code: 'TSC_ERR_STORAGE_CONF' });
  }
  const conf = parseStorageConf(text, file);
  if (conf.driver && !['overlay', 'fuse-overlayfs'].includes(conf.driver)) {
    throw new TscCtrError(`${file}: storage driver "${conf.driver}" is not supported: tsc-ctr uses overlay or fuse-overlayfs`, { code: 'TSC_ERR_STORAGE_CONF' });
  }
  return { ...conf, file };
}
