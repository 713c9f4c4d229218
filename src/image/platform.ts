import { TscCtrError } from '../errors.js';
import type { Descriptor, ImageIndex } from '../oci/image.js';
import { goArch } from '../system/platform.js';

export interface PlatformWanted {
  os: string;
  architecture: string;
  variant?: string | undefined;
}

/** `--platform os/arch[/variant]` plus `--os`, `--arch`, `--variant`; defaults are the host's. */
export function wantedPlatform(opts: { platform?: string; os?: string; arch?: string; variant?: string }): PlatformWanted {
  let os = 'linux';
  let architecture = goArch();
  let variant: string | undefined;
  if (opts.platform) {
    const parts = opts.platform.split('/');
    if (parts.length < 2 || parts.length > 3 || parts.some((p) => p === '')) {
      throw new TscCtrError(`invalid platform "${opts.platform}": expected os/arch[/variant]`, { code: 'TSC_ERR_USAGE' });
    }
    [os, architecture] = [parts[0]!, parts[1]!];
    variant = parts[2];
  }
  if (opts.os) os = opts.os;
  if (opts.arch) architecture = opts.arch;
  if (opts.variant) variant = opts.variant;
  return { os, architecture: normalizeArch(architecture), variant: normalizeVariant(normalizeArch(architecture), variant) };
}

function normalizeArch(a: string): string {
  const m: Record<string, string> = { x86_64: 'amd64', 'x86-64': 'amd64', aarch64: 'arm64', armhf: 'arm', armel: 'arm', i386: '386' };
  return m[a.toLowerCase()] ?? a.toLowerCase();
}

function normalizeVariant(arch: string, v: string | undefined): string | undefined {
  if (arch === 'arm64' && (v === undefined || v === '8' || v === 'v8')) return 'v8';
  if (arch === 'arm' && v && /^\d$/.test(v)) return `v${v}`;
  return v;
}

/** Variants an entry may have for it to run here, best first (arm v7 runs v6 and v5 images). */
function acceptableVariants(want: PlatformWanted): (string | undefined)[] {
  if (want.architecture === 'arm64') return ['v8', undefined];
  if (want.architecture === 'arm') {
    const order = ['v8', 'v7', 'v6', 'v5'];
    const i = order.indexOf(want.variant ?? 'v7');
    return [...(i >= 0 ? order.slice(i) : [want.variant]), undefined];
  }
  return want.variant ? [want.variant] : [undefined, ''];
}

function describe(d: Descriptor): string {
  const p = d.platform;
  if (!p) return 'unknown';
  return [p.os, p.architecture, p.variant].filter(Boolean).join('/');
}

/**
 * Pick the manifest for a platform from an OCI index or Docker manifest list. Entries marked
 * unknown/unknown (attestations) and entries without a platform are never chosen.
 */
export function selectManifest(index: ImageIndex, want: PlatformWanted, source: string): Descriptor {
  const candidates = index.manifests.filter(
    (d) => d.platform && d.platform.os !== 'unknown' && d.platform.architecture !== 'unknown',
  );
  for (const v of acceptableVariants(want)) {
    const hit = candidates.find(
      (d) =>
        d.platform!.os === want.os &&
        normalizeArch(d.platform!.architecture) === want.architecture &&
        normalizeVariant(want.architecture, d.platform!.variant || undefined) === (v || undefined),
    );
    if (hit) return hit;
  }
  const avail = [...new Set(candidates.map(describe))];
  const wanted = [want.os, want.architecture, want.variant].filter(Boolean).join('/');
  throw new TscCtrError(
    `choosing an image from manifest list ${source}: no image found for platform ${wanted} (available: ${avail.length ? avail.join(', ') : 'none'})`,
    { code: 'TSC_ERR_NO_PLATFORM' },
  );
}
