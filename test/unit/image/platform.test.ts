import { describe, expect, it } from 'vitest';
import { selectManifest, wantedPlatform } from '../../../src/image/platform.js';
import type { ImageIndex } from '../../../src/oci/image.js';

const d = (os: string, architecture: string, variant?: string, digest = `${os}-${architecture}-${variant ?? ''}`) => ({
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  digest,
  size: 1,
  platform: { os, architecture, ...(variant ? { variant } : {}) },
});

const index: ImageIndex = {
  schemaVersion: 2,
  manifests: [
    d('unknown', 'unknown', undefined, 'attestation'),
    d('linux', 'arm', 'v6'),
    d('linux', 'arm', 'v7'),
    d('linux', 'arm64', 'v8'),
    d('linux', 'amd64'),
    d('windows', 'amd64', undefined, 'win'),
  ],
};

describe('wantedPlatform', () => {
  it.each([
    [{ platform: 'linux/arm64' }, { os: 'linux', architecture: 'arm64', variant: 'v8' }],
    [{ platform: 'linux/arm/v7' }, { os: 'linux', architecture: 'arm', variant: 'v7' }],
    [{ platform: 'linux/amd64' }, { os: 'linux', architecture: 'amd64', variant: undefined }],
    [{ arch: 'aarch64' }, { os: 'linux', architecture: 'arm64', variant: 'v8' }],
    [{ arch: 'arm', variant: '6' }, { os: 'linux', architecture: 'arm', variant: 'v6' }],
    [{ platform: 'linux/amd64', arch: 'x86_64', os: 'linux' }, { os: 'linux', architecture: 'amd64', variant: undefined }],
  ])('%j → %j', (opts, want) => {
    expect(wantedPlatform(opts)).toEqual(want);
  });
  it.each(['linux', 'linux/', '/amd64', 'a/b/c/d'])('rejects %s', (p) => {
    expect(() => wantedPlatform({ platform: p })).toThrow(/invalid platform/);
  });
});

describe('selectManifest', () => {
  const pick = (p: string) => selectManifest(index, wantedPlatform({ platform: p }), 'docker://x').digest;
  it('picks the exact platform', () => {
    expect(pick('linux/amd64')).toBe('linux-amd64-');
    expect(pick('linux/arm64')).toBe('linux-arm64-v8');
    expect(pick('linux/arm/v7')).toBe('linux-arm-v7');
    expect(pick('windows/amd64')).toBe('win');
  });
  it('falls back to an older arm variant', () => {
    const only6: ImageIndex = { schemaVersion: 2, manifests: [d('linux', 'arm', 'v6')] };
    expect(selectManifest(only6, wantedPlatform({ platform: 'linux/arm/v7' }), 'x').digest).toBe('linux-arm-v6');
    expect(() => selectManifest(only6, wantedPlatform({ platform: 'linux/arm/v5' }), 'x')).toThrow(/no image found/);
  });
  it('arm64 without a variant matches v8', () => {
    const plain: ImageIndex = { schemaVersion: 2, manifests: [d('linux', 'arm64')] };
    expect(selectManifest(plain, wantedPlatform({ platform: 'linux/arm64' }), 'x').digest).toBe('linux-arm64-');
  });
  it('never picks attestations and lists what is available', () => {
    expect(() => selectManifest(index, wantedPlatform({ platform: 'linux/s390x' }), 'docker://r/x:1')).toThrow(
      'choosing an image from manifest list docker://r/x:1: no image found for platform linux/s390x (available: linux/arm/v6, linux/arm/v7, linux/arm64/v8, linux/amd64, windows/amd64)',
    );
    const att: ImageIndex = { schemaVersion: 2, manifests: [d('unknown', 'unknown')] };
    expect(() => selectManifest(att, wantedPlatform({ platform: 'linux/amd64' }), 'x')).toThrow(/available: none/);
  });
});
