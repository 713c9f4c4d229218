/**
 * `image inspect`: Podman's image inspect JSON (libimage ImageData), built from the image
 * record, its config and manifest blobs, and its layers' directories.
 */
import type { HistoryEntry, ImageConfig, ImageManifest, ImageRuntimeConfig } from '../oci/image.js';
import { MediaType } from '../oci/image.js';
import { repoDigests, repoTags } from '../storage/images.js';
import type { Store } from '../storage/store.js';
import type { ImageRecord } from '../storage/types.js';
import { asGoMap, asGoStruct } from '../ui/template/values.js';

/** OCI ImageConfig as Podman prints it under `Config` (empty fields left out). */
export type InspectConfig = Pick<
  ImageRuntimeConfig,
  'User' | 'ExposedPorts' | 'Env' | 'Entrypoint' | 'Cmd' | 'Volumes' | 'WorkingDir' | 'Labels' | 'StopSignal' | 'ArgsEscaped'
>;

export interface ImageInspect {
  Id: string;
  Digest: string;
  RepoTags: string[];
  RepoDigests: string[];
  Parent: string;
  Comment: string;
  Created: string | null;
  Config: InspectConfig;
  Version: string;
  Author: string;
  Architecture: string;
  Os: string;
  Size: number;
  VirtualSize: number;
  GraphDriver: { Name: string; Data: Record<string, string> };
  RootFS: { Type: string; Layers: string[] };
  Labels: Record<string, string> | null;
  Annotations: Record<string, string>;
  ManifestType: string;
  User: string;
  History: HistoryEntry[] | null;
  NamesHistory: string[] | null;
  Healthcheck?: unknown;
}

/** What went wrong with an image's files: a missing layer or blob makes the image unusable. */
export interface ImageProblems {
  missingLayers: string[];
  missingConfig: boolean;
  missingManifest: boolean;
}

const CONFIG_KEYS = ['User', 'ExposedPorts', 'Env', 'Entrypoint', 'Cmd', 'Volumes', 'WorkingDir', 'Labels', 'StopSignal', 'ArgsEscaped'] as const;

function isEmpty(v: unknown): boolean {
  if (v === undefined || v === null || v === '' || v === false) return true;
  if (Array.isArray(v)) return v.length === 0;
  if (typeof v === 'object') return Object.keys(v as object).length === 0;
  return false;
}

function zeroOf(k: (typeof CONFIG_KEYS)[number]): unknown {
  switch (k) {
    case 'Env':
    case 'Entrypoint':
    case 'Cmd':
      return [];
    case 'ExposedPorts':
    case 'Volumes':
    case 'Labels':
      return asGoMap({});
    case 'ArgsEscaped':
      return false;
    default:
      return '';
  }
}

/** The OCI subset of the runtime config, in Go's field order, omitting empty fields. */
export function inspectConfig(cfg: ImageRuntimeConfig | undefined): InspectConfig {
  const out: Record<string, unknown> = {};
  for (const k of CONFIG_KEYS) {
    const v = cfg?.[k];
    if (!isEmpty(v)) out[k] = v !== null && typeof v === 'object' && !Array.isArray(v) ? asGoMap({ ...v }) : v;
    // An empty field is left out of the JSON (omitempty) but a template still finds Go's zero
    // value there: a non-enumerable property.
    else Object.defineProperty(out, k, { value: zeroOf(k), enumerable: false });
  }
  return asGoStruct(out) as InspectConfig;
}

function historyEntries(h: HistoryEntry[] | undefined): HistoryEntry[] | null {
  if (!h) return null;
  return h.map((e) => {
    const o: HistoryEntry = {};
    if (e.created) o.created = e.created;
    if (e.created_by) o.created_by = e.created_by;
    if (e.author) o.author = e.author;
    if (e.comment) o.comment = e.comment;
    if (e.empty_layer) o.empty_layer = e.empty_layer;
    // Templates use Go's field names ({{.CreatedBy}}); JSON keeps the OCI keys.
    const go: Record<string, unknown> = {
      Created: e.created ? new Date(e.created) : null,
      CreatedBy: e.created_by ?? '',
      Author: e.author ?? '',
      Comment: e.comment ?? '',
      EmptyLayer: !!e.empty_layer,
    };
    for (const [k, v] of Object.entries(go)) Object.defineProperty(o, k, { value: v, enumerable: false });
    return asGoStruct(o); // Go's field order, not sorted like a map
  });
}

export function imageProblems(store: Store, img: ImageRecord): ImageProblems {
  return {
    missingLayers: store.missingLayers(img),
    missingConfig: !store.hasBlob(`sha256:${img.id}`),
    missingManifest: !!img.digest && !store.hasBlob(img.digest),
  };
}

/** A one-line description of what is broken, or undefined for a sound image. */
export function describeProblems(img: ImageRecord, p: ImageProblems): string | undefined {
  const what: string[] = [];
  if (p.missingLayers.length) what.push(`layer${p.missingLayers.length > 1 ? 's' : ''} ${p.missingLayers.map((l) => l.slice(0, 12)).join(', ')} missing`);
  if (p.missingConfig) what.push('config missing');
  if (p.missingManifest) what.push('manifest missing');
  if (!what.length) return undefined;
  return `image ${img.id.slice(0, 12)} is broken (${what.join('; ')}): remove it and pull it again`;
}

/** Podman's inspect data for one image. Missing files give empty fields, never an exception. */
export function inspectImage(store: Store, img: ImageRecord): ImageInspect {
  const cfg: ImageConfig | undefined = store.imageConfig(img);
  let manifest: ImageManifest | undefined;
  try {
    if (img.digest) manifest = JSON.parse(store.readBlob(img.digest).toString('utf8')) as ImageManifest;
  } catch {
    manifest = undefined;
  }
  const raw = cfg as (ImageConfig & { comment?: string; docker_version?: string; container_config?: { Healthcheck?: unknown } }) | undefined;
  const isOci = img.manifestMediaType === MediaType.OciManifest;
  const comment = isOci ? (cfg?.history?.[0]?.comment ?? '') : (raw?.comment ?? '');
  const size = store.imageSize(img);

  // GraphDriver: the top layer is the "upper" dir of the image, its parents the lower dirs
  // (nearest first), as containers/storage's overlay driver reports them.
  const data: Record<string, string> = {};
  const ids = [...img.layers].reverse();
  if (ids.length > 1) data.LowerDir = ids.slice(1).map((l) => store.layerDiffDir(l)).join(':');
  if (ids.length) data.UpperDir = store.layerDiffDir(ids[0]!);

  const out: ImageInspect = {
    Id: img.id,
    Digest: img.digest,
    RepoTags: repoTags(img),
    RepoDigests: repoDigests(img),
    Parent: '',
    Comment: comment,
    Created: cfg?.created ?? null,
    Config: inspectConfig(cfg?.config),
    Version: raw?.docker_version ?? '',
    Author: cfg?.author ?? '',
    Architecture: cfg?.architecture ?? '',
    Os: cfg?.os ?? '',
    Size: size,
    VirtualSize: size,
    GraphDriver: { Name: 'overlay', Data: asGoMap(data) },
    RootFS: { Type: cfg?.rootfs?.type ?? 'layers', Layers: cfg?.rootfs?.diff_ids ?? [] },
    Labels: cfg?.config?.Labels && Object.keys(cfg.config.Labels).length ? asGoMap({ ...cfg.config.Labels }) : null,
    Annotations: asGoMap({ ...((isOci ? manifest?.annotations : undefined) ?? {}) }),
    ManifestType: img.manifestMediaType,
    User: cfg?.config?.User ?? '',
    History: historyEntries(cfg?.history),
    NamesHistory: img.namesHistory ?? null,
  };
  if (!isOci) {
    const hc = raw?.container_config?.Healthcheck ?? raw?.config?.Healthcheck;
    if (hc !== undefined && hc !== null) out.Healthcheck = hc;
  }
  // Go templates name the struct field `ID` (`{{.ID}}` works in Podman); JSON says "Id".
  Object.defineProperty(out, 'ID', { value: img.id, enumerable: false });
  Object.defineProperty(out, 'HealthCheck', { get: () => out.Healthcheck, enumerable: false });
  return out;
}
