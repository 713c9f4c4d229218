/**
 * Unpacked layers: `layers/<chainid>/{diff/,layer.json}` plus the short link
 * `l/<26 chars>` -> `../layers/<chainid>/diff` (containers/storage's trick to keep a long
 * lowerdir list inside one page of mount options). Layer ids are the hex of the OCI chain id,
 * so one layer is stored once however many images share it.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { TscCtrError } from '../errors.js';
import type { LayerInfo } from './types.js';

const HEX64 = /^[a-f0-9]{64}$/;
const DIFF_ID = /^sha256:[a-f0-9]{64}$/;

export class LayerIdError extends TscCtrError {
  constructor(message: string) {
    super(message, { code: 'TSC_ERR_BAD_LAYER_ID' });
  }
}

/** Accept `sha256:<hex>` or `<hex>`; return the hex (the layer id). */
export function layerId(chainId: string): string {
  const hex = chainId.startsWith('sha256:') ? chainId.slice(7) : chainId;
  if (!HEX64.test(hex)) throw new LayerIdError(`invalid layer id "${chainId}": expected 64 lowercase hex digits`);
  return hex;
}

/**
 * OCI chain id: the base layer's is its diff id; each next one is
 * sha256("<parent chain id> <diff id>"), ids written as `sha256:<hex>`. Returns the hex.
 */
export function chainId(parent: string | null | undefined, diffId: string): string {
  if (!DIFF_ID.test(diffId)) throw new LayerIdError(`invalid diff id "${diffId}": expected sha256:<64 lowercase hex digits>`);
  if (parent === undefined || parent === null) return diffId.slice(7);
  return createHash('sha256').update(`sha256:${layerId(parent)} ${diffId}`).digest('hex');
}

export function layersDir(root: string): string {
  return join(root, 'layers');
}

/** Temp layer dirs live here: same filesystem as layers/, so the commit rename works. */
export function layerTempDir(root: string): string {
  return join(root, 'layers', '.tmp');
}

export function linksDir(root: string): string {
  return join(root, 'l');
}

export function layerDir(root: string, id: string): string {
  return join(layersDir(root), layerId(id));
}

export function layerDiffDir(root: string, id: string): string {
  return join(layerDir(root, id), 'diff');
}

/** Only complete layers are ever renamed into layers/, so the directory is the existence test. */
export function hasLayer(root: string, id: string): boolean {
  return existsSync(join(layerDir(root, id), 'layer.json'));
}

export function readLayerInfo(root: string, id: string): LayerInfo | undefined {
  try {
    return JSON.parse(readFileSync(join(layerDir(root, id), 'layer.json'), 'utf8')) as LayerInfo;
  } catch {
    return undefined;
  }
}

/** Ids of the layers present (temp and trash names skipped). */
export function listLayerIds(root: string): string[] {
  try {
    return readdirSync(layersDir(root)).filter((n) => HEX64.test(n));
  } catch {
    return [];
  }
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** 26 random upper-case base32 characters, like containers/storage's link names. */
export function newLinkName(): string {
  const bytes = randomBytes(26);
  let s = '';
  for (const b of bytes) s += BASE32[b & 31];
  return s;
}

/** What the short link points at, relative to `l/`. */
export function linkTarget(id: string): string {
  return `../layers/${layerId(id)}/diff`;
}
