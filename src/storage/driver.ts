/**
 * Which storage driver a store uses. The first use decides (an explicit request, else the probe)
 * and `<root>/driver.json` keeps the answer, so a store never switches driver silently when the
 * host changes (a kernel update, fuse-overlayfs removed) or a flag is forgotten: a request for
 * another driver on a store that holds layers is refused, as containers/storage refuses a graph
 * driver that does not match its database.
 */
import { mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { StorePaths } from '../config/paths.js';
import { readStorageConfFromEnv } from '../config/storage-conf.js';
import { TscCtrError } from '../errors.js';
import { writeFileAtomic } from './atomic.js';
import { listLayerIds } from './layers.js';
import { withStorageLock } from './lock.js';

export type DriverName = 'overlay' | 'fuse-overlayfs';

/** Drivers this build can mount with. */
export const DRIVER_NAMES: readonly DriverName[] = ['overlay', 'fuse-overlayfs'];

export const DRIVER_FILE = 'driver.json';

/** Environment variable that requests a driver (the `--storage-driver` flag sets it for children). */
export const DRIVER_ENV = 'TSC_CTR_STORAGE_DRIVER';

/** `<root>/driver.json`. */
export interface DriverRecord {
  driver: DriverName;
  /** Who decided: an explicit request (flag, env, storage.conf) or the probe. */
  chosenBy: 'request' | 'probe';
  reason: string;
  created: string;
}

export interface DriverRequest {
  driver: DriverName;
  /** Where the request came from, for messages. */
  source: string;
}

export class StorageDriverError extends TscCtrError {
  constructor(message: string) {
    super(message, { code: 'TSC_ERR_STORAGE_DRIVER' });
  }
}

/** A driver name from the user; unknown ones are an error naming the choices. */
export function parseDriverName(name: string, source: string): DriverName {
  if ((DRIVER_NAMES as readonly string[]).includes(name)) return name as DriverName;
  throw new StorageDriverError(`${source}: storage driver "${name}" is not supported: choose one of ${DRIVER_NAMES.join(', ')}`);
}

/** The explicit request, if any: the flag (passed as `flag`), then $TSC_CTR_STORAGE_DRIVER, then storage.conf's `driver`. */
export function requestedDriver(flag: string | undefined, env: NodeJS.ProcessEnv, confDriver?: { driver?: string | undefined; file: string }): DriverRequest | undefined {
  if (flag) return { driver: parseDriverName(flag, '--storage-driver'), source: '--storage-driver' };
  const e = env[DRIVER_ENV];
  if (e) return { driver: parseDriverName(e, DRIVER_ENV), source: DRIVER_ENV };
  if (confDriver?.driver) return { driver: parseDriverName(confDriver.driver, confDriver.file), source: confDriver.file };
  return undefined;
}

export type DriverDecision =
  | { kind: 'use'; driver: DriverName }
  | { kind: 'record'; driver: DriverName; chosenBy: DriverRecord['chosenBy'] }
  | { kind: 'probe' };

/**
 * What to do given the request, the store's record and whether the store holds layers (pure).
 * A request on a store that holds nothing yet may replace its record: nothing on disk depends
 * on the driver then.
 */
export function decideDriver(o: { request?: DriverRequest | undefined; recorded?: DriverName | undefined; inUse: boolean; root: string }): DriverDecision {
  const { request, recorded } = o;
  if (recorded && request && request.driver !== recorded) {
    if (o.inUse) {
      throw new StorageDriverError(
        `database storage graph driver "${recorded}" does not match our storage graph driver "${request.driver}" (from ${request.source}): the store at ${o.root} holds layers made with "${recorded}"; drop the option or use another --root`,
      );
    }
    return { kind: 'record', driver: request.driver, chosenBy: 'request' };
  }
  if (recorded) return { kind: 'use', driver: recorded };
  if (request) return { kind: 'record', driver: request.driver, chosenBy: 'request' };
  return { kind: 'probe' };
}

export function readDriverRecord(root: string): DriverRecord | undefined {
  let text: string;
  try {
    text = readFileSync(join(root, DRIVER_FILE), 'utf8');
  } catch {
    return undefined;
  }
  let rec: DriverRecord;
  try {
    rec = JSON.parse(text) as DriverRecord;
  } catch (err) {
    throw new StorageDriverError(`${join(root, DRIVER_FILE)}: ${(err as Error).message}`);
  }
  parseDriverName(String(rec.driver), join(root, DRIVER_FILE));
  return rec;
}

/** Does the store hold anything a driver change would break (layers, containers)? */
export function storeInUse(root: string): boolean {
  if (listLayerIds(root).length > 0) return true;
  try {
    return readdirSync(join(root, 'containers')).some((n) => /^[a-f0-9]{64}$/.test(n));
  } catch {
    return false;
  }
}

function writeRecord(root: string, rec: DriverRecord): void {
  mkdirSync(root, { recursive: true, mode: 0o700 });
  writeFileAtomic(join(root, DRIVER_FILE), `${JSON.stringify(rec, null, 2)}\n`, { mode: 0o644 });
}

export interface StoreDriverOptions {
  paths: StorePaths;
  rootless: boolean;
  env?: NodeJS.ProcessEnv;
  /** `--storage-driver`, when the caller has it (children see it as $TSC_CTR_STORAGE_DRIVER). */
  flag?: string | undefined;
}

/** The request from flag, environment and $CONTAINERS_STORAGE_CONF. */
export function requestFrom(o: Pick<StoreDriverOptions, 'env' | 'flag'>): DriverRequest | undefined {
  const env = o.env ?? process.env;
  const conf = o.flag || env[DRIVER_ENV] ? undefined : readStorageConfFromEnv(env);
  return requestedDriver(o.flag, env, conf);
}

/** The store's driver without deciding anything (info on a fresh store): the record, else the request. */
export function peekStoreDriver(o: StoreDriverOptions): DriverRecord | DriverRequest | undefined {
  return readDriverRecord(o.paths.storageRoot) ?? requestFrom(o);
}

/**
 * The driver this store mounts with, deciding and recording it on first use (under the storage
 * lock: two first commands racing agree on one answer).
 */
export async function storeDriver(o: StoreDriverOptions): Promise<DriverName> {
  const root = o.paths.storageRoot;
  const request = requestFrom(o);
  const quick = decideDriver({ request, recorded: readDriverRecord(root)?.driver, inUse: false, root });
  if (quick.kind === 'use') return quick.driver;
  mkdirSync(root, { recursive: true, mode: 0o700 });
  return withStorageLock(root, async () => {
    const recorded = readDriverRecord(root)?.driver;
    const d = decideDriver({ request, recorded, inUse: recorded !== undefined && storeInUse(root), root });
    if (d.kind === 'use') return d.driver;
    if (d.kind === 'record') {
      writeRecord(root, { driver: d.driver, chosenBy: d.chosenBy, reason: `requested by ${request?.source}`, created: new Date().toISOString() });
      return d.driver;
    }
    const { chooseStorageDriver } = await import('../system/checks/overlay.js');
    const choice = await chooseStorageDriver({ paths: o.paths, rootless: o.rootless, pathEnv: (o.env ?? process.env).PATH });
    if (choice.driver === 'vfs') {
      throw new StorageDriverError(`no storage driver works here: ${choice.reason.replace(/: vfs will be used$/, '')}`);
    }
    writeRecord(root, { driver: choice.driver, chosenBy: 'probe', reason: choice.reason, created: new Date().toISOString() });
    return choice.driver;
  });
}

/**
 * Every command given a driver (flag, environment, storage.conf) checks it against the store
 * first, so a mismatch fails before anything is pulled or created; on a new store the request is
 * recorded. Children (the namespace re-exec, conmon's exit command) inherit it through the
 * environment.
 */
export async function applyDriverRequest(o: { flag?: string | undefined; root?: string | undefined; runroot?: string | undefined }): Promise<void> {
  if (o.flag) process.env[DRIVER_ENV] = parseDriverName(o.flag, '--storage-driver');
  if (!process.env[DRIVER_ENV] && !process.env.CONTAINERS_STORAGE_CONF) return;
  const { isRootless, resolvePaths } = await import('../config/paths.js');
  const paths = resolvePaths({ root: o.root, runroot: o.runroot });
  if (!requestFrom({})) return;
  await storeDriver({ paths, rootless: isRootless() });
}

/**
 * What `info` reports: the store's driver when it has one, else what the first mount would pick
 * (without recording it: `info` decides nothing).
 */
export async function describeStoreDriver(o: StoreDriverOptions & { pathEnv?: string | undefined }): Promise<{ driver: DriverName | 'vfs'; mountProgram?: string }> {
  const { chooseStorageDriver } = await import('../system/checks/overlay.js');
  const { findProgram } = await import('../system/binaries.js');
  let known: DriverName | undefined;
  try {
    known = peekStoreDriver(o)?.driver;
  } catch {
    known = undefined;
  }
  const choice = known ? { driver: known } : await chooseStorageDriver({ paths: o.paths, rootless: o.rootless, pathEnv: o.pathEnv });
  if (choice.driver !== 'fuse-overlayfs') return { driver: choice.driver };
  const prog = findProgram('fuse-overlayfs', o.pathEnv ?? process.env.PATH);
  return prog ? { driver: choice.driver, mountProgram: prog } : { driver: choice.driver };
}
