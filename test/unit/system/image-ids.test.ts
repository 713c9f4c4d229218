import { describe, expect, it } from 'vitest';
import { maxLayerSize, DEFAULT_MAX_LAYER_SIZE } from '../../../src/image/pull.js';
import { judgeImageIds } from '../../../src/system/checks/image-ids.js';
import type { SubIdFacts } from '../../../src/system/checks/subids.js';
import type { ImageRecord } from '../../../src/storage/types.js';

const facts = (kind: 'uid' | 'gid', start: number, count: number): SubIdFacts => ({
  kind,
  file: `/etc/sub${kind}`,
  exists: true,
  mine: [{ name: 'alice', start, count }] as SubIdFacts['mine'],
  all: [{ start, count }, { start: 300000, count: 65536 }],
  malformed: [],
});
const ctx = { userName: 'alice', uid: 1000, gid: 1000, paths: { storageRoot: '/s', runRoot: '/run/user/1000/tsc-ctr', configDir: '/c', runRootSource: 'option' as const } };
const img = (name: string, unmapped?: { files: number; maxId: number }): ImageRecord => ({
  id: 'a'.repeat(64),
  digest: 'sha256:' + 'b'.repeat(64),
  names: [name],
  manifestMediaType: 'application/vnd.oci.image.manifest.v1+json',
  layers: [],
  created: '2024-01-01T00:00:00Z',
  ...(unmapped ? { unmappedIds: unmapped } : {}),
});

describe('image-ids check', () => {
  it('ok when no image has unmapped owners', () => {
    const r = judgeImageIds(ctx, [img('docker.io/library/a:1')], facts('uid', 100000, 65536), facts('gid', 100000, 65536));
    expect(r.Status).toBe('ok');
    expect(r.Detail).toBe('no stored image has files owned by ids beyond the 65536 your user namespace maps (0-65536)');
  });

  it('warns with a range reaching the highest id, free of everybody else\'s', () => {
    const r = judgeImageIds(ctx, [img('docker.io/library/a:1', { files: 4, maxId: 200000 })], facts('uid', 100000, 65536), facts('gid', 100000, 65536));
    expect(r.Status).toBe('warning');
    expect(r.Detail).toContain('4 file(s) of docker.io/library/a:1 are owned by ids up to 200000');
    const m = /--add-subuids (\d+)-(\d+) --add-subgids \1-\2 alice; kill \$\(cat \/run\/user\/1000\/tsc-ctr\/pause\.pid\); tsc-ctr rmi docker.io\/library\/a:1; tsc-ctr pull docker.io\/library\/a:1$/.exec(r.Fix);
    expect(m).not.toBeNull();
    const [s, e] = [Number(m![1]), Number(m![2])];
    expect(e - s + 1 + 65536).toBeGreaterThanOrEqual(200000);
    for (const t of [{ start: 100000, count: 65536 }, { start: 300000, count: 65536 }]) expect(e < t.start || s >= t.start + t.count).toBe(true);
  });
});

describe('TSC_CTR_MAX_LAYER_SIZE', () => {
  it('parses bytes and k/m/g, defaults when unset, refuses garbage', () => {
    expect(maxLayerSize({})).toBe(DEFAULT_MAX_LAYER_SIZE);
    expect(maxLayerSize({ TSC_CTR_MAX_LAYER_SIZE: '1000' })).toBe(1000);
    expect(maxLayerSize({ TSC_CTR_MAX_LAYER_SIZE: '8m' })).toBe(8 * 1024 * 1024);
    expect(maxLayerSize({ TSC_CTR_MAX_LAYER_SIZE: '2G' })).toBe(2 * 1024 ** 3);
    expect(() => maxLayerSize({ TSC_CTR_MAX_LAYER_SIZE: '0' })).toThrow(/invalid TSC_CTR_MAX_LAYER_SIZE "0"/);
    expect(() => maxLayerSize({ TSC_CTR_MAX_LAYER_SIZE: '-5' })).toThrow(/invalid/);
  });
});
