import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { upperEntries } from '../../../src/storage/diff/upper.js';
import { decideDriver, parseDriverName, readDriverRecord, requestedDriver, storeInUse } from '../../../src/storage/driver.js';
import { fuseOverlayArgv, overlayOptions, shortPath } from '../../../src/storage/overlay.js';
import { pickDriver, type OverlayProbe } from '../../../src/system/checks/overlay.js';
import { lsetxattr, makedev, mknod, S_IFCHR } from '../../../src/native/index.js';

const root = '/store';
const probe = (native: boolean): OverlayProbe => ({ native, ...(native ? {} : { error: 'operation not permitted' }), fsType: 'ext4', probedAt: '', cached: true });

describe('driver request', () => {
  it('flag, then environment, then storage.conf', () => {
    const conf = { driver: 'overlay', file: '/etc/s.conf' };
    expect(requestedDriver('fuse-overlayfs', { TSC_CTR_STORAGE_DRIVER: 'overlay' }, conf)).toEqual({ driver: 'fuse-overlayfs', source: '--storage-driver' });
    expect(requestedDriver(undefined, { TSC_CTR_STORAGE_DRIVER: 'fuse-overlayfs' }, conf)).toEqual({ driver: 'fuse-overlayfs', source: 'TSC_CTR_STORAGE_DRIVER' });
    expect(requestedDriver(undefined, {}, conf)).toEqual({ driver: 'overlay', source: '/etc/s.conf' });
    expect(requestedDriver(undefined, {}, undefined)).toBeUndefined();
  });

  it('unknown names are refused with the choices', () => {
    expect(() => parseDriverName('btrfs', '--storage-driver')).toThrow('--storage-driver: storage driver "btrfs" is not supported: choose one of overlay, fuse-overlayfs');
    expect(() => requestedDriver(undefined, {}, { driver: 'zfs', file: '/c' })).toThrow(/^\/c: storage driver "zfs"/);
  });
});

describe('decideDriver', () => {
  const req = { driver: 'fuse-overlayfs' as const, source: '--storage-driver' };
  it('a recorded driver is kept', () => {
    expect(decideDriver({ recorded: 'overlay', inUse: true, root })).toEqual({ kind: 'use', driver: 'overlay' });
    expect(decideDriver({ recorded: 'fuse-overlayfs', request: req, inUse: true, root })).toEqual({ kind: 'use', driver: 'fuse-overlayfs' });
  });
  it('another driver on a store with layers is an error in Podman words', () => {
    expect(() => decideDriver({ recorded: 'overlay', request: req, inUse: true, root })).toThrow(
      /^database storage graph driver "overlay" does not match our storage graph driver "fuse-overlayfs" \(from --storage-driver\)/,
    );
  });
  it('an empty store takes the request; a new store without one probes', () => {
    expect(decideDriver({ recorded: 'overlay', request: req, inUse: false, root })).toEqual({ kind: 'record', driver: 'fuse-overlayfs', chosenBy: 'request' });
    expect(decideDriver({ request: req, inUse: false, root })).toEqual({ kind: 'record', driver: 'fuse-overlayfs', chosenBy: 'request' });
    expect(decideDriver({ inUse: false, root })).toEqual({ kind: 'probe' });
  });
});

describe('pickDriver (the probe decision)', () => {
  it('native overlay first', () => {
    expect(pickDriver(probe(true), '/usr/bin/fuse-overlayfs', undefined).driver).toBe('overlay');
  });
  it('then fuse-overlayfs when the program and /dev/fuse are usable', () => {
    const c = pickDriver(probe(false), '/usr/bin/fuse-overlayfs', undefined);
    expect(c).toMatchObject({ driver: 'fuse-overlayfs', mountProgram: '/usr/bin/fuse-overlayfs' });
    expect(c.reason).toContain('operation not permitted');
  });
  it('else vfs, saying why fuse-overlayfs cannot be used', () => {
    expect(pickDriver(probe(false), undefined, undefined).reason).toContain('fuse-overlayfs is not installed');
    expect(pickDriver(probe(false), '/usr/bin/fuse-overlayfs', 'EACCES')).toMatchObject({ driver: 'vfs' });
    expect(pickDriver(probe(false), '/usr/bin/fuse-overlayfs', 'EACCES').reason).toContain('/dev/fuse cannot be opened (EACCES)');
  });
});

describe('mount arguments', () => {
  it('paths below the storage root are given relative to it', () => {
    expect(shortPath('/store/containers/a/upper', root)).toBe('containers/a/upper');
    expect(shortPath('/elsewhere/upper', root)).toBe('/elsewhere/upper');
    expect(shortPath('/store', root)).toBe('/store');
  });
  it('fuse-overlayfs gets the same lower/upper/work options', () => {
    expect(fuseOverlayArgv({ lowers: ['l/A', 'l/B'], upper: 'u', work: 'w', merged: '/m' })).toEqual(['fuse-overlayfs', '-o', 'lowerdir=l/A:l/B,upperdir=u,workdir=w', '/m']);
    expect(fuseOverlayArgv({ lowers: ['l/A'], merged: '/m' })).toEqual(['fuse-overlayfs', '-o', 'lowerdir=l/A', '/m']);
  });
  it('128 short-link lowers fit in one page with relative upper/work', () => {
    const lowers = Array.from({ length: 128 }, () => `l/${'A'.repeat(26)}`);
    const s = overlayOptions({ lowers, upper: `containers/${'f'.repeat(64)}/upper`, work: `containers/${'f'.repeat(64)}/work`, rootless: true });
    expect(s.length).toBeLessThan(4096);
  });
});

describe('store state', () => {
  const dir = mkdtempSync(join(tmpdir(), 'drv-unit-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  it('a store is in use once it has a layer', () => {
    expect(storeInUse(dir)).toBe(false);
    mkdirSync(join(dir, 'layers', 'a'.repeat(64)), { recursive: true });
    expect(storeInUse(dir)).toBe(true);
  });
  it('a record naming an unknown driver is an error, not ignored', () => {
    writeFileSync(join(dir, 'driver.json'), '{"driver":"aufs"}');
    expect(() => readDriverRecord(dir)).toThrow(/storage driver "aufs" is not supported/);
  });
});

describe.skipIf(process.getuid?.() !== 0)('upper dir written by fuse-overlayfs', () => {
  it('its opaque markers become one .wh..wh..opq and its xattrs are not committed', () => {
    const up = mkdtempSync(join(tmpdir(), 'drv-upper-'));
    try {
      mkdirSync(join(up, 'o'));
      writeFileSync(join(up, 'o', 'z'), 'z');
      writeFileSync(join(up, 'o', '.wh..wh..opq'), '');
      mknod(join(up, 'o', '.wh..opq'), S_IFCHR | 0o700, makedev(0, 0));
      lsetxattr(join(up, 'o'), 'user.fuseoverlayfs.opaque', Buffer.from('y'));
      mknod(join(up, 'gone'), S_IFCHR, makedev(0, 0));
      const names = [...upperEntries(up, { rootless: true })].map((e) => [e.entry.name, e.entry.xattrs ? [...e.entry.xattrs.keys()] : []]);
      expect(names).toEqual([
        ['.wh.gone', []],
        ['o', []],
        ['o/.wh..wh..opq', []],
        ['o/z', []],
      ]);
    } finally {
      rmSync(up, { recursive: true, force: true });
    }
  });
});
