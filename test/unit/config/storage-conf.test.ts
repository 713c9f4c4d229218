import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expandStorageVars, parseStorageConf } from '../../../src/config/storage-conf.js';
import { resolvePaths } from '../../../src/config/paths.js';

describe('parseStorageConf', () => {
  it('reads the [storage] location keys only', () => {
    const text = `# comment
[storage]
driver = "overlay"
runroot = "/run/containers/storage"
graphroot = '/var/lib/containers/storage'
rootless_storage_path = "$HOME/.cache/ctr"  # trailing comment

[storage.options]
graphroot = "/not/this"
`;
    expect(parseStorageConf(text)).toEqual({
      driver: 'overlay',
      runroot: '/run/containers/storage',
      graphroot: '/var/lib/containers/storage',
      rootlessStoragePath: '$HOME/.cache/ctr',
    });
  });
  it('an unquoted value is an error naming file and line', () => {
    expect(() => parseStorageConf('[storage]\ngraphroot = /x\n', 'f.conf')).toThrow(/f\.conf:2: graphroot/);
  });
  it('expands $HOME, $UID, $USER', () => {
    expect(expandStorageVars('$HOME/s-$UID-${USER}', { uid: 7, user: 'ci', home: '/h' })).toBe('/h/s-7-ci');
  });
});

describe('resolvePaths with CONTAINERS_STORAGE_CONF', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sc-'));
  const conf = join(dir, 'storage.conf');
  writeFileSync(conf, '[storage]\ngraphroot = "/cache/g"\nrunroot = "/cache/r"\n');
  const base = { HOME: '/home/u', _CONTAINERS_ROOTLESS_UID: '1000', CONTAINERS_STORAGE_CONF: conf };
  it('is used when nothing more specific is given', () => {
    const p = resolvePaths({}, base);
    expect([p.storageRoot, p.runRoot]).toEqual(['/cache/g', '/cache/r']);
  });
  it('loses to TSC_CTR_ROOT/RUNROOT and to the flags', () => {
    expect(resolvePaths({}, { ...base, TSC_CTR_ROOT: '/e' }).storageRoot).toBe('/e');
    expect(resolvePaths({ root: '/f', runroot: '/g' }, base)).toMatchObject({ storageRoot: '/f', runRoot: '/g' });
  });
  it('a missing file or an unknown driver is an error', () => {
    expect(() => resolvePaths({}, { ...base, CONTAINERS_STORAGE_CONF: join(dir, 'nope') })).toThrow(/CONTAINERS_STORAGE_CONF/);
    writeFileSync(join(dir, 'b.conf'), '[storage]\ndriver = "btrfs"\n');
    expect(() => resolvePaths({}, { ...base, CONTAINERS_STORAGE_CONF: join(dir, 'b.conf') })).toThrow(/"btrfs" is not supported/);
  });
});
