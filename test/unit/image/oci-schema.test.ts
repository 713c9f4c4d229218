// What tsc-ctr writes (manifests, configs) against the OCI image-spec JSON schemas.
import { describe, expect, it } from 'vitest';
import { buildManifest, layerMediaType } from '../../../src/image/export-layers.js';
import { validateImageSpec } from './image-spec-schema.js';

const d = (c: string) => `sha256:${c.repeat(64)}`;

describe('OCI image-spec schemas', () => {
  it('the validator rejects broken documents (it can fail)', () => {
    expect(validateImageSpec('manifest', { schemaVersion: 2, layers: [] })).not.toEqual([]);
    expect(validateImageSpec('manifest', { schemaVersion: 2, config: { mediaType: 'x/y', digest: 'sha256:zz', size: 1 }, layers: [] })).not.toEqual([]);
    expect(validateImageSpec('config', { architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] }, created: 'yesterday' })).not.toEqual([]);
    expect(validateImageSpec('layout', { imageLayoutVersion: 1 })).not.toEqual([]);
  });

  it('manifests built for push and save validate, with every compression', () => {
    for (const c of ['none', 'gzip', 'zstd'] as const) {
      const m = buildManifest('oci', { digest: d('a'), size: 123 }, [
        { digest: d('b'), size: 10, mediaType: layerMediaType('oci', c) },
        { digest: d('c'), size: 20, mediaType: layerMediaType('oci', c) },
      ]);
      expect(m.mediaType).toBe('application/vnd.oci.image.manifest.v1+json');
      expect(validateImageSpec('manifest', JSON.parse(m.body.toString()))).toEqual([]);
    }
  });

  it('a config rewritten with new diff IDs validates', () => {
    const cfg = {
      created: '2026-01-02T03:04:05.123456789Z',
      architecture: 'amd64',
      os: 'linux',
      config: { Env: ['PATH=/bin'], Cmd: ['/bin/sh'], Labels: { a: 'b' } },
      rootfs: { type: 'layers', diff_ids: [d('1'), d('2')] },
      history: [{ created: '2026-01-02T03:04:05Z', created_by: 'x' }],
    };
    expect(validateImageSpec('config', cfg)).toEqual([]);
  });

  it('the OCI layout file validates', () => {
    expect(validateImageSpec('layout', { imageLayoutVersion: '1.0.0' })).toEqual([]);
  });
});
